import ArgumentParser
import Foundation
import OctetKernels

/// `octet roofline` (hidden): the measured peak multiply-accumulate rate of one core for every
/// dot-product instruction this CPU has; `octet bench` uses the best int8 and fp32 ones.
struct RooflineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roofline",
        abstract: "Measure one core's peak int8 / fp32 multiply-accumulate rate per instruction (short bursts, best of many).",
        shouldDisplay: false
    )

    @Option(help: ArgumentHelp("Bursts per instruction; the best one counts.", valueName: "n"))
    var rounds: Int = 1000

    @Option(name: .customLong("burst-us"), help: ArgumentHelp("Length of one burst in microseconds.", valueName: "µs"))
    var burstMicroseconds: Int = 20

    func validate() throws {
        guard rounds > 0, burstMicroseconds > 0 else { throw ValidationError("--rounds and --burst-us must be positive.") }
    }

    func run() throws {
        print("machine: \(Machine.measure(rounds: 0).line)")
        for raw in 0..<OCTK_PEAK_COUNT.rawValue {
            let kind = octk_peak_kind(rawValue: raw)
            let name = String(cString: octk_peak_name(kind)).padding(toLength: 32, withPad: " ", startingAt: 0)
            guard octk_peak_supported(kind) != 0 else { print("\(name)  not on this CPU"); continue }
            let rate = octk_peak_macs_per_second(kind, Int32(rounds), Int64(burstMicroseconds) * 1000)
            print(String(format: "%@  %8.1f GMAC/s", name, rate / 1e9))
        }
    }
}

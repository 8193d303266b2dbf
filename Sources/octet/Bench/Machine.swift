import Foundation
import OctetKernels
import OctetRuntime

/// The machine line of a benchmark report and the per-core peaks its roofline uses.
struct Machine: Codable {
    var cpu: String
    var cores: Int
    var features: [String]
    var loadAverage: [Double]
    /// Best int8 and fp32 multiply-accumulate rates of one core (MAC/s) and the instruction.
    var peakInt8: Double
    var peakInt8Instruction: String
    var peakFloat: Double
    var peakFloatInstruction: String

    static let int8Kinds: [octk_peak_kind] = [OCTK_PEAK_S8_AVX512VNNI, OCTK_PEAK_S8_AVXVNNI, OCTK_PEAK_S8_AVX2,
                                               OCTK_PEAK_S8_NEON_I8MM, OCTK_PEAK_S8_NEON_DOTPROD, OCTK_PEAK_S8_NEON]
    static let floatKinds: [octk_peak_kind] = [OCTK_PEAK_F32_AVX512, OCTK_PEAK_F32_FMA, OCTK_PEAK_F32_NEON]

    /// Detects the CPU and measures the peaks (`rounds` bursts of 20 µs per instruction).
    static func measure(rounds: Int) -> Machine {
        func best(_ kinds: [octk_peak_kind]) -> (Double, String) {
            var result = (0.0, "none")
            for k in kinds where octk_peak_supported(k) != 0 {
                let rate = octk_peak_macs_per_second(k, Int32(rounds), 20_000)
                if rate > result.0 { result = (rate, String(cString: octk_peak_name(k))) }
            }
            return result
        }
        let (i8, i8Name) = best(int8Kinds), (f32, f32Name) = best(floatKinds)
        return Machine(cpu: cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount, features: featureNames(),
                       loadAverage: loadAverage(), peakInt8: i8, peakInt8Instruction: i8Name, peakFloat: f32, peakFloatInstruction: f32Name)
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown CPU"
    }

    static func featureNames() -> [String] {
        let names = CPUFeatures.current.description
        return names == "baseline" ? [] : names.split(separator: " ").map(String.init)
    }

    static func loadAverage() -> [Double] {
        var load = [Double](repeating: 0, count: 3)
        return getloadavg(&load, 3) == 3 ? load : []
    }

    /// Peak resident set size of this process in bytes.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #if os(Linux)
        return usage.ru_maxrss * 1024  // kilobytes on Linux
        #else
        return usage.ru_maxrss
        #endif
    }

    var line: String {
        let load = loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " ")
        return "\(cpu), \(cores) cores, \(features.joined(separator: " ")); load average \(load)"
    }
}

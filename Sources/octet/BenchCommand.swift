import ArgumentParser
import Foundation
import OctetConvert
import OctetRuntime

/// `octet bench`: latency, memory and load time of a `.octet` model on the int8 interpreter or
/// of an ONNX model on the float reference path, with an optional per-op profile against the
/// measured per-core roofline.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure latency, throughput, memory and load time of a .octet (int8) or .onnx (float) model.",
        discussion: """
        Each thread count runs --warmup untimed invocations, then --runs timed ones, and reports \
        min / median / p90 / p99 / mean latency (ms) and throughput (1 / median). The input is a \
        fixed pseudo-random tensor of the model's input shape (batch 1). Load time covers mmap + \
        verify and the interpreter's preparation (or, for ONNX, import + passes + executor). \
        The roofline is this machine's measured peak multiply-accumulate rate per core (best \
        int8 / fp32 instruction, short in-register bursts, best of --peak-rounds); `octet \
        roofline` lists every instruction. --profile times every op (median over --runs extra \
        invocations) with its MACs, GMAC/s and % of the int8 roofline. --json prints one JSON \
        object with every figure and the raw latencies instead of the text report.
        """
    )

    @Argument(help: ArgumentHelp("The model: .octet (int8 interpreter) or .onnx (float reference path).", valueName: "model"))
    var model: String

    @Option(help: ArgumentHelp("Thread counts to measure, comma-separated.", valueName: "n[,n…]"))
    var threads: IntList = IntList(argument: "1")!

    @Option(help: ArgumentHelp("Untimed invocations before timing, per thread count.", valueName: "n"))
    var warmup: Int = 3

    @Option(help: ArgumentHelp("Timed invocations per thread count.", valueName: "n"))
    var runs: Int = 20

    @Flag(help: "Also time every op (int8 models): time, share, MACs, GMAC/s, % of the int8 roofline.")
    var profile = false

    @Flag(help: "Print one JSON object instead of the text report.")
    var json = false

    @Option(name: .customLong("peak-rounds"), help: ArgumentHelp("Bursts per instruction when measuring the roofline (0 skips it).", valueName: "n"))
    var peakRounds: Int = 300

    func validate() throws {
        guard warmup >= 0 else { throw ValidationError("--warmup must be ≥ 0, got \(warmup).") }
        guard runs > 0 else { throw ValidationError("--runs must be positive, got \(runs).") }
        guard peakRounds >= 0 else { throw ValidationError("--peak-rounds must be ≥ 0, got \(peakRounds).") }
    }

    func run() throws {
        try CLI.reportingErrors {
            let target: BenchTarget = model.hasSuffix(".onnx") ? try FloatBenchTarget(path: model) : try Int8BenchTarget(path: model)
            if profile, target is FloatBenchTarget { throw ConvertError.invalidInput("--profile times int8 ops; run it on a .octet model") }
            let machine = Machine.measure(rounds: peakRounds)
            var report = BenchReport(model: model, runtime: target.runtime, machine: machine, loadMilliseconds: target.loadMilliseconds,
                                     macs: target.macs, arenaBytes: target.arenaBytes, arenaLowerBound: target.arenaLowerBound,
                                     packedWeightBytes: target.packedWeightBytes)
            report.kernelPath = target.kernels?.path
            report.convKernel = target.kernels?.conv
            for n in threads.values {
                let used = try target.setThreads(n)
                for _ in 0..<warmup { try target.invoke() }
                let samples = try (0..<runs).map { _ in try milliseconds { try target.invoke() } }
                report.threads.append(.init(requested: n, used: used, latency: LatencyStats(samples), samples: samples))
            }
            if profile {
                _ = try target.setThreads(threads.values[0])
                report.profile = try target.profile(runs: runs, threads: threads.values[0])
            }
            report.peakResidentBytes = Machine.peakResidentBytes()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text(notes: target.notes))
            }
        }
    }
}

import Foundation

/// Everything `octet bench` measured; encodes to the `--json` output.
struct BenchReport: Codable {
    struct ThreadRun: Codable {
        var requested: Int
        /// Threads the runtime actually used.
        var used: Int
        var latency: LatencyStats
        /// Every timed invocation (ms), in order.
        var samples: [Double]
    }

    struct OpProfile: Codable {
        var index: Int
        var op: String
        var output: String
        var shape: [Int]
        /// Median over the profiling runs.
        var milliseconds: Double
        var macs: Int
    }

    var model: String
    var runtime: String
    var machine: Machine
    var loadMilliseconds: Double
    var macs: Int?
    var arenaBytes: Int
    var arenaLowerBound: Int?
    var packedWeightBytes: Int
    var peakResidentBytes = 0
    /// The int8 kernel path and its conv kernel (nil for the float path).
    var kernelPath: String? = nil
    var convKernel: String? = nil
    var threads: [ThreadRun] = []
    var profile: [OpProfile]? = nil

    /// % of the per-core int8 roofline (times the threads used) a rate of `macs` in `ms` reaches.
    func rooflinePercent(macs: Int, milliseconds ms: Double, threads: Int) -> Double {
        let peak = (runtime.hasSuffix("fp32") ? machine.peakFloat : machine.peakInt8) * Double(threads)
        return peak > 0 && ms > 0 ? 100 * Double(macs) / (ms / 1e3) / peak : .nan
    }

    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

    func text(notes: [String]) -> String {
        var lines: [String] = []
        let work = macs.map { String(format: ", %.3f GMAC per inference", Double($0) / 1e9) } ?? ""
        lines.append("\(model) on \(runtime)\(work)")
        lines.append("machine: \(machine.line)")
        if machine.peakInt8 > 0 || machine.peakFloat > 0 {
            lines.append(String(format: "roofline per core: int8 %.1f GMAC/s (%@), fp32 %.1f GMAC/s (%@)",
                                machine.peakInt8 / 1e9, machine.peakInt8Instruction, machine.peakFloat / 1e9, machine.peakFloatInstruction))
        } else {
            lines.append("roofline per core: not measured (--peak-rounds 0)")
        }
        let bound = arenaLowerBound.map { " (lower bound \($0) B)" } ?? ""
        lines.append(String(format: "load %.2f ms; arena %d B%@; packed weights %d B; peak RSS %.1f MB",
                            loadMilliseconds, arenaBytes, bound, packedWeightBytes, Double(peakResidentBytes) / 1e6))
        for t in threads {
            let l = t.latency
            let used = t.used == t.requested ? "" : " (runs on \(t.used))"
            var line = String(format: "threads %d%@: min %.3f  median %.3f  p90 %.3f  p99 %.3f  mean %.3f ms (%d runs); %.2f inferences/s",
                              t.requested, used, l.min, l.median, l.p90, l.p99, l.mean, l.runs, 1e3 / l.median)
            if let macs {
                line += String(format: "; %.2f GMAC/s", Double(macs) / (l.min / 1e3) / 1e9)
                let percent = rooflinePercent(macs: macs, milliseconds: l.min, threads: t.used)
                if !percent.isNaN { line += String(format: " = %.1f%% of roofline", percent) }
            }
            lines.append(line)
        }
        if let profile {
            let total = profile.reduce(0) { $0 + $1.milliseconds }
            lines.append("")
            lines.append("per-op profile (median of each op; threads \(threads.first?.used ?? 1)):")
            lines.append("   #  op                    output shape            ms   share        MACs   GMAC/s  % roofline  output")
            for p in profile {
                let rate = p.macs > 0 && p.milliseconds > 0 ? Double(p.macs) / (p.milliseconds / 1e3) / 1e9 : 0
                let percent = p.macs > 0 ? rooflinePercent(macs: p.macs, milliseconds: p.milliseconds, threads: threads.first?.used ?? 1) : .nan
                let roof = percent.isNaN ? "         –" : String(format: "%10.1f", percent)
                let shape = p.shape.map(String.init).joined(separator: "×")
                lines.append(String(format: "%4d  ", p.index) + pad(p.op, 20) + " " + pad(shape, 18)
                             + String(format: " %9.3f %6.1f%% %11d %8.2f  ", p.milliseconds, total > 0 ? 100 * p.milliseconds / total : 0, p.macs, rate)
                             + roof + "  " + p.output)
            }
            lines.append(String(format: "sum of op medians %.3f ms", total))
        }
        lines += notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }
}

import Foundation

/// Monotonic time in nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Milliseconds `body` takes.
func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = monotonicNanoseconds()
    try body()
    return Double(monotonicNanoseconds() - t0) / 1e6
}

/// Order statistics of a set of latencies (ms). Percentiles are nearest-rank: p-th = the
/// smallest sample with at least p% of the samples at or below it.
struct LatencyStats: Codable {
    var runs: Int
    var min: Double
    var median: Double
    var p90: Double
    var p99: Double
    var mean: Double

    init(_ samples: [Double]) {
        let s = samples.sorted()
        runs = s.count
        func rank(_ p: Double) -> Double { s.isEmpty ? .nan : s[Swift.max(0, Int((p / 100 * Double(s.count)).rounded(.up)) - 1)] }
        min = s.first ?? .nan
        median = s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        p90 = rank(90)
        p99 = rank(99)
        mean = s.isEmpty ? .nan : s.reduce(0, +) / Double(s.count)
    }
}

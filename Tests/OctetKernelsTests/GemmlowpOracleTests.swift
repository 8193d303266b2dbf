import Testing
import _GemmlowpOracle

/// The oracle itself: gemmlowp's int32-output GEMM against its defining sum.
@Suite struct GemmlowpOracleTests {
    @Test func gemmMatchesTheDefiningSum() {
        var rng = SplitMix64(seed: 0x6E33)
        for trial in 0..<20 {
            let rows = rng.int(1, 9), depth = rng.int(1, 300), cols = rng.int(1, 9), z = Int32(rng.int(-128, 127))
            let lhs = (0..<rows * depth).map { _ in Int8(rng.int(-128, 127)) }
            let rhs = (0..<cols * depth).map { _ in Int8(rng.int(-128, 127)) }
            var got = [Int32](repeating: 0x5555, count: rows * cols)
            gemmlowp_oracle_gemm_s8_s32(lhs, Int32(rows), Int32(depth), rhs, Int32(cols), z, &got)
            var want = [Int32](repeating: 0, count: rows * cols)
            for r in 0..<rows {
                for c in 0..<cols {
                    var s: Int32 = 0
                    for k in 0..<depth { s += (Int32(lhs[r * depth + k]) - z) * Int32(rhs[c * depth + k]) }
                    want[r * cols + c] = s
                }
            }
            #expect(got == want, "trial \(trial): \(rows)×\(depth)×\(cols), z \(z)")
        }
    }
}

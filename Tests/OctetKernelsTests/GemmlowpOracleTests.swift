import Testing
import _GemmlowpOracle

/// The oracle itself: gemmlowp's fixed-point functions against their defining formulas.
@Suite struct GemmlowpOracleTests {
    @Test func saturatingRoundingDoublingHighMul() {
        #expect(gemmlowp_oracle_srdhm(Int32.min, Int32.min) == Int32.max)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let a = Int32.random(in: .min ... .max, using: &rng), b = Int32.random(in: .min ... .max, using: &rng)
            if a == .min && b == .min { continue }
            let ab = Int64(a) * Int64(b)
            let nudge: Int64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30)
            let expected = Int32(truncatingIfNeeded: (ab + nudge) / (1 << 31))
            #expect(gemmlowp_oracle_srdhm(a, b) == expected)
        }
    }

    @Test func roundingDivideByPowerOfTwo() {
        for x: Int32 in [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, .max, .min] {
            for e in 0...31 {
                let exact = Double(x) / Double(1 << UInt64(e))
                // Round half away from zero.
                let expected = Int32(exact.rounded(.toNearestOrAwayFromZero))
                #expect(gemmlowp_oracle_rdbpot(x, Int32(e)) == expected, "x=\(x) e=\(e)")
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Q31 multipliers: `real ≈ multiplier·2^(shift−31)`, `multiplier` in [2^30, 2^31).
public enum Requantization {
    /// TFLite's QuantizeMultiplier. `shift > 0` shifts left before the high multiply, `shift < 0`
    /// right after it. Zero maps to (0, 0); values too small for shift ≥ −31 flush to (0, 0);
    /// values ≥ 2^30 are clamped to the largest representable multiplier.
    public static func quantizeMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32) {
        guard real > 0, real.isFinite else { return (0, 0) }
        var exponent: Int32 = 0
        let fraction = frexp(real, &exponent)  // real = fraction · 2^exponent, fraction ∈ [0.5, 1)
        var q = Int64((fraction * 2_147_483_648.0).rounded())
        var e = Int(exponent)
        if q == 1 << 31 { q /= 2; e += 1 }
        if e < -31 { return (0, 0) }
        if e > 30 { return (Int32.max, 30) }
        return (Int32(q), Int32(e))
    }
}

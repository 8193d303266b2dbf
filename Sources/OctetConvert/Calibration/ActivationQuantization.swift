/// Int8 asymmetric per-tensor quantization of one activation tensor: `real = scale · (q − zeroPoint)`
/// with `q, zeroPoint ∈ [−128, 127]`.
///
/// Built from a calibrated range `[lo, hi]` the way the spec says: the range is first widened to
/// contain 0, then `scale = (hi − lo) / 255` and `zeroPoint = round(−128 − lo / scale)` clamped to
/// `[−128, 127]`. Rounding the zero point to an integer is the "nudge": it keeps the scale and
/// shifts the representable grid by less than `scale / 2` so that real 0 is exactly the level
/// `zeroPoint` (zero padding and ReLU zeros stay exact). The representable range is therefore
/// `[scale · (−128 − zeroPoint), scale · (127 − zeroPoint)]`, which may differ from `[lo, hi]` by
/// under half a step at each end.
///
/// Rounding is to nearest, ties away from zero (C `roundf`, as TFLite's reference quantizer).
public struct ActivationQuantization: Sendable, Equatable, CustomStringConvertible {
    public var scale: Float
    public var zeroPoint: Int32

    /// Half-width of the range used when `[lo, hi]` (after widening to contain 0) is empty, as for
    /// a tensor that is constant zero: `[−1/1024, 1/1024]`. Small, but not so small that a
    /// requantization multiplier `s_in · s_w / s_out` into such a tensor becomes extreme.
    public static let degenerateHalfWidth: Float = 1.0 / 1024

    public init(scale: Float, zeroPoint: Int32) {
        precondition(scale > 0 && scale.isFinite, "scale must be positive and finite")
        precondition((-128...127).contains(zeroPoint), "zero point must be in [-128, 127]")
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// Computes scale and zero point for the range `[lo, hi]` (widened to contain 0).
    /// Non-finite bounds are a programming error.
    public init(lo: Float, hi: Float) {
        precondition(lo.isFinite && hi.isFinite, "quantization range [\(lo), \(hi)] is not finite")
        var lo = Swift.min(lo, 0), hi = Swift.max(hi, 0)
        if !(hi > lo) {
            lo = -Self.degenerateHalfWidth
            hi = Self.degenerateHalfWidth
        }
        // (hi − lo) may overflow Float for ranges near ±Float.greatestFiniteMagnitude: use Double.
        let s = Float((Double(hi) - Double(lo)) / 255)
        let scale = Swift.max(s, Float.leastNormalMagnitude)
        let z = (-128 - Double(lo) / Double(scale)).rounded()
        self.scale = scale
        self.zeroPoint = Int32(Swift.min(Swift.max(z, -128), 127))
    }

    /// Lowest and highest representable real values.
    public var representableRange: (lo: Float, hi: Float) {
        (scale * Float(-128 - zeroPoint), scale * Float(127 - zeroPoint))
    }

    /// `clamp(round(x / scale) + zeroPoint, −128, 127)`. NaN maps to the zero point.
    @inline(__always)
    public func quantize(_ x: Float) -> Int8 {
        let v = (x / scale).rounded() + Float(zeroPoint)
        guard v == v else { return Int8(truncatingIfNeeded: zeroPoint) }
        return Int8(Swift.min(Swift.max(v, -128), 127))
    }

    @inline(__always)
    public func dequantize(_ q: Int8) -> Float {
        scale * Float(Int32(q) - zeroPoint)
    }

    public var description: String { "scale \(scale), zero point \(zeroPoint)" }
}

/// A scalar requantization factor as the kernels apply it (gemmlowp's fixed-point form, DESIGN.md
/// §2 until the binary32 switch): `real ≈ multiplier · 2^(shift − 31)` with a Q31 `multiplier`
/// in [2^30, 2^31) (0 for a zero factor) and `shift` in [−31, 30]. Two words in an op's
/// parameters. Per-channel factors of conv/FC are the same pair per channel, stored as constant
/// tensors. The one place such a pair is computed and checked.
public struct FixedPointMultiplier: Sendable, Equatable {
    public var multiplier: Int32
    public var shift: Int32

    public init(multiplier: Int32, shift: Int32) { self.multiplier = multiplier; self.shift = shift }

    /// TFLite's QuantizeMultiplier. Zero (and values too small for shift ≥ −31) map to (0, 0);
    /// values ≥ 2^30 clamp to the largest representable factor.
    public init(_ real: Double) {
        let (m, s) = Requantization.quantizeMultiplier(real)
        self.init(multiplier: m, shift: s)
    }

    init(words w: ArraySlice<Int32>) { multiplier = w[w.startIndex]; shift = w[w.startIndex + 1] }
    public var words: [Int32] { [multiplier, shift] }

    /// A non-negative multiplier and a shift in [−31, 30]; `what` names the factor.
    func check(_ what: String, _ s: OpSite) throws(OctetError) {
        guard multiplier >= 0 else { throw s.fail("\(what) multiplier \(multiplier) is negative") }
        guard (-31...30).contains(shift) else { throw s.fail("\(what) shift \(shift) is outside [-31, 30]") }
    }
}

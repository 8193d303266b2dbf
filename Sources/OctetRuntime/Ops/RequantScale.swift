import OctetKernels

/// A requantization factor as every kernel applies it (DESIGN.md §2): `s_in·s_w/s_out` (or the
/// op's equivalent) computed in double and rounded once to IEEE binary32. One word in an op's
/// parameters (the float's bit pattern); per-channel factors of conv/FC are a float32 constant
/// tensor. The one place such a factor is made and checked.
public struct RequantScale: Sendable, Equatable {
    public var value: Float

    public init(value: Float) { self.value = value }

    /// `real` rounded once to binary32 (Float(Double) rounds to nearest even).
    public init(_ real: Double) { self.init(value: Float(real)) }

    init(word: Int32) { value = Float(bitPattern: UInt32(bitPattern: word)) }
    public var word: Int32 { Int32(bitPattern: value.bitPattern) }

    /// The range the kernels are exact for: finite, in [0, 2^32] (acc·scale then stays finite).
    public static let range: ClosedRange<Float> = 0...OCTK_REQUANT_SCALE_MAX

    public var isValid: Bool { Self.range.contains(value) }

    /// A finite scale in `range`; `what` names the factor.
    func check(_ what: String, _ s: OpSite) throws(OctetError) {
        guard isValid else { throw s.fail("\(what) scale \(value) is outside [0, 2^32]") }
    }
}

/// Precision of the conv-family weights (Conv, depthwise conv, fully connected): symmetric per
/// output channel in [−qmax, qmax] with `s[c] = max|w[c]|/qmax` (DESIGN.md §2).
///
/// `.seven` keeps every weight in [−63, 63]: on x86 without VNNI the runtime then multiplies
/// unsigned activations by int8 weights with `vpmaddubsw`, whose int16 pair sums are exact only
/// for such weights (2·255·63 < 2^15). The runtime decides that from the weight bytes it
/// verified, per op; the file records the choice in `quantization.weight_bits` for people.
public enum WeightBits: Int, Sendable, CaseIterable, CustomStringConvertible {
    case seven = 7, eight = 8

    /// The largest |q|: 63 or 127.
    public var qmax: Int { (1 << (rawValue - 1)) - 1 }

    public var description: String { String(rawValue) }
}

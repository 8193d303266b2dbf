/// Deterministic model inputs for one fuzz run (SplitMix64), so a crash replays exactly.
struct FuzzInputData {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float in [-4, 4).
    mutating func finiteFloat() -> Float { Float(next() >> 40) / Float(1 << 24) * 8 - 4 }

    /// Fills raw bytes (any bit pattern: NaN and infinity included for float tensors).
    mutating func fill(_ bytes: UnsafeMutableRawBufferPointer) {
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: next()) }
    }

    /// Fills floats in [-4, 4).
    mutating func fill(_ floats: UnsafeMutableBufferPointer<Float>) {
        for i in floats.indices { floats[i] = finiteFloat() }
    }
}

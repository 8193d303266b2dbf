import OctetRuntime

/// Which float graph value an int8 tensor quantizes: the lowering names every int8 tensor
/// after its value (interface twins get `FloatTwins.suffix`), so a name lookup with the same
/// element count finds it. Used by `octet eval` (per-layer SQNR) and bias correction.
struct FloatTwins {
    static let suffix = ":q"
    let graph: Graph
    private let byName: [String: ValueID]

    init(_ graph: Graph) {
        self.graph = graph
        var byName: [String: ValueID] = [:]
        for (i, v) in graph.values.enumerated() where !graph.isConstant(ValueID(i)) { byName[v.name] = ValueID(i) }
        self.byName = byName
    }

    func twin(of tensor: TensorDescription) -> ValueID? {
        let name = tensor.name.hasSuffix(Self.suffix) ? String(tensor.name.dropLast(Self.suffix.count)) : tensor.name
        guard let v = byName[name], graph[v].elementCount == tensor.elementCount else { return nil }
        return v
    }
}

extension Array where Element == UInt8 {
    /// The little-endian int32 at element `index` (bytes 4·index ..< 4·index+4).
    func int32(at index: Int) -> Int32 {
        Int32(bitPattern: UInt32(self[4 * index]) | UInt32(self[4 * index + 1]) << 8 | UInt32(self[4 * index + 2]) << 16 | UInt32(self[4 * index + 3]) << 24)
    }

    mutating func setInt32(_ value: Int32, at index: Int) {
        for b in 0..<4 { self[4 * index + b] = UInt8((UInt32(bitPattern: value) >> UInt32(8 * b)) & 0xff) }
    }
}

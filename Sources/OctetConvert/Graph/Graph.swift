/// The float IR every later stage reads: values (tensor edges) and nodes in execution order.
///
/// Shapes are *logical* (the ONNX shape, NCHW for images); `Value.layout` says how the
/// executor stores the elements. After `AssignChannelsLast` every image tensor a spatial op
/// touches is stored NHWC — that is Octet's internal layout.
public struct Graph: Sendable {
    public var values: [Value] = []
    public var nodes: [Node] = []
    /// Graph inputs, in the order the ONNX model declares them.
    public var inputs: [ValueID] = []
    /// Graph outputs, in the order the ONNX model declares them.
    public var outputs: [ValueID] = []
    /// Weights and other constants, by value.
    public var constants: [ValueID: Tensor] = [:]

    public init() {}

    public subscript(id: ValueID) -> Value {
        get { values[id.index] }
        set { values[id.index] = newValue }
    }

    /// Adds a value and returns its id.
    @discardableResult
    public mutating func addValue(name: String, shape: [Int], layout: Layout = .plain) -> ValueID {
        values.append(Value(name: name, shape: shape, layout: layout))
        return ValueID(values.count - 1)
    }

    /// Adds a constant value holding `tensor`.
    @discardableResult
    public mutating func addConstant(name: String, _ tensor: Tensor) -> ValueID {
        let id = addValue(name: name, shape: tensor.shape)
        constants[id] = tensor
        return id
    }

    public func isConstant(_ id: ValueID) -> Bool { constants[id] != nil }

    /// A value name not used yet, derived from `base`.
    public func uniqueName(_ base: String) -> String {
        let taken = Set(values.map(\.name))
        if !taken.contains(base) { return base }
        var i = 1
        while taken.contains("\(base)_\(i)") { i += 1 }
        return "\(base)_\(i)"
    }

    /// Nodes reading each value (by node index), for pattern matching.
    public func consumers() -> [ValueID: [Int]] {
        var result: [ValueID: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            for input in node.inputs { result[input, default: []].append(index) }
        }
        return result
    }

    /// The node producing each non-constant, non-input value.
    public func producers() -> [ValueID: Int] {
        var result: [ValueID: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs { result[output] = index }
        }
        return result
    }

    /// Drops constants and values nothing refers to any more and renumbers the rest.
    public mutating func compact() {
        var used = Set(inputs + outputs)
        for node in nodes { used.formUnion(node.inputs); used.formUnion(node.outputs) }
        var remap: [Int] = Array(repeating: -1, count: values.count)
        var kept: [Value] = []
        for (i, value) in values.enumerated() where used.contains(ValueID(i)) {
            remap[i] = kept.count
            kept.append(value)
        }
        func map(_ id: ValueID) -> ValueID { ValueID(remap[id.index]) }
        var newConstants: [ValueID: Tensor] = [:]
        for (id, tensor) in constants where remap[id.index] >= 0 { newConstants[map(id)] = tensor }
        values = kept
        constants = newConstants
        inputs = inputs.map(map)
        outputs = outputs.map(map)
        for i in nodes.indices {
            nodes[i].inputs = nodes[i].inputs.map(map)
            nodes[i].outputs = nodes[i].outputs.map(map)
        }
    }

    /// Replaces every use of `old` (node inputs and graph outputs) by `new`.
    public mutating func replaceUses(of old: ValueID, with new: ValueID) {
        for i in nodes.indices {
            nodes[i].inputs = nodes[i].inputs.map { $0 == old ? new : $0 }
        }
        outputs = outputs.map { $0 == old ? new : $0 }
    }
}

/// Index of a value in `Graph.values`.
public struct ValueID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
    public var description: String { "%\(index)" }
}

/// A tensor edge of the graph.
public struct Value: Sendable {
    /// The ONNX name (for messages, per-layer reports and output file names).
    public var name: String
    /// Logical shape (ONNX order). Batch is 1 inside the graph; the executor loops over items.
    public var shape: [Int]
    public var layout: Layout
    public var elementCount: Int { shape.reduce(1, *) }
}

/// How a value's elements are stored.
public enum Layout: Sendable, Equatable {
    /// Row-major in the logical shape.
    case plain
    /// Logical `[N, C, H, W]` stored as `[N, H, W, C]`.
    case channelsLast
}

/// One operation: typed parameters, input and output values.
public struct Node: Sendable {
    public var name: String
    public var op: Op
    public var inputs: [ValueID]
    public var outputs: [ValueID]
    public init(name: String, op: Op, inputs: [ValueID], outputs: [ValueID]) {
        self.name = name; self.op = op; self.inputs = inputs; self.outputs = outputs
    }
}

/// Typed access to a node's attributes; a wrong type is an `invalidNode` error naming the node.
struct ONNXAttributes {
    let node: String
    let opType: String
    private let byName: [String: Onnx_AttributeProto]

    init(_ proto: Onnx_NodeProto, name: String) {
        node = name
        opType = proto.opType
        byName = Dictionary(proto.attribute.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func has(_ name: String) -> Bool { byName[name] != nil }

    func int(_ name: String, default value: Int) throws -> Int {
        guard let a = byName[name] else { return value }
        guard a.type == .int || (a.type == .undefined && a.hasI) else { throw bad(name, "an int") }
        guard let v = Int(exactly: a.i) else { throw bad(name, "an int in range") }
        return v
    }

    func ints(_ name: String) throws -> [Int]? {
        guard let a = byName[name] else { return nil }
        guard a.type == .ints || a.type == .undefined else { throw bad(name, "a list of ints") }
        return try a.ints.map { v in
            guard v.magnitude < 1 << 40, let i = Int(exactly: v) else { throw bad(name, "ints in range") }
            return i
        }
    }

    func float(_ name: String, default value: Float) throws -> Float {
        guard let a = byName[name] else { return value }
        guard a.type == .float || (a.type == .undefined && a.hasF) else { throw bad(name, "a float") }
        return a.f
    }

    func floats(_ name: String) throws -> [Float]? {
        guard let a = byName[name] else { return nil }
        guard a.type == .floats || a.type == .undefined else { throw bad(name, "a list of floats") }
        return a.floats
    }

    func string(_ name: String, default value: String) throws -> String {
        guard let a = byName[name] else { return value }
        guard a.type == .string || (a.type == .undefined && a.hasS) else { throw bad(name, "a string") }
        return String(decoding: a.s, as: UTF8.self)
    }

    func tensor(_ name: String) -> Onnx_TensorProto? {
        guard let a = byName[name], a.type == .tensor || a.hasT else { return nil }
        return a.t
    }

    /// Fails when an attribute is present with a value other than the ones Octet implements.
    func require(_ name: String, in allowed: [Int], default value: Int) throws {
        let v = try int(name, default: value)
        guard allowed.contains(v) else {
            throw ConvertError.unsupported(node: node, opType: opType, what: "attribute \(name)=\(v)")
        }
    }

    private func bad(_ name: String, _ expected: String) -> ConvertError {
        ConvertError.invalidNode(node: node, opType: opType, what: "attribute '\(name)' must be \(expected)")
    }
}

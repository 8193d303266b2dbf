/// LRN import: attributes with ONNX's defaults (alpha 1e-4, beta 0.75, bias 1; size required).
/// The IR op is 4-D; an `[N,C]` or `[N,C,D1,…,Dk]` input is viewed as `[N,C,∏D,1]` around it
/// (LRN only mixes channels, so any grouping of the other axes gives the same values).
extension ImportContext {
    mutating func importLRN(_ node: ONNXNode) throws -> [Operand] {
        let a = node.attributes
        guard a.has("size") else { throw node.invalid("attribute 'size' is required") }
        let size = try a.int("size", default: 0)
        guard size >= 1, size <= Int(Int32.max) else { throw node.invalid("size \(size) must be in 1…\(Int32.max)") }
        let p = LRNParams(size: size, alpha: try a.float("alpha", default: 1e-4), beta: try a.float("beta", default: 0.75),
                          bias: try a.float("bias", default: 1))
        let x = try input(node, 0)
        let s = shape(x)
        guard s.count >= 2 else { throw node.invalid("input \(s) needs a channel axis (rank ≥ 2)") }
        guard s[1] <= Int(Int32.max) else { throw node.unsupported("\(s[1]) channels (at most \(Int32.max))") }
        if s.count == 4 { return try emit(node, .lrn(p), inputs: [x]) }
        let view = [s[0], s[1], s.dropFirst(2).reduce(1, *), 1]
        let flat = single(try emit(ONNXNode(proto: node.proto, name: node.name + ".as4d", opset: node.opset), .reshape(shape: view), inputs: [x]))
        let normalized = single(try emit(ONNXNode(proto: node.proto, name: node.name + ".lrn", opset: node.opset), .lrn(p), inputs: [flat]))
        return try emit(node, .reshape(shape: s), inputs: [normalized])
    }

    /// The graph value of a one-output `emit`.
    func single(_ operands: [Operand]) -> ValueID {
        guard operands.count == 1, case let .value(id) = operands[0] else { fatalError("emit returns one value per output") }
        return id
    }
}

/// Gemm, binary arithmetic (and Sum), activations and Softmax import.
extension ImportContext {
    /// Gemm: `alpha·op(A)·op(B) + beta·C`. A transposed A/B becomes an explicit Transpose node
    /// (folded away when B is a constant weight), so the IR op only sees `[M,K]·[K,N]`.
    mutating func importGemm(_ node: ONNXNode) throws -> [Operand] {
        let a = node.attributes
        var lhs = try input(node, 0), rhs = try input(node, 1)
        let c = try optionalInput(node, 2)
        guard shape(lhs).count == 2, shape(rhs).count == 2 else {
            throw node.invalid("A \(shape(lhs)) and B \(shape(rhs)) must be 2-D")
        }
        if try a.int("transA", default: 0) != 0 { lhs = try transposed2D(lhs, node: node) }
        if try a.int("transB", default: 0) != 0 { rhs = try transposed2D(rhs, node: node) }
        let p = FullyConnectedParams(alpha: try a.float("alpha", default: 1), beta: try a.float("beta", default: 1))
        return try emit(node, .fullyConnected(p), inputs: [lhs, rhs] + (c.map { [$0] } ?? []))
    }

    private mutating func transposed2D(_ id: ValueID, node: ONNXNode) throws -> ValueID {
        if let t = graph.constants[id] {
            return graph.addConstant(name: graph.uniqueName(graph[id].name + ".T"), t.transposed([1, 0]))
        }
        let sub = ONNXNode(proto: node.proto, name: node.name + ".transpose", opset: node.opset)
        guard case let .value(out) = try emit(sub, .transpose(perm: [1, 0]), inputs: [id])[0] else { fatalError() }
        return out
    }

    mutating func importBinary(_ node: ONNXNode) throws -> [Operand] {
        guard let op = BinaryOp(rawValue: node.opType) else { throw node.unsupported("binary op") }
        if node.opset < 7, node.attributes.has("broadcast") { throw node.unsupported("legacy broadcast attribute") }
        return try emit(node, .binary(op, activation: .none), inputs: [try input(node, 0), try input(node, 1)])
    }

    /// Sum (variadic, NumPy broadcasting): a left-to-right chain of binary Adds, so every later
    /// stage (fusion, int8 lowering) sees ordinary Adds; one input passes through unchanged.
    mutating func importSum(_ node: ONNXNode) throws -> [Operand] {
        guard node.inputCount >= 1 else { throw node.invalid("needs at least one input") }
        if node.inputCount == 1 { return [try requiredOperand(node, 0)] }
        var acc = try input(node, 0)
        for i in 1..<node.inputCount {
            let rhs = try input(node, i)
            let step = i == node.inputCount - 1 ? node : ONNXNode(proto: node.proto, name: "\(node.name).add\(i)", opset: node.opset)
            let out = try emit(step, .binary(.add, activation: .none), inputs: [acc, rhs])
            if i == node.inputCount - 1 { return out }
            acc = single(out)
        }
        fatalError("unreachable: the loop returns on its last input")
    }

    mutating func importUnary(_ node: ONNXNode) throws -> [Operand] {
        let a = node.attributes
        let op: UnaryOp
        switch node.opType {
        case "Relu": op = .relu
        case "Clip":
            var lo = -Float.infinity, hi = Float.infinity
            if node.opset < 11 {
                lo = try a.float("min", default: lo)
                hi = try a.float("max", default: hi)
            } else {
                if let t = try constantInput(node, 1, "min") { lo = t.floatTensor.data.first ?? lo }
                if let t = try constantInput(node, 2, "max") { hi = t.floatTensor.data.first ?? hi }
            }
            op = .clip(min: lo, max: hi)
        case "LeakyRelu": op = .leakyRelu(alpha: try a.float("alpha", default: 0.01))
        case "Sigmoid": op = .sigmoid
        case "HardSigmoid": op = .hardSigmoid(alpha: try a.float("alpha", default: 0.2), beta: try a.float("beta", default: 0.5))
        case "HardSwish": op = .hardSwish
        case "Tanh": op = .tanh
        default: throw node.unsupported("activation")
        }
        return try emit(node, .unary(op), inputs: [try input(node, 0)])
    }

    mutating func importSoftmax(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0)
        let rank = shape(x).count
        let legacy = node.opset < 13
        var axis = try node.attributes.int("axis", default: legacy ? 1 : -1)
        if axis < 0 { axis += rank }
        guard (0..<max(rank, 1)).contains(axis) else { throw node.invalid("axis \(axis) for rank \(rank)") }
        return try emit(node, .softmax(axis: axis, legacy: legacy), inputs: [x])
    }
}

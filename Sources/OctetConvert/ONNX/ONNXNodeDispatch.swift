/// Maps one ONNX node onto IR nodes (or host constants). Each case is findable by op name.
extension ImportContext {
    mutating func importNode(_ node: ONNXNode) throws -> [Operand] {
        // Shape arithmetic on constants is evaluated here, never emitted.
        if let folded = try foldOnHost(node) { return folded }
        switch node.opType {
        case "Conv": return try importConv(node)
        case "ConvTranspose": return try importConvTranspose(node)
        case "MaxPool", "AveragePool": return try importPool(node)
        case "GlobalAveragePool": return try emit(node, .globalAveragePool, inputs: [try input(node, 0)])
        case "GlobalMaxPool": return try emit(node, .globalMaxPool, inputs: [try input(node, 0)])
        case "BatchNormalization": return try importBatchNorm(node)
        case "Gemm": return try importGemm(node)
        case "MatMul": return try emit(node, .matMul, inputs: [try input(node, 0), try input(node, 1)])
        case "Add", "Sub", "Mul", "Div": return try importBinary(node)
        case "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh":
            return try importUnary(node)
        case "PRelu": return try emit(node, .prelu, inputs: [try input(node, 0), try input(node, 1)])
        case "Softmax": return try importSoftmax(node)
        case "Flatten", "Reshape", "Squeeze", "Unsqueeze": return try importReshape(node)
        case "Transpose": return try importTranspose(node)
        case "Concat": return try importConcat(node)
        case "Pad": return try importPad(node)
        case "Slice": return try importSlice(node)
        case "Resize", "Upsample": return try importResize(node)
        case "Identity": return [try requiredOperand(node, 0)]
        case "Dropout": return try importDropout(node)
        case "Sum": return try importSum(node)
        case "LRN": return try importLRN(node)
        case "Constant": return [.host(try constantNodeValue(node))]
        case "Shape": return [.host(try shapeOf(node))]
        default:
            throw node.unsupported("operator \(node.opType) is not implemented")
        }
    }

    func constantNodeValue(_ node: ONNXNode) throws -> HostTensor {
        let a = node.attributes
        if let t = a.tensor("value") { return try HostTensor(t, directory: directory, context: "node '\(node.name)'") }
        if a.has("value_float") { return .float(Tensor(shape: [], data: [try a.float("value_float", default: 0)])) }
        if let f = try a.floats("value_floats") { return .float(Tensor(shape: [f.count], data: f)) }
        if a.has("value_int") { return .int64(shape: [], data: [Int64(try a.int("value_int", default: 0))]) }
        if let i = try a.ints("value_ints") { return .int64(shape: [i.count], data: i.map { Int64($0) }) }
        throw node.unsupported("Constant without a tensor, float(s) or int(s) value")
    }

    func shapeOf(_ node: ONNXNode) throws -> HostTensor {
        let dims: [Int]
        switch try requiredOperand(node, 0) {
        case let .value(id): dims = shape(id)
        case let .host(t): dims = t.shape
        }
        let rank = dims.count
        func clampAxis(_ a: Int) -> Int { min(max(a < 0 ? a + rank : a, 0), rank) }
        let start = clampAxis(try node.attributes.int("start", default: 0))
        let end = clampAxis(try node.attributes.int("end", default: rank))
        let slice = start < end ? Array(dims[start..<end]) : []
        return .int64(shape: [slice.count], data: slice.map { Int64($0) })
    }
}

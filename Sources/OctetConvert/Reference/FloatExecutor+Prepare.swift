import OctetKernels

extension FloatExecutor {
    /// Returns the closure that executes `node` on the executor's buffers.
    func prepare(_ node: Node) throws -> () -> Void {
        switch node.op {
        case let .conv(p): return try prepareConv(node, p)
        case let .convTranspose(p): return try prepareConvTranspose(node, p)
        case let .fullyConnected(p): return try prepareFullyConnected(node, p)
        case .matMul: return try prepareMatMul(node)
        case let .maxPool(p): return try preparePool(node, p, isMax: true)
        case let .averagePool(p): return try preparePool(node, p, isMax: false)
        case .globalAveragePool: return try prepareGlobalPool(node, isMax: false)
        case .globalMaxPool: return try prepareGlobalPool(node, isMax: true)
        case let .channelAffine(activation): return prepareChannelAffine(node, activation)
        case let .binary(op, activation): return prepareBinary(node, op, activation)
        case let .unary(op): return prepareUnary(node, op)
        case .prelu: return preparePRelu(node)
        case let .softmax(axis, legacy): return try prepareSoftmax(node, axis: axis, legacy: legacy)
        case .reshape: return try prepareReshape(node)
        case let .transpose(perm): return prepareTranspose(node, perm)
        case .identity: return prepareTranspose(node, Array(0..<graph[node.inputs[0]].shape.count))
        case let .concat(axis): return prepareConcat(node, axis)
        case let .pad(pads, value, mode): return preparePad(node, pads, value, mode)
        case let .slice(p): return prepareSlice(node, p)
        case let .resize(p): return try prepareResize(node, p)
        case let .lrn(p): return try prepareLRN(node, p)
        }
    }

    func unsupported(_ node: Node, _ what: String) -> ConvertError {
        .unsupported(node: node.name, opType: node.op.name, what: what)
    }

    /// Fails unless `id` is stored as `layout` (the layout pass guarantees this).
    func require(_ id: ValueID, _ layout: Layout, _ node: Node) throws {
        guard graph[id].layout == layout else {
            throw ConvertError.invalidNode(node: node.name, opType: node.op.name,
                                           what: "value '\(graph[id].name)' must be stored \(layout) (run the layout pass first)")
        }
    }

    /// Copies `src` into `dst` over the logical shape `shape`, iterating in `dst`'s storage order.
    /// Axes are merged where both sides allow; a copy that is then a 2-D transpose (e.g. NCHW →
    /// NHWC) runs the blocked transpose.
    func stridedCopy(shape: [Int], src: UnsafePointer<Float>, srcStrides: [Int], dst: UnsafeMutablePointer<Float>, dstStrides: [Int]) {
        let order = orderByDescendingStride(dstStrides, shape: shape)
        let (s, st) = collapseAxes(order.map { shape[$0] }, [order.map { srcStrides[$0] }, order.map { dstStrides[$0] }])
        let a = st[0], b = st[1]
        if s.count == 2 && a[0] == 1 && b[1] == 1 && a[1] > 0 && b[0] > 0 {
            // dst[i·b0 + j] = src[i + j·a1]: rows j of src are contiguous along i.
            octk_f32_transpose(s[1], s[0], src, a[1], dst, b[0])
            return
        }
        octk_f32_strided_copy(Int32(s.count), s, src, a, dst, b)
    }

    /// Drops axes of size 1 and merges each axis into the one outside it wherever every operand's
    /// strides allow (outer stride = inner stride · inner size): fewer, longer loops. Shapes
    /// with a zero extent come back unchanged.
    func collapseAxes(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        guard !shape.contains(0) else { return (shape, strides) }
        var outShape: [Int] = [], outStrides = [[Int]](repeating: [], count: strides.count)
        for d in shape.indices where shape[d] != 1 {
            if !outShape.isEmpty && strides.indices.allSatisfy({ strides[$0][d] * shape[d] == outStrides[$0].last! }) {
                outShape[outShape.count - 1] *= shape[d]
                for k in strides.indices { outStrides[k][outStrides[k].count - 1] = strides[k][d] }
            } else {
                outShape.append(shape[d])
                for k in strides.indices { outStrides[k].append(strides[k][d]) }
            }
        }
        return (outShape, outStrides)
    }

    /// Axis order with the largest destination stride first (storage order of a dense tensor).
    func orderByDescendingStride(_ strides: [Int], shape: [Int]) -> [Int] {
        Array(0..<strides.count).sorted { (strides[$0], shape[$1]) > (strides[$1], shape[$0]) }
    }
}

extension Activation {
    /// Clamp bounds of the activation (±∞ for none).
    var bounds: (lo: Float, hi: Float) {
        switch self {
        case .none: return (-.infinity, .infinity)
        case .relu: return (0, .infinity)
        case let .clip(lo, hi): return (lo, hi)
        }
    }
}

extension Op {
    /// Short name for messages and reports.
    public var name: String {
        switch self {
        case .conv(let p): return p.groups > 1 ? "Conv(groups=\(p.groups))" : "Conv"
        case .convTranspose: return "ConvTranspose"
        case .fullyConnected: return "FullyConnected"
        case .matMul: return "MatMul"
        case .maxPool: return "MaxPool"
        case .averagePool: return "AveragePool"
        case .globalAveragePool: return "GlobalAveragePool"
        case .globalMaxPool: return "GlobalMaxPool"
        case .channelAffine: return "ChannelAffine"
        case let .binary(op, _): return op.rawValue
        case let .unary(op): return "\(op)".split(separator: "(").first.map(String.init) ?? "Unary"
        case .prelu: return "PRelu"
        case .softmax: return "Softmax"
        case .reshape: return "Reshape"
        case .transpose: return "Transpose"
        case .concat: return "Concat"
        case .pad: return "Pad"
        case .slice: return "Slice"
        case .resize: return "Resize"
        case .lrn: return "LRN"
        case .identity: return "Identity"
        }
    }
}

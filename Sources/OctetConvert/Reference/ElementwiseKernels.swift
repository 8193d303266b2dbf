import Foundation
import OctetKernels

/// Binary arithmetic with broadcasting, activations, PRelu, per-channel affine and Softmax.
/// These work on any storage layout: operands are addressed by logical strides.
extension FloatExecutor {
    func prepareBinary(_ node: Node, _ op: BinaryOp, _ activation: Activation) -> () -> Void {
        let y = node.outputs[0], shape = graph[y].shape
        let a = node.inputs[0], b = node.inputs[1]
        let sa = StorageLayout.broadcastStrides(graph[a], to: shape)
        let sb = StorageLayout.broadcastStrides(graph[b], to: shape)
        let sy = StorageLayout.strides(graph[y])
        let order = orderByDescendingStride(sy, shape: shape)
        let dims = order.map { shape[$0] }, pa = order.map { sa[$0] }, pb = order.map { sb[$0] }, py = order.map { sy[$0] }
        let code: octk_binary_op
        switch op {
        case .add: code = OCTK_BINARY_ADD
        case .sub: code = OCTK_BINARY_SUB
        case .mul: code = OCTK_BINARY_MUL
        case .div: code = OCTK_BINARY_DIV
        }
        let (lo, hi) = activation.bounds
        let lhs = pointer(a), rhs = pointer(b), out = pointer(y)
        let (cs, cst) = collapseAxes(dims, [pa, pb, py])
        if let path = fastPath, cs.count == 1, cst.allSatisfy({ $0[0] == 1 }) {
            // Same-shape operands stored alike: one contiguous run, split over the pool.
            let count = cs[0]
            return { [unowned self] in octk_f32_binary_run(self.pool, path, code, count, lhs, rhs, out, lo, hi) }
        }
        return { octk_f32_binary_strided(code, Int32(dims.count), dims, lhs, pa, rhs, pb, out, py, lo, hi) }
    }

    func prepareUnary(_ node: Node, _ op: UnaryOp) -> () -> Void {
        let count = graph[node.outputs[0]].elementCount
        let x = pointer(node.inputs[0]), y = pointer(node.outputs[0])
        let f: (Float) -> Float
        switch op {
        case .relu: f = { $0 > 0 ? $0 : 0 }
        case let .clip(lo, hi): f = { Swift.min(Swift.max($0, lo), hi) }
        case let .leakyRelu(alpha): f = { $0 >= 0 ? $0 : alpha * $0 }
        case .sigmoid: f = { 1 / (1 + Foundation.exp(-$0)) }
        case let .hardSigmoid(alpha, beta): f = { Swift.max(0, Swift.min(1, alpha * $0 + beta)) }
        case .hardSwish: f = { $0 * Swift.max(0, Swift.min(1, $0 / 6 + 0.5)) }
        case .tanh: f = { Foundation.tanh($0) }
        }
        return { for i in 0..<count { y[i] = f(x[i]) } }
    }

    func preparePRelu(_ node: Node) -> () -> Void {
        let y = node.outputs[0], shape = graph[y].shape
        let x = pointer(node.inputs[0]), slope = pointer(node.inputs[1]), out = pointer(y)
        // Input and output share storage layout; the slope is addressed by broadcast strides.
        let slopeStrides = StorageLayout.broadcastStrides(graph[node.inputs[1]], to: shape)
        let count = graph[y].elementCount
        let order = StorageLayout.storedOrder(graph[y])
        return { [unowned self] in
            _ = self
            var index = [Int](repeating: 0, count: shape.count)
            for i in 0..<count {
                var off = 0
                for d in 0..<shape.count { off += index[d] * slopeStrides[d] }
                let v = x[i]
                out[i] = v >= 0 ? v : v * slope[off]
                var p = order.count - 1
                while p >= 0 {
                    let axis = order[p]
                    index[axis] += 1
                    if index[axis] < shape[axis] { break }
                    index[axis] = 0
                    p -= 1
                }
            }
        }
    }

    func prepareChannelAffine(_ node: Node, _ activation: Activation) -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        let v = graph[x]
        let channels = v.shape[1]
        let channelStride = StorageLayout.strides(v)[1]
        let count = v.elementCount
        let input = pointer(x), out = pointer(y)
        let scale = pointer(node.inputs[1]), shift = pointer(node.inputs[2])
        let (lo, hi) = activation.bounds
        precondition(graph[y].layout == v.layout, "ChannelAffine keeps its input layout")
        return {
            for i in 0..<count {
                let c = (i / channelStride) % channels
                out[i] = Swift.min(Swift.max(input[i] * scale[c] + shift[c], lo), hi)
            }
        }
    }

    /// Softmax with max subtraction, accumulated in Double.
    func prepareSoftmax(_ node: Node, axis: Int, legacy: Bool) throws -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        let v = graph[x]
        let input = pointer(x), out = pointer(y)
        let shape = v.shape
        if legacy {
            try require(x, .plain, node)
            try require(y, .plain, node)
            let rows = shape[..<axis].reduce(1, *), cols = shape[axis...].reduce(1, *)
            return { for r in 0..<rows { softmax(input + r * cols, out + r * cols, cols, 1) } }
        }
        precondition(graph[y].layout == v.layout, "Softmax keeps its input layout")
        let strides = StorageLayout.strides(v)
        let length = shape.isEmpty ? 1 : shape[axis], step = shape.isEmpty ? 1 : strides[axis]
        // Every position with index 0 on `axis` starts one softmax row.
        var starts: [Int] = []
        var index = [Int](repeating: 0, count: shape.count)
        let outer = shape.isEmpty ? 1 : v.elementCount / length
        for _ in 0..<outer {
            starts.append(zip(index, strides).map(*).reduce(0, +))
            var d = shape.count - 1
            while d >= 0 {
                if d == axis { d -= 1; continue }
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return { for s in starts { softmax(input + s, out + s, length, step) } }
    }
}

private func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ stride: Int) {
    var maxValue = -Float.infinity
    for i in 0..<n { maxValue = max(maxValue, x[i * stride]) }
    var sum = 0.0
    for i in 0..<n {
        let e = Foundation.exp(x[i * stride] - maxValue)
        y[i * stride] = e
        sum += Double(e)
    }
    let inv = Float(1 / sum)
    for i in 0..<n { y[i * stride] *= inv }
}

import COpenBLAS
import OctetKernels

/// Fully connected (Gemm) and MatMul on plain row-major storage via `cblas_sgemm` (fully
/// connected layers with constant weights on the fast kernels where the CPU has them).
extension FloatExecutor {
    func prepareFullyConnected(_ node: Node, _ p: FullyConnectedParams) throws -> () -> Void {
        for id in node.inputs + node.outputs { try require(id, .plain, node) }
        if let fast = prepareFastFullyConnected(node, p) { return fast }
        let a = node.inputs[0], b = node.inputs[1], y = node.outputs[0]
        let m = graph[a].shape[0], k = graph[a].shape[1], n = graph[b].shape[1]
        let out = pointer(y), lhs = pointer(a), rhs = pointer(b)
        let (lo, hi) = p.activation.bounds
        var fillC: (() -> Void)? = nil
        if node.inputs.count > 2 {
            let c = node.inputs[2]
            let shape = [m, n]
            let src = pointer(c), srcStrides = StorageLayout.broadcastStrides(graph[c], to: shape)
            let beta = p.beta
            fillC = { [unowned self] in
                self.stridedCopy(shape: shape, src: src, srcStrides: srcStrides, dst: out, dstStrides: [n, 1])
                if beta != 1 { for i in 0..<(m * n) { out[i] *= beta } }
            }
        }
        let alpha = p.alpha
        return {
            fillC?()
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha,
                        lhs, Int32(k), rhs, Int32(n), fillC == nil ? 0 : 1, out, Int32(n))
            if lo > -.infinity || hi < .infinity { octk_f32_bias_act(out, m, n, n, nil, lo, hi) }
        }
    }

    /// NumPy matmul: 1-D operands are promoted, leading axes broadcast.
    func prepareMatMul(_ node: Node) throws -> () -> Void {
        for id in node.inputs + node.outputs { try require(id, .plain, node) }
        var sa = graph[node.inputs[0]].shape, sb = graph[node.inputs[1]].shape
        if sa.count == 1 { sa = [1] + sa }
        if sb.count == 1 { sb = sb + [1] }
        let m = sa[sa.count - 2], k = sa[sa.count - 1], n = sb[sb.count - 1]
        let batchShape = try ShapeInference.broadcast(Array(sa.dropLast(2)), Array(sb.dropLast(2)), node: node.name, opType: "MatMul")
        func batchStrides(_ s: [Int]) -> [Int] {
            let lead = Array(s.dropLast(2))
            let own = Tensor.strides(of: lead).map { $0 * s[s.count - 2] * s[s.count - 1] }
            let pad = batchShape.count - lead.count
            return (0..<batchShape.count).map { i in i < pad || lead[i - pad] == 1 ? 0 : own[i - pad] }
        }
        let aStrides = batchStrides(sa), bStrides = batchStrides(sb)
        let batches = batchShape.reduce(1, *)
        let lhs = pointer(node.inputs[0]), rhs = pointer(node.inputs[1]), out = pointer(node.outputs[0])
        return {
            var index = [Int](repeating: 0, count: batchShape.count)
            for bIndex in 0..<batches {
                var offA = 0, offB = 0
                for d in 0..<index.count { offA += index[d] * aStrides[d]; offB += index[d] * bStrides[d] }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                            lhs + offA, Int32(k), rhs + offB, Int32(n), 0, out + bIndex * m * n, Int32(n))
                Tensor.advance(&index, within: batchShape)
            }
        }
    }
}

import OctetKernels

/// Reshape, Transpose, Concat, Pad and Slice: strided copies between storage layouts.
extension FloatExecutor {
    func prepareReshape(_ node: Node) throws -> () -> Void {
        try require(node.inputs[0], .plain, node)
        try require(node.outputs[0], .plain, node)
        let x = pointer(node.inputs[0]), y = pointer(node.outputs[0])
        let count = graph[node.outputs[0]].elementCount
        return { y.update(from: x, count: count) }
    }

    /// `y[i] = x[perm-mapped i]`; also converts between layouts (Identity, perm = identity).
    func prepareTranspose(_ node: Node, _ perm: [Int]) -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        let inStrides = StorageLayout.strides(graph[x])
        let srcStrides = perm.map { inStrides[$0] }
        let dstStrides = StorageLayout.strides(graph[y]), shape = graph[y].shape
        let src = pointer(x), dst = pointer(y)
        return { [unowned self] in self.stridedCopy(shape: shape, src: src, srcStrides: srcStrides, dst: dst, dstStrides: dstStrides) }
    }

    func prepareConcat(_ node: Node, _ axis: Int) -> () -> Void {
        let y = node.outputs[0]
        let dstStrides = StorageLayout.strides(graph[y])
        var copies: [(shape: [Int], src: UnsafeMutablePointer<Float>, srcStrides: [Int], dst: UnsafeMutablePointer<Float>)] = []
        var offset = 0
        for input in node.inputs {
            let shape = graph[input].shape
            copies.append((shape, pointer(input), StorageLayout.strides(graph[input]), pointer(y) + offset * dstStrides[axis]))
            offset += shape[axis]
        }
        return { [unowned self] in
            for c in copies { self.stridedCopy(shape: c.shape, src: c.src, srcStrides: c.srcStrides, dst: c.dst, dstStrides: dstStrides) }
        }
    }

    func prepareSlice(_ node: Node, _ p: SliceParams) -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        let inStrides = StorageLayout.strides(graph[x])
        let base = zip(p.starts, inStrides).map(*).reduce(0, +)
        let srcStrides = zip(p.steps, inStrides).map(*)
        let dstStrides = StorageLayout.strides(graph[y]), shape = graph[y].shape
        let src = pointer(x) + base, dst = pointer(y)
        return { [unowned self] in self.stridedCopy(shape: shape, src: src, srcStrides: srcStrides, dst: dst, dstStrides: dstStrides) }
    }

    /// Constant padding is a fill plus a copy of the kept part; reflect/edge pick a source
    /// index per output index (negative pads crop).
    func preparePad(_ node: Node, _ pads: [Int], _ value: Float, _ mode: PadMode) -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        let xs = graph[x].shape, ys = graph[y].shape, rank = xs.count
        let inStrides = StorageLayout.strides(graph[x]), outStrides = StorageLayout.strides(graph[y])
        let src = pointer(x), dst = pointer(y), count = graph[y].elementCount
        if mode == .constant {
            // Kept region: input [max(0,-b), xs - max(0,-e)) lands at output max(0,b).
            var shape: [Int] = [], srcOff = 0, dstOff = 0
            for d in 0..<rank {
                let b = pads[d], e = pads[d + rank]
                let from = max(0, -b), to = xs[d] - max(0, -e)
                shape.append(max(0, to - from))
                srcOff += from * inStrides[d]
                dstOff += max(0, b) * outStrides[d]
            }
            return { [unowned self] in
                dst.update(repeating: value, count: count)
                if shape.allSatisfy({ $0 > 0 }) {
                    self.stridedCopy(shape: shape, src: src + srcOff, srcStrides: inStrides, dst: dst + dstOff, dstStrides: outStrides)
                }
            }
        }
        // Per-axis source index tables for reflect/edge.
        let tables: [[Int]] = (0..<rank).map { d in
            (0..<ys[d]).map { o in
                var i = o - pads[d]
                let n = xs[d]
                if mode == .edge { return min(max(i, 0), n - 1) }
                if n == 1 { return 0 }
                let period = 2 * (n - 1)
                i = ((i % period) + period) % period
                return i < n ? i : period - i
            }
        }
        return {
            var index = [Int](repeating: 0, count: rank)
            for _ in 0..<count {
                var s = 0, t = 0
                for d in 0..<rank { s += tables[d][index[d]] * inStrides[d]; t += index[d] * outStrides[d] }
                dst[t] = src[s]
                Tensor.advance(&index, within: ys)
            }
        }
    }
}

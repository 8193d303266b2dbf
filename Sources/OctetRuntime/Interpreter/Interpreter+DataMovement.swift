import OctetKernels

/// Concat, Transpose, Pad and Slice as int8 strided copies (storage axes).
extension Interpreter {
    func prepareConcat(_ op: OpDescription) -> () -> Void {
        let y = op.outputs[0], axis = Int(op.params[0])
        let ys = tensors[y].shape, dstStrides = rowMajorStrides(ys)
        var copies: [ConcatPart] = []
        var offset = 0
        for t in op.inputs {
            let s = tensors[t].shape
            copies.append(ConcatPart(shape: s, src: UnsafePointer(int8(t)), srcStrides: rowMajorStrides(s), dst: int8(y) + offset * dstStrides[axis]))
            offset += s[axis]
        }
        // Indexed loop over the buffer: a `for c in copies` loop allocates in debug builds.
        return {
            copies.withUnsafeBufferPointer { parts in
                var i = 0
                while i < parts.count {
                    let c = parts[i]
                    octk_s8_strided_copy(Int32(c.shape.count), c.shape, c.src, c.srcStrides, c.dst, dstStrides)
                    i += 1
                }
            }
        }
    }

    func prepareTranspose(_ op: OpDescription) throws -> () -> Void {
        let x = op.inputs[0], y = op.outputs[0]
        if let (batches, rows, cols) = axisRotation(op.params.map { Int($0) }, shape: tensors[x].shape) {
            let src = UnsafePointer(int8(x)), dst = int8(y)
            guard batches == 1, worthSplitting(work: rows * cols * 4) else {
                return { octk_s8_transpose_2d(batches, rows, cols, src, dst) }
            }
            let job = try allocateOwned(bytes: MemoryLayout<octk_s8_transpose_job>.size).bindMemory(to: octk_s8_transpose_job.self, capacity: 1)
            job.initialize(to: octk_s8_transpose_job(rows: rows, cols: cols, x: src, y: dst))
            let pool = self.pool
            return { octk_pool_run(pool, octk_s8_transpose_job_run, job, cols, 64) }
        }
        let inStrides = rowMajorStrides(tensors[x].shape)
        let srcStrides = op.params.map { inStrides[Int($0)] }
        let shape = tensors[y].shape, dstStrides = rowMajorStrides(shape)
        let src = UnsafePointer(int8(x)), dst = int8(y)
        return { octk_s8_strided_copy(Int32(shape.count), shape, src, srcStrides, dst, dstStrides) }
    }

    /// A permutation that keeps axis 0 and rotates the others, (0, k, …, r−1, 1, …, k−1) as
    /// NCHW → NHWC is, is a 2-D transpose per batch: [batches][rows][cols] → [batches][cols][rows].
    func axisRotation(_ perm: [Int], shape: [Int]) -> (Int, Int, Int)? {
        let rank = perm.count
        guard rank >= 3, perm[0] == 0, let k = perm.dropFirst().first, k > 1 else { return nil }
        for i in 1..<rank where perm[i] != (i - 1 + k - 1) % (rank - 1) + 1 { return nil }
        return (shape[0], shape[1..<k].reduce(1, *), shape[k...].reduce(1, *))
    }

    func prepareSlice(_ op: OpDescription) -> () -> Void {
        let x = op.inputs[0], y = op.outputs[0], rank = tensors[x].shape.count
        let inStrides = rowMajorStrides(tensors[x].shape)
        let base = (0..<rank).map { Int(op.params[$0]) * inStrides[$0] }.reduce(0, +)
        let srcStrides = (0..<rank).map { Int(op.params[rank + $0]) * inStrides[$0] }
        let shape = tensors[y].shape, dstStrides = rowMajorStrides(shape)
        let src = UnsafePointer(int8(x)) + base, dst = int8(y)
        return { octk_s8_strided_copy(Int32(rank), shape, src, srcStrides, dst, dstStrides) }
    }

    /// Fill with the zero point (real 0), then copy the input into the interior.
    func preparePad(_ op: OpDescription) -> () -> Void {
        let x = op.inputs[0], y = op.outputs[0], rank = tensors[x].shape.count
        let shape = tensors[x].shape, outStrides = rowMajorStrides(tensors[y].shape)
        let offset = (0..<rank).map { Int(op.params[$0]) * outStrides[$0] }.reduce(0, +)
        let src = UnsafePointer(int8(x)), dst = int8(y), count = tensors[y].elementCount
        let srcStrides = rowMajorStrides(shape), z = Int8(truncatingIfNeeded: zeroPoint(y))
        return {
            dst.update(repeating: z, count: count)
            octk_s8_strided_copy(Int32(rank), shape, src, srcStrides, dst + offset, outStrides)
        }
    }
}

/// One Concat input: its shape and strides, and where it lands in the output.
struct ConcatPart {
    let shape: [Int]
    let src: UnsafePointer<Int8>
    let srcStrides: [Int]
    let dst: UnsafeMutablePointer<Int8>
}

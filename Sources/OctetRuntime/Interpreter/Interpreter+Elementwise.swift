import OctetKernels

/// Add/Mul with broadcasting, quantize, softmax.
extension Interpreter {
    /// Storage strides of `t` broadcast to `shape` (0 where `t` has extent 1).
    func broadcastStrides(_ t: Int, to shape: [Int]) -> [Int] {
        let s = tensors[t].shape, strides = rowMajorStrides(s)
        return (0..<shape.count).map { s[$0] == 1 && shape[$0] != 1 ? 0 : strides[$0] }
    }

    func prepareBinary(_ op: OpDescription) throws -> () -> Void {
        let a = op.inputs[0], b = op.inputs[1], y = op.outputs[0]
        let shape = tensors[y].shape
        let sa = broadcastStrides(a, to: shape), sb = broadcastStrides(b, to: shape), sy = rowMajorStrides(shape)
        let pa = UnsafePointer(int8(a)), pb = UnsafePointer(int8(b)), py = int8(y), rank = Int32(shape.count)
        let p = op.params
        if op.code == .add {
            var params = octk_qs8_add_params(a_zero_point: zeroPoint(a), b_zero_point: zeroPoint(b), output_zero_point: zeroPoint(y),
                                             left_shift: p[0], a_multiplier: p[1], a_shift: p[2], b_multiplier: p[3], b_shift: p[4],
                                             output_multiplier: p[5], output_shift: p[6], lo: p[7], hi: p[8])
            // Same-shape contiguous operands (residual adds) take the path's vector kernel.
            if let add = kernels.igemm?.add, tensors[a].shape == shape, tensors[b].shape == shape {
                let count = tensors[y].elementCount
                let stored = try allocateOwned(bytes: MemoryLayout<octk_qs8_add_params>.size).bindMemory(to: octk_qs8_add_params.self, capacity: 1)
                stored.initialize(to: params)
                let job = try allocateOwned(bytes: MemoryLayout<octk_qs8_add_job>.size).bindMemory(to: octk_qs8_add_job.self, capacity: 1)
                job.initialize(to: octk_qs8_add_job(fn: add, a: pa, b: pb, y: py, params: stored))
                let pool = worthSplitting(work: count * 8) ? self.pool : nil
                return { octk_pool_run(pool, octk_qs8_add_job_run, job, count, 256) }
            }
            return { octk_qs8_add_strided__reference(rank, shape, pa, sa, pb, sb, py, sy, &params) }
        }
        var params = octk_qs8_mul_params(a_zero_point: zeroPoint(a), b_zero_point: zeroPoint(b), output_zero_point: zeroPoint(y),
                                         multiplier: p[0], shift: p[1], lo: p[2], hi: p[3])
        return { octk_qs8_mul_strided__reference(rank, shape, pa, sa, pb, sb, py, sy, &params) }
    }

    func prepareQuantize(_ op: OpDescription) throws -> () -> Void {
        let xt = op.inputs[0], yt = op.outputs[0], count = tensors[xt].elementCount
        let y = int8(yt), zo = zeroPoint(yt)
        if tensors[xt].type == .uint8 {
            let x = UnsafePointer(address(xt).assumingMemoryBound(to: UInt8.self)), zi = zeroPoint(xt)
            let (m, s) = Requantization.quantizeMultiplier(Double(scale(xt)) / Double(scale(yt)))
            return { octk_qs8_quantize_u8__reference(x, count, zi, zo, m, s, y) }
        }
        let x = UnsafePointer(float(xt)), s = scale(yt)
        if let quantize = kernels.igemm?.quantize {
            guard worthSplitting(work: count * 8) else { return { quantize(x, count, s, zo, y) } }
            let job = try allocateOwned(bytes: MemoryLayout<octk_qs8_quantize_job>.size).bindMemory(to: octk_qs8_quantize_job.self, capacity: 1)
            job.initialize(to: octk_qs8_quantize_job(fn: quantize, x: x, scale: s, zero_point: zo, y: y))
            let pool = self.pool
            return { octk_pool_run(pool, octk_qs8_quantize_job_run, job, count, 64) }
        }
        return { octk_qs8_quantize_f32__reference(x, count, s, zo, y) }
    }

    /// A 3-channel f32 NCHW input's Quantize and the Transpose to NHWC right after it, as one
    /// step that writes both outputs (the Transpose's step then does nothing). The Transpose's
    /// output is written one op early, so it must not share bytes with the Quantize's input,
    /// the only tensor whose life ends at this op.
    func prepareQuantizeTranspose(_ op: OpDescription, index: Int) throws -> (() -> Void)? {
        let ops = model.description.ops
        guard op.code == .quantize, let kernel = kernels.igemm?.quantize_nchw3, index + 1 < ops.count else { return nil }
        let next = ops[index + 1], xt = op.inputs[0], qt = op.outputs[0]
        let shape = tensors[qt].shape
        guard next.code == .transpose, next.inputs == [qt], next.params == [0, 2, 3, 1], tensors[xt].type == .float32,
              shape.count == 4, shape[0] == 1, shape[1] == 3 else { return nil }
        let yt = next.outputs[0]
        func range(_ t: Int) -> Range<Int> { tensors[t].arenaOffset..<(tensors[t].arenaOffset + tensors[t].byteCount) }
        guard [xt, qt, yt].allSatisfy({ tensors[$0].storage == .arena }), !range(yt).overlaps(range(xt)),
              !range(yt).overlaps(range(qt)) else { return nil }
        let plane = shape[2] * shape[3]
        let job = try allocateOwned(bytes: MemoryLayout<octk_qs8_quantize_nchw3_job>.size)
            .bindMemory(to: octk_qs8_quantize_nchw3_job.self, capacity: 1)
        job.initialize(to: octk_qs8_quantize_nchw3_job(fn: kernel, x: UnsafePointer(float(xt)), plane: plane, scale: scale(qt),
                                                       zero_point: zeroPoint(qt), nchw: int8(qt), nhwc: int8(yt)))
        let pool = worthSplitting(work: plane * 3 * 8) ? self.pool : nil
        return { octk_pool_run(pool, octk_qs8_quantize_nchw3_job_run, job, plane, 16) }
    }

    func prepareSoftmax(_ op: OpDescription) -> () -> Void {
        let shape = tensors[op.inputs[0]].shape, axis = Int(op.params[0])
        let strides = rowMajorStrides(shape)
        let length = shape.isEmpty ? 1 : shape[axis], step = shape.isEmpty ? 1 : strides[axis]
        var starts: [Int] = []
        let total = shape.reduce(1, *)
        for i in 0..<total where shape.isEmpty || (i / step) % length == 0 { starts.append(i) }
        let x = UnsafePointer(float(op.inputs[0])), y = float(op.outputs[0])
        return { octk_f32_softmax_strided(x, y, starts, starts.count, length, step) }
    }
}

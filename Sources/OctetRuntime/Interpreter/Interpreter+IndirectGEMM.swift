import OctetKernels

extension Interpreter {
    /// Whether op `op` (Conv2D or FullyConnected) can run on the packed indirect-GEMM kernels:
    /// its input must live in the arena (the kernels may read up to 15 bytes past it, into the slack).
    func runsOnIndirectGEMM(_ op: OpDescription) -> Bool {
        guard kernels.igemm != nil, tensors[op.inputs[0]].storage == .arena else { return false }
        return op.code != .depthwiseConv2D || op.params[10] > 1
    }

    /// Conv2D, FullyConnected or a depthwise conv with channel multiplier m > 1 on the packed
    /// indirect-GEMM kernel. Weights are packed and the indirection buffer (one input-row address
    /// per output pixel and tap) is built here, once. A fully-connected layer is a 1×1 conv over
    /// its M rows of K channels; a depthwise conv with multiplier m is a grouped conv with one
    /// input channel and m output channels per group (same sums, so the same bytes).
    func prepareIndirectGEMM(_ op: OpDescription) throws -> () -> Void {
        let path = kernels.igemm!, kernel = path.fn!
        let xt = op.inputs[0], yt = op.outputs[0]
        let xs = tensors[xt].shape, ys = tensors[yt].shape, ws = tensors[op.inputs[1]].shape
        let fc = op.code == .fullyConnected, depthwise = op.code == .depthwiseConv2D
        let groups = fc ? 1 : (depthwise ? xs[3] : Int(op.params[10]))
        var taps = fc ? 1 : ws[1] * ws[2]
        var cg = fc ? xs[1] : (depthwise ? 1 : ws[3])
        let og = fc ? ws[0] : (depthwise ? Int(op.params[10]) : ws[0] / groups)
        // Reference conv layout [O][kH][kW][cg] (depthwise weights are [1][kH][kW][C·m]).
        let weights = UnsafePointer(int8(op.inputs[1]))
        var relaid: [Int8] = []
        if depthwise {
            let outChannels = groups * og
            relaid = [Int8](repeating: 0, count: outChannels * taps)
            for t in 0..<taps { for o in 0..<outChannels { relaid[o * taps + t] = weights[t * outChannels + o] } }
        }
        let rows = fc || depthwise ? nil : RowMergedInput(op.params, input: xs, output: ys, groups: groups)
        if let rows {
            // Same weights, seen as a kH × 1 kernel over kW·C channels: [O][kH][kW][C] is already
            // [O][kH][1][kW·C] in memory.
            taps = Int(op.params[0])
            cg = rows.rowBytes
        }
        let lo = fc ? op.params[0] : op.params[11], hi = fc ? op.params[1] : op.params[12]  // same slots for depthwise
        var q = octk_qs8_requant(bias: int32(op.inputs[2]), multiplier: int32(op.inputs[3]), shift: int32(op.inputs[4]),
                                 input_zero_point: zeroPoint(xt), output_zero_point: zeroPoint(yt), lo: lo, hi: hi)

        let bytes = path.conv_packed_bytes!(Int32(groups), Int32(taps), Int32(cg), Int32(og))
        let storage = try allocateOwned(bytes: bytes)
        packedWeightBytes += bytes
        let packed = try allocateOwned(bytes: MemoryLayout<octk_qs8_conv_packed>.size).bindMemory(to: octk_qs8_conv_packed.self, capacity: 1)
        relaid.withUnsafeBufferPointer { t in
            let source = depthwise ? t.baseAddress! : weights
            path.conv_pack!(source, &q, Int32(groups), Int32(taps), Int32(cg), Int32(og), storage, packed)
        }

        let x = UnsafePointer(int8(xt)), y = int8(yt)
        let pixels = fc ? xs[0] : ys[0] * ys[1] * ys[2]
        let ind: UnsafeMutablePointer<UnsafePointer<Int8>?>
        var padInput: (() -> Void)? = nil
        if fc {
            ind = try allocateOwned(bytes: max(pixels, 1) * MemoryLayout<UnsafePointer<Int8>>.stride)
                .bindMemory(to: UnsafePointer<Int8>?.self, capacity: max(pixels, 1))
            indirectionBytes += max(pixels, 1) * MemoryLayout<UnsafePointer<Int8>>.stride
            for m in 0..<pixels { ind[m] = x + m * cg }
        } else if let rows {
            let padded = try allocateOwned(bytes: rows.bytes).assumingMemoryBound(to: Int8.self)
            padded.initialize(repeating: Int8(truncatingIfNeeded: zeroPoint(xt)), count: rows.bytes)
            ind = try allocateOwned(bytes: pixels * taps * MemoryLayout<UnsafePointer<Int8>>.stride)
                .bindMemory(to: UnsafePointer<Int8>?.self, capacity: pixels * taps)
            indirectionBytes += pixels * taps * MemoryLayout<UnsafePointer<Int8>>.stride
            var win = rows.window
            octk_qs8_conv_indirection(padded, Int32(xs[3]), &win, packed.pointee.zero, ind)
            padInput = { rows.copyInterior(from: x, to: padded) }
        } else {
            ind = try indirection(op, input: xs, output: ys, taps: taps, zero: packed.pointee.zero)
        }
        let job = try allocateOwned(bytes: MemoryLayout<octk_qs8_igemm_job>.size).bindMemory(to: octk_qs8_igemm_job.self, capacity: 1)
        job.initialize(to: octk_qs8_igemm_job(fn: kernel, packed: packed, ind: ind, output_zero_point: zeroPoint(yt), lo: lo, hi: hi, y: y))
        let pool = worthSplitting(work: pixels * groups * og * taps * cg) ? self.pool : nil
        let tile = Int(path.mr)
        if let padInput {
            return {
                padInput()
                octk_pool_run(pool, octk_qs8_igemm_job_run, job, pixels, tile)
            }
        }
        return { octk_pool_run(pool, octk_qs8_igemm_job_run, job, pixels, tile) }
    }

    /// Whether a DepthwiseConv2D runs on the packed depthwise kernel (multiplier 1, arena input).
    func runsOnPackedDepthwise(_ op: OpDescription) -> Bool {
        kernels.igemm != nil && op.params[10] == 1 && tensors[op.inputs[0]].storage == .arena
    }

    /// DepthwiseConv2D (multiplier 1) on the path's packed depthwise kernel; weights widened
    /// and the indirection buffer built here, once.
    func preparePackedDepthwise(_ op: OpDescription) throws -> () -> Void {
        let path = kernels.igemm!, kernel = path.dwconv!
        let xt = op.inputs[0], yt = op.outputs[0]
        let xs = tensors[xt].shape, ys = tensors[yt].shape
        let channels = xs[3], taps = Int(op.params[0] * op.params[1])
        var q = octk_qs8_requant(bias: int32(op.inputs[2]), multiplier: int32(op.inputs[3]), shift: int32(op.inputs[4]),
                                 input_zero_point: zeroPoint(xt), output_zero_point: zeroPoint(yt), lo: op.params[11], hi: op.params[12])
        let bytes = path.dw_packed_bytes!(Int32(channels), Int32(taps))
        let storage = try allocateOwned(bytes: bytes)
        packedWeightBytes += bytes
        let packed = try allocateOwned(bytes: MemoryLayout<octk_qs8_dwconv_packed>.size).bindMemory(to: octk_qs8_dwconv_packed.self, capacity: 1)
        path.dw_pack!(UnsafePointer(int8(op.inputs[1])), &q, Int32(channels), Int32(taps), storage, packed)
        let ind = try indirection(op, input: xs, output: ys, taps: taps, zero: packed.pointee.zero)
        let pixels = ys[0] * ys[1] * ys[2]
        let job = try allocateOwned(bytes: MemoryLayout<octk_qs8_dwconv_job>.size).bindMemory(to: octk_qs8_dwconv_job.self, capacity: 1)
        job.initialize(to: octk_qs8_dwconv_job(fn: kernel, packed: packed, ind: ind, output_zero_point: zeroPoint(yt),
                                               lo: op.params[11], hi: op.params[12], y: int8(yt)))
        let pool = worthSplitting(work: pixels * channels * taps) ? self.pool : nil
        return { octk_pool_run(pool, octk_qs8_dwconv_job_run, job, pixels, 1) }
    }

    /// Input addresses of every output pixel's taps (all images), padding taps → `zero`.
    func indirection(_ op: OpDescription, input xs: [Int], output ys: [Int], taps: Int, zero: UnsafePointer<Int8>?) throws -> UnsafeMutablePointer<UnsafePointer<Int8>?> {
        let x = UnsafePointer(int8(op.inputs[0]))
        let pixelsPerImage = ys[1] * ys[2], stride = MemoryLayout<UnsafePointer<Int8>>.stride
        let bytes = try byteCount(ys[0] * pixelsPerImage, taps, stride, for: "the indirection buffer"), entries = max(bytes / stride, 1)
        let ind = try allocateOwned(bytes: bytes, for: "the indirection buffer").bindMemory(to: UnsafePointer<Int8>?.self, capacity: entries)
        indirectionBytes += bytes
        var win = window(op.params, input: xs, output: ys)
        let inImage = xs[1] * xs[2] * xs[3]
        for n in 0..<ys[0] {
            octk_qs8_conv_indirection(x + n * inImage, Int32(xs[3]), &win, zero, ind + n * pixelsPerImage * taps)
        }
        return ind
    }

    /// Whether an op doing `work` multiply-accumulates (or element updates) is worth waking the
    /// workers for: below ~64k the hand-off costs more than it saves.
    func worthSplitting(work: Int) -> Bool { pool != nil && work >= 1 << 16 }

    /// A 64-byte aligned block owned (and freed) by the interpreter; `what` names it in the
    /// error when the system cannot provide it (sizes come from an untrusted file).
    func allocateOwned(bytes: Int, for what: @autoclosure () -> String = "a kernel buffer") throws -> UnsafeMutableRawPointer {
        guard let block = octk_aligned_alloc(64, max(bytes, 64)) else {
            throw OctetError.memory("cannot allocate \(bytes) bytes for \(what())")
        }
        owned.append(block)
        return block
    }

    /// a · b · c as a byte count, or an error naming `what` when it does not fit an Int.
    func byteCount(_ a: Int, _ b: Int, _ c: Int, for what: String) throws -> Int {
        let (ab, o1) = a.multipliedReportingOverflow(by: b), (abc, o2) = ab.multipliedReportingOverflow(by: c)
        guard !o1, !o2 else { throw OctetError.memory("\(what) would need \(a)·\(b)·\(c) bytes, more than this machine can address") }
        return abc
    }
}

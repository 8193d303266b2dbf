import OctetKernels

/// A conv-family op on the path's packed indirect-GEMM kernel: `groups` independent GEMMs of
/// `og` output channels over `taps` · `cg` input bytes per output pixel. Conv2D is the general
/// case; a fully-connected layer is one 1×1 group over its M rows of K channels (no window); a
/// depthwise conv with multiplier m is `C` groups of one input and m output channels. Weights
/// are packed and the indirection buffer (one input-row address per output pixel and tap) is
/// built once, in `prepare`.
struct IndirectGEMM {
    let groups, taps, cg, og: Int
    /// The weights as the packer reads them (element (o, t, k) of output channel o, tap t,
    /// input channel k of the group); the row-merged view of a stem is the same memory.
    let weights: octk_qs8_weights
    let lo, hi: Int32
    /// nil: fully connected.
    let window: Window?
    /// A stem conv run as kH × 1 over kW·C bytes of a padded copy (see `RowMergedInput`).
    let rows: RowMergedInput?

    func prepare(_ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        // The kernel follows from the weight bytes the verifier measured (never from metadata).
        let config = r.model.weightMagnitude(ofOp: s.index).flatMap { r.kernels.conv(weightMagnitude: $0) } ?? r.kernels.conv!
        let kernel = config.igemm!
        r.convKernels[s.index] = String(cString: config.name)
        let xt = s.op.inputs[0], yt = s.op.outputs[0]
        let xs = r.tensors[xt].shape, ys = r.tensors[yt].shape
        // Same weights, seen as a kH × 1 kernel over kW·C channels: [O][kH][kW][C] is already
        // [O][kH][1][kW·C] in memory.
        let taps = rows != nil ? Int(window!.kernelH) : self.taps
        let cg = rows?.rowBytes ?? self.cg
        var q = r.channelRequantization(s, lo: lo, hi: hi)

        let bytes = octk_qs8_conv_packed_bytes(config.layout, Int32(groups), Int32(taps), Int32(cg), Int32(og))
        let storage = try r.allocateOwned(bytes: bytes)
        r.packedWeightBytes += bytes
        let packed = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_conv_packed>.size).bindMemory(to: octk_qs8_conv_packed.self, capacity: 1)
        var view = weights
        octk_qs8_conv_pack(config.layout, &view, &q, Int32(groups), Int32(taps), Int32(cg), Int32(og), storage, packed)

        let x = UnsafePointer(r.int8(xt)), y = r.int8(yt)
        let pixels = window == nil ? xs[0] : ys[0] * ys[1] * ys[2]
        // Kernels with input offset 128 read x ^ 0x80: the padded copy is written flipped,
        // any other input is flipped in place around the op (InputFlip).
        let offset = config.layout.pointee.input_offset
        let ind: UnsafeMutablePointer<UnsafePointer<Int8>?>
        var padInput: (() -> Void)? = nil
        if window == nil {
            ind = try r.allocatePointers(max(pixels, 1), for: "the indirection buffer")
            for m in 0..<pixels { ind[m] = x + m * cg }
        } else if let rows {
            let padded = try r.allocateOwned(bytes: rows.bytes).assumingMemoryBound(to: Int8.self)
            padded.initialize(repeating: Int8(truncatingIfNeeded: r.zeroPoint(xt) + offset), count: rows.bytes)
            ind = try r.allocatePointers(pixels * taps, for: "the indirection buffer")
            var win = rows.window
            octk_qs8_conv_indirection(padded, Int32(xs[3]), &win, packed.pointee.zero, ind)
            padInput = { rows.copyInterior(from: x, to: padded, flipped: offset != 0) }
        } else {
            ind = try r.indirection(s, window: window!, taps: taps, zero: packed.pointee.zero)
        }
        let pool = r.worthSplitting(work: pixels * groups * og * taps * cg) ? r.pool : nil
        let run: () -> Void
        let blocks = Int(packed.pointee.blocks)
        if pool != nil, groups == 1, config.layout.pointee.header_bytes == 0, blocks >= 2 * r.threads, bytes > pixels * taps * cg {
            // Weights outweigh the input window bytes (few pixels, many channels: late layers,
            // the classifier): split by output-channel blocks, so each thread streams only its
            // share of the weights, instead of by pixels, where every thread streams all of them.
            let job = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_igemm_channels_job>.size)
                .bindMemory(to: octk_qs8_igemm_channels_job.self, capacity: 1)
            job.initialize(to: octk_qs8_igemm_channels_job(fn: kernel, packed: packed, layout: config.layout, ind: ind, pixels: pixels,
                                                           output_zero_point: r.zeroPoint(yt), lo: lo, hi: hi, y: y))
            run = { octk_pool_run(pool, octk_qs8_igemm_channels_job_run, job, blocks, 1) }
        } else {
            let job = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_igemm_job>.size).bindMemory(to: octk_qs8_igemm_job.self, capacity: 1)
            job.initialize(to: octk_qs8_igemm_job(fn: kernel, packed: packed, ind: ind, output_zero_point: r.zeroPoint(yt), lo: lo, hi: hi, y: y))
            let tile = Int(config.mr)
            run = { octk_pool_run(pool, octk_qs8_igemm_job_run, job, pixels, tile) }
        }
        if let padInput {
            return {
                padInput()
                run()
            }
        }
        if let flip = try InputFlip(s, layout: config.layout, on: r) { return flip.step(run) }
        return run
    }
}

extension Interpreter {
    /// Input addresses of every output pixel's taps (all images) of a windowed op on input 0,
    /// padding taps → `zero`.
    func indirection(_ s: OpSite, window: Window, taps: Int, zero: UnsafePointer<Int8>?) throws(OctetError) -> UnsafeMutablePointer<UnsafePointer<Int8>?> {
        let xs = tensors[s.op.inputs[0]].shape, ys = tensors[s.op.outputs[0]].shape
        let x = UnsafePointer(int8(s.op.inputs[0]))
        let pixelsPerImage = ys[1] * ys[2]
        let entries = try byteCount(ys[0] * pixelsPerImage, taps, 1, for: "the indirection buffer")
        let ind = try allocatePointers(entries, for: "the indirection buffer")
        var win = window.octk(input: xs, output: ys)
        let inImage = xs[1] * xs[2] * xs[3]
        for n in 0..<ys[0] {
            octk_qs8_conv_indirection(x + n * inImage, Int32(xs[3]), &win, zero, ind + n * pixelsPerImage * taps)
        }
        return ind
    }

    /// `count` owned pointer slots (counted in `indirectionBytes`).
    func allocatePointers(_ count: Int, for what: String) throws(OctetError) -> UnsafeMutablePointer<UnsafePointer<Int8>?> {
        let stride = MemoryLayout<UnsafePointer<Int8>>.stride
        let bytes = try byteCount(count, stride, 1, for: what)
        let block = try allocateOwned(bytes: bytes, for: what)
        indirectionBytes += bytes
        return block.bindMemory(to: UnsafePointer<Int8>?.self, capacity: max(count, 1))
    }
}

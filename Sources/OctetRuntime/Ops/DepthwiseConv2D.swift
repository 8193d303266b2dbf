import OctetKernels

/// DepthwiseConv2D parameters: window(10), channel multiplier m, lo, hi.
public struct DepthwiseConv2DParams: DecodableOpParams {
    public static let code = OpCode.depthwiseConv2D
    public var window: Window
    public var multiplier: Int32
    public var lo, hi: Int32

    public init(window: Window, multiplier: Int32, lo: Int32, hi: Int32) {
        self.window = window; self.multiplier = multiplier; self.lo = lo; self.hi = hi
    }

    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(13)
        self.init(window: Window(words: w), multiplier: w[10], lo: w[11], hi: w[12])
    }

    public var words: [Int32] { window.words + [multiplier, lo, hi] }
}

/// in: x i8 [N,H,W,C], w i8 [1,kH,kW,C·m] (per-channel scales on axis 3), bias i32, scale f32
/// (each [C·m]) → y i8 [N,OH,OW,C·m]; output channel c·m + j reads input channel c.
/// Multiplier 1: the path's packed depthwise kernel; m > 1: the indirect GEMM as a grouped conv
/// with one input and m output channels per group (same sums, same bytes); else the reference.
enum DepthwiseConv2D: OpKind {
    static let name = "DepthwiseConv2D"
    static let weightsInput: Int? = 1

    static func check(_ p: DepthwiseConv2DParams, _ s: OpSite) throws(OctetError) {
        let (xs, ws) = try s.convolutionOperands()
        let (oh, ow) = try p.window.outputSize(input: xs, s)
        let m = Int(p.multiplier)
        guard m >= 1, m <= 1 << 16 else { throw s.fail("channel multiplier \(m)") }
        let outChannels = xs[3] * m
        guard ws == [1, Int(p.window.kernelH), Int(p.window.kernelW), outChannels] else {
            throw s.fail("weights \(ws), expects [1, \(p.window.kernelH), \(p.window.kernelW), \(outChannels)]")
        }
        try s.convolutionOutputs(expected: [xs[0], oh, ow, outChannels], lo: p.lo, hi: p.hi)
    }

    static func cost(_ p: DepthwiseConv2DParams, _ s: OpSite) -> OpCost {
        let w = s.inputShape(1)  // [1, kH, kW, C·m]
        return OpCost(multiplyAccumulates: OpCost.product(s.outputCount(0), w[1], w[2]))
    }

    static func prepare(_ p: DepthwiseConv2DParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let op = s.op, xt = op.inputs[0], yt = op.outputs[0]
        let xs = r.tensors[xt].shape, ys = r.tensors[yt].shape
        let weights = UnsafePointer(r.int8(op.inputs[1]))
        if r.runsPacked(xt), p.multiplier > 1 {
            // C groups of one input and m output channels, the weights read in place: output
            // channel o = c·m + j, tap t at [t][o] (the view (1, C·m, 0)).
            let m = Int(p.multiplier), outChannels = xs[3] * m
            let view = octk_qs8_weights(data: weights, o_stride: 1, tap_stride: outChannels, k_stride: 0)
            let gemm = IndirectGEMM(groups: xs[3], taps: p.window.taps, cg: 1, og: m, weights: view, lo: p.lo, hi: p.hi,
                                    window: p.window, rows: nil)
            return try gemm.prepare(s, on: r)
        }
        if r.kernels.dwconv != nil, p.multiplier == 1, r.inArena(xt) { return try preparePacked(p, s, on: r) }
        var win = p.window.octk(input: xs, output: ys)
        var q = r.channelRequantization(s, lo: p.lo, hi: p.hi)
        let x = UnsafePointer(r.int8(xt)), y = r.int8(yt)
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3]
        let channels = Int32(xs[3]), m = p.multiplier
        return {
            for n in 0..<xs[0] { octk_qs8_dwconv_nhwc__reference(x + n * inImage, channels, m, weights, &win, &q, y + n * outImage) }
        }
    }

    /// Multiplier 1 on the path's packed depthwise kernel; weights packed and the indirection
    /// buffer built here, once.
    static func preparePacked(_ p: DepthwiseConv2DParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let config = r.kernels.dwconv!, kernel = config.fn!
        let op = s.op, xt = op.inputs[0], yt = op.outputs[0]
        let xs = r.tensors[xt].shape, ys = r.tensors[yt].shape
        let channels = xs[3], taps = p.window.taps
        var q = r.channelRequantization(s, lo: p.lo, hi: p.hi)
        let bytes = config.packed_bytes!(Int32(channels), Int32(taps))
        let storage = try r.allocateOwned(bytes: bytes)
        r.packedWeightBytes += bytes
        let packed = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_dwconv_packed>.size).bindMemory(to: octk_qs8_dwconv_packed.self, capacity: 1)
        config.pack!(UnsafePointer(r.int8(op.inputs[1])), &q, Int32(channels), Int32(taps), storage, packed)
        let ind = try r.indirection(s, window: p.window, taps: taps, zero: packed.pointee.zero)
        let pixels = ys[0] * ys[1] * ys[2]
        let job = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_dwconv_job>.size).bindMemory(to: octk_qs8_dwconv_job.self, capacity: 1)
        job.initialize(to: octk_qs8_dwconv_job(fn: kernel, packed: packed, ind: ind, output_zero_point: r.zeroPoint(yt),
                                               lo: p.lo, hi: p.hi, y: r.int8(yt)))
        let pool = r.worthSplitting(work: pixels * channels * taps) ? r.pool : nil
        return { octk_pool_run(pool, octk_qs8_dwconv_job_run, job, pixels, 1) }
    }
}

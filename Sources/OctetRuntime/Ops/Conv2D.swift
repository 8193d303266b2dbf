import OctetKernels

/// Conv2D parameters: window(10), groups, lo, hi (clamp in output int8 units).
public struct Conv2DParams: DecodableOpParams {
    public static let code = OpCode.conv2D
    public var window: Window
    public var groups: Int32
    public var lo, hi: Int32

    public init(window: Window, groups: Int32, lo: Int32, hi: Int32) {
        self.window = window; self.groups = groups; self.lo = lo; self.hi = hi
    }

    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(13)
        self.init(window: Window(words: w), groups: w[10], lo: w[11], hi: w[12])
    }

    public var words: [Int32] { window.words + [groups, lo, hi] }
}

/// in: x i8 [N,H,W,C], w i8 [O,kH,kW,C/g] per-channel, bias i32 [O], scale f32 [O]
/// → y i8 [N,OH,OW,O]. Packed indirect GEMM where the path has one, else the reference kernel.
enum Conv2D: OpKind {
    static let name = "Conv2D"
    static let weightsInput: Int? = 1

    static func check(_ p: Conv2DParams, _ s: OpSite) throws(OctetError) {
        let (xs, ws) = try s.convolutionOperands()
        let (oh, ow) = try p.window.outputSize(input: xs, s)
        let groups = Int(p.groups)
        guard groups >= 1, xs[3] % groups == 0, ws[0] % groups == 0 else { throw s.fail("groups \(groups) do not divide channels \(xs[3]) / \(ws[0])") }
        guard ws[1] == Int(p.window.kernelH), ws[2] == Int(p.window.kernelW), ws[3] == xs[3] / groups else {
            throw s.fail("weights \(ws) do not fit kernel \(p.window.kernelH)×\(p.window.kernelW) over \(xs[3] / groups) channels per group")
        }
        try s.convolutionOutputs(expected: [xs[0], oh, ow, ws[0]], lo: p.lo, hi: p.hi)
    }

    static func cost(_ p: Conv2DParams, _ s: OpSite) -> OpCost {
        let w = s.inputShape(1)  // [O, kH, kW, C/g]
        return OpCost(multiplyAccumulates: OpCost.product(s.outputCount(0), w[1], w[2], w[3]))
    }

    static func prepare(_ p: Conv2DParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let op = s.op, xt = op.inputs[0], yt = op.outputs[0]
        let xs = r.tensors[xt].shape, ys = r.tensors[yt].shape, ws = r.tensors[op.inputs[1]].shape
        let weights = UnsafePointer(r.int8(op.inputs[1]))
        if r.runsPacked(xt) {
            let groups = Int(p.groups), taps = p.window.taps, cg = ws[3]
            let rows = RowMergedInput(p.window, input: xs, output: ys, groups: groups)
            // [O][kH][kW][cg]; row-merged, the same bytes are [O][kH][kW·cg].
            let view = octk_qs8_weights(data: weights, o_stride: taps * cg, tap_stride: rows.map { $0.rowBytes } ?? cg, k_stride: 1)
            let gemm = IndirectGEMM(groups: groups, taps: taps, cg: cg, og: ws[0] / groups, weights: view,
                                    lo: p.lo, hi: p.hi, window: p.window, rows: rows)
            return try gemm.prepare(s, on: r)
        }
        var win = p.window.octk(input: xs, output: ys)
        var q = r.channelRequantization(s, lo: p.lo, hi: p.hi)
        let x = UnsafePointer(r.int8(xt)), y = r.int8(yt)
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3]
        let channels = Int32(xs[3]), groups = p.groups, outChannels = Int32(ys[3])
        return {
            for n in 0..<xs[0] { octk_qs8_conv_nhwc__reference(x + n * inImage, channels, groups, weights, outChannels, &win, &q, y + n * outImage) }
        }
    }
}

// MARK: rules shared by the conv family (Conv2D, DepthwiseConv2D, FullyConnected)

extension OpSite {
    /// Four inputs (x, w, bias, scale), one output; x, y rank 4 int8, w constant.
    func convolutionOperands() throws(OctetError) -> (input: [Int], weights: [Int]) {
        try operands(inputs: 4...4, outputs: 1)
        try expect(op.inputs[0], "input", type: .int8, rank: 4)
        try expect(op.inputs[1], "weights", type: .int8, constant: true, rank: 4)
        try expect(op.outputs[0], "output", type: .int8, rank: 4)
        return (tensor(op.inputs[0]).shape, tensor(op.inputs[1]).shape)
    }

    /// Output shape, per-channel bias and requantization constants, clamp, per-tensor activations.
    func convolutionOutputs(expected: [Int], lo: Int32, hi: Int32) throws(OctetError) {
        let ys = tensor(op.outputs[0]).shape, outChannels = expected[3]
        guard ys == expected else { throw fail("output shape \(ys), expects \(expected)") }
        try expect(op.inputs[2], "bias", type: .int32, constant: true, shape: [outChannels])
        try channelScales(op.inputs[3], count: outChannels)
        try clamp(lo, hi)
        guard tensor(op.inputs[0]).quantization?.channelScales.isEmpty == true, tensor(op.outputs[0]).quantization?.channelScales.isEmpty == true else {
            throw fail("activations must be quantized per tensor")
        }
    }
}

extension Interpreter {
    /// Whether a conv-family op reading `input` runs on the path's packed conv kernel: the path
    /// has one and the input lives in the arena (the kernels may read up to 15 bytes past it,
    /// into the read slack).
    func runsPacked(_ input: Int) -> Bool { kernels.conv != nil && inArena(input) }

    func inArena(_ t: Int) -> Bool { tensors[t].storage == .arena }

    /// The per-channel requantization of a conv-family op (inputs 2, 3: bias, scale).
    func channelRequantization(_ s: OpSite, lo: Int32, hi: Int32) -> octk_qs8_requant {
        let op = s.op
        return octk_qs8_requant(bias: int32(op.inputs[2]), scale: UnsafePointer(float(op.inputs[3])),
                                input_zero_point: zeroPoint(op.inputs[0]), output_zero_point: zeroPoint(op.outputs[0]), lo: lo, hi: hi)
    }
}

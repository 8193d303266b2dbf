import OctetKernels

/// MaxPool2D parameters: window(10).
public struct MaxPool2DParams: DecodableOpParams {
    public static let code = OpCode.maxPool2D
    public var window: Window
    public init(window: Window) { self.window = window }
    init(decoding s: OpSite) throws(OctetError) { self.init(window: Window(words: try s.words(10))) }
    public var words: [Int32] { window.words }
}

/// AveragePool2D parameters: window(10), countIncludePad (0 or 1).
public struct AveragePool2DParams: DecodableOpParams {
    public static let code = OpCode.averagePool2D
    public var window: Window
    public var countIncludePad: Int32
    public init(window: Window, countIncludePad: Bool) { self.window = window; self.countIncludePad = countIncludePad ? 1 : 0 }
    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(11)
        window = Window(words: w); countIncludePad = w[10]
    }
    public var words: [Int32] { window.words + [countIncludePad] }
}

/// GlobalAveragePool parameters: the output factor s_in/(s_out·H·W).
public struct GlobalAveragePoolParams: DecodableOpParams {
    public static let code = OpCode.globalAveragePool
    public var output: RequantScale
    public init(output: RequantScale) { self.output = output }
    init(decoding s: OpSite) throws(OctetError) { output = RequantScale(word: try s.words(1)[0]) }
    public var words: [Int32] { [output.word] }
}

/// x i8 [N,H,W,C] → y i8 [N,OH,OW,C], same quantization; a window with no tap inside yields −128.
enum MaxPool2D: OpKind {
    static let name = "MaxPool2D"
    static func check(_ p: MaxPool2DParams, _ s: OpSite) throws(OctetError) { try s.pool(p.window) }
    static func cost(_ p: MaxPool2DParams, _ s: OpSite) -> OpCost { OpCost(windowReads: OpCost.product(s.outputCount(0), p.window.taps)) }

    static func prepare(_ p: MaxPool2DParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let (x, y, xs, ys) = r.poolOperands(s)
        var win = p.window.octk(input: xs, output: ys)
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3], channels = Int32(xs[3])
        let maxpool = r.kernels.pooling.maxpool!
        return { for n in 0..<xs[0] { maxpool(x + n * inImage, channels, &win, y + n * outImage) } }
    }
}

/// x i8 [N,H,W,C] → y i8 [N,OH,OW,C], same quantization: round_half_away(Σ (x − z) / count) + z.
enum AveragePool2D: OpKind {
    static let name = "AveragePool2D"
    static func check(_ p: AveragePool2DParams, _ s: OpSite) throws(OctetError) {
        try s.pool(p.window)
        if !(0...1).contains(p.countIncludePad) { throw s.fail("countIncludePad \(p.countIncludePad)") }
    }
    static func cost(_ p: AveragePool2DParams, _ s: OpSite) -> OpCost { OpCost(windowReads: OpCost.product(s.outputCount(0), p.window.taps)) }

    static func prepare(_ p: AveragePool2DParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let (x, y, xs, ys) = r.poolOperands(s)
        var win = p.window.octk(input: xs, output: ys)
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3], channels = Int32(xs[3])
        let includePad = p.countIncludePad, z = r.zeroPoint(s.op.inputs[0])
        let average = r.kernels.pooling.avgpool!
        return { for n in 0..<xs[0] { average(x + n * inImage, channels, &win, includePad, z, y + n * outImage) } }
    }
}

/// x i8 [N,H,W,C] → y i8 [N,1,1,C]: z_out + requant(Σ_p (x − z_in), output factor).
enum GlobalAveragePool: OpKind {
    static let name = "GlobalAveragePool"

    static func check(_ p: GlobalAveragePoolParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        try s.expect(s.op.inputs[0], "input", type: .int8, rank: 4)
        let xs = s.inputShape(0)
        try s.expect(s.op.outputs[0], "output", type: .int8, shape: [xs[0], 1, 1, xs[3]])
        try p.output.check("output", s)
        // The spec's int32 sum: Σ (x − z_in) over the pixels fits for fewer than 2^23 pixels.
        if xs[1] * xs[2] >= 1 << 23 { throw s.fail("\(xs[1] * xs[2]) pixels to average; at most 2^23 − 1") }
    }

    static func prepare(_ p: GlobalAveragePoolParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let (x, y, xs, _) = r.poolOperands(s)
        let pixels = xs[1] * xs[2], channels = xs[3]
        let zi = r.zeroPoint(s.op.inputs[0]), zo = r.zeroPoint(s.op.outputs[0]), scale = p.output.value
        let pool = r.kernels.pooling.global_avgpool!
        return {
            for n in 0..<xs[0] { pool(x + n * pixels * channels, pixels, Int32(channels), zi, zo, scale, y + n * channels) }
        }
    }
}

extension OpSite {
    /// One int8 rank-4 input and output of the same quantization, the output's spatial size
    /// following from the window (ceil_mode may add one window; never one starting past the padded input).
    func pool(_ window: Window) throws(OctetError) {
        try operands(inputs: 1...1, outputs: 1)
        let x = op.inputs[0], y = op.outputs[0]
        try expect(x, "input", type: .int8, rank: 4)
        let xs = tensor(x).shape
        let (oh, ow) = try window.outputSize(input: xs, self)
        let ys = tensor(y).shape
        guard ys.count == 4, ys[0] == xs[0], ys[3] == xs[3], (oh...(oh + 1)).contains(ys[1]), (ow...(ow + 1)).contains(ys[2]),
              (ys[1] - 1) * Int(window.strideH) < xs[1] + Int(window.padTop),
              (ys[2] - 1) * Int(window.strideW) < xs[2] + Int(window.padLeft) else {
            throw fail("output shape \(ys) does not follow from input \(xs) and the window")
        }
        try expect(y, "output", type: .int8)
        try sameQuantization(x, y)
    }
}

extension Interpreter {
    func poolOperands(_ s: OpSite) -> (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>, [Int], [Int]) {
        let xt = s.op.inputs[0], yt = s.op.outputs[0]
        return (UnsafePointer(int8(xt)), int8(yt), tensors[xt].shape, tensors[yt].shape)
    }
}

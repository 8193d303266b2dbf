import OctetKernels

// Float fallbacks: ops without an int8 kernel run in f32 between a Dequantize and a Quantize.
// Float values travel in parameter words as their IEEE bit patterns.

func floatWord(_ word: Int32) -> Float { Float(bitPattern: UInt32(bitPattern: word)) }
func wordOfFloat(_ value: Float) -> Int32 { Int32(bitPattern: value.bitPattern) }

/// SoftmaxF32 parameters: the storage axis.
public struct SoftmaxF32Params: DecodableOpParams {
    public static let code = OpCode.softmaxF32
    public var axis: Int32
    public init(axis: Int32) { self.axis = axis }
    init(decoding s: OpSite) throws(OctetError) { axis = try s.words(1)[0] }
    public var words: [Int32] { [axis] }
}

/// BinaryF32 parameters: the operation, then the output clamp.
public struct BinaryF32Params: DecodableOpParams {
    public static let code = OpCode.binaryF32
    /// 0 add, 1 sub, 2 mul, 3 div, 4 prelu (a ≥ 0 ? a : a·b).
    public var operation: Int32
    public var lo, hi: Float
    public init(operation: Int32, lo: Float, hi: Float) { self.operation = operation; self.lo = lo; self.hi = hi }
    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(3)
        self.init(operation: w[0], lo: floatWord(w[1]), hi: floatWord(w[2]))
    }
    public var words: [Int32] { [operation, wordOfFloat(lo), wordOfFloat(hi)] }
    // Equal by bit pattern, so a NaN clamp read from a file compares equal to itself.
    public static func == (a: Self, b: Self) -> Bool { a.words == b.words }
}

/// Taps of a linear resize along one axis: per output index, two source indices and the
/// second one's weight.
public struct LinearTaps: Sendable, Equatable {
    public var first, second: [Int32]
    public var weight: [Float]
    public init(first: [Int32], second: [Int32], weight: [Float]) { self.first = first; self.second = second; self.weight = weight }
    var words: [Int32] { first + second + weight.map(wordOfFloat) }
    init(words w: ArraySlice<Int32>, count: Int) {
        let b = w.startIndex
        first = Array(w[b..<(b + count)]); second = Array(w[(b + count)..<(b + 2 * count)])
        weight = w[(b + 2 * count)..<(b + 3 * count)].map(floatWord)
    }
    public static func == (a: Self, b: Self) -> Bool { a.words == b.words }
}

/// ResizeLinearF32 parameters: the rows' taps (3·OH words), then the columns' (3·OW words).
public struct ResizeLinearF32Params: DecodableOpParams {
    public static let code = OpCode.resizeLinearF32
    public var rows, cols: LinearTaps
    public init(rows: LinearTaps, cols: LinearTaps) { self.rows = rows; self.cols = cols }
    init(decoding s: OpSite) throws(OctetError) {
        let ys = s.outputShape(0), w = s.op.params
        guard ys.count == 4, w.count == 3 * (ys[1] + ys[2]) else {
            throw s.fail("output \(ys) with \(w.count) tap words does not fit input \(s.inputShape(0))")
        }
        rows = LinearTaps(words: w[...], count: ys[1]); cols = LinearTaps(words: w[(3 * ys[1])...], count: ys[2])
    }
    public var words: [Int32] { rows.words + cols.words }
}

/// ConvTransposeF32 parameters: window(10) (its output size is y's), groups, clamp lo and hi.
public struct ConvTransposeF32Params: DecodableOpParams {
    public static let code = OpCode.convTransposeF32
    public var window: Window
    public var groups: Int32
    public var lo, hi: Float
    public init(window: Window, groups: Int32, lo: Float, hi: Float) { self.window = window; self.groups = groups; self.lo = lo; self.hi = hi }
    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(13)
        self.init(window: Window(words: w), groups: w[10], lo: floatWord(w[11]), hi: floatWord(w[12]))
    }
    public var words: [Int32] { window.words + [groups, wordOfFloat(lo), wordOfFloat(hi)] }
    public static func == (a: Self, b: Self) -> Bool { a.words == b.words }
}

/// MatMulF32 has no parameter words.
public struct MatMulF32Params: DecodableOpParams {
    public static let code = OpCode.matMulF32
    public init() {}
    init(decoding s: OpSite) throws(OctetError) { _ = try s.words(0) }
    public var words: [Int32] { [] }
}

/// PadF32 parameters: mode, fill value, pads before each axis (rank words), after each axis
/// (rank words); negative pads crop.
public struct PadF32Params: DecodableOpParams {
    public static let code = OpCode.padF32
    /// 0 constant, 1 reflect, 2 edge.
    public var mode: Int32
    public var value: Float
    public var begin, end: [Int32]
    public init(mode: Int32, value: Float, begin: [Int32], end: [Int32]) { self.mode = mode; self.value = value; self.begin = begin; self.end = end }
    init(decoding s: OpSite) throws(OctetError) {
        let rank = s.inputShape(0).count, w = try s.words(2 + 2 * rank)
        self.init(mode: w[0], value: floatWord(w[1]), begin: Array(w[2..<(2 + rank)]), end: Array(w[(2 + rank)...]))
    }
    public var words: [Int32] { [mode, wordOfFloat(value)] + begin + end }
    public static func == (a: Self, b: Self) -> Bool { a.words == b.words }
}

/// Softmax of x f32 along a storage axis.
enum SoftmaxF32: OpKind {
    static let name = "Softmax(f32)"

    static func check(_ p: SoftmaxF32Params, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        let x = s.tensor(s.op.inputs[0])
        try s.expect(s.op.inputs[0], "input", type: .float32)
        try s.expect(s.op.outputs[0], "output", type: .float32, shape: x.shape)
        guard (0..<max(x.shape.count, 1)).contains(Int(p.axis)) else { throw s.fail("axis \(p.axis) for rank \(x.shape.count)") }
    }

    static func prepare(_ p: SoftmaxF32Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let shape = s.inputShape(0), axis = Int(p.axis)
        let strides = rowMajorStrides(shape)
        let length = shape.isEmpty ? 1 : shape[axis], step = shape.isEmpty ? 1 : strides[axis]
        var starts: [Int] = []
        let total = shape.reduce(1, *)
        for i in 0..<total where shape.isEmpty || (i / step) % length == 0 { starts.append(i) }
        let x = UnsafePointer(r.float(s.op.inputs[0])), y = r.float(s.op.outputs[0])
        return { octk_f32_softmax_strided(x, y, starts, starts.count, length, step) }
    }
}

/// a, b f32 (equal rank, broadcast) → y f32, clamped.
enum BinaryF32: OpKind {
    static let name = "Binary(f32)"

    static func check(_ p: BinaryF32Params, _ s: OpSite) throws(OctetError) {
        try s.binaryOperands(type: .float32)
        guard (0...4).contains(p.operation) else { throw s.fail("binary op \(p.operation)") }
        guard !p.lo.isNaN, !p.hi.isNaN, p.lo <= p.hi else { throw s.fail("clamp [\(p.lo), \(p.hi)]") }
    }

    static func prepare(_ p: BinaryF32Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let o = BinaryOperands<Float>(s, on: r)
        let code = octk_binary_op(rawValue: UInt32(p.operation)), lo = p.lo, hi = p.hi
        return { octk_f32_binary_strided(code, o.rank, o.shape, o.pa, o.sa, o.pb, o.sb, o.py, o.sy, lo, hi) }
    }
}

/// Bilinear resize x f32 [N,H,W,C] → y [N,OH,OW,C] through per-axis tap tables.
enum ResizeLinearF32: OpKind {
    static let name = "ResizeLinear(f32)"

    static func check(_ p: ResizeLinearF32Params, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        try s.expect(s.op.inputs[0], "input", type: .float32, rank: 4)
        try s.expect(s.op.outputs[0], "output", type: .float32, rank: 4)
        let xs = s.inputShape(0), ys = s.outputShape(0)
        guard ys[0] == xs[0], ys[3] == xs[3] else { throw s.fail("output \(ys) with \(s.op.params.count) tap words does not fit input \(xs)") }
        for (taps, limit) in [(p.rows, xs[1]), (p.cols, xs[2])] {
            for i in taps.first + taps.second where !(0..<limit).contains(Int(i)) { throw s.fail("source index \(i) outside 0..<\(limit)") }
            for w in taps.weight { guard w >= 0, w <= 1 else { throw s.fail("interpolation weight \(w) outside [0, 1]") } }
        }
    }

    static func prepare(_ p: ResizeLinearF32Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xs = s.inputShape(0), ys = s.outputShape(0), oh = ys[1], ow = ys[2]
        let y0 = p.rows.first, y1 = p.rows.second, wy = p.rows.weight, x0 = p.cols.first, x1 = p.cols.second, wx = p.cols.weight
        let x = UnsafePointer(r.float(s.op.inputs[0])), y = r.float(s.op.outputs[0])
        let inImage = xs[1] * xs[2] * xs[3], outImage = oh * ow * ys[3]
        return {
            for n in 0..<xs[0] {
                octk_f32_resize_nhwc(x + n * inImage, Int32(xs[2]), Int32(xs[3]), Int32(oh), Int32(ow), y0, y1, wy, x0, x1, wx, y + n * outImage)
            }
        }
    }
}

/// Transposed conv. in: x f32 [N,H,W,C], w f32 [C, kH·kW·(O/g)] (row ci holds taps
/// (ky·kW+kx)·(O/g) + o of its group), bias f32 [O] → y f32 [N,OH,OW,O] and a scratch f32
/// [H·W, kH·kW·(O/g)]. Per group: scratch = x_g · W_g (GEMM), then a col2im scatter-add into y.
enum ConvTransposeF32: OpKind {
    static let name = "ConvTranspose(f32)"

    static func check(_ p: ConvTransposeF32Params, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 3...3, outputs: 2)
        let x = s.op.inputs[0], w = s.op.inputs[1], y = s.op.outputs[0]
        try s.expect(x, "input", type: .float32, rank: 4)
        try s.expect(y, "output", type: .float32, rank: 4)
        let xs = s.tensor(x).shape, ys = s.tensor(y).shape, v = p.window.words.map(Int.init)
        guard (1...64).contains(v[0]), (1...64).contains(v[1]), (1...64).contains(v[2]), (1...64).contains(v[3]),
              (1...64).contains(v[4]), (1...64).contains(v[5]), v[6...9].allSatisfy({ (0...1024).contains($0) }) else {
            throw s.fail("window \(v)")
        }
        let groups = Int(p.groups)
        guard groups >= 1, xs[3] % groups == 0, ys[3] % groups == 0 else { throw s.fail("groups \(groups) for \(xs[3]) → \(ys[3]) channels") }
        let og = ys[3] / groups, taps = v[0] * v[1]
        let fullH = v[2] * (xs[1] - 1) + v[4] * (v[0] - 1) + 1 - v[6] - v[8], fullW = v[3] * (xs[2] - 1) + v[5] * (v[1] - 1) + 1 - v[7] - v[9]
        guard ys[0] == xs[0], (fullH..<(fullH + v[2])).contains(ys[1]), (fullW..<(fullW + v[3])).contains(ys[2]) else {
            throw s.fail("output \(ys) does not follow from input \(xs) and the window")
        }
        try s.expect(w, "weights", type: .float32, constant: true, shape: [xs[3], taps * og])
        try s.expect(s.op.inputs[2], "bias", type: .float32, constant: true, shape: [ys[3]])
        try s.expect(s.op.outputs[1], "scratch", type: .float32, shape: [xs[1] * xs[2], taps * og])
    }

    static func cost(_ p: ConvTransposeF32Params, _ s: OpSite) -> OpCost {
        OpCost(multiplyAccumulates: OpCost.product(s.inputCount(0), s.inputShape(1)[1]))
    }

    static func prepare(_ p: ConvTransposeF32Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let op = s.op, xs = s.inputShape(0), ys = s.outputShape(0)
        var win = p.window.octk(input: xs, output: ys)
        let groups = Int(p.groups), lo = p.lo, hi = p.hi
        let channels = xs[3], outChannels = ys[3], cg = channels / groups, og = outChannels / groups
        let pixels = xs[1] * xs[2], n = p.window.taps * og
        let x = UnsafePointer(r.float(op.inputs[0])), w = UnsafePointer(r.float(op.inputs[1])), bias = UnsafePointer(r.float(op.inputs[2]))
        let y = r.float(op.outputs[0]), scratch = r.float(op.outputs[1])
        let inImage = pixels * channels, outImage = ys[1] * ys[2] * outChannels
        return {
            for b in 0..<xs[0] {
                let result = y + b * outImage
                result.update(repeating: 0, count: outImage)
                for g in 0..<groups {
                    octk_f32_gemm__reference(pixels, n, cg, x + b * inImage + g * cg, channels, w + g * cg * n, n, scratch, n)
                    octk_f32_col2im_add_nhwc(scratch, Int32(og), &win, result, Int32(outChannels), Int32(g * og))
                }
                octk_f32_bias_act(result, ys[1] * ys[2], outChannels, outChannels, bias, lo, hi)
            }
        }
    }
}

/// a f32 [M,K] · b f32 [K,N] → y f32 [M,N].
enum MatMulF32: OpKind {
    static let name = "MatMul(f32)"

    static func check(_ p: MatMulF32Params, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 2...2, outputs: 1)
        let a = s.op.inputs[0], b = s.op.inputs[1]
        try s.expect(a, "input a", type: .float32, constant: s.tensor(a).storage == .constant, rank: 2)
        try s.expect(b, "input b", type: .float32, constant: s.tensor(b).storage == .constant, rank: 2)
        let sa = s.tensor(a).shape, sb = s.tensor(b).shape
        guard sa[1] == sb[0] else { throw s.fail("\(sa) · \(sb) do not fit") }
        try s.expect(s.op.outputs[0], "output", type: .float32, shape: [sa[0], sb[1]])
    }

    static func cost(_ p: MatMulF32Params, _ s: OpSite) -> OpCost {
        OpCost(multiplyAccumulates: OpCost.product(s.outputCount(0), s.inputShape(0)[1]))
    }

    static func prepare(_ p: MatMulF32Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let a = UnsafePointer(r.float(s.op.inputs[0])), b = UnsafePointer(r.float(s.op.inputs[1])), y = r.float(s.op.outputs[0])
        let sa = s.inputShape(0), n = s.inputShape(1)[1]
        return { octk_f32_gemm__reference(sa[0], n, sa[1], a, sa[1], b, n, y, n) }
    }
}

/// Constant, reflect or edge padding (or cropping) through per-axis source-index tables (−1 = fill).
enum PadF32: OpKind {
    static let name = "Pad(f32)"

    static func check(_ p: PadF32Params, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        let x = s.tensor(s.op.inputs[0]), rank = x.shape.count
        try s.expect(s.op.inputs[0], "input", type: .float32)
        let pads = (p.begin + p.end).map(Int.init)
        guard (0...2).contains(p.mode) else { throw s.fail("pad mode \(p.mode)") }
        var shape: [Int] = []
        for d in 0..<rank {
            let b = pads[d], e = pads[d + rank], n = x.shape[d]
            guard abs(b) <= OctetFormat.maxDimension, abs(e) <= OctetFormat.maxDimension else { throw s.fail("pads \(pads)") }
            if p.mode == 1 { guard b < n, e < n else { throw s.fail("reflect padding \(b)/\(e) on an axis of \(n)") } }
            shape.append(n + b + e)
        }
        guard shape.allSatisfy({ $0 >= 1 }) else { throw s.fail("pads \(pads) leave an empty axis") }
        try s.expect(s.op.outputs[0], "output", type: .float32, shape: shape)
    }

    static func prepare(_ p: PadF32Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xs = s.inputShape(0), ys = s.outputShape(0), rank = xs.count
        let mode = p.mode, value = p.value, pads = (p.begin + p.end).map(Int.init)
        let tables: [[Int]] = (0..<rank).map { d in
            (0..<ys[d]).map { o in
                let i = o - pads[d], n = xs[d]
                switch mode {
                case 0: return (0..<n).contains(i) ? i : -1
                case 2: return min(max(i, 0), n - 1)
                default:
                    if n == 1 { return 0 }
                    let period = 2 * (n - 1), m = ((i % period) + period) % period
                    return m < n ? m : period - m
                }
            }
        }
        let inStrides = rowMajorStrides(xs), count = s.outputCount(0)
        let x = UnsafePointer(r.float(s.op.inputs[0])), y = r.float(s.op.outputs[0])
        var index = [Int](repeating: 0, count: rank)  // reused: no allocation per invoke
        return {
            tables.withUnsafeBufferPointer { t in
                for o in 0..<count {
                    var source = 0
                    for d in 0..<rank {
                        let i = t[d][index[d]]
                        if i < 0 { source = -1; break }
                        source += i * inStrides[d]
                    }
                    y[o] = source < 0 ? value : x[source]
                    var d = rank - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < ys[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
    }
}

/// LRNF32 parameters: the window size (channels), alpha, beta, bias.
public struct LRNF32Params: DecodableOpParams {
    public static let code = OpCode.lrnF32
    public var size: Int32
    public var alpha, beta, bias: Float
    public init(size: Int32, alpha: Float, beta: Float, bias: Float) { self.size = size; self.alpha = alpha; self.beta = beta; self.bias = bias }
    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(4)
        self.init(size: w[0], alpha: floatWord(w[1]), beta: floatWord(w[2]), bias: floatWord(w[3]))
    }
    public var words: [Int32] { [size, wordOfFloat(alpha), wordOfFloat(beta), wordOfFloat(bias)] }
    public static func == (a: Self, b: Self) -> Bool { a.words == b.words }
}

/// y = x / (bias + alpha/size · Σ x²)^beta over channels [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉]
/// inside [0, C), per pixel of x f32 [N,H,W,C] (octk_f32_lrn_nhwc: double inside, one rounding).
enum LRNF32: OpKind {
    static let name = "LRN(f32)"

    static func check(_ p: LRNF32Params, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        try s.expect(s.op.inputs[0], "input", type: .float32, rank: 4)
        try s.expect(s.op.outputs[0], "output", type: .float32, shape: s.inputShape(0))
        guard (1...OctetFormat.maxDimension).contains(Int(p.size)) else { throw s.fail("size \(p.size)") }
        guard p.alpha.isFinite, p.beta.isFinite, p.bias.isFinite else { throw s.fail("alpha \(p.alpha), beta \(p.beta), bias \(p.bias) must be finite") }
    }

    static func cost(_ p: LRNF32Params, _ s: OpSite) -> OpCost {
        OpCost(multiplyAccumulates: OpCost.product(s.outputCount(0), min(Int(p.size), s.inputShape(0)[3])))
    }

    static func prepare(_ p: LRNF32Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xs = s.inputShape(0), pixels = xs[0] * xs[1] * xs[2], channels = Int32(xs[3])
        let x = UnsafePointer(r.float(s.op.inputs[0])), y = r.float(s.op.outputs[0])
        return { octk_f32_lrn_nhwc(x, pixels, channels, p.size, p.alpha, p.beta, p.bias, y) }
    }
}

import OctetKernels

/// Float fallbacks: ops without an int8 kernel run in f32 between a Dequantize and a Quantize.
extension Interpreter {
    static func floatParam(_ word: Int32) -> Float { Float(bitPattern: UInt32(bitPattern: word)) }

    func prepareBinaryF32(_ op: OpDescription) -> () -> Void {
        let a = op.inputs[0], b = op.inputs[1], y = op.outputs[0]
        let shape = tensors[y].shape
        let sa = broadcastStrides(a, to: shape), sb = broadcastStrides(b, to: shape), sy = rowMajorStrides(shape)
        let code = octk_binary_op(rawValue: UInt32(op.params[0]))
        let lo = Self.floatParam(op.params[1]), hi = Self.floatParam(op.params[2])
        let pa = UnsafePointer(float(a)), pb = UnsafePointer(float(b)), py = float(y), rank = Int32(shape.count)
        return { octk_f32_binary_strided(code, rank, shape, pa, sa, pb, sb, py, sy, lo, hi) }
    }

    func prepareResizeLinearF32(_ op: OpDescription) -> () -> Void {
        let xs = tensors[op.inputs[0]].shape, ys = tensors[op.outputs[0]].shape
        let p = op.params, oh = ys[1], ow = ys[2]
        let y0 = Array(p[0..<oh]), y1 = Array(p[oh..<(2 * oh)]), wy = p[(2 * oh)..<(3 * oh)].map(Self.floatParam)
        let c = 3 * oh
        let x0 = Array(p[c..<(c + ow)]), x1 = Array(p[(c + ow)..<(c + 2 * ow)]), wx = p[(c + 2 * ow)..<(c + 3 * ow)].map(Self.floatParam)
        let x = UnsafePointer(float(op.inputs[0])), y = float(op.outputs[0])
        let inImage = xs[1] * xs[2] * xs[3], outImage = oh * ow * ys[3]
        return {
            for n in 0..<xs[0] {
                octk_f32_resize_nhwc(x + n * inImage, Int32(xs[2]), Int32(xs[3]), Int32(oh), Int32(ow), y0, y1, wy, x0, x1, wx, y + n * outImage)
            }
        }
    }

    /// Per group: scratch = x_g · W_g (GEMM), then col2im scatter-add into y; bias + clamp.
    func prepareConvTransposeF32(_ op: OpDescription) -> () -> Void {
        let xs = tensors[op.inputs[0]].shape, ys = tensors[op.outputs[0]].shape
        var win = window(op.params, input: xs, output: ys)
        let groups = Int(op.params[10]), lo = Self.floatParam(op.params[11]), hi = Self.floatParam(op.params[12])
        let channels = xs[3], outChannels = ys[3], cg = channels / groups, og = outChannels / groups
        let pixels = xs[1] * xs[2], n = Int(op.params[0] * op.params[1]) * og
        let x = UnsafePointer(float(op.inputs[0])), w = UnsafePointer(float(op.inputs[1])), bias = UnsafePointer(float(op.inputs[2]))
        let y = float(op.outputs[0]), scratch = float(op.outputs[1])
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

    /// Constant, reflect or edge padding through per-axis source-index tables (−1 = fill).
    func preparePadF32(_ op: OpDescription) -> () -> Void {
        let xs = tensors[op.inputs[0]].shape, ys = tensors[op.outputs[0]].shape, rank = xs.count
        let mode = op.params[0], value = Self.floatParam(op.params[1])
        let pads = op.params[2...].map(Int.init)
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
        let inStrides = rowMajorStrides(xs), count = tensors[op.outputs[0]].elementCount
        let x = UnsafePointer(float(op.inputs[0])), y = float(op.outputs[0])
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

import COpenBLAS
import OctetKernels

/// Conv and ConvTranspose on NHWC storage. Convs run on the fast kernels when the CPU has them
/// (FastKernels.swift); otherwise depthwise by direct loops, everything else as (im2col +)
/// `cblas_sgemm` per group. Constant weights are packed once here.
extension FloatExecutor {
    func prepareConv(_ node: Node, _ p: ConvParams) throws -> () -> Void {
        let x = node.inputs[0], w = node.inputs[1], y = node.outputs[0]
        try require(x, .channelsLast, node)
        try require(y, .channelsLast, node)
        let xs = graph[x].shape, ws = graph[w].shape, ys = graph[y].shape
        let channels = xs[1], outChannels = ys[1], groups = p.groups
        let cg = channels / groups, og = outChannels / groups
        let window = try octkWindow(input: xs, output: ys, kernel: (p.kernelH, p.kernelW), stride: (p.strideH, p.strideW),
                                dilation: (p.dilationH, p.dilationW), pads: (p.padTop, p.padLeft, p.padBottom, p.padRight))
        if let fast = prepareFastConv(node, p, window) { return fast }
        let bias = node.inputs.count > 2 ? pointer(node.inputs[2]) : nil
        let (lo, hi) = p.activation.bounds
        let out = pointer(y), input = pointer(x)
        let pixels = ys[2] * ys[3], taps = p.kernelH * p.kernelW
        let batch = xs[0], inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * pixels
        let weightCount = ws.reduce(1, *)
        let packed = UnsafeMutableBufferPointer<Float>.allocate(capacity: weightCount)
        packedWeights.append(packed)
        let weights = pointer(w)
        let constantWeights = graph.isConstant(w)

        if cg == 1 && og >= 1 && groups == channels {
            // Depthwise: packed[ky][kx][o] = w[o][0][ky][kx].
            let pack = {
                for o in 0..<outChannels { for t in 0..<taps { packed[t * outChannels + o] = weights[o * taps + t] } }
            }
            if constantWeights { pack() }
            var win = window
            return {
                if !constantWeights { pack() }
                for n in 0..<batch {
                    octk_f32_dwconv_nhwc(input + n * inImage, Int32(channels), Int32(og), packed.baseAddress, bias, &win, lo, hi,
                                         out + n * outImage)
                }
            }
        }
        // GEMM form: B_g[(ky·kW+kx)·cg + ci][o] = w[g·og+o][ci][ky][kx], stored per group.
        let k = taps * cg
        let pack = {
            for g in 0..<groups {
                for o in 0..<og {
                    for ci in 0..<cg {
                        for t in 0..<taps {
                            packed[g * k * og + (t * cg + ci) * og + o] = weights[((g * og + o) * cg + ci) * taps + t]
                        }
                    }
                }
            }
        }
        if constantWeights { pack() }
        let pointwise = taps == 1 && p.strideH == 1 && p.strideW == 1 && p.padTop == 0 && p.padLeft == 0
            && p.padBottom == 0 && p.padRight == 0 && groups == 1
        if !pointwise { reserveScratch(pixels * k) }
        return { [unowned self] in
            if !constantWeights { pack() }
            var win = window
            for n in 0..<batch {
                let image = input + n * inImage, result = out + n * outImage
                for g in 0..<groups {
                    let a: UnsafePointer<Float>
                    if pointwise {
                        a = UnsafePointer(image)
                    } else {
                        octk_f32_im2col_nhwc(image, Int32(channels), Int32(g * cg), Int32(cg), &win, self.scratch.baseAddress)
                        a = UnsafePointer(self.scratch.baseAddress!)
                    }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(pixels), Int32(og), Int32(k), 1,
                                a, Int32(k), packed.baseAddress! + g * k * og, Int32(og), 0, result + g * og, Int32(outChannels))
                }
                octk_f32_bias_act(result, pixels, outChannels, outChannels, bias, lo, hi)
            }
        }
    }

    func prepareConvTranspose(_ node: Node, _ p: ConvTransposeParams) throws -> () -> Void {
        let x = node.inputs[0], w = node.inputs[1], y = node.outputs[0]
        try require(x, .channelsLast, node)
        try require(y, .channelsLast, node)
        let xs = graph[x].shape, ys = graph[y].shape
        let channels = xs[1], outChannels = ys[1], groups = p.groups
        let cg = channels / groups, og = outChannels / groups
        let taps = p.kernelH * p.kernelW
        let window = try octkWindow(input: xs, output: ys, kernel: (p.kernelH, p.kernelW), stride: (p.strideH, p.strideW),
                                dilation: (p.dilationH, p.dilationW), pads: (p.padTop, p.padLeft, p.padBottom, p.padRight))
        let bias = node.inputs.count > 2 ? pointer(node.inputs[2]) : nil
        let (lo, hi) = p.activation.bounds
        let out = pointer(y), input = pointer(x), weights = pointer(w)
        let pixels = xs[2] * xs[3], n = taps * og
        // B_g[ci][(ky·kW+kx)·og + o] = w[g·cg+ci][o][ky][kx].
        let packed = UnsafeMutableBufferPointer<Float>.allocate(capacity: channels * n)
        packedWeights.append(packed)
        let pack = {
            for g in 0..<groups {
                for ci in 0..<cg { for o in 0..<og { for t in 0..<taps {
                    packed[(g * cg + ci) * n + t * og + o] = weights[((g * cg + ci) * og + o) * taps + t]
                } } }
            }
        }
        let constantWeights = graph.isConstant(w)
        if constantWeights { pack() }
        reserveScratch(pixels * n)
        let outCount = graph[y].elementCount
        let batch = xs[0], inImage = pixels * channels, outImage = outCount / batch
        return { [unowned self] in
            if !constantWeights { pack() }
            var win = window
            out.update(repeating: 0, count: outCount)
            for b in 0..<batch {
                let result = out + b * outImage
                for g in 0..<groups {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(pixels), Int32(n), Int32(cg), 1,
                                input + b * inImage + g * cg, Int32(channels), packed.baseAddress! + g * cg * n, Int32(n),
                                0, self.scratch.baseAddress, Int32(n))
                    octk_f32_col2im_add_nhwc(self.scratch.baseAddress, Int32(og), &win, result, Int32(outChannels), Int32(g * og))
                }
                octk_f32_bias_act(result, ys[2] * ys[3], outChannels, outChannels, bias, lo, hi)
            }
        }
    }
}

/// The C kernels' window for logical NCHW shapes `input` → `output`; every field must fit the
/// kernels' int32 (an imported model can name larger sizes).
func octkWindow(input: [Int], output: [Int], kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int),
                pads: (Int, Int, Int, Int)) throws -> octk_window {
    func i32(_ v: Int, _ what: String) throws -> Int32 {
        guard let r = Int32(exactly: v) else { throw ConvertError.invalidInput("window \(what) \(v) is outside the kernels' 32-bit range") }
        return r
    }
    return octk_window(in_h: try i32(input[2], "input height"), in_w: try i32(input[3], "input width"),
                       kernel_h: try i32(kernel.0, "kernel height"), kernel_w: try i32(kernel.1, "kernel width"),
                       stride_h: try i32(stride.0, "stride"), stride_w: try i32(stride.1, "stride"),
                       dilation_h: try i32(dilation.0, "dilation"), dilation_w: try i32(dilation.1, "dilation"),
                       pad_top: try i32(pads.0, "padding"), pad_left: try i32(pads.1, "padding"),
                       pad_bottom: try i32(pads.2, "padding"), pad_right: try i32(pads.3, "padding"),
                       out_h: try i32(output[2], "output height"), out_w: try i32(output[3], "output width"))
}

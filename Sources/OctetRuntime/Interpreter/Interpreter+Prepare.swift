import OctetKernels

extension Interpreter {
    /// The closure that executes op `op`; all parameters resolved here, none in the closure.
    func prepare(_ op: OpDescription, index: Int) throws -> () -> Void {
        switch op.code {
        case .conv2D where runsOnIndirectGEMM(op), .fullyConnected where runsOnIndirectGEMM(op),
             .depthwiseConv2D where runsOnIndirectGEMM(op): return try prepareIndirectGEMM(op)
        case .depthwiseConv2D where runsOnPackedDepthwise(op): return try preparePackedDepthwise(op)
        case .conv2D, .depthwiseConv2D: return prepareConvolution(op)
        case .fullyConnected: return prepareFullyConnected(op)
        case .maxPool2D, .averagePool2D: return preparePool(op)
        case .globalAveragePool: return prepareGlobalAveragePool(op)
        case .add, .mul: return try prepareBinary(op)
        case .lookupTable:
            let x = int8(op.inputs[0]), table = UnsafePointer(int8(op.inputs[1])), y = int8(op.outputs[0])
            let count = tensors[op.inputs[0]].elementCount
            return { octk_qs8_lookup__reference(x, count, table, y) }
        case .concat: return prepareConcat(op)
        case .reshape:
            let x = address(op.inputs[0]), y = address(op.outputs[0]), bytes = tensors[op.outputs[0]].byteCount
            if x == y { return {} }
            return { y.copyMemory(from: x, byteCount: bytes) }
        case .transpose: return try prepareTranspose(op)
        case .pad: return preparePad(op)
        case .slice: return prepareSlice(op)
        case .resizeNearest:
            let xs = tensors[op.inputs[0]].shape, ys = tensors[op.outputs[0]].shape
            let rows = op.params[0..<ys[1]].map { Int32($0) }, cols = op.params[ys[1]...].map { Int32($0) }
            let x = int8(op.inputs[0]), y = int8(op.outputs[0])
            let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3]
            return {
                for n in 0..<xs[0] {
                    octk_s8_resize_nearest_nhwc(x + n * inImage, Int32(xs[2]), Int32(xs[3]), Int32(ys[1]), Int32(ys[2]), rows, cols, y + n * outImage)
                }
            }
        case .quantize: return try prepareQuantize(op)
        case .dequantize:
            let x = int8(op.inputs[0]), y = float(op.outputs[0]), count = tensors[op.inputs[0]].elementCount
            let s = scale(op.inputs[0]), z = zeroPoint(op.inputs[0])
            return { octk_qs8_dequantize__reference(x, count, s, z, y) }
        case .requantize:
            let x = int8(op.inputs[0]), y = int8(op.outputs[0]), count = tensors[op.inputs[0]].elementCount
            let zi = zeroPoint(op.inputs[0]), zo = zeroPoint(op.outputs[0]), m = op.params[0], s = op.params[1]
            return { octk_qs8_requantize__reference(x, count, zi, zo, m, s, y) }
        case .softmaxF32: return prepareSoftmax(op)
        case .binaryF32: return prepareBinaryF32(op)
        case .resizeLinearF32: return prepareResizeLinearF32(op)
        case .convTransposeF32: return prepareConvTransposeF32(op)
        case .matMulF32:
            let a = UnsafePointer(float(op.inputs[0])), b = UnsafePointer(float(op.inputs[1])), y = float(op.outputs[0])
            let sa = tensors[op.inputs[0]].shape, n = tensors[op.inputs[1]].shape[1]
            return { octk_f32_gemm__reference(sa[0], n, sa[1], a, sa[1], b, n, y, n) }
        case .padF32: return preparePadF32(op)
        }
    }

    func window(_ p: [Int32], input: [Int], output: [Int]) -> octk_window {
        octk_window(in_h: Int32(input[1]), in_w: Int32(input[2]), kernel_h: p[0], kernel_w: p[1], stride_h: p[2], stride_w: p[3],
                    dilation_h: p[4], dilation_w: p[5], pad_top: p[6], pad_left: p[7], pad_bottom: p[8], pad_right: p[9],
                    out_h: Int32(output[1]), out_w: Int32(output[2]))
    }

    func prepareConvolution(_ op: OpDescription) -> () -> Void {
        let xt = op.inputs[0], yt = op.outputs[0]
        let xs = tensors[xt].shape, ys = tensors[yt].shape
        var win = window(op.params, input: xs, output: ys)
        var q = octk_qs8_requant(bias: int32(op.inputs[2]), multiplier: int32(op.inputs[3]), shift: int32(op.inputs[4]),
                                 input_zero_point: zeroPoint(xt), output_zero_point: zeroPoint(yt), lo: op.params[11], hi: op.params[12])
        let x = UnsafePointer(int8(xt)), w = UnsafePointer(int8(op.inputs[1])), y = int8(yt)
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3]
        let channels = Int32(xs[3]), p10 = op.params[10]
        if op.code == .depthwiseConv2D {
            return {
                for n in 0..<xs[0] { octk_qs8_dwconv_nhwc__reference(x + n * inImage, channels, p10, w, &win, &q, y + n * outImage) }
            }
        }
        let outChannels = Int32(ys[3])
        return {
            for n in 0..<xs[0] { octk_qs8_conv_nhwc__reference(x + n * inImage, channels, p10, w, outChannels, &win, &q, y + n * outImage) }
        }
    }

    func prepareFullyConnected(_ op: OpDescription) -> () -> Void {
        let xt = op.inputs[0], yt = op.outputs[0]
        let xs = tensors[xt].shape, ws = tensors[op.inputs[1]].shape
        var q = octk_qs8_requant(bias: int32(op.inputs[2]), multiplier: int32(op.inputs[3]), shift: int32(op.inputs[4]),
                                 input_zero_point: zeroPoint(xt), output_zero_point: zeroPoint(yt), lo: op.params[0], hi: op.params[1])
        let x = UnsafePointer(int8(xt)), w = UnsafePointer(int8(op.inputs[1])), y = int8(yt)
        return { octk_qs8_fully_connected__reference(x, xs[0], xs[1], w, ws[0], &q, y) }
    }

    func preparePool(_ op: OpDescription) -> () -> Void {
        let xs = tensors[op.inputs[0]].shape, ys = tensors[op.outputs[0]].shape
        var win = window(op.params, input: xs, output: ys)
        let x = UnsafePointer(int8(op.inputs[0])), y = int8(op.outputs[0])
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3], channels = Int32(xs[3])
        if op.code == .maxPool2D {
            let maxpool = kernels.igemm?.maxpool ?? octk_qs8_maxpool_nhwc__reference
            return { for n in 0..<xs[0] { maxpool(x + n * inImage, channels, &win, y + n * outImage) } }
        }
        let includePad = op.params[10], z = zeroPoint(op.inputs[0])
        let average = kernels.igemm?.avgpool ?? octk_qs8_avgpool_nhwc__reference
        return { for n in 0..<xs[0] { average(x + n * inImage, channels, &win, includePad, z, y + n * outImage) } }
    }

    func prepareGlobalAveragePool(_ op: OpDescription) -> () -> Void {
        let xs = tensors[op.inputs[0]].shape
        let x = UnsafePointer(int8(op.inputs[0])), y = int8(op.outputs[0])
        let pixels = xs[1] * xs[2], channels = xs[3]
        let zi = zeroPoint(op.inputs[0]), zo = zeroPoint(op.outputs[0]), m = op.params[0], s = op.params[1]
        let pool = kernels.igemm?.global_avgpool ?? octk_qs8_global_avgpool_nhwc__reference
        return {
            for n in 0..<xs[0] {
                pool(x + n * pixels * channels, pixels, Int32(channels), zi, zo, m, s, y + n * channels)
            }
        }
    }
}

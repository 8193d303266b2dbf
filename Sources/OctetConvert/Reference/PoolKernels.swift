import OctetKernels

/// Max/average/global pooling and Resize on NHWC storage.
extension FloatExecutor {
    func preparePool(_ node: Node, _ p: PoolParams, isMax: Bool) throws -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        try require(x, .channelsLast, node)
        try require(y, .channelsLast, node)
        let xs = graph[x].shape
        var window = try octkWindow(input: xs, output: [xs[0], xs[1], p.outH, p.outW], kernel: (p.kernelH, p.kernelW),
                                stride: (p.strideH, p.strideW), dilation: (p.dilationH, p.dilationW),
                                pads: (p.padTop, p.padLeft, p.padBottom, p.padRight))
        let input = pointer(x), out = pointer(y), channels = Int32(xs[1])
        let includePad: Int32 = p.countIncludePad ? 1 : 0
        let inImage = xs[1] * xs[2] * xs[3], outImage = xs[1] * p.outH * p.outW
        if isMax, let path = fastPath {
            // Indirection with padding taps on a row of −∞ (never wins), split over the pool.
            let taps = p.kernelH * p.kernelW, pixels = p.outH * p.outW, batch = xs[0]
            let ninf = allocateOwned(Float.self, count: xs[1])
            ninf.update(repeating: -.infinity, count: xs[1])
            let ind = allocateOwned(UnsafePointer<Float>?.self, count: batch * pixels * taps)
            for n in 0..<batch {
                octk_f32_conv_indirection(input + n * inImage, xs[1], xs[3] * xs[1], &window, ninf, ind + n * pixels * taps)
            }
            return { [unowned self] in
                for n in 0..<batch {
                    octk_f32_maxpool_run(self.pool, path, ind + n * pixels * taps, Int32(taps), channels, pixels, out + n * outImage)
                }
            }
        }
        return {
            for n in 0..<xs[0] {
                if isMax { octk_f32_maxpool_nhwc(input + n * inImage, channels, &window, out + n * outImage) }
                else { octk_f32_avgpool_nhwc(input + n * inImage, channels, &window, includePad, out + n * outImage) }
            }
        }
    }

    func prepareGlobalPool(_ node: Node, isMax: Bool) throws -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        let xs = graph[x].shape
        let channels = xs[1], pixels = xs.dropFirst(2).reduce(1, *)
        let input = pointer(x), out = pointer(y), batch = xs[0]
        if graph[x].layout == .plain && pixels > 1 && channels > 1 {
            // Plain NC… storage (rank ≠ 4): pool each channel's contiguous plane.
            return {
                for c in 0..<(batch * channels) {
                    octk_f32_global_pool_nhwc(input + c * pixels, pixels, 1, isMax ? 1 : 0, out + c)
                }
            }
        }
        return {
            for n in 0..<batch {
                octk_f32_global_pool_nhwc(input + n * pixels * channels, pixels, Int32(channels), isMax ? 1 : 0, out + n * channels)
            }
        }
    }

    func prepareResize(_ node: Node, _ p: ResizeParams) throws -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        try require(x, .channelsLast, node)
        try require(y, .channelsLast, node)
        let xs = graph[x].shape, ys = graph[y].shape
        let rows = ResizeTaps(p, axis: 2, inSize: xs[2], outSize: ys[2])
        let cols = ResizeTaps(p, axis: 3, inSize: xs[3], outSize: ys[3])
        let input = pointer(x), out = pointer(y)
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3]
        return {
            for n in 0..<xs[0] {
                octk_f32_resize_nhwc(input + n * inImage, Int32(xs[3]), Int32(xs[1]), Int32(ys[2]), Int32(ys[3]),
                                     rows.first, rows.second, rows.weight, cols.first, cols.second, cols.weight, out + n * outImage)
            }
        }
    }
}

/// Per output coordinate along one axis: the two input taps and the weight of the second,
/// following ONNX Resize's coordinate transforms and nearest rounding modes.
struct ResizeTaps {
    var first: [Int32], second: [Int32], weight: [Float]

    init(_ p: ResizeParams, axis: Int, inSize: Int, outSize: Int) {
        first = []; second = []; weight = []
        let scale = p.scales[axis]
        for o in 0..<outSize {
            let x = Float(o)
            var src: Float
            switch p.transform {
            case .halfPixel: src = (x + 0.5) / scale - 0.5
            case .pytorchHalfPixel: src = outSize > 1 ? (x + 0.5) / scale - 0.5 : 0
            case .alignCorners:
                // The resized length is `in·scale` before flooring (onnx's reference; equals
                // the output size when `sizes` was given).
                let resized = Float(inSize) * scale
                src = outSize == 1 || resized <= 1 ? 0 : x * Float(inSize - 1) / (resized - 1)
            case .asymmetric: src = x / scale
            case .tfHalfPixelForNN: src = (x + 0.5) / scale
            case .halfPixelSymmetric:
                let adjustment = Float(outSize) / (scale * Float(inSize))
                let center = Float(inSize) / 2
                src = center * (1 - adjustment) + (x + 0.5) / scale - 0.5
            }
            switch p.mode {
            case .nearest:
                var i: Int
                switch p.nearest {
                case .roundPreferFloor: i = src == src.rounded(.down) + 0.5 ? Int(src.rounded(.down)) : Int(src.rounded())
                case .roundPreferCeil: i = Int(src.rounded(.toNearestOrAwayFromZero))
                case .floor: i = Int(src.rounded(.down))
                case .ceil: i = Int(src.rounded(.up))
                case .legacySimple: i = scale < 1 ? Int(src.rounded(.up)) : Int(src.rounded(.down))
                }
                i = min(max(i, 0), inSize - 1)
                first.append(Int32(i)); second.append(Int32(i)); weight.append(0)
            case .linear:
                let clamped = min(max(src, 0), Float(inSize - 1))
                let i0 = Int(clamped.rounded(.down))
                let i1 = min(i0 + 1, inSize - 1)
                first.append(Int32(i0)); second.append(Int32(i1)); weight.append(clamped - Float(i0))
            }
        }
    }
}

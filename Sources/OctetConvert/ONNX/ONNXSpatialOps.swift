/// Conv, ConvTranspose, MaxPool/AveragePool and BatchNormalization import: attribute defaults
/// per the ONNX spec, auto_pad and ceil_mode resolved into explicit pads and output sizes.
extension ImportContext {
    /// Spatial attributes shared by Conv and pools, for 2-D inputs `[N, C, H, W]`.
    struct Window {
        var kernel: [Int], strides: [Int], dilations: [Int]
        /// begin H, begin W, end H, end W.
        var pads: [Int]
    }

    func window(_ node: ONNXNode, input: [Int], kernel: [Int]) throws -> Window {
        guard input.count == 4 else {
            throw node.unsupported("\(input.count - 2)-D spatial input \(input); only 2-D (NCHW) is implemented")
        }
        let a = node.attributes
        guard kernel.count == 2, kernel.allSatisfy({ $0 > 0 }) else { throw node.invalid("kernel shape \(kernel)") }
        let strides = try a.ints("strides") ?? [1, 1]
        let dilations = try a.ints("dilations") ?? [1, 1]
        guard strides.count == 2, dilations.count == 2, (strides + dilations).allSatisfy({ $0 > 0 }) else {
            throw node.invalid("strides \(strides) / dilations \(dilations)")
        }
        var pads = try a.ints("pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 }) else { throw node.invalid("pads \(pads)") }
        let autoPad = try a.string("auto_pad", default: "NOTSET")
        switch autoPad {
        case "NOTSET": break
        case "VALID": pads = [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            for axis in 0..<2 {
                let size = input[2 + axis]
                let out = (size + strides[axis] - 1) / strides[axis]
                let total = max(0, (out - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - size)
                let small = total / 2, large = total - small
                pads[axis] = autoPad == "SAME_UPPER" ? small : large
                pads[axis + 2] = autoPad == "SAME_UPPER" ? large : small
            }
        default: throw node.invalid("auto_pad '\(autoPad)'")
        }
        // The kernels take int32 windows (and the .octet format dimensions ≤ 2^30).
        guard (kernel + strides + dilations + pads).allSatisfy({ $0 <= 1 << 30 }) else {
            throw node.invalid("kernel \(kernel), strides \(strides), dilations \(dilations), pads \(pads): a value above 2^30")
        }
        return Window(kernel: kernel, strides: strides, dilations: dilations, pads: pads)
    }

    mutating func importConv(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0), w = try input(node, 1)
        let b = try optionalInput(node, 2)
        let ws = shape(w)
        guard ws.count == 4 else { throw node.unsupported("weight of rank \(ws.count); only 2-D convolution is implemented") }
        let kernel = try node.attributes.ints("kernel_shape") ?? Array(ws[2...])
        guard kernel == Array(ws[2...]) else { throw node.invalid("kernel_shape \(kernel) disagrees with weight \(ws)") }
        let win = try window(node, input: shape(x), kernel: kernel)
        let groups = try node.attributes.int("group", default: 1)
        let p = ConvParams(kernelH: kernel[0], kernelW: kernel[1], strideH: win.strides[0], strideW: win.strides[1],
                           dilationH: win.dilations[0], dilationW: win.dilations[1],
                           padTop: win.pads[0], padLeft: win.pads[1], padBottom: win.pads[2], padRight: win.pads[3],
                           groups: groups)
        return try emit(node, .conv(p), inputs: [x, w] + (b.map { [$0] } ?? []))
    }

    mutating func importConvTranspose(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0), w = try input(node, 1)
        let b = try optionalInput(node, 2)
        let xs = shape(x), ws = shape(w)
        guard xs.count == 4, ws.count == 4 else { throw node.unsupported("only 2-D transposed convolution is implemented") }
        let a = node.attributes
        let kernel = try a.ints("kernel_shape") ?? Array(ws[2...])
        guard kernel == Array(ws[2...]) else { throw node.invalid("kernel_shape \(kernel) disagrees with weight \(ws)") }
        guard ws[0] == xs[1] else { throw node.invalid("weight \(ws) does not take \(xs[1]) input channels") }
        let strides = try a.ints("strides") ?? [1, 1]
        let dilations = try a.ints("dilations") ?? [1, 1]
        var outputPadding = try a.ints("output_padding") ?? [0, 0]
        var pads = try a.ints("pads") ?? [0, 0, 0, 0]
        guard kernel.count == 2, strides.count == 2, dilations.count == 2, outputPadding.count == 2, pads.count == 4,
              (kernel + strides + dilations).allSatisfy({ $0 > 0 }), (pads + outputPadding).allSatisfy({ $0 >= 0 }),
              (kernel + strides + dilations + pads + outputPadding).allSatisfy({ $0 <= 1 << 30 }) else {
            throw node.invalid("kernel \(kernel), strides \(strides), dilations \(dilations), pads \(pads), output_padding \(outputPadding)")
        }
        let autoPad = try a.string("auto_pad", default: "NOTSET")
        var target: [Int]? = nil
        // Spatial sizes up to 2^30 (the kernels' int32 windows) keep the arithmetic below in range.
        guard xs[2] <= 1 << 30, xs[3] <= 1 << 30 else { throw node.invalid("input \(xs) is larger than 2^30 in a spatial axis") }
        if let outputShape = try a.ints("output_shape") {
            guard outputShape.count >= 2, outputShape.suffix(2).allSatisfy({ (1...(1 << 30)).contains($0) }) else {
                throw node.invalid("output_shape \(outputShape)")
            }
            target = Array(outputShape.suffix(2))
        } else if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
            target = [xs[2] * strides[0], xs[3] * strides[1]]
        } else if autoPad == "VALID" {
            pads = [0, 0, 0, 0]
        } else if autoPad != "NOTSET" {
            throw node.invalid("auto_pad '\(autoPad)'")
        }
        if let target {
            for axis in 0..<2 {
                let full = strides[axis] * (xs[2 + axis] - 1) + outputPadding[axis] + (kernel[axis] - 1) * dilations[axis] + 1
                var total = full - target[axis]
                if total < 0 { outputPadding[axis] += -total; total = 0 }
                let upper = autoPad == "SAME_UPPER"
                pads[axis] = upper ? total / 2 : total - total / 2
                pads[axis + 2] = upper ? total - total / 2 : total / 2
            }
        }
        let p = ConvTransposeParams(kernelH: kernel[0], kernelW: kernel[1], strideH: strides[0], strideW: strides[1],
                                    dilationH: dilations[0], dilationW: dilations[1],
                                    padTop: pads[0], padLeft: pads[1], padBottom: pads[2], padRight: pads[3],
                                    outputPaddingH: outputPadding[0], outputPaddingW: outputPadding[1],
                                    groups: try a.int("group", default: 1), activation: .none)
        return try emit(node, .convTranspose(p), inputs: [x, w] + (b.map { [$0] } ?? []))
    }

    mutating func importPool(_ node: ONNXNode) throws -> [Operand] {
        if node.proto.output.count > 1, !node.proto.output[1].isEmpty {
            throw node.unsupported("MaxPool Indices output")
        }
        let x = try input(node, 0)
        let a = node.attributes
        guard let kernel = try a.ints("kernel_shape") else { throw node.invalid("kernel_shape is required") }
        try a.require("storage_order", in: [0], default: 0)
        let xs = shape(x)
        let win = try window(node, input: xs, kernel: kernel)
        let ceilMode = try a.int("ceil_mode", default: 0) != 0
        let autoPad = try a.string("auto_pad", default: "NOTSET")
        var out = [0, 0]
        for axis in 0..<2 {
            if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
                out[axis] = (xs[2 + axis] + win.strides[axis] - 1) / win.strides[axis]
            } else {
                out[axis] = PoolParams.outputSize(xs[2 + axis], kernel: kernel[axis], stride: win.strides[axis],
                                                  dilation: win.dilations[axis], padBegin: win.pads[axis],
                                                  padEnd: win.pads[axis + 2], ceilMode: ceilMode)
            }
            guard out[axis] > 0 else { throw node.invalid("pooling window \(kernel) does not fit input \(xs)") }
        }
        let p = PoolParams(kernelH: kernel[0], kernelW: kernel[1], strideH: win.strides[0], strideW: win.strides[1],
                           dilationH: win.dilations[0], dilationW: win.dilations[1],
                           padTop: win.pads[0], padLeft: win.pads[1], padBottom: win.pads[2], padRight: win.pads[3],
                           outH: out[0], outW: out[1],
                           countIncludePad: try a.int("count_include_pad", default: 0) != 0)
        return try emit(node, node.opType == "MaxPool" ? .maxPool(p) : .averagePool(p), inputs: [x])
    }

    /// Inference-mode BatchNormalization becomes a per-channel affine op:
    /// `scale = γ/√(σ²+ε)`, `shift = β − μ·scale` (computed in Double).
    mutating func importBatchNorm(_ node: ONNXNode) throws -> [Operand] {
        let training = try node.attributes.int("training_mode", default: 0) != 0
        if training || node.proto.output.dropFirst().contains(where: { !$0.isEmpty }) {
            throw node.unsupported("BatchNormalization in training mode")
        }
        let x = try input(node, 0)
        var params: [[Float]] = []
        for (i, what) in ["scale", "B", "mean", "var"].enumerated() {
            guard let t = try constantInput(node, i + 1, what) else { throw node.invalid("input '\(what)' is missing") }
            params.append(t.floatTensor.data)
        }
        let channels = shape(x).count > 1 ? shape(x)[1] : 1
        guard params.allSatisfy({ $0.count == channels }) else {
            throw node.invalid("scale/B/mean/var must each have \(channels) values")
        }
        let epsilon = Double(try node.attributes.float("epsilon", default: 1e-5))
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            let s = Double(params[0][c]) / (Double(params[3][c]) + epsilon).squareRoot()
            scale[c] = Float(s)
            shift[c] = Float(Double(params[1][c]) - Double(params[2][c]) * s)
        }
        let scaleID = graph.addConstant(name: graph.uniqueName(node.name + ".scale"), Tensor(shape: [channels], data: scale))
        let shiftID = graph.addConstant(name: graph.uniqueName(node.name + ".shift"), Tensor(shape: [channels], data: shift))
        return try emit(node, .channelAffine(activation: .none), inputs: [x, scaleID, shiftID])
    }
}

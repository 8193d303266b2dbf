import Foundation
import OctetRuntime

/// One IR node → int8 ops. Each case names the spec rule it implements.
extension Int8Lowering {
    func unsupported(_ node: Node, _ what: String) -> ConvertError {
        .unsupported(node: node.name, opType: node.op.name, what: what)
    }

    func weights(_ node: Node, _ id: ValueID) throws -> Tensor {
        guard let t = graph.constants[id] else { throw unsupported(node, "int8 needs constant weights ('\(graph[id].name)' is computed)") }
        guard t.data.allSatisfy(\.isFinite) else {
            throw ConvertError.invalidNode(node: node.name, opType: node.op.name, what: "weights '\(graph[id].name)' contain NaN or infinity")
        }
        return t
    }

    func window(_ p: PoolParams) -> Window {
        Window(kernel: (p.kernelH, p.kernelW), stride: (p.strideH, p.strideW), dilation: (p.dilationH, p.dilationW),
               pads: (p.padTop, p.padLeft, p.padBottom, p.padRight))
    }

    mutating func lower(_ node: Node) throws {
        switch node.op {
        case let .conv(p): try lowerConv(node, p)
        case let .fullyConnected(p): try lowerFullyConnected(node, alpha: p.alpha, beta: p.beta, activation: p.activation)
        case .matMul:
            guard graph[node.inputs[0]].shape.count == 2, graph[node.inputs[1]].shape.count == 2 else {
                throw unsupported(node, "batched MatMul (rank > 2)")
            }
            if graph.isConstant(node.inputs[1]) {
                try lowerFullyConnected(node, alpha: 1, beta: 1, activation: .none)
            } else {
                matMulFallback(node)
            }
        case let .maxPool(p):
            emit(MaxPool2DParams(window: window(p)), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case let .averagePool(p):
            emit(AveragePool2DParams(window: window(p), countIncludePad: p.countIncludePad), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case .globalAveragePool:
            let s = graph[node.inputs[0]].shape
            guard s.count == 4 else { throw unsupported(node, "global pooling of rank \(s.count)") }
            // q_out = z_out + round(M·(Σq − HW·z_in)), M = s_in/(s_out·HW).
            let m = Double(quant[node.inputs[0]]!.scale) / (Double(quant[node.outputs[0]]!.scale) * Double(s[2] * s[3]))
            emit(GlobalAveragePoolParams(output: try requantScale(m, node, "output")), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case .globalMaxPool:
            let s = graph[node.inputs[0]].shape
            guard s.count == 4 else { throw unsupported(node, "global pooling of rank \(s.count)") }
            emit(MaxPool2DParams(window: Window(kernel: (s[2], s[3]))), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case let .channelAffine(activation): try lowerChannelAffine(node, activation)
        case let .binary(op, activation): try lowerBinary(node, op, activation)
        case let .unary(op): try lowerUnary(node, op)
        case .prelu:
            if let slope = graph.constants[node.inputs[1]], Set(slope.data).count == 1 {
                let a = Double(slope.data[0])
                try lookupTable(node) { $0 >= 0 ? $0 : a * $0 }
            } else {
                try binaryFallback(node, code: 4, activation: .none)  // per-channel slope: f32
            }
        case let .softmax(axis, legacy): try lowerSoftmax(node, axis: axis, legacy: legacy)
        case .reshape:
            emit(ReshapeParams(), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case let .transpose(perm): lowerTranspose(node, perm)
        case .identity: lowerTranspose(node, Array(0..<graph[node.inputs[0]].shape.count))
        case let .concat(axis):
            let order = StorageLayout.storedOrder(graph[node.outputs[0]])
            let inputs = try node.inputs.map { id -> Int in
                guard !graph.isConstant(id) else { throw unsupported(node, "Concat of a constant in int8") }
                guard StorageLayout.storedOrder(graph[id]) == order else { throw unsupported(node, "Concat of inputs stored in different layouts") }
                return int8(id)
            }
            emit(ConcatParams(axis: Int32(order.firstIndex(of: axis)!)), inputs, [int8(node.outputs[0])])
        case let .pad(pads, value, mode):
            guard mode == .constant, value == 0, pads.allSatisfy({ $0 >= 0 }) else {
                padFallback(node, pads, value, mode)  // reflect/edge, non-zero value, cropping: f32
                break
            }
            let order = StorageLayout.storedOrder(graph[node.inputs[0]]), r = order.count
            emit(PadParams(begin: order.map { Int32(pads[$0]) }, end: order.map { Int32(pads[$0 + r]) }), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case let .slice(p):
            let order = StorageLayout.storedOrder(graph[node.inputs[0]])
            guard StorageLayout.storedOrder(graph[node.outputs[0]]) == order else { throw unsupported(node, "Slice changing layout") }
            emit(OctetRuntime.SliceParams(starts: order.map { Int32(p.starts[$0]) }, steps: order.map { Int32(p.steps[$0]) }), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case let .resize(p):
            guard p.mode == .nearest else { resizeLinearFallback(node, p); break }
            let xs = graph[node.inputs[0]].shape, ys = graph[node.outputs[0]].shape
            let rows = ResizeTaps(p, axis: 2, inSize: xs[2], outSize: ys[2]), cols = ResizeTaps(p, axis: 3, inSize: xs[3], outSize: ys[3])
            emit(ResizeNearestParams(rows: rows.first, cols: cols.first), [int8(node.inputs[0])], [int8(node.outputs[0])])
        case let .convTranspose(p):
            try convTransposeFallback(node, p)
        case let .lrn(p): try lrnFallback(node, p)
        }
    }

    /// Conv / depthwise conv: weights to the canonical layouts `[O,kH,kW,C/g]` / `[1,kH,kW,C·m]`.
    mutating func lowerConv(_ node: Node, _ p: ConvParams) throws {
        let x = node.inputs[0], y = node.outputs[0]
        let w = try weights(node, node.inputs[1])
        let o = w.shape[0], cg = w.shape[1], taps = p.kernelH * p.kernelW
        let channels = graph[x].shape[1]
        let depthwise = cg == 1 && p.groups == channels
        let perChannel = cg * taps
        let (q, scales) = QuantizationMath.quantizeWeights(w.data, channels: o, bits: options.weightBits) { $0 / perChannel }
        var packed = [Int8](repeating: 0, count: q.count)
        let shape: [Int]
        if depthwise {
            for oc in 0..<o { for t in 0..<taps { packed[t * o + oc] = q[oc * taps + t] } }
            shape = [1, p.kernelH, p.kernelW, o]
        } else {
            for oc in 0..<o { for ci in 0..<cg { for t in 0..<taps { packed[(oc * taps + t) * cg + ci] = q[(oc * cg + ci) * taps + t] } } }
            shape = [o, p.kernelH, p.kernelW, cg]
        }
        let bias = node.inputs.count > 2 ? try weights(node, node.inputs[2]).data : [Float](repeating: 0, count: o)
        let wt = constant(graph[node.inputs[1]].name, .int8, shape, packed.bytes, Quantization(channelScales: scales, axis: depthwise ? 3 : 0))
        let requant = try requantization(node, input: x, output: y, weightScales: scales, bias: bias)
        let (lo, hi) = QuantizationMath.clampBounds(p.activation, output: quant[y]!)
        let window = Window(kernel: (p.kernelH, p.kernelW), stride: (p.strideH, p.strideW), dilation: (p.dilationH, p.dilationW),
                            pads: (p.padTop, p.padLeft, p.padBottom, p.padRight))
        if depthwise {
            emit(DepthwiseConv2DParams(window: window, multiplier: Int32(o / channels), lo: lo, hi: hi), [int8(x), wt] + requant, [int8(y)])
        } else {
            emit(Conv2DParams(window: window, groups: Int32(p.groups), lo: lo, hi: hi), [int8(x), wt] + requant, [int8(y)])
        }
    }

    /// Bias (scale s_in·s_w[c]) and binary32 requantization scale (s_in·s_w[c]/s_out) constants.
    mutating func requantization(_ node: Node, input: ValueID, output: ValueID, weightScales: [Float], bias: [Float]) throws -> [Int] {
        let sIn = quant[input]!.scale, sOut = quant[output]!.scale
        let b = QuantizationMath.quantizeBias(bias, inputScale: sIn, weightScales: weightScales)
        var scales: [Float] = []
        for (c, sw) in weightScales.enumerated() { scales.append(try requantScale(Double(sIn) * Double(sw) / Double(sOut), node, "channel \(c)").value) }
        return [int32Constant(node.name + ".bias", b),
                constant(node.name + ".scale", .float32, [scales.count], scales.map { Int32(bitPattern: $0.bitPattern) }.littleEndianBytes)]
    }

    /// `y = act(α·A·B + β·C)` with constant B `[K,N]` → weights `[N,K]` (α folded), bias β·C.
    mutating func lowerFullyConnected(_ node: Node, alpha: Float, beta: Float, activation: Activation) throws {
        let x = node.inputs[0], y = node.outputs[0]
        let b = try weights(node, node.inputs[1])
        let k = b.shape[0], n = b.shape[1]
        var wt = [Float](repeating: 0, count: k * n)
        for kk in 0..<k { for nn in 0..<n { wt[nn * k + kk] = alpha * b.data[kk * n + nn] } }
        var bias = [Float](repeating: 0, count: n)
        if node.inputs.count > 2 {
            let c = try weights(node, node.inputs[2])
            guard c.count == n || c.count == 1, c.shape.count <= 1 || c.shape.dropLast().allSatisfy({ $0 == 1 }) else {
                throw unsupported(node, "bias C of shape \(c.shape) (only [N] or scalar) in int8")
            }
            bias = (0..<n).map { beta * c.data[c.count == 1 ? 0 : $0] }
        }
        let (q, scales) = QuantizationMath.quantizeWeights(wt, channels: n, bits: options.weightBits) { $0 / k }
        let w = constant(graph[node.inputs[1]].name, .int8, [n, k], q.bytes, Quantization(channelScales: scales, axis: 0))
        let requant = try requantization(node, input: x, output: y, weightScales: scales, bias: bias)
        let (lo, hi) = QuantizationMath.clampBounds(activation, output: quant[y]!)
        emit(OctetRuntime.FullyConnectedParams(lo: lo, hi: hi), [int8(x), w] + requant, [int8(y)])
    }

    /// Per-channel affine (pre-activation BN) as a 1×1 depthwise conv with weights ±qmax (127 or 63).
    mutating func lowerChannelAffine(_ node: Node, _ activation: Activation) throws {
        let x = node.inputs[0], y = node.outputs[0]
        guard graph[x].shape.count == 4, graph[x].layout == .channelsLast else { throw unsupported(node, "affine on a non-image tensor in int8") }
        let scale = try weights(node, node.inputs[1]).data, shift = try weights(node, node.inputs[2]).data
        let c = scale.count
        let (q, scales) = QuantizationMath.quantizeWeights(scale, channels: c, bits: options.weightBits) { $0 }
        let w = constant(node.name + ".scale", .int8, [1, 1, 1, c], q.bytes, Quantization(channelScales: scales, axis: 3))
        let requant = try requantization(node, input: x, output: y, weightScales: scales, bias: shift)
        let (lo, hi) = QuantizationMath.clampBounds(activation, output: quant[y]!)
        emit(DepthwiseConv2DParams(window: Window(kernel: (1, 1)), multiplier: 1, lo: lo, hi: hi), [int8(x), w] + requant, [int8(y)])
    }

    /// Storage-level permutation of a logical transpose between two stored layouts.
    mutating func lowerTranspose(_ node: Node, _ perm: [Int]) {
        let x = graph[node.inputs[0]], y = graph[node.outputs[0]]
        let inOrder = StorageLayout.storedOrder(x), outOrder = StorageLayout.storedOrder(y)
        // Output storage axis j holds logical output axis outOrder[j] = input axis perm[outOrder[j]].
        let storagePerm = outOrder.map { inOrder.firstIndex(of: perm[$0])! }
        let nonTrivial = storagePerm.enumerated().filter { StorageLayout.storedShape(x)[$0.element] > 1 }.map(\.element)
        if nonTrivial == nonTrivial.sorted() {
            emit(ReshapeParams(), [int8(node.inputs[0])], [int8(node.outputs[0])])  // same bytes in the same order
        } else {
            emit(TransposeParams(perm: storagePerm.map { Int32($0) }), [int8(node.inputs[0])], [int8(node.outputs[0])])
        }
    }
}

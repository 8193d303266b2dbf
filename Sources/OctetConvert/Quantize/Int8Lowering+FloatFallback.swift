import OctetRuntime

/// Ops without an int8 kernel run in float: their int8 inputs are dequantized (once per value),
/// the f32 op runs, and its output is quantized again unless it is a float graph output.
extension Int8Lowering {
    /// An f32 tensor with `id`'s data: a constant (broadcast-padded to `like`'s rank and stored in
    /// its order), or the dequantized int8 tensor.
    mutating func floatInput(_ id: ValueID, like: ValueID? = nil) -> Int {
        if let t = graph.constants[id] {
            var shape = t.shape, order = Array(0..<t.shape.count)
            if let like {
                shape = Array(repeating: 1, count: graph[like].shape.count - t.shape.count) + t.shape
                order = StorageLayout.storedOrder(graph[like])
            }
            let stored = Tensor(shape: shape, data: t.data).transposed(order)
            return constant(graph[id].name + ":f32", .float32, stored.shape, stored.data.floatBytes)
        }
        if let f = floatTensor[id] { return f }
        let f = float(id, suffix: ":f32")
        emit(DequantizeParams(), [int8(id)], [f])
        return f
    }

    /// The f32 output tensor of a fallback op on `y` (named `<value>:f32` unless it is a graph
    /// output, so the int8 twin keeps the value's name).
    mutating func floatOutput(_ y: ValueID) -> Int {
        graph.outputs.contains(y) && !options.int8Outputs ? float(y) : float(y, suffix: ":f32")
    }

    /// Quantizes a fallback's output for int8 readers (a graph output stays float).
    mutating func finishFloat(_ y: ValueID) {
        if !graph.outputs.contains(y) || options.int8Outputs { emit(QuantizeParams(), [float(y)], [int8(y)]) }
    }


    mutating func binaryFallback(_ node: Node, code: Int32, activation: Activation) throws {
        let y = node.outputs[0]
        for id in node.inputs where !graph.isConstant(id) {
            guard graph[id].shape.count == graph[y].shape.count, StorageLayout.storedOrder(graph[id]) == StorageLayout.storedOrder(graph[y]) else {
                throw unsupported(node, "operands of different rank or layout")
            }
        }
        let a = floatInput(node.inputs[0], like: y), b = floatInput(node.inputs[1], like: y)
        let (lo, hi) = activation.bounds
        emit(BinaryF32Params(operation: code, lo: lo, hi: hi), [a, b], [floatOutput(y)])
        finishFloat(y)
    }

    mutating func resizeLinearFallback(_ node: Node, _ p: ResizeParams) {
        let x = node.inputs[0], y = node.outputs[0]
        let xs = graph[x].shape, ys = graph[y].shape
        let taps = [(2, xs[2], ys[2]), (3, xs[3], ys[3])].map { axis, inSize, outSize in
            let t = ResizeTaps(p, axis: axis, inSize: inSize, outSize: outSize)
            return LinearTaps(first: t.first, second: t.second, weight: t.weight)
        }
        emit(ResizeLinearF32Params(rows: taps[0], cols: taps[1]), [floatInput(x)], [floatOutput(y)])
        finishFloat(y)
    }

    /// Weights `[C, O/g, kH, kW]` → rows `ci`, columns `(ky·kW+kx)·(O/g) + o`.
    mutating func convTransposeFallback(_ node: Node, _ p: ConvTransposeParams) throws {
        let x = node.inputs[0], y = node.outputs[0]
        let w = try weights(node, node.inputs[1])
        let channels = w.shape[0], og = w.shape[1], taps = p.kernelH * p.kernelW
        var packed = [Float](repeating: 0, count: w.count)
        for ci in 0..<channels { for o in 0..<og { for t in 0..<taps { packed[ci * taps * og + t * og + o] = w.data[(ci * og + o) * taps + t] } } }
        let outChannels = og * p.groups
        let bias = node.inputs.count > 2 ? try weights(node, node.inputs[2]).data : [Float](repeating: 0, count: outChannels)
        let wt = constant(graph[node.inputs[1]].name + ":f32", .float32, [channels, taps * og], packed.floatBytes)
        let bt = constant(node.name + ".bias:f32", .float32, [outChannels], bias.floatBytes)
        let xs = graph[x].shape
        let scratch = addTensor(TensorDescription(name: node.name + ".scratch", type: .float32, shape: [xs[2] * xs[3], taps * og], storage: .arena))
        let (lo, hi) = p.activation.bounds
        let window = Window(kernel: (p.kernelH, p.kernelW), stride: (p.strideH, p.strideW), dilation: (p.dilationH, p.dilationW),
                            pads: (p.padTop, p.padLeft, p.padBottom, p.padRight))
        emit(ConvTransposeF32Params(window: window, groups: Int32(p.groups), lo: lo, hi: hi), [floatInput(x), wt, bt], [floatOutput(y), scratch])
        finishFloat(y)
    }

    mutating func padFallback(_ node: Node, _ pads: [Int], _ value: Float, _ mode: PadMode) {
        let x = node.inputs[0], y = node.outputs[0]
        let order = StorageLayout.storedOrder(graph[x]), r = order.count
        let code: Int32 = mode == .constant ? 0 : mode == .reflect ? 1 : 2
        emit(PadF32Params(mode: code, value: value, begin: order.map { Int32(pads[$0]) }, end: order.map { Int32(pads[$0 + r]) }),
             [floatInput(x)], [floatOutput(y)])
        finishFloat(y)
    }

    mutating func matMulFallback(_ node: Node) {
        let y = node.outputs[0]
        emit(MatMulF32Params(), [floatInput(node.inputs[0]), floatInput(node.inputs[1])], [floatOutput(y)])
        finishFloat(y)
    }

    /// LRN has no int8 kernel: Dequantize → LRN(f32) over the NHWC storage → Quantize.
    mutating func lrnFallback(_ node: Node, _ p: LRNParams) throws {
        let x = node.inputs[0], y = node.outputs[0]
        guard graph[x].shape.count == 4, graph[x].layout == .channelsLast else { throw unsupported(node, "LRN of a non-image tensor in int8") }
        emit(LRNF32Params(size: Int32(p.size), alpha: p.alpha, beta: p.beta, bias: p.bias), [floatInput(x)], [floatOutput(y)])
        finishFloat(y)
    }
}

extension Array where Element == Float {
    var floatBytes: [UInt8] { flatMap { v in (0..<4).map { UInt8((v.bitPattern >> UInt32(8 * $0)) & 0xff) } } }
}

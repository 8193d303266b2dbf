import Foundation
import OctetRuntime

/// Add/Sub/Mul/Div, unaries as tables, and Softmax as a float fallback.
extension Int8Lowering {
    /// An int8 operand: the value's arena tensor, or a constant quantized with its own range,
    /// shaped to the output's rank in storage order (for broadcasting).
    mutating func operand(_ id: ValueID, output: ValueID, negate: Bool = false, reciprocal: Bool = false) throws -> (Int, ActivationQuantization) {
        guard var t = graph.constants[id] else {
            let out = graph[output], v = graph[id]
            guard StorageLayout.storedOrder(v) == StorageLayout.storedOrder(out), v.shape.count == out.shape.count else {
                throw ConvertError.unsupported(node: v.name, opType: "Binary", what: "operands of different rank or layout in int8")
            }
            return (int8(id), quant[id]!)
        }
        if negate { t.data = t.data.map { -$0 } }
        if reciprocal { t.data = t.data.map { 1 / $0 } }
        guard t.data.allSatisfy(\.isFinite) else {
            throw ConvertError.invalidNode(node: graph[id].name, opType: "Constant", what: "non-finite values")
        }
        let out = graph[output]
        let padded = Array(repeating: 1, count: out.shape.count - t.shape.count) + t.shape
        let order = StorageLayout.storedOrder(out)
        let stored = Tensor(shape: padded, data: t.data).transposed(order)
        let q = ActivationQuantization(lo: t.data.min() ?? 0, hi: t.data.max() ?? 0)
        let bytes = stored.data.map { UInt8(bitPattern: q.quantize($0)) }
        let index = constant(graph[id].name + (negate ? ".neg" : reciprocal ? ".recip" : ""), .int8, stored.shape, bytes,
                             Quantization(scale: q.scale, zeroPoint: q.zeroPoint))
        return (index, q)
    }

    mutating func lowerBinary(_ node: Node, _ op: BinaryOp, _ activation: Activation) throws {
        var a = node.inputs[0], b = node.inputs[1]
        let y = node.outputs[0]
        if graph.isConstant(a) && (op == .add || op == .mul) { swap(&a, &b) }
        // int8 kernels: Add/Mul of tensors or by constants, Sub/Div by constants, same layout.
        let sameLayout = [a, b].allSatisfy { graph.isConstant($0) || (graph[$0].shape.count == graph[y].shape.count
            && StorageLayout.storedOrder(graph[$0]) == StorageLayout.storedOrder(graph[y])) }
        if graph.isConstant(a) || ((op == .sub || op == .div) && !graph.isConstant(b)) || !sameLayout {
            let code: Int32 = op == .add ? 0 : op == .sub ? 1 : op == .mul ? 2 : 3
            try binaryFallback(node, code: code, activation: activation)
            return
        }
        let out = quant[y]!
        let (lo, hi) = QuantizationMath.clampBounds(activation, output: out)
        switch op {
        case .add, .sub:
            let (ta, qa) = try operand(a, output: y)
            let (tb, qb) = try operand(b, output: y, negate: op == .sub)
            // y = z_y + round((a − z_a)·s_a/s_y + (b − z_b)·s_b/s_y), in binary32.
            let params = AddParams(a: try requantScale(Double(qa.scale) / Double(out.scale), node, "input a"),
                                   b: try requantScale(Double(qb.scale) / Double(out.scale), node, "input b"), lo: lo, hi: hi)
            emit(params, [ta, tb], [int8(y)])
        case .mul, .div:
            let (ta, qa) = try operand(a, output: y)
            let (tb, qb) = try operand(b, output: y, reciprocal: op == .div)
            let m = try requantScale(Double(qa.scale) * Double(qb.scale) / Double(out.scale), node, "output")
            emit(MulParams(output: m, lo: lo, hi: hi), [ta, tb], [int8(y)])
        }
    }

    mutating func lowerUnary(_ node: Node, _ op: UnaryOp) throws {
        switch op {
        case .relu: try lookupTable(node) { max(0, $0) }
        case let .clip(lo, hi): try lookupTable(node) { min(max($0, Double(lo)), Double(hi)) }
        case let .leakyRelu(alpha): try lookupTable(node) { $0 >= 0 ? $0 : Double(alpha) * $0 }
        case .sigmoid: try lookupTable(node) { 1 / (1 + exp(-$0)) }
        case let .hardSigmoid(alpha, beta): try lookupTable(node) { max(0, min(1, Double(alpha) * $0 + Double(beta))) }
        case .hardSwish: try lookupTable(node) { $0 * max(0, min(1, $0 / 6 + 0.5)) }
        case .tanh: try lookupTable(node) { tanh($0) }
        }
    }

    mutating func lookupTable(_ node: Node, _ f: (Double) -> Double) throws {
        let x = node.inputs[0], y = node.outputs[0]
        let table = QuantizationMath.lookupTable(input: quant[x]!, output: quant[y]!, f)
        let t = constant(node.name + ".table", .int8, [256], table.bytes, Quantization(scale: quant[y]!.scale, zeroPoint: quant[y]!.zeroPoint))
        emit(LookupTableParams(), [int8(x), t], [int8(y)])
    }

    /// Softmax runs in float: Dequantize → Softmax(f32) → Quantize (the last only if an int8
    /// op reads the result; a graph output stays float).
    mutating func lowerSoftmax(_ node: Node, axis: Int, legacy: Bool) throws {
        let x = node.inputs[0], y = node.outputs[0], v = graph[x]
        if legacy && v.shape[(axis + 1)...].contains(where: { $0 != 1 }) && axis != v.shape.count - 1 {
            throw unsupported(node, "opset < 13 Softmax over several axes in int8")
        }
        let storageAxis = StorageLayout.storedOrder(v).firstIndex(of: axis)!
        emit(SoftmaxF32Params(axis: Int32(storageAxis)), [floatInput(x)], [floatOutput(y)])
        finishFloat(y)
    }
}

/// Per-opcode legality: operand counts, element types, storage, shapes (output shapes
/// recomputed from inputs and parameters) and parameter ranges, including the contents of
/// requantization constants. See `OpCode` for each op's operands and parameter words.
enum OpRules {
    /// Ops whose output may be placed on an input that dies at the op.
    static let inPlaceCapable: Set<OpCode> = [.add, .mul, .lookupTable, .requantize]

    static func check(_ op: OpDescription, index: Int, model m: ModelDescription,
                      constant: @escaping (Int) -> UnsafeRawBufferPointer?) throws {
        var c = Checker(op: op, index: index, model: m, constant: constant)
        switch op.code {
        case .conv2D, .depthwiseConv2D: try c.convolution(depthwise: op.code == .depthwiseConv2D)
        case .fullyConnected: try c.fullyConnected()
        case .maxPool2D, .averagePool2D: try c.pool(average: op.code == .averagePool2D)
        case .globalAveragePool: try c.globalAveragePool()
        case .add, .mul: try c.binary()
        case .lookupTable: try c.lookupTable()
        case .concat: try c.concat()
        case .reshape: try c.reshape()
        case .transpose: try c.transpose()
        case .pad: try c.pad()
        case .slice: try c.slice()
        case .resizeNearest: try c.resizeNearest()
        case .quantize: try c.unaryConversion(from: [ElementType.float32, .uint8], to: [ElementType.int8])
        case .dequantize: try c.unaryConversion(from: [ElementType.int8], to: [ElementType.float32])
        case .requantize: try c.requantize()
        case .softmaxF32: try c.softmax()
        case .binaryF32: try c.binaryF32()
        case .resizeLinearF32: try c.resizeLinearF32()
        case .convTransposeF32: try c.convTransposeF32()
        case .matMulF32: try c.matMulF32()
        case .padF32: try c.padF32()
        }
    }
}

/// Checks one op; every failure names the op index, opcode and the offending operand.
struct Checker {
    let op: OpDescription
    let index: Int
    let model: ModelDescription
    let constant: (Int) -> UnsafeRawBufferPointer?

    init(op: OpDescription, index: Int, model: ModelDescription, constant: @escaping (Int) -> UnsafeRawBufferPointer?) {
        self.op = op; self.index = index; self.model = model; self.constant = constant
    }

    /// Equal ranks; every axis of a and b is the output's extent or 1, and one of them matches.
    static func broadcasts(_ sa: [Int], _ sb: [Int], to sy: [Int]) -> Bool {
        guard sa.count == sy.count, sb.count == sy.count else { return false }
        for d in 0..<sy.count {
            let aFits: Bool = sa[d] == sy[d] || sa[d] == 1
            let bFits: Bool = sb[d] == sy[d] || sb[d] == 1
            if !aFits || !bFits || Swift.max(sa[d], sb[d]) != sy[d] { return false }
        }
        return true
    }

    func fail(_ s: String) -> OctetError { .op(index: index, code: op.code.description, s) }

    func tensor(_ t: Int) -> TensorDescription { model.tensors[t] }

    func operands(inputs: ClosedRange<Int>, outputs: Int, params: ClosedRange<Int>?) throws {
        guard inputs.contains(op.inputs.count) else { throw fail("has \(op.inputs.count) inputs, expects \(inputs)") }
        guard op.outputs.count == outputs else { throw fail("has \(op.outputs.count) outputs, expects \(outputs)") }
        if let params, !params.contains(op.params.count) { throw fail("has \(op.params.count) parameters, expects \(params)") }
    }

    /// Input or output `t` must have this type, storage and (when given) shape.
    func expect(_ t: Int, _ role: String, type: ElementType, constant: Bool = false, shape: [Int]? = nil, rank: Int? = nil) throws {
        let d = tensor(t)
        guard d.type == type else { throw fail("\(role) '\(d.name)' is \(d.type), expects \(type)") }
        guard (d.storage == .constant) == constant else { throw fail("\(role) '\(d.name)' must \(constant ? "" : "not ")be a constant") }
        if let shape, d.shape != shape { throw fail("\(role) '\(d.name)' has shape \(d.shape), expects \(shape)") }
        if let rank, d.shape.count != rank { throw fail("\(role) '\(d.name)' has rank \(d.shape.count), expects \(rank)") }
    }

    func sameQuantization(_ a: Int, _ b: Int) throws {
        guard tensor(a).quantization == tensor(b).quantization else {
            throw fail("'\(tensor(a).name)' and '\(tensor(b).name)' must share one quantization")
        }
    }

    func clamp(_ lo: Int32, _ hi: Int32) throws {
        guard -128 <= lo, lo <= hi, hi <= 127 else { throw fail("activation clamp [\(lo), \(hi)] is not inside [-128, 127]") }
    }

    /// A requantization pair: Q31 multiplier ≥ 0 and shift in [-31, 30].
    func multiplier(_ m: Int32, _ shift: Int32, _ what: String) throws {
        guard m >= 0 else { throw fail("\(what) multiplier \(m) is negative") }
        guard (-31...30).contains(shift) else { throw fail("\(what) shift \(shift) is outside [-31, 30]") }
    }

    /// Per-channel multiplier/shift constants of `count` entries.
    func channelRequantization(multiplier m: Int, shift s: Int, count: Int) throws {
        try expect(m, "multiplier", type: .int32, constant: true, shape: [count])
        try expect(s, "shift", type: .int32, constant: true, shape: [count])
        guard let mb = constant(m), let sb = constant(s), mb.count == 4 * count, sb.count == 4 * count else {
            throw fail("requantization constants are missing")
        }
        for c in 0..<count {
            let mv = Int32(bitPattern: UInt32(littleEndianBytes: mb, at: 4 * c))
            let sv = Int32(bitPattern: UInt32(littleEndianBytes: sb, at: 4 * c))
            try multiplier(mv, sv, "channel \(c)")
        }
    }

    /// Window words → output size, checked like the importer computes it.
    func window(_ p: ArraySlice<Int32>, input: [Int]) throws -> (h: Int, w: Int) {
        let v = p.map(Int.init)
        let (kh, kw, sh, sw, dh, dw, pt, pl, pb, pr) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9])
        // Kernels up to 1024 (a global max pool is one big window); stride and dilation up to 64.
        guard (1...1024).contains(kh), (1...1024).contains(kw), (1...64).contains(sh), (1...64).contains(sw),
              (1...64).contains(dh), (1...64).contains(dw) else {
            throw fail("kernel \(kh)×\(kw), stride \(sh)×\(sw), dilation \(dh)×\(dw) outside 1…1024 / 1…64")
        }
        guard [pt, pl, pb, pr].allSatisfy({ (0...1024).contains($0) }) else { throw fail("padding \([pt, pl, pb, pr]) outside 0…1024") }
        let spanH = input[1] + pt + pb - dh * (kh - 1) - 1, spanW = input[2] + pl + pr - dw * (kw - 1) - 1
        guard spanH >= 0, spanW >= 0 else { throw fail("window \(kh)×\(kw) does not fit input \(input)") }
        return (spanH / sh + 1, spanW / sw + 1)
    }

    mutating func convolution(depthwise: Bool) throws {
        try operands(inputs: 5...5, outputs: 1, params: 13...13)
        let x = op.inputs[0], w = op.inputs[1], y = op.outputs[0]
        try expect(x, "input", type: .int8, rank: 4)
        try expect(w, "weights", type: .int8, constant: true, rank: 4)
        try expect(y, "output", type: .int8, rank: 4)
        let xs = tensor(x).shape, ws = tensor(w).shape, ys = tensor(y).shape
        let (oh, ow) = try window(op.params[0..<10], input: xs)
        let outChannels: Int
        if depthwise {
            let m = Int(op.params[10])
            guard m >= 1, m <= 1 << 16 else { throw fail("channel multiplier \(m)") }
            outChannels = xs[3] * m
            guard ws == [1, Int(op.params[0]), Int(op.params[1]), outChannels] else {
                throw fail("weights \(ws), expects [1, \(op.params[0]), \(op.params[1]), \(outChannels)]")
            }
        } else {
            let groups = Int(op.params[10])
            guard groups >= 1, xs[3] % groups == 0, ws[0] % groups == 0 else { throw fail("groups \(groups) do not divide channels \(xs[3]) / \(ws[0])") }
            outChannels = ws[0]
            guard ws[1] == Int(op.params[0]), ws[2] == Int(op.params[1]), ws[3] == xs[3] / groups else {
                throw fail("weights \(ws) do not fit kernel \(op.params[0])×\(op.params[1]) over \(xs[3] / groups) channels per group")
            }
        }
        guard ys == [xs[0], oh, ow, outChannels] else { throw fail("output shape \(ys), expects \([xs[0], oh, ow, outChannels])") }
        try expect(op.inputs[2], "bias", type: .int32, constant: true, shape: [outChannels])
        try channelRequantization(multiplier: op.inputs[3], shift: op.inputs[4], count: outChannels)
        try clamp(op.params[11], op.params[12])
        guard tensor(x).quantization?.channelScales.isEmpty == true, tensor(y).quantization?.channelScales.isEmpty == true else {
            throw fail("activations must be quantized per tensor")
        }
    }

    mutating func fullyConnected() throws {
        try operands(inputs: 5...5, outputs: 1, params: 2...2)
        let x = op.inputs[0], w = op.inputs[1], y = op.outputs[0]
        try expect(x, "input", type: .int8, rank: 2)
        try expect(w, "weights", type: .int8, constant: true, rank: 2)
        let xs = tensor(x).shape, ws = tensor(w).shape
        guard ws[1] == xs[1] else { throw fail("weights \(ws) do not fit input \(xs)") }
        try expect(y, "output", type: .int8, shape: [xs[0], ws[0]])
        try expect(op.inputs[2], "bias", type: .int32, constant: true, shape: [ws[0]])
        try channelRequantization(multiplier: op.inputs[3], shift: op.inputs[4], count: ws[0])
        try clamp(op.params[0], op.params[1])
    }

    mutating func pool(average: Bool) throws {
        try operands(inputs: 1...1, outputs: 1, params: average ? 11...11 : 10...10)
        let x = op.inputs[0], y = op.outputs[0]
        try expect(x, "input", type: .int8, rank: 4)
        let xs = tensor(x).shape
        let (oh, ow) = try window(op.params[0..<10], input: xs)
        // ceil_mode may add one window; never a window starting past the padded input.
        let ys = tensor(y).shape
        guard ys.count == 4, ys[0] == xs[0], ys[3] == xs[3], (oh...(oh + 1)).contains(ys[1]), (ow...(ow + 1)).contains(ys[2]),
              (ys[1] - 1) * Int(op.params[2]) < xs[1] + Int(op.params[6]),
              (ys[2] - 1) * Int(op.params[3]) < xs[2] + Int(op.params[7]) else {
            throw fail("output shape \(ys) does not follow from input \(xs) and the window")
        }
        try expect(y, "output", type: .int8)
        try sameQuantization(x, y)
        if average, !(0...1).contains(op.params[10]) { throw fail("countIncludePad \(op.params[10])") }
    }

    mutating func globalAveragePool() throws {
        try operands(inputs: 1...1, outputs: 1, params: 2...2)
        try expect(op.inputs[0], "input", type: .int8, rank: 4)
        let xs = tensor(op.inputs[0]).shape
        try expect(op.outputs[0], "output", type: .int8, shape: [xs[0], 1, 1, xs[3]])
        try multiplier(op.params[0], op.params[1], "output")
        // The spec's int32 sum: Σ (x − z_in) over the pixels fits for fewer than 2^23 pixels.
        if xs[1] * xs[2] >= 1 << 23 { throw fail("\(xs[1] * xs[2]) pixels to average; at most 2^23 − 1") }
    }

    mutating func binary() throws {
        try operands(inputs: 2...2, outputs: 1, params: op.code == .add ? 9...9 : 4...4)
        let a = op.inputs[0], b = op.inputs[1], y = op.outputs[0]
        for (t, role) in [(a, "input a"), (b, "input b"), (y, "output")] {
            guard tensor(t).type == .int8 else { throw fail("\(role) '\(tensor(t).name)' is \(tensor(t).type), expects i8") }
        }
        let sa = tensor(a).shape, sb = tensor(b).shape, sy = tensor(y).shape
        guard Self.broadcasts(sa, sb, to: sy) else { throw fail("shapes \(sa) and \(sb) do not broadcast to \(sy)") }
        try expect(y, "output", type: .int8)
        let p = op.params
        if op.code == .add {
            guard (0...20).contains(p[0]) else { throw fail("left shift \(p[0]) outside 0…20") }
            try multiplier(p[1], p[2], "input a"); try multiplier(p[3], p[4], "input b"); try multiplier(p[5], p[6], "output")
            try clamp(p[7], p[8])
        } else {
            try multiplier(p[0], p[1], "output")
            try clamp(p[2], p[3])
        }
    }

    mutating func lookupTable() throws {
        try operands(inputs: 2...2, outputs: 1, params: 0...0)
        try expect(op.inputs[0], "input", type: .int8)
        try expect(op.inputs[1], "table", type: .int8, constant: true, shape: [256])
        try expect(op.outputs[0], "output", type: .int8, shape: tensor(op.inputs[0]).shape)
    }

    mutating func concat() throws {
        try operands(inputs: 1...OctetFormat.maxOperands, outputs: 1, params: 1...1)
        let y = op.outputs[0], ys = tensor(y).shape, axis = Int(op.params[0])
        guard (0..<ys.count).contains(axis) else { throw fail("axis \(axis) for rank \(ys.count)") }
        var total = 0
        for t in op.inputs {
            let s = tensor(t).shape
            guard tensor(t).type == tensor(y).type, s.count == ys.count,
                  (0..<s.count).allSatisfy({ $0 == axis || s[$0] == ys[$0] }) else {
                throw fail("input '\(tensor(t).name)' \(s) does not fit output \(ys) on axis \(axis)")
            }
            try sameQuantization(t, y)
            total += s[axis]
        }
        guard total == ys[axis] else { throw fail("inputs sum to \(total) on axis \(axis), output has \(ys[axis])") }
    }

    mutating func reshape() throws {
        try operands(inputs: 1...1, outputs: 1, params: 0...0)
        let x = tensor(op.inputs[0]), y = tensor(op.outputs[0])
        guard x.type == y.type, x.elementCount == y.elementCount else {
            throw fail("cannot reshape \(x.shape) \(x.type) to \(y.shape) \(y.type)")
        }
        try sameQuantization(op.inputs[0], op.outputs[0])
    }

    mutating func transpose() throws {
        let rank = tensor(op.inputs.first ?? 0).shape.count
        try operands(inputs: 1...1, outputs: 1, params: rank...rank)
        let perm = op.params.map(Int.init)
        guard Set(perm) == Set(0..<rank) else { throw fail("perm \(perm) for rank \(rank)") }
        let x = tensor(op.inputs[0])
        try expect(op.outputs[0], "output", type: x.type, shape: perm.map { x.shape[$0] })
        try sameQuantization(op.inputs[0], op.outputs[0])
    }

    mutating func pad() throws {
        let rank = tensor(op.inputs.first ?? 0).shape.count
        try operands(inputs: 1...1, outputs: 1, params: (2 * rank)...(2 * rank))
        let x = tensor(op.inputs[0])
        let pads = op.params.map(Int.init)
        guard pads.allSatisfy({ (0...OctetFormat.maxDimension).contains($0) }) else { throw fail("pads \(pads)") }
        try expect(op.outputs[0], "output", type: x.type, shape: (0..<rank).map { x.shape[$0] + pads[$0] + pads[$0 + rank] })
        try sameQuantization(op.inputs[0], op.outputs[0])
    }

    mutating func slice() throws {
        let rank = tensor(op.inputs.first ?? 0).shape.count
        try operands(inputs: 1...1, outputs: 1, params: (2 * rank)...(2 * rank))
        let x = tensor(op.inputs[0]), y = tensor(op.outputs[0])
        try expect(op.outputs[0], "output", type: x.type, rank: rank)
        for d in 0..<rank {
            let start = Int(op.params[d]), step = Int(op.params[rank + d]), count = y.shape[d]
            guard step != 0, (0..<x.shape[d]).contains(start) else { throw fail("axis \(d): start \(start), step \(step) for size \(x.shape[d])") }
            let lastIndex = start + (count - 1) * step
            guard (0..<x.shape[d]).contains(lastIndex) else { throw fail("axis \(d): \(count) elements from \(start) by \(step) leave size \(x.shape[d])") }
        }
        try sameQuantization(op.inputs[0], op.outputs[0])
    }

    mutating func resizeNearest() throws {
        try operands(inputs: 1...1, outputs: 1, params: nil)
        try expect(op.inputs[0], "input", type: .int8, rank: 4)
        try expect(op.outputs[0], "output", type: .int8, rank: 4)
        let xs = tensor(op.inputs[0]).shape, ys = tensor(op.outputs[0]).shape
        guard ys[0] == xs[0], ys[3] == xs[3], op.params.count == ys[1] + ys[2] else {
            throw fail("output \(ys) with \(op.params.count) source indices does not fit input \(xs)")
        }
        for (i, p) in op.params.enumerated() {
            let limit = i < ys[1] ? xs[1] : xs[2]
            guard (0..<limit).contains(Int(p)) else { throw fail("source index \(p) outside 0..<\(limit)") }
        }
        try sameQuantization(op.inputs[0], op.outputs[0])
    }

    mutating func unaryConversion(from: [ElementType], to: [ElementType]) throws {
        try operands(inputs: 1...1, outputs: 1, params: 0...0)
        let x = tensor(op.inputs[0]), y = tensor(op.outputs[0])
        guard from.contains(x.type), to.contains(y.type), x.shape == y.shape else {
            throw fail("converts \(x.type) \(x.shape) to \(y.type) \(y.shape)")
        }
        if x.type == .uint8 && x.quantization == nil { throw fail("uint8 input '\(x.name)' needs a quantization") }
    }

    mutating func requantize() throws {
        try operands(inputs: 1...1, outputs: 1, params: 2...2)
        let x = tensor(op.inputs[0])
        try expect(op.inputs[0], "input", type: .int8)
        try expect(op.outputs[0], "output", type: .int8, shape: x.shape)
        try multiplier(op.params[0], op.params[1], "output")
    }

    mutating func softmax() throws {
        try operands(inputs: 1...1, outputs: 1, params: 1...1)
        let x = tensor(op.inputs[0])
        try expect(op.inputs[0], "input", type: .float32)
        try expect(op.outputs[0], "output", type: .float32, shape: x.shape)
        guard (0..<max(x.shape.count, 1)).contains(Int(op.params[0])) else { throw fail("axis \(op.params[0]) for rank \(x.shape.count)") }
    }
}

/// Float fallback ops.
extension Checker {
    mutating func binaryF32() throws {
        try operands(inputs: 2...2, outputs: 1, params: 3...3)
        let a = op.inputs[0], b = op.inputs[1], y = op.outputs[0]
        for (t, role) in [(a, "input a"), (b, "input b"), (y, "output")] where tensor(t).type != .float32 {
            throw fail("\(role) '\(tensor(t).name)' is \(tensor(t).type), expects f32")
        }
        try expect(y, "output", type: .float32)
        let sa = tensor(a).shape, sb = tensor(b).shape, sy = tensor(y).shape
        guard Self.broadcasts(sa, sb, to: sy) else { throw fail("shapes \(sa) and \(sb) do not broadcast to \(sy)") }
        guard (0...4).contains(op.params[0]) else { throw fail("binary op \(op.params[0])") }
        let lo = Float(bitPattern: UInt32(bitPattern: op.params[1])), hi = Float(bitPattern: UInt32(bitPattern: op.params[2]))
        guard !lo.isNaN, !hi.isNaN, lo <= hi else { throw fail("clamp [\(lo), \(hi)]") }
    }

    mutating func resizeLinearF32() throws {
        try operands(inputs: 1...1, outputs: 1, params: nil)
        try expect(op.inputs[0], "input", type: .float32, rank: 4)
        try expect(op.outputs[0], "output", type: .float32, rank: 4)
        let xs = tensor(op.inputs[0]).shape, ys = tensor(op.outputs[0]).shape
        guard ys[0] == xs[0], ys[3] == xs[3], op.params.count == 3 * (ys[1] + ys[2]) else {
            throw fail("output \(ys) with \(op.params.count) tap words does not fit input \(xs)")
        }
        for (offset, count, limit) in [(0, ys[1], xs[1]), (3 * ys[1], ys[2], xs[2])] {
            for i in 0..<(2 * count) where !(0..<limit).contains(Int(op.params[offset + i])) {
                throw fail("source index \(op.params[offset + i]) outside 0..<\(limit)")
            }
            for i in 0..<count {
                let w = Float(bitPattern: UInt32(bitPattern: op.params[offset + 2 * count + i]))
                guard w >= 0, w <= 1 else { throw fail("interpolation weight \(w) outside [0, 1]") }
            }
        }
    }

    mutating func convTransposeF32() throws {
        try operands(inputs: 3...3, outputs: 2, params: 13...13)
        let x = op.inputs[0], w = op.inputs[1], y = op.outputs[0]
        try expect(x, "input", type: .float32, rank: 4)
        try expect(y, "output", type: .float32, rank: 4)
        let xs = tensor(x).shape, ys = tensor(y).shape, p = op.params.map(Int.init)
        guard (1...64).contains(p[0]), (1...64).contains(p[1]), (1...64).contains(p[2]), (1...64).contains(p[3]),
              (1...64).contains(p[4]), (1...64).contains(p[5]), p[6...9].allSatisfy({ (0...1024).contains($0) }) else {
            throw fail("window \(Array(p[0..<10]))")
        }
        let groups = p[10]
        guard groups >= 1, xs[3] % groups == 0, ys[3] % groups == 0 else { throw fail("groups \(groups) for \(xs[3]) → \(ys[3]) channels") }
        let og = ys[3] / groups, taps = p[0] * p[1]
        let fullH = p[2] * (xs[1] - 1) + p[4] * (p[0] - 1) + 1 - p[6] - p[8], fullW = p[3] * (xs[2] - 1) + p[5] * (p[1] - 1) + 1 - p[7] - p[9]
        guard ys[0] == xs[0], (fullH..<(fullH + p[2])).contains(ys[1]), (fullW..<(fullW + p[3])).contains(ys[2]) else {
            throw fail("output \(ys) does not follow from input \(xs) and the window")
        }
        try expect(w, "weights", type: .float32, constant: true, shape: [xs[3], taps * og])
        try expect(op.inputs[2], "bias", type: .float32, constant: true, shape: [ys[3]])
        try expect(op.outputs[1], "scratch", type: .float32, shape: [xs[1] * xs[2], taps * og])
    }

    mutating func matMulF32() throws {
        try operands(inputs: 2...2, outputs: 1, params: 0...0)
        try expect(op.inputs[0], "input a", type: .float32, constant: tensor(op.inputs[0]).storage == .constant, rank: 2)
        try expect(op.inputs[1], "input b", type: .float32, constant: tensor(op.inputs[1]).storage == .constant, rank: 2)
        let sa = tensor(op.inputs[0]).shape, sb = tensor(op.inputs[1]).shape
        guard sa[1] == sb[0] else { throw fail("\(sa) · \(sb) do not fit") }
        try expect(op.outputs[0], "output", type: .float32, shape: [sa[0], sb[1]])
    }

    mutating func padF32() throws {
        let rank = tensor(op.inputs.first ?? 0).shape.count
        try operands(inputs: 1...1, outputs: 1, params: (2 + 2 * rank)...(2 + 2 * rank))
        let x = tensor(op.inputs[0])
        try expect(op.inputs[0], "input", type: .float32)
        let mode = op.params[0], pads = op.params[2...].map(Int.init)
        guard (0...2).contains(mode) else { throw fail("pad mode \(mode)") }
        var shape: [Int] = []
        for d in 0..<rank {
            let b = pads[d], e = pads[d + rank], n = x.shape[d]
            guard abs(b) <= OctetFormat.maxDimension, abs(e) <= OctetFormat.maxDimension else { throw fail("pads \(pads)") }
            if mode == 1 { guard b < n, e < n else { throw fail("reflect padding \(b)/\(e) on an axis of \(n)") } }
            shape.append(n + b + e)
        }
        guard shape.allSatisfy({ $0 >= 1 }) else { throw fail("pads \(pads) leave an empty axis") }
        try expect(op.outputs[0], "output", type: .float32, shape: shape)
    }
}

extension UInt32 {
    init(littleEndianBytes b: UnsafeRawBufferPointer, at offset: Int) {
        self = UInt32(b[offset]) | UInt32(b[offset + 1]) << 8 | UInt32(b[offset + 2]) << 16 | UInt32(b[offset + 3]) << 24
    }
}

/// One op of a model as the verifier, the interpreter and the cost model see it: its
/// description, index and the model's tensors, plus the checks every op kind shares. Every
/// failure names the op index, opcode and the offending operand.
struct OpSite {
    let op: OpDescription
    let index: Int
    let model: ModelDescription
    /// The bytes of constant tensor t (the verifier reads requantization constants through it).
    let constant: ((Int) -> UnsafeRawBufferPointer?)?

    init(op: OpDescription, index: Int, model: ModelDescription, constant: ((Int) -> UnsafeRawBufferPointer?)? = nil) {
        self.op = op; self.index = index; self.model = model; self.constant = constant
    }

    func fail(_ s: String) -> OctetError { .op(index: index, code: op.code.description, s) }

    func tensor(_ t: Int) -> TensorDescription { model.tensors[t] }
    /// Shape of input / output i ([] when the op has no such operand).
    func inputShape(_ i: Int) -> [Int] { i < op.inputs.count ? model.tensors[op.inputs[i]].shape : [] }
    func outputShape(_ i: Int) -> [Int] { i < op.outputs.count ? model.tensors[op.outputs[i]].shape : [] }
    func inputCount(_ i: Int) -> Int { i < op.inputs.count ? model.tensors[op.inputs[i]].elementCount : 0 }
    func outputCount(_ i: Int) -> Int { i < op.outputs.count ? model.tensors[op.outputs[i]].elementCount : 0 }

    // MARK: parameter words

    /// The op's words, which must number `count`.
    func words(_ count: Int) throws(OctetError) -> [Int32] {
        try words(count...count)
    }

    func words(_ counts: ClosedRange<Int>) throws(OctetError) -> [Int32] {
        guard counts.contains(op.params.count) else { throw fail("has \(op.params.count) parameters, expects \(counts)") }
        return op.params
    }

    // MARK: operands

    func operands(inputs: ClosedRange<Int>, outputs: Int) throws(OctetError) {
        guard inputs.contains(op.inputs.count) else { throw fail("has \(op.inputs.count) inputs, expects \(inputs)") }
        guard op.outputs.count == outputs else { throw fail("has \(op.outputs.count) outputs, expects \(outputs)") }
    }

    /// Input or output `t` must have this type, storage and (when given) shape.
    func expect(_ t: Int, _ role: String, type: ElementType, constant: Bool = false, shape: [Int]? = nil, rank: Int? = nil) throws(OctetError) {
        let d = tensor(t)
        guard d.type == type else { throw fail("\(role) '\(d.name)' is \(d.type), expects \(type)") }
        guard (d.storage == .constant) == constant else { throw fail("\(role) '\(d.name)' must \(constant ? "" : "not ")be a constant") }
        if let shape, d.shape != shape { throw fail("\(role) '\(d.name)' has shape \(d.shape), expects \(shape)") }
        if let rank, d.shape.count != rank { throw fail("\(role) '\(d.name)' has rank \(d.shape.count), expects \(rank)") }
    }

    func sameQuantization(_ a: Int, _ b: Int) throws(OctetError) {
        guard tensor(a).quantization == tensor(b).quantization else {
            throw fail("'\(tensor(a).name)' and '\(tensor(b).name)' must share one quantization")
        }
    }

    func clamp(_ lo: Int32, _ hi: Int32) throws(OctetError) {
        guard -128 <= lo, lo <= hi, hi <= 127 else { throw fail("activation clamp [\(lo), \(hi)] is not inside [-128, 127]") }
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

    /// Per-channel binary32 requantization scales: a float32 constant of `count` entries, each a
    /// legal `RequantScale`.
    func channelScales(_ t: Int, count: Int) throws(OctetError) {
        try expect(t, "scale", type: .float32, constant: true, shape: [count])
        guard let b = constant?(t), b.count == 4 * count else { throw fail("requantization scales are missing") }
        for c in 0..<count {
            try RequantScale(word: Int32(bitPattern: UInt32(littleEndianBytes: b, at: 4 * c))).check("channel \(c)", self)
        }
    }
}

extension OpSite {
    /// The largest |w| of int8 constant `t` (0…128), read from the file's bytes: the verifier's
    /// measurement a conv kernel's weight bound is compared with (octk_qs8_conv_config.max_weight).
    func weightMagnitude(_ t: Int) throws(OctetError) -> Int {
        guard let b = constant?(t), b.count == tensor(t).byteCount else { throw fail("weights '\(tensor(t).name)' are missing") }
        var lo: Int8 = 0, hi: Int8 = 0
        for byte in b {
            let v = Int8(bitPattern: byte)
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        return Swift.max(Int(hi), -Int(lo))
    }
}

extension UInt32 {
    init(littleEndianBytes b: UnsafeRawBufferPointer, at offset: Int) {
        self = UInt32(b[offset]) | UInt32(b[offset + 1]) << 8 | UInt32(b[offset + 2]) << 16 | UInt32(b[offset + 3]) << 24
    }
}

/// Row-major strides of a shape.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s *= shape[i]
    }
    return strides
}

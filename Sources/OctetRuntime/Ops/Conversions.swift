import OctetKernels

// Quantize (f32 or u8 → i8), Dequantize (i8 → f32), Requantize (i8 → i8 of another scale).

/// Quantize has no parameter words (y's quantization says everything).
public struct QuantizeParams: DecodableOpParams {
    public static let code = OpCode.quantize
    public init() {}
    init(decoding s: OpSite) throws(OctetError) { _ = try s.words(0) }
    public var words: [Int32] { [] }
}

/// Dequantize has no parameter words (x's quantization says everything).
public struct DequantizeParams: DecodableOpParams {
    public static let code = OpCode.dequantize
    public init() {}
    init(decoding s: OpSite) throws(OctetError) { _ = try s.words(0) }
    public var words: [Int32] { [] }
}

/// Requantize parameters: the factor s_in/s_out.
public struct RequantizeParams: DecodableOpParams {
    public static let code = OpCode.requantize
    public var output: RequantScale
    public init(output: RequantScale) { self.output = output }
    init(decoding s: OpSite) throws(OctetError) { output = RequantScale(word: try s.words(1)[0]) }
    public var words: [Int32] { [output.word] }
}

/// x f32 → y i8 (y's quantization), or x u8 (a raw image whose quantization folds the
/// normalisation) → y i8.
enum Quantize: OpKind {
    static let name = "Quantize"

    static func check(_ p: QuantizeParams, _ s: OpSite) throws(OctetError) {
        try s.conversion(from: [.float32, .uint8], to: [.int8])
    }

    static func prepare(_ p: QuantizeParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xt = s.op.inputs[0], yt = s.op.outputs[0], count = r.tensors[xt].elementCount
        let y = r.int8(yt), zo = r.zeroPoint(yt)
        if r.tensors[xt].type == .uint8 {
            let x = UnsafePointer(r.address(xt).assumingMemoryBound(to: UInt8.self)), zi = r.zeroPoint(xt)
            let factor = RequantScale(Double(r.scale(xt)) / Double(r.scale(yt))).value
            return { octk_qs8_quantize_u8__reference(x, count, zi, zo, factor, y) }
        }
        let x = UnsafePointer(r.float(xt)), scale = r.scale(yt)
        let quantize = r.kernels.quantize.quantize!
        guard r.worthSplitting(work: count * 8) else { return { quantize(x, count, scale, zo, y) } }
        let job = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_quantize_job>.size).bindMemory(to: octk_qs8_quantize_job.self, capacity: 1)
        job.initialize(to: octk_qs8_quantize_job(fn: quantize, x: x, scale: scale, zero_point: zo, y: y))
        let pool = r.pool
        return { octk_pool_run(pool, octk_qs8_quantize_job_run, job, count, 64) }
    }

    /// A 3-channel f32 NCHW input's Quantize (op `index`) and the Transpose to NHWC right after
    /// it, as one step that writes both outputs (the Transpose's step then does nothing). The
    /// Transpose's output is written one op early, so it must not share bytes with the
    /// Quantize's input, the only tensor whose life ends at this op. nil when the pair does not
    /// qualify or the path has no such kernel.
    static func prepareFusedTranspose(index: Int, on r: Interpreter) throws(OctetError) -> (() -> Void)? {
        let ops = r.model.description.ops, op = ops[index], tensors = r.tensors
        guard op.code == .quantize, let kernel = r.kernels.quantize.quantize_nchw3, index + 1 < ops.count else { return nil }
        let next = ops[index + 1], xt = op.inputs[0], qt = op.outputs[0]
        let shape = tensors[qt].shape
        guard next.code == .transpose, next.inputs == [qt], next.params == [0, 2, 3, 1], tensors[xt].type == .float32,
              shape.count == 4, shape[0] == 1, shape[1] == 3 else { return nil }
        let yt = next.outputs[0]
        guard let x = r.arenaRange(xt), let q = r.arenaRange(qt), let y = r.arenaRange(yt), !y.overlaps(x), !y.overlaps(q) else { return nil }
        let plane = shape[2] * shape[3]
        let job = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_quantize_nchw3_job>.size)
            .bindMemory(to: octk_qs8_quantize_nchw3_job.self, capacity: 1)
        job.initialize(to: octk_qs8_quantize_nchw3_job(fn: kernel, x: UnsafePointer(r.float(xt)), plane: plane, scale: r.scale(qt),
                                                       zero_point: r.zeroPoint(qt), nchw: r.int8(qt), nhwc: r.int8(yt)))
        let pool = r.worthSplitting(work: plane * 3 * 8) ? r.pool : nil
        return { octk_pool_run(pool, octk_qs8_quantize_nchw3_job_run, job, plane, 16) }
    }
}

/// x i8 → y f32 (x's quantization): s·(q − z).
enum Dequantize: OpKind {
    static let name = "Dequantize"

    static func check(_ p: DequantizeParams, _ s: OpSite) throws(OctetError) {
        try s.conversion(from: [.int8], to: [.float32])
    }

    static func prepare(_ p: DequantizeParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xt = s.op.inputs[0], x = r.int8(xt), y = r.float(s.op.outputs[0]), count = r.tensors[xt].elementCount
        let scale = r.scale(xt), z = r.zeroPoint(xt), dequantize = r.kernels.quantize.dequantize!
        return { dequantize(x, count, scale, z, y) }
    }
}

/// x i8 → y i8 of x's shape: z_out + requant(x − z_in, factor).
enum Requantize: OpKind {
    static let name = "Requantize"
    static let inPlaceCapable = true

    static func check(_ p: RequantizeParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        try s.expect(s.op.inputs[0], "input", type: .int8)
        try s.expect(s.op.outputs[0], "output", type: .int8, shape: s.inputShape(0))
        try p.output.check("output", s)
    }

    static func prepare(_ p: RequantizeParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xt = s.op.inputs[0], yt = s.op.outputs[0]
        let x = r.int8(xt), y = r.int8(yt), count = r.tensors[xt].elementCount
        let zi = r.zeroPoint(xt), zo = r.zeroPoint(yt), scale = p.output.value
        return { octk_qs8_requantize__reference(x, count, zi, zo, scale, y) }
    }
}

extension OpSite {
    /// One input of a `from` type, one output of a `to` type and the same shape.
    func conversion(from: [ElementType], to: [ElementType]) throws(OctetError) {
        try operands(inputs: 1...1, outputs: 1)
        let x = tensor(op.inputs[0]), y = tensor(op.outputs[0])
        guard from.contains(x.type), to.contains(y.type), x.shape == y.shape else {
            throw fail("converts \(x.type) \(x.shape) to \(y.type) \(y.shape)")
        }
        if x.type == .uint8 {
            guard let sx = x.quantization?.scale, let sy = y.quantization?.scale else { throw fail("uint8 input '\(x.name)' needs a quantization") }
            try RequantScale(Double(sx) / Double(sy)).check("uint8 input", self)
        }
    }
}

import OctetKernels

/// Add parameters: the input factors s_a/s_y and s_b/s_y, lo, hi. y = round_half_even(clamp(
/// (a − z_a)·a + (b − z_b)·b)) + z_y in binary32 (octk_qs8_add_one).
public struct AddParams: DecodableOpParams {
    public static let code = OpCode.add
    public var a, b: RequantScale
    public var lo, hi: Int32

    public init(a: RequantScale, b: RequantScale, lo: Int32, hi: Int32) { self.a = a; self.b = b; self.lo = lo; self.hi = hi }

    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(4)
        self.init(a: RequantScale(word: w[0]), b: RequantScale(word: w[1]), lo: w[2], hi: w[3])
    }

    public var words: [Int32] { [a.word, b.word, lo, hi] }
}

/// Mul parameters: the output factor s_a·s_b/s_y, lo, hi.
public struct MulParams: DecodableOpParams {
    public static let code = OpCode.mul
    public var output: RequantScale
    public var lo, hi: Int32

    public init(output: RequantScale, lo: Int32, hi: Int32) { self.output = output; self.lo = lo; self.hi = hi }

    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(3)
        self.init(output: RequantScale(word: w[0]), lo: w[1], hi: w[2])
    }

    public var words: [Int32] { [output.word, lo, hi] }
}

/// a, b i8 (equal rank, broadcast) → y i8. Same-shape contiguous operands (residual adds) take
/// the path's vector kernel split over the pool; anything else the strided reference.
enum Add: OpKind {
    static let name = "Add"
    static let inPlaceCapable = true

    static func check(_ p: AddParams, _ s: OpSite) throws(OctetError) {
        try s.binaryOperands()
        try p.a.check("input a", s); try p.b.check("input b", s)
        try s.clamp(p.lo, p.hi)
    }

    static func prepare(_ p: AddParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let o = BinaryOperands<Int8>(s, on: r)
        var params = octk_qs8_add_params(a_zero_point: r.zeroPoint(o.a), b_zero_point: r.zeroPoint(o.b), output_zero_point: r.zeroPoint(o.y),
                                         a_scale: p.a.value, b_scale: p.b.value, lo: p.lo, hi: p.hi)
        if o.sameShapes {
            let add = r.kernels.add.fn
            let count = r.tensors[o.y].elementCount
            let stored = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_add_params>.size).bindMemory(to: octk_qs8_add_params.self, capacity: 1)
            stored.initialize(to: params)
            let job = try r.allocateOwned(bytes: MemoryLayout<octk_qs8_add_job>.size).bindMemory(to: octk_qs8_add_job.self, capacity: 1)
            job.initialize(to: octk_qs8_add_job(fn: add, a: o.pa, b: o.pb, y: o.py, params: stored))
            let pool = r.worthSplitting(work: count * 8) ? r.pool : nil
            return { octk_pool_run(pool, octk_qs8_add_job_run, job, count, 256) }
        }
        return { octk_qs8_add_strided__reference(o.rank, o.shape, o.pa, o.sa, o.pb, o.sb, o.py, o.sy, &params) }
    }
}

/// a, b i8 (equal rank, broadcast) → y i8: z_y + requant((a − z_a)·(b − z_b), output factor).
enum Mul: OpKind {
    static let name = "Mul"
    static let inPlaceCapable = true

    static func check(_ p: MulParams, _ s: OpSite) throws(OctetError) {
        try s.binaryOperands()
        try p.output.check("output", s)
        try s.clamp(p.lo, p.hi)
    }

    static func prepare(_ p: MulParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let o = BinaryOperands<Int8>(s, on: r)
        var params = octk_qs8_mul_params(a_zero_point: r.zeroPoint(o.a), b_zero_point: r.zeroPoint(o.b), output_zero_point: r.zeroPoint(o.y),
                                         scale: p.output.value, lo: p.lo, hi: p.hi)
        return { octk_qs8_mul_strided__reference(o.rank, o.shape, o.pa, o.sa, o.pb, o.sb, o.py, o.sy, &params) }
    }
}

extension OpSite {
    /// Two int8 inputs that broadcast to the int8 output.
    func binaryOperands(type: ElementType = .int8) throws(OctetError) {
        try operands(inputs: 2...2, outputs: 1)
        let a = op.inputs[0], b = op.inputs[1], y = op.outputs[0]
        for (t, role) in [(a, "input a"), (b, "input b"), (y, "output")] where tensor(t).type != type {
            throw fail("\(role) '\(tensor(t).name)' is \(tensor(t).type), expects \(type)")
        }
        let sa = tensor(a).shape, sb = tensor(b).shape, sy = tensor(y).shape
        guard Self.broadcasts(sa, sb, to: sy) else { throw fail("shapes \(sa) and \(sb) do not broadcast to \(sy)") }
        try expect(y, "output", type: type)
    }
}

/// The operands of a broadcasting binary op: pointers and storage strides (0 on broadcast axes).
struct BinaryOperands<Element> {
    let a, b, y: Int
    let shape: [Int]
    let sa, sb, sy: [Int]
    let pa, pb: UnsafePointer<Element>
    let py: UnsafeMutablePointer<Element>
    var rank: Int32 { Int32(shape.count) }
    let sameShapes: Bool

    init(_ s: OpSite, on r: Interpreter) {
        a = s.op.inputs[0]; b = s.op.inputs[1]; y = s.op.outputs[0]
        shape = r.tensors[y].shape
        sa = Self.broadcastStrides(r.tensors[a].shape, to: shape); sb = Self.broadcastStrides(r.tensors[b].shape, to: shape)
        sy = rowMajorStrides(shape)
        pa = UnsafePointer(r.address(a).assumingMemoryBound(to: Element.self))
        pb = UnsafePointer(r.address(b).assumingMemoryBound(to: Element.self))
        py = r.address(y).assumingMemoryBound(to: Element.self)
        sameShapes = r.tensors[a].shape == shape && r.tensors[b].shape == shape
    }

    /// Storage strides of `s` broadcast to `shape` (0 where `s` has extent 1).
    static func broadcastStrides(_ s: [Int], to shape: [Int]) -> [Int] {
        let strides = rowMajorStrides(s)
        return (0..<shape.count).map { s[$0] == 1 && shape[$0] != 1 ? 0 : strides[$0] }
    }
}

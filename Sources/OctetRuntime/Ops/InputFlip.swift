import OctetKernels

/// The sign flip (x ^ 0x80: int8 → offset-binary uint8, x + 128) of a packed conv's input, for
/// kernels whose layout reads inputs so (input_offset 128: the x86 VNNI and 7-bit AVX2 kernels,
/// whose unsigned × signed products need u8 inputs). Done in place, once per op, instead of per
/// broadcast inside the kernel (where the xor competed with vpdpbusd for the vector ports);
/// flipped back after the op when some later op, or the caller (graph inputs and outputs),
/// still reads those bytes.
struct InputFlip {
    let job: UnsafeMutablePointer<octk_s8_flip_job>
    let bytes: Int
    let pool: OpaquePointer?
    /// Whether to flip back after the op.
    let restores: Bool

    /// nil when the kernel reads plain int8 inputs.
    init?(_ s: OpSite, layout: UnsafePointer<octk_qs8_conv_layout>, on r: Interpreter) throws(OctetError) {
        guard layout.pointee.input_offset != 0 else { return nil }
        let xt = s.op.inputs[0]
        let x = r.int8(xt)
        bytes = r.tensors[xt].byteCount
        job = try r.allocateOwned(bytes: MemoryLayout<octk_s8_flip_job>.size).bindMemory(to: octk_s8_flip_job.self, capacity: 1)
        job.initialize(to: octk_s8_flip_job(x: x, y: x))
        pool = r.worthSplitting(work: bytes) ? r.pool : nil
        restores = r.isRead(after: s.index, overlapping: xt)
    }

    func run() { octk_pool_run(pool, octk_s8_flip_job_run, job, bytes, 4096) }
}

extension Interpreter {
    /// Whether bytes of arena tensor `t` are read after op `index`: by a later op's input, or by
    /// the caller (a graph input or output) — through any tensor sharing those bytes (a Reshape
    /// alias).
    func isRead(after index: Int, overlapping t: Int) -> Bool {
        let d = model.description, lo = tensors[t].arenaOffset, hi = lo + tensors[t].byteCount
        func overlaps(_ u: Int) -> Bool {
            let v = tensors[u]
            return v.storage == .arena && v.arenaOffset < hi && lo < v.arenaOffset + v.byteCount
        }
        if d.inputs.contains(where: overlaps) || d.outputs.contains(where: overlaps) { return true }
        return d.ops[(index + 1)...].contains { $0.inputs.contains(where: overlaps) }
    }
}

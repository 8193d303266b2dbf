import OctetKernels

/// The sign flip (x ^ 0x80: int8 → offset-binary uint8, x + 128) of a packed conv's input, for
/// kernels whose layout reads inputs so (input_offset 128: the x86 VNNI and 7-bit AVX2 kernels,
/// whose unsigned × signed products need u8 inputs). Done in place, at most once per op,
/// instead of per broadcast inside the kernel (where the xor competed with vpdpbusd for the
/// vector ports). Which ops flip before and back after is planned once every op is prepared
/// (`Interpreter.planInputFlips`): a run of ops that read the same tensor flipped shares one
/// flip, and the bytes are flipped back when anything else (a later op, or the caller for graph
/// inputs and outputs) reads them.
struct InputFlip {
    let job: UnsafeMutablePointer<octk_s8_flip_job>
    let bytes: Int
    let pool: OpaquePointer?
    let plan: Plan

    /// Whether the op flips its input before it runs and back after; both true until planned.
    final class Plan {
        let tensor: Int
        var before = true, after = true
        init(tensor: Int) { self.tensor = tensor }
    }

    /// nil when the kernel reads plain int8 inputs.
    init?(_ s: OpSite, layout: UnsafePointer<octk_qs8_conv_layout>, on r: Interpreter) throws(OctetError) {
        guard layout.pointee.input_offset != 0 else { return nil }
        let xt = s.op.inputs[0]
        let x = r.int8(xt)
        bytes = r.tensors[xt].byteCount
        job = try r.allocateOwned(bytes: MemoryLayout<octk_s8_flip_job>.size).bindMemory(to: octk_s8_flip_job.self, capacity: 1)
        job.initialize(to: octk_s8_flip_job(x: x, y: x))
        pool = r.worthSplitting(work: bytes) ? r.pool : nil
        // A re-prepared op (the converter's bias correction) keeps the plan made at init.
        if let planned = r.inputFlips[s.index] { plan = planned } else { plan = Plan(tensor: xt); r.inputFlips[s.index] = plan }
    }

    func run() { octk_pool_run(pool, octk_s8_flip_job_run, job, bytes, 4096) }

    /// The op's step: `body` between the planned flips.
    func step(_ body: @escaping () -> Void) -> () -> Void {
        let plan = plan
        return {
            if plan.before { run() }
            body()
            if plan.after { run() }
        }
    }
}

extension Interpreter {
    /// Sets every InputFlip's plan. Op k reading tensor X flipped skips its flip when the op
    /// before it that touches X's bytes (reads or writes them) is another flip-reader of X that
    /// left them flipped; it leaves them flipped when the next op touching X's bytes is a
    /// flip-reader of X, and flips back when anything reads those bytes later otherwise.
    func planInputFlips() {
        let ops = model.description.ops
        for (k, plan) in inputFlips {
            let x = plan.tensor
            let next = ops.indices[(k + 1)...].first { touches(ops[$0], x) }
            let handsOver = next.map { j in inputFlips[j]?.tensor == x && !writes(ops[j], x) } ?? false
            plan.after = !handsOver && isRead(after: k, overlapping: x)
        }
        for (j, plan) in inputFlips {
            let previous = ops.indices[..<j].last { touches(ops[$0], plan.tensor) }
            plan.before = !(previous.flatMap { inputFlips[$0] }.map { $0.tensor == plan.tensor && !$0.after } ?? false)
        }
    }

    /// Whether bytes of arena tensor `t` are read after op `index`: by a later op's input, or by
    /// the caller (a graph input or output) — through any tensor sharing those bytes (a Reshape
    /// alias).
    func isRead(after index: Int, overlapping t: Int) -> Bool {
        let d = model.description
        if d.inputs.contains(where: { overlaps($0, t) }) || d.outputs.contains(where: { overlaps($0, t) }) { return true }
        return d.ops[(index + 1)...].contains { $0.inputs.contains { overlaps($0, t) } }
    }

    private func touches(_ op: OpDescription, _ t: Int) -> Bool { op.inputs.contains { overlaps($0, t) } || writes(op, t) }
    private func writes(_ op: OpDescription, _ t: Int) -> Bool { op.outputs.contains { overlaps($0, t) } }

    /// Whether two arena tensors share bytes.
    private func overlaps(_ u: Int, _ t: Int) -> Bool {
        guard let a = arenaRange(u), let b = arenaRange(t) else { return false }
        return a.overlaps(b)
    }
}

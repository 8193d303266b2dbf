import OctetKernels

/// Runs a verified `.octet` model from one preallocated arena. Every constant the kernels
/// need (windows, requantization parameters, strides, tables) is computed once in `init`;
/// `invoke()` allocates nothing.
///
/// ```swift
/// let model = try OctetModel(path: "resnet18.octet")
/// let interpreter = try Interpreter(model: model)
/// interpreter.inputFloats(0).update(fromContentsOf: pixels)   // f32 input, model layout
/// interpreter.invoke()
/// let logits = interpreter.outputFloats(0)                      // f32 output
/// ```
public final class Interpreter {
    public let model: OctetModel
    let arena: UnsafeMutableRawBufferPointer
    private var steps: [() -> Void] = []
    /// Bytes of weights re-laid out at load for the chosen kernels. The reference kernels read
    /// weights in place from the mapped file, so this is 0 until packed kernels exist.
    public internal(set) var packedWeightBytes = 0
    /// Bytes of the indirection buffers of the packed conv kernels (input addresses per output
    /// pixel and tap), built once in `init`.
    public internal(set) var indirectionBytes = 0
    /// Bytes of the activation arena the model's plan uses.
    public var arenaBytes: Int { model.description.arenaSize }
    /// Whether `arena` was allocated here (else the caller provided it).
    private let ownsArena: Bool

    /// Bytes an interpreter's arena takes for `model`: the plan's size plus the kernels' slack.
    public static func arenaBytes(for model: OctetModel) -> Int {
        max(model.description.arenaSize, OctetFormat.alignment) + arenaSlack
    }
    /// The kernels chosen for this CPU (or forced): see `KernelPath`.
    public let kernels: KernelSelection
    /// Threads each packed-kernel op is split over (the caller included).
    public let threads: Int
    /// The packed conv kernel each op runs, by op index (ops without one are absent).
    var convKernels: [Int: String] = [:]
    /// The flips of the ops whose kernel reads offset-binary inputs, by op index (InputFlip).
    var inputFlips: [Int: InputFlip.Plan] = [:]
    /// Workers of the packed kernels (nil with one thread).
    var pool: OpaquePointer? = nil
    /// Packed weights and indirection buffers made once in `init`, freed in `deinit`.
    var owned: [UnsafeMutableRawPointer] = []
    /// Readable bytes after the planned arena: the packed kernels' input loads may run up to
    /// 3 (conv, 4-byte groups) or 15 (depthwise, 16-byte groups) bytes past a tensor's end.
    static let arenaSlack = 64

    /// `kernels`: `.automatic` picks the fastest kernels this CPU runs unless the environment
    /// variable `OCTET_KERNELS` names a path (`reference`, `scalar`, `avx512vnni`, …).
    /// `threads`: how many threads the packed kernels split each op over (the caller's thread
    /// included; workers are created here and live as long as the interpreter). Results are
    /// identical for any thread count.
    /// `arena`: nil, or memory the caller provides for the activations (as TFLite Micro
    /// allows): at least `Interpreter.arenaBytes(for: model)` bytes, `OctetFormat.alignment`-byte
    /// aligned, used by nothing else and valid while the interpreter lives (it is not freed here).
    public init(model: OctetModel, kernels path: KernelPath = .automatic, threads: Int = 1,
                arena callerArena: UnsafeMutableRawBufferPointer? = nil) throws(OctetError) {
        self.model = model
        kernels = try KernelSelection(path)
        guard threads >= 1 else { throw OctetError.kernels("threads must be ≥ 1, got \(threads)") }
        let arenaBytes = Interpreter.arenaBytes(for: model)
        if let callerArena {
            guard let base = callerArena.baseAddress, Int(bitPattern: base) % OctetFormat.alignment == 0 else {
                throw OctetError.memory("the caller's arena must start on a \(OctetFormat.alignment)-byte boundary")
            }
            guard callerArena.count >= arenaBytes else {
                throw OctetError.memory("the caller's arena has \(callerArena.count) bytes, the model needs \(arenaBytes)")
            }
            arena = callerArena
            ownsArena = false
        } else {
            guard let block = octk_aligned_alloc(OctetFormat.alignment, arenaBytes) else {
                throw OctetError.memory("cannot allocate the \(arenaBytes)-byte arena")
            }
            arena = UnsafeMutableRawBufferPointer(start: block, count: arenaBytes)
            ownsArena = true
        }
        if threads > 1 {
            guard let pool = octk_pool_create(Int32(threads)) else {
                if ownsArena { octk_aligned_free(arena.baseAddress) }
                throw OctetError.kernels("cannot start \(threads - 1) worker threads")
            }
            self.pool = pool
        }
        self.threads = threads
        arena.initializeMemory(as: UInt8.self, repeating: 0)
        var doneEarly = -1  // an op whose output an earlier, fused step writes
        for (index, op) in model.description.ops.enumerated() {
            if index == doneEarly {
                steps.append({})
            } else if let fused = try Quantize.prepareFusedTranspose(index: index, on: self) {
                steps.append(fused)
                doneEarly = index + 1
            } else {
                var prepare = PrepareVisitor(site: model.description.site(ofOp: index), interpreter: self)
                steps.append(try op.code.visit(&prepare))
            }
        }
        planInputFlips()
    }

    deinit {
        octk_pool_destroy(pool)
        if ownsArena { octk_aligned_free(arena.baseAddress) }
        for block in owned { octk_aligned_free(block) }
    }

    /// Runs every op once on the current inputs.
    public func invoke() {
        // Indexed loop over the buffer: a `for step in steps` loop allocates in debug builds.
        steps.withUnsafeBufferPointer { s in
            var i = 0
            while i < s.count { s[i](); i += 1 }
        }
    }

    /// Same, calling `observer(k)` right after op k (arena bytes are reused later, so a tool
    /// that inspects intermediate tensors reads them here).
    public func invoke(observer: (Int) -> Void) {
        steps.withUnsafeBufferPointer { s in
            var i = 0
            while i < s.count { s[i](); observer(i); i += 1 }
        }
    }

    /// Runs ops `ops` (a subrange of the model's ops) on whatever the arena holds: a tool that
    /// steps through a model (the converter's bias correction) restores an arena snapshot, runs
    /// a range and snapshots again. A snapshot to rerun op k from is taken before op k runs: an
    /// op may rewrite its input's bytes in place (a conv flips them to offset binary, InputFlip).
    public func invoke(ops: Range<Int>) {
        precondition(ops.lowerBound >= 0 && ops.upperBound <= steps.count, "op range \(ops) outside 0..<\(steps.count)")
        steps.withUnsafeBufferPointer { s in
            var i = ops.lowerBound
            while i < ops.upperBound { s[i](); i += 1 }
        }
    }

    /// The packed conv kernel op `index` runs ("octk_qs8_igemm_4x16c4__avx2_madd7", …), nil when
    /// it runs none (not a conv-family op, or the reference kernel).
    public func convKernel(ofOp index: Int) -> String? { convKernels[index] }

    /// The packed conv kernels the ops run, each once, in op order ([] on the reference path).
    public var convKernelNames: [String] {
        var names: [String] = []
        for k in convKernels.keys.sorted() where !names.contains(convKernels[k]!) { names.append(convKernels[k]!) }
        return names
    }

    /// The activation arena (every arena tensor at its planned offset), for snapshots.
    @_spi(Converter) public var arenaContents: UnsafeMutableRawBufferPointer { arena }

    /// Prepares op `index` again from the current constant bytes (after
    /// `OctetModel.mutableConstantBytes` changed one of them): packs its weights anew. The old
    /// step's buffers stay owned until the interpreter goes.
    @_spi(Converter) public func reprepare(op index: Int) throws(OctetError) {
        var prepare = PrepareVisitor(site: model.description.site(ofOp: index), interpreter: self)
        steps[index] = try model.description.ops[index].code.visit(&prepare)
    }

    // MARK: tensors

    var tensors: [TensorDescription] { model.description.tensors }

    /// Address of tensor `t`: inside the arena, or inside the mapped file for constants.
    func address(_ t: Int) -> UnsafeMutableRawPointer {
        let d = model.description.tensors[t]
        switch d.storage {
        case .arena: return arena.baseAddress! + d.arenaOffset
        case .constant: return UnsafeMutableRawPointer(mutating: model.constantBytes(t)!.baseAddress!)
        }
    }

    /// The arena bytes of tensor `t` (nil for a constant).
    func arenaRange(_ t: Int) -> Range<Int>? {
        let d = tensors[t]
        return d.storage == .arena ? d.arenaOffset..<(d.arenaOffset + d.byteCount) : nil
    }

    func int8(_ t: Int) -> UnsafeMutablePointer<Int8> { address(t).assumingMemoryBound(to: Int8.self) }
    func int32(_ t: Int) -> UnsafePointer<Int32> { UnsafePointer(address(t).assumingMemoryBound(to: Int32.self)) }
    func float(_ t: Int) -> UnsafeMutablePointer<Float> { address(t).assumingMemoryBound(to: Float.self) }

    func zeroPoint(_ t: Int) -> Int32 { tensors[t].quantization?.zeroPoint ?? 0 }
    func scale(_ t: Int) -> Float { tensors[t].quantization?.scale ?? 1 }

    // MARK: interface

    public var inputCount: Int { model.description.inputs.count }
    public var outputCount: Int { model.description.outputs.count }
    public func inputTensor(_ i: Int) -> TensorDescription { tensors[model.description.inputs[i]] }
    public func outputTensor(_ i: Int) -> TensorDescription { tensors[model.description.outputs[i]] }

    /// The bytes of input `i` in the arena (any element type).
    public func inputBytes(_ i: Int) -> UnsafeMutableRawBufferPointer {
        let t = model.description.inputs[i]
        return UnsafeMutableRawBufferPointer(start: address(t), count: tensors[t].byteCount)
    }

    /// Input `i` as floats (precondition: it is an f32 input).
    public func inputFloats(_ i: Int) -> UnsafeMutableBufferPointer<Float> {
        let t = model.description.inputs[i]
        precondition(tensors[t].type == .float32, "input \(i) is \(tensors[t].type), not f32")
        return UnsafeMutableBufferPointer(start: float(t), count: tensors[t].elementCount)
    }

    public func outputBytes(_ i: Int) -> UnsafeRawBufferPointer {
        let t = model.description.outputs[i]
        return UnsafeRawBufferPointer(start: address(t), count: tensors[t].byteCount)
    }

    /// Output `i` as floats (precondition: it is an f32 output).
    public func outputFloats(_ i: Int) -> UnsafeBufferPointer<Float> {
        let t = model.description.outputs[i]
        precondition(tensors[t].type == .float32, "output \(i) is \(tensors[t].type), not f32")
        return UnsafeBufferPointer(start: float(t), count: tensors[t].elementCount)
    }

    /// Any arena tensor after `invoke()` (for per-layer comparisons).
    public func tensorBytes(_ t: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: address(t), count: tensors[t].byteCount)
    }
}

// MARK: buffers the op kinds' `prepare` makes

extension Interpreter {
    /// Whether an op doing `work` multiply-accumulates (or element updates) is worth waking the
    /// workers for: below ~64k the hand-off costs more than it saves.
    func worthSplitting(work: Int) -> Bool { pool != nil && work >= 1 << 16 }

    /// A 64-byte aligned block owned (and freed) by the interpreter; `what` names it in the
    /// error when the system cannot provide it (sizes come from an untrusted file).
    func allocateOwned(bytes: Int, for what: @autoclosure () -> String = "a kernel buffer") throws(OctetError) -> UnsafeMutableRawPointer {
        guard let block = octk_aligned_alloc(64, max(bytes, 64)) else {
            throw OctetError.memory("cannot allocate \(bytes) bytes for \(what())")
        }
        owned.append(block)
        return block
    }

    /// a · b · c as a byte count, or an error naming `what` when it does not fit an Int.
    func byteCount(_ a: Int, _ b: Int, _ c: Int, for what: String) throws(OctetError) -> Int {
        let (ab, o1) = a.multipliedReportingOverflow(by: b), (abc, o2) = ab.multipliedReportingOverflow(by: c)
        guard !o1, !o2 else { throw OctetError.memory("\(what) would need \(a)·\(b)·\(c) bytes, more than this machine can address") }
        return abc
    }
}

@_spi(Converter) import OctetRuntime

/// Empirical bias correction (Nagel et al. 2019, §4.2 "empirical"): run the int8 model and the
/// float graph on calibration samples, measure each Conv/DepthwiseConv/FC output channel's mean
/// error `E[c] = mean(dequant(q)) − mean(f)`, and subtract it from the int32 bias
/// (`Δb = round(E[c] / (s_in·s_w[c]))`), layer after layer: each layer's error is measured with
/// the layers before it already corrected, so propagated error is not corrected twice. The
/// result is kept only if the output SQNR on held-out calibration samples improves ("on only
/// where it measurably helps").
///
/// Cost: the float side is per-channel sums of the float outputs (`FloatChannelSums`, gathered
/// while calibrating), and the int8 model is stepped through once with every measured sample in
/// step: each sample's arena is a snapshot; between two corrected layers every sample runs the
/// ops in between, then the layer's bias is edited in place and only that op is packed again.
public enum BiasCorrection {
    public struct Outcome: Sendable {
        public var applied: Bool
        public var sqnrBefore: Double
        public var sqnrAfter: Double
        public var layers: Int
    }

    static func run(_ model: ModelDescription, threads: Int = 1) throws -> Int8Model {
        try Int8Model(octet: try OctetModel(bytes: OctetSerializer.serialize(model)), threads: threads)
    }

    /// Output SQNR (dB) of the int8 model against reference outputs of the same samples.
    static func outputSQNR(_ int8: Int8Model, _ samples: [Tensor], reference: [[Float]]) throws -> Double {
        var acc = SQNRAccumulator()
        for (x, f) in zip(samples, reference) {
            let q = try int8.run([x])[0]
            f.withUnsafeBufferPointer { ref in acc.add(reference: ref) { q.data[$0] } }
        }
        return acc.decibels
    }

    /// A corrected layer: its op, output tensor, float twin and channel count.
    struct Target {
        var op: Int, tensor: Int, value: ValueID, channels: Int
    }

    /// The samples measured (the rest validate): the first half.
    public static func measuredCount(_ samples: Int) -> Int { max(1, samples / 2) }

    /// Corrects `model` in place when `requireImprovement` is false or the held-out SQNR improves.
    /// `outputs`: the float model's first output on each sample; `floatSums`: the float outputs'
    /// per-channel sums over the measured samples (both gathered by calibration; a layer missing
    /// from `floatSums` is measured with float runs here). The returned model runs the result.
    public static func apply(_ model: inout ModelDescription, float: FloatModel, samples: [Tensor], outputs: [[Float]],
                             floatSums: FloatChannelSums? = nil, requireImprovement: Bool = true, threads: Int = 1,
                             progressLabel: String? = nil) throws -> (Outcome, Int8Model?) {
        guard samples.count >= 2 else { return (Outcome(applied: false, sqnrBefore: .nan, sqnrAfter: .nan, layers: 0), nil) }
        let split = measuredCount(samples.count)
        let measure = Array(samples[..<split]), validate = Array(samples[split...])
        let twins = FloatTwins(float.graph)
        var targets: [Target] = []
        for (k, op) in model.ops.enumerated() where [.conv2D, .depthwiseConv2D, .fullyConnected].contains(op.code) {
            let t = op.outputs[0]
            if let v = twins.twin(of: model.tensors[t]) { targets.append(Target(op: k, tensor: t, value: v, channels: model.tensors[t].shape.last!)) }
        }
        var sums = floatSums ?? FloatChannelSums()
        let missing = targets.filter { sums.sums[$0.value]?.count != $0.channels }
        if !missing.isEmpty {
            let measured = try floatChannelSums(float, measure, missing)
            for (t, s) in zip(missing, measured) { sums.sums[t.value] = s }
        }
        // One interpreter: validated before the correction, then stepped (which corrects it).
        let stepped = try run(model, threads: threads)
        let reference = Array(outputs[split...])
        let before = try outputSQNR(stepped, validate, reference: reference)
        var corrected = model
        let bar = progressLabel.map { ProgressBar(total: targets.count, label: $0) }
        try correct(&corrected, stepped, targets: targets, floatSums: targets.map { sums.sums[$0.value]! }, samples: measure) { bar?.advance() }
        bar?.finish()
        let after = try outputSQNR(stepped, validate, reference: reference)
        let applied = !requireImprovement || after > before
        if applied { model = corrected }
        return (Outcome(applied: applied, sqnrBefore: before, sqnrAfter: after, layers: targets.count), applied ? stepped : nil)
    }

    /// Σ over samples and pixels of each target's float output, per channel.
    static func floatChannelSums(_ float: FloatModel, _ samples: [Tensor], _ targets: [Target]) throws -> [[Double]] {
        var sums = targets.map { [Double](repeating: 0, count: $0.channels) }
        for x in samples {
            _ = try float.run([x])
            for (i, target) in targets.enumerated() {
                let values = float.executor.buffers[target.value.index], channels = target.channels
                FloatChannelSums.accumulate(values, count: values.count, channels: channels, into: &sums[i])
            }
        }
        return sums
    }

    /// Steps `int8` (a model of `model`) through the targets with every sample in step, editing
    /// each target's bias in `int8` and in `model`.
    static func correct(_ model: inout ModelDescription, _ int8: Int8Model, targets: [Target], floatSums: [[Double]],
                        samples: [Tensor], layerDone: () -> Void = {}) throws {
        let interpreter = int8.interpreter, arena = interpreter.arenaContents
        let live = LiveRegions(model)
        var snapshots: [UnsafeMutableRawBufferPointer] = []
        defer { for s in snapshots { s.deallocate() } }
        for x in samples {
            try int8.writeInputs([x])
            let s = UnsafeMutableRawBufferPointer.allocate(byteCount: arena.count, alignment: 64)
            live.copy(at: 0, from: UnsafeRawBufferPointer(arena), to: s)
            snapshots.append(s)
        }
        var from = 0  // the first op to run: the previous target, whose bias changed
        for (i, target) in targets.enumerated() {
            let q = model.tensors[target.tensor].quantization!, channels = target.channels
            // The dequantized value of each byte, as a float (summed in double).
            let dequantized = (0..<256).map { b in Double(q.scale * Float(Int32(Int8(truncatingIfNeeded: b)) - q.zeroPoint)) }
            var sums = [Double](repeating: 0, count: channels)
            for s in snapshots {
                live.copy(at: from, from: UnsafeRawBufferPointer(s), to: arena)
                interpreter.invoke(ops: from..<target.op)
                // The state before the target, which runs again once its bias changed: taken
                // before it runs, as an op may rewrite its input bytes (the conv input flip).
                live.copy(at: target.op, from: UnsafeRawBufferPointer(arena), to: s)
                interpreter.invoke(ops: target.op..<(target.op + 1))
                let bytes = interpreter.tensorBytes(target.tensor)
                dequantized.withUnsafeBufferPointer { d in
                    sums.withUnsafeMutableBufferPointer { sums in
                        var e = 0
                        while e < bytes.count {
                            for c in 0..<channels { sums[c] += d[Int(bytes[e + c])] }
                            e += channels
                        }
                    }
                }
            }
            let count = Double(samples.count * model.tensors[target.tensor].elementCount / channels)
            let op = model.ops[target.op]
            let sIn = Double(model.tensors[op.inputs[0]].quantization!.scale)
            let sw = model.tensors[op.inputs[1]].quantization!.channelScales
            var bias = model.tensors[op.inputs[2]].data
            for c in 0..<channels {
                let delta = ((sums[c] - floatSums[i][c]) / count / (sIn * Double(sw[c]))).rounded()
                bias.setInt32(Int32(clamping: Int64(bias.int32(at: c)) - Int64(delta)), at: c)
            }
            model.tensors[op.inputs[2]].data = bias
            guard let stored = int8.octet.mutableConstantBytes(op.inputs[2]), stored.count == bias.count else {
                throw ConvertError.invalidInput("internal error: bias of op #\(target.op) is not editable")
            }
            stored.copyBytes(from: bias)
            try interpreter.reprepare(op: target.op)
            from = target.op
            layerDone()
        }
    }
}

/// The arena bytes a run starting at op b depends on: every arena tensor written before op b
/// (or a model input) and read by op b or later. Copying only these between an arena and a
/// snapshot carries a stepped run across op b.
struct LiveRegions {
    private var producer: [Int], lastUse: [Int], regions: [Range<Int>]

    init(_ model: ModelDescription) {
        let n = model.tensors.count
        producer = [Int](repeating: -1, count: n); lastUse = [Int](repeating: -1, count: n)
        regions = model.tensors.map { $0.storage == .arena ? $0.arenaOffset..<($0.arenaOffset + $0.byteCount) : 0..<0 }
        for (k, op) in model.ops.enumerated() {
            for t in op.inputs { lastUse[t] = max(lastUse[t], k) }
            for t in op.outputs where producer[t] < 0 { producer[t] = k }
        }
    }

    /// Copies the tensors live across op `b` from `source` to `destination` (same layout).
    func copy(at b: Int, from source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawBufferPointer) {
        for t in regions.indices where !regions[t].isEmpty && producer[t] < b && lastUse[t] >= b {
            UnsafeMutableRawBufferPointer(rebasing: destination[regions[t]]).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[regions[t]]))
        }
    }
}

/// Per-channel sums of float values over samples (channel = the stored layout's last axis), for
/// the layers bias correction may correct: outputs of Conv, FullyConnected, MatMul and channel
/// affine nodes. Gathered from the float executor's buffers after each measured run.
public struct FloatChannelSums {
    var sums: [ValueID: [Double]] = [:]

    public init() {}

    /// The values gathered for `graph`.
    static func candidates(_ graph: Graph) -> [ValueID] {
        graph.nodes.flatMap { node -> [ValueID] in
            switch node.op {
            case .conv, .fullyConnected, .matMul, .channelAffine: return node.outputs
            default: return []
            }
        }
    }

    /// Adds the executor's current values of `values` (after one run).
    mutating func add(_ executor: FloatExecutor, _ values: [ValueID]) {
        for id in values {
            let v = executor.graph[id], channels = StorageLayout.storedShape(v).last ?? 1
            guard channels > 0 else { continue }
            let buffer = executor.buffers[id.index]
            var s = sums[id] ?? [Double](repeating: 0, count: channels)
            Self.accumulate(buffer, count: v.elementCount, channels: channels, into: &s)
            sums[id] = s
        }
    }

    /// Divides the sums of `id` (if gathered) by `s[c]` per channel: the sums of `id / s`.
    mutating func divide(_ id: ValueID, by s: [Float]) {
        guard var v = sums[id], v.count == s.count else { return }
        for c in v.indices { v[c] /= Double(s[c]) }
        sums[id] = v
    }

    /// `s[c] += x[p·channels + c]` for every pixel p of the first `count` values, in pixel order.
    static func accumulate(_ x: UnsafeMutableBufferPointer<Float>, count: Int, channels: Int, into s: inout [Double]) {
        s.withUnsafeMutableBufferPointer { s in
            var base = 0
            while base + channels <= count {
                for c in 0..<channels { s[c] += Double(x[base + c]) }
                base += channels
            }
            for e in base..<count { s[e - base] += Double(x[e]) }
        }
    }
}

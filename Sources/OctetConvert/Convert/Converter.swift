import Foundation
import OctetRuntime

/// Settings of `octet convert`.
public struct ConversionOptions: Sendable {
    public var calibrationMethod: CalibrationMethod = .minmax
    public var passes = GraphPasses.Options()
    public var lowering = LoweringOptions()
    /// Input preprocessing recorded in the metadata (what `octet run` applies to images).
    public var mean: [Float] = [0]
    public var std: [Float] = [1]
    public var labels: [String]? = nil
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    public var progress = true
    /// Empirical bias correction: `.auto` keeps it only where held-out output SQNR improves.
    public var biasCorrection: Switch = .auto
    /// Cross-layer equalization of Conv → Conv pairs: `.auto` keeps it only where the int8
    /// output on the last 64 calibration samples gets closer to the original float model.
    public var equalization: Switch = .auto
    /// Threads the calibration statistics and the int8 runs of bias correction and the
    /// equalization trial use (results are identical for any count). The float runs use
    /// `FloatExecutor.setBLASThreads` (process-wide; `octet convert` sets both).
    public var threads = 1
    public enum Switch: String, Sendable { case off, on, auto }
    public init() {}
}

/// What a conversion produced, for the CLI's report and `octet inspect`.
public struct ConversionResult {
    public var model: ModelDescription
    public var bytes: [UInt8]
    public var plan: MemoryPlan
    public var planRequests: [BufferRequest]
    public var calibrationSamples: Int
    public var seconds: Double
}

/// ONNX → `.octet`: import, graph passes, calibration on real samples, int8 lowering, arena
/// plan, serialisation, and a self-check that the runtime's verifier accepts the result.
public enum Converter {
    public static func convert(onnxPath: String, calibration: Tensor, options: ConversionOptions) throws -> ConversionResult {
        let source = try ONNXSource(path: onnxPath)
        return try convert(source: source.bytes, directory: source.directory, name: onnxPath, calibration: calibration, options: options,
                           imported: source.imported)
    }

    /// Same, for ONNX bytes in memory: `directory` resolves external data (nil: none may be
    /// referenced), `name` is the path messages and the `source.file` metadata use.
    /// `imported`: `source` already imported (by ONNXSource), so that it is not parsed twice.
    public static func convert(source: Data, directory: URL?, name onnxPath: String, calibration: Tensor,
                               options: ConversionOptions, imported alreadyImported: ImportedModel? = nil) throws -> ConversionResult {
        let start = Date()
        // The source hash runs beside the (single-threaded) import and graph passes.
        let hashing = DispatchGroup()
        nonisolated(unsafe) var sourceHash = ""
        DispatchQueue.global().async(group: hashing) { sourceHash = SHA256.hex([UInt8](source)) }
        let imported = try alreadyImported ?? ONNXImporter.importModel(data: source, directory: directory, name: onnxPath)
        let float = try FloatModel(imported: imported, options: options.passes)
        if let k = imported.outputTypes.firstIndex(of: .bool) {
            throw ConvertError.unsupported(node: float.outputNames[k], opType: "model",
                                           what: "graph output '\(float.outputNames[k])' is a bool Dropout mask; int8 models have float outputs only")
        }
        guard float.graph.inputs.count == 1 else {
            throw ConvertError.unsupported(node: onnxPath, opType: "model", what: "\(float.graph.inputs.count) inputs; calibration feeds single-input models")
        }
        for (id, t) in float.graph.constants where !t.data.allSatisfy(\.isFinite) {
            throw ConvertError.invalidInput("weight '\(float.graph[id].name)' contains NaN or infinity")
        }
        let inputShape = float.inputShapes[0]
        let per = inputShape.reduce(1, *), rows = inputShape.first ?? 1
        // A sample is one model input: `rows` rows of the calibration batch (1 for a batch-1 model).
        guard calibration.shape.count == inputShape.count, Array(calibration.shape.dropFirst()) == Array(inputShape.dropFirst()),
              (calibration.shape.first ?? 1) % rows == 0 else {
            throw ConvertError.invalidInput("calibration samples have shape \(calibration.shape); the model input is \(inputShape) (\(rows == 1 ? "any N" : "N a multiple of \(rows)"))")
        }
        let n = calibration.count / per
        guard n > 0 else { throw ConvertError.invalidInput("the calibration set is empty") }
        // Equalization is data-free, so it runs first: when no clip bound is dropped and ranges
        // are minmax, the one calibration also gathers the extremes per channel of the pairs'
        // values, from which the equalized candidate's observation follows (Observation.dividing).
        var graph = float.graph
        let equalization = options.equalization == .off ? nil : CrossLayerEqualization.run(&graph)
        let derivable = equalization.map { $0.clipsReplaced == 0 && options.calibrationMethod == .minmax } ?? false
        let observation = try observe(float, calibration: calibration, options: options, label: "calibrating",
                                      extremesOf: derivable ? Array(equalization!.scales.keys) : [])
        var chosen: Candidate
        var equalizationNote = "off"
        if let equalization, equalization.pairs > 0 {
            // Two candidates, the original and the equalized graph, each quantized (and bias
            // corrected) and then judged: with 2+ threads the two run side by side on half the
            // threads each, which uses the cores better than one after the other (their serial
            // parts overlap). Either way each candidate's bytes are the same.
            let equalized = try FloatModel(imported: imported, optimized: graph)
            let derived = derivable ? observation.dividing(equalization.scales) : nil
            let side = options.threads >= 2
            var one = options, two = options
            if side {
                one.threads = options.threads / 2
                two.threads = options.threads - one.threads
                one.progress = false
            }
            let pair = try concurrentlyIf(side, {
                try quantize(float, observation: observation, calibration: calibration, options: one, label: "")
            }, {
                try quantize(equalized, observation: try derived ?? observe(equalized, calibration: calibration, options: two,
                                                                             label: "calibrating (equalized)"),
                             calibration: calibration, options: two, label: side ? " (both candidates)" : " (equalized)")
            })
            chosen = pair.0
            let candidate = pair.1
            // Both candidates are judged against the original float model on the last 64
            // calibration samples (bias correction measures on the first 48). Both were
            // calibrated on every sample, so this compares them fairly but is not held out.
            let heldOutRange = max(0, n - 64)..<n, heldOut = heldOutRange.map { sample(calibration, inputShape, $0) }
            let reference = Array(chosen.outputs[heldOutRange])
            let (before, after) = try concurrentlyIf(side, {
                try BiasCorrection.outputSQNR(try chosen.interpreter(threads: one.threads), heldOut, reference: reference)
            }, {
                try BiasCorrection.outputSQNR(try candidate.interpreter(threads: two.threads), heldOut, reference: reference)
            })
            let applied = options.equalization == .on || after > before
            equalizationNote = String(format: "%@ (%d pairs; output SQNR on the last 64 calibration samples %.2f → %.2f dB",
                                      applied ? "applied" : "not applied", equalization.pairs, before, after)
            if equalization.clipsReplaced > 0 {
                // What dropping the clip bounds alone costs, before any quantization.
                var change = SQNRAccumulator()
                for (f, e) in zip(reference, candidate.outputs[heldOutRange]) {
                    f.withUnsafeBufferPointer { ref in change.add(reference: ref) { e[$0] } }
                }
                equalizationNote += String(format: "; %d ReLU6/Clip → ReLU, float output SQNR vs original %.2f dB",
                                           equalization.clipsReplaced, change.decibels)
            }
            equalizationNote += ")"
            if applied {
                chosen = candidate
                let lines = equalization.scales.sorted { $0.key < $1.key }.map { id, s in
                    "\(graph[id].name)\t" + s.map { "\($0)" }.joined(separator: ",")
                }
                chosen.metadata.append(MetadataEntry("quantization.equalization_scales", lines.joined(separator: "\n")))
            }
        } else {
            chosen = try quantize(float, observation: observation, calibration: calibration, options: options, label: "")
            if equalization != nil { equalizationNote = "not applicable (no Conv → Conv pairs)" }
        }
        var model = chosen.model
        hashing.wait()
        model.metadata = metadata(sourceHash: sourceHash, onnxPath: onnxPath, imported: imported, ranges: chosen.ranges, graph: chosen.float.graph,
                                  samples: n, options: options)
        model.metadata.append(MetadataEntry("quantization.bias_correction", chosen.biasNote))
        model.metadata.append(MetadataEntry("quantization.equalization", equalizationNote))
        model.metadata += chosen.metadata
        let bytes = OctetSerializer.serialize(model)
        do {
            _ = try OctetModel(bytes: bytes)
        } catch {
            throw ConvertError.invalidInput("internal error: the converted model fails verification: \(error)")
        }
        return ConversionResult(model: model, bytes: bytes, plan: chosen.plan, planRequests: chosen.requests, calibrationSamples: n,
                                seconds: Date().timeIntervalSince(start))
    }

    /// Calibration sample `i`: rows `i·N ..< (i+1)·N` of the batch, for a model input of `shape` ([N, …]).
    static func sample(_ calibration: Tensor, _ shape: [Int], _ i: Int) -> Tensor {
        let per = shape.reduce(1, *)
        return Tensor(shape: shape, data: Array(calibration.data[(i * per)..<((i + 1) * per)]))
    }

    /// What calibrating a float model on every sample gathers.
    struct Observation {
        var ranges: [ValueID: (lo: Float, hi: Float, method: String)]
        /// The float model's first output on every calibration sample.
        var outputs: [[Float]]
        /// Per-channel sums of the bias-correction candidates over the samples it measures.
        var floatSums: FloatChannelSums
        /// Per-channel extremes of the values asked for (the equalization pairs' values).
        var extremes: ChannelExtremes

        /// The observation of the same model with each value `v` of `scales` divided by
        /// `scales[v]` per channel, derived without running it; nil unless every such value's
        /// extremes were tracked. Exact when only those values change and the ranges are
        /// minmax: cross-layer equalization with no clip bound dropped (a ReLU or no activation
        /// between the pair commutes with a positive per-channel scale; the pair's consumer
        /// undoes it, so every other value and the outputs are the same function).
        func dividing(_ scales: [ValueID: [Float]]) -> Observation? {
            var result = self
            for (id, s) in scales {
                guard let r = extremes.minmaxRange(id, dividedBy: s), let method = ranges[id]?.method else { return nil }
                result.ranges[id] = (r.lo, r.hi, method)
                result.floatSums.divide(id, by: s)
            }
            return result
        }
    }

    /// Runs `float` on every calibration sample: activation statistics, outputs, the float
    /// sums bias correction needs and the extremes per channel of `extremesOf`.
    static func observe(_ float: FloatModel, calibration: Tensor, options: ConversionOptions, label: String,
                        extremesOf: [ValueID] = []) throws -> Observation {
        let inputShape = float.inputShapes[0], per = inputShape.reduce(1, *), n = calibration.count / per
        let calibrator = try Calibrator(graph: float.graph, method: options.calibrationMethod, threads: options.threads)
        let bar = options.progress ? ProgressBar(total: n, label: label) : nil
        var outputs: [[Float]] = []
        // Bias correction measures the first `measured` of its samples against these sums.
        let measured = options.biasCorrection == .off ? 0 : BiasCorrection.measuredCount(min(n, 48))
        var floatSums = FloatChannelSums(), extremes = ChannelExtremes(values: extremesOf)
        let sumValues = FloatChannelSums.candidates(float.graph)
        for i in 0..<n {
            outputs.append(try float.executor.run([sample(calibration, inputShape, i)])[0].data)
            try calibrator.observe(float.executor)
            if i < measured { floatSums.add(float.executor, sumValues) }
            extremes.add(float.executor)
            bar?.update(completed: i + 1)
        }
        bar?.finish()
        return Observation(ranges: calibrator.ranges(), outputs: outputs, floatSums: floatSums, extremes: extremes)
    }

    /// One quantized candidate of a float graph.
    struct Candidate {
        var float: FloatModel
        var observation: Observation
        var model: ModelDescription
        var plan: MemoryPlan
        var requests: [BufferRequest]
        var biasNote: String
        var metadata: [MetadataEntry] = []
        /// An interpreter of `model`, when bias correction left one.
        var int8: Int8Model?

        var ranges: [ValueID: (lo: Float, hi: Float, method: String)] { observation.ranges }
        /// The float model's first output on every calibration sample.
        var outputs: [[Float]] { observation.outputs }

        func interpreter(threads: Int) throws -> Int8Model { try int8 ?? BiasCorrection.run(model, threads: threads) }
    }

    /// Lowers `float` to int8 with the ranges of `observation`, plans the arena and applies bias correction.
    static func quantize(_ float: FloatModel, observation: Observation, calibration: Tensor, options: ConversionOptions,
                         label: String) throws -> Candidate {
        let inputShape = float.inputShapes[0], n = calibration.count / inputShape.reduce(1, *)
        var lowering = try Int8Lowering(graph: float.graph, ranges: observation.ranges.mapValues { ($0.lo, $0.hi) }, options: options.lowering)
        var model = try lowering.run()
        let (plan, requests, _) = try ArenaPlanning.plan(&model)
        var biasNote = "off"
        var int8: Int8Model? = nil
        if options.biasCorrection != .off {
            let count = min(n, 48)
            let (outcome, corrected) = try BiasCorrection.apply(&model, float: float, samples: (0..<count).map { sample(calibration, inputShape, $0) },
                                                                outputs: Array(observation.outputs[..<count]), floatSums: observation.floatSums,
                                                                requireImprovement: options.biasCorrection == .auto, threads: options.threads,
                                                                progressLabel: options.progress ? "correcting biases" + label : nil)
            int8 = corrected
            biasNote = String(format: "%@ (%d layers; held-out output SQNR %.2f → %.2f dB)",
                              outcome.applied ? "applied" : "not applied", outcome.layers, outcome.sqnrBefore, outcome.sqnrAfter)
        }
        return Candidate(float: float, observation: observation, model: model, plan: plan, requests: requests, biasNote: biasNote, int8: int8)
    }

    static func metadata(sourceHash: String, onnxPath: String, imported: ImportedModel, ranges: [ValueID: (lo: Float, hi: Float, method: String)],
                         graph: Graph, samples: Int, options: ConversionOptions) -> [MetadataEntry] {
        var entries = [
            MetadataEntry("source.file", (onnxPath as NSString).lastPathComponent),
            MetadataEntry("source.sha256", sourceHash),
            MetadataEntry("source.producer", imported.producer),
            MetadataEntry("source.opset", String(imported.opset)),
            MetadataEntry("input.dynamic_batch", imported.dynamicBatch.map { $0 ? "1" : "0" }.joined(separator: ",")),
            MetadataEntry("input.mean", options.mean.map { "\($0)" }.joined(separator: ",")),
            MetadataEntry("input.std", options.std.map { "\($0)" }.joined(separator: ",")),
            MetadataEntry("input.uint8", options.lowering.uint8Input == nil ? "0" : "1"),
            MetadataEntry("calibration.method", "\(options.calibrationMethod)"),
            MetadataEntry("calibration.samples", String(samples)),
            MetadataEntry("quantization.weight_bits", String(options.lowering.weightBits.rawValue)),
        ]
        // Per-tensor calibration statistics: name, chosen range, method.
        let lines = ranges.sorted { $0.key < $1.key }.map { id, r in "\(graph[id].name)\t\(r.lo)\t\(r.hi)\t\(r.method)" }
        entries.append(MetadataEntry("calibration.ranges", lines.joined(separator: "\n")))
        if let labels = options.labels { entries.append(MetadataEntry("labels", labels.joined(separator: "\n"))) }
        return entries
    }
}

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
        let start = Date()
        guard let source = FileManager.default.contents(atPath: onnxPath) else { throw ConvertError.io("cannot read model file '\(onnxPath)'") }
        let imported = try ONNXImporter.importModel(data: source, directory: URL(fileURLWithPath: onnxPath).deletingLastPathComponent(), name: onnxPath)
        let float = try FloatModel(imported: imported, options: options.passes)
        guard float.graph.inputs.count == 1 else {
            throw ConvertError.unsupported(node: onnxPath, opType: "model", what: "\(float.graph.inputs.count) inputs; calibration feeds single-input models")
        }
        for (id, t) in float.graph.constants where !t.data.allSatisfy(\.isFinite) {
            throw ConvertError.invalidInput("weight '\(float.graph[id].name)' contains NaN or infinity")
        }
        let inputShape = float.inputShapes[0]
        let per = inputShape.reduce(1, *)
        guard calibration.shape.count == inputShape.count, Array(calibration.shape.dropFirst()) == Array(inputShape.dropFirst()) else {
            throw ConvertError.invalidInput("calibration samples have shape \(calibration.shape); the model input is \(inputShape) (any N)")
        }
        let n = calibration.shape[0]
        guard n > 0 else { throw ConvertError.invalidInput("the calibration set is empty") }

        let calibrator = try Calibrator(graph: float.graph, method: options.calibrationMethod)
        let bar = options.progress ? ProgressBar(total: n, label: "calibrating") : nil
        for i in 0..<n {
            let sample = Tensor(shape: inputShape, data: Array(calibration.data[(i * per)..<((i + 1) * per)]))
            _ = try float.executor.run([sample])
            try calibrator.observe(float.executor)
            bar?.update(completed: i + 1)
        }
        bar?.finish()
        let ranges = calibrator.ranges()

        var lowering = try Int8Lowering(graph: float.graph, ranges: ranges.mapValues { ($0.lo, $0.hi) }, options: options.lowering)
        var model = try lowering.run()
        let (plan, requests, _) = try ArenaPlanning.plan(&model)
        var biasNote = "off"
        if options.biasCorrection != .off {
            let samples = (0..<min(n, 48)).map { i in Tensor(shape: inputShape, data: Array(calibration.data[(i * per)..<((i + 1) * per)])) }
            let outcome = try BiasCorrection.apply(&model, float: float, samples: samples, requireImprovement: options.biasCorrection == .auto)
            biasNote = String(format: "%@ (%d layers; held-out output SQNR %.2f → %.2f dB)",
                              outcome.applied ? "applied" : "not applied", outcome.layers, outcome.sqnrBefore, outcome.sqnrAfter)
        }
        model.metadata = metadata(source: source, onnxPath: onnxPath, imported: imported, ranges: ranges, graph: float.graph,
                                  samples: n, options: options)
        model.metadata.append(MetadataEntry("quantization.bias_correction", biasNote))
        let bytes = OctetSerializer.serialize(model)
        do {
            _ = try OctetModel(bytes: bytes)
        } catch {
            throw ConvertError.invalidInput("internal error: the converted model fails verification: \(error)")
        }
        return ConversionResult(model: model, bytes: bytes, plan: plan, planRequests: requests, calibrationSamples: n,
                                seconds: Date().timeIntervalSince(start))
    }

    static func metadata(source: Data, onnxPath: String, imported: ImportedModel, ranges: [ValueID: (lo: Float, hi: Float, method: String)],
                         graph: Graph, samples: Int, options: ConversionOptions) -> [MetadataEntry] {
        var entries = [
            MetadataEntry("source.file", (onnxPath as NSString).lastPathComponent),
            MetadataEntry("source.sha256", SHA256.hex([UInt8](source))),
            MetadataEntry("source.producer", imported.producer),
            MetadataEntry("source.opset", String(imported.opset)),
            MetadataEntry("input.dynamic_batch", imported.dynamicBatch.map { $0 ? "1" : "0" }.joined(separator: ",")),
            MetadataEntry("input.mean", options.mean.map { "\($0)" }.joined(separator: ",")),
            MetadataEntry("input.std", options.std.map { "\($0)" }.joined(separator: ",")),
            MetadataEntry("input.uint8", options.lowering.uint8Input == nil ? "0" : "1"),
            MetadataEntry("calibration.method", "\(options.calibrationMethod)"),
            MetadataEntry("calibration.samples", String(samples)),
        ]
        // Per-tensor calibration statistics: name, chosen range, method.
        let lines = ranges.sorted { $0.key < $1.key }.map { id, r in "\(graph[id].name)\t\(r.lo)\t\(r.hi)\t\(r.method)" }
        entries.append(MetadataEntry("calibration.ranges", lines.joined(separator: "\n")))
        if let labels = options.labels { entries.append(MetadataEntry("labels", labels.joined(separator: "\n"))) }
        return entries
    }
}

import ArgumentParser
import Foundation
import OctetConvert
import OctetRuntime

/// `octet convert`: ONNX → calibrated, per-channel int8 `.octet` file.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an ONNX model to an int8 .octet file, calibrated on real samples.",
        discussion: """
        Calibration samples are a .npy batch [N, ...] in the model's declared input layout, an IDX \
        image file (e.g. Fashion-MNIST's t10k-images-idx3-ubyte.gz, scaled to [0,1] then \
        normalised with --mean/--std), or a folder of images (decoded, resized to the model \
        input, normalised). The output is written atomically: a failed conversion leaves no file.
        """
    )

    @Argument(help: ArgumentHelp("The ONNX model file.", valueName: "model.onnx"))
    var model: String

    @Option(help: ArgumentHelp("Calibration samples: .npy batch, IDX file or image folder.", valueName: "path"))
    var calibration: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The .octet file to write.", valueName: "model.octet"))
    var output: String

    @Option(name: .customLong("calibration-method"),
            help: ArgumentHelp("minmax, percentile[:P] (default P 99.99), mse, or auto (per tensor, lowest measured error).", valueName: "method"))
    var calibrationMethod: String = "minmax"

    @Option(help: ArgumentHelp("Use at most this many calibration samples.", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Input normalisation mean (pixels in [0, 1]); recorded in the file.", valueName: "m[,m,m]"))
    var mean: FloatList?

    @Option(help: ArgumentHelp("Input normalisation std; recorded in the file.", valueName: "s[,s,s]"))
    var std: FloatList?

    @Option(help: ArgumentHelp("Class names, one per line, stored in the file.", valueName: "file"))
    var labels: String?

    @OptionGroup var threads: ThreadsOption

    @Flag(name: .customLong("int8-output"), help: "Keep outputs int8 instead of dequantizing them to float.")
    var int8Output = false

    @Flag(name: .customLong("uint8-input"), help: "Take raw uint8 pixels; the --mean/--std normalisation is folded into the input quantization.")
    var uint8Input = false

    @Option(name: .customLong("bias-correction"),
            help: ArgumentHelp("Empirical bias correction: auto (keep it only if held-out output SQNR improves), on, off.", valueName: "mode"))
    var biasCorrection: String = "auto"

    @Option(help: ArgumentHelp("Cross-layer equalization of Conv → Conv pairs (ReLU6 between them becomes ReLU): auto (keep it only if held-out output SQNR against the original model improves), on, off.", valueName: "mode"))
    var equalization: String = "auto"

    @Option(name: .customLong("weight-bits"),
            help: ArgumentHelp("Conv / fully-connected weight precision: 8 ([-127, 127]) or 7 ([-63, 63]: lets AVX2 CPUs without VNNI use a faster exact kernel); recorded in the file.", valueName: "bits"))
    var weightBits: Int = 8

    @Option(help: ArgumentHelp("Also draw the arena plan as an SVG.", valueName: "plan.svg"))
    var svg: String?

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive, got \(limit).") }
        if ConversionOptions.Switch(rawValue: biasCorrection) == nil {
            throw ValidationError("--bias-correction must be auto, on or off, got '\(biasCorrection)'.")
        }
        if ConversionOptions.Switch(rawValue: equalization) == nil {
            throw ValidationError("--equalization must be auto, on or off, got '\(equalization)'.")
        }
        if WeightBits(rawValue: weightBits) == nil {
            throw ValidationError("--weight-bits must be 7 or 8, got \(weightBits).")
        }
        if CalibrationMethod(argument: calibrationMethod) == nil {
            throw ValidationError("unknown --calibration-method '\(calibrationMethod)': use minmax, percentile[:P], mse or auto.")
        }
    }

    func run() throws {
        try CLI.reportingErrors { try execute() }
    }

    private func execute() throws {
        var options = ConversionOptions()
        options.calibrationMethod = CalibrationMethod(argument: calibrationMethod) ?? .minmax
        options.biasCorrection = ConversionOptions.Switch(rawValue: biasCorrection) ?? .auto
        options.equalization = ConversionOptions.Switch(rawValue: equalization) ?? .auto
        options.threads = threads.count
        FloatExecutor.setBLASThreads(threads.count)
        options.mean = mean?.values ?? [0]
        options.std = std?.values ?? [1]
        if let labels { options.labels = try Labels.read(path: labels) }
        options.lowering.int8Outputs = int8Output
        options.lowering.weightBits = WeightBits(rawValue: weightBits) ?? .eight
        if uint8Input {
            guard options.mean.count == 1, options.std.count == 1 else {
                throw ConvertError.invalidInput("--uint8-input needs a single --mean and --std")
            }
            options.lowering.uint8Input = (options.mean[0], options.std[0])
        }
        for path in [output] + (svg.map { [$0] } ?? []) { try AtomicFile.checkWritable(path) }
        let source = try ONNXSource(path: model)
        guard let inputShape = source.imported.graph.inputs.first.map({ source.imported.graph[$0].shape }) else {
            throw ConvertError.invalidModel("'\(model)' has no inputs")
        }
        let samples = try CalibrationSet.load(path: calibration, inputShape: inputShape, mean: options.mean, std: options.std, limit: limit)
        let result = try Converter.convert(source: source.bytes, directory: source.directory, name: model, calibration: samples,
                                           options: options, imported: source.imported)
        var files = [(data: Data(result.bytes), path: output)]
        if let svg {
            files.append((Data(MemoryPlanSVG.render(result.plan, result.planRequests, title: (output as NSString).lastPathComponent).utf8), svg))
        }
        try AtomicFile.writeAll(files)
        let m = result.model
        let fallbacks = m.ops.filter { $0.code.isFloatFallback }.count
        print("converted \(model) → \(output)")
        print("  ops \(m.ops.count) (\(fallbacks) float fallback), tensors \(m.tensors.count), file \(result.bytes.count) bytes")
        print("  calibration: \(result.calibrationSamples) samples, method \(options.calibrationMethod)")
        print("  weights: \(options.lowering.weightBits)-bit, per output channel")
        print("  cross-layer equalization: \(m.metadata("quantization.equalization") ?? "off")")
        print("  bias correction: \(m.metadata("quantization.bias_correction") ?? "off")")
        print("  arena \(m.arenaSize) bytes, lower bound \(m.arenaLowerBound) bytes (\(CLI.percentOver(m.arenaSize, m.arenaLowerBound)))")
        print(String(format: "  time %.2f s", result.seconds))
    }
}

import ArgumentParser
import Foundation
import OctetConvert
import OctetRuntime

/// `octet eval`: int8 (.octet) against the float reference (source ONNX) on a labeled dataset.
struct EvalCommand: ParsableCommand {
    init() {}

    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare a .octet model with its float ONNX source on a labeled dataset.",
        discussion: """
        Reports float top-1, int8 top-1, top-1 agreement, output SQNR and the SQNR of every \
        int8 tensor against its float twin. The dataset is an IDX image file with an IDX label \
        file (e.g. Fashion-MNIST's t10k files, gzip is fine), or a .npy batch with a .npy of \
        integer labels. Normalisation defaults to the mean/std stored in the .octet file.
        """
    )

    @Argument(help: ArgumentHelp("The int8 model.", valueName: "model.octet"))
    var model: String

    @Option(help: ArgumentHelp("The float ONNX model it was converted from.", valueName: "model.onnx"))
    var onnx: String

    @Option(help: ArgumentHelp("Images: IDX file or .npy batch.", valueName: "path"))
    var images: String

    @Option(help: ArgumentHelp("Labels: IDX file or .npy of integers.", valueName: "path"))
    var labels: String

    @Option(help: ArgumentHelp("Evaluate only the first n samples.", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Override the stored normalisation mean.", valueName: "m[,m,m]"))
    var mean: FloatList?

    @Option(help: ArgumentHelp("Override the stored normalisation std.", valueName: "s[,s,s]"))
    var std: FloatList?

    @Flag(help: "List the per-layer SQNR.")
    var layers = false

    @OptionGroup var threads: ThreadsOption

    func run() throws {
        try CLI.reportingErrors { _ = try execute() }
    }

    /// Runs the evaluation and prints the headline (shared with `octet report`).
    func execute() throws -> EvaluationReport {
        let int8 = try Int8Model(path: model, threads: threads.count)
        FloatExecutor.setBLASThreads(threads.count)
        let float = try FloatModel(onnxPath: onnx)
        let meta = int8.octet.description
        func stored(_ key: String) -> [Float]? { meta.metadata(key).map { $0.split(separator: ",").compactMap { Float($0) } } }
        let m = mean?.values ?? stored("input.mean") ?? [0], s = std?.values ?? stored("input.std") ?? [1]
        let inputShape = float.inputShapes[0]
        let data = try CalibrationSet.load(path: images, inputShape: inputShape, mean: m, std: s, limit: limit)
        var truth: [Int]
        if labels.hasSuffix(".npy") {
            truth = try NumpyFile.read(path: labels).data.map { Int($0) }
        } else {
            truth = try IDXFile.read(path: labels).data.map { Int($0) }
        }
        if truth.count > data.shape[0] { truth = Array(truth.prefix(data.shape[0])) }
        let bar = ProgressBar(total: data.shape[0], label: "evaluating")
        let start = Date()
        let r = try Evaluation.run(int8: int8, float: float, images: data, labels: truth, progress: bar)
        print("\(model) vs \(onnx) on \(r.samples) samples (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
        print(String(format: "  float top-1 %.2f%%   int8 top-1 %.2f%%   agreement %.2f%%   output SQNR %.1f dB",
                     100 * r.floatTop1, 100 * r.int8Top1, 100 * r.agreement, r.outputSQNR))
        if layers {
            print("  per-layer SQNR (dB), execution order:")
            for l in r.layers { print(String(format: "  %7.1f  %-16@ %@", l.sqnr, l.op as NSString, l.name as NSString)) }
        }
        return r
    }
}

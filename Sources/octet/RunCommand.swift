import ArgumentParser
import Foundation
import OctetConvert
import OctetFiles

/// `octet run`: runs a `.octet` model on the int8 interpreter, or an ONNX model on the float
/// reference path, and prints its top-k classes.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a .octet model (int8) or an ONNX model (float reference path) and print the top-k classes.",
        discussion: """
        Each --input is a .npy array, passed as-is (its first dimension may be a batch N), or an \
        image (PNG, JPEG, BMP, GIF, PGM/PPM, TGA; any file that is not .npy is read as an image). \
        Images are decoded as grayscale or RGB to match the model input's channel axis (axis 1 \
        for NCHW, axis 3 for NHWC), resized to its height and width, scaled to [0, 1] and \
        normalised as (x - mean) / std; a .octet model supplies the mean/std it was converted with \
        unless --mean/--std are given.

        The top-k listing covers every row (first dimension) of the first output.
        """
    )

    @Argument(help: ArgumentHelp("The model: .octet (int8) or .onnx (float reference path).", valueName: "model"))
    var model: String

    @Option(help: ArgumentHelp("A model input: .npy array or image. Repeat once per model input, in order.", valueName: "file"))
    var input: [String]

    @Option(help: ArgumentHelp("Image normalisation mean, one value or one per channel (pixels scaled to [0, 1]).", valueName: "m[,m,m]"))
    var mean: FloatList?

    @Option(help: ArgumentHelp("Image normalisation std, one value or one per channel.", valueName: "s[,s,s]"))
    var std: FloatList?

    @Option(help: ArgumentHelp("Class names, one per line, for the top-k listing; must have one line per class.", valueName: "file"))
    var labels: String?

    @Option(name: .customLong("top-k"), help: ArgumentHelp("Classes to list per row (clamped to the class count; 0 lists none).", valueName: "k"))
    var topK: Int = 5

    @Option(help: ArgumentHelp("Write the first output to this .npy file; other outputs go beside it as <stem>.<output name>.npy.", valueName: "out.npy"))
    var output: String?

    @Option(help: ArgumentHelp("BagNet-style .octet models: write the per-patch evidence for the top class over the (first) input image as a PNG.", valueName: "out.png"))
    var heatmap: String?

    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        if input.isEmpty { throw ValidationError("Missing --input: give one per model input (a .npy file or an image).") }
        if topK < 0 { throw ValidationError("--top-k must be 0 or more, got \(topK).") }
    }

    func run() throws {
        try CLI.reportingErrors { try execute() }
    }

    // MARK: - Driver

    private func execute() throws {
        let floatModel = try openModel(path: model, threads: threads.count)
        let names = floatModel.inputNames
        guard input.count == names.count else {
            throw ConvertError.invalidInput("model '\(model)' takes \(names.count) input(s) (\(names.joined(separator: ", "))), got \(input.count) --input")
        }
        let tensors = try zip(input, floatModel.inputShapes).map { path, shape in
            // A --uint8-input model takes the image's raw 0…255 pixels (its normalisation is folded in).
            (floatModel as? Int8Model)?.takesRawPixels(0) == true
                ? try RunCommand.loadInput(path: path, inputShape: shape, mean: [0], std: [1.0 / 255])
                : try RunCommand.loadInput(path: path, inputShape: shape, mean: mean?.values ?? floatModel.storedNormalization?.mean ?? [],
                                           std: std?.values ?? floatModel.storedNormalization?.std ?? [])
        }
        if mean != nil || std != nil, input.allSatisfy(RunCommand.isNumpy) {
            CLI.printNote("--mean/--std apply to image inputs only; the .npy inputs are used as-is")
        }
        let labelNames = try labels.map { try Labels.read(path: $0) }

        let clock = ContinuousClock()
        let start = clock.now
        let outputs = try floatModel.run(tensors)
        let elapsed = clock.now - start
        let outputNames = floatModel.outputNames

        // Check everything before writing, so a failure leaves no output file.
        guard let first = outputs.first else { throw ConvertError.invalidModel("'\(model)' has no outputs") }
        let (rows, classes) = RunCommand.rowsAndClasses(first.shape)
        if let labelNames, let labels, labelNames.count != classes {
            throw ConvertError.invalidInput("labels file '\(labels)' has \(labelNames.count) lines, model output '\(outputNames[0])' has \(classes) classes")
        }
        var heatmapPNG: Data? = nil
        if let heatmap {
            guard let int8 = floatModel as? Int8Model, tensors.count == 1 else {
                throw ConvertError.invalidInput("--heatmap '\(heatmap)' needs a single-input .octet model")
            }
            let one = Tensor(shape: int8.inputShapes[0], data: Array(tensors[0].data.prefix(int8.inputShapes[0].reduce(1, *))))
            let map = try PatchEvidence.evidence(int8, input: one)
            let top = Labels.topK(Array(first.data.prefix(classes)), k: 1).first?.index ?? 0
            let norm = floatModel.storedNormalization
            heatmapPNG = try PatchEvidence.png(map, classIndex: top, image: one, mean: mean?.values ?? norm?.mean ?? [0], std: std?.values ?? norm?.std ?? [1])
        }
        let paths = output.map { outputPaths(first: $0, names: outputNames) }
        var files = zip(outputs, paths ?? []).map { (data: NumpyFile.encode($0), path: $1) }
        if let heatmap, let heatmapPNG { files.append((heatmapPNG, heatmap)) }
        try AtomicFile.writeAll(files)

        // Summary.
        print("model:   \(model)")
        for (i, (name, tensor)) in zip(names, tensors).enumerated() {
            print("input:   \(name) \(CLI.shapeText(tensor.shape)) <- \(input[i])")
        }
        for (i, (name, tensor)) in zip(outputNames, outputs).enumerated() {
            let destination = paths.map { " -> \($0[i])" } ?? ""
            print("output:  \(name) \(CLI.shapeText(tensor.shape))\(destination)")
        }
        if let heatmap { print("heatmap: per-patch evidence for the top class -> \(heatmap)") }
        let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
        print("elapsed: \(String(format: "%.3f", ms)) ms")

        // Top-k per row of the first output.
        let k = min(topK, classes)
        guard k > 0 else { return }
        print("top-\(k) of '\(outputNames[0])':")
        for row in 0..<rows {
            let scores = Array(first.data[(row * classes)..<((row + 1) * classes)])
            print("  row \(row):")
            for (index, score) in Labels.topK(scores, k: k) {
                let label = labelNames.map { "  \($0[index])" } ?? ""
                print("    \(pad(String(index), String(classes - 1).count))  \(String(format: "%11.6g", score))\(label)")
            }
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    // MARK: - Helpers

    static func isNumpy(_ path: String) -> Bool {
        URL(fileURLWithPath: path).pathExtension.lowercased() == "npy"
    }

    /// Reads a `.npy` as-is, anything else as an image for `inputShape`.
    static func loadInput(path: String, inputShape: [Int], mean: [Float], std: [Float]) throws -> Tensor {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConvertError.io("cannot read input '\(path)': no such file")
        }
        guard !isDirectory.boolValue else { throw ConvertError.io("cannot read input '\(path)': it is a directory") }
        if isNumpy(path) { return try NumpyFile.read(path: path) }
        return try ImageInput.load(path: path, inputShape: inputShape, mean: mean, std: std)
    }

    /// Rows = first dimension (1 for rank ≤ 1); classes = the rest, flattened.
    static func rowsAndClasses(_ shape: [Int]) -> (rows: Int, classes: Int) {
        let count = shape.reduce(1, *)
        guard shape.count >= 2, shape[0] > 0 else { return (1, count) }
        return (shape[0], count / shape[0])
    }
}

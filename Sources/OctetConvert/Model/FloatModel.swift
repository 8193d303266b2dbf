/// An ONNX model ready to run on the float reference path: import → passes → executor.
///
/// ```swift
/// let model = try FloatModel(onnxPath: "models/lenet.onnx")
/// let outputs = try model.run([input])   // input: Tensor in the ONNX layout, any batch size
/// ```
public final class FloatModel {
    public let imported: ImportedModel
    /// The optimised, NHWC-laid-out graph the executor runs.
    public let graph: Graph
    public let executor: FloatExecutor

    /// `keepEveryValue`: every intermediate value stays readable in `executor` after a run
    /// (calibration, per-layer comparisons); false when only the outputs are needed, which lets
    /// intermediate values share buffers (less memory, faster runs).
    public convenience init(onnxPath: String, options: GraphPasses.Options = .init(), keepEveryValue: Bool = true) throws {
        try self.init(imported: try ONNXImporter.importModel(atPath: onnxPath), options: options, keepEveryValue: keepEveryValue)
    }

    public convenience init(imported: ImportedModel, options: GraphPasses.Options = .init(), keepEveryValue: Bool = true) throws {
        try self.init(imported: imported, optimized: try GraphPasses.optimize(imported.graph, options: options), keepEveryValue: keepEveryValue)
    }

    /// A model running `optimized`, a graph already through `GraphPasses.optimize`.
    init(imported: ImportedModel, optimized: Graph, keepEveryValue: Bool = true) throws {
        self.imported = imported
        graph = optimized
        executor = try FloatExecutor(graph: graph, keepEveryValue: keepEveryValue)
    }

    public var inputNames: [String] { graph.inputs.map { graph[$0].name } }
    public var outputNames: [String] { graph.outputs.map { graph[$0].name } }
    /// Input shapes at batch 1 (the graph's own shapes).
    public var inputShapes: [[Int]] { graph.inputs.map { graph[$0].shape } }

    /// Runs a batch. Each input is either exactly the model's input shape, or that shape with
    /// a leading batch dimension N in place of 1; the N items run one by one and each output
    /// gets N rows.
    public func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == graph.inputs.count else {
            throw ConvertError.invalidInput("model takes \(graph.inputs.count) input(s) (\(inputNames.joined(separator: ", "))), got \(inputs.count)")
        }
        var batch: Int? = nil
        for (tensor, id) in zip(inputs, graph.inputs) {
            let expected = graph[id].shape
            let n: Int
            if tensor.shape == expected { n = 1 }
            else if expected.first == 1, tensor.shape.count == expected.count, Array(tensor.shape.dropFirst()) == Array(expected.dropFirst()) {
                n = tensor.shape[0]
            } else {
                let batchNote = expected.first == 1 ? " (any batch size N in the first dimension)" : ""
                throw ConvertError.invalidInput("input '\(graph[id].name)' expects shape \(expected)\(batchNote), got \(tensor.shape)")
            }
            guard batch == nil || batch == n || n == 1 else {
                throw ConvertError.invalidInput("inputs have different batch sizes (\(batch!) and \(n))")
            }
            batch = max(batch ?? n, n)
        }
        let items = batch ?? 1
        guard items > 0 else { throw ConvertError.invalidInput("input batch is empty") }
        var collected: [[Float]] = Array(repeating: [], count: graph.outputs.count)
        var itemShapes: [[Int]] = []
        for item in 0..<items {
            let slices = zip(inputs, graph.inputs).map { tensor, id -> Tensor in
                let per = graph[id].elementCount
                if tensor.count == per { return Tensor(shape: graph[id].shape, data: tensor.data) }
                return Tensor(shape: graph[id].shape, data: Array(tensor.data[(item * per)..<((item + 1) * per)]))
            }
            let outputs = try executor.run(slices)
            itemShapes = outputs.map(\.shape)
            for (i, o) in outputs.enumerated() { collected[i] += o.data }
        }
        return zip(collected, itemShapes).map { data, shape in
            let stacked = shape.isEmpty ? [items] : [shape[0] * items] + shape.dropFirst()
            return Tensor(shape: items == 1 ? shape : stacked, data: data)
        }
    }
}

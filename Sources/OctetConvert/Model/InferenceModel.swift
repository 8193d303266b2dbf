/// What `octet run` needs from a model, float (ONNX) or int8 (`.octet`): names, batch-1 input
/// shapes in the ONNX layout, and a batched `run`.
public protocol InferenceModel: AnyObject {
    var inputNames: [String] { get }
    var outputNames: [String] { get }
    var inputShapes: [[Int]] { get }
    func run(_ inputs: [Tensor]) throws -> [Tensor]
    /// Image normalisation recorded in the model (`.octet` files carry the converter's --mean/--std).
    var storedNormalization: (mean: [Float], std: [Float])? { get }
}

extension FloatModel: InferenceModel {
    public var storedNormalization: (mean: [Float], std: [Float])? { nil }
}

extension Int8Model: InferenceModel {
    public var storedNormalization: (mean: [Float], std: [Float])? {
        let d = octet.description
        func values(_ key: String) -> [Float]? {
            d.metadata(key).map { $0.split(separator: ",").compactMap { Float(String($0)) } }
        }
        guard let mean = values("input.mean"), let std = values("input.std"), !mean.isEmpty, !std.isEmpty else { return nil }
        return (mean, std)
    }
}

/// Opens `path` as an int8 model when it ends in `.octet`, else as ONNX on the float path.
/// `threads`: the interpreter's thread count, or OpenBLAS's for the float path.
public func openModel(path: String, threads: Int = 1) throws -> InferenceModel {
    if path.lowercased().hasSuffix(".octet") { return try Int8Model(path: path, threads: threads) }
    FloatExecutor.setBLASThreads(threads)
    return try FloatModel(onnxPath: path, keepEveryValue: false)
}

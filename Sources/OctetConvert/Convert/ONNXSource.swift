import Foundation

/// An ONNX file read and imported once: its bytes (hashed into the `.octet` metadata), the
/// directory its external data resolves against, and the imported graph (a caller that needs
/// the input shape before converting passes it on instead of importing the file again).
public struct ONNXSource {
    public let bytes: Data
    public let directory: URL
    public let imported: ImportedModel

    public init(path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw ConvertError.io("cannot read model file '\(path)'") }
        self.bytes = bytes
        directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        imported = try ONNXImporter.importModel(data: bytes, directory: directory, name: path)
    }
}

import Foundation
import OctetConvert

/// A fixture model of Tests/OctetConvertTests/Fixtures converted once per process, and
/// temporary paths.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let models = root.appendingPathComponent("Tests/OctetConvertTests/Fixtures/models")

    /// mobilenet_v2_tiny converted with its own input as calibration: (.octet path, input path).
    static let mobileNet: (octet: String, input: String) = {
        let onnx = models.appendingPathComponent("mobilenet_v2_tiny.onnx").path
        let input = models.appendingPathComponent("mobilenet_v2_tiny.input.npy").path
        var options = ConversionOptions()
        options.progress = false
        let result = try! Converter.convert(onnxPath: onnx, calibration: try! NumpyFile.read(path: input), options: options)
        let path = temporaryPath("mobilenet_v2_tiny.octet")
        try! Data(result.bytes).write(to: URL(fileURLWithPath: path))
        return (path, input)
    }()

    /// A fresh path in this process's temporary directory.
    static func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-run-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }
}

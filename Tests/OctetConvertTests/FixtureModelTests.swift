import Foundation
import OctetConvert
import Testing
import _TestSupport

/// Real PyTorch exports (reduced widths, see tools/export_models.py) against onnxruntime's outputs.
@Suite struct FixtureModelTests {
    static let names = ["mobilenet_v2_tiny", "mobilenet_v1_tiny", "resnet18_tiny", "resnet18_tiny_opset9",
                        "bagnet_tiny", "nhwc_input_tiny", "ops_tiny", "ops_tiny_opset13"]

    @Test(arguments: names)
    func matchesOnnxRuntime(name: String) throws {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/models")
        let model = try FloatModel(onnxPath: dir.appendingPathComponent("\(name).onnx").path)
        let input = try NumpyFile.read(path: dir.appendingPathComponent("\(name).input.npy").path)
        let expected = try NumpyFile.read(path: dir.appendingPathComponent("\(name).ort.npy").path)
        let output = try model.run([input])[0]
        #expect(output.shape == expected.shape)
        let error = relativeMaxError(output.data, expected.data)
        #expect(error < 1e-4, "\(name): relative max error \(error)")
    }
}

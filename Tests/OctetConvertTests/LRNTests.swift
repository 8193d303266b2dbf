import Foundation
import OctetConvert
import OctetRuntime
import Testing
import _TestSupport

/// ONNX LRN on the float path against reference outputs (tools/make_op_fixtures.py:
/// onnxruntime, or onnx's numpy reference evaluator for an even window), inputs N(0, 30²) so
/// the normalization moves every value by up to 10–60 %.
@Suite struct LRNTests {
    static let fixtures = ["lrn_alexnet", "lrn_even_window", "lrn_wide_window", "lrn_rank3", "lrn_after_conv"]

    @Test(arguments: fixtures)
    func matchesReference(name: String) throws {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/ops")
        let model = try FloatModel(onnxPath: dir.appendingPathComponent("\(name).onnx").path)
        let input = try NumpyFile.read(path: dir.appendingPathComponent("\(name).input.npy").path)
        let expected = try NumpyFile.read(path: dir.appendingPathComponent("\(name).expected.npy").path)
        let output = try model.run([input])[0]
        #expect(output.shape == expected.shape)
        // The kernel computes in double and rounds once; the references compute in float.
        let error = relativeMaxError(output.data, expected.data)
        #expect(error < 1e-5, "\(name): relative max error \(error)")
    }

    /// In int8, LRN runs as a float fallback (Dequantize → LRN(f32) → Quantize) on the same C
    /// kernel; the int8 model tracks the float one (the conv before it is int8).
    @Test func convertsToInt8AsFloatFallback() throws {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/ops")
        let onnx = dir.appendingPathComponent("lrn_after_conv.onnx").path
        let input = try NumpyFile.read(path: dir.appendingPathComponent("lrn_after_conv.input.npy").path)
        var options = ConversionOptions()
        options.progress = false
        let result = try Converter.convert(onnxPath: onnx, calibration: input, options: options)
        let codes = result.model.ops.map(\.code)
        #expect(codes.contains(.lrnF32) && codes.contains(.conv2D), "\(codes)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lrn-\(getpid()).octet").path
        try Data(result.bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let int8 = try Int8Model(path: path).run([input])[0]
        let float = try FloatModel(onnxPath: onnx).run([input])[0]
        var signal = 0.0, noise = 0.0
        for (q, f) in zip(int8.data, float.data) { signal += Double(f * f); noise += Double((q - f) * (q - f)) }
        #expect(10 * log10(signal / noise) > 30, "output SQNR \(10 * log10(signal / noise)) dB")
    }

    /// A 4-D LRN is one IR node, stored NHWC between its neighbours.
    @Test func importsAsOneChannelsLastNode() throws {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/ops")
        let model = try FloatModel(onnxPath: dir.appendingPathComponent("lrn_after_conv.onnx").path)
        let lrn = try #require(model.graph.nodes.first { if case .lrn = $0.op { return true }; return false })
        #expect(lrn.op == .lrn(LRNParams(size: 5, alpha: 1e-4, beta: 0.75, bias: 1)))
        #expect(model.graph[lrn.inputs[0]].layout == .channelsLast)
        #expect(model.graph[lrn.outputs[0]].layout == .channelsLast)
    }

    @Test func sizeIsRequiredAndPositive() throws {
        for attributes: [String: Any] in [[:], ["size": 0]] {
            var b = ONNXBuilder()
            b.input("x", [1, 4, 2, 2])
            b.node("LRN", ["x"], ["y"], name: "norm1", attributes)
            b.output("y")
            do {
                _ = try b.imported()
                Issue.record("expected an error for \(attributes)")
            } catch let e as ConvertError {
                #expect(!e.isUnsupported)
                #expect(e.description.hasPrefix("invalid node 'norm1' (LRN): "), "\(e)")
            }
        }
    }

    @Test func inputNeedsAChannelAxis() throws {
        var b = ONNXBuilder()
        b.input("x", [6])
        b.node("LRN", ["x"], ["y"], name: "norm1", ["size": 3])
        b.output("y")
        #expect(throws: ConvertError.invalidNode(node: "norm1", opType: "LRN", what: "input [6] needs a channel axis (rank ≥ 2)")) {
            _ = try b.imported()
        }
    }
}

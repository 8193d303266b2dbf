import Foundation
import OctetConvert
import OctetRuntime
import Testing
import _TestSupport

/// Convs over few input channels run as kH × 1 convs over kW·C contiguous bytes of a padded
/// copy (RowMergedInput): the same bytes as the reference on every path and thread count,
/// with one indirection entry per kernel row.
@Suite struct RowMergedConvTests {
    /// Four small-channel convs: asymmetric padding and stride 2 (a 7×7 stem), vertical
    /// dilation, a 1×4 kernel with horizontal stride 3, and no padding.
    func model() throws -> (OctetModel, Tensor) {
        var b = ONNXBuilder()
        var r = SeededRandom(seed: 21)
        b.input("x", [1, 3, 20, 18])
        b.initializer("w1", [8, 3, 7, 7], r.floats(8 * 3 * 49))
        b.initializer("b1", [8], r.floats(8))
        b.initializer("w2", [6, 8, 3, 3], r.floats(6 * 8 * 9))
        b.initializer("w3", [5, 6, 1, 4], r.floats(5 * 6 * 4))
        b.initializer("w4", [4, 5, 3, 3], r.floats(4 * 5 * 9))
        b.node("Conv", ["x", "w1", "b1"], ["c1"], ["strides": [2, 2], "pads": [3, 2, 1, 3]])
        b.node("Relu", ["c1"], ["a1"])
        b.node("Conv", ["a1", "w2"], ["c2"], ["dilations": [2, 1], "pads": [2, 1, 2, 1]])
        b.node("Conv", ["c2", "w3"], ["c3"], ["strides": [1, 3], "pads": [0, 0, 0, 2]])
        b.node("Conv", ["c3", "w4"], ["y"])
        b.output("y")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("row-merged-\(getpid()).onnx").path
        try b.serialized().write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let calibration = Tensor(shape: [8, 3, 20, 18], data: r.floats(8 * 3 * 20 * 18).map { $0 * 2 })
        var options = ConversionOptions()
        options.progress = false
        let result = try Converter.convert(onnxPath: path, calibration: calibration, options: options)
        return (try OctetModel(bytes: result.bytes), Tensor(shape: [1, 3, 20, 18], data: r.floats(3 * 20 * 18).map { $0 * 2 }))
    }

    @Test func everyPathMatchesTheReference() throws {
        let (model, input) = try model()
        let convs = model.description.ops.filter { $0.code == .conv2D }
        #expect(convs.count == 4)
        let reference = try KernelPathTests().trace(model, input, path: .reference)
        for path in KernelSelection.availablePaths() {
            for threads in [1, 3] {
                #expect(try KernelPathTests().trace(model, input, path: .named(path), threads: threads) == reference, "\(path), \(threads) threads")
            }
            // One entry per output pixel and kernel row: every conv here is row-merged.
            let rowEntries = convs.map { op in
                let ys = model.description.tensors[op.outputs[0]].shape
                return ys[1] * ys[2] * Int(op.params[0]) * MemoryLayout<UnsafeRawPointer>.stride
            }.reduce(0, +)
            #expect(try Interpreter(model: model, kernels: .named(path)).indirectionBytes == rowEntries, "\(path)")
        }
    }
}

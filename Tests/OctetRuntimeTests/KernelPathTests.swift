import Foundation
import OctetConvert
import OctetRuntime
import Testing

/// Every kernel path computes the same bytes: whole converted models run on the reference
/// kernels and on each path this CPU has, on 1 and 3 threads, and every op's output tensor
/// must match bit for bit.
@Suite struct KernelPathTests {
    static let fixtures = ["resnet18_tiny", "mobilenet_v1_tiny", "mobilenet_v2_tiny", "bagnet_tiny", "nhwc_input_tiny", "ops_tiny"]

    /// Every op's output bytes after one invoke on `path`.
    func trace(_ model: OctetModel, _ input: Tensor, path: KernelPath, threads: Int = 1) throws -> [[UInt8]] {
        let interpreter = try Interpreter(model: model, kernels: path, threads: threads)
        let per = interpreter.inputTensor(0).elementCount
        _ = interpreter.inputFloats(0).update(fromContentsOf: input.data[0..<per])
        var outputs: [[UInt8]] = []
        interpreter.invoke { k in
            outputs.append(model.description.ops[k].outputs.flatMap { Array(interpreter.tensorBytes($0)) })
        }
        return outputs
    }

    @Test(arguments: fixtures)
    func everyPathMatchesTheReferenceOpByOp(fixture: String) throws {
        let (model, input) = try InterpreterTests().converted(fixture)
        let reference = try trace(model, input, path: .reference)
        let paths = KernelSelection.availablePaths()
        #expect(paths.contains("scalar"))
        for path in paths {
          for threads in [1, 3] {
            let got = try trace(model, input, path: .named(path), threads: threads)
            #expect(got.count == reference.count)
            for (k, (a, b)) in zip(got, reference).enumerated() where a != b {
                let code = model.description.ops[k].code
                let differing = zip(a, b).filter { $0 != $1 }.count
                Issue.record("\(fixture) on \(path), \(threads) threads: op #\(k) (\(code)) differs from the reference in \(differing) of \(a.count) bytes")
                break
            }
          }
        }
    }

    /// LeNet-5's first conv has one input channel, so it is lowered as a depthwise conv with
    /// channel multiplier 6, which the packed paths run as a grouped conv.
    @Test func depthwiseWithMultiplierMatchesOnEveryPath() throws {
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../models").standardized
        let samples = try NumpyFile.read(path: models.appendingPathComponent("calibration_500.npy").path)
        let calibration = Tensor(shape: [8, 1, 28, 28], data: Array(samples.data[0..<(8 * 784)]))
        var options = ConversionOptions()
        options.progress = false
        let result = try Converter.convert(onnxPath: models.appendingPathComponent("lenet5.onnx").path, calibration: calibration, options: options)
        let model = try OctetModel(bytes: result.bytes)
        #expect(model.description.ops.contains { $0.code == .depthwiseConv2D && $0.params[10] > 1 })
        let input = Tensor(shape: [1, 1, 28, 28], data: Array(samples.data[(9 * 784)..<(10 * 784)]))
        let reference = try trace(model, input, path: .reference)
        for path in KernelSelection.availablePaths() {
            for threads in [1, 2] { #expect(try trace(model, input, path: .named(path), threads: threads) == reference, "\(path), \(threads) threads") }
        }
    }

    @Test func unknownOrUnsupportedPathIsATypedError() throws {
        let (model, _) = try InterpreterTests().converted("resnet18_tiny")
        #expect(throws: OctetError.self) { _ = try Interpreter(model: model, kernels: .named("no-such-path")) }
        #if arch(x86_64)
        #expect(throws: OctetError.self) { _ = try Interpreter(model: model, kernels: .named("i8mm")) }
        #endif
        let automatic = try Interpreter(model: model)
        let best = KernelSelection.availablePaths().first
        #expect(automatic.kernels.path == (best == "scalar" ? "reference" : best))
        #expect(automatic.packedWeightBytes > 0 && automatic.indirectionBytes > 0)
        #expect(try Interpreter(model: model, kernels: .reference).packedWeightBytes == 0)
        #expect(throws: OctetError.self) { _ = try Interpreter(model: model, threads: 0) }
    }
}

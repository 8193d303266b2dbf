import Foundation
@testable import OctetConvert
import OctetRuntime
import Testing
import _TestSupport

/// ONNX → `.octet` on the fixture models: the file verifies, re-serialises identically, and
/// its arena is within 5% of the liveness lower bound.
@Suite struct ConverterTests {
    static let fixtures = ["mobilenet_v2_tiny", "mobilenet_v1_tiny", "resnet18_tiny", "resnet18_tiny_opset9", "bagnet_tiny", "nhwc_input_tiny"]

    func fixture(_ name: String) throws -> (onnx: String, input: Tensor) {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/models")
        return (dir.appendingPathComponent("\(name).onnx").path, try NumpyFile.read(path: dir.appendingPathComponent("\(name).input.npy").path))
    }

    @Test(arguments: fixtures)
    func convertsVerifiesAndRoundTrips(name: String) throws {
        let (onnx, input) = try fixture(name)
        var options = ConversionOptions()
        options.progress = false
        options.labels = (0..<10).map { "class \($0)" }
        let result = try Converter.convert(onnxPath: onnx, calibration: input, options: options)
        let loaded = try OctetModel(bytes: result.bytes)
        #expect(OctetSerializer.serialize(loaded.materialized()) == result.bytes)
        #expect(loaded.description.metadata("labels")?.split(separator: "\n").count == 10)
        #expect(loaded.description.metadata("calibration.method") == "minmax")
        let ratio = Double(result.plan.arenaSize) / Double(result.plan.lowerBound)
        #expect(ratio <= 1.05, "\(name): arena \(result.plan.arenaSize) vs lower bound \(result.plan.lowerBound)")
        let codes = Set(loaded.description.ops.map(\.code))
        #expect(codes.contains(.conv2D) || codes.contains(.depthwiseConv2D))
        #expect(codes.contains(.fullyConnected))
    }

    /// With 2+ threads the original and the equalized candidate are quantized, bias corrected
    /// and judged side by side: the file is the same as converting on one thread, both where
    /// the equalized observation is derived (ReLU: ResNet-18) and where it is measured again
    /// (ReLU6: MobileNetV2).
    @Test(arguments: ["resnet18_tiny", "mobilenet_v2_tiny"])
    func sideBySideCandidatesGiveTheOneThreadFile(name: String) throws {
        let (onnx, input) = try fixture(name)
        var options = ConversionOptions()
        options.progress = false
        options.equalization = .auto
        let one = try Converter.convert(onnxPath: onnx, calibration: input, options: options)
        let note = try #require(one.model.metadata("quantization.equalization"))
        #expect(note.contains("pairs"), "\(name): \(note)")  // both candidates were built
        for threads in [2, 3] {
            options.threads = threads
            let side = try Converter.convert(onnxPath: onnx, calibration: input, options: options)
            let same = side.bytes == one.bytes
            #expect(same, "\(name) on \(threads) threads: the file differs")
        }
    }

    /// ConvTranspose, linear Resize, per-channel PRelu, reflect Pad and Softmax have no int8
    /// kernel: they run in float inside the int8 model, and the whole model still tracks float.
    @Test func opsWithoutInt8KernelsRunAsFloatFallbacks() throws {
        let (onnx, input) = try fixture("ops_tiny")
        var options = ConversionOptions()
        options.progress = false
        let result = try Converter.convert(onnxPath: onnx, calibration: input, options: options)
        let codes = Set(result.model.ops.map(\.code))
        for code in [OpCode.convTransposeF32, .resizeLinearF32, .binaryF32, .softmaxF32] { #expect(codes.contains(code), "\(code)") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ops-\(getpid()).octet").path
        try Data(result.bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let int8 = try Int8Model(path: path).run([input])[0]
        let float = try FloatModel(onnxPath: onnx).run([input])[0]
        var signal = 0.0, noise = 0.0
        for (q, f) in zip(int8.data, float.data) { signal += Double(f * f); noise += Double((q - f) * (q - f)) }
        #expect(10 * log10(signal / noise) > 20, "output SQNR \(10 * log10(signal / noise)) dB")
    }

    @Test func unsupportedInt8OpNamesTheNode() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 2, 3, 4])
        b.initializer("y", [1, 2, 4, 5], (0..<40).map { Float($0) / 40 })
        b.node("MatMul", ["x", "y"], ["z"], name: "batched")
        b.output("z")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mm-\(getpid()).onnx").path
        try b.serialized().write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        var options = ConversionOptions()
        options.progress = false
        do {
            _ = try Converter.convert(onnxPath: path, calibration: Tensor(shape: [1, 2, 3, 4], repeating: 1), options: options)
            Issue.record("expected an error")
        } catch let e as ConvertError {
            #expect(e == .unsupported(node: "batched", opType: "MatMul", what: "batched MatMul (rank > 2)"), "\(e)")
        }
    }

    /// Forced bias correction changes biases only, and raises the SQNR it measured on held-out samples
    /// (it is measured on real float/int8 runs of the fixture, so this can fail if it regresses).
    @Test func biasCorrectionTouchesOnlyBiasesAndIsRecorded() throws {
        let (onnx, _) = try fixture("resnet18_tiny")
        var r = SeededRandom(seed: 7)
        let samples = Tensor(shape: [8, 3, 64, 64], data: r.floats(8 * 3 * 64 * 64))
        var options = ConversionOptions()
        options.progress = false
        options.biasCorrection = .off
        let plain = try Converter.convert(onnxPath: onnx, calibration: samples, options: options)
        options.biasCorrection = .on
        let corrected = try Converter.convert(onnxPath: onnx, calibration: samples, options: options)
        let note = try #require(corrected.model.metadata("quantization.bias_correction"))
        #expect(note.hasPrefix("applied"))
        // "applied (N layers; held-out output SQNR A → B dB)": the stepped correction must not
        // wreck the model (a stale arena snapshot once took 37 dB to −3 dB).
        let sqnr = note.split(separator: "SQNR ").last.map { $0.split(separator: " ") } ?? []
        let before = try #require(sqnr.first.flatMap { Double($0) }), after = try #require(sqnr.dropFirst(2).first.flatMap { Double($0) })
        #expect(after > before - 1, "\(note)")
        var changed = 0
        for (a, b) in zip(plain.model.tensors, corrected.model.tensors) where a.data != b.data {
            #expect(a.name.hasSuffix(".bias") && a.type == .int32, "\(a.name) changed")
            changed += 1
        }
        #expect(changed > 0)
        _ = try OctetModel(bytes: corrected.bytes)
    }

    @Test func calibrationOfTheWrongShapeOrEmptyIsRejected() throws {
        let (onnx, _) = try fixture("resnet18_tiny")
        var options = ConversionOptions()
        options.progress = false
        #expect(throws: ConvertError.self) {
            _ = try Converter.convert(onnxPath: onnx, calibration: Tensor(shape: [2, 3, 32, 32], repeating: 0), options: options)
        }
        #expect(throws: ConvertError.self) {
            _ = try Converter.convert(onnxPath: onnx, calibration: Tensor(shape: [0, 3, 64, 64], data: []), options: options)
        }
    }

    /// DESIGN.md §2: a factor is computed in double and rounded once, to nearest, to binary32;
    /// the kernels accept finite factors in [0, 2^32] only.
    @Test func requantizationScaleIsRoundedOnceToBinary32() {
        for real in [0.75, 1.0 / 3, 1e-6, 0.999_999_9, 1.5, 3e-10, 0.1] {
            let v = RequantScale(real).value
            let gap = Double(v.nextUp) - Double(v)
            #expect(abs(Double(v) - real) <= gap / 2, "\(real) → \(v)")
            #expect(RequantScale(real).isValid)
        }
        for bad in [-1e-3, 1e10, .infinity, .nan] { #expect(!RequantScale(bad).isValid, "\(bad)") }
        #expect(RequantScale(4_294_967_296).isValid)
    }

    @Test func sha256KnownVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

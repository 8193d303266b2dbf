import Foundation
import OctetConvert
import Testing
import _TestSupport
@testable import OctetRuntime

/// A conv kernel exact only for 7-bit weights (the avx2 path's `vpmaddubsw` kernel, |w| ≤ 63)
/// runs an op only when the weight bytes the verifier measured allow it: a crafted file with one
/// wider weight runs the general kernel, whatever its metadata says, and every path gives the
/// reference's bytes.
@Suite struct WeightRangeKernelTests {
    static let sevenBit = "octk_qs8_igemm_4x16c4__avx2_madd7"
    static let hasAVX2Path = KernelSelection.availablePaths().contains("avx2")

    /// int8 input [1,6,6,8] (z 100) → 3×3 conv (20 channels) → reshape → FC (10): weights drawn
    /// in [−63, 63], then `wide` written at input channels 0, 1… of output channel 0's centre
    /// tap (conv) and of output 0 (FC). The metadata claims 7-bit weights either way.
    func model(wide: [Int8]) -> ModelDescription {
        var m = ModelDescription()
        var arena = 0
        var rng = SeededRandom(seed: 15)
        func add(_ name: String, _ shape: [Int], _ q: Quantization) -> Int {
            m.tensors.append(TensorDescription(name: name, type: .int8, shape: shape, storage: .arena, arenaOffset: arena, quantization: q))
            arena += (m.tensors.last!.byteCount + OctetFormat.tensorReadSlack + 63) / 64 * 64
            return m.tensors.count - 1
        }
        func constant(_ name: String, _ type: ElementType, _ shape: [Int], _ bytes: [UInt8], _ q: Quantization? = nil) -> Int {
            m.tensors.append(TensorDescription(name: name, type: type, shape: shape, storage: .constant, data: bytes, quantization: q))
            return m.tensors.count - 1
        }
        func words(_ v: [UInt32]) -> [UInt8] { v.flatMap { x in (0..<4).map { UInt8((x >> UInt32(8 * $0)) & 0xff) } } }
        func weights(_ count: Int, wideAt first: Int) -> [UInt8] {
            var w = (0..<count).map { _ in Self.int8(&rng, bound: 63) }
            for (i, v) in wide.enumerated() { w[first + i] = v }
            return w.map { UInt8(bitPattern: $0) }
        }
        let x = add("x", [1, 6, 6, 8], Quantization(scale: 0.05, zeroPoint: 100))
        let cw = constant("conv.w", .int8, [20, 3, 3, 8], weights(20 * 72, wideAt: 4 * 8), Quantization(channelScales: Array(repeating: 0.01, count: 20), axis: 0))
        let cb = constant("conv.b", .int32, [20], words(Array(repeating: 0, count: 20)))
        let cs = constant("conv.scale", .float32, [20], words(Array(repeating: Float(0.004).bitPattern, count: 20)))
        let c = add("conv", [1, 6, 6, 20], Quantization(scale: 0.1, zeroPoint: 0))
        let flat = add("flat", [1, 720], Quantization(scale: 0.1, zeroPoint: 0))
        let fw = constant("fc.w", .int8, [10, 720], weights(7200, wideAt: 0), Quantization(channelScales: Array(repeating: 0.01, count: 10), axis: 0))
        let fb = constant("fc.b", .int32, [10], words(Array(repeating: 3, count: 10)))
        let fs = constant("fc.scale", .float32, [10], words(Array(repeating: Float(0.0005).bitPattern, count: 10)))
        let y = add("y", [1, 10], Quantization(scale: 0.2, zeroPoint: -4))
        m.ops = [
            OpDescription(Conv2DParams(window: Window(kernel: (3, 3), pads: (1, 1, 1, 1)), groups: 1, lo: -128, hi: 127), inputs: [x, cw, cb, cs], outputs: [c]),
            OpDescription(ReshapeParams(), inputs: [c], outputs: [flat]),
            OpDescription(FullyConnectedParams(lo: -128, hi: 127), inputs: [flat, fw, fb, fs], outputs: [y]),
        ]
        m.inputs = [x]
        m.outputs = [y]
        m.arenaSize = arena
        m.arenaLowerBound = arena
        m.metadata = [MetadataEntry("quantization.weight_bits", "7")]
        return m
    }

    /// A value in [−bound, min(bound, 127)] from the seeded stream.
    static func int8(_ r: inout SeededRandom, bound: Int) -> Int8 {
        Int8(max(-bound, min(min(bound, 127), Int((r.next() * Float(bound + 1)).rounded(.down)))))
    }

    /// Output bytes of every op after one invoke on `input`.
    func trace(_ model: OctetModel, _ input: [Int8], path: KernelPath) throws -> (ops: [[UInt8]], interpreter: Interpreter) {
        let r = try Interpreter(model: model, kernels: path)
        input.withUnsafeBytes { r.inputBytes(0).copyMemory(from: $0) }
        var ops: [[UInt8]] = []
        r.invoke { k in ops.append(Array(r.tensorBytes(model.description.ops[k].outputs[0]))) }
        return (ops, r)
    }

    @Test(arguments: [[], [63, -63, 63], [64], [-64], [127, 127], [-128, -128]] as [[Int8]])
    func kernelFollowsTheWeightBytes(wide: [Int8]) throws {
        let model = try OctetModel(bytes: OctetSerializer.serialize(model(wide: wide)))
        let magnitude = wide.map { Int($0.magnitude) }.max() ?? 0
        for op in [0, 2] {
            #expect(model.weightMagnitude(ofOp: op)! <= max(magnitude, 63))
            #expect(model.weightMagnitude(ofOp: op)! >= magnitude)
        }
        #expect(model.weightMagnitude(ofOp: 1) == nil)
        // All inputs 127 (x ^ 0x80 = 255: the largest int16 pair sums), then random ones.
        var rng = SeededRandom(seed: 7)
        for input in [[Int8](repeating: 127, count: 288), (0..<288).map { _ in Self.int8(&rng, bound: 128) }] {
            let reference = try trace(model, input, path: .reference).ops
            for path in KernelSelection.availablePaths() {
                let (got, r) = try trace(model, input, path: .named(path))
                #expect(got == reference, "\(path), wide weights \(wide)")
                if path == "avx2" {
                    for op in [0, 2] {
                        #expect((r.convKernel(ofOp: op) == Self.sevenBit) == (magnitude <= 63), "op \(op): \(r.convKernel(ofOp: op) ?? "none") for |w| ≤ \(magnitude)")
                    }
                }
            }
        }
    }

    /// Models converted with 7-bit weights: every path matches the reference op by op (1 and 3
    /// threads), and on the avx2 path every packed conv runs the 7-bit kernel; 8-bit models never do.
    @Test(arguments: ["resnet18_tiny", "mobilenet_v2_tiny", "ops_tiny"])
    func sevenBitModelsRunTheSevenBitKernelWithReferenceBytes(fixture: String) throws {
        for bits in WeightBits.allCases {
            let onnx = InterpreterTests.fixtures.appendingPathComponent("\(fixture).onnx").path
            let input = try NumpyFile.read(path: InterpreterTests.fixtures.appendingPathComponent("\(fixture).input.npy").path)
            var options = ConversionOptions()
            options.progress = false
            options.lowering.weightBits = bits
            let model = try OctetModel(bytes: try Converter.convert(onnxPath: onnx, calibration: input, options: options).bytes)
            let reference = try KernelPathTests().trace(model, input, path: .reference)
            for path in KernelSelection.availablePaths() {
                for threads in [1, 3] {
                    #expect(try KernelPathTests().trace(model, input, path: .named(path), threads: threads) == reference, "\(fixture) \(bits)-bit on \(path), \(threads) threads")
                }
            }
            guard Self.hasAVX2Path else { continue }
            let r = try Interpreter(model: model, kernels: .named("avx2"))
            let packed = model.description.ops.indices.compactMap { r.convKernel(ofOp: $0) }
            #expect(!packed.isEmpty)
            if bits == .seven {
                #expect(packed.allSatisfy { $0 == Self.sevenBit }, "\(fixture): \(Set(packed))")
                #expect(r.convKernelNames == [Self.sevenBit])
            } else {
                #expect(!packed.contains(Self.sevenBit), "\(fixture): \(Set(packed))")
            }
        }
    }
}

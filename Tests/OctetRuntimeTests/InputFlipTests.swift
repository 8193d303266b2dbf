@testable import OctetRuntime
import OctetKernels
import Testing

/// The in-place input flip of the conv kernels that read offset-binary inputs (InputFlip): one
/// tensor read by two packed 1×1 convs and then by a max pool. The first conv flips and hands the
/// bytes over, the second reads them as they are and flips them back for the pool; every output
/// equals the reference path's (which never flips), invoke after invoke.
@Suite struct InputFlipTests {
    /// input f32 [1,8,8,8] → quantize → x → conv a (1×1) ; conv b (1×1) ; max pool 2×2 → p.
    static func model() -> ModelDescription {
        var m = ModelBuilder()
        let int32s = ModelBuilder.int32s
        func conv(_ name: String, _ x: Int, seed: Int) -> (op: OpDescription, output: Int) {
            let w = m.constant("\(name).w", .int8, [8, 1, 1, 8], (0..<64).map { UInt8(bitPattern: Int8(($0 * 7 + seed) % 19 - 9)) },
                             Quantization(channelScales: Array(repeating: 0.02, count: 8), axis: 0))
            let b = m.constant("\(name).b", .int32, [8], int32s((0..<8).map { Int32($0 * 5 - 20 + seed) }))
            let s = m.constant("\(name).scale", .float32, [8], int32s(Array(repeating: Int32(bitPattern: Float(0.03125).bitPattern), count: 8)))
            let y = m.add(name, .int8, [1, 8, 8, 8], Quantization(scale: 0.1, zeroPoint: 5), layout: .channelsLast)
            return (OpDescription(code: .conv2D, inputs: [x, w, b, s], outputs: [y], params: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, -128, 127]), y)
        }
        let input = m.add("input", .float32, [1, 8, 8, 8], layout: .channelsLast)
        let x = m.add("x", .int8, [1, 8, 8, 8], Quantization(scale: 0.05, zeroPoint: -3), layout: .channelsLast)
        let a = conv("a", x, seed: 1), b = conv("b", x, seed: 4)
        let p = m.add("p", .int8, [1, 4, 4, 8], Quantization(scale: 0.05, zeroPoint: -3), layout: .channelsLast)
        var d = m.model
        d.ops = [OpDescription(code: .quantize, inputs: [input], outputs: [x]), a.op, b.op,
                 OpDescription(code: .maxPool2D, inputs: [x], outputs: [p], params: [2, 2, 2, 2, 1, 1, 0, 0, 0, 0])]
        d.inputs = [input]
        d.outputs = [a.output, b.output, p]
        d.arenaSize = m.arenaBytes
        d.arenaLowerBound = m.arenaBytes
        return d
    }

    func run(_ path: KernelPath) throws -> (interpreter: Interpreter, outputs: [[UInt8]]) {
        let model = try OctetModel(bytes: OctetSerializer.serialize(Self.model()))
        let interpreter = try Interpreter(model: model, kernels: path)
        for (i, v) in interpreter.inputFloats(0).indices.enumerated() { interpreter.inputFloats(0)[v] = Float(i % 37) * 0.11 - 2 }
        var outputs: [[UInt8]] = []
        for _ in 0..<3 {
            interpreter.invoke()
            outputs.append((0..<3).flatMap { Array(interpreter.outputBytes($0)) } + Array(interpreter.tensorBytes(1)))
        }
        return (interpreter, outputs)
    }

    @Test func sharedFlipMatchesTheReferencePath() throws {
        let reference = try run(.reference)
        #expect(reference.interpreter.inputFlips.isEmpty)
        let automatic = try run(.automatic)
        #expect(automatic.outputs == reference.outputs)
        // Only paths whose conv layout reads offset-binary inputs flip (x86 VNNI, scalar).
        guard let conv = automatic.interpreter.kernels.conv, conv.layout.pointee.input_offset != 0 else { return }
        let a = try #require(automatic.interpreter.inputFlips[1]), b = try #require(automatic.interpreter.inputFlips[2])
        #expect(a.before && !a.after, "conv a flips and hands the bytes to conv b")
        #expect(!b.before && b.after, "conv b reads them flipped and restores them for the pool")
    }

    @Test func everyPathMatchesTheReference() throws {
        let reference = try run(.reference)
        for path in KernelSelection.availablePaths() {
            #expect(try run(.named(path)).outputs == reference.outputs, "path \(path)")
        }
    }
}

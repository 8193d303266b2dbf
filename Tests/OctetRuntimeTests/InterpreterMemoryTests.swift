import OctetKernels
@testable import OctetRuntime
import Testing

/// A model can pass the verifier and still need more memory than the machine has (a crafted
/// file needs no big constants for that): the interpreter must throw `OctetError.memory`
/// naming the buffer, never trap or get the process killed.
@Suite struct InterpreterMemoryTests {
    /// quantize(x f32 [1, h, w, c]) with the arena laid out as the planner would.
    static func quantizeModel(_ shape: [Int]) -> ModelDescription {
        var m = ModelDescription()
        let q = Quantization(scale: 0.1, zeroPoint: 0)
        let floatBytes = shape.reduce(4, *), reserved = (floatBytes + OctetFormat.tensorReadSlack + 63) / 64 * 64
        m.tensors = [TensorDescription(name: "x", type: .float32, shape: shape, storage: .arena, arenaOffset: 0),
                     TensorDescription(name: "xq", type: .int8, shape: shape, layout: .channelsLast, storage: .arena,
                                       arenaOffset: reserved, quantization: q)]
        m.ops = [OpDescription(code: .quantize, inputs: [0], outputs: [1])]
        m.inputs = [0]
        m.outputs = [1]
        m.arenaSize = reserved + (floatBytes / 4 + OctetFormat.tensorReadSlack + 63) / 64 * 64
        m.arenaLowerBound = m.arenaSize
        return m
    }

    @Test func arenaLargerThanMemoryIsAnError() throws {
        // 2^30 pixels × 64 channels: a 320 GiB arena, far beyond any machine this runs on.
        let model = try OctetModel(bytes: OctetSerializer.serialize(Self.quantizeModel([1, 1 << 15, 1 << 15, 64])))
        #expect(model.description.arenaSize > octk_physical_memory())
        do throws(OctetError) {
            _ = try Interpreter(model: model)
            Issue.record("a \(model.description.arenaSize)-byte arena was allocated")
        } catch let e {
            #expect("\(e)".hasPrefix("out of memory: cannot allocate the"), "\(e)")
            #expect("\(e)".contains("-byte arena"))
        }
    }

    /// A 1024×1024 kernel over a 1024×1024 image padded by 512: 1 MiB of weights, but the packed
    /// kernels' indirection buffer would hold 1025² × 2^20 addresses (8.8 TB).
    static func hugeWindowConv() -> ModelDescription {
        var m = ModelDescription()
        let k = 1024, act = Quantization(scale: 0.05, zeroPoint: 0)
        func int32s(_ v: Int32) -> [UInt8] { (0..<4).map { UInt8((UInt32(bitPattern: v) >> UInt32(8 * $0)) & 0xff) } }
        let reserved = { (bytes: Int) in (bytes + OctetFormat.tensorReadSlack + 63) / 64 * 64 }
        let x = 4 * k * k, xq = k * k, y = 1025 * 1025
        m.tensors = [
            TensorDescription(name: "x", type: .float32, shape: [1, k, k, 1], storage: .arena, arenaOffset: 0),
            TensorDescription(name: "xq", type: .int8, shape: [1, k, k, 1], layout: .channelsLast, storage: .arena,
                              arenaOffset: reserved(x), quantization: act),
            TensorDescription(name: "w", type: .int8, shape: [1, k, k, 1], storage: .constant, data: [UInt8](repeating: 1, count: k * k),
                              quantization: Quantization(channelScales: [0.01], axis: 0)),
            TensorDescription(name: "b", type: .int32, shape: [1], storage: .constant, data: int32s(0)),
            TensorDescription(name: "scale", type: .float32, shape: [1], storage: .constant, data: int32s(Int32(bitPattern: Float(1e-6).bitPattern))),
            TensorDescription(name: "y", type: .int8, shape: [1, 1025, 1025, 1], layout: .channelsLast, storage: .arena,
                              arenaOffset: reserved(x) + reserved(xq), quantization: act),
        ]
        m.ops = [OpDescription(code: .quantize, inputs: [0], outputs: [1]),
                 OpDescription(code: .conv2D, inputs: [1, 2, 3, 4], outputs: [5],
                               params: [Int32(k), Int32(k), 1, 1, 1, 1, 512, 512, 512, 512, 1, -128, 127])]
        m.inputs = [0]
        m.outputs = [5]
        m.arenaSize = reserved(x) + reserved(xq) + reserved(y)
        m.arenaLowerBound = m.arenaSize
        return m
    }

    @Test func indirectionLargerThanMemoryIsAnError() throws {
        let model = try OctetModel(bytes: OctetSerializer.serialize(Self.hugeWindowConv()))
        let packed = KernelSelection.availablePaths().filter { $0 != "reference" && $0 != "scalar" }
        try #require(!packed.isEmpty, "no packed kernel path on this CPU")
        for path in packed {
            do throws(OctetError) {
                _ = try Interpreter(model: model, kernels: .named(path))
                Issue.record("path \(path): an 8.8 TB indirection buffer was allocated")
            } catch let e {
                #expect("\(e)".contains("the indirection buffer"), "\(path): \(e)")
            }
        }
    }
}

@testable import OctetRuntime

/// Builds a model description by hand: arena tensors one after another (each with its read
/// slack, 64-byte aligned), constants with their bytes.
struct ModelBuilder {
    var model = ModelDescription()
    var arenaBytes = 0

    mutating func add(_ name: String, _ type: ElementType, _ shape: [Int], _ q: Quantization? = nil, layout: StoredLayout = .plain) -> Int {
        let t = TensorDescription(name: name, type: type, shape: shape, layout: layout, storage: .arena, arenaOffset: arenaBytes, quantization: q)
        arenaBytes += (t.byteCount + OctetFormat.tensorReadSlack + 63) / 64 * 64
        model.tensors.append(t)
        return model.tensors.count - 1
    }

    mutating func constant(_ name: String, _ type: ElementType, _ shape: [Int], _ bytes: [UInt8], _ q: Quantization? = nil) -> Int {
        model.tensors.append(TensorDescription(name: name, type: type, shape: shape, storage: .constant, data: bytes, quantization: q))
        return model.tensors.count - 1
    }

    static func int32s(_ v: [Int32]) -> [UInt8] { v.flatMap { x in (0..<4).map { UInt8((UInt32(bitPattern: x) >> UInt32(8 * $0)) & 0xff) } } }
    static func floats(_ v: [Float]) -> [UInt8] { int32s(v.map { Int32(bitPattern: $0.bitPattern) }) }
}

/// A small valid int8 model built by hand: quantize → conv 3×3 → max pool → global average
/// pool → reshape → FC → dequantize → softmax. Arena tensors are laid out one after another.
func sampleModel() -> ModelDescription {
    var builder = ModelBuilder()
    func add(_ name: String, _ type: ElementType, _ shape: [Int], _ q: Quantization? = nil, layout: StoredLayout = .plain) -> Int {
        builder.add(name, type, shape, q, layout: layout)
    }
    func constant(_ name: String, _ type: ElementType, _ shape: [Int], _ bytes: [UInt8], _ q: Quantization? = nil) -> Int {
        builder.constant(name, type, shape, bytes, q)
    }
    let int32s = ModelBuilder.int32s, floats = ModelBuilder.floats
    let act = Quantization(scale: 0.05, zeroPoint: -3)
    let x = add("input", .float32, [1, 8, 8, 3])
    let xq = add("input_q", .int8, [1, 8, 8, 3], act)
    let w = constant("conv.w", .int8, [4, 3, 3, 3], (0..<108).map { UInt8(bitPattern: Int8($0 % 17 - 8)) },
                     Quantization(channelScales: [0.01, 0.02, 0.03, 0.04], axis: 0))
    let b = constant("conv.b", .int32, [4], int32s([10, -20, 30, -40]))
    let scale = constant("conv.scale", .float32, [4], floats([0.0625, 0.03125, 0.0218, 0.0146]))
    let c = add("conv", .int8, [1, 8, 8, 4], Quantization(scale: 0.1, zeroPoint: -128), layout: .channelsLast)
    let p = add("pool", .int8, [1, 4, 4, 4], Quantization(scale: 0.1, zeroPoint: -128), layout: .channelsLast)
    let g = add("gap", .int8, [1, 1, 1, 4], Quantization(scale: 0.08, zeroPoint: -100), layout: .channelsLast)
    let r = add("flat", .int8, [1, 4], Quantization(scale: 0.08, zeroPoint: -100))
    let fw = constant("fc.w", .int8, [10, 4], (0..<40).map { UInt8(bitPattern: Int8($0 % 11 - 5)) },
                      Quantization(channelScales: Array(repeating: 0.02, count: 10), axis: 0))
    let fb = constant("fc.b", .int32, [10], int32s(Array(repeating: 7, count: 10)))
    let fs = constant("fc.scale", .float32, [10], floats(Array(repeating: 0.125, count: 10)))
    let logitsQ = add("logits_q", .int8, [1, 10], Quantization(scale: 0.2, zeroPoint: 0))
    let logits = add("logits", .float32, [1, 10])
    let probs = add("probs", .float32, [1, 10])
    var m = builder.model
    m.ops = [
        OpDescription(code: .quantize, inputs: [x], outputs: [xq]),
        OpDescription(code: .conv2D, inputs: [xq, w, b, scale], outputs: [c], params: [3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, -128, 127]),
        OpDescription(code: .maxPool2D, inputs: [c], outputs: [p], params: [2, 2, 2, 2, 1, 1, 0, 0, 0, 0]),
        OpDescription(code: .globalAveragePool, inputs: [p], outputs: [g], params: [Int32(bitPattern: Float(0.0349).bitPattern)]),
        OpDescription(code: .reshape, inputs: [g], outputs: [r]),
        OpDescription(code: .fullyConnected, inputs: [r, fw, fb, fs], outputs: [logitsQ], params: [-128, 127]),
        OpDescription(code: .dequantize, inputs: [logitsQ], outputs: [logits]),
        OpDescription(code: .softmaxF32, inputs: [logits], outputs: [probs], params: [1]),
    ]
    m.inputs = [x]
    m.outputs = [probs]
    m.arenaSize = builder.arenaBytes
    m.arenaLowerBound = builder.arenaBytes / 2
    m.metadata = [MetadataEntry("source.sha256", "00ff"), MetadataEntry("labels", "a\nb")]
    return m
}

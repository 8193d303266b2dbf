import Foundation
import OctetRuntime

/// Options of the float → int8 lowering.
public struct LoweringOptions: Sendable {
    /// Keep graph outputs int8 instead of dequantizing them to float.
    public var int8Outputs = false
    /// Accept raw uint8 pixels: model input = (u8/255 − mean)/std folded into the input
    /// quantization (single mean/std; the input tensor becomes uint8).
    public var uint8Input: (mean: Float, std: Float)? = nil
    /// Conv / depthwise / fully-connected weights in [−127, 127] (`.eight`) or [−63, 63] (`.seven`).
    public var weightBits: WeightBits = .eight
    public init() {}
}

/// Turns the optimised float graph plus calibrated ranges into an int8 `ModelDescription`
/// following DESIGN.md §2: per-channel symmetric weights, asymmetric per-tensor activations,
/// int32 bias, binary32 requantization scales, fused activations as clamps, shared quantization
/// across Concat and data-movement ops, 256-entry tables for int8→int8 unaries, float
/// fallbacks (between Dequantize and Quantize) for ops without an int8 kernel.
struct Int8Lowering {
    let graph: Graph
    let options: LoweringOptions
    /// Final quantization of each non-constant value (after unification).
    var quant: [ValueID: ActivationQuantization] = [:]
    var model = ModelDescription()
    var int8Tensor: [ValueID: Int] = [:]
    var floatTensor: [ValueID: Int] = [:]

    init(graph: Graph, ranges: [ValueID: (lo: Float, hi: Float)], options: LoweringOptions) throws {
        self.graph = graph
        self.options = options
        quant = try Int8Lowering.unifiedQuantization(graph, ranges)
    }

    /// Values joined by ops that need one shared quantization (Concat, pools, data movement)
    /// get the union of their ranges.
    static func unifiedQuantization(_ g: Graph, _ ranges: [ValueID: (lo: Float, hi: Float)]) throws -> [ValueID: ActivationQuantization] {
        var parent = Array(0..<g.values.count)
        func find(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
        func union(_ a: ValueID, _ b: ValueID) { parent[find(a.index)] = find(b.index) }
        for node in g.nodes {
            switch node.op {
            case .concat: for i in node.inputs where !g.isConstant(i) { union(i, node.outputs[0]) }
            case .maxPool, .averagePool, .globalMaxPool, .reshape, .transpose, .identity, .slice, .pad:
                union(node.inputs[0], node.outputs[0])
            case let .resize(p) where p.mode == .nearest: union(node.inputs[0], node.outputs[0])
            default: break
            }
        }
        var classRange: [Int: (lo: Float, hi: Float)] = [:]
        for (id, r) in ranges {
            let root = find(id.index)
            let old = classRange[root] ?? (r.lo, r.hi)
            classRange[root] = (min(old.lo, r.lo), max(old.hi, r.hi))
        }
        var result: [ValueID: ActivationQuantization] = [:]
        for i in g.values.indices where !g.isConstant(ValueID(i)) {
            guard let r = classRange[find(i)] else {
                throw ConvertError.invalidInput("calibration observed no values for tensor '\(g.values[i].name)'")
            }
            result[ValueID(i)] = ActivationQuantization(lo: r.lo, hi: r.hi)
        }
        return result
    }

    // MARK: tensors

    mutating func addTensor(_ t: TensorDescription) -> Int {
        model.tensors.append(t)
        return model.tensors.count - 1
    }

    func runtimeQuantization(_ q: ActivationQuantization) -> Quantization {
        Quantization(scale: q.scale, zeroPoint: q.zeroPoint)
    }

    func storageLayout(_ v: Value) -> StoredLayout { v.layout == .channelsLast && v.shape.count == 4 ? .channelsLast : .plain }

    /// The int8 arena tensor of a non-constant value.
    mutating func int8(_ id: ValueID) -> Int {
        if let t = int8Tensor[id] { return t }
        let v = graph[id]
        let t = addTensor(TensorDescription(name: v.name, type: .int8, shape: StorageLayout.storedShape(v), layout: storageLayout(v),
                                            storage: .arena, quantization: runtimeQuantization(quant[id]!)))
        int8Tensor[id] = t
        return t
    }

    /// A float arena tensor standing for `id` (graph inputs/outputs, float fallbacks).
    mutating func float(_ id: ValueID, suffix: String = "") -> Int {
        if let t = floatTensor[id] { return t }
        let v = graph[id]
        let t = addTensor(TensorDescription(name: v.name + suffix, type: .float32, shape: StorageLayout.storedShape(v),
                                            layout: storageLayout(v), storage: .arena))
        floatTensor[id] = t
        return t
    }

    mutating func constant(_ name: String, _ type: ElementType, _ shape: [Int], _ bytes: [UInt8], _ q: Quantization? = nil) -> Int {
        addTensor(TensorDescription(name: name, type: type, shape: shape, storage: .constant, data: bytes, quantization: q))
    }

    mutating func int32Constant(_ name: String, _ values: [Int32]) -> Int {
        constant(name, .int32, [values.count], values.littleEndianBytes)
    }

    /// A requantization factor (DESIGN.md §2: computed in double, rounded once to binary32);
    /// `what` names it in the error when it falls outside what the kernels accept.
    func requantScale(_ real: Double, _ node: Node, _ what: String) throws -> RequantScale {
        let s = RequantScale(real)
        guard s.isValid else { throw unsupported(node, "\(what) requantization scale \(real) is outside [0, 2^32]") }
        return s
    }

    mutating func emit<P: OpParams>(_ params: P, _ inputs: [Int], _ outputs: [Int]) {
        model.ops.append(OpDescription(params, inputs: inputs, outputs: outputs))
    }

    // MARK: driver

    mutating func run() throws -> ModelDescription {
        // Constant folding can leave an output that depends on no input; the arena has no way to hold it.
        for id in graph.outputs where graph.isConstant(id) {
            throw ConvertError.unsupported(node: graph[id].name, opType: "output", what: "graph output '\(graph[id].name)' is a constant (it depends on no graph input)")
        }
        for id in graph.inputs { try lowerInput(id) }
        for node in graph.nodes { try lower(node) }
        for id in graph.outputs {
            if options.int8Outputs {
                model.outputs.append(int8(id))
            } else if let f = floatTensor[id] {
                model.outputs.append(f)  // produced by a float fallback
            } else {
                let f = float(id)
                emit(DequantizeParams(), [int8(id)], [f])
                model.outputs.append(f)
            }
        }
        // The float tensors at the interface keep the ONNX names; their int8 twins get ":q" (FloatTwins).
        let interface = Set(model.inputs + model.outputs)
        let interfaceNames = Set(interface.map { model.tensors[$0].name })
        for i in model.tensors.indices where !interface.contains(i) && model.tensors[i].storage == .arena
            && interfaceNames.contains(model.tensors[i].name) {
            model.tensors[i].name += FloatTwins.suffix
        }
        return model
    }

    mutating func lowerInput(_ id: ValueID) throws {
        let q = quant[id]!
        if let (mean, std) = options.uint8Input {
            // real = (u/255 − mean)/std = s·(u − z) with s = 1/(255·std), z = 255·mean rounded to an
            // integer: the rounding shifts every input by at most 0.5/(255·std), e.g. 0.0056 for
            // Fashion-MNIST's std 0.353 — half the int8 input step (≈ 0.011), so well inside it.
            let z = (255 * mean).rounded()
            guard (0...255).contains(z), std > 0 else {
                throw ConvertError.invalidInput("uint8 input needs 0 ≤ mean ≤ 1 (mean \(mean)) and std > 0")
            }
            let v = graph[id]
            let u = addTensor(TensorDescription(name: v.name, type: .uint8, shape: StorageLayout.storedShape(v), layout: storageLayout(v),
                                                storage: .arena, quantization: Quantization(scale: 1 / (255 * std), zeroPoint: Int32(z))))
            model.inputs.append(u)
            emit(QuantizeParams(), [u], [int8(id)])
            _ = q
        } else {
            let f = float(id)
            model.inputs.append(f)
            emit(QuantizeParams(), [f], [int8(id)])
        }
    }
}

extension Array where Element == Int32 {
    var littleEndianBytes: [UInt8] { flatMap { v in (0..<4).map { UInt8((UInt32(bitPattern: v) >> UInt32(8 * $0)) & 0xff) } } }
}

extension Array where Element == Int8 {
    var bytes: [UInt8] { map { UInt8(bitPattern: $0) } }
}

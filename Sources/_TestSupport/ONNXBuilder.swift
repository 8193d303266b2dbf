import Foundation
import OctetConvert

/// Builds small ONNX models in tests (the protobuf types are the ones the importer reads).
public struct ONNXBuilder {
    public var graph = Onnx_GraphProto()
    public var opset: Int64

    public init(opset: Int64 = 17) { self.opset = opset }

    public mutating func input(_ name: String, _ shape: [Int64?]) {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var type = Onnx_TypeProto.Tensor()
        type.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        type.shape.dim = shape.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "N" }
            return dim
        }
        info.type.tensorType = type
        graph.input.append(info)
    }

    public mutating func output(_ name: String) {
        var info = Onnx_ValueInfoProto()
        info.name = name
        graph.output.append(info)
    }

    public mutating func initializer(_ name: String, _ shape: [Int], _ data: [Float]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = shape.map(Int64.init)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.floatData = data
        graph.initializer.append(t)
    }

    public mutating func initializer(_ name: String, int64 data: [Int64]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = [Int64(data.count)]
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.int64Data = data
        graph.initializer.append(t)
    }

    /// Adds a node; attribute values may be Int, Float, String, [Int] or [Float].
    public mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "", _ attributes: [String: Any] = [:]) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = name
        n.input = inputs
        n.output = outputs
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = key
            switch value {
            case let v as Int: a.type = .int; a.i = Int64(v)
            case let v as Float: a.type = .float; a.f = v
            case let v as Double: a.type = .float; a.f = Float(v)
            case let v as String: a.type = .string; a.s = Data(v.utf8)
            case let v as [Int]: a.type = .ints; a.ints = v.map(Int64.init)
            case let v as [Float]: a.type = .floats; a.floats = v
            default: fatalError("unsupported attribute value \(value)")
            }
            n.attribute.append(a)
        }
        graph.node.append(n)
    }

    public func serialized() throws -> Data {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opsetID = Onnx_OperatorSetIdProto()
        opsetID.version = opset
        model.opsetImport = [opsetID]
        model.graph = graph
        return try model.serializedData()
    }

    public func imported() throws -> ImportedModel {
        try ONNXImporter.importModel(data: try serialized(), directory: nil, name: "test.onnx")
    }
}

/// Deterministic pseudo-random floats in [-1, 1) (SplitMix64).
public struct SeededRandom {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }
    public mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in next() } }
}

import Foundation
import OctetConvert
import SwiftProtobuf

/// libFuzzer custom mutator of the importer target: decodes the ONNX protobuf, changes one
/// thing (an attribute value, an initializer's dimensions or integer contents, a graph input
/// dimension, an op type, a node operand, the node list or the opset) and encodes it again.
/// Inputs that do not decode fall back to libFuzzer's byte mutations (`fallback`), as does every
/// other call, so the protobuf decoder stays fuzzed too.
public enum ONNXStructureMutator {
    public static func mutate(_ data: UnsafeMutablePointer<UInt8>, size: Int, maxSize: Int, seed: UInt32,
                              fallback: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int) -> Int {
        var random = FuzzInputData(seed: UInt64(seed))
        guard random.next() % 2 == 0,
              var model = try? Onnx_ModelProto(serializedBytes: Data(bytes: data, count: size)), model.hasGraph else {
            return fallback(data, size, maxSize)
        }
        mutate(&model, &random)
        guard let bytes: [UInt8] = try? model.serializedBytes(), bytes.count <= maxSize, !bytes.isEmpty else {
            return fallback(data, size, maxSize)
        }
        bytes.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: bytes.count) }
        return bytes.count
    }

    static let interestingInts: [Int64] = [0, 1, -1, 2, -2, 3, 4, 5, 7, 8, 16, 17, 64, 65, 255, 1024, 1025, 1 << 16, 1 << 20, 1 << 30,
                                           1 << 31, 1 << 32, 1 << 40, 1 << 53, .max, .min, .max - 1, -(1 << 31)]
    static let interestingFloats: [Float] = [0, -0.0, 1, -1, 0.5, 2, 6, 1e-30, 1e30, .infinity, -.infinity, .nan, .greatestFiniteMagnitude]
    static let attributeNames = ["kernel_shape", "pads", "strides", "dilations", "group", "axis", "axes", "perm", "auto_pad",
                                 "ceil_mode", "count_include_pad", "alpha", "beta", "transA", "transB", "mode", "value", "to",
                                 "allowzero", "output_padding", "output_shape", "epsilon", "coordinate_transformation_mode",
                                 "nearest_mode", "starts", "ends", "shape", "min", "max", "scales", "storage_order", "start", "end", "size", "bias"]
    static let strings = ["SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "nearest", "linear", "cubic", "constant", "reflect", "edge",
                          "wrap", "half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn", "floor",
                          "ceil", "round_prefer_floor", "round_prefer_ceil", ""]
    static let opTypes = ["Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
                          "BatchNormalization", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "LeakyRelu",
                          "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "PRelu", "Softmax", "Flatten", "Reshape", "Squeeze",
                          "Unsqueeze", "Transpose", "Concat", "Pad", "Slice", "Resize", "Upsample", "Identity", "Dropout",
                          "Constant", "Shape", "Gather", "Cast", "ConstantOfShape", "Neg", "LRN", "Sum"]

    static func pick<T>(_ list: [T], _ r: inout FuzzInputData) -> T { list[Int(r.next() % UInt64(list.count))] }
    static func index(_ count: Int, _ r: inout FuzzInputData) -> Int { Int(r.next() % UInt64(max(count, 1))) }
    static func int(_ r: inout FuzzInputData) -> Int64 { r.next() % 2 == 0 ? pick(interestingInts, &r) : Int64(r.next() % 9) - 2 }

    static func mutate(_ m: inout Onnx_ModelProto, _ r: inout FuzzInputData) {
        var g = m.graph
        let n = index(g.node.count, &r), hasNode = !g.node.isEmpty
        switch r.next() % 10 {
        case 0...2 where hasNode:
            mutateAttribute(&g.node[n], &r)
        case 3 where !g.initializer.isEmpty:
            mutateTensor(&g.initializer[index(g.initializer.count, &r)], &r)
        case 4 where !g.input.isEmpty:
            let i = index(g.input.count, &r)
            var dims = g.input[i].type.tensorType.shape.dim
            if dims.isEmpty || r.next() % 4 == 0 { dims.append(Onnx_TensorShapeProto.Dimension()) }
            var d = Onnx_TensorShapeProto.Dimension()
            if r.next() % 5 == 0 { d.dimParam = "N" } else { d.dimValue = int(&r) }
            dims[index(dims.count, &r)] = d
            g.input[i].type.tensorType.shape.dim = dims
        case 5 where hasNode:
            g.node[n].opType = pick(opTypes, &r)
        case 6 where hasNode:
            let names = g.input.map(\.name) + g.initializer.map(\.name) + g.node.flatMap(\.output) + [""]
            if !g.node[n].input.isEmpty, r.next() % 3 != 0 {
                g.node[n].input[index(g.node[n].input.count, &r)] = pick(names, &r)
            } else if r.next() % 2 == 0 {
                g.node[n].input.append(pick(names, &r))
            } else if !g.node[n].input.isEmpty {
                g.node[n].input.removeLast()
            }
        case 7 where hasNode:
            switch r.next() % 3 {
            case 0: g.node.remove(at: n)
            case 1: g.node.insert(g.node[n], at: index(g.node.count + 1, &r))
            default: g.node.swapAt(n, index(g.node.count, &r))
            }
        case 8:
            var entry = Onnx_OperatorSetIdProto()
            entry.version = Int64(7 + r.next() % 21)
            m.opsetImport = [entry]
        default:
            if let c = g.node.indices.first(where: { g.node[$0].opType == "Constant" }) {
                if g.node[c].attribute.isEmpty { g.node[c].attribute.append(Onnx_AttributeProto()) }
                mutateTensor(&g.node[c].attribute[0].t, &r)
            } else if hasNode {
                mutateAttribute(&g.node[n], &r)
            }
        }
        m.graph = g
    }

    static func mutateAttribute(_ node: inout Onnx_NodeProto, _ r: inout FuzzInputData) {
        var a: Onnx_AttributeProto
        let existing = !node.attribute.isEmpty && r.next() % 3 != 0
        let k = existing ? index(node.attribute.count, &r) : node.attribute.count
        if existing { a = node.attribute[k] } else { a = Onnx_AttributeProto(); a.name = pick(attributeNames, &r) }
        switch (existing ? a.type.rawValue : Int(r.next() % 8)) {
        case Onnx_AttributeProto.AttributeType.int.rawValue:
            a.type = .int; a.i = int(&r)
        case Onnx_AttributeProto.AttributeType.float.rawValue:
            a.type = .float; a.f = pick(interestingFloats, &r)
        case Onnx_AttributeProto.AttributeType.string.rawValue:
            a.type = .string; a.s = Data(pick(strings, &r).utf8)
        case Onnx_AttributeProto.AttributeType.floats.rawValue:
            a.type = .floats
            if a.floats.isEmpty || r.next() % 4 == 0 { a.floats.append(pick(interestingFloats, &r)) }
            a.floats[index(a.floats.count, &r)] = pick(interestingFloats, &r)
        case Onnx_AttributeProto.AttributeType.tensor.rawValue:
            a.type = .tensor; mutateTensor(&a.t, &r)
        default:
            a.type = .ints
            if a.ints.isEmpty || r.next() % 4 == 0 { a.ints.append(int(&r)) }
            else if r.next() % 5 == 0 { a.ints.removeLast() }
            if !a.ints.isEmpty { a.ints[index(a.ints.count, &r)] = int(&r) }
        }
        if existing { node.attribute[k] = a } else { node.attribute.append(a) }
    }

    /// Dimensions (data kept, so usually inconsistent — which the decoder must catch), data
    /// type, or one integer / float value.
    static func mutateTensor(_ t: inout Onnx_TensorProto, _ r: inout FuzzInputData) {
        switch r.next() % 5 {
        case 0:
            if t.dims.isEmpty || r.next() % 4 == 0 { t.dims.append(1) }
            t.dims[index(t.dims.count, &r)] = int(&r)
        case 1:
            t.dataType = Int32(pick([1, 2, 3, 5, 6, 7, 9, 10, 11, 0, 8, 16], &r))
        case 2 where !t.int64Data.isEmpty:
            t.int64Data[index(t.int64Data.count, &r)] = int(&r)
        case 3 where !t.floatData.isEmpty:
            t.floatData[index(t.floatData.count, &r)] = pick(interestingFloats, &r)
        default:
            // Integer contents as raw little-endian int64 (the form exporters write).
            var values = t.int64Data.isEmpty ? [int(&r)] : t.int64Data
            values[index(values.count, &r)] = int(&r)
            t.int64Data = []
            t.floatData = []
            t.dataType = 7
            t.dims = [Int64(values.count)]
            t.rawData = Data(values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } })
        }
    }
}

import Foundation
import SwiftProtobuf

/// A model as imported: the float graph plus what the CLI needs to honour the ONNX interface.
public struct ImportedModel: Sendable {
    public var graph: Graph
    /// Default-domain opset the model was exported with.
    public var opset: Int
    /// Per graph input: true when its leading dimension is symbolic (dynamic batch).
    public var dynamicBatch: [Bool]
    public var producer: String
    /// Element type of each graph output as ONNX declares it (`graph.outputs` order). Octet
    /// computes float32; a `.bool` output (a Dropout mask) holds 0 or 1 in its float tensor.
    public var outputTypes: [OutputElementType]
}

/// What a graph output's float values stand for.
public enum OutputElementType: String, Sendable, Equatable {
    case float32
    /// 0 = false, 1 = true.
    case bool
}

/// Reads ONNX files (opsets 9–25, default domain) into the float IR.
///
/// Import resolves every attribute default, auto_pad and ceil_mode, evaluates shape
/// arithmetic (Shape/Gather/Concat/… on constants) on the host, and infers every shape.
/// The graph is built at batch 1; a symbolic batch dimension is noted in `dynamicBatch`.
public enum ONNXImporter {
    /// Opsets 22–25 only widened the element types of the ops Octet imports (bfloat16, int4,
    /// float8…); their float semantics are those of opset 21, checked by the node tests.
    public static let supportedOpsets = 9...25

    public static func importModel(atPath path: String) throws -> ImportedModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConvertError.io("cannot read model file '\(path)'")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try importModel(data: data, directory: directory, name: path)
    }

    public static func importModel(data: Data, directory: URL?, name: String = "model") throws -> ImportedModel {
        try importModel(data: data, directory: directory, name: name, bindings: [:])
    }

    /// `bindings` fixes graph inputs to constants at import (shape-like inputs must be known).
    static func importModel(data: Data, directory: URL?, name: String, bindings: [String: HostTensor]) throws -> ImportedModel {
        let model: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: data, options: options)
        } catch {
            throw ConvertError.invalidModel("'\(name)' is not an ONNX protobuf (\(error))")
        }
        guard model.hasGraph, !model.graph.node.isEmpty || !model.graph.output.isEmpty else {
            throw ConvertError.invalidModel("'\(name)' has no graph")
        }
        var opset = 0
        for entry in model.opsetImport where entry.domain == "" || entry.domain == "ai.onnx" {
            opset = Int(entry.version)
        }
        if model.opsetImport.isEmpty { opset = 1 }
        guard supportedOpsets.contains(opset) else {
            throw ConvertError.unsupported(node: name, opType: "model", what: "opset \(opset); Octet supports opsets \(supportedOpsets.lowerBound)–\(supportedOpsets.upperBound)")
        }
        var context = ImportContext(opset: opset, directory: directory)
        context.bindings = bindings
        try context.importGraph(model.graph)
        return ImportedModel(graph: context.graph, opset: opset, dynamicBatch: context.dynamicBatch,
                             producer: model.producerName + (model.producerVersion.isEmpty ? "" : " " + model.producerVersion),
                             outputTypes: context.outputTypes)
    }
}

/// What an ONNX name refers to while importing.
enum Operand {
    /// A tensor computed at run time (or a graph constant).
    case value(ValueID)
    /// A constant known at import time (initializers, Constant nodes, shape arithmetic).
    case host(HostTensor)
}

struct ImportContext {
    let opset: Int
    let directory: URL?
    var graph = Graph()
    var dynamicBatch: [Bool] = []
    /// Graph inputs fixed to constants by the caller.
    var bindings: [String: HostTensor] = [:]
    var operands: [String: Operand] = [:]
    /// Host constants already turned into graph constants, by ONNX name.
    var materialized: [String: ValueID] = [:]
    /// ONNX names of bool tensors (Dropout masks) with their shapes: no node may read them; a
    /// graph output among them is a constant of ones.
    var boolOperands: [String: [Int]] = [:]
    /// Element type of each graph output, filled by `importGraph`.
    var outputTypes: [OutputElementType] = []

    init(opset: Int, directory: URL?) {
        self.opset = opset
        self.directory = directory
    }

    mutating func importGraph(_ g: Onnx_GraphProto) throws {
        for initializer in g.initializer {
            operands[initializer.name] = .host(try HostTensor(initializer, directory: directory, context: "initializer"))
        }
        for input in g.input where operands[input.name] == nil {
            if let bound = bindings[input.name] {
                operands[input.name] = .host(bound)
            } else {
                try addGraphInput(input)
            }
        }
        for (index, proto) in g.node.enumerated() {
            let name = proto.name.isEmpty ? "\(proto.opType)_\(index)" : proto.name
            guard proto.domain == "" || proto.domain == "ai.onnx" else {
                throw ConvertError.unsupported(node: name, opType: proto.opType, what: "operator domain '\(proto.domain)'")
            }
            let node = ONNXNode(proto: proto, name: name, opset: opset)
            if let mask = proto.input.first(where: { boolOperands[$0] != nil }) {
                throw node.unsupported("reads the Dropout mask '\(mask)' (bool); a mask may only be unused or a graph output")
            }
            let outputs = try importNode(node)
            for (i, outputName) in proto.output.enumerated() where !outputName.isEmpty {
                guard i < outputs.count else {
                    throw ConvertError.unsupported(node: name, opType: proto.opType, what: "output \(i) ('\(outputName)')")
                }
                if case let .value(id) = outputs[i], graph[id].name.hasPrefix("_") {
                    graph[id].name = outputName
                }
                operands[outputName] = outputs[i]
            }
        }
        for output in g.output {
            guard var operand = operands[output.name] else {
                throw ConvertError.invalidModel("graph output '\(output.name)' is not produced by any node")
            }
            if let dims = boolOperands[output.name] {
                operand = .host(.float(Tensor(shape: dims, repeating: 1)))
                outputTypes.append(.bool)
            } else {
                outputTypes.append(.float32)
            }
            var id = value(for: operand, name: output.name)
            // An output that is also an input or another output gets its own copy.
            if graph.inputs.contains(id) || graph.outputs.contains(id) || graph.isConstant(id) {
                let copy = graph.addValue(name: output.name, shape: graph[id].shape)
                graph.nodes.append(Node(name: output.name, op: .identity, inputs: [id], outputs: [copy]))
                id = copy
            } else {
                graph[id].name = output.name
            }
            graph.outputs.append(id)
        }
    }

    private mutating func addGraphInput(_ input: Onnx_ValueInfoProto) throws {
        guard case let .tensorType(type)? = input.type.value else {
            throw ConvertError.unsupported(node: input.name, opType: "input", what: "graph input '\(input.name)' is not a tensor")
        }
        guard type.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
            throw ConvertError.unsupported(node: input.name, opType: "input", what: "graph input '\(input.name)' has element type \(type.elemType); only float32 inputs are supported")
        }
        var shape: [Int] = []
        var dynamic = false
        for (axis, dim) in type.shape.dim.enumerated() {
            switch dim.value {
            case let .dimValue(v)? where v > 0 && v <= Int64(Int32.max):
                shape.append(Int(v))
            case let .dimValue(v)? where v == 0:
                throw ConvertError.unsupported(node: input.name, opType: "input", what: "graph input '\(input.name)' has a zero-sized dimension \(axis)")
            case .dimParam?, nil, .dimValue?:
                guard axis == 0 else {
                    throw ConvertError.unsupported(node: input.name, opType: "input", what: "graph input '\(input.name)' has symbolic or unknown dimension \(axis); only the batch dimension may be dynamic")
                }
                shape.append(1)
                dynamic = true
            }
        }
        guard Self.elementCount(shape) != nil else {
            throw ConvertError.unsupported(node: input.name, opType: "input", what: "graph input '\(input.name)' of shape \(shape) has more than 2^40 elements")
        }
        let id = graph.addValue(name: input.name, shape: shape)
        graph.inputs.append(id)
        dynamicBatch.append(dynamic)
        operands[input.name] = .value(id)
    }

    // MARK: operands

    /// The graph value for an operand, materializing host constants as graph constants.
    mutating func value(for operand: Operand, name: String) -> ValueID {
        switch operand {
        case let .value(id): return id
        case let .host(tensor):
            if let id = materialized[name] { return id }
            let id = graph.addConstant(name: graph.uniqueName(name), tensor.floatTensor)
            materialized[name] = id
            return id
        }
    }

    func operand(_ node: ONNXNode, _ index: Int) throws -> Operand? {
        guard index < node.proto.input.count, !node.proto.input[index].isEmpty else { return nil }
        let name = node.proto.input[index]
        guard let operand = operands[name] else {
            throw ConvertError.invalidModel("node '\(node.name)' (\(node.opType)) reads '\(name)', which nothing defines before it")
        }
        return operand
    }

    func requiredOperand(_ node: ONNXNode, _ index: Int) throws -> Operand {
        guard let o = try operand(node, index) else {
            throw node.invalid("input \(index) is missing")
        }
        return o
    }

    /// Input `index` as a graph value (constants are materialized).
    mutating func input(_ node: ONNXNode, _ index: Int) throws -> ValueID {
        let o = try requiredOperand(node, index)
        return value(for: o, name: node.proto.input[index])
    }

    mutating func optionalInput(_ node: ONNXNode, _ index: Int) throws -> ValueID? {
        guard let o = try operand(node, index) else { return nil }
        return value(for: o, name: node.proto.input[index])
    }

    /// Input `index` as an import-time constant (e.g. Reshape's shape); nil when absent.
    func constantInput(_ node: ONNXNode, _ index: Int, _ what: String) throws -> HostTensor? {
        guard let o = try operand(node, index) else { return nil }
        guard case let .host(t) = o else {
            throw node.unsupported("\(what) (input \(index)) must be a constant")
        }
        return t
    }

    func shape(_ id: ValueID) -> [Int] { graph[id].shape }

    /// Elements of `shape`, or nil when a dimension is negative or the count exceeds 2^40 (every
    /// value's element count then fits an Int with room for byte and stride arithmetic).
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= 1 << 40 else { return nil }
            count = p
        }
        return count
    }

    /// Adds a node whose output shapes come from shape inference.
    mutating func emit(_ node: ONNXNode, _ op: Op, inputs: [ValueID]) throws -> [Operand] {
        let shapes = try ShapeInference.outputShapes(op, inputShapes: inputs.map { shape($0) },
                                                      node: node.name, opType: node.opType)
        for s in shapes where Self.elementCount(s) == nil {
            throw node.invalid("output shape \(s) has a negative dimension or more than 2^40 elements")
        }
        let outputs = shapes.enumerated().map { i, s in
            graph.addValue(name: "_\(node.name):\(i)", shape: s)
        }
        graph.nodes.append(Node(name: node.name, op: op, inputs: inputs, outputs: outputs))
        return outputs.map { .value($0) }
    }
}

/// An ONNX node with its resolved name, opset and attributes.
struct ONNXNode {
    let proto: Onnx_NodeProto
    let name: String
    let opset: Int
    let attributes: ONNXAttributes

    init(proto: Onnx_NodeProto, name: String, opset: Int) {
        self.proto = proto
        self.name = name
        self.opset = opset
        attributes = ONNXAttributes(proto, name: name)
    }

    var opType: String { proto.opType }
    var inputCount: Int { proto.input.count }

    func unsupported(_ what: String) -> ConvertError {
        .unsupported(node: name, opType: opType, what: what)
    }

    func invalid(_ what: String) -> ConvertError {
        .invalidNode(node: name, opType: opType, what: what)
    }
}

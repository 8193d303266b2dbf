/// Assigns storage layouts: every 4-D tensor a spatial op reads or writes is stored NHWC
/// (`channelsLast`); ops that need row-major data (Reshape, FC, MatMul, legacy Softmax) and
/// graph inputs/outputs are `plain`. Where the two meet, an `identity` node converts.
/// Layout-agnostic ops (elementwise, Concat, Slice, Pad, Transpose, …) produce NHWC when any
/// 4-D input is NHWC, so a whole CNN body stays NHWC with conversions only at its edges.
enum ChannelsLastLayout {
    static func run(_ graph: inout Graph) throws {
        var nodes: [Node] = []
        var converted: [ValueID: ValueID] = [:]  // plain value → its NHWC copy, and vice versa

        func convert(_ id: ValueID, to layout: Layout, before node: Node) -> ValueID {
            if graph[id].layout == layout { return id }
            if let c = converted[id], graph[c].layout == layout { return c }
            let copy = graph.addValue(name: graph.uniqueName(graph[id].name + (layout == .channelsLast ? ".nhwc" : ".nchw")),
                                      shape: graph[id].shape, layout: layout)
            nodes.append(Node(name: graph[copy].name, op: .identity, inputs: [id], outputs: [copy]))
            converted[id] = copy
            return copy
        }

        for var node in graph.nodes {
            let needs = requirement(node.op, graph: graph, node: node)
            switch needs {
            case .spatial:
                node.inputs[0] = convert(node.inputs[0], to: .channelsLast, before: node)
                for out in node.outputs where graph[out].shape.count == 4 { graph[out].layout = .channelsLast }
            case .plain:
                node.inputs = node.inputs.map { graph.isConstant($0) ? $0 : convert($0, to: .plain, before: node) }
            case .follow:
                let anyNHWC = node.inputs.contains { graph[$0].layout == .channelsLast }
                for out in node.outputs where anyNHWC && graph[out].shape.count == 4 { graph[out].layout = .channelsLast }
            }
            nodes.append(node)
        }
        // Graph outputs keep the ONNX layout.
        for (i, out) in graph.outputs.enumerated() where graph[out].layout == .channelsLast {
            let name = graph[out].name
            graph[out].name = graph.uniqueName(name + ".nhwc")
            let plain = graph.addValue(name: name, shape: graph[out].shape, layout: .plain)
            nodes.append(Node(name: name + ".to_nchw", op: .identity, inputs: [out], outputs: [plain]))
            graph.outputs[i] = plain
        }
        graph.nodes = nodes
    }

    enum Requirement { case spatial, plain, follow }

    static func requirement(_ op: Op, graph: Graph, node: Node) -> Requirement {
        switch op {
        case .conv, .convTranspose, .maxPool, .averagePool, .resize, .lrn: return .spatial
        case .globalAveragePool, .globalMaxPool: return graph[node.inputs[0]].shape.count == 4 ? .spatial : .plain
        case .fullyConnected, .matMul, .reshape: return .plain
        case let .softmax(_, legacy): return legacy ? .plain : .follow
        case .channelAffine, .binary, .unary, .prelu, .transpose, .concat, .pad, .slice, .identity: return .follow
        }
    }
}

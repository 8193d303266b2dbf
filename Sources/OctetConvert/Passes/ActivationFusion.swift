/// Fuses a Relu or Clip (ReLU6) into the Conv/ConvTranspose/FC/affine/binary node producing its
/// input, when that node has no activation yet and the Relu is the only reader.
enum ActivationFusion {
    static func run(_ graph: inout Graph) {
        let consumers = graph.consumers()
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard !node.outputs.isEmpty, let c = graph.soleConsumer(of: node.outputs[0], consumers: consumers) else { continue }
            let activation: Activation
            switch graph.nodes[c].op {
            case .unary(.relu): activation = .relu
            case let .unary(.clip(lo, hi)): activation = .clip(min: lo, max: hi)
            default: continue
            }
            var op = node.op
            switch op {
            case var .conv(p) where p.activation == .none: p.activation = activation; op = .conv(p)
            case var .convTranspose(p) where p.activation == .none: p.activation = activation; op = .convTranspose(p)
            case var .fullyConnected(p) where p.activation == .none: p.activation = activation; op = .fullyConnected(p)
            case .channelAffine(.none): op = .channelAffine(activation: activation)
            case let .binary(b, .none): op = .binary(b, activation: activation)
            default: continue
            }
            graph.nodes[index].op = op
            graph.absorb(consumer: c, into: index)
        }
        graph.dropEmptyNodes()
    }
}

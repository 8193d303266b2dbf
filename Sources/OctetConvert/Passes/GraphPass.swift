/// The optimisation pipeline between import and quantization. Every pass keeps the graph's
/// function (within float rounding) and its input/output interface.
public enum GraphPasses {
    public struct Options: Sendable {
        public var foldConstants = true
        public var foldBatchNorm = true
        public var fuseActivations = true
        public var recognizeHardSwish = true
        public init() {}
    }

    /// Runs the passes in order and assigns the NHWC storage layout; the result runs on `FloatExecutor`.
    public static func optimize(_ input: Graph, options: Options = Options()) throws -> Graph {
        var graph = input
        if options.foldConstants { try ConstantFolding.run(&graph) }
        if options.recognizeHardSwish { HardSwishRecognition.run(&graph) }
        if options.foldBatchNorm { BatchNormFolding.run(&graph) }
        if options.fuseActivations { ActivationFusion.run(&graph) }
        DeadNodeElimination.run(&graph)
        try ChannelsLastLayout.run(&graph)
        graph.compact()
        return graph
    }
}

extension Graph {
    /// The single node consuming `id`, if exactly one node reads it and it is not a graph output.
    func soleConsumer(of id: ValueID, consumers: [ValueID: [Int]]) -> Int? {
        guard !outputs.contains(id), let list = consumers[id], list.count == 1 else { return nil }
        return list[0]
    }

    /// The constant scalar value of `id`, if it is a one-element constant.
    func scalarConstant(_ id: ValueID) -> Float? {
        guard let t = constants[id], t.count == 1 else { return nil }
        return t.data[0]
    }

    /// Lets node `producer` write `consumer`'s output directly and deletes `consumer`.
    mutating func absorb(consumer: Int, into producer: Int) {
        nodes[producer].outputs[0] = nodes[consumer].outputs[0]
        nodes[consumer].op = .identity
        nodes[consumer].inputs = []
        nodes[consumer].outputs = []
    }

    /// Removes nodes emptied by `absorb`.
    mutating func dropEmptyNodes() {
        nodes.removeAll { $0.inputs.isEmpty && $0.outputs.isEmpty }
    }
}

/// Removes nodes whose outputs nothing reads.
enum DeadNodeElimination {
    static func run(_ graph: inout Graph) {
        var live = Set(graph.outputs)
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for i in stride(from: graph.nodes.count - 1, through: 0, by: -1) where graph.nodes[i].outputs.contains(where: live.contains) {
            keep[i] = true
            live.formUnion(graph.nodes[i].inputs)
        }
        graph.nodes = graph.nodes.enumerated().filter { keep[$0.offset] }.map(\.element)
    }
}

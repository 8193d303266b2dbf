/// Evaluates every node whose inputs are all constants (with the float reference executor)
/// and replaces its outputs by constants.
enum ConstantFolding {
    static func run(_ graph: inout Graph) throws {
        var kept: [Node] = []
        for node in graph.nodes {
            guard !node.inputs.isEmpty, node.inputs.allSatisfy(graph.isConstant) else {
                kept.append(node)
                continue
            }
            var sub = Graph()
            var map: [ValueID: ValueID] = [:]
            for input in node.inputs where map[input] == nil {
                map[input] = sub.addConstant(name: graph[input].name, graph.constants[input]!)
            }
            let outs = node.outputs.map { sub.addValue(name: graph[$0].name, shape: graph[$0].shape) }
            sub.nodes = [Node(name: node.name, op: node.op, inputs: node.inputs.map { map[$0]! }, outputs: outs)]
            sub.outputs = outs
            let executor = try FloatExecutor(graph: sub)
            let results = try executor.run([])
            for (id, tensor) in zip(node.outputs, results) { graph.constants[id] = tensor }
        }
        graph.nodes = kept
    }
}

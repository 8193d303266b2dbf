/// Which buffer each value of a graph lives in on the float path.
///
/// Kept values (every value, or else constants, graph inputs and graph outputs) each own a
/// buffer. Otherwise an intermediate value takes, when its node runs, the smallest free buffer
/// that holds it (or a new one); a buffer is free again once every value in it has been read
/// for the last time, after the node that reads it last (a value no node reads: after its own
/// node). A node's outputs never share a buffer with its inputs, and values live at the same
/// time never share one, so the executor computes the same numbers either way — the shared
/// form just touches far fewer bytes per run (activations stay in cache).
struct FloatBufferPlan {
    /// buffer[v]: the buffer of value v; floats[b]: the float count buffer b holds.
    let buffer: [Int]
    let floats: [Int]

    init(_ graph: Graph, keepEveryValue: Bool) {
        let count = graph.values.count
        var buffer = [Int](repeating: -1, count: count), floats: [Int] = []
        var kept = [Bool](repeating: keepEveryValue, count: count)
        for id in graph.inputs + graph.outputs + Array(graph.constants.keys) { kept[id.index] = true }
        func own(_ v: Int) {
            buffer[v] = floats.count
            floats.append(max(graph.values[v].elementCount, 1))
        }
        for v in 0..<count where kept[v] { own(v) }
        var lastReader = [Int](repeating: -1, count: count)
        for (i, node) in graph.nodes.enumerated() { for id in node.inputs { lastReader[id.index] = i } }
        var free: [Int] = []  // buffers no live value occupies
        for (i, node) in graph.nodes.enumerated() {
            for id in node.outputs where buffer[id.index] < 0 {
                let need = max(graph.values[id.index].elementCount, 1)
                if let k = free.indices.filter({ floats[free[$0]] >= need }).min(by: { floats[free[$0]] < floats[free[$1]] }) {
                    buffer[id.index] = free.remove(at: k)
                } else {
                    own(id.index)
                }
            }
            var ending = Set<Int>()
            for id in node.inputs where !kept[id.index] && lastReader[id.index] == i { ending.insert(id.index) }
            for id in node.outputs where !kept[id.index] && lastReader[id.index] < 0 { ending.insert(id.index) }
            free += ending.sorted().map { buffer[$0] }
        }
        for v in 0..<count where buffer[v] < 0 { own(v) }  // values no node writes (unused inputs of subgraphs)
        self.buffer = buffer
        self.floats = floats
    }
}

/// Recognises the HardSwish that exporters spell out, `x · Clip(x+3, 0, 6) / 6` (also with
/// `·(1/6)`, the division inside, or `x · HardSigmoid(x; 1/6, 1/2)`), and replaces it by one op.
enum HardSwishRecognition {
    static func run(_ graph: inout Graph) {
        var changed = true
        while changed {
            changed = false
            let producers = graph.producers(), consumers = graph.consumers()
            func node(_ id: ValueID) -> Node? { producers[id].map { graph.nodes[$0] } }
            /// `relu6(x + 3)` → x.
            func relu6PlusThree(_ id: ValueID) -> ValueID? {
                guard let clip = node(id), clip.op == .unary(.clip(min: 0, max: 6)),
                      let add = node(clip.inputs[0]), add.op == .binary(.add, activation: .none) else { return nil }
                if graph.scalarConstant(add.inputs[1]) == 3 { return add.inputs[0] }
                if graph.scalarConstant(add.inputs[0]) == 3 { return add.inputs[1] }
                return nil
            }
            /// `relu6(x + 3) / 6`, `relu6(x + 3) · (1/6)` or `HardSigmoid(x; 1/6, 1/2)` → x.
            func hardSigmoidOf(_ id: ValueID) -> ValueID? {
                guard let n = node(id) else { return nil }
                if case let .unary(.hardSigmoid(alpha, beta)) = n.op, abs(alpha - 1.0 / 6) < 1e-6, beta == 0.5 { return n.inputs[0] }
                if n.op == .binary(.div, activation: .none), graph.scalarConstant(n.inputs[1]) == 6 { return relu6PlusThree(n.inputs[0]) }
                if n.op == .binary(.mul, activation: .none), let c = graph.scalarConstant(n.inputs[1]), abs(c - 1.0 / 6) < 1e-7 {
                    return relu6PlusThree(n.inputs[0])
                }
                return nil
            }
            for (index, n) in graph.nodes.enumerated() {
                var x: ValueID? = nil
                if n.op == .binary(.mul, activation: .none) {
                    // x · hardSigmoid(x)
                    if hardSigmoidOf(n.inputs[1]) == n.inputs[0] { x = n.inputs[0] }
                    else if hardSigmoidOf(n.inputs[0]) == n.inputs[1] { x = n.inputs[1] }
                }
                var last = index
                if x == nil, n.op == .binary(.div, activation: .none) || n.op == .binary(.mul, activation: .none) {
                    // (x · relu6(x + 3)) / 6  or  · (1/6)
                    let c = graph.scalarConstant(n.inputs[1])
                    let isSixth = n.op == .binary(.div, activation: .none) ? c == 6 : c.map { abs($0 - 1.0 / 6) < 1e-7 } ?? false
                    if isSixth, let m = node(n.inputs[0]), m.op == .binary(.mul, activation: .none),
                       graph.soleConsumer(of: n.inputs[0], consumers: consumers) == index {
                        if relu6PlusThree(m.inputs[1]) == m.inputs[0] { x = m.inputs[0] }
                        else if relu6PlusThree(m.inputs[0]) == m.inputs[1] { x = m.inputs[1] }
                    }
                    last = index
                }
                guard let input = x else { continue }
                graph.nodes[last] = Node(name: n.name, op: .unary(.hardSwish), inputs: [input], outputs: n.outputs)
                changed = true
                break
            }
            if changed { DeadNodeElimination.run(&graph) }
        }
    }
}

/// Folds a per-channel affine (imported BatchNormalization) into the Conv, ConvTranspose or
/// fully-connected node before it: `w'[o] = w[o]·s[o]`, `b'[o] = b[o]·s[o] + t[o]` (Double).
/// An affine with nothing foldable before it (pre-activation BN) stays a `channelAffine`.
enum BatchNormFolding {
    static func run(_ graph: inout Graph) {
        let consumers = graph.consumers(), producers = graph.producers()
        for index in graph.nodes.indices {
            guard case .channelAffine(.none) = graph.nodes[index].op else { continue }
            let affine = graph.nodes[index]
            guard let scale = graph.constants[affine.inputs[1]], let shift = graph.constants[affine.inputs[2]],
                  let p = producers[affine.inputs[0]], graph.soleConsumer(of: affine.inputs[0], consumers: consumers) == index
            else { continue }
            if fold(&graph, producer: p, scale: scale.data, shift: shift.data) {
                graph.absorb(consumer: index, into: p)
            }
        }
        graph.dropEmptyNodes()
    }

    private static func fold(_ graph: inout Graph, producer p: Int, scale: [Float], shift: [Float]) -> Bool {
        let node = graph.nodes[p]
        let channels = scale.count
        switch node.op {
        case let .conv(params) where params.activation == .none:
            guard var w = graph.constants[node.inputs[1]], w.shape[0] == channels else { return false }
            let perChannel = w.count / channels
            for o in 0..<channels { for i in 0..<perChannel { w.data[o * perChannel + i] *= scale[o] } }
            replace(&graph, p, weight: w, weightIndex: 1, scale: scale, shift: shift)
            return true
        case let .convTranspose(params) where params.activation == .none:
            // weight [C_in, O/groups, kH, kW]; output channel = g·(O/groups) + j.
            guard var w = graph.constants[node.inputs[1]] else { return false }
            let og = w.shape[1], taps = w.shape[2] * w.shape[3], cg = w.shape[0] / params.groups
            guard og * params.groups == channels else { return false }
            for ci in 0..<w.shape[0] {
                let g = ci / cg
                for j in 0..<og { for t in 0..<taps { w.data[(ci * og + j) * taps + t] *= scale[g * og + j] } }
            }
            replace(&graph, p, weight: w, weightIndex: 1, scale: scale, shift: shift)
            return true
        case let .fullyConnected(params) where params.activation == .none:
            // weight B [K, N]: scale columns. C (if any) must be a constant.
            guard var w = graph.constants[node.inputs[1]], w.shape[1] == channels else { return false }
            if node.inputs.count > 2 && !graph.isConstant(node.inputs[2]) { return false }
            for k in 0..<w.shape[0] { for n in 0..<channels { w.data[k * channels + n] *= scale[n] } }
            var bias = [Float](repeating: 0, count: channels)
            if node.inputs.count > 2, let c = graph.constants[node.inputs[2]] {
                guard c.count == channels || c.count == 1 else { return false }
                for n in 0..<channels { bias[n] = params.beta * c.data[c.count == 1 ? 0 : n] }
            }
            let wid = graph.addConstant(name: graph.uniqueName(graph[node.inputs[1]].name + ".bn"), w)
            let b = (0..<channels).map { Float(Double(bias[$0]) * Double(scale[$0]) + Double(shift[$0])) }
            let bid = graph.addConstant(name: graph.uniqueName(node.name + ".bias.bn"), Tensor(shape: [channels], data: b))
            graph.nodes[p].inputs = [node.inputs[0], wid, bid]
            graph.nodes[p].op = .fullyConnected(FullyConnectedParams(alpha: params.alpha, beta: 1))
            return true
        default:
            return false
        }
    }

    /// Installs the scaled conv weight and the folded bias (weight is input 1, bias input 2).
    private static func replace(_ graph: inout Graph, _ p: Int, weight: Tensor, weightIndex: Int, scale: [Float], shift: [Float]) {
        let node = graph.nodes[p]
        let channels = scale.count
        let old = node.inputs.count > 2 ? graph.constants[node.inputs[2]]?.data : nil
        let b = (0..<channels).map { Float(Double(old?[$0] ?? 0) * Double(scale[$0]) + Double(shift[$0])) }
        let wid = graph.addConstant(name: graph.uniqueName(graph[node.inputs[1]].name + ".bn"), weight)
        let bid = graph.addConstant(name: graph.uniqueName(node.name + ".bias.bn"), Tensor(shape: [channels], data: b))
        graph.nodes[p].inputs = [node.inputs[0], wid, bid]
    }
}

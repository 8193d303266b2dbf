/// Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization", §4.1).
///
/// For a Conv `A` whose output only feeds a Conv `B`, output channel `c` of `A` and input
/// channel `c` of `B` are rescaled by `s[c] = sqrt(rA[c] / rB[c])`: `W_A[c] /= s`, `b_A[c] /= s`,
/// `W_B[·, c] *= s`, where `rA[c]` is the largest |weight| of A's output channel c and `rB[c]`
/// the largest |weight| B applies to input channel c. Afterwards both have the range
/// `sqrt(rA·rB)` on channel c. Sweeps over all pairs repeat until no scale moves more than 1e-4
/// (chains such as pointwise → depthwise → pointwise need several).
///
/// The rewrite is exact for a linear or ReLU activation between A and B (positively
/// homogeneous). A ReLU6 / `Clip(0, hi)` would need a per-channel bound `hi/s[c]`, which the
/// int8 spec (one clamp per op) cannot express, so, as in the paper and Qualcomm's AIMET, it is
/// replaced by ReLU on equalized pairs. That changes the float function where pre-activations
/// exceed `hi`; the converter therefore keeps the equalized model only when its int8 output is
/// closer to the *original* float model on held-out samples (`--equalization auto`).
enum CrossLayerEqualization {
    struct Result {
        /// Equalized conv pairs.
        var pairs: Int
        /// Activations whose bound was dropped (ReLU6/Clip → ReLU).
        var clipsReplaced: Int
        /// Per equalized value, per channel: original value = equalized value · scale.
        var scales: [ValueID: [Float]]
    }

    struct Pair { var producer: Int; var consumer: Int; var value: ValueID; var channels: Int }

    /// Conv → Conv pairs the rewrite applies to, in graph order.
    static func pairs(in graph: Graph) -> [Pair] {
        let consumers = graph.consumers(), producers = graph.producers()
        // A weight read by more than one node cannot be rescaled for one of them.
        func owned(_ id: ValueID) -> Bool { graph.isConstant(id) && consumers[id]?.count == 1 }
        var result: [Pair] = []
        for (b, node) in graph.nodes.enumerated() {
            guard case .conv = node.op, let x = node.inputs.first, let a = producers[x],
                  graph.soleConsumer(of: x, consumers: consumers) == b,
                  case let .conv(pa) = graph.nodes[a].op, equalizable(pa.activation),
                  let wa = graph.constants[graph.nodes[a].inputs[1]], owned(graph.nodes[a].inputs[1]), owned(node.inputs[1]),
                  graph.nodes[a].inputs.count < 3 || owned(graph.nodes[a].inputs[2])
            else { continue }
            result.append(Pair(producer: a, consumer: b, value: x, channels: wa.shape[0]))
        }
        return result
    }

    static func equalizable(_ activation: Activation) -> Bool {
        switch activation {
        case .none, .relu: return true
        case let .clip(lo, hi): return lo == 0 && hi > 0
        }
    }

    static func run(_ graph: inout Graph, maxSweeps: Int = 100, tolerance: Float = 1e-4) -> Result {
        let found = pairs(in: graph)
        var result = Result(pairs: found.count, clipsReplaced: 0, scales: [:])
        guard !found.isEmpty else { return result }
        // Work on private copies of every weight and bias involved (constants may be shared).
        var weights: [ValueID: Tensor] = [:]
        func own(_ node: Int, _ input: Int) {
            let id = graph.nodes[node].inputs[input]
            if weights[id] == nil, let t = graph.constants[id] { weights[id] = t }
        }
        for p in found {
            own(p.producer, 1); own(p.consumer, 1)
            if graph.nodes[p.producer].inputs.count > 2 { own(p.producer, 2) }
            result.scales[p.value] = [Float](repeating: 1, count: p.channels)
        }
        for _ in 0..<maxSweeps {
            var largestStep: Float = 0
            for p in found {
                let a = graph.nodes[p.producer], b = graph.nodes[p.consumer]
                guard case let .conv(pb) = b.op else { continue }
                let rA = outputChannelRanges(weights[a.inputs[1]]!)
                let rB = inputChannelRanges(weights[b.inputs[1]]!, groups: pb.groups)
                guard rA.count == p.channels, rB.count == p.channels else { continue }
                let s = (0..<p.channels).map { c -> Float in
                    rA[c] > 0 && rB[c] > 0 ? (rA[c] / rB[c]).squareRoot() : 1
                }
                for c in 0..<p.channels { largestStep = max(largestStep, abs(s[c] - 1)) }
                scaleOutputChannels(&weights[a.inputs[1]]!, by: s)
                if a.inputs.count > 2 { scaleOutputChannels(&weights[a.inputs[2]]!, by: s) }
                scaleInputChannels(&weights[b.inputs[1]]!, groups: pb.groups, by: s)
                result.scales[p.value]!.withUnsafeMutableBufferPointer { total in for c in 0..<p.channels { total[c] *= s[c] } }
            }
            if largestStep < tolerance { break }
        }
        // Install the new constants and drop the clip bounds of producers actually rescaled.
        for (id, t) in weights { graph.constants[id] = t }
        for p in found {
            guard result.scales[p.value]!.contains(where: { abs($0 - 1) > 1e-6 }),
                  case var .conv(pa) = graph.nodes[p.producer].op, case .clip = pa.activation else { continue }
            pa.activation = .relu
            graph.nodes[p.producer].op = .conv(pa)
            result.clipsReplaced += 1
        }
        return result
    }

    // The range helpers run on every weight once per sweep (up to 100 sweeps). They compare
    // |w| as bit patterns: for finite floats (weights are checked finite) the order of
    // `bitPattern & 0x7FFF_FFFF` as UInt32 is the order of |w|, and an integer max vectorizes
    // where a float max (NaN rules) does not. The result is the same float.

    /// Largest |w| per output channel of a weight `[O, …]` (or bias `[O]`).
    static func outputChannelRanges(_ w: Tensor) -> [Float] {
        let o = w.shape[0], per = w.count / max(o, 1)
        return w.data.withUnsafeBufferPointer { d in
            (0..<o).map { c in
                var r: UInt32 = 0
                for i in (c * per)..<((c + 1) * per) { r = max(r, d[i].bitPattern & 0x7FFF_FFFF) }
                return Float(bitPattern: r)
            }
        }
    }

    /// Largest |w| per input channel of a conv weight `[O, C/groups, kH, kW]`: input channel
    /// `g·cg + j` is read by the outputs of group g through column j.
    static func inputChannelRanges(_ w: Tensor, groups: Int) -> [Float] {
        let o = w.shape[0], cg = w.shape[1], taps = w.count / (o * cg), og = o / groups
        var r = [UInt32](repeating: 0, count: cg * groups)
        w.data.withUnsafeBufferPointer { d in
            r.withUnsafeMutableBufferPointer { r in
                for out in 0..<o {
                    let g = out / og
                    if taps == 1 {  // a row of cg columns (vectorizes across j)
                        for j in 0..<cg { r[g * cg + j] = max(r[g * cg + j], d[out * cg + j].bitPattern & 0x7FFF_FFFF) }
                        continue
                    }
                    for j in 0..<cg {
                        let base = (out * cg + j) * taps
                        var m = r[g * cg + j]
                        for t in 0..<taps { m = max(m, d[base + t].bitPattern & 0x7FFF_FFFF) }
                        r[g * cg + j] = m
                    }
                }
            }
        }
        return r.map { Float(bitPattern: $0) }
    }

    /// `t[c, …] /= s[c]` along the first axis.
    static func scaleOutputChannels(_ t: inout Tensor, by s: [Float]) {
        let per = t.count / s.count
        t.data.withUnsafeMutableBufferPointer { d in
            for c in s.indices { for i in 0..<per { d[c * per + i] /= s[c] } }
        }
    }

    /// `w[out, j, …] *= s[g·cg + j]` for a conv weight `[O, C/groups, kH, kW]`.
    static func scaleInputChannels(_ w: inout Tensor, groups: Int, by s: [Float]) {
        let o = w.shape[0], cg = w.shape[1], taps = w.count / (o * cg), og = o / groups
        w.data.withUnsafeMutableBufferPointer { d in
            s.withUnsafeBufferPointer { s in
                for out in 0..<o {
                    let g = out / og
                    if taps == 1 {  // a row of cg columns (vectorizes across j)
                        for j in 0..<cg { d[out * cg + j] *= s[g * cg + j] }
                        continue
                    }
                    for j in 0..<cg {
                        let base = (out * cg + j) * taps, f = s[g * cg + j]
                        for t in 0..<taps { d[base + t] *= f }
                    }
                }
            }
        }
    }
}

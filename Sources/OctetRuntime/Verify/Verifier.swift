/// Semantic checks of a parsed model, all done before anything runs: indices in range, tensor
/// shapes/types/quantization legal, every op's operands and parameters legal for its shapes
/// (each op kind's `check`, `Ops/`), values defined before use, every arena range inside the arena, and no two
/// simultaneously live tensors sharing bytes unless the op allows it (in-place, aliasing).
/// A tensor's bytes include the `OctetFormat.tensorReadSlack` bytes after it, which kernels may
/// read while another thread writes the op's output.
///
/// It also measures what kernel choice may rely on: the largest |w| of every conv-family op's
/// weights, from the bytes themselves (a kernel exact only for 7-bit weights runs an op only
/// when this is ≤ 63; metadata such as `quantization.weight_bits` is never trusted for that).
public enum Verifier {
    /// Returns, per op, the largest |w| (0…128) of its int8 conv weights (nil: the op has none).
    @discardableResult
    public static func verify(_ parsed: ParsedModel, file: UnsafeRawBufferPointer) throws(OctetError) -> [Int?] {
        let m = parsed.description
        try checkTensors(parsed)
        try checkGraphInterface(m)
        let producers = try checkDataflow(m)
        let ranges = parsed.constantRanges
        var weightMagnitudes = [Int?](repeating: nil, count: m.ops.count)
        for (index, op) in m.ops.enumerated() {
            let site = OpSite(op: op, index: index, model: m) { t in
                ranges[t].map { UnsafeRawBufferPointer(rebasing: file[$0]) }
            }
            var check = CheckVisitor(site: site)
            try op.code.visit(&check)
            // After the op's check: the input exists and is an int8 constant.
            if let w = op.code.weightsInput { weightMagnitudes[index] = try site.weightMagnitude(op.inputs[w]) }
        }
        try checkPlan(m, producers: producers)
        return weightMagnitudes
    }

    static func checkTensors(_ parsed: ParsedModel) throws(OctetError) {
        let m = parsed.description
        for (i, t) in m.tensors.enumerated() {
            func bad(_ s: String) -> OctetError { .tensor(index: i, name: t.name, s) }
            guard t.shape.allSatisfy({ $0 >= 1 && $0 <= OctetFormat.maxDimension }) else { throw bad("shape \(t.shape) has a dimension outside 1…\(OctetFormat.maxDimension)") }
            let bytes = t.byteCountChecked
            guard bytes >= 0 else { throw bad("shape \(t.shape) is too large") }
            switch t.storage {
            case .arena:
                guard t.arenaOffset % OctetFormat.alignment == 0 else { throw bad("arena offset \(t.arenaOffset) is not 64-byte aligned") }
                let reserved = bytes + OctetFormat.tensorReadSlack
                guard t.arenaOffset <= m.arenaSize, reserved <= m.arenaSize - t.arenaOffset else {
                    throw bad("arena range \(t.arenaOffset)..<\(t.arenaOffset + reserved) (\(bytes) bytes + \(OctetFormat.tensorReadSlack) read slack) exceeds the arena (\(m.arenaSize) bytes)")
                }
            case .constant:
                guard let r = parsed.constantRanges[i], r.lowerBound % OctetFormat.alignment == 0 else {
                    throw bad("constant data is not 64-byte aligned in the file")
                }
            }
            if let q = t.quantization {
                if q.channelScales.isEmpty {
                    guard q.scale.isFinite, q.scale > 0 else { throw bad("scale \(q.scale) must be finite and positive") }
                    let range: ClosedRange<Int32> = t.type == .uint8 ? 0...255 : t.type == .int8 ? -128...127 : 0...0
                    guard t.type == .int32 ? q.zeroPoint == 0 : range.contains(q.zeroPoint) else {
                        throw bad("zero point \(q.zeroPoint) is outside \(t.type)'s range")
                    }
                } else {
                    guard q.channelAxis < t.shape.count, q.channelScales.count == t.shape[q.channelAxis] else {
                        throw bad("\(q.channelScales.count) channel scales for axis \(q.channelAxis) of shape \(t.shape)")
                    }
                    guard q.channelScales.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw bad("channel scales must be finite and positive") }
                }
            } else if t.type == .int8 || t.type == .uint8 {
                throw bad("\(t.type) tensor without quantization")
            }
        }
        guard m.arenaLowerBound <= m.arenaSize else {
            throw OctetError.plan("lower bound \(m.arenaLowerBound) exceeds the arena size \(m.arenaSize)")
        }
    }

    static func checkGraphInterface(_ m: ModelDescription) throws(OctetError) {
        guard !m.outputs.isEmpty else { throw OctetError.format("model has no outputs") }
        for (kind, list) in [("input", m.inputs), ("output", m.outputs)] {
            guard Set(list).count == list.count else { throw OctetError.format("graph \(kind)s repeat a tensor") }
            for t in list {
                guard t < m.tensors.count else { throw OctetError.format("graph \(kind) \(t) is not a tensor index (\(m.tensors.count) tensors)") }
                guard m.tensors[t].storage == .arena else {
                    throw OctetError.tensor(index: t, name: m.tensors[t].name, "graph \(kind) must live in the arena")
                }
            }
        }
    }

    /// Every arena tensor is a graph input or written by exactly one op before it is read.
    /// Returns the producing op of each tensor (-1 for graph inputs and constants).
    static func checkDataflow(_ m: ModelDescription) throws(OctetError) -> [Int] {
        var producer = [Int](repeating: -2, count: m.tensors.count)  // -2: not defined yet
        for t in m.inputs { producer[t] = -1 }
        for (i, t) in m.tensors.enumerated() where t.storage == .constant { producer[i] = -1 }
        for (index, op) in m.ops.enumerated() {
            func bad(_ s: String) -> OctetError { .op(index: index, code: op.code.description, s) }
            for t in op.inputs + op.outputs where t >= m.tensors.count {
                throw bad("operand \(t) is not a tensor index (\(m.tensors.count) tensors)")
            }
            for t in op.inputs where producer[t] == -2 {
                throw bad("reads tensor #\(t) '\(m.tensors[t].name)' before any op writes it")
            }
            for t in op.outputs {
                guard m.tensors[t].storage == .arena else { throw bad("writes constant tensor #\(t) '\(m.tensors[t].name)'") }
                guard producer[t] == -2 else { throw bad("writes tensor #\(t) '\(m.tensors[t].name)', already written") }
                producer[t] = index
            }
        }
        for t in m.outputs where producer[t] == -2 {
            throw OctetError.tensor(index: t, name: m.tensors[t].name, "graph output is never written")
        }
        return producer
    }

    /// Live arena tensors never share bytes, except an op's output placed exactly on an input
    /// it may overwrite: Reshape (always: same bytes) and elementwise in-place ops when that
    /// input dies at this op.
    static func checkPlan(_ m: ModelDescription, producers: [Int]) throws(OctetError) {
        let opCount = m.ops.count
        var first = [Int](repeating: Int.max, count: m.tensors.count), last = [Int](repeating: -1, count: m.tensors.count)
        for (i, t) in m.tensors.enumerated() where t.storage == .arena && producers[i] != -2 {
            first[i] = producers[i]
            last[i] = producers[i]
        }
        for (index, op) in m.ops.enumerated() { for t in op.inputs { last[t] = max(last[t], index) } }
        for t in m.outputs { last[t] = opCount }
        for t in m.inputs { last[t] = max(last[t], 0) }
        var allowed = Set<[Int]>()
        for (index, op) in m.ops.enumerated() {
            for o in op.outputs {
                for i in op.inputs where m.tensors[i].storage == .arena && m.tensors[i].arenaOffset == m.tensors[o].arenaOffset {
                    if op.code == .reshape && m.tensors[i].byteCount == m.tensors[o].byteCount {
                        allowed.insert([min(i, o), max(i, o)])
                    } else if op.code.inPlaceCapable, last[i] == index, m.tensors[o].byteCount <= m.tensors[i].byteCount {
                        allowed.insert([min(i, o), max(i, o)])
                    }
                }
            }
        }
        let live = m.tensors.indices.filter { m.tensors[$0].storage == .arena && first[$0] != Int.max }
            .sorted { (first[$0], $0) < (first[$1], $1) }
        var active: [Int] = []
        for t in live {
            active.removeAll { last[$0] < first[t] }
            let slack = OctetFormat.tensorReadSlack
            let a = m.tensors[t].arenaOffset, aEnd = a + m.tensors[t].byteCount + slack
            for u in active {
                let b = m.tensors[u].arenaOffset, bEnd = b + m.tensors[u].byteCount + slack
                // A tensor dying at the op that defines `t` may only overlap through an allowed pair.
                if a < bEnd && b < aEnd && !allowed.contains([min(t, u), max(t, u)]) {
                    throw OctetError.plan("tensors #\(u) '\(m.tensors[u].name)' (bytes \(b)..<\(bEnd), ops \(first[u])…\(last[u])) and #\(t) '\(m.tensors[t].name)' (bytes \(a)..<\(aEnd), ops \(first[t])…\(last[t])) are live together and overlap (ranges include \(slack) bytes of read slack)")
                }
            }
            active.append(t)
        }
    }
}

import OctetRuntime

/// libFuzzer custom mutator of the loader target: decodes the image (checksums repaired),
/// changes one thing a byte flip rarely reaches consistently — a dimension, an op parameter or
/// operand, a type, the quantization, an opcode, the op list, the graph interface or the plan —
/// then usually re-plans the arena (every arena tensor after the previous one, so the plan check
/// passes) and serialises it again. Inputs that do not decode fall back to libFuzzer's byte
/// mutations (`fallback`), as does every other call, so the byte-level paths stay fuzzed too.
public enum OctetStructureMutator {
    public static func mutate(_ data: UnsafeMutablePointer<UInt8>, size: Int, maxSize: Int, seed: UInt32,
                              fallback: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int) -> Int {
        var random = FuzzInputData(seed: UInt64(seed))
        guard size > 1, random.next() % 2 == 0 else { return fallback(data, size, maxSize) }
        var image = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        OctetChecksumRepair.repair(&image)
        guard var model = decode(image) else { return fallback(data, size, maxSize) }
        let replan = mutate(&model, &random)
        if replan && random.next() % 8 != 0 { sequentialPlan(&model) }
        guard serializable(model) else { return fallback(data, size, maxSize) }
        let bytes = OctetSerializer.serialize(model)
        guard bytes.count + 1 <= maxSize else { return fallback(data, size, maxSize) }
        bytes.withUnsafeBufferPointer { (data + 1).update(from: $0.baseAddress!, count: bytes.count) }
        return bytes.count + 1
    }

    static func decode(_ image: [UInt8]) -> ModelDescription? {
        image.withUnsafeBytes { file in
            guard let parsed = try? OctetParser.parse(file) else { return nil }
            return OctetParser.materialize(parsed, file)
        }
    }

    static let interestingDimensions = [0, 1, 1, 2, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 63, 64, 65, 255, 256, 1023, 1024, 1025,
                                        1 << 16, 1 << 20, 1 << 23, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, 1 << 31, 1 << 32 - 1]
    static let interestingWords: [Int32] = [0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 17, 30, 31, 32, -31, -32, 63, 64, 65, 127, 128, -128, -129,
                                            255, 256, 1023, 1024, 1025, 1 << 16, 1 << 23, 1 << 30, .max, .min, .max - 1]
    static let interestingFloats: [Float] = [0, -0.0, 1, -1, 1e-30, 1e30, .infinity, -.infinity, .nan, .leastNonzeroMagnitude,
                                             .greatestFiniteMagnitude, 0.5, 1 / 255]

    static func pick<T>(_ list: [T], _ r: inout FuzzInputData) -> T { list[Int(r.next() % UInt64(list.count))] }
    static func index(_ count: Int, _ r: inout FuzzInputData) -> Int { Int(r.next() % UInt64(max(count, 1))) }

    /// One structural change; returns whether the arena should be planned again.
    static func mutate(_ m: inout ModelDescription, _ r: inout FuzzInputData) -> Bool {
        let t = index(m.tensors.count, &r), o = index(m.ops.count, &r)
        let hasTensor = !m.tensors.isEmpty, hasOp = !m.ops.isEmpty
        switch r.next() % 16 {
        case 0...2 where hasTensor:  // one dimension
            guard !m.tensors[t].shape.isEmpty else { m.tensors[t].shape = [pick(interestingDimensions, &r)]; break }
            let d = index(m.tensors[t].shape.count, &r)
            m.tensors[t].shape[d] = r.next() % 2 == 0 ? pick(interestingDimensions, &r) : max(1, m.tensors[t].shape[d] + Int(r.next() % 5) - 2)
            resizeData(&m.tensors[t], &r)
        case 3 where hasTensor:  // rank
            if r.next() % 2 == 0 || m.tensors[t].shape.isEmpty { m.tensors[t].shape.insert(1, at: index(m.tensors[t].shape.count + 1, &r)) }
            else { m.tensors[t].shape.remove(at: index(m.tensors[t].shape.count, &r)) }
            resizeData(&m.tensors[t], &r)
        case 4...5 where hasOp && !m.ops[o].params.isEmpty:  // one parameter word
            let p = index(m.ops[o].params.count, &r)
            m.ops[o].params[p] = r.next() % 2 == 0 ? pick(interestingWords, &r) : m.ops[o].params[p] &+ Int32(Int(r.next() % 9) - 4)
            return false
        case 6 where hasOp:  // parameter count
            if r.next() % 2 == 0 || m.ops[o].params.isEmpty { m.ops[o].params.append(pick(interestingWords, &r)) }
            else { m.ops[o].params.removeLast() }
            return false
        case 7 where hasOp:  // an operand
            let operand = index(m.tensors.count + 1, &r)
            if r.next() % 2 == 0, !m.ops[o].inputs.isEmpty { m.ops[o].inputs[index(m.ops[o].inputs.count, &r)] = operand }
            else if !m.ops[o].outputs.isEmpty { m.ops[o].outputs[index(m.ops[o].outputs.count, &r)] = operand }
        case 8 where hasTensor:  // type, storage, layout
            switch r.next() % 3 {
            case 0: m.tensors[t].type = pick(ElementType.allCases, &r)
            case 1:
                m.tensors[t].storage = m.tensors[t].storage == .arena ? .constant : .arena
                if m.tensors[t].storage == .arena { m.tensors[t].data = [] }
            default: m.tensors[t].layout = m.tensors[t].layout == .plain ? .channelsLast : .plain
            }
            resizeData(&m.tensors[t], &r)
        case 9 where hasTensor:  // quantization
            var q = m.tensors[t].quantization ?? Quantization(scale: 0.1, zeroPoint: 0)
            switch r.next() % 5 {
            case 0: q.scale = pick(interestingFloats, &r)
            case 1: q.zeroPoint = pick(interestingWords, &r)
            case 2: q.channelAxis = index(m.tensors[t].shape.count + 1, &r)
            case 3: q.channelScales = Array(repeating: pick(interestingFloats, &r), count: min(pick(interestingDimensions, &r), 4096))
            default: m.tensors[t].quantization = nil; return false
            }
            m.tensors[t].quantization = q
            return false
        case 10 where hasOp:  // opcode
            m.ops[o].code = pick(OpCode.allCases, &r)
            return false
        case 11 where hasOp:  // the op list
            switch r.next() % 3 {
            case 0: m.ops.remove(at: o)
            case 1: m.ops.insert(m.ops[o], at: index(m.ops.count + 1, &r))
            default: m.ops.swapAt(o, index(m.ops.count, &r))
            }
        case 12:  // graph interface
            let operand = index(m.tensors.count + 1, &r)
            switch r.next() % 4 {
            case 0: m.inputs.append(operand)
            case 1: m.outputs.append(operand)
            case 2: if !m.inputs.isEmpty { m.inputs.remove(at: index(m.inputs.count, &r)) }
            default: if !m.outputs.isEmpty { m.outputs[index(m.outputs.count, &r)] = operand }
            }
        case 13 where hasTensor && m.tensors[t].storage == .constant && !m.tensors[t].data.isEmpty:  // constant contents
            let word = pick(interestingWords, &r), at = index(m.tensors[t].data.count, &r) & ~3
            for k in 0..<4 where at + k < m.tensors[t].data.count { m.tensors[t].data[at + k] = UInt8(truncatingIfNeeded: word >> (8 * k)) }
            return false
        case 14 where hasTensor:  // the plan itself
            switch r.next() % 3 {
            case 0: m.tensors[t].arenaOffset = m.tensors[index(m.tensors.count, &r)].arenaOffset
            case 1: m.arenaSize = max(0, m.arenaSize + (Int(r.next() % 129) - 64))
            default: m.arenaLowerBound = pick(interestingDimensions, &r)
            }
            return false
        default:  // plan only
            break
        }
        return true
    }

    /// Constant data follows the shape (repeating what is there), unless that would be large.
    static func resizeData(_ t: inout TensorDescription, _ r: inout FuzzInputData) {
        guard t.storage == .constant else { return }
        let bytes = Saturating.mul(Saturating.elements(t.shape), t.type.byteSize)
        guard bytes <= 1 << 16, r.next() % 8 != 0 else { return }
        let old = t.data.isEmpty ? [0] : t.data
        t.data = (0..<bytes).map { old[$0 % old.count] }
    }

    /// Every arena tensor after the previous one, 64-byte aligned, with the read slack.
    static func sequentialPlan(_ m: inout ModelDescription) {
        var offset = 0
        for i in m.tensors.indices where m.tensors[i].storage == .arena {
            m.tensors[i].arenaOffset = offset
            let bytes = Saturating.add(Saturating.mul(Saturating.elements(m.tensors[i].shape), m.tensors[i].type.byteSize), OctetFormat.tensorReadSlack + 63)
            offset = min(Saturating.add(offset, bytes / 64 * 64), 1 << 50)
        }
        m.arenaSize = offset
        m.arenaLowerBound = min(m.arenaLowerBound, offset)
    }

    /// What `OctetSerializer` needs to write the model without trapping (it trusts its input).
    static func serializable(_ m: ModelDescription) -> Bool {
        let u32 = 0...Int(UInt32.max)
        for t in m.tensors {
            guard t.shape.count <= OctetFormat.maxRank, t.shape.allSatisfy({ u32.contains($0) }),
                  Saturating.mul(Saturating.elements(t.shape), t.type.byteSize) <= OctetFormat.maxTensorBytes,
                  t.arenaOffset >= 0, u32.contains(t.quantization?.channelAxis ?? 0) else { return false }
        }
        for op in m.ops {
            guard op.inputs.count <= OctetFormat.maxOperands, op.outputs.count <= OctetFormat.maxOperands,
                  op.params.count <= OctetFormat.maxParams, (op.inputs + op.outputs).allSatisfy({ u32.contains($0) }) else { return false }
        }
        return (m.inputs + m.outputs).allSatisfy { u32.contains($0) } && m.arenaSize >= 0 && m.arenaLowerBound >= 0
    }
}

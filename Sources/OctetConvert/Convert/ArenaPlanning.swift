import OctetRuntime

/// Lifetimes of a lowered model's arena tensors over its op order → `MemoryPlanner` →
/// offsets written back into the description (arena size and lower bound too).
///
/// Time step 0 is "before the first op" (graph inputs are defined there); op k defines its
/// outputs at step k+1 and reads its inputs at step k+1; graph inputs and outputs live to the end.
/// Reshape outputs alias their input; Add/Mul/LookupTable/Requantize outputs may take the
/// bytes of an input that dies at that op. Every request is `OctetFormat.tensorReadSlack` bytes
/// longer than its tensor: the bytes kernels may read past a tensor's end stay its own.
public enum ArenaPlanning {
    static func plan(_ model: inout ModelDescription) throws -> (plan: MemoryPlan, requests: [BufferRequest], tensors: [Int]) {
        let (requests, arena) = self.requests(model)
        let plan = try MemoryPlanner.plan(requests, alignment: OctetFormat.alignment)
        let violations = MemoryPlanner.verify(plan, requests)
        guard violations.isEmpty else { throw ConvertError.invalidInput("memory plan self-check failed: \(violations.joined(separator: "; "))") }
        for (i, t) in arena.enumerated() { model.tensors[t].arenaOffset = plan.offsets[i] }
        model.arenaSize = plan.arenaSize
        model.arenaLowerBound = plan.lowerBound
        return (plan, requests, arena)
    }

    /// The buffer requests of every arena tensor (and the tensor index of each request).
    public static func requests(_ model: ModelDescription) -> (requests: [BufferRequest], tensors: [Int]) {
        let arena = model.tensors.indices.filter { model.tensors[$0].storage == .arena }
        var slot = [Int: Int]()
        for (i, t) in arena.enumerated() { slot[t] = i }
        var first = [Int](repeating: Int.max, count: arena.count), last = [Int](repeating: 0, count: arena.count)
        for t in model.inputs { first[slot[t]!] = 0 }
        for (k, op) in model.ops.enumerated() {
            for t in op.outputs { first[slot[t]!] = min(first[slot[t]!], k + 1) }
            for t in op.inputs { if let s = slot[t] { last[s] = max(last[s], k + 1) } }
        }
        let end = model.ops.count + 1
        // Graph inputs and outputs are never overwritten (as TFLite): a caller may set the
        // input once and invoke again.
        for t in model.outputs + model.inputs { last[slot[t]!] = end }
        var requests = arena.enumerated().map { i, t in
            BufferRequest(name: model.tensors[t].name, size: model.tensors[t].byteCount + OctetFormat.tensorReadSlack,
                          firstUse: first[i] == Int.max ? 0 : first[i], lastUse: max(last[i], first[i] == Int.max ? 0 : first[i]))
        }
        let inPlace: Set<OpCode> = [.add, .mul, .lookupTable, .requantize]
        for (k, op) in model.ops.enumerated() {
            guard let out = op.outputs.first.flatMap({ slot[$0] }) else { continue }
            if op.code == .reshape, let input = slot[op.inputs[0]] {
                requests[out].aliasOf = input
            } else if inPlace.contains(op.code) {
                for t in op.inputs {
                    guard let s = slot[t], last[s] == k + 1, !model.outputs.contains(t),
                          requests[s].aliasOf == nil, model.tensors[t].byteCount >= model.tensors[op.outputs[0]].byteCount else { continue }
                    requests[out].inPlaceOf = s
                    break
                }
            }
        }
        return (requests, arena)
    }

    /// The stored plan of a loaded model, for `octet inspect` and its SVG.
    public static func storedPlan(_ model: ModelDescription) -> (plan: MemoryPlan, requests: [BufferRequest]) {
        let (requests, arena) = self.requests(model)
        let plan = MemoryPlan(offsets: arena.map { model.tensors[$0].arenaOffset }, arenaSize: model.arenaSize,
                              lowerBound: model.arenaLowerBound, strategy: "stored", alignment: OctetFormat.alignment)
        return (plan, requests)
    }
}

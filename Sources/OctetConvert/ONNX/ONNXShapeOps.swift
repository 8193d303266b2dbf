/// Flatten/Reshape/Squeeze/Unsqueeze, Transpose, Concat, Pad, Slice: attribute and constant-input
/// forms of every opset resolved into the IR's explicit parameters.
extension ImportContext {
    mutating func importReshape(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0)
        let target = try reshapeTarget(node, inputShape: shape(x))
        return try emit(node, .reshape(shape: target), inputs: [x])
    }

    /// The output shape of Flatten/Reshape/Squeeze/Unsqueeze for `inputShape`.
    func reshapeTarget(_ node: ONNXNode, inputShape s: [Int]) throws -> [Int] {
        let a = node.attributes
        let count = s.reduce(1, *)
        switch node.opType {
        case "Flatten":
            var axis = try a.int("axis", default: 1)
            if axis < 0 { axis += s.count }
            guard (0...s.count).contains(axis) else { throw node.invalid("axis \(axis) for rank \(s.count)") }
            return [s[..<axis].reduce(1, *), s[axis...].reduce(1, *)]
        case "Reshape":
            let spec: [Int]
            if node.opset < 5 { spec = try a.ints("shape") ?? [] } else {
                guard let t = try constantInput(node, 1, "shape") else { throw node.invalid("shape input is missing") }
                spec = t.int64Values.map { Int(clamping: $0) }
            }
            let allowZero = try a.int("allowzero", default: 0) != 0
            var out: [Int] = []
            var inferred: Int? = nil
            for (i, d) in spec.enumerated() {
                if d == 0 && !allowZero {
                    guard i < s.count else { throw node.invalid("shape \(spec) copies dimension \(i) of \(s)") }
                    out.append(s[i])
                } else if d == -1 {
                    guard inferred == nil else { throw node.invalid("shape \(spec) has two -1 entries") }
                    inferred = i
                    out.append(1)
                } else {
                    guard d >= 0 else { throw node.invalid("shape \(spec) has entry \(d)") }
                    out.append(d)
                }
            }
            guard let known = Self.elementCount(out) else { throw node.invalid("cannot reshape \(s) to \(spec)") }
            if let i = inferred {
                guard known > 0, count % known == 0 else { throw node.invalid("cannot reshape \(s) to \(spec)") }
                out[i] = count / known
            }
            guard Self.elementCount(out) == count else { throw node.invalid("cannot reshape \(s) (\(count) elements) to \(spec)") }
            return out
        case "Squeeze":
            let axes = try axesOperand(node, rank: s.count)
            if let axes {
                for axis in axes where s[axis] != 1 { throw node.invalid("cannot squeeze axis \(axis) of \(s)") }
                return s.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
            }
            return s.filter { $0 != 1 }
        case "Unsqueeze":
            guard let axesRaw = node.opset < 13 ? try a.ints("axes") : try constantInput(node, 1, "axes")?.int64Values.map({ Int($0) }) else {
                throw node.invalid("axes are required")
            }
            let rank = s.count + axesRaw.count
            let axes = Set(axesRaw.map { $0 < 0 ? $0 + rank : $0 })
            guard axes.count == axesRaw.count, axes.allSatisfy({ (0..<rank).contains($0) }) else {
                throw node.invalid("axes \(axesRaw) for output rank \(rank)")
            }
            var rest = s.makeIterator()
            return (0..<rank).map { axes.contains($0) ? 1 : rest.next()! }
        default:
            throw node.unsupported("reshape kind")
        }
    }

    /// Squeeze/ReduceXxx-style `axes` (attribute before opset 13, input after), normalised.
    private func axesOperand(_ node: ONNXNode, rank: Int) throws -> Set<Int>? {
        let raw: [Int]? = node.opset < 13 ? try node.attributes.ints("axes")
            : try constantInput(node, 1, "axes")?.int64Values.map { Int($0) }
        guard let raw else { return nil }
        let axes = raw.map { $0 < 0 ? $0 + rank : $0 }
        guard axes.allSatisfy({ (0..<rank).contains($0) }) else { throw node.invalid("axes \(raw) for rank \(rank)") }
        return Set(axes)
    }

    func permutation(_ node: ONNXNode, rank: Int) throws -> [Int] {
        let perm = try node.attributes.ints("perm") ?? Array((0..<rank).reversed())
        guard perm.count == rank, Set(perm) == Set(0..<rank) else { throw node.invalid("perm \(perm) for rank \(rank)") }
        return perm
    }

    mutating func importTranspose(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0)
        return try emit(node, .transpose(perm: try permutation(node, rank: shape(x).count)), inputs: [x])
    }

    func concatAxis(_ node: ONNXNode, rank: Int) throws -> Int {
        guard node.attributes.has("axis") else { throw node.invalid("axis is required") }
        var axis = try node.attributes.int("axis", default: 0)
        if axis < 0 { axis += rank }
        guard (0..<rank).contains(axis) else { throw node.invalid("axis \(axis) for rank \(rank)") }
        return axis
    }

    mutating func importConcat(_ node: ONNXNode) throws -> [Operand] {
        var inputs: [ValueID] = []
        for i in 0..<node.inputCount { if let v = try optionalInput(node, i) { inputs.append(v) } }
        guard let first = inputs.first else { throw node.invalid("no inputs") }
        let axis = try concatAxis(node, rank: shape(first).count)
        return try emit(node, .concat(axis: axis), inputs: inputs)
    }

    mutating func importPad(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0)
        let rank = shape(x).count
        let a = node.attributes
        let modeName = try a.string("mode", default: "constant")
        guard let mode = PadMode(rawValue: modeName) else { throw node.unsupported("mode '\(modeName)'") }
        var pads: [Int], value: Float = 0
        if node.opset < 11 {
            pads = try a.ints("pads") ?? a.ints("paddings") ?? []
            value = try a.float("value", default: 0)
        } else {
            guard let p = try constantInput(node, 1, "pads") else { throw node.invalid("pads input is missing") }
            pads = p.int64Values.map { Int(clamping: $0) }
            if let v = try constantInput(node, 2, "constant_value") { value = v.floatTensor.data.first ?? 0 }
            if let axesT = try constantInput(node, 3, "axes") {
                let axes = axesT.int64Values.map { Int($0) < 0 ? Int($0) + rank : Int($0) }
                guard pads.count == 2 * axes.count, axes.allSatisfy({ (0..<rank).contains($0) }) else {
                    throw node.invalid("pads \(pads) for axes \(axes)")
                }
                var full = [Int](repeating: 0, count: 2 * rank)
                for (i, axis) in axes.enumerated() {
                    full[axis] = pads[i]
                    full[axis + rank] = pads[i + axes.count]
                }
                pads = full
            }
        }
        guard pads.count == 2 * rank, pads.allSatisfy({ $0.magnitude <= 1 << 40 }) else { throw node.invalid("pads \(pads) for rank \(rank)") }
        for i in 0..<rank where shape(x)[i] + pads[i] + pads[i + rank] < 0 {
            throw node.invalid("pads \(pads) remove more than axis \(i) holds")
        }
        if mode == .reflect, (0..<rank).contains(where: { pads[$0] >= shape(x)[$0] || pads[$0 + rank] >= shape(x)[$0] }) {
            throw node.unsupported("reflect padding as large as the axis")
        }
        return try emit(node, .pad(pads: pads, value: value, mode: mode), inputs: [x])
    }

    mutating func importSlice(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0)
        let p = try sliceParams(node, inputShape: shape(x))
        return try emit(node, .slice(p), inputs: [x])
    }

    /// ONNX Slice semantics: negative indices count from the end, then clamp to
    /// `[0, dim]` (`[-1, dim-1]` for negative steps).
    func sliceParams(_ node: ONNXNode, inputShape s: [Int]) throws -> SliceParams {
        let rank = s.count
        var starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
        if node.opset < 10 {
            starts = try node.attributes.ints("starts") ?? []
            ends = try node.attributes.ints("ends") ?? []
            axes = try node.attributes.ints("axes")
        } else {
            guard let st = try constantInput(node, 1, "starts"), let en = try constantInput(node, 2, "ends") else {
                throw node.invalid("starts and ends are required")
            }
            starts = st.int64Values.map { Int(clamping: $0) }
            ends = en.int64Values.map { Int(clamping: $0) }
            axes = try constantInput(node, 3, "axes")?.int64Values.map { Int(clamping: $0) }
            steps = try constantInput(node, 4, "steps")?.int64Values.map { Int(clamping: $0) }
        }
        let axisList = (axes ?? Array(0..<starts.count)).map { $0 < 0 ? $0 + rank : $0 }
        let stepList = steps ?? Array(repeating: 1, count: starts.count)
        guard starts.count == ends.count, axisList.count == starts.count, stepList.count == starts.count,
              Set(axisList).count == axisList.count, axisList.allSatisfy({ (0..<rank).contains($0) }) else {
            throw node.invalid("starts \(starts), ends \(ends), axes \(axes ?? []), steps \(steps ?? []) for rank \(rank)")
        }
        var p = SliceParams(starts: Array(repeating: 0, count: rank), steps: Array(repeating: 1, count: rank), counts: s)
        for (i, axis) in axisList.enumerated() {
            let dim = s[axis]
            guard stepList[i] != 0 else { throw node.invalid("step 0 on axis \(axis)") }
            // A step beyond the axis takes at most one element either way; clamped, offset
            // arithmetic (start + index·step, step·stride) cannot overflow.
            let step = min(max(stepList[i], -max(dim, 1)), max(dim, 1))
            func normalize(_ v: Int) -> Int { v < 0 ? v &+ dim : v }
            var start = normalize(starts[i]), end = normalize(ends[i])
            if step > 0 {
                start = min(max(start, 0), dim); end = min(max(end, 0), dim)
                p.counts[axis] = end > start ? (end - start + step - 1) / step : 0
            } else {
                start = min(max(start, -1), dim - 1); end = min(max(end, -1), dim - 1)
                p.counts[axis] = start > end ? (start - end - step - 1) / (-step) : 0
            }
            p.starts[axis] = start
            p.steps[axis] = step
        }
        return p
    }
}

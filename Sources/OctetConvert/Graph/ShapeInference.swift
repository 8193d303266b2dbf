/// Logical output shapes of every IR op, with the checks that make an op legal for its inputs.
public enum ShapeInference {
    public static func outputShapes(_ op: Op, inputShapes s: [[Int]], node: String, opType: String) throws -> [[Int]] {
        func invalid(_ what: String) -> ConvertError { .invalidNode(node: node, opType: opType, what: what) }
        func need(_ count: ClosedRange<Int>) throws {
            guard count.contains(s.count) else { throw invalid("expects \(count) inputs, has \(s.count)") }
        }
        switch op {
        case let .conv(p):
            try need(2...3)
            let x = s[0], w = s[1]
            guard x.count == 4, w.count == 4 else { throw invalid("input \(x) and weight \(w) must be 4-D") }
            guard p.groups > 0, x[1] % p.groups == 0, w[0] % p.groups == 0, w[1] * p.groups == x[1] else {
                throw invalid("input channels \(x[1]), weight \(w) and groups \(p.groups) disagree")
            }
            guard w[2] == p.kernelH, w[3] == p.kernelW else { throw invalid("weight \(w) vs kernel \(p.kernelH)×\(p.kernelW)") }
            if s.count == 3, s[2] != [w[0]] { throw invalid("bias \(s[2]) must be [\(w[0])]") }
            let h = ConvParams.outputSize(x[2], kernel: p.kernelH, stride: p.strideH, dilation: p.dilationH, padBegin: p.padTop, padEnd: p.padBottom)
            let wd = ConvParams.outputSize(x[3], kernel: p.kernelW, stride: p.strideW, dilation: p.dilationW, padBegin: p.padLeft, padEnd: p.padRight)
            guard h > 0, wd > 0 else { throw invalid("kernel does not fit input \(x)") }
            return [[x[0], w[0], h, wd]]
        case let .convTranspose(p):
            try need(2...3)
            let x = s[0], w = s[1]
            guard x.count == 4, w.count == 4, w[0] == x[1], p.groups > 0, x[1] % p.groups == 0 else {
                throw invalid("input \(x), weight \(w) and groups \(p.groups) disagree")
            }
            let outC = w[1] * p.groups
            if s.count == 3, s[2] != [outC] { throw invalid("bias \(s[2]) must be [\(outC)]") }
            let h = ConvTransposeParams.outputSize(x[2], kernel: p.kernelH, stride: p.strideH, dilation: p.dilationH, padBegin: p.padTop, padEnd: p.padBottom, outputPadding: p.outputPaddingH)
            let wd = ConvTransposeParams.outputSize(x[3], kernel: p.kernelW, stride: p.strideW, dilation: p.dilationW, padBegin: p.padLeft, padEnd: p.padRight, outputPadding: p.outputPaddingW)
            guard h > 0, wd > 0 else { throw invalid("output would be empty") }
            return [[x[0], outC, h, wd]]
        case let .fullyConnected(p):
            try need(2...3)
            let a = s[0], b = s[1]
            guard a.count == 2, b.count == 2, a[1] == b[0] else { throw invalid("A \(a) · B \(b) do not fit") }
            if s.count == 3 {
                let out = try broadcast(s[2], [a[0], b[1]], node: node, opType: opType)
                guard out == [a[0], b[1]] else { throw invalid("C \(s[2]) does not broadcast to [\(a[0]), \(b[1])]") }
            }
            _ = p
            return [[a[0], b[1]]]
        case .matMul:
            try need(2...2)
            var a = s[0], b = s[1]
            guard !a.isEmpty, !b.isEmpty else { throw invalid("scalar operand") }
            let aVector = a.count == 1, bVector = b.count == 1
            if aVector { a = [1] + a }
            if bVector { b = b + [1] }
            guard a[a.count - 1] == b[b.count - 2] else { throw invalid("\(s[0]) · \(s[1]) do not fit") }
            var out = try broadcast(Array(a.dropLast(2)), Array(b.dropLast(2)), node: node, opType: opType)
            if !aVector { out.append(a[a.count - 2]) }
            if !bVector { out.append(b[b.count - 1]) }
            return [out]
        case let .maxPool(p), let .averagePool(p):
            try need(1...1)
            guard s[0].count == 4 else { throw invalid("input \(s[0]) must be 4-D") }
            return [[s[0][0], s[0][1], p.outH, p.outW]]
        case .globalAveragePool, .globalMaxPool:
            try need(1...1)
            guard s[0].count >= 3 else { throw invalid("input \(s[0]) must have spatial axes") }
            return [Array(s[0].prefix(2)) + Array(repeating: 1, count: s[0].count - 2)]
        case .channelAffine:
            try need(3...3)
            guard s[0].count >= 2, s[1] == [s[0][1]], s[2] == [s[0][1]] else { throw invalid("scale/shift \(s[1]) for input \(s[0])") }
            return [s[0]]
        case .binary, .prelu:
            try need(2...2)
            let out = try broadcast(s[0], s[1], node: node, opType: opType)
            if case .prelu = op, out != s[0] { throw invalid("slope \(s[1]) does not broadcast to \(s[0])") }
            return [out]
        case .unary, .identity:
            try need(1...1)
            return [s[0]]
        case let .softmax(axis, _):
            try need(1...1)
            guard axis >= 0, axis < max(s[0].count, 1) else { throw invalid("axis \(axis)") }
            return [s[0]]
        case let .reshape(shape):
            try need(1...1)
            guard shape.reduce(1, *) == s[0].reduce(1, *) else { throw invalid("cannot reshape \(s[0]) to \(shape)") }
            return [shape]
        case let .transpose(perm):
            try need(1...1)
            guard perm.count == s[0].count, Set(perm) == Set(0..<perm.count) else { throw invalid("perm \(perm)") }
            return [perm.map { s[0][$0] }]
        case let .concat(axis):
            guard let first = s.first, axis >= 0, axis < first.count else { throw invalid("axis \(axis)") }
            var out = first
            out[axis] = 0
            for shape in s {
                guard shape.count == first.count,
                      shape.indices.allSatisfy({ $0 == axis || shape[$0] == first[$0] }) else {
                    throw invalid("input shapes \(s) differ off axis \(axis)")
                }
                out[axis] += shape[axis]
            }
            return [out]
        case let .pad(pads, _, _):
            try need(1...1)
            let r = s[0].count
            guard pads.count == 2 * r else { throw invalid("pads \(pads)") }
            return [(0..<r).map { s[0][$0] + pads[$0] + pads[$0 + r] }]
        case let .slice(p):
            try need(1...1)
            guard p.counts.count == s[0].count else { throw invalid("slice rank") }
            return [p.counts]
        case let .resize(p):
            try need(1...1)
            guard p.outputShape.count == s[0].count else { throw invalid("resize rank") }
            return [p.outputShape]
        case let .lrn(p):
            try need(1...1)
            guard s[0].count == 4 else { throw invalid("input \(s[0]) must be 4-D") }
            guard p.size >= 1 else { throw invalid("size \(p.size) must be at least 1") }
            return [s[0]]
        }
    }

    /// NumPy broadcasting of two shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], node: String, opType: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        let pa = Array(repeating: 1, count: rank - a.count) + a
        let pb = Array(repeating: 1, count: rank - b.count) + b
        return try (0..<rank).map { i in
            if pa[i] == pb[i] || pb[i] == 1 { return pa[i] }
            if pa[i] == 1 { return pb[i] }
            throw ConvertError.invalidNode(node: node, opType: opType, what: "shapes \(a) and \(b) do not broadcast")
        }
    }

    /// The index into a tensor of shape `shape` that broadcasts to output index `out`.
    public static func broadcastIndex(_ out: [Int], into shape: [Int]) -> [Int] {
        let lead = out.count - shape.count
        return shape.indices.map { shape[$0] == 1 ? 0 : out[lead + $0] }
    }
}

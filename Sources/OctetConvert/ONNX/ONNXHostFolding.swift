/// Import-time evaluation of nodes whose inputs are all constants: the shape arithmetic that
/// exporters emit (`x.view(x.size(0), -1)` → Shape/Gather/Unsqueeze/Concat/Reshape) and weight
/// re-layouts. Integers stay integers (Double holds them exactly up to 2^53; larger values
/// only occur as "to the end" sentinels, which are clamped).
struct HostArray {
    var shape: [Int]
    var data: [Double]
    var isInt: Bool

    init(shape: [Int], data: [Double], isInt: Bool) {
        self.shape = shape; self.data = data; self.isInt = isInt
    }

    init(_ t: HostTensor) {
        switch t {
        case let .float(f): self.init(shape: f.shape, data: f.data.map(Double.init), isInt: false)
        case let .int64(s, d): self.init(shape: s, data: d.map(Double.init), isInt: true)
        }
    }

    var hostTensor: HostTensor {
        if isInt {
            return .int64(shape: shape, data: data.map { $0 >= 9.2e18 ? Int64.max : $0 <= -9.2e18 ? Int64.min : Int64($0) })
        }
        return .float(Tensor(shape: shape, data: data.map { Float($0) }))
    }

    /// Elements picked by `source(outIndex)` → flat input offset, over `outShape`.
    func gather(_ outShape: [Int], _ source: ([Int]) -> Int) -> HostArray {
        let count = outShape.reduce(1, *)
        var out = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: outShape.count)
        for o in 0..<count {
            out[o] = data[source(index)]
            Tensor.advance(&index, within: outShape)
        }
        return HostArray(shape: outShape, data: out, isInt: isInt)
    }

    func offset(_ index: [Int]) -> Int {
        var o = 0
        for (i, d) in shape.enumerated() { o = o * d + index[i] }
        return o
    }
}

extension ImportContext {
    static let hostFoldable: Set<String> = [
        "Gather", "Cast", "Unsqueeze", "Squeeze", "Concat", "Reshape", "Flatten", "Slice",
        "Add", "Sub", "Mul", "Div", "Identity", "Transpose", "ConstantOfShape", "Neg",
    ]

    mutating func foldOnHost(_ node: ONNXNode) throws -> [Operand]? {
        guard ImportContext.hostFoldable.contains(node.opType) else { return nil }
        var inputs: [HostArray?] = []
        for i in 0..<node.inputCount {
            switch try operand(node, i) {
            case nil: inputs.append(nil)
            case .value?: return nil
            case let .host(t)?: inputs.append(HostArray(t))
            }
        }
        guard let x = inputs.first ?? nil else { return nil }
        let result: HostArray
        switch node.opType {
        case "Identity": result = x
        case "Neg": result = HostArray(shape: x.shape, data: x.data.map { -$0 }, isInt: x.isInt)
        case "Cast":
            let to = try node.attributes.int("to", default: 1)
            let floatTypes = [1, 10, 11, 16]
            if floatTypes.contains(to) { result = HostArray(shape: x.shape, data: x.data, isInt: false) }
            else { result = HostArray(shape: x.shape, data: x.data.map { $0.rounded(.towardZero) }, isInt: true) }
        case "Unsqueeze", "Squeeze", "Reshape", "Flatten":
            let target = try reshapeTarget(node, inputShape: x.shape)
            result = HostArray(shape: target, data: x.data, isInt: x.isInt)
        case "Transpose":
            let perm = try permutation(node, rank: x.shape.count)
            result = x.gather(perm.map { x.shape[$0] }) { out in
                var index = [Int](repeating: 0, count: perm.count)
                for (i, p) in perm.enumerated() { index[p] = out[i] }
                return x.offset(index)
            }
        case "Slice":
            let p = try sliceParams(node, inputShape: x.shape)
            result = x.gather(p.counts) { out in
                x.offset(out.enumerated().map { p.starts[$0.offset] + $0.element * p.steps[$0.offset] })
            }
        case "Gather":
            guard let indices = inputs.count > 1 ? inputs[1] : nil else { throw node.invalid("indices are missing") }
            var axis = try node.attributes.int("axis", default: 0)
            if axis < 0 { axis += x.shape.count }
            guard (0..<x.shape.count).contains(axis) else { throw node.invalid("axis \(axis)") }
            let dim = x.shape[axis]
            let idx = try indices.data.map { v -> Int in
                let i = Int(v) < 0 ? Int(v) + dim : Int(v)
                guard (0..<dim).contains(i) else { throw node.invalid("index \(Int(v)) out of range for axis of \(dim)") }
                return i
            }
            let outShape = Array(x.shape[..<axis]) + indices.shape + Array(x.shape[(axis + 1)...])
            let ir = indices.shape.count
            result = x.gather(outShape) { out in
                var flat = 0
                for d in 0..<ir { flat = flat * indices.shape[d] + out[axis + d] }
                return x.offset(Array(out[..<axis]) + [idx[flat]] + Array(out[(axis + ir)...]))
            }
        case "Concat":
            let parts = inputs.compactMap { $0 }
            let axis = try concatAxis(node, rank: x.shape.count)
            var outShape = x.shape
            outShape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
            var owner: [(part: Int, local: Int)] = []
            for (p, part) in parts.enumerated() {
                guard part.shape.count == x.shape.count else { throw node.invalid("inputs of different rank") }
                owner += (0..<part.shape[axis]).map { (p, $0) }
            }
            result = HostArray(shape: outShape, data: [], isInt: parts.allSatisfy(\.isInt)).gatherParts(parts, axis: axis, owner: owner)
        case "Add", "Sub", "Mul", "Div":
            guard let y = inputs.count > 1 ? inputs[1] : nil else { throw node.invalid("second input is missing") }
            let outShape = try ShapeInference.broadcast(x.shape, y.shape, node: node.name, opType: node.opType)
            let isInt = x.isInt && y.isInt
            let xb = x.gather(outShape) { x.offset(ShapeInference.broadcastIndex($0, into: x.shape)) }
            let yb = y.gather(outShape) { y.offset(ShapeInference.broadcastIndex($0, into: y.shape)) }
            let f: (Double, Double) -> Double
            switch node.opType {
            case "Add": f = (+)
            case "Sub": f = (-)
            case "Mul": f = (*)
            default: f = { a, b in isInt ? (b == 0 ? 0 : (a / b).rounded(.towardZero)) : a / b }
            }
            result = HostArray(shape: outShape, data: zip(xb.data, yb.data).map(f), isInt: isInt)
        case "ConstantOfShape":
            let dims = x.data.map { Int($0) }
            guard dims.allSatisfy({ $0 >= 0 }), dims.reduce(1, *) <= 1 << 28 else { throw node.invalid("shape \(dims)") }
            var fill = HostArray(shape: [1], data: [0], isInt: false)
            if let t = node.attributes.tensor("value") { fill = HostArray(try HostTensor(t, directory: directory, context: node.name)) }
            result = HostArray(shape: dims, data: Array(repeating: fill.data.first ?? 0, count: dims.reduce(1, *)), isInt: fill.isInt)
        default:
            return nil
        }
        return [.host(result.hostTensor)]
    }
}

extension HostArray {
    /// Concatenation along `axis` of `parts` into `self.shape`.
    fileprivate func gatherParts(_ parts: [HostArray], axis: Int, owner: [(part: Int, local: Int)]) -> HostArray {
        let count = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for o in 0..<count {
            let (p, local) = owner[index[axis]]
            var i = index
            i[axis] = local
            out[o] = parts[p].data[parts[p].offset(i)]
            Tensor.advance(&index, within: shape)
        }
        return HostArray(shape: shape, data: out, isInt: isInt)
    }
}

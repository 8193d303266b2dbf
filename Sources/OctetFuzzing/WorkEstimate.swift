import OctetConvert
import OctetRuntime

/// Saturating arithmetic for cost estimates of crafted models (never traps, tops out at Int.max).
struct Saturating {
    static func mul(_ values: Int...) -> Int { product(values) }

    static func product(_ values: [Int]) -> Int {
        var p = 1
        for v in values {
            let (r, o) = p.multipliedReportingOverflow(by: max(v, 0))
            if o { return .max }
            p = r
        }
        return p
    }

    static func add(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? .max : r
    }

    static func elements(_ shape: [Int]) -> Int { product(shape) }
}

/// Upper bounds of what running a model costs, to skip inputs that would only be slow.
enum WorkEstimate {
    /// Element-steps one invoke of a verified `.octet` model takes, roughly: multiply-
    /// accumulates of conv/FC/matmul, window taps of pools, elements touched by everything
    /// else (plus a constant per op).
    static func invoke(_ m: ModelDescription) -> Int {
        var total = 0
        for (index, op) in m.ops.enumerated() {
            var work = 64
            for t in op.inputs + op.outputs { work = Saturating.add(work, Saturating.elements(m.tensors[t].shape)) }
            let cost = m.cost(ofOp: index)
            work = Saturating.add(work, Saturating.add(cost.multiplyAccumulates, cost.windowReads))
            total = Saturating.add(total, work)
        }
        return total
    }

    /// Elements of every value of a float graph (what the float executor allocates) and a
    /// bound on the element-steps of one run.
    static func floatGraph(_ g: Graph) -> (elements: Int, work: Int) {
        var elements = 0
        for v in g.values { elements = Saturating.add(elements, Saturating.elements(v.shape)) }
        var total = 0
        for node in g.nodes {
            func count(_ v: ValueID) -> Int { Saturating.elements(g[v].shape) }
            func dims(_ v: ValueID) -> [Int] { g[v].shape }
            var work = 64
            for v in node.inputs + node.outputs { work = Saturating.add(work, count(v)) }
            let out = node.outputs.first.map(count) ?? 0
            switch node.op {
            case let .conv(p):
                let c = dims(node.inputs[0]).count > 1 ? dims(node.inputs[0])[1] : 1
                work = Saturating.add(work, Saturating.mul(out, p.kernelH, p.kernelW, c / max(p.groups, 1)))
            case let .convTranspose(p):
                let o = dims(node.outputs[0]).count > 1 ? dims(node.outputs[0])[1] : 1
                work = Saturating.add(work, Saturating.mul(count(node.inputs[0]), p.kernelH, p.kernelW, o / max(p.groups, 1)))
            case .fullyConnected, .matMul:
                let k = dims(node.inputs[0]).last ?? 1
                work = Saturating.add(work, Saturating.mul(out, k))
            case let .maxPool(p), let .averagePool(p):
                work = Saturating.add(work, Saturating.mul(out, p.kernelH, p.kernelW))
            case let .lrn(p):  // each output sums min(size, C) squares
                let c = dims(node.inputs[0]).count > 1 ? dims(node.inputs[0])[1] : 1
                work = Saturating.add(work, Saturating.mul(out, min(p.size, c)))
            default:
                break
            }
            total = Saturating.add(total, work)
        }
        return (elements, total)
    }
}

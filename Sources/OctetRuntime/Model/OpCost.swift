/// Work per invoke, from each op kind's `cost` (see `OpCost`).
extension ModelDescription {
    /// Site of op `index` for the op kinds' rules and costs.
    func site(ofOp index: Int) -> OpSite { OpSite(op: ops[index], index: index, model: self) }

    /// Work of op `index`: multiply-accumulates and window reads, saturating.
    public func cost(ofOp index: Int) -> OpCost {
        var v = CostVisitor(site: site(ofOp: index))
        return ops[index].code.visit(&v)
    }

    /// Multiply-accumulates of op `index` (the work a roofline compares against): conv:
    /// outputs · kH·kW · C/groups; depthwise: outputs · kH·kW; fully connected: M·N·K; float
    /// transposed conv: inputs · kH·kW · O/groups; float MatMul: M·N·K; 0 for every other op.
    public func multiplyAccumulates(ofOp index: Int) -> Int { cost(ofOp: index).multiplyAccumulates }

    /// Sum over all ops (saturating).
    public var multiplyAccumulates: Int {
        ops.indices.reduce(0) { let (s, o) = $0.addingReportingOverflow(multiplyAccumulates(ofOp: $1)); return o ? .max : s }
    }
}

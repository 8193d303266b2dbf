/// Multiply-accumulates an op performs per invoke (the work a roofline compares against).
/// Conv: outputs · kH·kW · C/groups; depthwise: outputs · kH·kW; fully connected: M·N·K;
/// float transposed conv: inputs · kH·kW · O/groups; float MatMul: M·N·K. Every other op
/// moves or maps data and counts 0.
extension ModelDescription {
    public func multiplyAccumulates(ofOp index: Int) -> Int {
        let op = ops[index]
        func shape(_ t: Int) -> [Int] { tensors[t].shape }
        func count(_ t: Int) -> Int { tensors[t].elementCount }
        switch op.code {
        case .conv2D:
            let w = shape(op.inputs[1])  // [O, kH, kW, C/g]
            return count(op.outputs[0]) * w[1] * w[2] * w[3]
        case .depthwiseConv2D:
            let w = shape(op.inputs[1])  // [1, kH, kW, C·m]
            return count(op.outputs[0]) * w[1] * w[2]
        case .fullyConnected:
            return count(op.outputs[0]) * shape(op.inputs[0])[1]
        case .convTransposeF32:
            let w = shape(op.inputs[1])  // [C, kH·kW·(O/g)]
            return count(op.inputs[0]) * w[1]
        case .matMulF32:
            return count(op.outputs[0]) * shape(op.inputs[0])[1]
        default:
            return 0
        }
    }

    /// Sum over all ops.
    public var multiplyAccumulates: Int { ops.indices.reduce(0) { $0 + multiplyAccumulates(ofOp: $1) } }
}

import OctetKernels

/// FullyConnected parameters: lo, hi.
public struct FullyConnectedParams: DecodableOpParams {
    public static let code = OpCode.fullyConnected
    public var lo, hi: Int32

    public init(lo: Int32, hi: Int32) { self.lo = lo; self.hi = hi }

    init(decoding s: OpSite) throws(OctetError) {
        let w = try s.words(2)
        self.init(lo: w[0], hi: w[1])
    }

    public var words: [Int32] { [lo, hi] }
}

/// in: x i8 [M,K], w i8 [N,K] per-channel, bias i32 [N], scale f32 [N] → y i8 [M,N].
/// On packed paths a 1×1 conv over M rows of K channels.
enum FullyConnected: OpKind {
    static let name = "FullyConnected"
    static let weightsInput: Int? = 1

    static func check(_ p: FullyConnectedParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 4...4, outputs: 1)
        let x = s.op.inputs[0], w = s.op.inputs[1], y = s.op.outputs[0]
        try s.expect(x, "input", type: .int8, rank: 2)
        try s.expect(w, "weights", type: .int8, constant: true, rank: 2)
        let xs = s.tensor(x).shape, ws = s.tensor(w).shape
        guard ws[1] == xs[1] else { throw s.fail("weights \(ws) do not fit input \(xs)") }
        try s.expect(y, "output", type: .int8, shape: [xs[0], ws[0]])
        try s.expect(s.op.inputs[2], "bias", type: .int32, constant: true, shape: [ws[0]])
        try s.channelScales(s.op.inputs[3], count: ws[0])
        try s.clamp(p.lo, p.hi)
    }

    static func cost(_ p: FullyConnectedParams, _ s: OpSite) -> OpCost {
        OpCost(multiplyAccumulates: OpCost.product(s.outputCount(0), s.inputShape(0)[1]))
    }

    static func prepare(_ p: FullyConnectedParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xt = s.op.inputs[0], yt = s.op.outputs[0]
        let xs = r.tensors[xt].shape, ws = r.tensors[s.op.inputs[1]].shape
        let w = UnsafePointer(r.int8(s.op.inputs[1]))
        if r.runsPacked(xt) {
            let view = octk_qs8_weights(data: w, o_stride: xs[1], tap_stride: 0, k_stride: 1)  // [N][K]
            let gemm = IndirectGEMM(groups: 1, taps: 1, cg: xs[1], og: ws[0], weights: view, lo: p.lo, hi: p.hi, window: nil, rows: nil)
            return try gemm.prepare(s, on: r)
        }
        var q = r.channelRequantization(s, lo: p.lo, hi: p.hi)
        let x = UnsafePointer(r.int8(xt)), y = r.int8(yt)
        return { octk_qs8_fully_connected__reference(x, xs[0], xs[1], w, ws[0], &q, y) }
    }
}

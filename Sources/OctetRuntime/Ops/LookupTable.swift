import OctetKernels

/// LookupTable has no parameter words.
public struct LookupTableParams: DecodableOpParams {
    public static let code = OpCode.lookupTable
    public init() {}
    init(decoding s: OpSite) throws(OctetError) { _ = try s.words(0) }
    public var words: [Int32] { [] }
}

/// x i8, table i8 [256] (indexed by x + 128) → y i8 of x's shape: any int8 → int8 unary
/// (HardSwish, Sigmoid, LeakyReLU, …), its table computed at conversion.
enum LookupTable: OpKind {
    static let name = "LookupTable"
    static let inPlaceCapable = true

    static func check(_ p: LookupTableParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 2...2, outputs: 1)
        try s.expect(s.op.inputs[0], "input", type: .int8)
        try s.expect(s.op.inputs[1], "table", type: .int8, constant: true, shape: [256])
        try s.expect(s.op.outputs[0], "output", type: .int8, shape: s.inputShape(0))
    }

    static func prepare(_ p: LookupTableParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let x = r.int8(s.op.inputs[0]), table = UnsafePointer(r.int8(s.op.inputs[1])), y = r.int8(s.op.outputs[0])
        let count = s.inputCount(0)
        return { octk_qs8_lookup__reference(x, count, table, y) }
    }
}

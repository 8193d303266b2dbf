/// One opcode's definition: its typed parameters, the rules a file must satisfy for it, what
/// it costs and how it runs. Each `Ops/` file defines the kinds of one op family; `OpCode.visit`
/// is the one place an opcode meets its kind. Static requirements and generic visitors only (no
/// existentials), so the runtime also builds as Embedded Swift.
protocol OpKind {
    associatedtype Params: DecodableOpParams
    /// Display name ("Conv2D").
    static var name: String { get }
    /// Whether the output may be placed on an input that dies at this op (elementwise ops).
    static var inPlaceCapable: Bool { get }
    /// The input holding the int8 weights a conv kernel multiplies (conv family: 1), nil for
    /// other ops. The verifier measures their largest |w|, which picks the kernel (a 7-bit
    /// kernel only for weights in [−63, 63]).
    static var weightsInput: Int? { get }
    /// Operand counts, types, shapes and parameter ranges; throws naming the op and operand.
    static func check(_ p: Params, _ s: OpSite) throws(OctetError)
    /// Work of one invoke (0 for ops that only move or map data).
    static func cost(_ p: Params, _ s: OpSite) -> OpCost
    /// The closure that executes the op; every constant resolved here, none in the closure.
    static func prepare(_ p: Params, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void
}

extension OpKind {
    static var inPlaceCapable: Bool { false }
    static var weightsInput: Int? { nil }
    static func cost(_ p: Params, _ s: OpSite) -> OpCost { OpCost() }
}

/// An op's typed parameters, encoded to the file's `Int32` words (`OpCode` lists them).
public protocol OpParams: Sendable, Equatable {
    static var code: OpCode { get }
    var words: [Int32] { get }
}

/// Parameters decoded back from the words of a file's op.
protocol DecodableOpParams: OpParams {
    /// Decodes `s.op.params`; throws when the word count does not fit the op's shapes.
    init(decoding s: OpSite) throws(OctetError)
}

/// Work of one invoke of an op, saturating at `Int.max` (crafted files may ask for absurd sizes).
public struct OpCost: Sendable, Equatable {
    /// Conv: outputs · kH·kW · C/groups; depthwise: outputs · kH·kW; fully connected and MatMul:
    /// M·N·K; transposed conv: inputs · kH·kW · O/groups.
    public var multiplyAccumulates = 0
    /// Input elements a windowed op reads beyond its tensors' sizes (pools: outputs · kH·kW).
    public var windowReads = 0
    public init(multiplyAccumulates: Int = 0, windowReads: Int = 0) {
        self.multiplyAccumulates = multiplyAccumulates; self.windowReads = windowReads
    }

    /// Product of non-negative factors, `Int.max` on overflow.
    static func product(_ factors: Int...) -> Int {
        var p = 1
        for f in factors {
            let (r, o) = p.multipliedReportingOverflow(by: max(f, 0))
            if o { return .max }
            p = r
        }
        return p
    }
}

/// Something done once per op kind: `OpCode.visit` calls `visit(K.self)` with the opcode's kind.
protocol OpVisitor {
    associatedtype Result
    associatedtype Failure: Error
    mutating func visit<K: OpKind>(_ kind: K.Type) throws(Failure) -> Result
}

extension OpCode {
    /// Hands this opcode's kind to `v`: the only switch over every opcode.
    func visit<V: OpVisitor>(_ v: inout V) throws(V.Failure) -> V.Result {
        switch self {
        case .conv2D: return try v.visit(Conv2D.self)
        case .depthwiseConv2D: return try v.visit(DepthwiseConv2D.self)
        case .fullyConnected: return try v.visit(FullyConnected.self)
        case .maxPool2D: return try v.visit(MaxPool2D.self)
        case .averagePool2D: return try v.visit(AveragePool2D.self)
        case .globalAveragePool: return try v.visit(GlobalAveragePool.self)
        case .add: return try v.visit(Add.self)
        case .mul: return try v.visit(Mul.self)
        case .lookupTable: return try v.visit(LookupTable.self)
        case .concat: return try v.visit(Concat.self)
        case .reshape: return try v.visit(Reshape.self)
        case .transpose: return try v.visit(Transpose.self)
        case .pad: return try v.visit(Pad.self)
        case .slice: return try v.visit(Slice.self)
        case .resizeNearest: return try v.visit(ResizeNearest.self)
        case .quantize: return try v.visit(Quantize.self)
        case .dequantize: return try v.visit(Dequantize.self)
        case .requantize: return try v.visit(Requantize.self)
        case .softmaxF32: return try v.visit(SoftmaxF32.self)
        case .binaryF32: return try v.visit(BinaryF32.self)
        case .resizeLinearF32: return try v.visit(ResizeLinearF32.self)
        case .convTransposeF32: return try v.visit(ConvTransposeF32.self)
        case .matMulF32: return try v.visit(MatMulF32.self)
        case .padF32: return try v.visit(PadF32.self)
        case .lrnF32: return try v.visit(LRNF32.self)
        }
    }
}

// MARK: the visitors of the verifier, the interpreter and the cost model

/// Decodes and checks one op (the verifier).
struct CheckVisitor: OpVisitor {
    typealias Failure = OctetError
    let site: OpSite
    func visit<K: OpKind>(_: K.Type) throws(OctetError) {
        try K.check(try K.Params(decoding: site), site)
    }
}

/// Builds one op's step (the interpreter).
struct PrepareVisitor: OpVisitor {
    typealias Failure = OctetError
    let site: OpSite
    let interpreter: Interpreter
    func visit<K: OpKind>(_: K.Type) throws(OctetError) -> () -> Void {
        try K.prepare(try K.Params(decoding: site), site, on: interpreter)
    }
}

/// One op's cost; an op whose words do not decode costs nothing.
struct CostVisitor: OpVisitor {
    typealias Failure = Never
    let site: OpSite
    func visit<K: OpKind>(_: K.Type) -> OpCost {
        guard let p = try? K.Params(decoding: site) else { return OpCost() }
        return K.cost(p, site)
    }
}

struct NameVisitor: OpVisitor {
    typealias Failure = Never
    func visit<K: OpKind>(_: K.Type) -> String { K.name }
}

struct InPlaceVisitor: OpVisitor {
    typealias Failure = Never
    func visit<K: OpKind>(_: K.Type) -> Bool { K.inPlaceCapable }
}

struct WeightsInputVisitor: OpVisitor {
    typealias Failure = Never
    func visit<K: OpKind>(_: K.Type) -> Int? { K.weightsInput }
}

extension OpDescription {
    /// An op from typed parameters: `OpDescription(Conv2DParams(…), inputs: …, outputs: …)`.
    public init<P: OpParams>(_ params: P, inputs: [Int], outputs: [Int]) {
        self.init(code: P.code, inputs: inputs, outputs: outputs, params: params.words)
    }
}

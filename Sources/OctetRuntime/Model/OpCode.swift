/// Operations a `.octet` model can contain. Parameters are `Int32` words whose meaning per
/// opcode is listed here; each is decoded into its kind's typed `Params` (`Ops/`), which the
/// verifier checks before anything runs.
///
/// Window words (10): kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop,
/// padLeft, padBottom, padRight. Activation clamps (lo, hi) are in output int8 units.
public enum OpCode: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// in: x i8 [N,H,W,C], w i8 [O,kH,kW,C/g] per-channel, bias i32 [O], scale f32 [O] (binary32
    /// requantization, DESIGN.md §2) → y i8 [N,OH,OW,O]. params: window(10), groups, lo, hi.
    case conv2D = 1
    /// in: x i8 [N,H,W,C], w i8 [1,kH,kW,C·m], bias i32, scale f32 (each [C·m]) → y i8 [N,OH,OW,C·m].
    /// params: window(10), m, lo, hi.
    case depthwiseConv2D = 2
    /// in: x i8 [M,K], w i8 [N,K] per-channel, bias i32 [N], scale f32 [N] → y i8 [M,N]. params: lo, hi.
    case fullyConnected = 3
    /// x i8 [N,H,W,C] → y i8 [N,OH,OW,C], same quantization. params: window(10).
    case maxPool2D = 4
    /// x i8 [N,H,W,C] → y i8 [N,OH,OW,C], same quantization. params: window(10), countIncludePad.
    case averagePool2D = 5
    /// x i8 [N,H,W,C] → y i8 [N,1,1,C]. params: scale (binary32 bits of s_in/(s_out·H·W)).
    case globalAveragePool = 6
    /// a, b i8 (equal rank, broadcast) → y i8. params: aScale (s_a/s_y), bScale (s_b/s_y)
    /// as binary32 bits, lo, hi.
    case add = 7
    /// a, b i8 (equal rank, broadcast) → y i8. params: scale (binary32 bits of s_a·s_b/s_y), lo, hi.
    case mul = 8
    /// x i8, table i8 [256] (indexed by x + 128) → y i8 of x's shape.
    case lookupTable = 9
    /// inputs i8 sharing y's quantization → y. params: axis.
    case concat = 10
    /// Same bytes, new shape (may alias its input).
    case reshape = 11
    /// params: perm (rank words).
    case transpose = 12
    /// Constant padding with the zero point. params: begin pads (rank), end pads (rank).
    case pad = 13
    /// params: starts (rank), steps (rank, non-zero); counts are y's shape.
    case slice = 14
    /// x i8 [N,H,W,C] → y i8 [N,OH,OW,C]. params: per output row then column, the source index
    /// (OH + OW words).
    case resizeNearest = 15
    /// x f32 → y i8 (y's quantization).
    case quantize = 16
    /// x i8 → y f32 (x's quantization).
    case dequantize = 17
    /// x i8 → y i8. params: scale (binary32 bits of s_in/s_out).
    case requantize = 18
    /// Float fallback: softmax of x f32 along storage axis. params: axis.
    case softmaxF32 = 100
    /// Float fallback: a, b f32 (equal rank, broadcast) → y f32. params: op (0 add, 1 sub, 2 mul,
    /// 3 div, 4 prelu: a ≥ 0 ? a : a·b), clamp lo and hi as f32 bit patterns.
    case binaryF32 = 101
    /// Float fallback: bilinear resize x f32 [N,H,W,C] → y [N,OH,OW,C]. params: per output row the
    /// two source rows and the second row's weight (f32 bits), 3·OH words; then the same per column.
    case resizeLinearF32 = 102
    /// Float fallback: transposed conv. in: x f32 [N,H,W,C], w f32 [C, kH·kW·(O/g)] (row ci holds
    /// taps (ky·kW+kx)·(O/g) + o of its group), bias f32 [O] → y f32 [N,OH,OW,O] and a scratch
    /// f32 [H·W, kH·kW·(O/g)]. params: window(10) with out = y, groups, clamp lo/hi (f32 bits).
    case convTransposeF32 = 103
    /// Float fallback: a f32 [M,K] · b f32 [K,N] → y f32 [M,N].
    case matMulF32 = 104
    /// Float fallback: x f32 → y f32. params: mode (0 constant, 1 reflect, 2 edge), value (f32
    /// bits), begin pads (rank), end pads (rank); negative pads crop.
    case padF32 = 105
    /// Float fallback: local response normalization across the channels of x f32 [N,H,W,C] →
    /// y f32 of x's shape (ONNX LRN). params: size, alpha, beta, bias (the last three f32 bits).
    case lrnF32 = 106

    /// The op kind's display name ("Conv2D").
    public var description: String {
        var v = NameVisitor()
        return visit(&v)
    }

    /// Ops that run in float between a dequantize and a quantize.
    public var isFloatFallback: Bool { rawValue >= 100 }
}

extension OpCode {
    /// Whether the op's output may be placed on an input that dies at the op.
    var inPlaceCapable: Bool {
        var v = InPlaceVisitor()
        return visit(&v)
    }

    /// The input holding the op's int8 conv weights (conv family), nil for other ops.
    var weightsInput: Int? {
        var v = WeightsInputVisitor()
        return visit(&v)
    }
}

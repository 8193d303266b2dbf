/// The typed operations of the float IR. Import maps every supported ONNX node onto one of
/// these with all attribute defaults resolved, so no later stage reads ONNX attributes.
public enum Op: Sendable, Equatable {
    /// 2-D convolution. Inputs: x `[N,C,H,W]`, weight `[O, C/groups, kH, kW]` (constant), bias `[O]` (optional).
    case conv(ConvParams)
    /// 2-D transposed convolution. Inputs: x, weight `[C, O/groups, kH, kW]`, bias `[O]` (optional).
    case convTranspose(ConvTransposeParams)
    /// `y = act(A·B + C)` on 2-D operands (Gemm with transA/transB resolved at import:
    /// inputs are A `[M,K]`, B `[K,N]` constant or not, C broadcastable to `[M,N]` optional).
    case fullyConnected(FullyConnectedParams)
    /// Batched matrix product with NumPy broadcasting (ONNX MatMul).
    case matMul
    case maxPool(PoolParams)
    case averagePool(PoolParams)
    case globalAveragePool
    case globalMaxPool
    /// `y = act(x·scale[c] + shift[c])` per channel (axis 1). Inputs: x, scale `[C]`, shift `[C]`.
    /// BatchNormalization becomes this; folding merges it into a preceding conv/FC.
    case channelAffine(activation: Activation)
    /// Elementwise binary op with NumPy broadcasting and a fused activation.
    case binary(BinaryOp, activation: Activation)
    case unary(UnaryOp)
    /// `y = x ≥ 0 ? x : slope·x`, slope broadcast to x. Inputs: x, slope.
    case prelu
    /// Softmax over `axis`. `legacy` = opset < 13: the input is viewed as 2-D `[∏d<axis, ∏d≥axis]`.
    case softmax(axis: Int, legacy: Bool)
    /// Same elements, new logical shape (Reshape, Flatten, Squeeze, Unsqueeze).
    case reshape(shape: [Int])
    case transpose(perm: [Int])
    case concat(axis: Int)
    /// Constant-value padding; `pads` = begin values for every axis then end values (ONNX order).
    case pad(pads: [Int], value: Float, mode: PadMode)
    /// Per-axis start, step and count, normalised at import (every axis listed).
    case slice(SliceParams)
    case resize(ResizeParams)
    /// Local response normalization across channels (ONNX LRN) of a 4-D `[N,C,H,W]` input.
    case lrn(LRNParams)
    /// Copies the input (kept only where a graph output must be its own value).
    case identity
}

/// Activation fused into the producing op's output (float reference applies it in order).
public enum Activation: Sendable, Equatable {
    case none
    case relu
    /// Clamp to `[min, max]` (ReLU6 is `clip(0, 6)`).
    case clip(min: Float, max: Float)

    /// Applies the activation to one value.
    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .none: return x
        case .relu: return x > 0 ? x : 0
        case let .clip(lo, hi): return Swift.min(Swift.max(x, lo), hi)
        }
    }
}

public enum BinaryOp: String, Sendable, Equatable { case add = "Add", sub = "Sub", mul = "Mul", div = "Div" }

public enum UnaryOp: Sendable, Equatable {
    case relu
    case clip(min: Float, max: Float)
    case leakyRelu(alpha: Float)
    case sigmoid
    /// `max(0, min(1, alpha·x + beta))`.
    case hardSigmoid(alpha: Float, beta: Float)
    /// `x · max(0, min(1, x/6 + 1/2))`.
    case hardSwish
    case tanh
}

public enum PadMode: String, Sendable, Equatable { case constant, reflect, edge }

public struct ConvParams: Sendable, Equatable {
    public var kernel: (h: Int, w: Int) { (kernelH, kernelW) }
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var dilationH: Int, dilationW: Int
    /// Explicit padding after auto_pad is resolved.
    public var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    public var groups: Int
    public var activation: Activation

    public init(kernelH: Int, kernelW: Int, strideH: Int = 1, strideW: Int = 1,
                dilationH: Int = 1, dilationW: Int = 1,
                padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0,
                groups: Int = 1, activation: Activation = .none) {
        self.kernelH = kernelH; self.kernelW = kernelW; self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
        self.groups = groups; self.activation = activation
    }

    public static func == (a: ConvParams, b: ConvParams) -> Bool {
        a.kernelH == b.kernelH && a.kernelW == b.kernelW && a.strideH == b.strideH && a.strideW == b.strideW
            && a.dilationH == b.dilationH && a.dilationW == b.dilationW && a.padTop == b.padTop
            && a.padLeft == b.padLeft && a.padBottom == b.padBottom && a.padRight == b.padRight
            && a.groups == b.groups && a.activation == b.activation
    }

    /// Output size along one axis: `⌊(in + pads − dilation·(k−1) − 1)/stride⌋ + 1`.
    public static func outputSize(_ input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int) -> Int {
        (input + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride + 1
    }
}

public struct ConvTransposeParams: Sendable, Equatable {
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var dilationH: Int, dilationW: Int
    public var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    public var outputPaddingH: Int, outputPaddingW: Int
    public var groups: Int
    public var activation: Activation

    /// `stride·(in−1) + outPad + dilation·(k−1) + 1 − padBegin − padEnd`.
    public static func outputSize(_ input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int, outputPadding: Int) -> Int {
        stride * (input - 1) + outputPadding + dilation * (kernel - 1) + 1 - padBegin - padEnd
    }
}

public struct FullyConnectedParams: Sendable, Equatable {
    public var alpha: Float = 1
    public var beta: Float = 1
    public var activation: Activation = .none
    public init(alpha: Float = 1, beta: Float = 1, activation: Activation = .none) {
        self.alpha = alpha; self.beta = beta; self.activation = activation
    }
}

public struct PoolParams: Sendable, Equatable {
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var dilationH: Int = 1, dilationW: Int = 1
    public var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    /// Output sizes (ceil_mode already applied).
    public var outH: Int, outW: Int
    /// AveragePool only: divide by the full window (true) or by the valid part (false).
    public var countIncludePad: Bool

    /// Output size along one axis with ONNX's `ceil_mode` rule: a window that would start in
    /// the end padding is dropped.
    public static func outputSize(_ input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int, ceilMode: Bool) -> Int {
        let span = input + padBegin + padEnd - dilation * (kernel - 1) - 1
        var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (out - 1) * stride >= input + padBegin { out -= 1 }
        return out
    }
}

/// ONNX LRN: `y = x / (bias + alpha/size · Σ x²)^beta`, the sum over channels
/// `[c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉]` inside `[0, C)` (kernel: `octk_f32_lrn_nhwc`).
public struct LRNParams: Sendable, Equatable {
    /// Window length in channels (≥ 1).
    public var size: Int
    public var alpha: Float
    public var beta: Float
    public var bias: Float

    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, bias: Float = 1) {
        self.size = size; self.alpha = alpha; self.beta = beta; self.bias = bias
    }
}

public struct SliceParams: Sendable, Equatable {
    /// One entry per axis of the input.
    public var starts: [Int]
    public var steps: [Int]
    public var counts: [Int]
}

public struct ResizeParams: Sendable, Equatable {
    public enum Mode: String, Sendable { case nearest, linear }
    /// How an output coordinate maps to an input coordinate (ONNX `coordinate_transformation_mode`).
    public enum CoordinateTransform: String, Sendable {
        case halfPixel = "half_pixel", pytorchHalfPixel = "pytorch_half_pixel", alignCorners = "align_corners"
        case asymmetric, tfHalfPixelForNN = "tf_half_pixel_for_nn", halfPixelSymmetric = "half_pixel_symmetric"
    }
    /// ONNX `nearest_mode`.
    public enum NearestRounding: String, Sendable {
        case roundPreferFloor = "round_prefer_floor", roundPreferCeil = "round_prefer_ceil", floor, ceil
        /// Resize-10 and Upsample: floor when enlarging, ceil when shrinking (as onnxruntime).
        case legacySimple = "simple"
    }
    public var mode: Mode
    public var transform: CoordinateTransform
    public var nearest: NearestRounding
    /// Scale per logical axis (output/input) used in the coordinate mapping.
    public var scales: [Float]
    /// Logical output shape.
    public var outputShape: [Int]
}

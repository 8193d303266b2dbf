/// Element types of `.octet` tensors.
public enum ElementType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 1, int8 = 2, int32 = 3, uint8 = 4

    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .int8, .uint8: return 1
        }
    }

    public var description: String {
        switch self {
        case .float32: return "f32"
        case .int8: return "i8"
        case .int32: return "i32"
        case .uint8: return "u8"
        }
    }
}

/// Where a tensor's bytes live.
public enum TensorStorage: UInt8, Sendable {
    /// In the activation arena at `offset` (planned by the converter).
    case arena = 0
    /// In the file's constants section (`data`), read from the mapping.
    case constant = 1
}

/// How a stored tensor relates to the ONNX tensor it stands for.
public enum StoredLayout: UInt8, Sendable {
    /// `shape` is the ONNX shape, row-major.
    case plain = 0
    /// `shape` is `[N, H, W, C]` storage of an ONNX `[N, C, H, W]` tensor.
    case channelsLast = 1
}

/// `real = scale·(q − zeroPoint)`; per-channel weights carry one scale per channel of `channelAxis` (z = 0).
public struct Quantization: Sendable, Equatable {
    public var scale: Float
    public var zeroPoint: Int32
    public var channelScales: [Float]
    public var channelAxis: Int

    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale; self.zeroPoint = zeroPoint; channelScales = []; channelAxis = 0
    }

    public init(channelScales: [Float], axis: Int) {
        scale = channelScales.first ?? 1; zeroPoint = 0
        self.channelScales = channelScales; channelAxis = axis
    }
}

/// One tensor of a model.
public struct TensorDescription: Sendable, Equatable {
    public var name: String
    public var type: ElementType
    /// Storage shape (outermost first), rank ≤ `OctetFormat.maxRank`.
    public var shape: [Int]
    public var layout: StoredLayout
    public var storage: TensorStorage
    /// Arena byte offset (arena tensors); ignored for constants (the writer lays them out).
    public var arenaOffset: Int
    /// Constant bytes (constants only).
    public var data: [UInt8]
    public var quantization: Quantization?

    public init(name: String, type: ElementType, shape: [Int], layout: StoredLayout = .plain, storage: TensorStorage,
                arenaOffset: Int = 0, data: [UInt8] = [], quantization: Quantization? = nil) {
        self.name = name; self.type = type; self.shape = shape; self.layout = layout; self.storage = storage
        self.arenaOffset = arenaOffset; self.data = data; self.quantization = quantization
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { elementCount * type.byteSize }
}

/// One operation: opcode, operand tensor indices and integer parameters (meaning per opcode,
/// see `OpCode` and the typed `Params` of each kind in `Ops/`).
public struct OpDescription: Sendable, Equatable {
    public var code: OpCode
    public var inputs: [Int]
    public var outputs: [Int]
    public var params: [Int32]

    public init(code: OpCode, inputs: [Int], outputs: [Int], params: [Int32] = []) {
        self.code = code; self.inputs = inputs; self.outputs = outputs; self.params = params
    }
}

/// A whole model as the converter writes it and the loader reads it back.
public struct ModelDescription: Sendable, Equatable {
    public var tensors: [TensorDescription] = []
    /// In execution order.
    public var ops: [OpDescription] = []
    public var inputs: [Int] = []
    public var outputs: [Int] = []
    /// Bytes of the activation arena (scratch included).
    public var arenaSize: Int = 0
    /// Largest sum of simultaneously live arena bytes (the plan's lower bound).
    public var arenaLowerBound: Int = 0
    /// Key/value pairs in insertion order (source hash, calibration, preprocessing, labels…).
    public var metadata: [MetadataEntry] = []

    public init() {}

    public func metadata(_ key: String) -> String? { metadata.first { $0.key == key }?.value }
}

public struct MetadataEntry: Sendable, Equatable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) { self.key = key; self.value = value }
}

import Foundation

/// Decoded constant data of an ONNX `TensorProto`: floats for the graph, int64 for shape math.
enum HostTensor {
    case float(Tensor)
    case int64(shape: [Int], data: [Int64])

    var shape: [Int] {
        switch self {
        case let .float(t): return t.shape
        case let .int64(shape, _): return shape
        }
    }

    /// The values as Int64 (floats truncated toward zero, as ONNX Cast does; NaN → 0 and values
    /// beyond Int64 saturate, where Cast is undefined, so later shape checks reject them).
    var int64Values: [Int64] {
        switch self {
        case let .float(t):
            return t.data.map { $0.isNaN ? 0 : $0 >= 0x1p63 ? .max : $0 < -0x1p63 ? .min : Int64($0) }
        case let .int64(_, d): return d
        }
    }

    var floatTensor: Tensor {
        switch self {
        case let .float(t): return t
        case let .int64(shape, d): return Tensor(shape: shape, data: d.map { Float($0) })
        }
    }
}

extension HostTensor {
    /// Decodes `proto` (raw_data or typed fields). External data is resolved against `directory`.
    init(_ proto: Onnx_TensorProto, directory: URL?, context: String) throws {
        let shape = try proto.dims.map { d -> Int in
            guard d >= 0, d <= Int64(Int32.max) else {
                throw ConvertError.invalidModel("tensor '\(proto.name)' in \(context) has dimension \(d)")
            }
            return Int(d)
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count <= 1 << 31 else {
            throw ConvertError.invalidModel("tensor '\(proto.name)' in \(context) has \(shape) elements: too large")
        }
        var raw = proto.rawData
        if proto.dataLocation == .external {
            raw = try HostTensor.readExternal(proto, directory: directory, context: context)
        }
        guard let type = Onnx_TensorProto.DataType(rawValue: Int(proto.dataType)) else {
            throw ConvertError.invalidModel("tensor '\(proto.name)' has unknown data type \(proto.dataType)")
        }
        func fromRaw<T>(_: T.Type, _ convert: (T) -> Float) throws -> [Float] {
            guard raw.count == count * MemoryLayout<T>.size else {
                throw ConvertError.invalidModel("tensor '\(proto.name)' in \(context): raw data has \(raw.count) bytes, expected \(count * MemoryLayout<T>.size) for shape \(shape)")
            }
            return raw.withUnsafeBytes { bytes in
                (0..<count).map { convert(bytes.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
            }
        }
        func rawInts<T: FixedWidthInteger>(_: T.Type) throws -> [Int64] {
            guard raw.count == count * MemoryLayout<T>.size else {
                throw ConvertError.invalidModel("tensor '\(proto.name)' in \(context): raw data has \(raw.count) bytes, expected \(count * MemoryLayout<T>.size)")
            }
            return raw.withUnsafeBytes { bytes in
                (0..<count).map { Int64(T(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))) }
            }
        }
        func checked<T>(_ values: [T]) throws -> [T] {
            guard values.count == count else {
                throw ConvertError.invalidModel("tensor '\(proto.name)' in \(context) has \(values.count) values for shape \(shape)")
            }
            return values
        }
        switch type {
        case .float:
            let data = raw.isEmpty ? try checked(proto.floatData)
                : try fromRaw(UInt32.self) { Float(bitPattern: UInt32(littleEndian: $0)) }
            self = .float(Tensor(shape: shape, data: data))
        case .double:
            let data = raw.isEmpty ? try checked(proto.doubleData.map { Float($0) })
                : try fromRaw(UInt64.self) { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
            self = .float(Tensor(shape: shape, data: data))
        case .float16:
            let bits: [Int64] = raw.isEmpty ? try checked(proto.int32Data).map { Int64($0) } : try rawInts(UInt16.self)
            self = .float(Tensor(shape: shape, data: bits.map { HostTensor.halfToFloat(UInt16(truncatingIfNeeded: $0)) }))
        case .int64:
            self = .int64(shape: shape, data: raw.isEmpty ? try checked(proto.int64Data) : try rawInts(Int64.self))
        case .int32:
            self = .int64(shape: shape, data: raw.isEmpty ? try checked(proto.int32Data).map { Int64($0) } : try rawInts(Int32.self))
        case .int8:
            self = .int64(shape: shape, data: raw.isEmpty ? try checked(proto.int32Data).map { Int64($0) } : try rawInts(Int8.self))
        case .uint8, .bool:
            self = .int64(shape: shape, data: raw.isEmpty ? try checked(proto.int32Data).map { Int64($0) } : try rawInts(UInt8.self))
        case .int16:
            self = .int64(shape: shape, data: raw.isEmpty ? try checked(proto.int32Data).map { Int64($0) } : try rawInts(Int16.self))
        default:
            throw ConvertError.unsupported(node: context, opType: "TensorProto", what: "tensor '\(proto.name)' has data type \(type)")
        }
    }

    private static func readExternal(_ proto: Onnx_TensorProto, directory: URL?, context: String) throws -> Data {
        var location = "", offset = 0, length: Int?
        for entry in proto.externalData {
            switch entry.key {
            case "location": location = entry.value
            case "offset": offset = Int(entry.value) ?? -1
            case "length": length = Int(entry.value)
            default: break
            }
        }
        guard let directory, !location.isEmpty, offset >= 0, !location.contains("..") else {
            throw ConvertError.invalidModel("tensor '\(proto.name)' in \(context) has external data at '\(location)' that cannot be resolved")
        }
        let url = directory.appendingPathComponent(location)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConvertError.io("external data file '\(url.path)' for tensor '\(proto.name)' is missing or unreadable")
        }
        let (end, overflow) = length.map { offset.addingReportingOverflow($0) } ?? (data.count, false)
        guard !overflow, offset <= end, end <= data.count else {
            throw ConvertError.invalidModel("tensor '\(proto.name)': external data range \(offset)..<\(end) exceeds '\(location)' (\(data.count) bytes)")
        }
        return data.subdata(in: offset..<end)
    }

    /// IEEE 754 binary16 → binary32.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int((h >> 10) & 0x1f)
        let mantissa = UInt32(h & 0x3ff)
        if exponent == 0 {
            let value = Float(mantissa) * Float(sign == 0 ? 1 : -1) / Float(1 << 24)
            return value
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (mantissa << 13))
    }
}

/// Why a `.octet` file was rejected or a model could not run. Every message names the
/// section, op or tensor at fault (and the byte offset where one applies).
public enum OctetError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file could not be opened, read or mapped.
    case io(String)
    /// Header, section table or a section's framing is malformed.
    case format(String)
    /// A section's checksum does not match its bytes.
    case checksum(section: String, stored: UInt32, computed: UInt32)
    /// A tensor record is illegal (index, shape, dtype, quantization, location).
    case tensor(index: Int, name: String, String)
    /// An op record is illegal (opcode, operands, parameters, shapes).
    case op(index: Int, code: String, String)
    /// The memory plan is illegal (ranges outside the arena, live tensors overlapping).
    case plan(String)
    /// Model data given at run time does not fit the model.
    case input(String)
    /// The requested kernel path is unknown or needs CPU features this machine lacks.
    case kernels(String)
    /// A buffer the model needs (arena, packed weights, indirection) cannot be allocated.
    case memory(String)

    public var description: String {
        switch self {
        case let .io(s): return "cannot read model: \(s)"
        case let .format(s): return "malformed .octet file: \(s)"
        case let .checksum(section, stored, computed):
            return "corrupt .octet file: section '\(section)' checksum is \(hex(computed)), header says \(hex(stored))"
        case let .tensor(index, name, s): return "invalid tensor #\(index) '\(name)': \(s)"
        case let .op(index, code, s): return "invalid op #\(index) (\(code)): \(s)"
        case let .plan(s): return "invalid memory plan: \(s)"
        case let .input(s): return "invalid input: \(s)"
        case let .kernels(s): return "kernel path: \(s)"
        case let .memory(s): return "out of memory: \(s)"
        }
    }
}

func hex(_ v: UInt32) -> String {
    let digits = Array("0123456789abcdef")
    var s = ""
    for shift in stride(from: 28, through: 0, by: -4) { s.append(digits[Int((v >> UInt32(shift)) & 0xf)]) }
    return "0x" + s
}

import OctetRuntime

/// Every failure of import, graph passes and the float reference path. Messages name the
/// node, op type, tensor or file at fault.
public enum ConvertError: Error, CustomStringConvertible, Equatable {
    /// The file is not a readable ONNX model.
    case invalidModel(String)
    /// A node uses an op, attribute value or input form Octet does not implement.
    case unsupported(node: String, opType: String, what: String)
    /// A node is malformed (wrong input count, shapes that do not agree, bad attribute).
    case invalidNode(node: String, opType: String, what: String)
    /// Data given to the model (input, calibration set) does not fit it.
    case invalidInput(String)
    /// A file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case let .invalidModel(what): return "invalid ONNX model: \(what)"
        case let .unsupported(node, opType, what): return "unsupported: node '\(node)' (\(opType)): \(what)"
        case let .invalidNode(node, opType, what): return "invalid node '\(node)' (\(opType)): \(what)"
        case let .invalidInput(what): return "invalid input: \(what)"
        case let .io(what): return what
        }
    }

    /// A `.octet` file at `path` that failed to load: an unreadable file as it is (the message
    /// names the path), anything else prefixed with the path.
    public static func octetFile(_ path: String, _ error: OctetError) -> ConvertError {
        if case .io = error { return .io("\(error)") }
        return .invalidInput("'\(path)': \(error)")
    }

    /// True for `unsupported` errors (conformance counts these apart from failures).
    public var isUnsupported: Bool {
        if case .unsupported = self { return true }
        return false
    }
}

import OctetRuntime

/// Why octet-run stopped: a usage error (exit 64, with the usage line) or a failure (exit 1).
enum RunError: Error {
    case usage(String)
    case failure(String)

    static func model(_ path: String, _ e: OctetError) -> RunError {
        if case .io = e { return .failure(e.description) }
        return .failure("'\(path)': \(e.description)")
    }
}

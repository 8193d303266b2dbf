import COctet
import OctetRuntime

/// Fills the caller's `octet_error` (when given) and returns the status.
func fail(_ error: UnsafeMutablePointer<octet_error>?, _ status: octet_status, _ message: String) -> octet_status {
    guard let error else { return status }
    error.pointee.status = status
    withUnsafeMutableBytes(of: &error.pointee.message) { raw in
        let utf8 = Array(message.utf8.prefix(raw.count - 1))
        for (k, b) in utf8.enumerated() { raw[k] = b }
        raw[utf8.count] = 0
    }
    return status
}

/// `OCTET_OK` written to the caller's `octet_error` (when given).
func succeed(_ error: UnsafeMutablePointer<octet_error>?) -> octet_status {
    fail(error, OCTET_OK, "")
}

/// The C status of a runtime error; the message is the error's description.
func fail(_ error: UnsafeMutablePointer<octet_error>?, _ e: OctetError) -> octet_status {
    let status: octet_status
    switch e {
    case .io: status = OCTET_ERROR_IO
    case .format, .checksum, .tensor, .op, .plan: status = OCTET_ERROR_FORMAT
    case .input: status = OCTET_ERROR_INPUT
    case .kernels: status = OCTET_ERROR_KERNELS
    case .memory: status = OCTET_ERROR_MEMORY
    }
    return fail(error, status, e.description)
}

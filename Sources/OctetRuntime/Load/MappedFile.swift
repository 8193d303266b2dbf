import OctetKernels

/// A read-only memory mapping of a whole file (weights are used in place).
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws(OctetError) {
        var data: UnsafeRawPointer? = nil
        var size = 0, error: Int32 = 0
        switch octk_file_map(path, &data, &size, &error) {
        case OCTK_FILE_OK: bytes = UnsafeRawBufferPointer(start: data, count: size)
        case OCTK_FILE_NOT_REGULAR: throw OctetError.io("'\(path)' is not a regular file")
        case OCTK_FILE_EMPTY: throw OctetError.format("'\(path)' is empty")
        case OCTK_FILE_MAP: throw OctetError.io("cannot map '\(path)': \(systemErrorText(error))")
        default: throw OctetError.io("'\(path)': \(systemErrorText(error))")
        }
    }

    deinit { octk_file_unmap(bytes.baseAddress, bytes.count) }
}

/// The system's text for an errno value ("No such file or directory").
public func systemErrorText(_ error: Int32) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
        octk_error_text(error, buffer.baseAddress!, 256)
        return String(cString: buffer.baseAddress!)
    }
}

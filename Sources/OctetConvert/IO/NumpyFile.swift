import Foundation

/// `.npy` (format 1.0–3.0) reading and writing. Reads little-endian f4/f8/f2/i1/u1/i2/u2/i4/u4/i8/u8/b1
/// arrays in C order into float32; writes float32 (`<f4`) in C order.
public enum NumpyFile {
    public static func read(path: String) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConvertError.io("cannot read '\(path)'")
        }
        return try decode(data, name: path)
    }

    public static func decode(_ data: Data, name: String) throws -> Tensor {
        let bytes = [UInt8](data)
        func fail(_ what: String) -> ConvertError { .invalidInput("'\(name)' is not a valid .npy file: \(what)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else { throw fail("bad magic") }
        let major = bytes[6]
        let headerLength: Int, start: Int
        switch major {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default: throw fail("version \(major)")
        }
        guard start + headerLength <= bytes.count else { throw fail("truncated header") }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard let descr = field(header, "descr").map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) }),
              let fortran = field(header, "fortran_order"), let shapeText = field(header, "shape") else {
            throw fail("header '\(header)'")
        }
        guard fortran.trimmingCharacters(in: .whitespaces) == "False" else { throw fail("Fortran order is not supported") }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = try dims.map { d -> Int in
            guard let v = Int(d), v >= 0, v <= Int(Int32.max) else { throw fail("dimension '\(d)'") }
            return v
        }
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw fail("shape \(shape) overflows") }
            count = p
        }
        let body = start + headerLength
        guard descr.count >= 3, let size = Int(descr.dropFirst(2)) else { throw fail("dtype '\(descr)'") }
        let order = descr.first!, kind = descr.dropFirst().first!
        guard order == "<" || order == "|" || (order == "=" ) else { throw fail("big-endian dtype '\(descr)'") }
        let (needed, o) = count.multipliedReportingOverflow(by: size)
        guard !o, body + needed <= bytes.count else {
            throw fail("holds \(bytes.count - body) data bytes, shape \(shape) of \(descr) needs \(needed)")
        }
        let values: [Float] = try bytes.withUnsafeBytes { raw in
            let p = raw.baseAddress! + body
            func load<T>(_: T.Type, _ f: (T) -> Float) -> [Float] {
                (0..<count).map { f(UnsafeRawPointer(p).loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
            }
            switch (kind, size) {
            case ("f", 4): return load(Float.self) { $0 }
            case ("f", 8): return load(Double.self) { Float($0) }
            case ("f", 2): return load(UInt16.self) { HostTensor.halfToFloat($0) }
            case ("i", 1): return load(Int8.self) { Float($0) }
            case ("u", 1), ("b", 1): return load(UInt8.self) { Float($0) }
            case ("i", 2): return load(Int16.self) { Float($0) }
            case ("u", 2): return load(UInt16.self) { Float($0) }
            case ("i", 4): return load(Int32.self) { Float($0) }
            case ("u", 4): return load(UInt32.self) { Float($0) }
            case ("i", 8): return load(Int64.self) { Float($0) }
            case ("u", 8): return load(UInt64.self) { Float($0) }
            default: throw fail("unsupported dtype '\(descr)'")
            }
        }
        return Tensor(shape: shape, data: values)
    }

    /// The text of `'key': value` in a .npy header dict (value up to the next top-level comma).
    private static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for ch in header[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if (ch == "," && depth == 0) || ch == "}" { break }
            value.append(ch)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// Encodes a float32 C-order .npy (version 1.0).
    public static func encode(_ tensor: Tensor) -> Data {
        let shapeText = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        tensor.data.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        return data
    }

    /// Writes atomically: a temporary file in the same directory, then rename.
    public static func write(_ tensor: Tensor, path: String) throws {
        try AtomicFile.write(encode(tensor), to: path)
    }
}

/// Whole-file writes that never leave a partial file behind.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        try writeAll([(data, path)])
    }

    /// Writes several files as one step: every file is first written to a temporary file in its
    /// directory; only when all of them are complete are they renamed into place. A failure
    /// leaves none of the new files (and no temporary file) behind.
    public static func writeAll(_ files: [(data: Data, path: String)]) throws {
        var staged: [(temp: String, path: String)] = []
        func discard() { for s in staged { unlink(s.temp) } }
        for (data, path) in files {
            let url = URL(fileURLWithPath: path)
            let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
            do {
                try data.write(to: URL(fileURLWithPath: temp), options: [])
            } catch {
                unlink(temp)
                discard()
                throw ConvertError.io("cannot write '\(path)': \(describe(error))")
            }
            staged.append((temp, path))
        }
        for (i, s) in staged.enumerated() where rename(s.temp, s.path) != 0 {
            let reason = String(cString: strerror(errno))
            for done in staged[..<i] { unlink(done.path) }
            discard()
            throw ConvertError.io("cannot write '\(s.path)': \(reason)")
        }
    }

    /// Fails early, before long work, when `path`'s directory does not exist or is not writable.
    public static func checkWritable(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConvertError.io("cannot write '\(path)': directory '\(directory)' does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw ConvertError.io("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    private static func describe(_ error: Error) -> String {
        if let e = error as? CocoaError, let u = e.underlying as? POSIXError { return String(cString: strerror(u.code.rawValue)) }
        return (error as NSError).localizedDescription
    }
}

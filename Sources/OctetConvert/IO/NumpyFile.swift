import Foundation
import OctetFiles

/// `.npy` files as Tensors: reads little-endian f4/f8/f2/i1/u1/i2/u2/i4/u4/i8/u8/b1 arrays
/// (format 1.0–3.0) in C order into float32, writes float32 (`<f4`) in C order (the codec is
/// OctetFiles.NumpyArray, which the static octet-run shares).
public enum NumpyFile {
    public static func read(path: String) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConvertError.io("cannot read '\(path)'")
        }
        return try decode(data, name: path)
    }

    public static func decode(_ data: Data, name: String) throws -> Tensor {
        let decoded = data.withUnsafeBytes { raw in Result { () throws(NumpyError) in try NumpyArray.decode(raw, name: name) } }
        switch decoded {
        case let .success(array): return Tensor(shape: array.shape, data: array.values)
        case let .failure(error): throw ConvertError.invalidInput(error.message)
        }
    }

    /// Encodes a float32 C-order .npy (version 1.0).
    public static func encode(_ tensor: Tensor) -> Data {
        Data(NumpyArray(shape: tensor.shape, values: tensor.data).encode())
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

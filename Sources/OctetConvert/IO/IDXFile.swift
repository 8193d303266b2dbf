import CZlib
import Foundation

/// IDX files (the MNIST/Fashion-MNIST format), plain or gzip-compressed: big-endian magic
/// `0x0000 TT RR` (TT = 0x08 unsigned byte, RR = rank), RR big-endian u32 dimensions, data.
public enum IDXFile {
    /// Reads an unsigned-byte IDX file as a tensor of its shape (values 0…255).
    public static func read(path: String) throws -> Tensor {
        let bytes = try load(path)
        func fail(_ what: String) -> ConvertError { .invalidInput("'\(path)' is not a valid IDX file: \(what)") }
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else { throw fail("bad magic") }
        guard bytes[2] == 0x08 else { throw fail("element type 0x\(String(bytes[2], radix: 16)) (only unsigned bytes are supported)") }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 4, bytes.count >= 4 + 4 * rank else { throw fail("rank \(rank)") }
        var shape: [Int] = []
        var count = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let v = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            shape.append(v)
            let (p, overflow) = count.multipliedReportingOverflow(by: v)
            guard !overflow, p <= 1 << 31 else { throw fail("shape \(shape) is too large") }
            count = p
        }
        let start = 4 + 4 * rank
        guard bytes.count - start == count else { throw fail("\(bytes.count - start) data bytes for shape \(shape)") }
        return Tensor(shape: shape, data: bytes[start...].map { Float($0) })
    }

    /// File contents, gunzipped when the file starts with the gzip magic.
    static func load(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConvertError.io("cannot read '\(path)'") }
        let raw = [UInt8](data)
        guard raw.count >= 2, raw[0] == 0x1f, raw[1] == 0x8b else { return raw }
        return try gunzip(raw, name: path)
    }

    /// The largest decompressed IDX file read: a header and 2^31 bytes of data (a gzip bomb
    /// stops here instead of exhausting memory).
    static let maxDecompressedBytes = 4 + 4 * 4 + (1 << 31)

    static func gunzip(_ input: [UInt8], name: String, limit: Int = maxDecompressedBytes) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ConvertError.io("'\(name)': zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { src in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
            stream.avail_in = uInt(src.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { dst in
                    stream.next_out = dst.baseAddress
                    stream.avail_out = uInt(dst.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        throw ConvertError.invalidInput("'\(name)' is a corrupt gzip file (zlib status \(status))")
                    }
                    output.append(contentsOf: dst[0..<(dst.count - Int(stream.avail_out))])
                    guard output.count <= limit else {
                        throw ConvertError.invalidInput("'\(name)' decompresses to more than \(limit) bytes")
                    }
                }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else { throw ConvertError.invalidInput("'\(name)' is a truncated gzip file") }
        return output
    }
}

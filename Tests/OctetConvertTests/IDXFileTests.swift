import CZlib
import Foundation
@testable import OctetConvert
import Testing

/// IDX image/label files (plain or gzip): the real Fashion-MNIST files decode; malformed ones,
/// truncated gzip streams and gzip bombs are errors that name the file.
@Suite struct IDXFileTests {
    static let labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"

    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("octet-idx-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// gzip-compressed `bytes` (zlib's deflate with a gzip header).
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        try #require(deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = src.baseAddress; stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress; stream.avail_out = uInt(dst.count)
                return deflate(&stream, Z_FINISH) == Z_STREAM_END ? dst.count - Int(stream.avail_out) : -1
            }
        }
        try #require(produced > 0)
        return Array(out[0..<produced])
    }

    @Test func realFashionMNISTLabels() throws {
        let t = try IDXFile.read(path: Self.labels)
        #expect(t.shape == [10000])
        #expect(Set(t.data) == Set((0..<10).map(Float.init)))
    }

    @Test func malformedFilesAreErrors() throws {
        let cases: [([UInt8], String)] = [
            ([0, 0, 8], "bad magic"),
            ([1, 0, 8, 1, 0, 0, 0, 1, 7], "bad magic"),
            ([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0], "element type 0xd"),
            ([0, 0, 8, 9, 0, 0, 0, 1], "rank 9"),
            ([0, 0, 8, 1, 0, 0, 0, 4, 1, 2], "2 data bytes for shape [4]"),
            ([0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 2], "is too large"),
        ]
        for (bytes, message) in cases {
            let path = try Self.temporaryFile(bytes)
            defer { unlink(path) }
            #expect { try IDXFile.read(path: path) } throws: { "\($0)".contains(path) && "\($0)".contains(message) }
            let gz = try Self.temporaryFile(try Self.gzip(bytes))
            defer { unlink(gz) }
            #expect { try IDXFile.read(path: gz) } throws: { "\($0)".contains(message) }
        }
    }

    @Test func truncatedGzipIsAnError() throws {
        let full = try Self.gzip([0, 0, 8, 1, 0, 0, 1, 0] + [UInt8](repeating: 7, count: 256))
        let path = try Self.temporaryFile(Array(full.prefix(full.count - 12)))
        defer { unlink(path) }
        #expect { try IDXFile.read(path: path) } throws: { "\($0)".contains("truncated gzip") }
    }

    @Test func gzipBombStopsAtTheLimit() throws {
        let bomb = try Self.gzip([UInt8](repeating: 0, count: 8 << 20))  // 8 MiB of zeros in ~8 KB
        #expect(bomb.count < 64 << 10)
        #expect { try IDXFile.gunzip(bomb, name: "bomb.gz", limit: 1 << 20) } throws: {
            "\($0)".contains("'bomb.gz' decompresses to more than 1048576 bytes")
        }
        #expect(try IDXFile.gunzip(bomb, name: "bomb.gz").count == 8 << 20)
    }
}

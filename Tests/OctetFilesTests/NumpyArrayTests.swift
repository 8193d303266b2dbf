import Foundation
import OctetFiles
import Testing

/// The Foundation-free .npy codec (octet-run's and, through NumpyFile, the CLI's) against numpy's format.
@Suite struct NumpyArrayTests {
    func decode(_ bytes: [UInt8]) throws -> NumpyArray {
        try bytes.withUnsafeBytes { raw in try NumpyArray.decode(raw, name: "x.npy") }
    }

    func message(_ bytes: [UInt8]) -> String {
        do {
            _ = try decode(bytes)
            return "accepted"
        } catch let e as NumpyError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    /// A version 1.0 file with `header` (padded like numpy) and `body`.
    func npy(_ header: String, _ body: [UInt8]) -> [UInt8] {
        var h = Array(header.utf8)
        h += [UInt8](repeating: 0x20, count: (64 - (10 + h.count + 1) % 64) % 64) + [0x0a]
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 0xff), UInt8(h.count >> 8)] + h + body
    }

    /// numpy's own bytes for np.arange(-1.5, …, 0.37) reshaped (header padded to 64 bytes).
    @Test(arguments: [[7], [1, 10], [2, 3, 4, 5], [0, 3]])
    func encodesLikeNumpy(shape: [Int]) throws {
        let values = (0..<shape.reduce(1, *)).map { Float($0) * 0.37 - 1.5 }
        let mine = NumpyArray(shape: shape, values: values).encode()
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        #expect(mine == npy("{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }", values.flatMap { v in
            (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) }
        }))
        #expect(mine.count % 64 == (values.count * 4) % 64)
        let back = try decode(mine)
        #expect(back.shape == shape && back.values == values)
    }

    @Test func readsOtherDtypes() throws {
        #expect(try decode(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0])).values == [1, -2])
        #expect(try decode(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 3), }", [0, 128, 255])).values == [0, 128, 255])
        #expect(try decode(npy("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", [0xff, 0x80])).values == [-1, -128])
        #expect(try decode(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00])).values == [1, -2, 0x1p-24])
        #expect(try decode(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", [5, 0, 0, 0, 0, 0, 0, 0])).shape == [])
    }

    @Test func rejectsMalformedFilesNamingWhat() {
        let good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", [UInt8](repeating: 0, count: 8))
        #expect(message(Array(good.prefix(9))).contains("bad magic"))
        #expect(message([0x94] + good.dropFirst()).contains("bad magic"))
        #expect(message(Array(good.dropLast())).contains("holds 7 data bytes"))
        #expect(message(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0])).contains("big-endian dtype '>f4'"))
        #expect(message(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", [0, 0, 0, 0])).contains("Fortran"))
        #expect(message(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", [UInt8](repeating: 0, count: 8))).contains("unsupported dtype"))
        #expect(message(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", [])).contains("overflows"))
        #expect(message(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", [])).contains("dimension '-1'"))
        #expect(message(npy("{'descr': '<f4', 'shape': (1,), }", [0, 0, 0, 0])).contains("header without"))
        var long = good
        long[8] = 0xff
        long[9] = 0xff
        #expect(message(long).contains("truncated header"))
        #expect(message(good).hasPrefix("accepted"))
    }

    @Test func outputPathsFollowTheCLI() {
        #expect(outputPaths(first: "y.npy", names: ["a", "b/c", ".x", "b?c"]) == ["y.npy", "y.b_c.npy", "y._x.npy", "y.b_c_2.npy"])
        #expect(outputPaths(first: "out", names: ["a", ""]) == ["out", "out.output.npy"])
        #expect(sanitizedFileComponent("..é/ok") == "____ok" && sanitizedFileComponent(String(repeating: "a", count: 300)).count == 200)
    }
}

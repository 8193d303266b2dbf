import Foundation
import OctetConvert
import Testing
import _TestSupport

/// The bad-input matrix at the command line: each case must end with one `error:` line naming
/// what is wrong, a nonzero exit, no trap, and no output file (not even a partial or temporary
/// one). Library-level cases (every truncation point, flipped bytes, overflow, arena overlaps)
/// are in VerifierTests and ImportErrorTests.
@Suite struct BadInputMatrixTests {
    typealias CLI = RunCommandTests

    /// A directory this process cannot create files in: a mode-0555 directory, or, when the
    /// process ignores modes (root), sysfs, which refuses new files to everyone.
    static func unwritableDirectory() throws -> (path: String, cleanup: () -> Void) {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
        let cleanup = {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try? FileManager.default.removeItem(at: dir)
        }
        for candidate in [dir.path, "/sys"] {
            let probe = candidate + "/.octet-probe-\(getpid())"
            if FileManager.default.createFile(atPath: probe, contents: Data()) {
                unlink(probe)
            } else {
                return (candidate, cleanup)
            }
        }
        cleanup()
        throw CLI.HarnessError(message: "no unwritable directory found (mode 0555 and /sys both accepted a new file)")
    }

    /// Files in `dir` whose name contains `fragment` (a leftover output or temporary file).
    static func leftovers(_ dir: String, _ fragment: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(fragment) }
    }

    @Test func unwritableOutputDirectoryWritesNothing() throws {
        let (ro, cleanup) = try Self.unwritableDirectory()
        defer { cleanup() }
        let onnx = CLI.model("mobilenet_v2_tiny.onnx"), npy = CLI.model("mobilenet_v2_tiny.input.npy")
        let target = ro + "/m.octet"
        let convert = try CLI.octet(["convert", onnx, "--calibration", npy, "-o", target])
        CLI.expectFailure(convert, mentions: ["cannot write '\(target)'"])
        #expect(Self.leftovers(ro, "m.octet").isEmpty)

        let run = try CLI.octet(["run", onnx, "--input", npy, "--output", ro + "/out.npy"])
        CLI.expectFailure(run, mentions: ["cannot write '\(ro)/out.npy'"])
        #expect(Self.leftovers(ro, "out").isEmpty)

        // Two outputs, the second unwritable: neither is written.
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let both = try CLI.octet(["convert", onnx, "--calibration", npy, "-o", dir.appendingPathComponent("m.octet").path,
                                  "--svg", ro + "/plan.svg"])
        CLI.expectFailure(both, mentions: ["cannot write '\(ro)/plan.svg'"])
        #expect(CLI.contents(dir).isEmpty)
        #expect(Self.leftovers(ro, "plan").isEmpty)

        // report checks its directory before the (long) evaluation.
        let report = try CLI.octet(["report", target, "--onnx", onnx, "--images", npy, "--labels", npy, "--out", ro + "/report"])
        CLI.expectFailure(report, mentions: ["'\(ro)/report'"])
        #expect(Self.leftovers(ro, "report").isEmpty)
    }

    @Test func missingOutputDirectoryIsNamed() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("no/such/dir/m.octet").path
        let r = try CLI.octet(["convert", CLI.model("mobilenet_v2_tiny.onnx"), "--calibration",
                               CLI.model("mobilenet_v2_tiny.input.npy"), "-o", target])
        CLI.expectFailure(r, mentions: ["cannot write '\(target)'", "does not exist"])
        #expect(CLI.contents(dir).isEmpty)
    }

    /// A .npy header for `shape` of dtype `descr`, then `dataBytes` bytes.
    static func npy(descr: String, shape: [Int], dataBytes: Int) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: dataBytes))
        return data
    }

    @Test func inputWithWrongDtypeOrMissingDataFails() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shape = [1, 3, 64, 64], count = shape.reduce(1, *)
        let cases: [(name: String, data: Data, message: String)] = [
            ("complex.npy", Self.npy(descr: "<c8", shape: shape, dataBytes: 8 * count), "unsupported dtype '<c8'"),
            ("text.npy", Self.npy(descr: "<U4", shape: shape, dataBytes: 16 * count), "unsupported dtype '<U4'"),
            ("bigendian.npy", Self.npy(descr: ">f4", shape: shape, dataBytes: 4 * count), "big-endian dtype '>f4'"),
            ("short.npy", Self.npy(descr: "<f4", shape: shape, dataBytes: 4 * count - 1), "needs \(4 * count)"),
        ]
        for c in cases {
            let path = dir.appendingPathComponent(c.name).path
            try c.data.write(to: URL(fileURLWithPath: path))
            for model in ["mobilenet_v2_tiny.onnx"] {
                let r = try CLI.octet(["run", CLI.model(model), "--input", path, "--output", dir.appendingPathComponent("out.npy").path])
                CLI.expectFailure(r, mentions: [path, c.message])
            }
        }
        #expect(CLI.contents(dir) == cases.map(\.name).sorted())
    }

    /// Writes `builder`'s model to `dir/name` and returns its path.
    static func write(_ builder: ONNXBuilder, to dir: URL, name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try builder.serialized().write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func unsupportedOnnxOpOrAttributeFailsConvertAndRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var op = ONNXBuilder()
        op.input("x", [1, 4])
        op.node("Erf", ["x"], ["y"], name: "my_erf")
        op.output("y")
        var attribute = ONNXBuilder()
        attribute.input("x", [1, 1, 4, 4])
        attribute.node("Resize", ["x", "", "", "sizes"], ["y"], name: "up", ["mode": "cubic"])
        attribute.initializer("sizes", int64: [1, 1, 8, 8])
        attribute.output("y")
        let input = dir.appendingPathComponent("x.npy").path
        try NumpyFile.write(Tensor(shape: [1, 4]), path: input)
        for (builder, name, needles) in [(op, "erf.onnx", ["my_erf", "Erf", "not implemented"]),
                                         (attribute, "cubic.onnx", ["'up' (Resize)", "mode 'cubic'"])] {
            let model = try Self.write(builder, to: dir, name: name)
            let out = dir.appendingPathComponent("out.octet").path
            CLI.expectFailure(try CLI.octet(["convert", model, "--calibration", input, "-o", out]), mentions: needles)
            CLI.expectFailure(try CLI.octet(["run", model, "--input", input]), mentions: needles)
        }
        #expect(CLI.contents(dir) == ["cubic.onnx", "erf.onnx", "x.npy"])
    }

    @Test func onnxWithMissingExternalDataFails() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var b = ONNXBuilder()
        b.input("x", [1, 4])
        var t = Onnx_TensorProto()
        t.name = "w"; t.dims = [4, 4]; t.dataType = 1; t.dataLocation = .external
        var location = Onnx_StringStringEntryProto()
        location.key = "location"; location.value = "weights.bin"
        t.externalData = [location]
        b.graph.initializer.append(t)
        b.node("MatMul", ["x", "w"], ["y"])
        b.output("y")
        let model = try Self.write(b, to: dir, name: "external.onnx")
        let input = dir.appendingPathComponent("x.npy").path
        try NumpyFile.write(Tensor(shape: [1, 4]), path: input)
        let missing = dir.appendingPathComponent("weights.bin").path
        let out = dir.appendingPathComponent("out.octet").path
        CLI.expectFailure(try CLI.octet(["convert", model, "--calibration", input, "-o", out]),
                          mentions: ["external data file '\(missing)'", "tensor 'w'", "missing"])
        #expect(CLI.contents(dir) == ["external.onnx", "x.npy"])
    }

    @Test func corruptOctetFailsEveryCommand() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.octet").path
        let npy = CLI.model("mobilenet_v2_tiny.input.npy")
        let convert = try CLI.octet(["convert", CLI.model("mobilenet_v2_tiny.onnx"), "--calibration", npy, "-o", good])
        try #require(convert.status == 0, "\(convert.stderr)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = dir.appendingPathComponent("truncated.octet").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        bytes[bytes.count - 100] ^= 0x40
        let flipped = dir.appendingPathComponent("flipped.octet").path
        try bytes.write(to: URL(fileURLWithPath: flipped))
        for (file, needle) in [(truncated, "truncated"), (flipped, "checksum")] {
            for args in [["inspect", file], ["run", file, "--input", npy], ["bench", file, "--runs", "1", "--warmup", "0"]] {
                CLI.expectFailure(try CLI.octet(args), mentions: [file, needle])
            }
        }
    }
}

import CImage
import Foundation
import OctetConvert
import Testing
import _TestSupport

/// End-to-end tests of `octet run`: they launch the built `octet` executable (built before the
/// tests because this target depends on it) and check its files, stdout, stderr and exit code.
@Suite struct RunCommandTests {
    // MARK: - Harness

    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let models = root.appendingPathComponent("Tests/OctetConvertTests/Fixtures/models")
    static func model(_ name: String) -> String { models.appendingPathComponent(name).path }

    /// `octet` sits in the products directory next to the test bundle. `OCTET_BIN` overrides.
    static func octetBinary() throws -> URL {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["OCTET_BIN"] { return URL(fileURLWithPath: path) }
        var directories = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        directories += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.deletingLastPathComponent() }
        for directory in directories {
            let candidate = directory.appendingPathComponent("octet")
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               fm.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw HarnessError(message: "octet executable not found in \(directories.map(\.path)); set OCTET_BIN")
    }

    struct HarnessError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `octet` with `arguments`, capturing its output through files (no pipe deadlocks).
    static func octet(_ arguments: [String]) throws -> Result {
        let logs = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: logs) }
        let outURL = logs.appendingPathComponent("stdout"), errURL = logs.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = try octetBinary()
        process.arguments = arguments
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("octet-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func contents(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    /// Writes an 8-bit PNG with stb_image_write (`pixels`: rows of interleaved channels).
    static func writePNG(_ path: String, width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        precondition(pixels.count == width * height * channels)
        let ok = pixels.withUnsafeBytes { stbi_write_png(path, Int32(width), Int32(height), Int32(channels), $0.baseAddress, Int32(width * channels)) }
        try #require(ok != 0, "stbi_write_png failed for \(path)")
    }

    /// Checks the shape of a failure: exit status nonzero, an `error:` line naming each of `needles`.
    static func expectFailure(_ result: Result, mentions needles: [String]) {
        #expect(result.status != 0)
        let errorLine = result.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") }.map(String.init)
        #expect(errorLine != nil, "no 'error:' line in stderr: \(result.stderr)")
        for needle in needles {
            #expect(errorLine?.contains(needle) == true, "'\(needle)' not in: \(result.stderr)")
        }
        #expect(!result.stderr.contains("Fatal error"), "trap: \(result.stderr)")
    }

    // MARK: - Tests

    @Test func numpyBatchMatchesOnnxRuntime() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.npy").path
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"),
                                     "--input", Self.model("mobilenet_v2_tiny.input.npy"), "--output", out])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let output = try NumpyFile.read(path: out)
        let expected = try NumpyFile.read(path: Self.model("mobilenet_v2_tiny.ort.npy"))
        #expect(output.shape == [2, 10])
        #expect(output.shape == expected.shape)
        let error = relativeMaxError(output.data, expected.data)
        #expect(error < 1e-4, "relative max error \(error)")
        #expect(Self.contents(dir) == ["out.npy"])
        // Summary and a top-5 listing for each of the 2 rows.
        #expect(result.stdout.contains("[2, 3, 64, 64]"))
        #expect(result.stdout.contains("[2, 10]"))
        #expect(result.stdout.contains(" ms"))
        #expect(result.stdout.contains("top-5"))
        #expect(result.stdout.contains("row 0:") && result.stdout.contains("row 1:"))
        // The best class of each row is listed first.
        let best = Labels.topK(Array(expected.data[0..<10]), k: 1)[0].index
        let rowLines = result.stdout.split(separator: "\n").drop { !$0.contains("row 0:") }.dropFirst()
        #expect(rowLines.first?.trimmingCharacters(in: .whitespaces).hasPrefix("\(best) ") == true, "\(result.stdout)")
    }

    @Test func pngInputIsResizedAndNormalised() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 40×30 RGB gradient; the model wants 64×64 NCHW, so it is resized.
        let width = 40, height = 30
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += [UInt8(x * 6), UInt8(y * 8), UInt8((x + y) % 256)] } }
        let png = dir.appendingPathComponent("picture.png").path
        try Self.writePNG(png, width: width, height: height, channels: 3, pixels: pixels)
        let out = dir.appendingPathComponent("out.npy").path
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", png,
                                     "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225",
                                     "--top-k", "3", "--output", out])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("[1, 3, 64, 64]"))
        #expect(result.stdout.contains("top-3"))
        let output = try NumpyFile.read(path: out)
        #expect(output.shape == [1, 10])
        // Same as loading the image and running the model in-process.
        let model = try FloatModel(onnxPath: Self.model("mobilenet_v2_tiny.onnx"))
        let input = try ImageInput.load(path: png, inputShape: [1, 3, 64, 64], mean: mean, std: std)
        let expected = try model.run([input])[0]
        #expect(relativeMaxError(output.data, expected.data) < 1e-6)
    }

    @Test func grayscaleImageWithLabelsOnNHWCModel() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 28×28 grayscale PNG into a [1, 32, 32, 3] NHWC model: decoded as RGB, resized.
        let png = dir.appendingPathComponent("digit.png").path
        try Self.writePNG(png, width: 28, height: 28, channels: 1, pixels: (0..<(28 * 28)).map { UInt8($0 % 251) })
        let names = (0..<10).map { "class-\($0)" }
        let labels = dir.appendingPathComponent("labels.txt").path
        try Data((names.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: labels))
        let result = try Self.octet(["run", Self.model("nhwc_input_tiny.onnx"), "--input", png,
                                     "--labels", labels, "--top-k", "20"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("[1, 32, 32, 3]"))
        #expect(result.stdout.contains("top-10"), "k is clamped to the class count")
        for name in names { #expect(result.stdout.contains(name)) }
        #expect(Self.contents(dir).sorted() == ["digit.png", "labels.txt"])
    }

    @Test func multiInputMultiOutputWritesEachOutput() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // sum = a + b, "prod/x:1" = a * b; inputs [N, 4].
        var builder = ONNXBuilder()
        builder.input("a", [nil, 4])
        builder.input("b", [nil, 4])
        builder.node("Add", ["a", "b"], ["sum"], name: "add")
        builder.node("Mul", ["a", "b"], ["prod/x:1"], name: "mul")
        builder.output("sum")
        builder.output("prod/x:1")
        let model = dir.appendingPathComponent("two.onnx")
        try builder.serialized().write(to: model)
        let a = Tensor(shape: [3, 4], data: (0..<12).map { Float($0) })
        let b = Tensor(shape: [3, 4], data: (0..<12).map { Float($0) * 0.5 - 2 })
        try NumpyFile.write(a, path: dir.appendingPathComponent("a.npy").path)
        try NumpyFile.write(b, path: dir.appendingPathComponent("b.npy").path)
        let result = try Self.octet(["run", model.path, "--input", dir.appendingPathComponent("a.npy").path,
                                     "--input", dir.appendingPathComponent("b.npy").path,
                                     "--output", dir.appendingPathComponent("out.npy").path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(Self.contents(dir) == ["a.npy", "b.npy", "out.npy", "out.prod_x_1.npy", "two.onnx"])
        let sum = try NumpyFile.read(path: dir.appendingPathComponent("out.npy").path)
        let product = try NumpyFile.read(path: dir.appendingPathComponent("out.prod_x_1.npy").path)
        #expect(sum == Tensor(shape: [3, 4], data: zip(a.data, b.data).map { $0 + $1 }))
        #expect(product == Tensor(shape: [3, 4], data: zip(a.data, b.data).map { $0 * $1 }))
        #expect(result.stdout.contains("sum [3, 4]"))
        #expect(result.stdout.contains("prod/x:1 [3, 4]"))
        #expect(result.stdout.contains("row 2:"))
    }

    @Test func wrongInputShapeFails() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("small.npy").path
        try NumpyFile.write(Tensor(shape: [1, 3, 32, 32]), path: input)
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", input,
                                     "--output", dir.appendingPathComponent("out.npy").path])
        Self.expectFailure(result, mentions: ["expects shape [1, 3, 64, 64]", "[1, 3, 32, 32]"])
        #expect(result.status == 1)
        #expect(Self.contents(dir) == ["small.npy"])
    }

    @Test func missingInputFileFails() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nothing-here.png").path
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", missing,
                                     "--output", dir.appendingPathComponent("out.npy").path])
        Self.expectFailure(result, mentions: [missing, "no such file"])
        #expect(Self.contents(dir).isEmpty)
    }

    @Test func missingModelFails() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("absent.onnx").path
        let result = try Self.octet(["run", model, "--input", Self.model("mobilenet_v2_tiny.input.npy")])
        Self.expectFailure(result, mentions: [model])
    }

    @Test func undecodableImageFails() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("broken.png").path
        try Data("this is not a PNG at all".utf8).write(to: URL(fileURLWithPath: bad))
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", bad,
                                     "--output", dir.appendingPathComponent("out.npy").path])
        Self.expectFailure(result, mentions: [bad, "cannot decode image"])
        #expect(Self.contents(dir) == ["broken.png"])
    }

    @Test func labelsMismatchFailsBeforeWriting() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let labels = dir.appendingPathComponent("nine.txt").path
        try Data(((0..<9).map { "label \($0)" }.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: labels))
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"),
                                     "--input", Self.model("mobilenet_v2_tiny.input.npy"),
                                     "--labels", labels, "--output", dir.appendingPathComponent("out.npy").path])
        Self.expectFailure(result, mentions: ["labels file", "has 9 lines", "has 10 classes"])
        #expect(Self.contents(dir) == ["nine.txt"])
    }

    @Test func wrongInputCountFails() throws {
        let npy = Self.model("mobilenet_v2_tiny.input.npy")
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", npy, "--input", npy])
        Self.expectFailure(result, mentions: ["takes 1 input", "got 2"])
    }

    @Test func badMeanLengthFails() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = dir.appendingPathComponent("gray.png").path
        try Self.writePNG(png, width: 4, height: 4, channels: 1, pixels: Array(repeating: 128, count: 16))
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", png, "--mean", "0.5,0.5"])
        Self.expectFailure(result, mentions: ["mean", "2 values", png])
    }

    @Test func helpDescribesRun() throws {
        let result = try Self.octet(["run", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: octet run <model> --input <file> ..."))
        for option in ["--mean", "--std", "--labels", "--top-k", "--output"] { #expect(result.stdout.contains(option)) }
    }

    @Test func usageErrorsAreNotTraps() throws {
        let result = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--input"))
        let negative = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", "x.npy", "--top-k=-1"])
        #expect(negative.status != 0)
        #expect(negative.stderr.contains("--top-k must be 0 or more"))
        let threads = try Self.octet(["run", Self.model("mobilenet_v2_tiny.onnx"), "--input", "x.npy", "--threads", "0"])
        #expect(threads.status != 0)
        #expect(threads.stderr.contains("--threads must be 1 or more"))
    }
}

/// `octet convert` → `octet inspect` → `octet run` on the int8 file, end to end.
@Suite struct ConvertRunCommandTests {
    @Test func convertInspectAndRunInt8() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-cli-convert-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let octetFile = dir.appendingPathComponent("m.octet").path, svg = dir.appendingPathComponent("plan.svg").path
        let input = RunCommandTests.model("mobilenet_v2_tiny.input.npy")
        let convert = try RunCommandTests.octet(["convert", RunCommandTests.model("mobilenet_v2_tiny.onnx"), "--calibration", input,
                                                 "-o", octetFile, "--svg", svg, "--calibration-method", "mse"])
        #expect(convert.status == 0, "\(convert.stderr)")
        #expect(convert.stdout.contains("lower bound"))
        #expect(FileManager.default.fileExists(atPath: svg))
        let inspect = try RunCommandTests.octet(["inspect", octetFile, "--tensors"])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("verified") && inspect.stdout.contains("Conv2D"))
        let out = dir.appendingPathComponent("out.npy").path
        let run = try RunCommandTests.octet(["run", octetFile, "--input", input, "--output", out])
        #expect(run.status == 0, "\(run.stderr)")
        let int8 = try NumpyFile.read(path: out)
        let reference = try NumpyFile.read(path: RunCommandTests.model("mobilenet_v2_tiny.ort.npy"))
        #expect(int8.shape == reference.shape)
        // Any thread count gives the same bytes.
        for threads in ["1", "3"] {
            let split = dir.appendingPathComponent("out\(threads).npy").path
            let again = try RunCommandTests.octet(["run", octetFile, "--input", input, "--output", split, "--threads", threads])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try NumpyFile.read(path: split).data == int8.data)
        }
    }

    @Test func badOctetFileFailsCleanly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-cli-bad-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.octet").path
        try Data("OCTETMDL but not really a model".utf8).write(to: URL(fileURLWithPath: bad))
        for args in [["inspect", bad], ["run", bad, "--input", RunCommandTests.model("mobilenet_v2_tiny.input.npy")]] {
            let r = try RunCommandTests.octet(args)
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains("bad.octet"), "\(r.stderr)")
        }
        // A failed conversion leaves no file behind.
        let out = dir.appendingPathComponent("never.octet").path
        let r = try RunCommandTests.octet(["convert", RunCommandTests.model("mobilenet_v2_tiny.onnx"), "--calibration",
                                           RunCommandTests.model("nhwc_input_tiny.input.npy"), "-o", out])
        #expect(r.status == 1 && r.stderr.contains("calibration"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

/// `octet run --heatmap`: BagNet per-patch evidence as a PNG over the input.
@Suite struct HeatmapCommandTests {
    @Test func bagnetHeatmapIsAPNGOverTheInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-heatmap-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let octetFile = dir.appendingPathComponent("bag.octet").path, png = dir.appendingPathComponent("heat.png").path
        let input = RunCommandTests.model("bagnet_tiny.input.npy")
        let convert = try RunCommandTests.octet(["convert", RunCommandTests.model("bagnet_tiny.onnx"), "--calibration", input, "-o", octetFile])
        #expect(convert.status == 0, "\(convert.stderr)")
        let run = try RunCommandTests.octet(["run", octetFile, "--input", input, "--heatmap", png])
        #expect(run.status == 0, "\(run.stderr)")
        let data = try #require(FileManager.default.contents(atPath: png))
        var w: Int32 = 0, h: Int32 = 0, c: Int32 = 0
        let pixels = data.withUnsafeBytes { stbi_load_from_memory($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(data.count), &w, &h, &c, 3) }
        #expect(pixels != nil && w == 512 && h == 512)
        stbi_image_free(pixels)
        // A model without a pooled linear head gets a clear error and no file.
        let onnxOnly = try RunCommandTests.octet(["run", RunCommandTests.model("bagnet_tiny.onnx"), "--input", input, "--heatmap", png + "2"])
        #expect(onnxOnly.status == 1 && onnxOnly.stderr.contains("--heatmap"))
        #expect(!FileManager.default.fileExists(atPath: png + "2"))
    }
}

/// `--uint8-input`: the model takes raw pixels and gives the same answer as the float-input model.
@Suite struct Uint8InputCommandTests {
    @Test func rawPixelModelMatchesTheNormalisedOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-u8-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let onnx = RunCommandTests.model("nhwc_input_tiny.onnx"), calibration = RunCommandTests.model("nhwc_input_tiny.input.npy")
        let png = dir.appendingPathComponent("rgb.png").path
        try RunCommandTests.writePNG(png, width: 32, height: 32, channels: 3, pixels: (0..<(32 * 32 * 3)).map { UInt8(($0 * 37) % 256) })
        var outputs: [Tensor] = []
        for (name, flags) in [("f", [String]()), ("u", ["--uint8-input"])] {
            let file = dir.appendingPathComponent("\(name).octet").path, out = dir.appendingPathComponent("\(name).npy").path
            let c = try RunCommandTests.octet(["convert", onnx, "--calibration", calibration, "-o", file, "--mean", "0.5", "--std", "0.25",
                                               "--bias-correction", "off"] + flags)
            #expect(c.status == 0, "\(c.stderr)")
            let r = try RunCommandTests.octet(["run", file, "--input", png, "--output", out])
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try NumpyFile.read(path: out))
        }
        #expect(outputs[0].shape == outputs[1].shape)
        #expect(relativeMaxError(outputs[1].data, outputs[0].data) < 0.1)
    }
}

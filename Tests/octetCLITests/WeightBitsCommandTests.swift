import Foundation
import OctetRuntime
import Testing

/// `octet convert --weight-bits`: 7 writes 7-bit weights and records them; anything but 7 or 8
/// is refused before any work, with a message naming the option, and writes nothing.
@Suite struct WeightBitsCommandTests {
    typealias CLI = RunCommandTests

    @Test func sevenBitsAreWrittenAndRecorded() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("m.octet").path
        let r = try CLI.octet(["convert", CLI.model("mobilenet_v2_tiny.onnx"), "--calibration", CLI.model("mobilenet_v2_tiny.input.npy"),
                               "-o", file, "--weight-bits", "7", "--bias-correction", "off", "--equalization", "off"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("weights: 7-bit"))
        let model = try OctetModel(path: file)
        #expect(model.description.metadata("quantization.weight_bits") == "7")
        let measured = model.description.ops.indices.compactMap { model.weightMagnitude(ofOp: $0) }
        #expect(!measured.isEmpty && measured.allSatisfy { $0 <= 63 })
    }

    @Test(arguments: ["9", "6", "0", "-8", "seven", "7.5"])
    func otherValuesAreRefused(value: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.octet(["convert", CLI.model("mobilenet_v2_tiny.onnx"), "--calibration", CLI.model("mobilenet_v2_tiny.input.npy"),
                               "-o", dir.appendingPathComponent("m.octet").path, "--weight-bits=\(value)"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--weight-bits"), "\(r.stderr)")
        if Int(value) != nil { #expect(r.stderr.contains("--weight-bits must be 7 or 8, got \(value)."), "\(r.stderr)") }
        #expect(!r.stderr.contains("Fatal error"), "trap: \(r.stderr)")
        #expect(CLI.contents(dir).isEmpty)
    }
}

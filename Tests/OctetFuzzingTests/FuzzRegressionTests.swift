import Foundation
import OctetConvert
import OctetFuzzing
import Testing

/// Every input a fuzz target once crashed on (`Tests/FuzzRegressions/<target>/`, see
/// docs/SECURITY.md#fuzzing) replays through the same harness without trapping, and ends where it should.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../FuzzRegressions").standardized

    static func inputs(_ target: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(target).path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
    }

    static func bytes(_ target: String, _ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(target).appendingPathComponent(name))
    }

    @Test(arguments: inputs("octet-loader"))
    func octetLoaderReplays(_ name: String) throws {
        let data = try Self.bytes("octet-loader", name)
        let outcome = data.withUnsafeBytes { LoaderFuzzHarness.run($0) }
        if let expected = Self.octetLoaderOutcomes[name] { #expect(expected(outcome), "\(name): \(outcome)") }
    }

    @Test(arguments: inputs("onnx-import"))
    func onnxImportReplays(_ name: String) throws {
        let data = try Self.bytes("onnx-import", name)
        let outcome = data.withUnsafeBytes { ONNXImportFuzzHarness.run($0) }
        if let expected = Self.onnxImportOutcomes[name] { #expect(expected(outcome), "\(name): \(outcome)") }
    }

    /// Where each regression input must end (inputs not listed only must not trap).
    static let octetLoaderOutcomes: [String: @Sendable (LoaderFuzzHarness.Outcome) -> Bool] = [:]

    static let onnxImportOutcomes: [String: @Sendable (ONNXImportFuzzHarness.Outcome) -> Bool] = [
        // Input [3]: the calibration sample is 3 rows, not 3 samples.
        "calibration-rows-not-batch.onnx": { $0 == .converted },
        "slice-huge-step.onnx": { $0 == .converted },
        // kernel_shape = [Int64.min]: abs() of it trapped in the attribute range check.
        "attribute-ints-int64-min.onnx": { rejected($0, "attribute 'kernel_shape' must be ints in range") },
        // Clip of an initializer: folded to a constant graph output, which the lowering force-unwrapped.
        "constant-graph-output.onnx": { rejected($0, "graph output 'y' is a constant (it depends on no graph input)") },
        // Pool strides of 2^32: the float executor's int32 window conversion trapped.
        "maxpool-stride-2e32.onnx": { rejected($0, "strides [4294967296, 2], dilations [1, 1], pads [0, 0, 0, 0]: a value above 2^30") },
        "avgpool-stride-2e32.onnx": { rejected($0, "strides [2, 4294967296]") },
        // Squeeze axes from a float tensor holding a value beyond Int64: the float → Int64 conversion trapped.
        "float-axes-beyond-int64.onnx": { rejected($0, "(Squeeze): axes [") },
        // Pad to dimensions of 2^31: a later Reshape's element count overflowed Int.
        // ConvTranspose output_shape with one entry: indexed its second spatial size.
        "convtranspose-short-output-shape.onnx": { rejected($0, "(ConvTranspose): output_shape [-2]") },
        // ConvTranspose kernel_shape larger than its weights: the float executor read past them (ASan).
        "convtranspose-kernel-shape-wide.onnx": { rejected($0, "kernel_shape [3, 1024] disagrees with weight [1, 1, 3, 3]") },
        "convtranspose-kernel-shape-tall.onnx": { rejected($0, "kernel_shape [1025, 3] disagrees with weight [1, 1, 3, 3]") },
        // Pads of Int64.max from a constant input: shape + pads overflowed.
        "pad-int64-max.onnx": { rejected($0, "(Pad): pads [0, 0, 9223372036854775807") },
        "pad-output-beyond-int.onnx": { rejected($0, "(Pad): output shape [2147483649, 2147483664, 18, 18] has a negative dimension or more than 2^40 elements") },
    ]

    static func rejected(_ outcome: ONNXImportFuzzHarness.Outcome, _ text: String) -> Bool {
        if case let .rejected(message) = outcome { return message.contains(text) }
        return false
    }

    static func rejected(_ outcome: LoaderFuzzHarness.Outcome, _ text: String) -> Bool {
        if case let .rejected(message) = outcome { return message.contains(text) }
        return false
    }

    /// The first crash: a model whose input's first axis is not a batch of 1 took a calibration
    /// batch as that many samples and sliced past its end.
    @Test func calibrationOfANonBatchInput() throws {
        let data = try Self.bytes("onnx-import", "calibration-rows-not-batch.onnx")
        let imported = try ONNXImporter.importModel(data: data, directory: nil)
        let shape = imported.graph.inputs.map { imported.graph[$0].shape }[0]
        #expect(shape.first == 3)
        var options = ConversionOptions()
        options.progress = false
        let rows = shape.reduce(1, *) / 3
        func calibration(_ n: Int) -> Tensor {
            Tensor(shape: [n] + shape.dropFirst(), data: (0..<(n * rows)).map { Float($0 % 7) - 3 })
        }
        let two = try Converter.convert(source: data, directory: nil, name: "x.onnx", calibration: calibration(6), options: options)
        #expect(two.calibrationSamples == 2)
        #expect(throws: ConvertError.invalidInput("calibration samples have shape [4]; the model input is [3] (N a multiple of 3)")) {
            _ = try Converter.convert(source: data, directory: nil, name: "x.onnx", calibration: calibration(4), options: options)
        }
    }

    /// Slice with step 2^58 on an axis of 20 (one element taken): the float executor multiplied
    /// the step by the axis stride and overflowed. The importer clamps steps to the axis size.
    @Test func sliceStepIsClampedToTheAxis() throws {
        let data = try Self.bytes("onnx-import", "slice-huge-step.onnx")
        let graph = try ONNXImporter.importModel(data: data, directory: nil).graph
        guard graph.nodes.count == 1, case let .slice(p) = graph.nodes[0].op else {
            Issue.record("expected one Slice node, got \(graph.nodes.map(\.op))")
            return
        }
        #expect(p.starts == [0, 0, 0] && p.steps == [20, 1, 1] && p.counts == [1, 10, 5])
    }
}

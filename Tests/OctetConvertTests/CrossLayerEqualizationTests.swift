import Foundation
@testable import OctetConvert
import OctetRuntime
import Testing
import _TestSupport

/// Cross-layer equalization keeps the float function (ReLU between the pair), equalizes each
/// pair's channel ranges, and is recorded so `octet eval` compares equalized tensors correctly.
@Suite struct CrossLayerEqualizationTests {
    /// x → Conv 3×3 (8 ch, `activation`) → depthwise 3×3 (ReLU) → grouped 1×1 (2 groups) → Conv 1×1 (6 ch).
    /// Output channel c of the first conv is scaled by 2^(c−4), so its channel ranges span 128×.
    func stack(activation: String) throws -> ImportedModel {
        var b = ONNXBuilder()
        var r = SeededRandom(seed: 11)
        b.input("x", [1, 4, 8, 5])  // W ≠ C: a per-channel statistic taken along W would show
        let w1 = r.floats(8 * 4 * 9).enumerated().map { i, v in v * Float(pow(2.0, Double(i / 36 - 4))) }
        b.initializer("w1", [8, 4, 3, 3], w1)
        b.initializer("b1", [8], r.floats(8))
        b.initializer("w2", [8, 1, 3, 3], r.floats(72))
        b.initializer("b2", [8], r.floats(8))
        b.initializer("w3", [8, 4, 1, 1], r.floats(32))
        b.initializer("w4", [6, 8, 1, 1], r.floats(48))
        b.initializer("lo", [], [0]); b.initializer("hi", [], [6])
        b.node("Conv", ["x", "w1", "b1"], ["c1"], ["pads": [1, 1, 1, 1]])
        if activation == "relu6" { b.node("Clip", ["c1", "lo", "hi"], ["a1"]) } else { b.node("Relu", ["c1"], ["a1"]) }
        b.node("Conv", ["a1", "w2", "b2"], ["c2"], ["pads": [1, 1, 1, 1], "group": 8])
        b.node("Relu", ["c2"], ["a2"])
        b.node("Conv", ["a2", "w3"], ["c3"], ["group": 2])
        b.node("Conv", ["c3", "w4"], ["y"])
        b.output("y")
        return try b.imported()
    }

    func convWeights(_ graph: Graph) -> [Tensor] {
        graph.nodes.compactMap { node in
            if case .conv = node.op { return graph.constants[node.inputs[1]] }
            return nil
        }
    }

    @Test func reluStackKeepsItsFunctionAndEqualizesRanges() throws {
        let imported = try stack(activation: "relu")
        let original = try FloatModel(imported: imported)
        var graph = original.graph
        let result = CrossLayerEqualization.run(&graph)
        #expect(result.pairs == 3)
        #expect(result.clipsReplaced == 0)
        #expect(result.scales.count == 3 && result.scales.values.allSatisfy { $0.count == 8 })
        let equalized = try FloatModel(imported: imported, optimized: graph)
        var r = SeededRandom(seed: 12)
        let x = Tensor(shape: [1, 4, 8, 5], data: r.floats(160).map { $0 * 3 })
        #expect(relativeMaxError(try equalized.run([x])[0].data, try original.run([x])[0].data) < 1e-5)

        // After convergence each pair's producer and consumer ranges agree channel by channel.
        let w = convWeights(graph), groups = [1, 8, 2, 1]
        for k in 0..<3 {
            let rA = CrossLayerEqualization.outputChannelRanges(w[k])
            let rB = CrossLayerEqualization.inputChannelRanges(w[k + 1], groups: groups[k + 1])
            for c in rA.indices { #expect(abs(rA[c] - rB[c]) <= 1e-3 * max(rA[c], rB[c]), "pair \(k) channel \(c): \(rA[c]) vs \(rB[c])") }
        }
        // The 128× spread of the first conv's channel ranges shrinks.
        let before = CrossLayerEqualization.outputChannelRanges(convWeights(original.graph)[0])
        let after = CrossLayerEqualization.outputChannelRanges(w[0])
        #expect(after.max()! / after.min()! < before.max()! / before.min()! / 4)
    }

    /// The equalized candidate's observation derived from per-channel extremes (no second
    /// calibration) matches calibrating the equalized model: ranges, float sums and outputs.
    @Test func derivedObservationMatchesCalibratingTheEqualizedModel() throws {
        let imported = try stack(activation: "relu")
        let original = try FloatModel(imported: imported)
        var graph = original.graph
        let pairs = CrossLayerEqualization.pairs(in: graph).map(\.value)
        let result = CrossLayerEqualization.run(&graph)
        let equalized = try FloatModel(imported: imported, optimized: graph)
        var r = SeededRandom(seed: 14)
        let samples = Tensor(shape: [6, 4, 8, 5], data: r.floats(6 * 160).map { $0 * 3 })
        var options = ConversionOptions()
        options.progress = false
        let derived = try #require(try Converter.observe(original, calibration: samples, options: options, label: "", extremesOf: pairs)
            .dividing(result.scales))
        let measured = try Converter.observe(equalized, calibration: samples, options: options, label: "")
        #expect(Set(derived.ranges.keys) == Set(measured.ranges.keys))
        for (id, m) in measured.ranges {
            let d = try #require(derived.ranges[id])
            let tolerance = 1e-5 * max(abs(m.lo), abs(m.hi), 1e-3)
            #expect(abs(d.lo - m.lo) <= tolerance && abs(d.hi - m.hi) <= tolerance, "\(graph[id].name): derived \(d) vs measured \(m)")
        }
        // The pairs' values really moved (otherwise the comparison above proves nothing).
        for id in pairs {
            let o = try #require(Converter.observe(original, calibration: samples, options: options, label: "").ranges[id])
            #expect(abs(o.hi - measured.ranges[id]!.hi) > 1e-3 * o.hi, "\(graph[id].name) kept its range")
        }
        #expect(Set(derived.floatSums.sums.keys) == Set(measured.floatSums.sums.keys))
        for (id, m) in measured.floatSums.sums {
            let d = try #require(derived.floatSums.sums[id])
            let scale = m.map(abs).max()! + 1e-6
            for c in m.indices { #expect(abs(d[c] - m[c]) <= 1e-4 * scale, "\(graph[id].name) channel \(c)") }
        }
        for (d, m) in zip(derived.outputs, measured.outputs) { #expect(relativeMaxError(d, m) < 1e-5) }
        // Without the pairs' extremes there is nothing to derive from.
        #expect(try Converter.observe(original, calibration: samples, options: options, label: "").dividing(result.scales) == nil)
    }

    @Test func relu6BetweenAPairBecomesRelu() throws {
        let imported = try stack(activation: "relu6")
        var graph = try FloatModel(imported: imported).graph
        let result = CrossLayerEqualization.run(&graph)
        #expect(result.clipsReplaced == 1)
        #expect(!graph.nodes.contains { if case let .conv(p) = $0.op, case .clip = p.activation { return true }; return false })
    }

    /// `--equalization on` records the per-channel scales; `octet eval`'s per-layer SQNR undoes
    /// them, so it stays in line with the unequalized model's (it would collapse otherwise).
    @Test func forcedEqualizationIsRecordedAndEvalUndoesIt() throws {
        let onnx = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/models/resnet18_tiny.onnx").path
        var r = SeededRandom(seed: 13)
        let samples = Tensor(shape: [6, 3, 64, 64], data: r.floats(6 * 3 * 64 * 64))
        var options = ConversionOptions()
        options.progress = false
        options.biasCorrection = .off
        options.equalization = .off
        let plain = try Converter.convert(onnxPath: onnx, calibration: samples, options: options)
        options.equalization = .on
        let equalized = try Converter.convert(onnxPath: onnx, calibration: samples, options: options)
        #expect(plain.model.metadata("quantization.equalization") == "off")
        #expect(try #require(equalized.model.metadata("quantization.equalization")).hasPrefix("applied"))
        let scales = Evaluation.equalizationScales(equalized.model)
        #expect(!scales.isEmpty)
        #expect(scales.values.contains { $0.contains { abs($0 - 1) > 0.05 } }, "the fixture's ranges must actually move")

        let float = try FloatModel(onnxPath: onnx)
        let labels = [Int](repeating: 0, count: 6)
        let a = try Evaluation.run(int8: try Int8Model(octet: try OctetModel(bytes: plain.bytes)), float: float, images: samples, labels: labels)
        let b = try Evaluation.run(int8: try Int8Model(octet: try OctetModel(bytes: equalized.bytes)), float: float, images: samples, labels: labels)
        let plainByName = Dictionary(a.layers.map { ($0.name, $0.sqnr) }, uniquingKeysWith: { x, _ in x })
        for layer in b.layers where scales[layer.name] != nil {
            let reference = try #require(plainByName[layer.name])
            #expect(layer.sqnr > reference - 6, "\(layer.name): \(layer.sqnr) dB equalized vs \(reference) dB plain")
        }
    }
}

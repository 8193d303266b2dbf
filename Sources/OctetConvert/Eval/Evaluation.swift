import Foundation
import OctetRuntime

/// int8 vs float on a labeled dataset: top-1 of each, top-1 agreement, output SQNR and the
/// SQNR of every int8 tensor against its float twin (same value of the same graph).
public struct EvaluationReport: Sendable {
    public struct Layer: Sendable {
        public var name: String
        public var op: String
        public var sqnr: Double
    }
    public var samples = 0
    public var floatCorrect = 0
    public var int8Correct = 0
    public var agree = 0
    public var outputSQNR: Double = .nan
    /// In execution order.
    public var layers: [Layer] = []

    public var floatTop1: Double { Double(floatCorrect) / Double(max(samples, 1)) }
    public var int8Top1: Double { Double(int8Correct) / Double(max(samples, 1)) }
    public var agreement: Double { Double(agree) / Double(max(samples, 1)) }
}

/// Signal and noise energies of one tensor pair, accumulated over samples.
struct SQNRAccumulator {
    var signal = 0.0, noise = 0.0
    mutating func add(reference: UnsafeBufferPointer<Float>, test: (Int) -> Float) {
        for i in 0..<reference.count {
            let f = Double(reference[i]), d = f - Double(test(i))
            signal += f * f
            noise += d * d
        }
    }
    /// dB; +∞ when there is no noise.
    var decibels: Double { noise == 0 ? .infinity : 10 * log10(max(signal, 1e-30) / noise) }
}

public enum Evaluation {
    /// Runs both models on `images` (`[N, …input]`, normalised, model layout) with `labels`.
    public static func run(int8 model: Int8Model, float reference: FloatModel, images: Tensor, labels: [Int],
                           progress: ProgressBar? = nil) throws -> EvaluationReport {
        let inputShape = reference.inputShapes[0]
        let per = inputShape.reduce(1, *)
        guard images.shape.count == inputShape.count, Array(images.shape.dropFirst()) == Array(inputShape.dropFirst()) else {
            throw ConvertError.invalidInput("dataset images have shape \(images.shape); the model input is \(inputShape)")
        }
        guard labels.count == images.shape[0] else {
            throw ConvertError.invalidInput("dataset has \(images.shape[0]) images but \(labels.count) labels")
        }
        // Pair int8 arena tensors with float graph values of the same name and element count.
        let g = reference.graph
        let twins = FloatTwins(g)
        let tensors = model.octet.description.tensors
        // Equalized tensors hold `original / s[c]` per channel (NHWC: channel = element % C).
        let equalized = equalizationScales(model.octet.description)
        var pairs: [(tensor: Int, value: ValueID, op: String, scales: [Float]?)] = []
        var pairsOfOp: [[Int]] = Array(repeating: [], count: model.octet.description.ops.count)
        for (k, op) in model.octet.description.ops.enumerated() {
            for t in op.outputs where tensors[t].type == .int8 {
                if let v = twins.twin(of: tensors[t]) {
                    pairsOfOp[k].append(pairs.count)
                    pairs.append((t, v, op.code.description, equalized[g[v].name]))
                }
            }
        }
        var layerSQNR = [SQNRAccumulator](repeating: SQNRAccumulator(), count: pairs.count)
        var outputSQNR = SQNRAccumulator()
        var report = EvaluationReport()
        let classes = reference.graph[reference.graph.outputs[0]].elementCount
        for item in 0..<labels.count {
            let x = Tensor(shape: inputShape, data: Array(images.data[(item * per)..<((item + 1) * per)]))
            let f = try reference.run([x])[0]
            // Compare each int8 tensor with its float twin right after the op that writes it.
            let q = try model.run([x]) { k in
                for index in pairsOfOp[k] {
                    let pair = pairs[index]
                    let quant = tensors[pair.tensor].quantization!
                    let bytes = model.interpreter.tensorBytes(pair.tensor)
                    let buffer = reference.executor.buffers[pair.value.index]
                    let reference = UnsafeBufferPointer(start: buffer.baseAddress, count: g[pair.value].elementCount)
                    if let s = pair.scales {
                        layerSQNR[index].add(reference: reference) {
                            s[$0 % s.count] * quant.scale * Float(Int32(Int8(bitPattern: bytes[$0])) - quant.zeroPoint)
                        }
                    } else {
                        layerSQNR[index].add(reference: reference) {
                            quant.scale * Float(Int32(Int8(bitPattern: bytes[$0])) - quant.zeroPoint)
                        }
                    }
                }
            }[0]
            guard f.count == classes, q.count == classes else { throw ConvertError.invalidInput("the two models' outputs differ in size") }
            let fTop = argmax(f.data), qTop = argmax(q.data)
            report.samples += 1
            if fTop == labels[item] { report.floatCorrect += 1 }
            if qTop == labels[item] { report.int8Correct += 1 }
            if fTop == qTop { report.agree += 1 }
            f.data.withUnsafeBufferPointer { ref in outputSQNR.add(reference: ref) { q.data[$0] } }
            progress?.update(completed: item + 1)
        }
        progress?.finish()
        report.outputSQNR = outputSQNR.decibels
        report.layers = zip(pairs, layerSQNR).map { EvaluationReport.Layer(name: g[$0.value].name, op: $0.op, sqnr: $1.decibels) }
        return report
    }

    /// The per-channel cross-layer equalization scales the converter recorded, by tensor name.
    static func equalizationScales(_ model: ModelDescription) -> [String: [Float]] {
        guard let text = model.metadata("quantization.equalization_scales") else { return [:] }
        var result: [String: [Float]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            let scales = parts[1].split(separator: ",").compactMap { Float(String($0)) }
            if !scales.isEmpty { result[String(parts[0])] = scales }
        }
        return result
    }

    static func argmax(_ v: [Float]) -> Int {
        var best = 0
        for i in v.indices where v[i] > v[best] { best = i }
        return best
    }
}

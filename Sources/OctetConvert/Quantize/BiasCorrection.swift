import OctetRuntime

/// Empirical bias correction (Nagel et al. 2019, §4.2 "empirical"): run the int8 model and the
/// float graph on calibration samples, measure each Conv/DepthwiseConv/FC output channel's mean
/// error `E[c] = mean(dequant(q) − f)`, and subtract it from the int32 bias
/// (`Δb = round(E[c] / (s_in·s_w[c]))`), layer after layer. The result is kept only if the
/// output SQNR on held-out calibration samples improves ("on only where it measurably helps").
public enum BiasCorrection {
    public struct Outcome: Sendable {
        public var applied: Bool
        public var sqnrBefore: Double
        public var sqnrAfter: Double
        public var layers: Int
    }

    static func run(_ model: ModelDescription) throws -> Int8Model {
        try Int8Model(octet: try OctetModel(bytes: OctetSerializer.serialize(model)))
    }

    /// Output SQNR (dB) of the int8 model against the float one on `samples`.
    static func outputSQNR(_ int8: Int8Model, _ float: FloatModel, _ samples: [Tensor]) throws -> Double {
        var acc = SQNRAccumulator()
        for x in samples {
            let f = try float.run([x])[0], q = try int8.run([x])[0]
            f.data.withUnsafeBufferPointer { ref in acc.add(reference: ref) { q.data[$0] } }
        }
        return acc.decibels
    }

    /// Corrects `model` in place when `requireImprovement` is false or the held-out SQNR improves.
    public static func apply(_ model: inout ModelDescription, float: FloatModel, samples: [Tensor],
                             requireImprovement: Bool = true) throws -> Outcome {
        guard samples.count >= 2 else { return Outcome(applied: false, sqnrBefore: .nan, sqnrAfter: .nan, layers: 0) }
        let original = model
        let split = max(1, samples.count / 2)
        let measure = Array(samples[..<split]), validate = Array(samples[split...])
        let int8 = try run(model)
        let twins = FloatTwins(float.graph)
        // (op index, output tensor, float twin, channels)
        var targets: [(op: Int, tensor: Int, value: ValueID, channels: Int)] = []
        for (k, op) in original.ops.enumerated() where [.conv2D, .depthwiseConv2D, .fullyConnected].contains(op.code) {
            let t = op.outputs[0]
            if let v = twins.twin(of: original.tensors[t]) { targets.append((k, t, v, original.tensors[t].shape.last!)) }
        }
        // Layer by layer in execution order: each layer's error is measured with the layers
        // before it already corrected, so propagated error is not corrected twice.
        var corrected = original
        var current = int8
        for target in targets {
            var sums = [Double](repeating: 0, count: target.channels)
            var count = 0
            let q = original.tensors[target.tensor].quantization!
            let elements = original.tensors[target.tensor].elementCount
            for x in measure {
                _ = try float.run([x])
                let interpreter = current.interpreter
                _ = try current.run([x]) { k in
                    guard k == target.op else { return }
                    let bytes = interpreter.tensorBytes(target.tensor)
                    let reference = float.executor.buffers[target.value.index]
                    for e in 0..<elements {
                        let deq = q.scale * Float(Int32(Int8(bitPattern: bytes[e])) - q.zeroPoint)
                        sums[e % target.channels] += Double(deq - reference[e])
                    }
                    count += elements / target.channels
                }
            }
            guard count > 0 else { continue }
            let op = original.ops[target.op]
            let sIn = Double(original.tensors[op.inputs[0]].quantization!.scale)
            let sw = original.tensors[op.inputs[1]].quantization!.channelScales
            var bias = corrected.tensors[op.inputs[2]].data
            for c in 0..<target.channels {
                let delta = (sums[c] / Double(count) / (sIn * Double(sw[c]))).rounded()
                bias.setInt32(Int32(clamping: Int64(bias.int32(at: c)) - Int64(delta)), at: c)
            }
            corrected.tensors[op.inputs[2]].data = bias
            current = try run(corrected)
        }
        let before = try outputSQNR(int8, float, validate)
        let after = try outputSQNR(current, float, validate)
        let applied = !requireImprovement || after > before
        if applied { model = corrected }
        return Outcome(applied: applied, sqnrBefore: before, sqnrAfter: after, layers: targets.count)
    }
}

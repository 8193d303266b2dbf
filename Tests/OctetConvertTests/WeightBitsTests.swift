import Foundation
import OctetConvert
import OctetRuntime
import Testing

/// `weightBits`: 7-bit conversions keep every conv / depthwise / fully-connected weight in
/// [−63, 63] (each channel's largest |w| maps to exactly 63), record
/// `quantization.weight_bits`, and the verifier measures the same range from the bytes.
@Suite struct WeightBitsTests {
    static let weightOps: Set<OpCode> = [.conv2D, .depthwiseConv2D, .fullyConnected]

    @Test func quantizeWeightsUsesTheChannelMaximumOverQmax() {
        let w: [Float] = [0.4, -1.0, 0.25, 0, 2.0, -0.1, 0, 0, 0]
        let (q7, s7) = QuantizationMath.quantizeWeights(w, channels: 3, bits: .seven) { $0 / 3 }
        #expect(q7 == [25, -63, 16, 0, 63, -3, 0, 0, 0] as [Int8])
        let expected7: [Float] = [1.0 / 63, 2.0 / 63, 1]
        #expect(s7 == expected7)
        let (q8, s8) = QuantizationMath.quantizeWeights(w, channels: 3) { $0 / 3 }
        #expect(q8 == [51, -127, 32, 0, 127, -6, 0, 0, 0] as [Int8])
        let expected8: [Float] = [1.0 / 127, 2.0 / 127, 1]
        #expect(s8 == expected8)
        #expect(WeightBits.seven.qmax == 63 && WeightBits.eight.qmax == 127)
    }

    @Test(arguments: ["mobilenet_v2_tiny", "resnet18_tiny", "ops_tiny"])
    func sevenBitConversionRoundTrip(fixture: String) throws {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/models")
        let input = try NumpyFile.read(path: dir.appendingPathComponent("\(fixture).input.npy").path)
        for bits in WeightBits.allCases {
            var options = ConversionOptions()
            options.progress = false
            options.lowering.weightBits = bits
            let result = try Converter.convert(onnxPath: dir.appendingPathComponent("\(fixture).onnx").path, calibration: input, options: options)
            let loaded = try OctetModel(bytes: result.bytes)
            let m = loaded.description
            #expect(m.metadata("quantization.weight_bits") == bits.description)
            #expect(OctetSerializer.serialize(loaded.materialized()) == result.bytes)
            var checked = 0
            for (index, op) in m.ops.enumerated() where Self.weightOps.contains(op.code) {
                let w = m.tensors[op.inputs[1]]
                let q = try #require(loaded.constantBytes(op.inputs[1])).map { Int(Int8(bitPattern: $0)) }
                #expect(q.count == w.elementCount)
                let magnitude = q.map { abs($0) }.max() ?? 0
                #expect(loaded.weightMagnitude(ofOp: index) == magnitude, "op #\(index)")
                // Per channel (axis 0, or 3 for depthwise): the largest |w| is qmax, or 0 for an all-zero channel.
                let channels = w.shape[w.quantization!.channelAxis], axisLast = w.quantization!.channelAxis == 3
                var channelMax = [Int](repeating: 0, count: channels)
                for (i, v) in q.enumerated() {
                    let c = axisLast ? i % channels : i / (q.count / channels)
                    channelMax[c] = max(channelMax[c], abs(v))
                }
                #expect(channelMax.allSatisfy { $0 == bits.qmax || $0 == 0 }, "\(fixture) op #\(index) (\(op.code)): channel maxima \(Set(channelMax)) for \(bits)-bit")
                checked += 1
            }
            #expect(checked > 0)
        }
    }
}

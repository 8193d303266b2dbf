import Foundation
import OctetRuntime

/// The converter side of the quantization spec (DESIGN.md §2): weights, bias, tables, clamps.
public enum QuantizationMath {
    /// Symmetric per-channel int8 weights: `s[c] = max|w[c]|/qmax`, `q = round(w/s)` in
    /// [−qmax, qmax] with qmax = 127 (8 bits) or 63 (7 bits). `channelOf(i)` gives the channel of
    /// flat element i. An all-zero channel gets scale 1.
    public static func quantizeWeights(_ w: [Float], channels: Int, bits: WeightBits = .eight,
                                       channelOf: (Int) -> Int) -> (q: [Int8], scales: [Float]) {
        var maxAbs = [Float](repeating: 0, count: channels)
        for i in w.indices { maxAbs[channelOf(i)] = max(maxAbs[channelOf(i)], abs(w[i])) }
        let qmax = Float(bits.qmax)
        let scales = maxAbs.map { $0 > 0 ? $0 / qmax : 1 }
        let q = w.indices.map { i -> Int8 in
            Int8(max(-qmax, min(qmax, (w[i] / scales[channelOf(i)]).rounded())))
        }
        return (q, scales)
    }

    /// int32 bias with scale `inputScale·weightScale[c]`.
    public static func quantizeBias(_ b: [Float], inputScale: Float, weightScales: [Float]) -> [Int32] {
        b.indices.map { c in
            let v = (Double(b[c]) / (Double(inputScale) * Double(weightScales[c]))).rounded()
            return Int32(max(Double(Int32.min), min(Double(Int32.max), v)))
        }
    }

    /// The 256-entry table of an int8→int8 function: entry `q + 128` holds
    /// `clamp(round(f(s_in·(q − z_in))/s_out) + z_out, −128, 127)`.
    public static func lookupTable(input: ActivationQuantization, output: ActivationQuantization, _ f: (Double) -> Double) -> [Int8] {
        (-128...127).map { q in
            let x = Double(input.scale) * Double(q - Int(input.zeroPoint))
            let y = (f(x) / Double(output.scale)).rounded() + Double(output.zeroPoint)
            return Int8(max(-128, min(127, y.isNaN ? Double(output.zeroPoint) : y)))
        }
    }

    /// Clamp bounds of a fused activation in output units, intersected with [−128, 127].
    public static func clampBounds(_ activation: Activation, output: ActivationQuantization) -> (lo: Int32, hi: Int32) {
        let (lo, hi) = activation.bounds
        func q(_ v: Float) -> Int32 {
            guard v.isFinite else { return v > 0 ? 127 : -128 }
            return Int32(max(-128, min(127, (v / output.scale).rounded() + Float(output.zeroPoint))))
        }
        return (q(lo), q(hi))
    }
}

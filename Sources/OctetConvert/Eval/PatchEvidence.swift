import CImage
import Foundation
import OctetRuntime

/// BagNet-style class evidence per patch: a model that ends in spatial average pool → (reshape)
/// → fully connected is linear after the pool, so applying the FC at every position of the
/// pooled feature map gives each patch's logits (their mean is the model's output).
public struct PatchEvidenceMap: Sendable {
    public var height: Int, width: Int, classes: Int
    /// `[class][y][x]`.
    public var values: [Float]

    public func map(forClass c: Int) -> ArraySlice<Float> { values[(c * height * width)..<((c + 1) * height * width)] }
}

public enum PatchEvidence {
    /// The feature tensor (NHWC) pooled into the final FC, and that FC op, in an int8 model.
    static func locate(_ m: ModelDescription) -> (feature: Int, fc: OpDescription)? {
        guard let fcIndex = m.ops.lastIndex(where: { $0.code == .fullyConnected }) else { return nil }
        var t = m.ops[fcIndex].inputs[0]
        while let producer = m.ops.first(where: { $0.outputs.contains(t) }) {
            switch producer.code {
            case .reshape, .transpose: t = producer.inputs[0]
            case .globalAveragePool:
                return (producer.inputs[0], m.ops[fcIndex])
            case .averagePool2D where m.tensors[producer.outputs[0]].shape[1] == 1 && m.tensors[producer.outputs[0]].shape[2] == 1:
                return (producer.inputs[0], m.ops[fcIndex])
            default: return nil
            }
        }
        return nil
    }

    /// Runs `model` on one item and returns the evidence of every patch of the pooled map.
    public static func evidence(_ model: Int8Model, input: Tensor) throws -> PatchEvidenceMap {
        let d = model.octet.description
        guard let (feature, fc) = locate(d) else {
            throw ConvertError.invalidInput("--heatmap needs a model that ends in spatial average pooling and a fully connected layer (BagNet-style)")
        }
        let shape = d.tensors[feature].shape  // [1, H, W, C]
        guard shape.count == 4, shape[0] == 1 else { throw ConvertError.invalidInput("--heatmap: feature map \(shape) is not one NHWC image") }
        let producer = d.ops.firstIndex { $0.outputs.contains(feature) }
        var features = [Float](repeating: 0, count: shape.reduce(1, *))
        let q = d.tensors[feature].quantization!
        _ = try model.run([input]) { k in
            guard k == producer else { return }
            let bytes = model.interpreter.tensorBytes(feature)
            for i in features.indices { features[i] = q.scale * Float(Int32(Int8(bitPattern: bytes[i])) - q.zeroPoint) }
        }
        // Dequantized FC: W[n][c] = s_w[n]·q_w, bias[n] = s_x·s_w[n]·q_b (x is the pooled input).
        let w = d.tensors[fc.inputs[1]], n = w.shape[0], c = w.shape[1]
        guard c == shape[3], let wb = model.octet.constantBytes(fc.inputs[1]), let bb = model.octet.constantBytes(fc.inputs[2]) else {
            throw ConvertError.invalidInput("--heatmap: the classifier does not read the pooled features directly")
        }
        let sx = d.tensors[fc.inputs[0]].quantization!.scale, sw = w.quantization!.channelScales
        var weights = [Float](repeating: 0, count: n * c), bias = [Float](repeating: 0, count: n)
        let biasBytes = Array(bb)
        for o in 0..<n {
            for k in 0..<c { weights[o * c + k] = sw[o] * Float(Int8(bitPattern: wb[o * c + k])) }
            bias[o] = sx * sw[o] * Float(biasBytes.int32(at: o))
        }
        return apply(features: features, height: shape[1], width: shape[2], channels: c, weights: weights, bias: bias, classes: n)
    }

    static func apply(features: [Float], height: Int, width: Int, channels: Int, weights: [Float], bias: [Float], classes: Int) -> PatchEvidenceMap {
        var values = [Float](repeating: 0, count: classes * height * width)
        for p in 0..<(height * width) {
            for o in 0..<classes {
                var sum = bias[o]
                for k in 0..<channels { sum += weights[o * channels + k] * features[p * channels + k] }
                values[o * height * width + p] = sum
            }
        }
        return PatchEvidenceMap(height: height, width: width, classes: classes, values: values)
    }

    /// A PNG of class `c`'s evidence over the input image: the image (gray, un-normalised with
    /// mean/std) at `scale`× its size, tinted red where the evidence is positive and blue where
    /// negative (bilinear over the patch grid, centred on the image).
    public static func png(_ map: PatchEvidenceMap, classIndex c: Int, image: Tensor, mean: [Float], std: [Float], scale: Int = 8) throws -> Data {
        let geometry = try ImageInput.geometry(of: image.shape)
        let h = geometry.height, w = geometry.width, channels = geometry.channels
        func pixel(_ y: Int, _ x: Int) -> Float {
            var sum: Float = 0
            for ch in 0..<channels {
                let i = geometry.layout == .nchw ? (ch * h + y) * w + x : (y * w + x) * channels + ch
                let m = mean.count == channels ? mean[ch] : mean.first ?? 0, s = std.count == channels ? std[ch] : std.first ?? 1
                sum += image.data[i] * s + m
            }
            return min(max(sum / Float(channels), 0), 1)
        }
        let evidence = Array(map.map(forClass: c))
        let limit = max(evidence.map(abs).max() ?? 1, 1e-6)
        let oh = h * scale, ow = w * scale
        var rgb = [UInt8](repeating: 0, count: oh * ow * 3)
        for y in 0..<oh {
            for x in 0..<ow {
                let g = pixel(y / scale, x / scale)
                // Patch-grid coordinates of this pixel (grid spread evenly over the image).
                let gy = min(max((Float(y) + 0.5) / Float(oh) * Float(map.height) - 0.5, 0), Float(map.height - 1))
                let gx = min(max((Float(x) + 0.5) / Float(ow) * Float(map.width) - 0.5, 0), Float(map.width - 1))
                let y0 = Int(gy), x0 = Int(gx), y1 = min(y0 + 1, map.height - 1), x1 = min(x0 + 1, map.width - 1)
                let fy = gy - Float(y0), fx = gx - Float(x0)
                func e(_ yy: Int, _ xx: Int) -> Float { evidence[yy * map.width + xx] }
                let v = ((e(y0, x0) * (1 - fx) + e(y0, x1) * fx) * (1 - fy) + (e(y1, x0) * (1 - fx) + e(y1, x1) * fx) * fy) / limit
                let a = min(abs(v), 1) * 0.75
                let tint: (Float, Float, Float) = v >= 0 ? (1, 0.1, 0.1) : (0.1, 0.3, 1)
                let o = (y * ow + x) * 3
                rgb[o] = UInt8(255 * ((1 - a) * g + a * tint.0))
                rgb[o + 1] = UInt8(255 * ((1 - a) * g + a * tint.1))
                rgb[o + 2] = UInt8(255 * ((1 - a) * g + a * tint.2))
            }
        }
        var out = Data()
        let ok = withUnsafeMutablePointer(to: &out) { sink in
            stbi_write_png_to_func({ context, data, size in
                let d = context!.assumingMemoryBound(to: Data.self)
                d.pointee.append(data!.assumingMemoryBound(to: UInt8.self), count: Int(size))
            }, sink, Int32(ow), Int32(oh), 3, rgb, Int32(ow * 3))
        }
        guard ok != 0 else { throw ConvertError.io("could not encode the heatmap PNG") }
        return out
    }
}

import OctetKernels

/// The sliding window of a conv or pool: ten words, in this order, in the op's parameters.
public struct Window: Sendable, Equatable {
    public var kernelH, kernelW, strideH, strideW, dilationH, dilationW: Int32
    public var padTop, padLeft, padBottom, padRight: Int32

    public init(kernel: (Int, Int), stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1), pads: (Int, Int, Int, Int) = (0, 0, 0, 0)) {
        kernelH = Int32(kernel.0); kernelW = Int32(kernel.1); strideH = Int32(stride.0); strideW = Int32(stride.1)
        dilationH = Int32(dilation.0); dilationW = Int32(dilation.1)
        padTop = Int32(pads.0); padLeft = Int32(pads.1); padBottom = Int32(pads.2); padRight = Int32(pads.3)
    }

    /// Words 0..<10 of `w`.
    init(words w: [Int32]) {
        kernelH = w[0]; kernelW = w[1]; strideH = w[2]; strideW = w[3]; dilationH = w[4]; dilationW = w[5]
        padTop = w[6]; padLeft = w[7]; padBottom = w[8]; padRight = w[9]
    }

    public var words: [Int32] { [kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight] }
    var taps: Int { Int(kernelH) * Int(kernelW) }

    /// Output size over an NHWC `input`, checked like the importer computes it. Kernels up to
    /// 1024 (a global max pool is one big window); stride and dilation up to 64; padding ≤ 1024.
    func outputSize(input: [Int], _ s: OpSite) throws(OctetError) -> (h: Int, w: Int) {
        guard input.count == 4 else { throw s.fail("windowed input of rank \(input.count), expects 4") }
        let (kh, kw, sh, sw, dh, dw) = (Int(kernelH), Int(kernelW), Int(strideH), Int(strideW), Int(dilationH), Int(dilationW))
        guard (1...1024).contains(kh), (1...1024).contains(kw), (1...64).contains(sh), (1...64).contains(sw),
              (1...64).contains(dh), (1...64).contains(dw) else {
            throw s.fail("kernel \(kh)×\(kw), stride \(sh)×\(sw), dilation \(dh)×\(dw) outside 1…1024 / 1…64")
        }
        let pads = [Int(padTop), Int(padLeft), Int(padBottom), Int(padRight)]
        guard pads.allSatisfy({ (0...1024).contains($0) }) else { throw s.fail("padding \(pads) outside 0…1024") }
        let spanH = input[1] + pads[0] + pads[2] - dh * (kh - 1) - 1, spanW = input[2] + pads[1] + pads[3] - dw * (kw - 1) - 1
        guard spanH >= 0, spanW >= 0 else { throw s.fail("window \(kh)×\(kw) does not fit input \(input)") }
        return (spanH / sh + 1, spanW / sw + 1)
    }

    /// The kernels' form, between NHWC `input` and `output` shapes.
    func octk(input: [Int], output: [Int]) -> octk_window {
        octk_window(in_h: Int32(input[1]), in_w: Int32(input[2]), kernel_h: kernelH, kernel_w: kernelW, stride_h: strideH,
                    stride_w: strideW, dilation_h: dilationH, dilation_w: dilationW, pad_top: padTop, pad_left: padLeft,
                    pad_bottom: padBottom, pad_right: padRight, out_h: Int32(output[1]), out_w: Int32(output[2]))
    }
}

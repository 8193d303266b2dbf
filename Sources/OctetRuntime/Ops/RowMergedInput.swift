import OctetKernels

/// A conv over few input channels (an image stem: 3 channels, 7×7) as a kH × 1 conv over kW·C
/// channels: each kernel row reads kW·C contiguous bytes of a zero-point-padded copy of the
/// input, so a pixel has kH indirection entries instead of kH·kW and the packed K is
/// kW·C rounded up to 4 bytes per row instead of 4 per tap. The sums are the same terms, so
/// the results are the same bytes. The copy is refreshed on every invoke (its border stays
/// the input zero point); up to 3 bytes past a row's kW·C are read and meet zero weights.
struct RowMergedInput {
    let height, width, channels: Int  // input
    let paddedHeight, paddedWidth, padTop, padLeft: Int
    let window: octk_window  // the kH × 1 window over the padded copy, no padding
    let kernelWidth: Int
    /// Bytes of one kernel row: kW · C.
    var rowBytes: Int { kernelWidth * channels }
    /// Bytes of the padded copy, with 64 readable bytes after it.
    var bytes: Int { paddedHeight * paddedWidth * channels + 64 }

    /// nil unless the conv qualifies: one batch item, one group, no horizontal dilation, a
    /// kernel row of at most 64 bytes spanning several taps, and no window reaching past the padding.
    init?(_ p: Window, input xs: [Int], output ys: [Int], groups: Int) {
        let kh = Int(p.kernelH), kw = Int(p.kernelW), sh = Int(p.strideH), sw = Int(p.strideW), dh = Int(p.dilationH), dw = Int(p.dilationW)
        let top = Int(p.padTop), left = Int(p.padLeft), bottom = Int(p.padBottom), right = Int(p.padRight)
        guard xs[0] == 1, groups == 1, dw == 1, kw > 1, kw * xs[3] <= 64, xs[3] <= 16 else { return nil }
        height = xs[1]; width = xs[2]; channels = xs[3]; kernelWidth = kw
        padTop = top; padLeft = left
        paddedHeight = height + top + bottom; paddedWidth = width + left + right
        guard (ys[1] - 1) * sh + (kh - 1) * dh < paddedHeight, (ys[2] - 1) * sw + kw <= paddedWidth else { return nil }
        window = octk_window(in_h: Int32(paddedHeight), in_w: Int32(paddedWidth), kernel_h: Int32(kh), kernel_w: 1,
                             stride_h: Int32(sh), stride_w: Int32(sw), dilation_h: Int32(dh), dilation_w: 1,
                             pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, out_h: Int32(ys[1]), out_w: Int32(ys[2]))
    }

    /// Copies the input's rows into the interior of the padded copy (`flipped`: as x ^ 0x80,
    /// for kernels that read offset-binary inputs; the border then holds z_in ^ 0x80).
    func copyInterior(from x: UnsafePointer<Int8>, to padded: UnsafeMutablePointer<Int8>, flipped: Bool) {
        let row = width * channels
        var iy = 0
        while iy < height {
            let dst = padded + ((iy + padTop) * paddedWidth + padLeft) * channels
            if flipped { octk_s8_flip_sign(row, x + iy * row, dst) } else { UnsafeMutableRawPointer(dst).copyMemory(from: x + iy * row, byteCount: row) }
            iy += 1
        }
    }
}

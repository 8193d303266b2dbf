import Testing
import OctetKernels
import _GemmlowpOracle

/// The conv and fully-connected reference kernels end to end: int32 accumulations from
/// gemmlowp's GEMM (the oracle of DESIGN.md §2; conv through an im2col matrix built here), then
/// the spec's binary32 requantization written in Swift (BinaryRequantizationTests.spec).
@Suite struct ConvOracleTests {
    struct QuantParams {
        var bias: [Int32], scale: [Float]
        var zIn: Int32, zOut: Int32, lo: Int32, hi: Int32

        static func random(channels: Int, taps: Int, using rng: inout SplitMix64) -> QuantParams {
            let zeroPoints: [Int32] = [-128, 0, 127, Int32(rng.int(-128, 127))]
            let zIn = zeroPoints[rng.int(0, 3)], zOut = zeroPoints[rng.int(0, 3)]
            var bias: [Int32] = [], scale: [Float] = []
            // A real scale mapping the accumulator spread (~ sqrt(taps)·150·73) onto ~±64, or an
            // edge: 0, a power of two (ties), huge.
            let spread = Double(taps).squareRoot() * 150 * 73
            for _ in 0..<channels {
                var real = 64 / spread
                for _ in 0..<rng.int(0, 4) { real *= 1.5 }
                let edges: [Float] = [0, 0.5, 1.0 / 1024, 1_048_576]
                scale.append(rng.next() % 5 == 0 ? edges[rng.int(0, edges.count - 1)] : Float(real))
                bias.append(rng.next() % 6 == 0 ? rng.int32() : Int32(rng.int(-Int(2 * spread), Int(2 * spread))))
            }
            var lo: Int32 = -128, hi: Int32 = 127
            switch rng.int(0, 3) {
            case 0: lo = zOut
            case 1: lo = Int32(rng.int(-128, 127)); hi = Int32(rng.int(Int(lo), 127))
            default: break
            }
            return QuantParams(bias: bias, scale: scale, zIn: zIn, zOut: zOut, lo: lo, hi: hi)
        }

        /// The spec's output of an oracle accumulation: requant(sat32(acc + bias)).
        func output(_ acc: Int32, channel o: Int) -> Int8 {
            let total = Int32(clamping: Int64(acc) + Int64(bias[o]))
            return Int8(BinaryRequantizationTests.spec(total, scale[o], zOut, lo, hi))
        }

        /// Calls body with the C view of these parameters.
        func withRequant<R>(_ body: (UnsafePointer<octk_qs8_requant>) -> R) -> R {
            bias.withUnsafeBufferPointer { b in
                scale.withUnsafeBufferPointer { s in
                    var q = octk_qs8_requant(bias: b.baseAddress, scale: s.baseAddress,
                                             input_zero_point: zIn, output_zero_point: zOut, lo: lo, hi: hi)
                    return withUnsafePointer(to: &q) { body($0) }
                }
            }
        }
    }

    /// gemmlowp's int32 product of lhs [rows][depth] (zero point z) and rhs [cols][depth].
    static func oracleGEMM(_ lhs: [Int8], rows: Int, depth: Int, _ rhs: [Int8], cols: Int, z: Int32) -> [Int32] {
        var out = [Int32](repeating: 0, count: rows * cols)
        gemmlowp_oracle_gemm_s8_s32(lhs, Int32(rows), Int32(depth), rhs, Int32(cols), z, &out)
        return out
    }

    static func randomInt8(_ n: Int, _ lo: Int, _ hi: Int, using rng: inout SplitMix64) -> [Int8] {
        (0..<n).map { _ in Int8(rng.int(lo, hi)) }
    }

    @Test func fullyConnectedMatchesOracle() {
        var rng = SplitMix64(seed: 0x5EED_0004)
        for trial in 0..<30 {
            let rows = rng.int(1, 4), k = rng.int(1, 70), out = rng.int(1, 17)
            let q = QuantParams.random(channels: out, taps: k, using: &rng)
            let x = Self.randomInt8(rows * k, -128, 127, using: &rng)
            let w = Self.randomInt8(out * k, -127, 127, using: &rng)
            let acc = Self.oracleGEMM(x, rows: rows, depth: k, w, cols: out, z: q.zIn)
            let want = (0..<rows * out).map { q.output(acc[$0], channel: $0 % out) }
            var got = [Int8](repeating: 0x55, count: rows * out)
            q.withRequant { qp in
                x.withUnsafeBufferPointer { xp in
                    w.withUnsafeBufferPointer { wp in
                        got.withUnsafeMutableBufferPointer { yp in
                            octk_qs8_fully_connected__reference(xp.baseAddress, rows, k, wp.baseAddress, out, qp,
                                                                yp.baseAddress)
                        }
                    }
                }
            }
            #expect(got == want, "trial \(trial): rows \(rows) k \(k) out \(out) params \(q)")
        }
    }

    @Test func convMatchesOracle() {
        var rng = SplitMix64(seed: 0x5EED_0005)
        for trial in 0..<30 {
            let groups = rng.int(1, 3), cg = rng.int(1, 5), og = rng.int(1, 4)
            let channels = groups * cg, outChannels = groups * og
            let kh = rng.int(1, 3), kw = rng.int(1, 3), sh = rng.int(1, 3), sw = rng.int(1, 3)
            let dh = rng.int(1, 2), dw = rng.int(1, 2)
            let pt = rng.int(0, 2), pl = rng.int(0, 2), pb = rng.int(0, 2), pr = rng.int(0, 2)
            let inH = max(1, dh * (kh - 1) + 1 - pt - pb) + rng.int(0, 5)
            let inW = max(1, dw * (kw - 1) + 1 - pl - pr) + rng.int(0, 5)
            let outH = (inH + pt + pb - dh * (kh - 1) - 1) / sh + 1
            let outW = (inW + pl + pr - dw * (kw - 1) - 1) / sw + 1
            var win = octk_window(in_h: Int32(inH), in_w: Int32(inW), kernel_h: Int32(kh), kernel_w: Int32(kw),
                                  stride_h: Int32(sh), stride_w: Int32(sw), dilation_h: Int32(dh), dilation_w: Int32(dw),
                                  pad_top: Int32(pt), pad_left: Int32(pl), pad_bottom: Int32(pb), pad_right: Int32(pr),
                                  out_h: Int32(outH), out_w: Int32(outW))
            let q = QuantParams.random(channels: outChannels, taps: kh * kw * cg, using: &rng)
            let x = Self.randomInt8(inH * inW * channels, -128, 127, using: &rng)
            let w = Self.randomInt8(outChannels * kh * kw * cg, -127, 127, using: &rng)
            // Per group: im2col rows [pixels][kh·kw·cg] (padding taps hold z_in, so x − z_in = 0)
            // times that group's weights [og][kh·kw·cg].
            let pixels = outH * outW, depth = kh * kw * cg
            var want = [Int8](repeating: 0, count: pixels * outChannels)
            for g in 0..<groups {
                var cols = [Int8](repeating: Int8(q.zIn), count: pixels * depth)
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw
                                guard iy >= 0, iy < inH, ix >= 0, ix < inW else { continue }
                                for ci in 0..<cg {
                                    cols[(oy * outW + ox) * depth + (ky * kw + kx) * cg + ci] = x[(iy * inW + ix) * channels + g * cg + ci]
                                }
                            }
                        }
                    }
                }
                let acc = Self.oracleGEMM(cols, rows: pixels, depth: depth, Array(w[(g * og * depth)..<((g + 1) * og * depth)]), cols: og, z: q.zIn)
                for p in 0..<pixels { for j in 0..<og { want[p * outChannels + g * og + j] = q.output(acc[p * og + j], channel: g * og + j) } }
            }
            var got = [Int8](repeating: 0x55, count: want.count)
            q.withRequant { qp in
                x.withUnsafeBufferPointer { xp in
                    w.withUnsafeBufferPointer { wp in
                        got.withUnsafeMutableBufferPointer { yp in
                            octk_qs8_conv_nhwc__reference(xp.baseAddress, Int32(channels), Int32(groups), wp.baseAddress,
                                                          Int32(outChannels), &win, qp, yp.baseAddress)
                        }
                    }
                }
            }
            #expect(got == want, "trial \(trial): window \(win) channels \(channels) groups \(groups) out \(outChannels)")
        }
    }
}

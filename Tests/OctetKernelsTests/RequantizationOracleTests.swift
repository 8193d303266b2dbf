import Testing
import OctetKernels
import _GemmlowpOracle

/// The int8 requantization primitives of OctetKernels (octk_srdhm, octk_rdbpot,
/// octk_requantize) bit-exact against gemmlowp's fixedpoint.h, and the conv / fully connected
/// reference kernels against a Swift re-implementation whose only arithmetic primitives are the
/// gemmlowp oracle functions.
@Suite struct RequantizationOracleTests {
    #if DEBUG
    static let randomCases = 1_000_000
    #else
    static let randomCases = 4_000_000
    #endif

    static let edges: [Int32] = [
        .min, .min + 1, .min + 2, -(1 << 30) - 1, -(1 << 30), -(1 << 30) + 1, -65536, -3, -2, -1,
        0, 1, 2, 3, 65536, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, .max - 2, .max - 1, .max,
    ]
    static let edgeMultipliers: [Int32] = [0, 1, 2, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, .max - 1, .max, -1, .min]

    // MARK: - Deterministic random numbers

    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform over all of Int32.
        mutating func int32() -> Int32 { Int32(truncatingIfNeeded: next() >> 32) }
        /// Uniform in lo...hi.
        mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }
        /// A mix of distributions: uniform, small, near powers of two, near the limits, random bit length.
        mutating func mixed() -> Int32 {
            switch next() % 5 {
            case 0: return int32()
            case 1: return Int32(int(-1000, 1000))
            case 2:
                let v = (Int64(1) << Int64(int(0, 31))) + Int64(int(-3, 3))
                return Int32(clamping: next() & 1 == 0 ? v : -v)
            case 3: return next() & 1 == 0 ? .max - Int32(int(0, 1000)) : .min + Int32(int(0, 1000))
            default:
                let v = Int64(next() >> UInt64(int(33, 63)))
                return Int32(clamping: next() & 1 == 0 ? v : -v)
            }
        }
    }

    /// The requantization spec written with the oracle: RoundingDivideByPOT(
    /// SaturatingRoundingDoublingHighMul(sat32(acc·2^left), M0), right).
    static func oracleRequantize(_ acc: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let left = max(shift, 0), right = max(-shift, 0)
        let shifted = Int32(clamping: Int64(acc) << Int64(left))
        return gemmlowp_oracle_rdbpot(gemmlowp_oracle_srdhm(shifted, multiplier), right)
    }

    /// Collects the first few mismatches and the total count.
    struct Mismatches {
        var count = 0
        var first: [String] = []
        mutating func check(_ got: Int32, _ want: Int32, _ what: @autoclosure () -> String) {
            if got != want {
                count += 1
                if first.count < 5 { first.append("\(what()): got \(got), want \(want)") }
            }
        }
        var summary: String { "\(count) mismatches; first: \(first.joined(separator: "; "))" }
    }

    // MARK: - Primitives

    @Test func srdhmMatchesGemmlowp() {
        var m = Mismatches()
        for a in Self.edges {
            for b in Self.edges { m.check(octk_srdhm(a, b), gemmlowp_oracle_srdhm(a, b), "srdhm(\(a), \(b))") }
        }
        #expect(octk_srdhm(.min, .min) == .max)
        var rng = SplitMix64(seed: 0x5EED_0001)
        for i in 0..<Self.randomCases {
            let a: Int32, b: Int32
            switch i % 4 {
            case 0: (a, b) = (rng.int32(), rng.int32())
            case 1: (a, b) = (rng.mixed(), rng.mixed())
            case 2: (a, b) = (Self.edges[rng.int(0, Self.edges.count - 1)], rng.mixed())
            default:
                // Exact ties: ±2^p · ±odd·2^(30−p) = ±odd·2^30.
                let p = rng.int(0, 30)
                let odd = Int64(2 * rng.int(0, (1 << p) - 1) + 1)
                a = Int32(1 << p) * (rng.next() & 1 == 0 ? 1 : -1)
                b = Int32(odd << Int64(30 - p)) * (rng.next() & 1 == 0 ? 1 : -1)
            }
            m.check(octk_srdhm(a, b), gemmlowp_oracle_srdhm(a, b), "srdhm(\(a), \(b))")
        }
        #expect(m.count == 0, "\(m.summary)")
    }

    @Test func rdbpotMatchesGemmlowp() {
        var m = Mismatches()
        for e: Int32 in 0...31 {
            for x in Self.edges { m.check(octk_rdbpot(x, e), gemmlowp_oracle_rdbpot(x, e), "rdbpot(\(x), \(e))") }
        }
        var rng = SplitMix64(seed: 0x5EED_0002)
        for i in 0..<Self.randomCases {
            let e = Int32(rng.int(0, 31))
            var x: Int32
            if i % 3 == 0, e > 0 {
                // A tie ±(2j+1)·2^(e−1), or one off it.
                let j = Int64(rng.int(0, (1 << (31 - Int(e))) - 1))
                let tie = (2 * j + 1) << Int64(e - 1)
                x = Int32(clamping: (rng.next() & 1 == 0 ? tie : -tie) + Int64(rng.int(-1, 1)))
            } else {
                x = i % 3 == 1 ? rng.int32() : rng.mixed()
            }
            m.check(octk_rdbpot(x, e), gemmlowp_oracle_rdbpot(x, e), "rdbpot(\(x), \(e))")
        }
        #expect(m.count == 0, "\(m.summary)")
    }

    @Test func requantizeMatchesGemmlowp() {
        var m = Mismatches()
        // Every shift in [−31, 30] with the edge multipliers and accumulators (INT32_MIN/MAX, 0, …).
        for shift: Int32 in -31...30 {
            for mult in Self.edgeMultipliers {
                for acc in Self.edges {
                    m.check(octk_requantize(acc, mult, shift), Self.oracleRequantize(acc, mult, shift),
                            "requantize(\(acc), \(mult), \(shift))")
                }
            }
        }
        // Positive shifts: gemmlowp applied to the saturated left-shifted value, spelled out.
        for left: Int32 in 1...30 {
            for acc in Self.edges + [Int32.max >> left, (Int32.max >> left) + 1, -(Int32.max >> left) - 1,
                                     -(Int32.max >> left) - 2] {
                let saturated = Int32(clamping: Int64(acc) * (Int64(1) << Int64(left)))
                for mult in Self.edgeMultipliers {
                    m.check(octk_requantize(acc, mult, left), gemmlowp_oracle_srdhm(saturated, mult),
                            "requantize(\(acc), \(mult), +\(left))")
                }
            }
        }
        var rng = SplitMix64(seed: 0x5EED_0003)
        for i in 0..<Self.randomCases {
            let shift = Int32(rng.int(-31, 30))
            let mult: Int32 = i % 4 == 0 ? rng.mixed() : Int32(rng.int(1 << 30, Int(Int32.max)))
            let acc: Int32 = i % 3 == 0 ? Int32(rng.int(-100_000, 100_000)) : rng.mixed()
            m.check(octk_requantize(acc, mult, shift), Self.oracleRequantize(acc, mult, shift),
                    "requantize(\(acc), \(mult), \(shift))")
        }
        #expect(m.count == 0, "\(m.summary)")
    }

    // MARK: - End to end: conv and fully connected

    struct QuantParams {
        var bias: [Int32], multiplier: [Int32], shift: [Int32]
        var zIn: Int32, zOut: Int32, lo: Int32, hi: Int32

        static func random(channels: Int, taps: Int, using rng: inout SplitMix64) -> QuantParams {
            let zeroPoints: [Int32] = [-128, 0, 127, Int32(rng.int(-128, 127))]
            let zIn = zeroPoints[rng.int(0, 3)], zOut = zeroPoints[rng.int(0, 3)]
            var bias: [Int32] = [], mult: [Int32] = [], shift: [Int32] = []
            // A real scale mapping the accumulator spread (~ sqrt(taps)·150·73) onto ~±64.
            let spread = Double(taps).squareRoot() * 150 * 73
            for _ in 0..<channels {
                var real = 64 / spread
                for _ in 0..<rng.int(0, 4) { real *= 1.5 }
                if rng.next() % 5 == 0 {
                    mult.append(RequantizationOracleTests.edgeMultipliers[rng.int(0, RequantizationOracleTests.edgeMultipliers.count - 1)])
                    shift.append(Int32(rng.int(-31, 30)))
                } else {
                    // QuantizeMultiplier: real = m·2^(e−31), m in [2^30, 2^31).
                    var e = 0
                    var f = real
                    while f >= 1 { f /= 2; e += 1 }
                    while f < 0.5 { f *= 2; e -= 1 }
                    var q = Int64((f * 2_147_483_648).rounded())
                    if q == 1 << 31 { q /= 2; e += 1 }
                    mult.append(Int32(q))
                    shift.append(Int32(max(-31, min(30, e))))
                }
                bias.append(rng.next() % 6 == 0 ? rng.int32() : Int32(rng.int(-Int(2 * spread), Int(2 * spread))))
            }
            var lo: Int32 = -128, hi: Int32 = 127
            switch rng.int(0, 3) {
            case 0: lo = zOut
            case 1: lo = Int32(rng.int(-128, 127)); hi = Int32(rng.int(Int(lo), 127))
            default: break
            }
            return QuantParams(bias: bias, multiplier: mult, shift: shift, zIn: zIn, zOut: zOut, lo: lo, hi: hi)
        }

        /// clamp(z_out + requant(sat32(acc + bias), M0, shift), lo, hi) with the oracle.
        func output(_ acc: Int64, channel o: Int) -> Int8 {
            let total = Int32(clamping: acc + Int64(bias[o]))
            let v = Int64(zOut) + Int64(RequantizationOracleTests.oracleRequantize(total, multiplier[o], shift[o]))
            return Int8(min(max(min(max(v, Int64(lo)), Int64(hi)), -128), 127))
        }

        /// Calls body with the C view of these parameters.
        func withRequant<R>(_ body: (UnsafePointer<octk_qs8_requant>) -> R) -> R {
            bias.withUnsafeBufferPointer { b in
                multiplier.withUnsafeBufferPointer { m in
                    shift.withUnsafeBufferPointer { s in
                        var q = octk_qs8_requant(bias: b.baseAddress, multiplier: m.baseAddress, shift: s.baseAddress,
                                                 input_zero_point: zIn, output_zero_point: zOut, lo: lo, hi: hi)
                        return withUnsafePointer(to: &q) { body($0) }
                    }
                }
            }
        }
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
            var want = [Int8](repeating: 0, count: rows * out)
            for r in 0..<rows {
                for n in 0..<out {
                    var acc: Int64 = 0
                    for i in 0..<k { acc += (Int64(x[r * k + i]) - Int64(q.zIn)) * Int64(w[n * k + i]) }
                    want[r * out + n] = q.output(acc, channel: n)
                }
            }
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
            var want = [Int8](repeating: 0, count: outH * outW * outChannels)
            for oy in 0..<outH {
                for ox in 0..<outW {
                    for o in 0..<outChannels {
                        let g = o / og
                        var acc: Int64 = 0
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw
                                guard iy >= 0, iy < inH, ix >= 0, ix < inW else { continue }
                                for ci in 0..<cg {
                                    let xv = Int64(x[(iy * inW + ix) * channels + g * cg + ci]) - Int64(q.zIn)
                                    acc += xv * Int64(w[((o * kh + ky) * kw + kx) * cg + ci])
                                }
                            }
                        }
                        want[(oy * outW + ox) * outChannels + o] = q.output(acc, channel: o)
                    }
                }
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

import Testing
import OctetKernels

/// The binary32 requantization of DESIGN.md §2 as the C reference implements it
/// (octk_requantize, octk_qs8_add_one) against the spec's formula written in Swift, whose Float
/// arithmetic is IEEE binary32 with no contraction:
///   f = Float(acc)·scale → clamp to [lo − z, hi − z] → rounded half to even → + z.
@Suite struct BinaryRequantizationTests {
    static func spec(_ acc: Int32, _ scale: Float, _ z: Int32, _ lo: Int32, _ hi: Int32) -> Int32 {
        let f = min(max(Float(acc) * scale, Float(lo - z)), Float(hi - z))
        return Int32(f.rounded(.toNearestOrEven)) + z
    }

    static func specAdd(_ a: Int32, _ b: Int32, _ p: octk_qs8_add_params) -> Int8 {
        let fa = Float(a - p.a_zero_point) * p.a_scale, fb = Float(b - p.b_zero_point) * p.b_scale
        let f = min(max(fa + fb, Float(p.lo - p.output_zero_point)), Float(p.hi - p.output_zero_point))
        return Int8(Int32(f.rounded(.toNearestOrEven)) + p.output_zero_point)
    }

    static let accumulators: [Int32] = [.min, .min + 1, -(1 << 24) - 1, -(1 << 24), -3, -2, -1, 0, 1, 2, 3, 5, 7,
                                        1 << 24, (1 << 24) + 1, (1 << 24) + 3, .max - 1, .max]
    static let scales: [Float] = [0, .leastNonzeroMagnitude, 1e-9, 1.0 / 3, 0.25, 0.5, 1, 1.5, 255, 1_048_576, OCTK_REQUANT_SCALE_MAX]
    static let clamps: [(Int32, Int32)] = [(-128, 127), (0, 127), (-128, -128), (127, 127), (-5, 6), (3, 3)]

    /// A random scale: mostly realistic (2^−20…2^2), sometimes a power of two that makes ties.
    static func randomScale(_ rng: inout SplitMix64) -> Float {
        switch rng.int(0, 3) {
        case 0: return Float(sign: .plus, exponent: rng.int(-12, 1), significand: 1)
        default: return Float(rng.unit() * 4) * Float(sign: .plus, exponent: -rng.int(0, 20), significand: 1)
        }
    }

    @Test func requantizeMatchesTheSpecFormula() {
        var mismatches: [String] = []
        func check(_ acc: Int32, _ s: Float, _ z: Int32, _ lo: Int32, _ hi: Int32) {
            let got = octk_requantize(acc, s, z, lo, hi), want = Self.spec(acc, s, z, lo, hi)
            if got != want, mismatches.count < 5 { mismatches.append("(\(acc), \(s), z \(z), [\(lo), \(hi)]): got \(got), want \(want)") }
        }
        for acc in Self.accumulators {
            for s in Self.scales {
                for z: Int32 in [-128, -1, 0, 1, 127] { for (lo, hi) in Self.clamps { check(acc, s, z, lo, hi) } }
            }
        }
        var rng = SplitMix64(seed: 0xB32_0001)
        for i in 0..<2_000_000 {
            let acc = i % 2 == 0 ? Int32(rng.int(-100_000, 100_000)) : rng.int32()
            let lo = Int32(rng.int(-128, 127)), hi = i % 3 == 0 ? 127 : Int32(rng.int(Int(lo), 127))
            check(acc, Self.randomScale(&rng), Int32(rng.int(-128, 127)), i % 3 == 0 ? -128 : lo, hi)
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Exact halves round to even, not away from zero: 0.5 → 0, 1.5 → 2, 2.5 → 2, −0.5 → 0, −1.5 → −2.
    @Test func tiesRoundToEven() {
        let cases: [(Int32, Int32)] = [(1, 0), (3, 2), (5, 2), (7, 4), (-1, 0), (-3, -2), (-5, -2)]
        for (acc, want) in cases { #expect(octk_requantize(acc, 0.5, 0, -128, 127) == want, "acc \(acc) · 0.5") }
        #expect(octk_requantize(5, 0.5, 10, -128, 127) == 12)
    }

    @Test func addMatchesTheSpecFormula() {
        var rng = SplitMix64(seed: 0xB32_0002)
        var mismatches: [String] = []
        for i in 0..<400_000 {
            let lo = Int32(rng.int(-128, 127))
            let p = octk_qs8_add_params(a_zero_point: Int32(rng.int(-128, 127)), b_zero_point: Int32(rng.int(-128, 127)),
                                        output_zero_point: Int32(rng.int(-128, 127)),
                                        a_scale: i % 7 == 0 ? 0.5 : Float(rng.unit() * 2), b_scale: i % 5 == 0 ? 0.25 : Float(rng.unit() * 2),
                                        lo: i % 2 == 0 ? -128 : lo, hi: i % 2 == 0 ? 127 : Int32(rng.int(Int(lo), 127)))
            var q = p
            for _ in 0..<8 {
                let a = Int32(rng.int(-128, 127)), b = Int32(rng.int(-128, 127))
                let got = octk_qs8_add_one(a, b, &q), want = Self.specAdd(a, b, p)
                if got != want, mismatches.count < 5 { mismatches.append("add(\(a), \(b), \(p)): got \(got), want \(want)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}

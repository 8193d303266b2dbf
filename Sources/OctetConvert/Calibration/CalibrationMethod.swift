#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the converter turns an activation tensor's calibration statistics into an int8 range.
///
/// Every method returns a range that contains 0 and has `hi > lo`. A tensor that was constant
/// zero (or never observed) gets `[−ActivationQuantization.degenerateHalfWidth, +…]`: any range
/// represents its values exactly, and a tiny symmetric one keeps the zero point at 0.
public enum CalibrationMethod: Sendable, Equatable, CustomStringConvertible {
    /// `[min, max]` of everything observed.
    case minmax
    /// Two-sided percentile, in percent (e.g. 99.99): `[quantile(1 − p/100), quantile(p/100)]`,
    /// so each tail clips `100 − p` percent of the values. `p ∈ (50, 100]`; 100 is `minmax`.
    case percentile(Double)
    /// The range minimising the quantization MSE of the collected histogram (see `mseRange`).
    case mse
    /// Per tensor, whichever of `minmax`, `percentile(99.99)` and `mse` has the lowest
    /// quantization MSE *measured on the tensor's actual values* (see `choose`).
    case auto

    public static let defaultPercentile = 99.99
    /// The spellings `init(argument:)` accepts, for help texts.
    public static let helpText = "minmax, percentile[:P] (default P = 99.99), mse or auto"

    /// Parses `minmax`, `percentile`, `percentile:99.9`, `mse` or `auto` (case-insensitive).
    /// Throws `ConvertError.invalidInput` with the accepted spellings otherwise.
    public static func parse(_ text: String) throws -> CalibrationMethod {
        let t = String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()).lowercased()
        switch t {
        case "minmax", "min-max", "min_max": return .minmax
        case "mse": return .mse
        case "auto": return .auto
        case "percentile": return .percentile(defaultPercentile)
        default: break
        }
        if t.hasPrefix("percentile:") || t.hasPrefix("percentile=") {
            let number = String(t.dropFirst("percentile:".count))
            guard let p = Double(number), p.isFinite else {
                throw ConvertError.invalidInput("calibration method '\(text)': '\(number)' is not a number")
            }
            let method = CalibrationMethod.percentile(p)
            try method.validate()
            return method
        }
        throw ConvertError.invalidInput("unknown calibration method '\(text)' (expected \(helpText))")
    }

    /// Same as `parse`, `nil` on error (the shape ArgumentParser's `ExpressibleByArgument` wants).
    public init?(argument: String) {
        guard let m = try? CalibrationMethod.parse(argument) else { return nil }
        self = m
    }

    /// Throws if a `percentile` is outside `(50, 100]`.
    public func validate() throws {
        if case let .percentile(p) = self, !(p > 50 && p <= 100) {
            throw ConvertError.invalidInput("calibration percentile must be in (50, 100], got \(p)")
        }
    }

    /// `minmax`, `percentile:99.99`, `mse` or `auto`: parses back to the same method.
    public var description: String {
        switch self {
        case .minmax: return "minmax"
        case let .percentile(p):
            return p == p.rounded() && abs(p) < 1e15 ? "percentile:\(Int(p))" : "percentile:\(p)"
        case .mse: return "mse"
        case .auto: return "auto"
        }
    }

    /// The range this method picks for a tensor. For `auto`, see `choose`.
    public func range(of h: TensorHistogram) -> (lo: Float, hi: Float) {
        let c = choose(h)
        return (c.lo, c.hi)
    }

    /// The range and the concrete method that produced it (itself, except for `auto`).
    ///
    /// `auto` computes the `minmax`, `percentile(99.99)` and `mse` ranges and keeps the one whose
    /// int8 quantization (`ActivationQuantization`, with its zero-point nudge) has the smallest
    /// squared error on the tensor's actual values — the histogram's value sample (exact tails
    /// plus a seeded reservoir, see `TensorHistogram`), not the histogram's uniform-bin model,
    /// so that a model artefact cannot decide. Ties keep the earlier of minmax, percentile, mse.
    /// Without a value sample (`sampleCapacity: 0`) it falls back to the histogram model.
    public func choose(_ h: TensorHistogram) -> (lo: Float, hi: Float, method: CalibrationMethod) {
        switch self {
        case .minmax: let r = Self.minmaxRange(h); return (r.lo, r.hi, self)
        case let .percentile(p): let r = Self.percentileRange(h, p); return (r.lo, r.hi, self)
        case .mse: let r = Self.mseRange(h); return (r.lo, r.hi, self)
        case .auto:
            let candidates: [CalibrationMethod] = [.minmax, .percentile(Self.defaultPercentile), .mse]
            var best: (lo: Float, hi: Float, method: CalibrationMethod)? = nil
            var bestError = Double.infinity
            for method in candidates {
                let r = method.range(of: h)
                let q = ActivationQuantization(lo: r.lo, hi: r.hi)
                let error = h.sampleError(q) ?? h.quantizationError(q)
                if best == nil || error < bestError {
                    best = (r.lo, r.hi, method)
                    bestError = error
                }
            }
            return best!
        }
    }

    // MARK: Concrete methods

    /// `[min(min, 0), max(max, 0)]`.
    static func minmaxRange(_ h: TensorHistogram) -> (lo: Float, hi: Float) {
        guard h.count > 0 else { return degenerate }
        return sanitized(h.min, h.max)
    }

    /// `[quantile(1 − p/100), quantile(p/100)]` widened to contain 0. If that range is empty
    /// (e.g. more than p% of the values are 0), falls back to `minmax`.
    static func percentileRange(_ h: TensorHistogram, _ p: Double) -> (lo: Float, hi: Float) {
        guard h.count > 0 else { return degenerate }
        guard p < 100 else { return minmaxRange(h) }
        let lo = Swift.min(h.quantile(1 - p / 100), 0), hi = Swift.max(h.quantile(p / 100), 0)
        guard hi > lo else { return minmaxRange(h) }
        return (lo, hi)
    }

    /// Coarse steps of the shrink-factor search: `factor = 2^(−octaves · k / (coarseSteps − 1))`.
    static let coarseSteps = 128
    static let octaves = 12.0
    /// Each coarse step is cut into this many fine steps around the coarse optimum.
    static let fineSteps = 16

    /// The range `[α · min, β · max]` (`min ≤ 0 ≤ max` after widening to 0) minimising the
    /// histogram's quantization error.
    ///
    /// One-sided tensors (post-ReLU: `min ≥ 0`; or `max ≤ 0`) keep the 0 end and search only the
    /// other factor; signed tensors search both. The shrink factors form a geometric grid from 1
    /// down to 2⁻¹² (128 steps of 6.8%); the coarse scan (128 or 128×128 candidates) uses the
    /// O(1) error model (clipping exact via prefix moments, rounding as step²/12), then a
    /// 33(×33) scan with 16× finer steps around the best, then the exact per-bin integral on the
    /// 5(×5) fine neighbours of that optimum and on minmax itself, so the result is never worse
    /// than minmax under the exact model. Typically 1–3 ms per signed tensor in release builds.
    static func mseRange(_ h: TensorHistogram) -> (lo: Float, hi: Float) {
        guard h.count > 0 else { return degenerate }
        let mn = Double(Swift.min(h.min, 0)), mx = Double(Swift.max(h.max, 0))
        guard mx > mn else { return degenerate }
        let model = TensorHistogram.ErrorModel(h)
        let searchLo = mn < 0, searchHi = mx > 0
        let coarseRatio = Self.octaves / Double(Self.coarseSteps - 1)

        func range(_ alpha: Double, _ beta: Double) -> (lo: Float, hi: Float) {
            sanitized(Float(mn * alpha), Float(mx * beta))
        }
        func cost(_ alpha: Double, _ beta: Double, exact: Bool) -> Double {
            let r = range(alpha, beta)
            return model.error(ActivationQuantization(lo: r.lo, hi: r.hi), exact: exact)
        }
        /// Grid minimum over factor lists (one list is [1] for one-sided tensors).
        func scan(_ alphas: [Double], _ betas: [Double], exact: Bool) -> (Int, Int, Double) {
            var best = (0, 0, Double.infinity)
            for (i, a) in alphas.enumerated() {
                for (j, b) in betas.enumerated() {
                    let e = cost(a, b, exact: exact)
                    if e < best.2 { best = (i, j, e) }
                }
            }
            return best
        }

        let coarse = (0..<Self.coarseSteps).map { exp2(-coarseRatio * Double($0)) }
        let alphas0 = searchLo ? coarse : [1], betas0 = searchHi ? coarse : [1]
        let (ci, cj, _) = scan(alphas0, betas0, exact: false)

        // Fine grid: 16 steps per coarse step, one coarse step either side, capped at 1.
        func fine(around f: Double) -> [Double] {
            (-Self.fineSteps...Self.fineSteps).map { t in
                Swift.min(f * exp2(-coarseRatio * Double(t) / Double(Self.fineSteps)), 1)
            }
        }
        let alphas1 = searchLo ? fine(around: alphas0[ci]) : [1]
        let betas1 = searchHi ? fine(around: betas0[cj]) : [1]
        let (fi, fj, _) = scan(alphas1, betas1, exact: false)

        func neighbours(_ list: [Double], _ i: Int) -> [Double] {
            Array(list[Swift.max(i - 2, 0)...Swift.min(i + 2, list.count - 1)])
        }
        let (pi, pj, polished) = scan(neighbours(alphas1, fi), neighbours(betas1, fj), exact: true)
        let alpha = neighbours(alphas1, fi)[pi], beta = neighbours(betas1, fj)[pj]
        if cost(1, 1, exact: true) <= polished { return range(1, 1) }
        return range(alpha, beta)
    }

    /// The range used when there is nothing to represent but 0.
    static var degenerate: (lo: Float, hi: Float) {
        (-ActivationQuantization.degenerateHalfWidth, ActivationQuantization.degenerateHalfWidth)
    }

    /// `[lo, hi]` widened to contain 0, or `degenerate` if that is a single point.
    static func sanitized(_ lo: Float, _ hi: Float) -> (lo: Float, hi: Float) {
        let lo = Swift.min(lo, 0), hi = Swift.max(hi, 0)
        return hi > lo ? (lo, hi) : degenerate
    }
}


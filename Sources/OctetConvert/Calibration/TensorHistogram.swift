import OctetKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One-pass statistics of one activation tensor over the calibration samples: exact min, max and
/// count, a fine histogram, and (optionally) a seeded sample of the actual values.
///
/// ## Histogram scheme
///
/// Bins have a power-of-two width `w = 2^e` and are anchored at 0: absolute bin `k` holds the
/// values `x` with `floor(x / w) == k`. A window of `binCapacity` consecutive bins, starting at
/// `binBase = floor(min / w)`, covers `[min, max]`. When new values fall outside the window, `e`
/// grows to the smallest exponent whose window covers the widened range and the counts merge
/// `2^Δe` bins into one (`k → k >> Δe`). Because `floor(floor(x / w) / 2) == floor(x / 2w)`, the
/// merge is exact: the histogram after any sequence of batches is *identical* to binning all
/// values at once with the final width, whatever the order of the batches. `e` is the smallest
/// exponent that fits (never below the Float ulp of the largest magnitude, where finer bins could
/// not separate values), so the data range `[min, max]` always spans at least
/// `(binCapacity − 2) / 2` bins: with the default 4098 bins, at least 2048 bins and a bin width
/// `w < 2 · (max − min) / 4096`.
///
/// Exact zeros (ReLU outputs, zero padding) are counted apart from the bins, as an atom at 0:
/// they are frequent, and they are exactly representable under every range the calibrator picks.
///
/// Inside a bin the model assumes mass spread uniformly over the bin, cut to `[min, max]` for the
/// two end bins. Hence `quantile(p)` is within one bin width of the true quantile (exact at 0
/// and at the extremes), and `quantizationError(lo:hi:)` integrates the squared error exactly
/// under that piecewise-uniform density. Counts are `UInt64` (exact).
///
/// ## Value sample (for `auto`)
///
/// With `sampleCapacity > 0` the histogram also keeps a uniform reservoir sample (Algorithm L,
/// seeded from the tensor name so runs are reproducible) of up to `sampleCapacity` values, plus
/// the `sampleCapacity / 64` largest and smallest values exactly. `sampleError(_:)` estimates the
/// quantization MSE on the actual values: exactly when every value fits in the sample, otherwise
/// exact on both tails (where clipping error concentrates) plus an unbiased reservoir estimate
/// for the middle.
public struct TensorHistogram: Sendable {
    /// The tensor's name, used in error messages.
    public let name: String
    /// Number of bins in the window.
    public let binCapacity: Int
    /// False: extremes, zeros and counts only (no bins).
    public let binned: Bool
    /// Values seen.
    public private(set) var count: Int = 0
    /// Smallest and largest value seen (`+∞` and `−∞` while `count == 0`).
    public private(set) var min: Float = .infinity
    public private(set) var max: Float = -.infinity
    /// Values exactly equal to 0 (not in `counts`).
    public private(set) var zeroCount: Int = 0
    /// Calls of `add` that brought values.
    public private(set) var batches: Int = 0
    /// `log2` of the bin width; `nil` while every value seen is 0.
    public private(set) var binExponent: Int?
    /// Absolute index of the first bin of the window: `counts[j]` holds the nonzero values in
    /// `[(binBase + j) · w, (binBase + j + 1) · w)`.
    public private(set) var binBase: Int = 0
    /// Bin counts (empty while `binExponent == nil`).
    public private(set) var counts: [UInt64] = []
    var sample: ValueSample?

    public static let defaultBinCapacity = 4098
    public static let defaultSampleCapacity = 65536

    /// - Parameters:
    ///   - name: the tensor's name, for error messages.
    ///   - binCapacity: number of bins in the window (≥ 16).
    ///   - sampleCapacity: values kept for `sampleError`; 0 keeps none.
    ///   - seed: mixed with the name into the reservoir's random seed.
    /// `binned: false` keeps only the extremes, zeros and counts (what `minmax` needs).
    public init(name: String, binCapacity: Int = defaultBinCapacity, sampleCapacity: Int = 0, seed: UInt64 = 0, binned: Bool = true) {
        precondition(binCapacity >= 16, "a histogram needs at least 16 bins")
        self.name = name
        self.binned = binned
        self.binCapacity = binCapacity
        if sampleCapacity > 0 {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a: stable across processes
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            sample = ValueSample(capacity: sampleCapacity, seed: hash ^ seed)
        }
    }

    /// Bin width (0 while every value seen is 0).
    public var binWidth: Double { binExponent.map { Self.exp2i($0) } ?? 0 }

    /// Number of values kept for `sampleError` (0 when no sample is kept).
    public var sampleSize: Int { sample?.values.count ?? 0 }

    // MARK: Collection

    public mutating func add(_ values: [Float]) throws {
        try values.withUnsafeBufferPointer { try add($0) }
    }

    /// Adds one batch of values (e.g. one tensor of one calibration sample). NaN or ±∞ throws
    /// `ConvertError.invalidInput` naming the tensor, and leaves the histogram unchanged.
    public mutating func add(_ values: UnsafeBufferPointer<Float>) throws {
        guard let p = values.baseAddress, values.count > 0 else { return }
        let n = values.count
        // Pass 1: finiteness, extremes and zeros (one vectorised C pass).
        var lo = Float.infinity, hi = -Float.infinity
        var zerosFound = 0, nonFinite: Int32 = 0
        octk_f32_range_stats(p, n, &lo, &hi, &zerosFound, &nonFinite)
        let zeros = zerosFound
        if nonFinite != 0 {
            let i = (0..<n).first { !p[$0].isFinite }!
            throw ConvertError.invalidInput(
                "calibration: tensor '\(name)' has a non-finite value (\(p[i])) at element \(i) of sample \(batches + 1)")
        }
        let newMin = Swift.min(min, lo), newMax = Swift.max(max, hi)
        if binned, newMin != 0 || newMax != 0 { cover(newMin, newMax) }
        min = newMin; max = newMax
        count += n; zeroCount += zeros; batches += 1

        // Pass 2: bin every value (zeros too, then take them back out of their bin).
        if let e = binExponent {
            let invW = Self.exp2i(-e), base = binBase
            counts.withUnsafeMutableBufferPointer { c in
                let c = c.baseAddress!
                for i in 0..<n {
                    // x / w is exact (w is a power of two); floor it as truncate-and-fix, which
                    // avoids a libm call. The window covers [min, max], so the index is in range.
                    let v = Double(p[i]) * invW
                    let t = Int(v)
                    c[t - (Double(t) > v ? 1 : 0) - base] &+= 1
                }
            }
            if zeros > 0 { counts[-binBase] -= UInt64(zeros) }
        }
        sample?.add(values)
    }

    /// Makes the window cover `[lo, hi]` (not both 0), widening bins as needed.
    private mutating func cover(_ lo: Float, _ hi: Float) {
        let maxAbs = Swift.max(abs(lo), abs(hi))
        // Bins narrower than the ulp of the largest magnitude cannot separate values.
        let ulpExponent = Swift.max(maxAbs.exponent - 23, -149)
        let span = Double(hi) - Double(lo)
        // floor(hi/w) − floor(lo/w) + 1 ≤ capacity needs w ≥ span / capacity.
        var e = Swift.max(ulpExponent, binExponent ?? Int.min)
        if span > 0 {
            e = Swift.max(e, Int((span / Double(binCapacity)).exponent))
        }
        func floorIndex(_ x: Float, _ e: Int) -> Int { Int((Double(x) * Self.exp2i(-e)).rounded(.down)) }
        while floorIndex(hi, e) - floorIndex(lo, e) + 1 > binCapacity { e += 1 }
        let newBase = floorIndex(lo, e)
        guard let old = binExponent else {
            binExponent = e
            binBase = newBase
            counts = Array(repeating: 0, count: binCapacity)
            return
        }
        if old == e && newBase == binBase { return }
        let shift = e - old
        var merged = [UInt64](repeating: 0, count: binCapacity)
        for (j, c) in counts.enumerated() where c > 0 {
            merged[((binBase + j) >> shift) - newBase] += c
        }
        counts = merged
        binExponent = e
        binBase = newBase
    }

    // MARK: Queries

    /// The `p`-quantile (`p ∈ [0, 1]`) of the values seen: the value below which a fraction `p`
    /// of them lies, interpolated linearly inside a bin. Within one bin width of the exact
    /// quantile; 0 when `count == 0`.
    public func quantile(_ p: Double) -> Float {
        guard count > 0 else { return 0 }
        guard !counts.isEmpty else { return 0 }  // every value is 0
        if !(p > 0) { return min }
        if p >= 1 { return max }
        let target = p * Double(count)
        var cumulative = 0.0
        let zeroSlot = -binBase  // the zero atom sits at the left edge of absolute bin 0
        for j in counts.indices {
            if j == zeroSlot, zeroCount > 0 {
                cumulative += Double(zeroCount)
                if cumulative >= target { return 0 }
            }
            let c = Double(counts[j])
            guard c > 0 else { continue }
            if cumulative + c >= target {
                let (a, b) = edges(j)
                let t = Swift.min(Swift.max((target - cumulative) / c, 0), 1)
                return Float(a + t * (b - a))
            }
            cumulative += c
        }
        return max
    }

    /// Bin `j`'s interval, cut to `[min, max]`.
    func edges(_ j: Int) -> (Double, Double) {
        let w = binWidth
        let k = Double(binBase + j)
        return (Swift.max(k * w, Double(min)), Swift.min((k + 1) * w, Double(max)))
    }

    /// Expected squared error per value when the distribution is quantized to 256 levels with the
    /// range `[lo, hi]` — precisely with `ActivationQuantization(lo: lo, hi: hi)`, i.e. after
    /// widening the range to contain 0 and nudging the zero point, as the int8 model will.
    /// Values outside the representable range cost their clipping distance squared, values
    /// inside their rounding distance squared; each bin's contribution is integrated exactly
    /// assuming its mass is uniform over the bin; zeros cost nothing. 0 when `count == 0`.
    public func quantizationError(lo: Float, hi: Float) -> Double {
        quantizationError(ActivationQuantization(lo: lo, hi: hi))
    }

    public func quantizationError(_ q: ActivationQuantization) -> Double {
        ErrorModel(self).error(q, exact: true)
    }

    /// Quantization MSE of `q` measured on the actual values (see the type's notes), or `nil`
    /// when no value sample is kept.
    public func sampleError(_ q: ActivationQuantization) -> Double? {
        guard let sample, sample.seen > 0 else { return nil }
        return sample.meanSquaredError(q)
    }

    /// `2^e` as a Double, exact for the exponents histograms use.
    @inline(__always)
    static func exp2i(_ e: Int) -> Double {
        Double(sign: .plus, exponent: e, significand: 1)
    }
}

// MARK: - Error model

extension TensorHistogram {
    /// The histogram as a piecewise-uniform density, with prefix sums of bin moments so that the
    /// clipping error of a range costs O(1). Built once per search.
    struct ErrorModel {
        /// Trimmed to the bins from the first to the last nonempty one.
        let first: Int          // absolute index of bins[0]
        let invW: Double
        let a: [Double], b: [Double], c: [Double]
        /// Prefix sums of count, count·E[x], count·E[x²] over bins.
        let p0: [Double], p1: [Double], p2: [Double]
        let total: Double

        init(_ h: TensorHistogram) {
            total = Double(h.count)
            invW = h.binExponent.map { TensorHistogram.exp2i(-$0) } ?? 0
            let nonEmpty = h.counts.indices.filter { h.counts[$0] > 0 }
            guard let lo = nonEmpty.first, let hi = nonEmpty.last else {
                first = 0; a = []; b = []; c = []; p0 = [0]; p1 = [0]; p2 = [0]
                return
            }
            first = h.binBase + lo
            var a: [Double] = [], b: [Double] = [], c: [Double] = []
            var p0: [Double] = [0], p1: [Double] = [0], p2: [Double] = [0]
            for j in lo...hi {
                let (x0, x1) = h.edges(j)
                let n = Double(h.counts[j])
                a.append(x0); b.append(x1); c.append(n)
                p0.append(p0.last! + n)
                p1.append(p1.last! + n * (x0 + x1) / 2)
                p2.append(p2.last! + n * (x0 * x0 + x0 * x1 + x1 * x1) / 3)
            }
            self.a = a; self.b = b; self.c = c
            self.p0 = p0; self.p1 = p1; self.p2 = p2
        }

        /// Index (into the trimmed bins) of the bin holding `x`, clamped to `[−1, count]`.
        @inline(__always)
        func index(_ x: Double) -> Int {
            let v = (x * invW).rounded(.down) - Double(first)
            if v < 0 { return -1 }
            if v >= Double(c.count) { return c.count }
            return Int(v)
        }

        /// Sum of squared errors (not divided by the count) with `q`. `exact: false` replaces the
        /// exact integral over bins strictly inside the range by the `step²/12` rounding model
        /// (O(1) per call; used to scan candidates); the clipped bins and the two bins holding
        /// the range ends are exact either way.
        func error(_ q: ActivationQuantization, exact: Bool) -> Double {
            guard total > 0 else { return 0 }
            let g = Grid(q)
            let m = c.count
            guard m > 0 else { return 0 }
            let iA = index(g.lo), iB = index(g.hi)
            let below = Swift.min(Swift.max(iA, 0), m)     // bins [0, below) lie under g.lo
            let above = Swift.min(Swift.max(iB + 1, 0), m)  // bins [above, m) lie over g.hi
            var sum = moments(0, below, about: g.lo) + moments(above, m, about: g.hi)
            if below < above {
                if exact || above - below <= 2 {
                    for j in below..<above { sum += integral(j, g) }
                } else {
                    sum += integral(below, g) + integral(above - 1, g)
                    sum += (p0[above - 1] - p0[below + 1]) * g.step * g.step / 12
                }
            }
            return sum / total
        }

        /// `Σ count · E[(x − g)²]` over bins `[from, to)`.
        @inline(__always)
        func moments(_ from: Int, _ to: Int, about g: Double) -> Double {
            guard from < to else { return 0 }
            let s0 = p0[to] - p0[from], s1 = p1[to] - p1[from], s2 = p2[to] - p2[from]
            return Swift.max(s2 - 2 * g * s1 + g * g * s0, 0)
        }

        @inline(__always)
        func integral(_ j: Int, _ g: Grid) -> Double {
            let n = c[j]
            guard n > 0 else { return 0 }
            let x0 = a[j], x1 = b[j]
            guard x1 > x0 else { return n * g.pointError((x0 + x1) / 2) }
            return n * g.integral(x0, x1) / (x1 - x0)
        }
    }

    /// The 256-level grid of a quantizer, `lo + k · step` for `k = 0 … 255`.
    struct Grid {
        let step: Double, lo: Double, hi: Double

        init(_ q: ActivationQuantization) {
            step = Double(q.scale)
            lo = step * Double(-128 - q.zeroPoint)
            hi = step * Double(127 - q.zeroPoint)
        }

        /// Squared error of quantizing `x`.
        @inline(__always)
        func pointError(_ x: Double) -> Double {
            if x <= lo { return (lo - x) * (lo - x) }
            if x >= hi { return (x - hi) * (x - hi) }
            let v = (x - lo) / step
            let d = (v - v.rounded()) * step
            return d * d
        }

        /// `∫ₓ₀^ˣ¹ (x − Q(x))² dx` in closed form: clipped parts are cubes; inside, with
        /// `v = (x − lo) / step`, `∫₀^v (τ − round τ)² dτ = round(v)/12 + (v − round v)³/3`.
        func integral(_ x0: Double, _ x1: Double) -> Double {
            var total = 0.0
            if x0 < lo {
                let e = Swift.min(x1, lo)
                total += ((lo - x0) * (lo - x0) * (lo - x0) - (lo - e) * (lo - e) * (lo - e)) / 3
            }
            if x1 > hi {
                let s = Swift.max(x0, hi)
                total += ((x1 - hi) * (x1 - hi) * (x1 - hi) - (s - hi) * (s - hi) * (s - hi)) / 3
            }
            let s = Swift.max(x0, lo), e = Swift.min(x1, hi)
            if e > s {
                let v0 = (s - lo) / step, v1 = (e - lo) / step
                let n0 = v0.rounded(), n1 = v1.rounded()
                let d0 = v0 - n0, d1 = v1 - n1
                total += step * step * step * ((n1 - n0) / 12 + (d1 * d1 * d1 - d0 * d0 * d0) / 3)
            }
            return total
        }
    }
}

// MARK: - Value sample

extension TensorHistogram {
    /// A uniform reservoir sample of a stream plus its `K` largest and `K` smallest values.
    struct ValueSample: Sendable {
        let capacity: Int
        var values: [Float] = []
        /// Values offered so far.
        var seen = 0
        var random: Random
        /// Algorithm L state: next stream index to enter the reservoir, and W.
        var next = 0
        var w = 0.0
        var top: Tail, bottom: Tail  // bottom keeps −x

        init(capacity: Int, seed: UInt64) {
            self.capacity = capacity
            random = Random(seed: seed)
            let k = Swift.max(capacity / 64, 1)
            top = Tail(capacity: k)
            bottom = Tail(capacity: k)
            values.reserveCapacity(Swift.min(capacity, 1 << 16))
        }

        mutating func add(_ buffer: UnsafeBufferPointer<Float>) {
            let start = seen, end = seen + buffer.count
            if values.count < capacity {
                let take = Swift.min(capacity - values.count, buffer.count)
                values.append(contentsOf: buffer[0..<take])
                if values.count == capacity {
                    w = exp(log(random.unit()) / Double(capacity))
                    next = capacity - 1
                    advance()
                }
            }
            if values.count == capacity {
                while next < end {
                    values[random.below(capacity)] = buffer[next - start]
                    w *= exp(log(random.unit()) / Double(capacity))
                    advance()
                }
            }
            seen = end
            top.offer(buffer, negated: false)
            bottom.offer(buffer, negated: true)
        }

        /// Algorithm L: skip a geometric number of items.
        private mutating func advance() {
            let denominator = log(1 - w)
            var skip = denominator < 0 ? (log(random.unit()) / denominator).rounded(.down) : Double(Int.max / 4)
            if !(skip < Double(Int.max / 4)) { skip = Double(Int.max / 4) }
            next = Swift.min(next + Int(skip) + 1, Int.max / 2)
        }

        /// Quantization MSE of `q` on the stream (exact when it all fits in the reservoir).
        func meanSquaredError(_ q: ActivationQuantization) -> Double {
            @inline(__always) func f(_ x: Float) -> Double {
                let d = Double(q.dequantize(q.quantize(x))) - Double(x)
                return d * d
            }
            func mean(_ xs: [Float]) -> Double {
                xs.isEmpty ? 0 : xs.reduce(0.0) { $0 + f($1) } / Double(xs.count)
            }
            if seen <= values.count { return mean(values) }
            // Stratified: tails exact, middle from the reservoir. Every value above the top
            // threshold t is in `top` and `top.outside` more values equal t (same for the
            // bottom), so the values strictly between b and t are the rest of the stream, and
            // the reservoir items in (b, t) are a uniform sample of them.
            guard top.isFull, bottom.isFull else { return mean(values) }
            let t = top.heap[0], b = -bottom.heap[0]
            guard b < t else { return mean(values) }
            var sum = top.heap.reduce(0.0) { $0 + f($1) } + bottom.heap.reduce(0.0) { $0 + f(-$1) }
            sum += Double(top.outside) * f(t) + Double(bottom.outside) * f(b)
            let rest = seen - top.heap.count - bottom.heap.count - top.outside - bottom.outside
            if rest > 0 {
                var s = 0.0, k = 0
                for x in values where x > b && x < t { s += f(x); k += 1 }
                sum += Double(rest) * (k > 0 ? s / Double(k) : mean(values))
            }
            return sum / Double(seen)
        }
    }

    /// The `capacity` largest values of a stream (min-heap), and how many values equal to the
    /// smallest kept one (the threshold) were not kept.
    struct Tail: Sendable {
        let capacity: Int
        var heap: [Float] = []
        var outside = 0

        init(capacity: Int) {
            self.capacity = capacity
            heap.reserveCapacity(capacity)
        }

        var isFull: Bool { heap.count == capacity }

        mutating func offer(_ buffer: UnsafeBufferPointer<Float>, negated: Bool) {
            var i = 0
            let n = buffer.count
            while i < n, heap.count < capacity {
                push(negated ? -buffer[i] : buffer[i])
                i += 1
            }
            guard i < n else { return }
            var t = heap[0]
            while i < n {
                let x = negated ? -buffer[i] : buffer[i]
                i += 1
                if x < t { continue }
                if x == t { outside += 1; continue }
                // x > t: it replaces the smallest kept value.
                heap[0] = x
                siftDown(0)
                let newT = heap[0]
                // The evicted copy of t is outside; if the threshold rose, every copy of the new
                // threshold ever seen is in the heap (it was above the threshold when it came).
                outside = newT == t ? outside + 1 : 0
                t = newT
            }
        }

        private mutating func push(_ x: Float) {
            // While filling, everything is kept; `outside` stays 0.
            heap.append(x)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[i] < heap[parent] else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        }

        private mutating func siftDown(_ start: Int) {
            var i = start
            let n = heap.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n, heap[l] < heap[m] { m = l }
                if r < n, heap[r] < heap[m] { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
    }

    /// SplitMix64.
    struct Random: Sendable {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func nextBits() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in (0, 1].
        mutating func unit() -> Double { Double((nextBits() >> 11) + 1) * 0x1p-53 }
        mutating func below(_ n: Int) -> Int { Int(nextBits() % UInt64(n)) }
    }
}

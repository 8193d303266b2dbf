import Foundation
import OctetConvert
import Testing
import _TestSupport

/// Histogram statistics, range selection and the calibrator.
@Suite struct CalibrationTests {
    // MARK: Data

    enum Distribution: String, CaseIterable, CustomStringConvertible {
        case uniform, normal, laplace, laplaceWithOutliers, postReLU
        var description: String { rawValue }
    }

    /// Deterministic samples of each distribution.
    static func data(_ d: Distribution, count: Int = 100_000, seed: UInt64 = 7) -> [Float] {
        var r = SeededRandom(seed: seed)
        func unit() -> Double { (Double(r.next()) + 1) / 2 }  // [0, 1)
        func normal() -> Double {
            let u = max(unit(), 1e-9), v = unit()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        return (0..<count).map { i in
            switch d {
            case .uniform: return Float(-1 + 4 * unit())                 // [-1, 3)
            case .normal: return Float(0.5 + 2 * normal())
            case .laplace, .laplaceWithOutliers:
                if d == .laplaceWithOutliers && i % 1000 == 17 { return Float(normal() * 60) }  // 0.1 % outliers
                let u = unit() - 0.5
                return Float(-(u < 0 ? -1.0 : 1.0) * log(max(1 - 2 * abs(u), 1e-12)))
            case .postReLU: return Float(max(0, normal() * 1.5 + 0.3))     // ~42 % exact zeros
            }
        }
    }

    static func histogram(_ values: [Float], batches: Int = 10, name: String = "t", sampleCapacity: Int = 0) throws -> TensorHistogram {
        var h = TensorHistogram(name: name, sampleCapacity: sampleCapacity)
        let n = values.count
        for b in 0..<batches { try h.add(Array(values[(b * n / batches)..<((b + 1) * n / batches)])) }
        return h
    }

    /// Brute force: mean squared error of quantizing every value.
    static func measuredError(_ values: [Float], _ q: ActivationQuantization) -> Double {
        values.reduce(0.0) { sum, x in
            let d = Double(q.dequantize(q.quantize(x))) - Double(x)
            return sum + d * d
        } / Double(values.count)
    }

    static func measuredError(_ values: [Float], _ r: (lo: Float, hi: Float)) -> Double {
        measuredError(values, ActivationQuantization(lo: r.lo, hi: r.hi))
    }

    // MARK: Histogram

    @Test(arguments: Distribution.allCases)
    func quantilesMatchSortedData(_ d: Distribution) throws {
        let values = Self.data(d)
        let h = try Self.histogram(values)
        let sorted = values.sorted()
        #expect(h.count == values.count)
        #expect(h.min == sorted.first! && h.max == sorted.last!)
        let w = h.binWidth
        #expect(w > 0 && w < 2 * Double(h.max - h.min) / 4096, "at least 2048 bins span the data")
        #expect(h.quantile(0) == h.min && h.quantile(1) == h.max)
        for p in [0.0001, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999] {
            // The histogram returns a point of the bin holding the ⌈p·n⌉-th smallest value.
            let k = Int((p * Double(values.count)).rounded(.up)) - 1
            let exact = sorted[max(k, 0)]
            let q = h.quantile(p)
            #expect(abs(Double(q) - Double(exact)) <= w * 1.0001, "\(d) p=\(p): histogram \(q), sorted \(exact), bin width \(w)")
            if exact == 0 { #expect(q == 0, "zeros are an exact atom") }
        }
    }

    @Test func rebinningKeepsCountsAndIsOrderIndependent() throws {
        var r = SeededRandom(seed: 3)
        // Batches whose range keeps widening (forcing several merges), with zeros.
        let batches: [[Float]] = [
            r.floats(1000).map { $0 * 0.01 },
            r.floats(1000).map { $0 > 0.5 ? 0 : $0 },
            r.floats(3000).map { $0 * 40 + 5 },
            r.floats(500).map { $0 * 3000 - 1000 },
            [0, 0, 0, 1e-30, -1e-30],
        ]
        var incremental = TensorHistogram(name: "x")
        var reversed = TensorHistogram(name: "x")
        for b in batches {
            try incremental.add(b)
            #expect(incremental.counts.reduce(0, +) + UInt64(incremental.zeroCount) == UInt64(incremental.count))
        }
        for b in batches.reversed() { try reversed.add(b) }
        var oneShot = TensorHistogram(name: "x")
        let all = batches.flatMap { $0 }
        try oneShot.add(all)
        #expect(incremental.count == all.count)
        #expect(incremental.zeroCount == all.filter { $0 == 0 }.count)
        for h in [incremental, reversed] {
            #expect(h.binExponent == oneShot.binExponent)
            #expect(h.binBase == oneShot.binBase)
            #expect(h.counts == oneShot.counts, "merged bins equal binning everything at the final width")
            #expect(h.min == oneShot.min && h.max == oneShot.max)
        }
        // Every value is in the bin the final width assigns it.
        let w = oneShot.binWidth
        var expected = [UInt64](repeating: 0, count: oneShot.counts.count)
        for x in all where x != 0 { expected[Int((Double(x) / w).rounded(.down)) - oneShot.binBase] += 1 }
        #expect(expected == oneShot.counts)
    }

    @Test(arguments: Distribution.allCases)
    func quantizationErrorMatchesBruteForce(_ d: Distribution) throws {
        let values = Self.data(d)
        let h = try Self.histogram(values)
        let ranges: [(Float, Float)] = [
            (h.min, h.max),
            (h.quantile(0.001), h.quantile(0.999)),
            (h.min * 0.3, h.max * 0.5),
            (h.quantile(0.2), h.quantile(0.8)),
        ]
        for (lo, hi) in ranges {
            let model = h.quantizationError(lo: lo, hi: hi)
            let brute = Self.measuredError(values, (lo, hi))
            #expect(abs(model - brute) <= 0.03 * brute, "\(d) [\(lo), \(hi)]: model \(model), measured \(brute)")
        }
    }

    @Test func nonFiniteValuesThrowNamingTheTensor() throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            var h = TensorHistogram(name: "conv3_out")
            try h.add([1, 2])
            do {
                try h.add([0.5, bad, 3])
                Issue.record("expected an error for \(bad)")
            } catch let error as ConvertError {
                #expect(error.description.contains("conv3_out"), "\(error)")
                #expect(error.description.contains("element 1 of sample 2"), "\(error)")
            }
            #expect(h.count == 2 && h.max == 2, "a rejected batch leaves the histogram unchanged")
        }
    }

    @Test func sampleErrorEstimatesTheStream() throws {
        // A ReLU6-like stream with ties at both ends, much longer than the sample.
        var r = SeededRandom(seed: 11)
        let values: [Float] = (0..<200_000).map { _ in
            let x = r.next() * 5 + 1.5
            return min(max(x, 0), 6)
        } + Self.data(.laplaceWithOutliers, count: 50_000)
        var h = TensorHistogram(name: "relu6", sampleCapacity: 4096)
        for chunk in stride(from: 0, to: values.count, by: 7919) {
            try h.add(Array(values[chunk..<min(chunk + 7919, values.count)]))
        }
        #expect(h.sampleSize == 4096)
        for range in [(Float(0), Float(6)), (-3, 5), (-8, 4), (-60, 60)] {
            let q = ActivationQuantization(lo: range.0, hi: range.1)
            let estimate = try #require(h.sampleError(q))
            let brute = Self.measuredError(values, q)
            #expect(abs(estimate - brute) <= 0.1 * brute, "\(range): sample \(estimate), measured \(brute)")
        }
        // Exact while everything fits.
        var small = TensorHistogram(name: "s", sampleCapacity: 1000)
        let few = Array(values.prefix(800))
        try small.add(few)
        let q = ActivationQuantization(lo: -1, hi: 2)
        #expect(abs(small.sampleError(q)! - Self.measuredError(few, q)) <= 1e-12)
        #expect(TensorHistogram(name: "none").sampleError(q) == nil)
    }

    // MARK: Methods

    @Test func parsingAndDescription() throws {
        #expect(try CalibrationMethod.parse("minmax") == .minmax)
        #expect(try CalibrationMethod.parse("percentile") == .percentile(99.99))
        #expect(try CalibrationMethod.parse("percentile:99.9") == .percentile(99.9))
        #expect(try CalibrationMethod.parse(" MSE ") == .mse)
        #expect(try CalibrationMethod.parse("auto") == .auto)
        #expect(CalibrationMethod(argument: "percentile:99") == .percentile(99))
        #expect(CalibrationMethod(argument: "kl") == nil)
        for bad in ["percentile:abc", "percentile:40", "percentile:100.5", "entropy", ""] {
            #expect(throws: ConvertError.self, "\(bad)") { try CalibrationMethod.parse(bad) }
        }
        for m: CalibrationMethod in [.minmax, .percentile(99.99), .percentile(99), .percentile(99.5), .mse, .auto] {
            #expect(try CalibrationMethod.parse(m.description) == m)
        }
        #expect(CalibrationMethod.percentile(99.99).description == "percentile:99.99")
        #expect(throws: ConvertError.self) { try Calibrator(graph: Graph(), method: .percentile(20)) }
    }

    @Test func rangesContainZero() throws {
        var r = SeededRandom(seed: 5)
        let sets: [[Float]] = Distribution.allCases.map { Self.data($0, count: 20_000) } + [
            r.floats(5000).map { $0 * 0.5 + 5.5 },   // all in [5, 6]
            r.floats(5000).map { $0 - 2 },           // all negative
            [Float](repeating: 0, count: 100),       // constant zero
            [Float](repeating: 3, count: 100),       // constant nonzero
            [-2e-3],
        ]
        for values in sets {
            var h = TensorHistogram(name: "t", sampleCapacity: 1024)
            try h.add(values)
            for m: CalibrationMethod in [.minmax, .percentile(99.99), .percentile(99), .mse, .auto] {
                let (lo, hi) = m.range(of: h)
                #expect(lo <= 0 && hi >= 0 && hi > lo, "\(m) on [\(h.min), \(h.max)]: [\(lo), \(hi)]")
                #expect(lo.isFinite && hi.isFinite)
            }
        }
        var zeros = TensorHistogram(name: "z")
        try zeros.add([0, 0, -0.0])
        let half = ActivationQuantization.degenerateHalfWidth
        for m: CalibrationMethod in [.minmax, .percentile(99.9), .mse, .auto] {
            #expect(m.range(of: zeros) == (-half, half))
        }
        #expect(CalibrationMethod.mse.range(of: TensorHistogram(name: "empty")) == (-half, half))
        // minmax is exactly [min, max] widened to 0.
        var shifted = TensorHistogram(name: "s")
        try shifted.add([5, 5.5, 6])
        #expect(CalibrationMethod.minmax.range(of: shifted) == (0, 6))
    }

    /// Brute-force optimum of the measured error over `[α·min, β·max]`, α, β on a grid.
    static func bruteForceBest(_ values: [Float], _ h: TensorHistogram) -> Double {
        let factors = (0..<24).map { Float(exp2(-Double($0) / 16)) }  // 1 … 0.37
        var best = Double.infinity
        for a in (h.min < 0 ? factors : [1]) {
            for b in (h.max > 0 ? factors : [1]) {
                best = min(best, measuredError(values, (h.min * a, h.max * b)))
            }
        }
        return best
    }

    @Test func mseBeatsMinmaxOnHeavyTailsAndTiesOnUniform() throws {
        // Under squared error clipping pays only where the tail is sparse: the gain over minmax
        // grows with the sample count (the max keeps growing, the optimum stays near 10·b for
        // Laplace(b) at 8 bits). numpy on 1M Laplace values: best clip ≈ 0.54 × minmax's MSE.
        let laplace = Self.data(.laplace, count: 1_000_000)
        let hl = try Self.histogram(laplace, batches: 20)
        let lMinmax = Self.measuredError(laplace, CalibrationMethod.minmax.range(of: hl))
        let lMSE = Self.measuredError(laplace, CalibrationMethod.mse.range(of: hl))
        #expect(lMSE < 0.75 * lMinmax, "Laplace: mse \(lMSE) vs minmax \(lMinmax)")
        print("1M Laplace: mse/minmax measured error = \(lMSE / lMinmax)")

        // With 0.1 % wide outliers clipping them costs more than it saves: mse gains ~10 % and
        // must find the brute-force optimum.
        let heavy = Self.data(.laplaceWithOutliers, count: 40_000)
        let h = try Self.histogram(heavy)
        let minmax = Self.measuredError(heavy, CalibrationMethod.minmax.range(of: h))
        let mseRange = CalibrationMethod.mse.range(of: h)
        let mse = Self.measuredError(heavy, mseRange)
        let percentile = Self.measuredError(heavy, CalibrationMethod.percentile(99.99).range(of: h))
        #expect(mse < 0.95 * minmax, "mse \(mse) vs minmax \(minmax) (range \(mseRange))")
        #expect(mse <= percentile * 1.01, "mse \(mse) vs percentile \(percentile)")
        let brute = Self.bruteForceBest(heavy, h)
        #expect(mse <= brute * 1.005, "the search finds the optimum")
        print("Laplace + outliers: mse/minmax = \(mse / minmax), mse/percentile = \(mse / percentile), mse/grid optimum = \(mse / brute)")

        let post = Self.data(.postReLU, count: 40_000)
        let hp = try Self.histogram(post)
        let postRange = CalibrationMethod.mse.range(of: hp)
        #expect(postRange.lo == 0, "one-sided tensors keep lo = 0")
        let postMSE = Self.measuredError(post, postRange)
        #expect(postMSE <= Self.measuredError(post, CalibrationMethod.minmax.range(of: hp)) * 1.01)
        #expect(postMSE <= Self.bruteForceBest(post, hp) * 1.005)

        let uniform = Self.data(.uniform)
        let hu = try Self.histogram(uniform)
        let u0 = Self.measuredError(uniform, CalibrationMethod.minmax.range(of: hu))
        let u1 = Self.measuredError(uniform, CalibrationMethod.mse.range(of: hu))
        #expect(u1 <= u0 * 1.02 && u1 >= u0 * 0.9, "uniform: mse \(u1) vs minmax \(u0)")
    }

    @Test func autoPicksTheLowestMeasuredError() throws {
        for d in Distribution.allCases {
            let values = Self.data(d, count: 150_000, seed: 21)
            let h = try Self.histogram(values, batches: 15, sampleCapacity: TensorHistogram.defaultSampleCapacity)
            let choice = CalibrationMethod.auto.choose(h)
            let candidates: [CalibrationMethod] = [.minmax, .percentile(99.99), .mse]
            #expect(candidates.contains(choice.method))
            let errors = candidates.map { Self.measuredError(values, $0.range(of: h)) }
            let chosen = Self.measuredError(values, (choice.lo, choice.hi))
            #expect(chosen <= errors.min()! * 1.05, "\(d): picked \(choice.method) \(chosen), candidates \(errors)")
        }
    }

    @Test func mseSearchIsFast() throws {
        var r = SeededRandom(seed: 9)
        var h = TensorHistogram(name: "signed")
        let clock = ContinuousClock()
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }
        var batches: [[Float]] = []
        for _ in 0..<20 { batches.append(r.floats(50_000).map { $0 * $0 * $0 * 8 - 0.5 }) }
        let collect = clock.measure { for b in batches { try? h.add(b) } }
        print("histogram add: \(ms(collect) * 1e6 / 1e6) ns per value")
        var hp = TensorHistogram(name: "relu")
        try hp.add(Self.data(.postReLU))
        for (label, hist) in [("signed", h), ("post-ReLU", hp)] {
            var times: [Double] = []
            for _ in 0..<5 { times.append(ms(clock.measure { _ = CalibrationMethod.mse.range(of: hist) })) }
            print("mse search, \(label) tensor: min \(times.min()!) ms, mean \(times.reduce(0, +) / 5) ms, runs \(times)")
            #if DEBUG
            let bound = 1000.0  // debug builds are 20–50× slower than release
            #else
            let bound = 5.0
            #endif
            #expect(times.min()! < bound, "\(label): \(times) ms")
        }
    }

    // MARK: Quantization

    @Test func activationQuantization() {
        let ranges: [(Float, Float)] = [(0, 6), (-1, 1), (-0.3, 2.7), (-5, 0.01), (-7, 0), (1, 2), (-3, -1), (-1e-3, 4e-3), (0, 0)]
        for (lo, hi) in ranges {
            let q = ActivationQuantization(lo: lo, hi: hi)
            #expect((-128...127).contains(q.zeroPoint))
            #expect(q.quantize(0) == Int8(q.zeroPoint), "0 maps to the zero point exactly")
            #expect(q.dequantize(Int8(q.zeroPoint)) == 0)
            let l = min(lo, 0), u = max(hi, 0)
            if u > l { #expect(abs(q.scale - (u - l) / 255) <= 1e-6 * q.scale) }
            let (rlo, rhi) = q.representableRange
            #expect(rlo <= 0 && rhi >= 0)
            #expect(abs(rlo - l) <= q.scale / 2 * 1.001 || u == l, "nudge moves the range by < s/2")
            for i in 0...1000 {
                let x = rlo + (rhi - rlo) * Float(i) / 1000
                let back = q.dequantize(q.quantize(x))
                #expect(abs(back - x) <= q.scale / 2 * 1.0001, "[\(lo), \(hi)] x=\(x) → \(back)")
            }
            #expect(q.quantize(rhi + 10 * q.scale) == 127 && q.quantize(1e30) == 127)
            #expect(q.quantize(rlo - 10 * q.scale) == -128 && q.quantize(-1e30) == -128)
        }
        #expect(ActivationQuantization(lo: 0, hi: 6).zeroPoint == -128)
        #expect(ActivationQuantization(lo: -6, hi: 0).zeroPoint == 127)
        let degenerate = ActivationQuantization(lo: 0, hi: 0)
        #expect(degenerate.scale == 2 * ActivationQuantization.degenerateHalfWidth / 255)
    }

    // MARK: Calibrator

    func smallModel() throws -> FloatModel {
        var b = ONNXBuilder()
        var r = SeededRandom(seed: 13)
        b.input("x", [1, 3, 8, 8])
        b.initializer("w1", [4, 3, 3, 3], r.floats(108))
        b.initializer("b1", [4], r.floats(4))
        b.initializer("w2", [4, 3, 1, 1], r.floats(12))
        b.node("Conv", ["x", "w1", "b1"], ["c1"], name: "conv1", ["pads": [1, 1, 1, 1]])
        b.node("Relu", ["c1"], ["r1"], name: "relu1")
        b.node("Conv", ["x", "w2"], ["c2"], name: "conv2")
        b.node("Add", ["r1", "c2"], ["y"], name: "add")
        b.output("y")
        return try FloatModel(imported: try b.imported())
    }

    @Test func calibratorGivesPlausibleRanges() throws {
        let model = try smallModel()
        let graph = model.graph
        var r = SeededRandom(seed: 17)
        let samples = (0..<12).map { i in Tensor(shape: [1, 3, 8, 8], data: r.floats(192).map { $0 * Float(1 + i % 3) }) }
        let calibrators = try [CalibrationMethod.minmax, .mse, .auto].map { try Calibrator(graph: graph, method: $0) }
        var exactMin: [ValueID: Float] = [:], exactMax: [ValueID: Float] = [:]
        for s in samples {
            _ = try model.executor.run([s])
            for c in calibrators { try c.observe(model.executor) }
            for id in calibrators[0].observedValues {
                let v = model.executor.value(id).data
                exactMin[id] = min(exactMin[id] ?? .infinity, v.min()!)
                exactMax[id] = max(exactMax[id] ?? -.infinity, v.max()!)
            }
        }
        let nonConstant = graph.values.indices.map(ValueID.init).filter { !graph.isConstant($0) }
        #expect(Set(calibrators[0].observedValues) == Set(nonConstant))
        #expect(calibrators[0].sampleCount == samples.count)
        let producers = graph.producers()
        for c in calibrators {
            let ranges = c.ranges()
            #expect(Set(ranges.keys) == Set(nonConstant))
            for (id, range) in ranges {
                let name = graph[id].name
                #expect(range.lo <= 0 && range.hi > 0, "\(c.method) \(name): \(range)")
                #expect(range.lo >= min(exactMin[id]!, 0) && range.hi <= max(exactMax[id]!, 0), "within the observed extremes")
                #expect(range.hi >= 0.2 * exactMax[id]!, "\(c.method) \(name): \(range) vs max \(exactMax[id]!)")
                if c.method == .minmax {
                    #expect(range.lo == min(exactMin[id]!, 0) && range.hi == exactMax[id]!)
                    #expect(range.method == "minmax")
                }
                if c.method == .auto { #expect(range.method.hasPrefix("auto:"), "\(range.method)") }
                // The fused conv+ReLU output is one-sided: lo stays 0.
                if let p = producers[id], case let .conv(params) = graph.nodes[p].op, params.activation == .relu {
                    #expect(range.lo == 0, "\(name) is post-ReLU")
                }
            }
            #expect(c.quantizations().count == ranges.count)
        }
        #expect(graph.nodes.contains { if case let .conv(p) = $0.op { return p.activation == .relu }; return false },
                "the test graph has a fused conv+ReLU")
    }

    @Test func calibratorReportsNonFiniteActivations() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 4])
        b.input("d", [1, 4])
        b.node("Div", ["x", "d"], ["y"], name: "div")
        b.output("y")
        let model = try FloatModel(imported: try b.imported())
        let c = try Calibrator(graph: model.graph, method: .minmax)
        _ = try model.executor.run([Tensor(shape: [1, 4], data: [1, 2, 3, 4]), Tensor(shape: [1, 4], data: [1, 2, 0, 4])])
        #expect {
            try c.observe(model.executor)
        } throws: { error in
            "\(error)".contains("'y'") && "\(error)".contains("non-finite")
        }
    }

    // MARK: Progress bar

    @Test func progressBar() {
        #expect(ProgressBar.render(label: "calibrating", completed: 250, total: 500, elapsedSeconds: 250 / 123.4)
                == "calibrating [#####.....] 250/500 123.4 samples/s ETA 2s")
        #expect(ProgressBar.render(label: "calibrating", completed: 0, total: 500, elapsedSeconds: 0)
                == "calibrating [..........] 0/500 -- samples/s ETA --")
        #expect(ProgressBar.render(label: "c", completed: 10, total: 1000, elapsedSeconds: 10).hasSuffix("ETA 16m30s"))
        #expect(ProgressBar.render(label: "c", completed: 1, total: 10_000, elapsedSeconds: 1).hasSuffix("ETA 2h46m"))

        var written: [String] = []
        let bar = ProgressBar(total: 1000, isEnabled: true, sink: { written.append($0) })
        for _ in 0..<1000 { bar.advance() }
        bar.finish()
        #expect(written.count <= 4, "throttled to 10 redraws per second: \(written.count) writes")
        #expect(written.last == "\n")
        #expect(written.dropLast().last?.contains("[##########] 1000/1000") == true)

        var silent: [String] = []
        let off = ProgressBar(total: 10, isEnabled: false, sink: { silent.append($0) })
        off.advance(by: 10); off.finish()
        #expect(silent.isEmpty)
    }
}

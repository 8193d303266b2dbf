import OctetFiles
import OctetKernels
import OctetRuntime

/// `octet-run MODEL --bench N`: latency of N invokes on one input, min and median.
enum Bench {
    static func run(_ a: RunArguments) throws(RunError) {
        let loaded = try LoadedModel(a)
        let r = loaded.interpreter
        if a.inputs.isEmpty {
            fillPseudoRandom(r)
        } else {
            guard a.inputs.count == r.inputCount else {
                throw RunError.failure("model '\(a.model)' takes \(r.inputCount) input(s), got \(a.inputs.count) --input")
            }
            for (i, path) in a.inputs.enumerated() {
                let array = try readNumpy(path)
                _ = try Run.batchItems([array], r)  // checks the shape; item 0 is timed
                try Run.write(array, item: 0, input: i, r)
            }
        }
        for _ in 0..<a.warmup { r.invoke() }
        var samples: [Int64] = []
        samples.reserveCapacity(a.bench!)
        for _ in 0..<a.bench! {
            let start = octk_clock_ns()
            octk_bench_marker(1)
            r.invoke()
            octk_bench_marker(2)
            samples.append(octk_clock_ns() - start)
        }
        samples.sort()
        let median = samples.count % 2 == 1 ? samples[samples.count / 2] : (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
        octk_write_stdout("""
        model:    \(a.model)
        kernels:  \(r.kernels.path) (\(r.kernels.description)); CPU features: \(CPUFeatures.current.description)
        threads:  \(r.threads)
        arena:    \(r.arenaBytes) bytes; packed weights \(r.packedWeightBytes) bytes; indirection \(r.indirectionBytes) bytes
        load:     \(milliseconds(loaded.loadNanoseconds)) ms (map, verify, prepare)
        latency:  min \(milliseconds(samples[0])) ms, median \(milliseconds(median)) ms (\(samples.count) runs after \(a.warmup) warm-up)

        """)
    }

    /// Every input filled from a fixed xorshift sequence: f32 in [−1, 1), bytes anywhere.
    static func fillPseudoRandom(_ r: Interpreter) {
        var state: UInt32 = 0x9E37_79B9
        func next() -> UInt32 {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return state
        }
        for i in 0..<r.inputCount {
            if r.inputTensor(i).type == .float32 {
                let x = r.inputFloats(i)
                for k in 0..<x.count { x[k] = Float(Int32(bitPattern: next())) / 2_147_483_648.0 }
            } else {
                let b = r.inputBytes(i)
                for k in 0..<b.count { b[k] = UInt8(truncatingIfNeeded: next()) }
            }
        }
    }
}

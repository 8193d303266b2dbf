import Foundation
import OctetConvert
import OctetRuntime

/// What `octet bench` times: a loaded model with a fixed input, invoked on demand.
protocol BenchTarget {
    var runtime: String { get }
    var loadMilliseconds: Double { get }
    /// Multiply-accumulates per invoke (nil when unknown).
    var macs: Int? { get }
    var arenaBytes: Int { get }
    /// The plan's liveness lower bound (int8 models; nil otherwise).
    var arenaLowerBound: Int? { get }
    var packedWeightBytes: Int { get }
    /// Caveats printed under the text report.
    var notes: [String] { get }
    /// The int8 kernel path and its conv kernel (nil for the float path).
    var kernels: (path: String, conv: String)? { get }
    /// Asks for `count` threads; returns how many the runtime will use.
    func setThreads(_ count: Int) throws -> Int
    func invoke() throws
    func profile(runs: Int, threads: Int) throws -> [BenchReport.OpProfile]
}

/// A deterministic input in [−1, 1) (xorshift32), so runs are repeatable.
func benchInput(count: Int) -> [Float] {
    var state: UInt32 = 0x9E37_79B9
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 17; state ^= state << 5
        return Float(state >> 8) / Float(1 << 23) - 1
    }
}

/// A `.octet` model on the int8 interpreter.
final class Int8BenchTarget: BenchTarget {
    let octet: OctetModel
    /// Released before a replacement is made, so peak RSS counts one interpreter.
    var interpreter: Interpreter!
    let loadMilliseconds: Double
    let verifyMilliseconds: Double
    var runtime: String { "octet-int8" }

    init(path: String) throws {
        var octet: OctetModel?, interpreter: Interpreter?, prepare = 0.0
        do {
            verifyMilliseconds = try milliseconds { octet = try OctetModel(path: path) }
            prepare = try milliseconds { interpreter = try Interpreter(model: octet!) }
        } catch let e as OctetError {
            throw ConvertError.octetFile(path, e)
        }
        self.octet = octet!
        self.interpreter = interpreter!
        loadMilliseconds = verifyMilliseconds + prepare
        for i in 0..<self.interpreter.inputCount { fill(input: i) }
    }

    private func fill(input i: Int) {
        let t = interpreter.inputTensor(i)
        let values = benchInput(count: t.elementCount)
        switch t.type {
        case .float32: _ = interpreter.inputFloats(i).update(fromContentsOf: values)
        default:
            let bytes = interpreter.inputBytes(i)
            for k in 0..<Swift.min(bytes.count, values.count) { bytes[k] = UInt8(truncatingIfNeeded: Int(values[k] * 127)) }
        }
    }

    var macs: Int? { octet.description.multiplyAccumulates }
    var arenaBytes: Int { interpreter.arenaBytes }
    var arenaLowerBound: Int? { octet.description.arenaLowerBound }
    var packedWeightBytes: Int { interpreter.packedWeightBytes }
    var kernels: (path: String, conv: String)? { (interpreter.kernels.path, convKernels) }
    /// The conv kernels the ops run (a 7-bit kernel for ops whose weights allow it).
    private var convKernels: String {
        interpreter.convKernelNames.isEmpty ? interpreter.kernels.description : interpreter.convKernelNames.joined(separator: " + ")
    }
    var notes: [String] {
        [String(format: "load = mmap + verify %.2f ms + interpreter preparation (weight packing) %.2f ms", verifyMilliseconds, loadMilliseconds - verifyMilliseconds),
         "kernels: \(convKernels) (path \(interpreter.kernels.path)); indirection buffers \(interpreter.indirectionBytes) B"]
    }

    /// A new interpreter with `count` threads (its pool's workers start here, untimed).
    func setThreads(_ count: Int) throws -> Int {
        if interpreter.threads != count {
            interpreter = nil
            interpreter = try Interpreter(model: octet, threads: count)
            for i in 0..<interpreter.inputCount { fill(input: i) }
        }
        return count
    }

    func invoke() { interpreter.invoke() }

    func profile(runs: Int, threads: Int) throws -> [BenchReport.OpProfile] {
        let ops = octet.description.ops
        var times = [[Double]](repeating: [], count: ops.count)
        for k in times.indices { times[k].reserveCapacity(runs) }  // no reallocation inside the timed gaps
        for _ in 0..<runs {
            var last = monotonicNanoseconds()
            interpreter.invoke { k in
                let now = monotonicNanoseconds()
                times[k].append(Double(now - last) / 1e6)
                last = now
            }
        }
        return ops.indices.map { k in
            let op = ops[k]
            let output = octet.description.tensors[op.outputs[0]]
            return BenchReport.OpProfile(index: k, op: op.code.description, output: output.name, shape: output.shape,
                                         milliseconds: LatencyStats(times[k]).median, macs: octet.description.multiplyAccumulates(ofOp: k))
        }
    }
}

/// An ONNX model on the float path (AVX-512/AVX2 kernels where the CPU has them, else OpenBLAS GEMMs + C reference kernels).
final class FloatBenchTarget: BenchTarget {
    let model: FloatModel
    let input: [Tensor]
    let loadMilliseconds: Double
    var runtime: String { "octet-fp32" }

    init(path: String) throws {
        var model: FloatModel?
        loadMilliseconds = try milliseconds { model = try FloatModel(onnxPath: path, keepEveryValue: false) }
        self.model = model!
        input = self.model.inputShapes.map { Tensor(shape: $0, data: benchInput(count: $0.reduce(1, *))) }
    }

    var macs: Int? { nil }
    var arenaBytes: Int { model.executor.allocatedBytes }
    var arenaLowerBound: Int? { nil }
    var packedWeightBytes: Int { model.executor.packedWeightBytes }
    var kernels: (path: String, conv: String)? { nil }
    var notes: [String] {
        ["load = ONNX import + graph passes + executor preparation",
         "arena = every float buffer the executor holds (weights included; intermediate values share buffers by liveness); threads split the float kernels over the executor's pool (and set OpenBLAS's count)"]
    }

    func setThreads(_ count: Int) -> Int { FloatExecutor.setBLASThreads(count) }

    func invoke() throws { _ = try model.executor.run(input) }

    func profile(runs: Int, threads: Int) throws -> [BenchReport.OpProfile] { [] }
}

import Foundation
import OctetConvert
import Testing
import _TestSupport

/// The fast fp32 kernels (AVX-512 / AVX2 where the CPU has them) against the reference path
/// (OpenBLAS + scalar C) on the same graph: equal up to fp32 summation order.
@Suite struct FloatKernelPathTests {
    /// Largest |a − b| over the largest |b|.
    func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = b.data.map(abs).max() ?? 0
        return zip(a.data, b.data).map { abs($0 - $1) }.max()! / max(scale, .leastNormalMagnitude)
    }

    @Test(arguments: FixtureModelTests.names)
    func fixtureModelsMatchTheReferencePath(name: String) throws {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/models")
        let model = try FloatModel(onnxPath: dir.appendingPathComponent("\(name).onnx").path)
        let reference = try FloatExecutor(graph: model.graph, kernels: .reference)
        #expect(reference.kernelPath == "reference")
        let input = try NumpyFile.read(path: dir.appendingPathComponent("\(name).input.npy").path)
        let shape = model.inputShapes[0], per = shape.reduce(1, *)
        for i in 0..<(input.data.count / per) {  // the file holds a batch; executors take one item
            let item = Tensor(shape: shape, data: Array(input.data[(i * per)..<((i + 1) * per)]))
            let fast = try model.executor.run([item])[0], slow = try reference.run([item])[0]
            #expect(fast.shape == slow.shape)
            #expect(relativeError(fast, slow) < 1e-5, "\(name) item \(i) on \(model.executor.kernelPath)")
        }
    }

    /// Batch 2 through an image stem (3 channels, 5×5 stride 2), a grouped dilated conv, a
    /// depthwise conv with ReLU6, max pool, 1×1 conv + residual Add, and Gemm with bias, on 1
    /// and 2 threads.
    @Test func mixedGraphMatchesTheReferencePath() throws {
        var r = SeededRandom(seed: 11)
        var b = ONNXBuilder()
        b.input("x", [2, 3, 17, 19])
        b.initializer("w1", [8, 3, 5, 5], r.floats(8 * 3 * 25)); b.initializer("b1", [8], r.floats(8))
        b.node("Conv", ["x", "w1", "b1"], ["c1"], ["strides": [2, 2], "pads": [2, 2, 2, 2]])
        b.node("Relu", ["c1"], ["r1"])
        b.initializer("w2", [10, 4, 3, 3], r.floats(10 * 4 * 9))
        b.node("Conv", ["r1", "w2"], ["c2"], ["group": 2, "dilations": [2, 2], "pads": [2, 2, 2, 2]])
        b.initializer("w3", [10, 1, 3, 3], r.floats(90)); b.initializer("b3", [10], r.floats(10))
        b.node("Conv", ["c2", "w3", "b3"], ["c3"], ["group": 10, "pads": [1, 1, 1, 1]])
        b.initializer("lo", [], [0]); b.initializer("hi", [], [6])
        b.node("Clip", ["c3", "lo", "hi"], ["r3"])
        b.node("MaxPool", ["r3"], ["p4"], ["kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]])
        b.initializer("w5", [10, 10, 1, 1], r.floats(100))
        b.node("Conv", ["p4", "w5"], ["c5"])
        b.node("Add", ["p4", "c5"], ["a6"])
        b.node("Flatten", ["a6"], ["f"])
        b.initializer("wfc", [7, 250], r.floats(7 * 250)); b.initializer("bfc", [7], r.floats(7))
        b.node("Gemm", ["f", "wfc", "bfc"], ["y"], ["transB": 1])
        b.output("y")
        let model = try FloatModel(imported: try b.imported())
        let reference = try FloatExecutor(graph: model.graph, kernels: .reference)
        let x = Tensor(shape: [2, 3, 17, 19], data: r.floats(2 * 3 * 17 * 19))
        let slow = try reference.run([x])[0]
        #expect(slow.shape == [2, 7])
        for threads in [1, 2] {
            FloatExecutor.setBLASThreads(threads)
            defer { FloatExecutor.setBLASThreads(1) }
            let fast = try model.executor.run([x])[0]
            #expect(relativeError(fast, slow) < 1e-5, "\(threads) threads on \(model.executor.kernelPath)")
        }
    }

    @Test func unknownPathIsAnError() throws {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/models")
        let model = try FloatModel(onnxPath: dir.appendingPathComponent("ops_tiny.onnx").path)
        #expect(throws: ConvertError.self) { try FloatExecutor(graph: model.graph, kernels: .named("sse1")) }
    }
}

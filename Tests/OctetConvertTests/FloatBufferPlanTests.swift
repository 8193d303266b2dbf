import Foundation
@testable import OctetConvert
import Testing

/// Intermediate values sharing buffers on the float path (FloatBufferPlan): never two live
/// values in one buffer, and the same output bytes as one buffer per value.
@Suite struct FloatBufferPlanTests {
    func fixture(_ name: String) throws -> (model: FloatModel, input: Tensor) {
        let dir = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/models")
        let model = try FloatModel(onnxPath: dir.appendingPathComponent("\(name).onnx").path)
        let batch = try NumpyFile.read(path: dir.appendingPathComponent("\(name).input.npy").path)
        let shape = model.inputShapes[0]
        return (model, Tensor(shape: shape, data: Array(batch.data.prefix(shape.reduce(1, *)))))
    }

    /// Each value is live from its producing node to its last reader (a value no node reads: its
    /// own node); kept values (inputs, outputs, constants) all run long.
    @Test(arguments: FixtureModelTests.names)
    func liveValuesNeverShareABuffer(name: String) throws {
        let graph = try fixture(name).model.graph
        let plan = FloatBufferPlan(graph, keepEveryValue: false)
        let n = graph.values.count, steps = graph.nodes.count
        var born = [Int](repeating: 0, count: n), dies = [Int](repeating: steps, count: n)
        let kept = Set(graph.inputs.map(\.index) + graph.outputs.map(\.index) + graph.constants.keys.map(\.index))
        for (i, node) in graph.nodes.enumerated() { for id in node.outputs { born[id.index] = i; dies[id.index] = i } }
        for (i, node) in graph.nodes.enumerated() { for id in node.inputs where !kept.contains(id.index) { dies[id.index] = i } }
        for v in kept { born[v] = -1; dies[v] = steps }
        var shared = 0
        for a in 0..<n {
            #expect(plan.floats[plan.buffer[a]] >= max(graph.values[a].elementCount, 1))
            for b in (a + 1)..<n where plan.buffer[a] == plan.buffer[b] {
                shared += 1
                #expect(!kept.contains(a) && !kept.contains(b), "\(name): kept value shares a buffer")
                #expect(dies[a] < born[b] || dies[b] < born[a], "\(name): values \(a) and \(b) are live together")
            }
        }
        #expect(shared > 0, "\(name): nothing shared")
        #expect(FloatBufferPlan(graph, keepEveryValue: true).floats.count == n)
    }

    /// Shared buffers compute the same bytes, on every run (stale contents never leak in).
    @Test(arguments: FixtureModelTests.names)
    func sharedBuffersGiveTheSameOutputs(name: String) throws {
        let (model, input) = try fixture(name)
        let shared = try FloatExecutor(graph: model.graph, keepEveryValue: false)
        #expect(shared.allocatedBytes < model.executor.allocatedBytes)
        let want = try model.executor.run([input])
        for _ in 0..<2 {
            let got = try shared.run([input])
            #expect(got.map(\.shape) == want.map(\.shape))
            #expect(zip(got, want).allSatisfy { $0.data.map(\.bitPattern) == $1.data.map(\.bitPattern) }, "\(name)")
        }
    }
}

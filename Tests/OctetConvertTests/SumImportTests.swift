import Foundation
import OctetConvert
import Testing
import _TestSupport

/// ONNX Sum: a chain of binary Adds with NumPy broadcasting.
@Suite struct SumImportTests {
    @Test func threeInputsBroadcast() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("x", [1, 3, 4, 5])
        b.input("z", [5])
        var r = SeededRandom(seed: 11)
        let c = r.floats(3)
        b.initializer("c", [3, 1, 1], c)
        b.node("Sum", ["x", "c", "z"], ["y"], name: "sum3")
        b.output("y")
        let imported = try b.imported()
        let adds = imported.graph.nodes.filter { $0.op == .binary(.add, activation: .none) }
        #expect(adds.count == 2 && imported.graph.nodes.count == 2, "\(imported.graph.nodes.map(\.op))")
        #expect(adds.last?.name == "sum3")
        let x = r.floats(60), z = r.floats(5)
        let out = try FloatModel(imported: imported).run([Tensor(shape: [1, 3, 4, 5], data: x), Tensor(shape: [5], data: z)])
        #expect(out[0].shape == [1, 3, 4, 5])
        var want = [Float](repeating: 0, count: 60)
        for ch in 0..<3 { for h in 0..<4 { for w in 0..<5 {
            let i = (ch * 4 + h) * 5 + w
            want[i] = (x[i] + c[ch]) + z[w]  // left to right, as the chain adds
        } } }
        #expect(out[0].data == want)
    }

    /// The output grows to the broadcast of all inputs, not of the first two.
    @Test func laterInputWidensTheShape() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("a", [3, 1])
        b.input("b", [1])
        b.input("c", [2, 1, 4])
        b.node("Sum", ["a", "b", "c"], ["y"])
        b.output("y")
        let model = try FloatModel(imported: try b.imported())
        let out = try model.run([Tensor(shape: [3, 1], data: [1, 2, 3]), Tensor(shape: [1], data: [10]),
                                 Tensor(shape: [2, 1, 4], data: [0, 100, 200, 300, 400, 500, 600, 700])])
        #expect(out[0].shape == [2, 3, 4])
        #expect(out[0].data[0..<4] == [11, 111, 211, 311])
        #expect(out[0].data[20..<24] == [413, 513, 613, 713])
    }

    @Test func oneInputIsIdentity() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("x", [2, 3])
        b.node("Sum", ["x"], ["y"])
        b.output("y")
        let out = try FloatModel(imported: try b.imported()).run([Tensor(shape: [2, 3], data: [1, -2, 3, -4, 5, -6])])
        #expect(out[0] == Tensor(shape: [2, 3], data: [1, -2, 3, -4, 5, -6]))
    }

    @Test func shapesThatDoNotBroadcastNameTheNode() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("x", [1, 3])
        b.input("y", [1, 3])
        b.input("z", [4])
        b.node("Sum", ["x", "y", "z"], ["s"], name: "bad_sum")
        b.output("s")
        do {
            _ = try b.imported()
            Issue.record("expected an error")
        } catch let e as ConvertError {
            #expect(e.description.contains("'bad_sum' (Sum)"), "\(e)")
        }
    }
}

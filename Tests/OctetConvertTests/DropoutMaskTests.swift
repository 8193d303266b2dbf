import Foundation
import OctetConvert
import Testing
import _TestSupport

/// Dropout at inference: output = input; the mask output is all true (a constant of ones,
/// declared bool) where it is unused or a graph output.
@Suite struct DropoutMaskTests {
    static func boolInitializer(_ name: String, _ value: Bool) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = Int32(Onnx_TensorProto.DataType.bool.rawValue)
        t.int32Data = [value ? 1 : 0]
        return t
    }

    @Test func maskAsGraphOutputIsAllTrue() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("x", [1, 2, 3, 2])
        b.initializer("r", [], [0.4])
        b.node("Relu", ["x"], ["h"])
        b.node("Dropout", ["h", "r"], ["y", "mask"], name: "drop")
        b.output("y")
        b.output("mask")
        let imported = try b.imported()
        #expect(imported.outputTypes == [.float32, .bool])
        let model = try FloatModel(imported: imported)
        var r = SeededRandom(seed: 3)
        let x = r.floats(12)
        let out = try model.run([Tensor(shape: [1, 2, 3, 2], data: x)])
        #expect(out[0].data == x.map { max($0, 0) })
        #expect(out[1] == Tensor(shape: [1, 2, 3, 2], repeating: 1))
    }

    @Test func unusedMaskIsDropped() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("x", [1, 4])
        b.node("Dropout", ["x"], ["h", "mask"], name: "drop")
        b.node("Relu", ["h"], ["y"])
        b.output("y")
        let imported = try b.imported()
        #expect(imported.outputTypes == [.float32])
        let model = try FloatModel(imported: imported)
        #expect(model.graph.nodes.count == 1, "\(model.graph.nodes.map(\.op))")
        #expect(try model.run([Tensor(shape: [1, 4], data: [-1, 2, -3, 4])])[0].data == [0, 2, 0, 4])
    }

    @Test func maskReadByANodeIsUnsupported() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("x", [1, 4])
        b.node("Dropout", ["x"], ["y", "mask"], name: "drop")
        b.node("Cast", ["mask"], ["m"], name: "to_float", ["to": 1])
        b.output("y")
        b.output("m")
        #expect(throws: ConvertError.unsupported(node: "to_float", opType: "Cast",
                                                 what: "reads the Dropout mask 'mask' (bool); a mask may only be unused or a graph output")) {
            _ = try b.imported()
        }
    }

    @Test func trainingModeIsUnsupported() throws {
        var b = ONNXBuilder(opset: 13)
        b.input("x", [1, 4])
        b.initializer("r", [], [0.5])
        b.graph.initializer.append(Self.boolInitializer("training", true))
        b.node("Dropout", ["x", "r", "training"], ["y", "mask"], name: "drop")
        b.output("y")
        b.output("mask")
        #expect(throws: ConvertError.unsupported(node: "drop", opType: "Dropout", what: "Dropout in training mode")) {
            _ = try b.imported()
        }
        // training_mode = false is inference.
        b.graph.initializer[1] = Self.boolInitializer("training", false)
        #expect(try b.imported().outputTypes == [.float32, .bool])
    }
}

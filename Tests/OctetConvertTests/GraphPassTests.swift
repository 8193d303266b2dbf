import OctetConvert
import Testing
import _TestSupport

/// Each pass changes the graph's shape as intended and keeps its function.
@Suite struct GraphPassTests {
    /// Conv → BatchNormalization → Clip(0,6): folded into one conv with a ReLU6 clamp.
    func convBNReLU6(opset: Int64 = 17) throws -> ImportedModel {
        var b = ONNXBuilder(opset: opset)
        var r = SeededRandom(seed: 1)
        b.input("x", [nil, 3, 8, 8])
        b.initializer("w", [4, 3, 3, 3], r.floats(108))
        b.initializer("gamma", [4], r.floats(4).map { $0 + 1.5 })
        b.initializer("beta", [4], r.floats(4))
        b.initializer("mean", [4], r.floats(4))
        b.initializer("var", [4], r.floats(4).map { $0 + 1.2 })
        b.initializer("lo", [], [0])
        b.initializer("hi", [], [6])
        b.node("Conv", ["x", "w"], ["c"], name: "conv", ["pads": [1, 1, 1, 1]])
        b.node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["bn"], name: "bn")
        b.node("Clip", ["bn", "lo", "hi"], ["y"], name: "relu6")
        b.output("y")
        return try b.imported()
    }

    @Test func batchNormAndActivationFoldIntoConv() throws {
        let imported = try convBNReLU6()
        let optimized = try GraphPasses.optimize(imported.graph)
        let convs = optimized.nodes.filter { if case .conv = $0.op { return true }; return false }
        #expect(convs.count == 1)
        if case let .conv(p) = convs[0].op { #expect(p.activation == .clip(min: 0, max: 6)) }
        #expect(!optimized.nodes.contains { if case .channelAffine = $0.op { return true }; return false })
        #expect(!optimized.nodes.contains { if case .unary = $0.op { return true }; return false })
        // Same function with and without the passes.
        var none = GraphPasses.Options()
        none.foldBatchNorm = false; none.fuseActivations = false
        let plain = try FloatModel(imported: imported, options: none), fused = try FloatModel(imported: imported)
        var r = SeededRandom(seed: 2)
        let x = Tensor(shape: [1, 3, 8, 8], data: r.floats(192).map { $0 * 4 })
        let a = try plain.run([x])[0], f = try fused.run([x])[0]
        #expect(relativeMaxError(f.data, a.data) < 1e-5)
        #expect(a.data.contains { $0 == 6 } && a.data.contains { $0 == 0 }, "the clamp must be exercised")
    }

    @Test func preActivationBatchNormStaysAffine() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 2, 4, 4])
        b.initializer("g", [2], [1, 2]); b.initializer("b", [2], [0.5, -0.5])
        b.initializer("m", [2], [0, 1]); b.initializer("v", [2], [1, 4])
        b.node("BatchNormalization", ["x", "g", "b", "m", "v"], ["bn"], ["epsilon": Float(0)])
        b.node("Relu", ["bn"], ["y"])
        b.output("y")
        let model = try FloatModel(imported: try b.imported())
        #expect(model.graph.nodes.contains { $0.op == .channelAffine(activation: .relu) })
        let x = Tensor(shape: [1, 2, 4, 4], data: (0..<32).map { Float($0) - 16 })
        let y = try model.run([x])[0]
        for i in 0..<32 {
            let c = i / 16
            let expected = max(0, (x.data[i] - [0, 1][c]) / [1, 2][c] * [1, 2][c] + [0.5, -0.5][c])
            #expect(abs(y.data[i] - expected) < 1e-5)
        }
    }

    @Test func explicitHardSwishIsRecognised() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 8])
        b.initializer("three", [], [3]); b.initializer("six", [], [6])
        b.initializer("zero", [], [0])
        b.node("Add", ["x", "three"], ["a"])
        b.node("Clip", ["a", "zero", "six"], ["c"])
        b.node("Mul", ["x", "c"], ["m"])
        b.node("Div", ["m", "six"], ["y"])
        b.output("y")
        let model = try FloatModel(imported: try b.imported())
        #expect(model.graph.nodes.map(\.op) == [.unary(.hardSwish)])
        let x = Tensor(shape: [1, 8], data: [-4, -3, -1.5, 0, 1, 2.5, 3, 5])
        let y = try model.run([x])[0]
        for (v, out) in zip(x.data, y.data) { #expect(abs(out - v * min(max(v + 3, 0), 6) / 6) < 1e-6) }
    }

    @Test func spatialOpsRunChannelsLastWithConversionsOnlyAtEdges() throws {
        let model = try FloatModel(imported: try convBNReLU6())
        let g = model.graph
        let identities = g.nodes.filter { $0.op == .identity }
        #expect(identities.count == 2, "one NCHW→NHWC at the input, one back at the output")
        for node in g.nodes where node.op != .identity {
            for v in node.inputs + node.outputs where !g.isConstant(v) { #expect(g[v].layout == .channelsLast) }
        }
        #expect(g.inputs.allSatisfy { g[$0].layout == .plain } && g.outputs.allSatisfy { g[$0].layout == .plain })
    }

    @Test func flattenAfterSpatialOpReadsLogicalOrder() throws {
        // Flatten of an NCHW tensor must see C-major order even though Octet stores NHWC.
        var b = ONNXBuilder()
        b.input("x", [1, 2, 2, 3])
        b.initializer("w", [2, 2, 1, 1], [1, 0, 0, 1])
        b.node("Conv", ["x", "w"], ["c"])
        b.node("Flatten", ["c"], ["y"])
        b.output("y")
        let model = try FloatModel(imported: try b.imported())
        let x = Tensor(shape: [1, 2, 2, 3], data: (0..<12).map(Float.init))
        #expect(try model.run([x])[0].data == x.data)
    }
}

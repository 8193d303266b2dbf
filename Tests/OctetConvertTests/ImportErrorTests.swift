import Foundation
import OctetConvert
import Testing
import _TestSupport

/// Bad or unsupported models fail with errors that name the node, op type and what is wrong.
@Suite struct ImportErrorTests {
    @Test func unsupportedOpNamesNodeAndType() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 4])
        b.node("Erf", ["x"], ["y"], name: "my_erf")
        b.output("y")
        #expect(throws: ConvertError.unsupported(node: "my_erf", opType: "Erf", what: "operator Erf is not implemented")) {
            _ = try b.imported()
        }
    }

    @Test func unsupportedAttributeIsReported() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 1, 4, 4])
        b.node("Resize", ["x", "", "", "sizes"], ["y"], name: "up", ["mode": "cubic"])
        b.initializer("sizes", int64: [1, 1, 8, 8])
        b.output("y")
        do {
            _ = try b.imported()
            Issue.record("expected an error")
        } catch let e as ConvertError {
            #expect(e.isUnsupported)
            #expect(e.description == "unsupported: node 'up' (Resize): mode 'cubic'")
        }
    }

    @Test func garbageIsNotAModel() {
        #expect(throws: ConvertError.self) {
            _ = try ONNXImporter.importModel(data: Data([0xff, 0x00, 0x13, 0x37, 0x42]), directory: nil)
        }
        #expect(throws: ConvertError.io("cannot read model file '/nonexistent/model.onnx'")) {
            _ = try ONNXImporter.importModel(atPath: "/nonexistent/model.onnx")
        }
    }

    @Test func shapeMismatchNamesTheNode() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 3, 8, 8])
        b.initializer("w", [4, 2, 3, 3], Array(repeating: 0, count: 72))
        b.node("Conv", ["x", "w"], ["y"], name: "bad_conv")
        b.output("y")
        do {
            _ = try b.imported()
            Issue.record("expected an error")
        } catch let e as ConvertError {
            #expect(e.description.hasPrefix("invalid node 'bad_conv' (Conv): input channels 3"))
        }
    }

    @Test func missingExternalDataIsReported() throws {
        var b = ONNXBuilder()
        b.input("x", [1, 4])
        var t = Onnx_TensorProto()
        t.name = "w"; t.dims = [4, 4]; t.dataType = 1; t.dataLocation = .external
        var loc = Onnx_StringStringEntryProto(); loc.key = "location"; loc.value = "weights.bin"
        t.externalData = [loc]
        b.graph.initializer.append(t)
        b.node("MatMul", ["x", "w"], ["y"])
        b.output("y")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-ext-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ConvertError.io("external data file '\(dir.appendingPathComponent("weights.bin").path)' for tensor 'w' is missing or unreadable")) {
            _ = try ONNXImporter.importModel(data: try b.serialized(), directory: dir)
        }
    }

    /// offset + length past the end of the file, negative, or overflowing Int: an error each.
    @Test func externalDataRangeIsChecked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octet-ext-range-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(count: 64).write(to: dir.appendingPathComponent("weights.bin"))
        for (offset, length) in [("8", "64"), ("1", "\(Int.max)"), ("16", "-8"), ("-1", "4")] {
            var b = ONNXBuilder()
            b.input("x", [1, 4])
            var t = Onnx_TensorProto()
            t.name = "w"; t.dims = [4, 4]; t.dataType = 1; t.dataLocation = .external
            t.externalData = [("location", "weights.bin"), ("offset", offset), ("length", length)].map { key, value in
                var e = Onnx_StringStringEntryProto(); e.key = key; e.value = value; return e
            }
            b.graph.initializer.append(t)
            b.node("MatMul", ["x", "w"], ["y"])
            b.output("y")
            do {
                _ = try ONNXImporter.importModel(data: try b.serialized(), directory: dir)
                Issue.record("offset \(offset) length \(length) accepted")
            } catch let e as ConvertError {
                #expect("\(e)".contains("tensor 'w'"), "\(e)")
            }
        }
    }

    @Test func dynamicBatchIsRecordedAndRunsAnyBatch() throws {
        var b = ONNXBuilder()
        b.input("x", [nil, 3])
        b.node("Relu", ["x"], ["y"])
        b.output("y")
        let imported = try b.imported()
        #expect(imported.dynamicBatch == [true])
        let model = try FloatModel(imported: imported)
        let y = try model.run([Tensor(shape: [4, 3], data: (0..<12).map { Float($0) - 6 })])[0]
        #expect(y.shape == [4, 3])
        #expect(y.data == (0..<12).map { max(0, Float($0) - 6) })
        #expect(throws: ConvertError.self) { _ = try model.run([Tensor(shape: [4, 2], repeating: 0)]) }
    }
}

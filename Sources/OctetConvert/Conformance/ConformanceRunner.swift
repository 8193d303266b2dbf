import Foundation

/// Runs ONNX backend node test cases (the layout `tools/gen_conformance.py` writes:
/// `<case>/model.onnx`, `<case>/test_data_set_0/{input,output}_K.pb`, plus `index.tsv`) on the
/// float reference path and sorts each into pass / unsupported / fail.
///
/// Octet compiles graphs ahead of time, so inputs that are not float32 data (shapes, axes,
/// pads, scales…) are bound as constants at import, as a converter sees them; if the case then
/// still needs a float input to be constant (e.g. Clip's min/max), every input but the first is
/// bound. A case whose outputs are not float32 tests integer tensor arithmetic, which Octet
/// does not run: it counts as unsupported — except bool outputs the model declares bool and
/// Octet produces as 0/1 floats (a Dropout mask), which are compared exactly.
public enum ConformanceRunner {
    public enum Outcome: Sendable, Equatable {
        case pass
        case unsupported(String)
        case fail(String)
    }

    public struct CaseResult: Sendable {
        public var name: String
        public var opType: String
        public var outcome: Outcome
    }

    /// Tolerance of onnx's backend tests for float outputs: `|a − e| ≤ atol + rtol·|e|`.
    public static let rtol: Float = 1e-3, atol: Float = 1e-6

    public static func run(directory: String) throws -> [CaseResult] {
        let indexPath = (directory as NSString).appendingPathComponent("index.tsv")
        guard let index = try? String(contentsOfFile: indexPath, encoding: .utf8) else {
            throw ConvertError.io("no conformance index at '\(indexPath)': run tools/gen_conformance.py \(directory)")
        }
        var results: [CaseResult] = []
        for line in index.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count >= 2 else { continue }
            let dir = (directory as NSString).appendingPathComponent(fields[0])
            results.append(CaseResult(name: fields[0], opType: fields[1], outcome: runCase(dir)))
        }
        return results
    }

    static func runCase(_ dir: String) -> Outcome {
        do {
            let modelData = try read((dir as NSString).appendingPathComponent("model.onnx"))
            let model = try Onnx_ModelProto(serializedBytes: modelData)
            let dataDir = (dir as NSString).appendingPathComponent("test_data_set_0")
            let initialized = Set(model.graph.initializer.map(\.name))
            let inputNames = model.graph.input.map(\.name).filter { !initialized.contains($0) }
            var inputs: [String: Onnx_TensorProto] = [:]
            for (k, name) in inputNames.enumerated() {
                let path = (dataDir as NSString).appendingPathComponent("input_\(k).pb")
                guard FileManager.default.fileExists(atPath: path) else { continue }  // optional input left out
                inputs[name] = try Onnx_TensorProto(serializedBytes: try read(path))
            }
            var expected: [Onnx_TensorProto] = []
            for k in 0..<model.graph.output.count {
                expected.append(try Onnx_TensorProto(serializedBytes: try read((dataDir as NSString).appendingPathComponent("output_\(k).pb"))))
            }
            let float = Int32(Onnx_TensorProto.DataType.float.rawValue)
            if let t = expected.first(where: { $0.dataType != float && $0.dataType != boolType }) {
                return .unsupported("output '\(t.name)' is \(typeName(t.dataType)); Octet computes float32 tensors")
            }
            let nonFloat = inputs.filter { $0.value.dataType != float }
            do {
                return try attempt(modelData, inputNames: inputNames, inputs: inputs, bound: Set(nonFloat.keys), expected: expected)
            } catch let error as ConvertError where error.isUnsupported && error.description.contains("must be a constant") {
                return try attempt(modelData, inputNames: inputNames, inputs: inputs, bound: Set(inputNames.dropFirst()), expected: expected)
            }
        } catch let error as ConvertError where error.isUnsupported {
            return .unsupported(error.description)
        } catch {
            return .fail("\(error)")
        }
    }

    private static func attempt(_ modelData: Data, inputNames: [String], inputs: [String: Onnx_TensorProto],
                                bound: Set<String>, expected: [Onnx_TensorProto]) throws -> Outcome {
        var bindings: [String: HostTensor] = [:]
        for name in bound { if let t = inputs[name] { bindings[name] = try HostTensor(t, directory: nil, context: "test input") } }
        let imported = try ONNXImporter.importModel(data: modelData, directory: nil, name: "model.onnx", bindings: bindings)
        for (k, want) in expected.enumerated() where want.dataType == boolType && imported.outputTypes[k] != .bool {
            return .unsupported("output '\(want.name)' is bool; Octet computes float32 tensors")
        }
        let model = try FloatModel(imported: imported)
        var runInputs: [Tensor] = []
        for name in model.inputNames {
            guard let t = inputs[name] else { throw ConvertError.invalidInput("no test data for input '\(name)'") }
            runInputs.append(try HostTensor(t, directory: nil, context: "test input").floatTensor)
        }
        let outputs = try model.run(runInputs)
        for (k, (got, want)) in zip(outputs, expected).enumerated() {
            let e = try HostTensor(want, directory: nil, context: "expected output").floatTensor
            guard got.shape == e.shape else { return .fail("output \(k): shape \(got.shape), expected \(e.shape)") }
            for i in 0..<e.count {
                let a = got.data[i], b = e.data[i]
                if a.isNaN && b.isNaN { continue }
                if a == b { continue }
                if want.dataType == boolType || !(abs(a - b) <= atol + rtol * abs(b)) {
                    return .fail("output \(k)[\(i)] = \(a), expected \(b)")
                }
            }
        }
        return .pass
    }

    private static let boolType = Int32(Onnx_TensorProto.DataType.bool.rawValue)

    private static func read(_ path: String) throws -> Data {
        guard let d = FileManager.default.contents(atPath: path) else { throw ConvertError.io("cannot read '\(path)'") }
        return d
    }

    private static func typeName(_ t: Int32) -> String {
        Onnx_TensorProto.DataType(rawValue: Int(t)).map { "\($0)" } ?? "type \(t)"
    }

    /// Markdown summary: totals, per-op counts, and every unsupported and failing case with its reason.
    public static func markdown(_ results: [CaseResult], onnxVersion: String) -> String {
        func count(_ r: [CaseResult], _ f: (Outcome) -> Bool) -> Int { r.filter { f($0.outcome) }.count }
        let isPass: (Outcome) -> Bool = { $0 == .pass }
        let isUnsupported: (Outcome) -> Bool = { if case .unsupported = $0 { return true }; return false }
        let isFail: (Outcome) -> Bool = { if case .fail = $0 { return true }; return false }
        var s = "# ONNX backend node tests: Octet float path\n\n"
        s += "Cases generated by `tools/gen_conformance.py` from onnx \(onnxVersion)'s own generators; "
        s += "run on the float reference path and written by `tools/conformance_report.sh`. Inputs that are not float32 data "
        s += "(shapes, axes, pads, scales) are bound as constants at import, as Octet's converter requires; cases whose outputs "
        s += "are not float32 (integer arithmetic) count as unsupported, except bool outputs a model declares bool (Dropout masks: "
        s += "0/1 floats, compared exactly). Tolerance: |got − expected| ≤ \(atol) + \(rtol)·|expected|.\n\n"
        s += "**\(results.count) cases: \(count(results, isPass)) passed, \(count(results, isUnsupported)) unsupported, \(count(results, isFail)) failed.**\n\n"
        s += "| op | cases | pass | unsupported | fail |\n|---|---|---|---|---|\n"
        for op in Set(results.map(\.opType)).sorted() {
            let r = results.filter { $0.opType == op }
            s += "| \(op) | \(r.count) | \(count(r, isPass)) | \(count(r, isUnsupported)) | \(count(r, isFail)) |\n"
        }
        let unsupported = results.compactMap { r -> String? in
            if case let .unsupported(why) = r.outcome { return "| \(r.name) | \(why.replacingOccurrences(of: "|", with: "\\|")) |" }
            return nil
        }
        if !unsupported.isEmpty { s += "\n## Unsupported\n\n| case | reason |\n|---|---|\n" + unsupported.joined(separator: "\n") + "\n" }
        let failed = results.compactMap { r -> String? in
            if case let .fail(why) = r.outcome { return "| \(r.name) | \(why.replacingOccurrences(of: "|", with: "\\|")) |" }
            return nil
        }
        if !failed.isEmpty { s += "\n## Failed\n\n| case | reason |\n|---|---|\n" + failed.joined(separator: "\n") + "\n" }
        return s
    }
}

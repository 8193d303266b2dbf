import Foundation
import OctetConvert
import OctetRuntime

/// libFuzzer harness of the ONNX importer and the conversion steps after it.
///
/// Input: an ONNX protobuf, imported with no directory (external data is never read). A model
/// that imports and is small (`WorkEstimate.floatGraph`: at most `maxElements` value elements
/// and `maxWork` element-steps) then goes through the graph passes and the float executor's
/// preparation; a single-input model is converted end to end on one deterministic calibration
/// sample (float run, calibration, int8 lowering, arena plan, serialisation, the verifier's
/// self-check) and the result is run once through `LoaderFuzzHarness`'s invoke; a model with
/// several inputs is run once on the float path.
public enum ONNXImportFuzzHarness {
    public static let maxElements = 1 << 18
    public static let maxWork = 1 << 22

    public enum Outcome: Equatable, Sendable {
        case rejected(String)
        case imported(skipped: String)
        case ranFloat
        case converted
    }

    @discardableResult
    public static func run(_ input: UnsafeRawBufferPointer) -> Outcome {
        let data = Data(input)
        let name = "fuzz.onnx"
        let imported: ImportedModel
        do {
            imported = try ONNXImporter.importModel(data: data, directory: nil, name: name)
        } catch {
            return .rejected("import: \(error)")
        }
        let (elements, work) = WorkEstimate.floatGraph(imported.graph)
        guard elements <= maxElements, work <= maxWork else {
            return .imported(skipped: "\(elements) elements, work \(work)")
        }
        let float: FloatModel
        do {
            float = try FloatModel(imported: imported)
        } catch {
            return .rejected("passes: \(error)")
        }
        var values = FuzzInputData(seed: UInt64(truncatingIfNeeded: data.count))
        let samples = float.inputShapes.map { shape in
            Tensor(shape: shape, data: (0..<Saturating.elements(shape)).map { _ in values.finiteFloat() })
        }
        guard samples.count == 1 else {
            do { _ = try float.run(samples) } catch { return .rejected("float run: \(error)") }
            return .ranFloat
        }
        var options = ConversionOptions()
        options.progress = false
        options.biasCorrection = .off
        options.equalization = .off
        options.calibrationMethod = [.auto, .mse, .percentile(99.9), .minmax, .minmax, .minmax, .minmax, .minmax][data.count % 8]
        let result: ConversionResult
        do {
            result = try Converter.convert(source: data, directory: nil, name: name, calibration: samples[0], options: options)
        } catch {
            return .rejected("convert: \(error)")
        }
        if let model = try? OctetModel(bytes: result.bytes) {
            _ = LoaderFuzzHarness.invoke(model, kernels: .automatic, rawFloats: false, seed: 0)
        }
        return .converted
    }
}

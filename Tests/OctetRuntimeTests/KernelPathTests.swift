import Foundation
import OctetConvert
import OctetRuntime
import Testing

/// Every kernel path computes the same bytes: whole converted models run on the reference
/// kernels and on each path this CPU has, on 1 and 3 threads, and every op's output tensor
/// must match bit for bit.
@Suite struct KernelPathTests {
    static let fixtures = ["resnet18_tiny", "mobilenet_v1_tiny", "mobilenet_v2_tiny", "bagnet_tiny", "nhwc_input_tiny", "ops_tiny"]

    /// Every op's output bytes after one invoke on `path`.
    func trace(_ model: OctetModel, _ input: Tensor, path: KernelPath, threads: Int = 1) throws -> [[UInt8]] {
        let interpreter = try Interpreter(model: model, kernels: path, threads: threads)
        let per = interpreter.inputTensor(0).elementCount
        _ = interpreter.inputFloats(0).update(fromContentsOf: input.data[0..<per])
        var outputs: [[UInt8]] = []
        interpreter.invoke { k in
            outputs.append(model.description.ops[k].outputs.flatMap { Array(interpreter.tensorBytes($0)) })
        }
        return outputs
    }

    @Test(arguments: fixtures)
    func everyPathMatchesTheReferenceOpByOp(fixture: String) throws {
        let (model, input) = try InterpreterTests().converted(fixture)
        let reference = try trace(model, input, path: .reference)
        let paths = KernelSelection.availablePaths()
        #expect(paths.contains("scalar"))
        for path in paths {
          for threads in [1, 3] {
            let got = try trace(model, input, path: .named(path), threads: threads)
            #expect(got.count == reference.count)
            for (k, (a, b)) in zip(got, reference).enumerated() where a != b {
                let code = model.description.ops[k].code
                let differing = zip(a, b).filter { $0 != $1 }.count
                Issue.record("\(fixture) on \(path), \(threads) threads: op #\(k) (\(code)) differs from the reference in \(differing) of \(a.count) bytes")
                break
            }
          }
        }
    }

    @Test func unknownOrUnsupportedPathIsATypedError() throws {
        let (model, _) = try InterpreterTests().converted("resnet18_tiny")
        #expect(throws: OctetError.self) { _ = try Interpreter(model: model, kernels: .named("no-such-path")) }
        #if arch(x86_64)
        #expect(throws: OctetError.self) { _ = try Interpreter(model: model, kernels: .named("i8mm")) }
        #endif
        let automatic = try Interpreter(model: model)
        #expect(automatic.kernels.path == KernelSelection.availablePaths().first)
        #expect(automatic.packedWeightBytes > 0 && automatic.indirectionBytes > 0)
        #expect(try Interpreter(model: model, kernels: .reference).packedWeightBytes == 0)
        #expect(throws: OctetError.self) { _ = try Interpreter(model: model, threads: 0) }
    }
}

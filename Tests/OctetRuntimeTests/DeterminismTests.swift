import Foundation
import Synchronization
import OctetConvert
import OctetRuntime
import Testing

/// The same input gives the same bytes: on repeated invokes, for any thread count, and with
/// several interpreters sharing one loaded model from several threads at once.
@Suite struct DeterminismTests {
    func outputs(_ interpreter: Interpreter) -> [[UInt8]] {
        (0..<interpreter.outputCount).map { Array(interpreter.outputBytes($0)) }
    }

    func load(_ interpreter: Interpreter, _ input: Tensor, item: Int) {
        let per = interpreter.inputTensor(0).elementCount
        let start = (item * per) % max(input.data.count - per + 1, 1)
        _ = interpreter.inputFloats(0).update(fromContentsOf: input.data[start..<(start + per)])
    }

    @Test(arguments: ["resnet18_tiny", "mobilenet_v2_tiny", "ops_tiny"])
    func repeatedInvokesAndThreadCountsAgree(fixture: String) throws {
        let (model, input) = try InterpreterTests().converted(fixture)
        let reference = try Interpreter(model: model, threads: 1)
        load(reference, input, item: 0)
        reference.invoke()
        let want = outputs(reference)
        for threads in 1...4 {
            let interpreter = try Interpreter(model: model, threads: threads)
            load(interpreter, input, item: 0)
            for run in 0..<5 {
                interpreter.invoke()
                #expect(outputs(interpreter) == want, "\(fixture): \(threads) threads, run \(run)")
            }
        }
    }

    /// Four threads, each with its own interpreter (two of them with worker pools) on one
    /// OctetModel, run different inputs in an interleaved order; every result must equal the
    /// single-threaded result for its input.
    @Test func interpretersShareOneModelAcrossThreads() throws {
        let (model, input) = try InterpreterTests().converted("resnet18_tiny")
        let items = 3
        var expected: [[[UInt8]]] = []
        let single = try Interpreter(model: model)
        for item in 0..<items {
            load(single, input, item: item)
            single.invoke()
            expected.append(outputs(single))
        }
        let want = expected
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            guard let interpreter = try? Interpreter(model: model, threads: worker % 2 + 1) else {
                mismatches.withLock { $0 += 1000 }
                return
            }
            for round in 0..<20 {
                let item = (worker + round) % items
                load(interpreter, input, item: item)
                interpreter.invoke()
                if outputs(interpreter) != want[item] { mismatches.withLock { $0 += 1 } }
            }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }
}

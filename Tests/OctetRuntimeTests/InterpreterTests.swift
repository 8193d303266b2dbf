import Foundation
import OctetConvert
import OctetRuntime
import Testing
import _MallocCounter

/// The interpreter on a converted PyTorch ResNet fixture: zero allocations per invoke,
/// deterministic outputs, close to the float path.
@Suite struct InterpreterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../OctetConvertTests/Fixtures/models").standardized

    func converted(_ name: String = "resnet18_tiny") throws -> (OctetModel, Tensor) {
        let onnx = Self.fixtures.appendingPathComponent("\(name).onnx").path
        let input = try NumpyFile.read(path: Self.fixtures.appendingPathComponent("\(name).input.npy").path)
        var options = ConversionOptions()
        options.progress = false
        let result = try Converter.convert(onnxPath: onnx, calibration: input, options: options)
        return (try OctetModel(bytes: result.bytes), input)
    }

    /// The sanitizer that replaced malloc in this build (ASan, TSan: the interposer is then
    /// compiled out), nil in normal builds.
    static let mallocSanitizer = malloc_counter_sanitizer().map { String(cString: $0) }

    /// ResNet (conv, pool, add, FC), BagNet (slice crop, average pool), MobileNetV2 (depthwise,
    /// clip) and ops_tiny (concat, LUTs, every float fallback incl. pad and conv-transpose scratch).
    @Test(.disabled(if: mallocSanitizer != nil,
                    "malloc interposer compiled out: this build's sanitizer (\(mallocSanitizer ?? "")) owns malloc"),
          arguments: ["resnet18_tiny", "bagnet_tiny", "mobilenet_v2_tiny", "ops_tiny"], [1, 2])
    func invokeAllocatesNothing(fixture: String, threads: Int) throws {
        #expect(malloc_counter_available() == 1, "the malloc interposer is not active in this build")
        let (model, input) = try converted(fixture)
        let interpreter = try Interpreter(model: model, threads: threads)
        let per = interpreter.inputTensor(0).elementCount
        _ = interpreter.inputFloats(0).update(fromContentsOf: input.data[0..<per])
        interpreter.invoke()  // warm-up
        malloc_counter_start()
        for _ in 0..<100 { interpreter.invoke() }
        let allocations = malloc_counter_stop()
        #expect(allocations == 0, "\(fixture): invoke() allocated \(allocations) times in 100 runs")
        // The counter itself works: an Array allocation is seen.
        malloc_counter_start()
        let array = [Int](repeating: 1, count: 1000 + Int(input.data[0].magnitude))
        let seen = malloc_counter_stop()
        #expect(seen >= 1 && array.count >= 1000)
    }

    @Test func outputsAreDeterministicAndCloseToFloat() throws {
        let (model, input) = try converted()
        let interpreter = try Interpreter(model: model)
        let per = interpreter.inputTensor(0).elementCount
        _ = interpreter.inputFloats(0).update(fromContentsOf: input.data[0..<per])
        interpreter.invoke()
        let first = Array(interpreter.outputFloats(0))
        for _ in 0..<5 {
            interpreter.invoke()
            #expect(Array(interpreter.outputFloats(0)) == first)
        }
        let float = try FloatModel(onnxPath: Self.fixtures.appendingPathComponent("resnet18_tiny.onnx").path)
        let reference = try float.run([Tensor(shape: float.inputShapes[0], data: Array(input.data[0..<per]))])[0]
        var signal = 0.0, noise = 0.0
        for (a, b) in zip(first, reference.data) { signal += Double(b * b); noise += Double((a - b) * (a - b)) }
        let sqnr = 10 * log10(signal / max(noise, 1e-30))
        #expect(sqnr > 15, "output SQNR \(sqnr) dB")
    }
}

/// A model used in place from the caller's memory and activations in the caller's arena (what
/// the C API's octet_model_load_memory and octet_interpreter_options.arena map to).
@Suite struct CallerMemoryTests {
    @Test func borrowedModelAndCallerArenaGiveTheSameBytes() throws {
        let (owned, input) = try InterpreterTests().converted("mobilenet_v2_tiny")
        let bytes = OctetSerializer.serialize(owned.materialized())
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 64, alignment: 64)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        #expect(throws: OctetError.self) { try OctetModel(borrowing: UnsafeRawBufferPointer(rebasing: buffer[1..<(bytes.count + 1)])) }
        let borrowed = try OctetModel(borrowing: UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]))

        let needed = Interpreter.arenaBytes(for: borrowed)
        #expect(needed >= borrowed.description.arenaSize)
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: needed + 64, alignment: 64)
        defer { arena.deallocate() }
        do throws(OctetError) {
            _ = try Interpreter(model: borrowed, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<(needed - 1)]))
            Issue.record("an arena one byte short was accepted")
        } catch {
            #expect("\(error)".contains("the model needs \(needed)"))
        }
        #expect(throws: OctetError.self) { try Interpreter(model: borrowed, arena: UnsafeMutableRawBufferPointer(rebasing: arena[1..<(needed + 1)])) }

        let mine = try Interpreter(model: borrowed, threads: 2, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<needed]))
        let reference = try Interpreter(model: owned)
        let per = mine.inputFloats(0).count
        for r in [mine, reference] { _ = r.inputFloats(0).update(fromContentsOf: input.data.prefix(per)) }
        mine.invoke()
        reference.invoke()
        #expect(Array(mine.outputBytes(0)) == Array(reference.outputBytes(0)))
        #expect(mine.inputBytes(0).baseAddress! >= arena.baseAddress! && mine.inputBytes(0).baseAddress! < arena.baseAddress! + needed)
    }
}

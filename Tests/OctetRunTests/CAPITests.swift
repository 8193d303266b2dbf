import COctet
import Foundation
import OctetCAPI
import OctetRuntime
import Testing

/// The C API (octet.h) called from Swift in the SwiftPM build; tools/arm/octet_api_test.c
/// checks the same from C in the static builds (natively and under qemu).
@Suite struct CAPITests {
    @Test func runsLikeTheInterpreterInTheCallersArena() throws {
        let (path, _) = Fixtures.mobileNet
        var error = octet_error()
        var model: OpaquePointer? = nil
        #expect(octet_model_load_file(path, &model, &error) == OCTET_OK)
        defer { octet_model_free(model) }
        var info = octet_tensor_info()
        #expect(octet_model_input_info(model, 0, &info, &error) == OCTET_OK)
        #expect(info.type == OCTET_FLOAT32 && info.rank == 4 && info.quantized == 0)

        let arenaBytes = octet_model_arena_bytes(model)
        let arena = UnsafeMutableRawPointer.allocate(byteCount: arenaBytes, alignment: 64)
        defer { arena.deallocate() }
        var options = octet_interpreter_options()
        octet_interpreter_options_init(&options)
        options.arena = arena
        options.arena_bytes = arenaBytes
        options.threads = 2
        var interpreter: OpaquePointer? = nil
        #expect(octet_interpreter_create(model, &options, &interpreter, &error) == OCTET_OK)
        defer { octet_interpreter_free(interpreter) }
        let x = try #require(octet_interpreter_input(interpreter, 0)).assumingMemoryBound(to: Float.self)
        #expect(UnsafeMutableRawPointer(x) >= arena && UnsafeMutableRawPointer(x) < arena + arenaBytes)
        let count = info.bytes / 4
        for k in 0..<count { x[k] = Float(k % 17) / 8 - 1 }
        #expect(octet_interpreter_invoke(interpreter, &error) == OCTET_OK)
        octet_model_output_info(model, 0, &info, nil)
        let y = UnsafeRawBufferPointer(start: octet_interpreter_output(interpreter, 0), count: info.bytes)

        let reference = try Interpreter(model: OctetModel(path: path))
        for k in 0..<count { reference.inputFloats(0)[k] = Float(k % 17) / 8 - 1 }
        reference.invoke()
        #expect(Array(y) == Array(reference.outputBytes(0)))
        #expect(String(cString: octet_interpreter_kernel_path(interpreter)) == reference.kernels.path)
    }

    @Test func errorsCarryAStatusAndAMessage() throws {
        var error = octet_error()
        var model: OpaquePointer? = nil
        #expect(octet_model_load_file("/nonexistent.octet", &model, &error) == OCTET_ERROR_IO)
        let message = withUnsafeBytes(of: error.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #expect(message == "cannot read model: '/nonexistent.octet': No such file or directory")
        #expect(error.status == OCTET_ERROR_IO && model == nil)
        #expect(octet_model_load_file(nil, &model, nil) == OCTET_ERROR_ARGUMENT)
        #expect(String(cString: octet_status_name(OCTET_ERROR_MEMORY)) == "OCTET_ERROR_MEMORY")
        #expect(octet_api_version() == OCTET_API_VERSION)

        // A message longer than the record is cut, NUL-terminated.
        let long = "/" + String(repeating: "d", count: 900) + ".octet"
        #expect(octet_model_load_file(long, &model, &error) == OCTET_ERROR_IO)
        #expect(withUnsafeBytes(of: error.message) { $0.last == 0 && $0.firstIndex(of: 0) == $0.count - 1 })
    }
}

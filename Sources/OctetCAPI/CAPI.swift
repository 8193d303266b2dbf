import COctet
import OctetRuntime

// The functions of octet.h that need the runtime (octet_api_version and octet_status_name are
// C, in COctet). Handles are retained Swift objects: CModel, CInterpreter.

@_cdecl("octet_model_load_file")
public func octet_model_load_file(_ path: UnsafePointer<CChar>?, _ model: UnsafeMutablePointer<OpaquePointer?>?,
                                  _ error: UnsafeMutablePointer<octet_error>?) -> octet_status {
    guard let path, let model else { return fail(error, OCTET_ERROR_ARGUMENT, "octet_model_load_file: path and model must not be NULL") }
    model.pointee = nil
    do throws(OctetError) {
        let m = try OctetModel(path: String(cString: path))
        model.pointee = OpaquePointer(Unmanaged.passRetained(CModel(m)).toOpaque())
        return succeed(error)
    } catch let e {
        return fail(error, e)
    }
}

@_cdecl("octet_model_load_memory")
public func octet_model_load_memory(_ data: UnsafeRawPointer?, _ size: Int, _ model: UnsafeMutablePointer<OpaquePointer?>?,
                                    _ error: UnsafeMutablePointer<octet_error>?) -> octet_status {
    guard let data, let model else { return fail(error, OCTET_ERROR_ARGUMENT, "octet_model_load_memory: data and model must not be NULL") }
    model.pointee = nil
    guard Int(bitPattern: data) % OctetFormat.alignment == 0 else {
        return fail(error, OCTET_ERROR_ARGUMENT, "octet_model_load_memory: data must be \(OctetFormat.alignment)-byte aligned")
    }
    do throws(OctetError) {
        let m = try OctetModel(borrowing: UnsafeRawBufferPointer(start: data, count: size))
        model.pointee = OpaquePointer(Unmanaged.passRetained(CModel(m)).toOpaque())
        return succeed(error)
    } catch let e {
        return fail(error, e)
    }
}

@_cdecl("octet_model_free")
public func octet_model_free(_ model: OpaquePointer?) {
    guard let model else { return }
    Unmanaged<CModel>.fromOpaque(UnsafeRawPointer(model)).release()
}

@_cdecl("octet_model_input_count")
public func octet_model_input_count(_ model: OpaquePointer?) -> Int32 {
    model.map { Int32(CModel.from($0).inputs.count) } ?? 0
}

@_cdecl("octet_model_output_count")
public func octet_model_output_count(_ model: OpaquePointer?) -> Int32 {
    model.map { Int32(CModel.from($0).outputs.count) } ?? 0
}

/// Copies record `index` of `records` to `info`, or fails naming `what`.
private func tensorInfo(_ records: [octet_tensor_info]?, _ index: Int32, _ info: UnsafeMutablePointer<octet_tensor_info>?,
                        _ error: UnsafeMutablePointer<octet_error>?, _ what: String) -> octet_status {
    guard let records, let info else { return fail(error, OCTET_ERROR_ARGUMENT, "\(what): model and info must not be NULL") }
    guard index >= 0, Int(index) < records.count else {
        return fail(error, OCTET_ERROR_ARGUMENT, "\(what): index \(index) is out of range (the model has \(records.count))")
    }
    info.pointee = records[Int(index)]
    return succeed(error)
}

@_cdecl("octet_model_input_info")
public func octet_model_input_info(_ model: OpaquePointer?, _ index: Int32, _ info: UnsafeMutablePointer<octet_tensor_info>?,
                                   _ error: UnsafeMutablePointer<octet_error>?) -> octet_status {
    tensorInfo(model.map { CModel.from($0).inputs }, index, info, error, "octet_model_input_info")
}

@_cdecl("octet_model_output_info")
public func octet_model_output_info(_ model: OpaquePointer?, _ index: Int32, _ info: UnsafeMutablePointer<octet_tensor_info>?,
                                    _ error: UnsafeMutablePointer<octet_error>?) -> octet_status {
    tensorInfo(model.map { CModel.from($0).outputs }, index, info, error, "octet_model_output_info")
}

@_cdecl("octet_model_arena_bytes")
public func octet_model_arena_bytes(_ model: OpaquePointer?) -> Int {
    model.map { Interpreter.arenaBytes(for: CModel.from($0).model) } ?? 0
}

@_cdecl("octet_interpreter_options_init")
public func octet_interpreter_options_init(_ options: UnsafeMutablePointer<octet_interpreter_options>?) {
    options?.pointee = octet_interpreter_options(threads: 1, kernel_path: nil, arena: nil, arena_bytes: 0)
}

@_cdecl("octet_interpreter_create")
public func octet_interpreter_create(_ model: OpaquePointer?, _ options: UnsafePointer<octet_interpreter_options>?,
                                     _ interpreter: UnsafeMutablePointer<OpaquePointer?>?,
                                     _ error: UnsafeMutablePointer<octet_error>?) -> octet_status {
    guard let model, let interpreter else {
        return fail(error, OCTET_ERROR_ARGUMENT, "octet_interpreter_create: model and interpreter must not be NULL")
    }
    interpreter.pointee = nil
    var o = octet_interpreter_options()
    octet_interpreter_options_init(&o)
    if let options { o = options.pointee }
    let path: KernelPath
    switch o.kernel_path.map({ String(cString: $0) }) {
    case nil, "", "auto": path = .automatic
    case "reference": path = .reference
    case let name?: path = .named(name)
    }
    var arena: UnsafeMutableRawBufferPointer? = nil
    if let base = o.arena {
        guard Int(bitPattern: base) % OctetFormat.alignment == 0 else {
            return fail(error, OCTET_ERROR_ARGUMENT, "octet_interpreter_create: the arena must be \(OctetFormat.alignment)-byte aligned")
        }
        arena = UnsafeMutableRawBufferPointer(start: base, count: o.arena_bytes)
    }
    let m = CModel.from(model)
    do throws(OctetError) {
        let i = try Interpreter(model: m.model, kernels: path, threads: Int(o.threads), arena: arena)
        interpreter.pointee = OpaquePointer(Unmanaged.passRetained(CInterpreter(model: m, interpreter: i)).toOpaque())
        return succeed(error)
    } catch let e {
        return fail(error, e)
    }
}

@_cdecl("octet_interpreter_free")
public func octet_interpreter_free(_ interpreter: OpaquePointer?) {
    guard let interpreter else { return }
    Unmanaged<CInterpreter>.fromOpaque(UnsafeRawPointer(interpreter)).release()
}

@_cdecl("octet_interpreter_input")
public func octet_interpreter_input(_ interpreter: OpaquePointer?, _ index: Int32) -> UnsafeMutableRawPointer? {
    guard let interpreter else { return nil }
    let i = CInterpreter.from(interpreter).interpreter
    guard index >= 0, Int(index) < i.inputCount else { return nil }
    return i.inputBytes(Int(index)).baseAddress
}

@_cdecl("octet_interpreter_output")
public func octet_interpreter_output(_ interpreter: OpaquePointer?, _ index: Int32) -> UnsafeRawPointer? {
    guard let interpreter else { return nil }
    let i = CInterpreter.from(interpreter).interpreter
    guard index >= 0, Int(index) < i.outputCount else { return nil }
    return i.outputBytes(Int(index)).baseAddress
}

@_cdecl("octet_interpreter_invoke")
public func octet_interpreter_invoke(_ interpreter: OpaquePointer?, _ error: UnsafeMutablePointer<octet_error>?) -> octet_status {
    guard let interpreter else { return fail(error, OCTET_ERROR_ARGUMENT, "octet_interpreter_invoke: interpreter must not be NULL") }
    CInterpreter.from(interpreter).interpreter.invoke()
    return succeed(error)
}

@_cdecl("octet_interpreter_kernel_path")
public func octet_interpreter_kernel_path(_ interpreter: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let interpreter else { return nil }
    return CInterpreter.from(interpreter).interpreter.kernels.pathCString
}

@_cdecl("octet_interpreter_arena_bytes")
public func octet_interpreter_arena_bytes(_ interpreter: OpaquePointer?) -> Int {
    interpreter.map { CInterpreter.from($0).interpreter.arenaBytes } ?? 0
}

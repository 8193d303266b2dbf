import COctet
import OctetRuntime

/// What an `octet_model*` points to: the model and the C strings and tensor records the API
/// hands out (made once at load, freed with the model).
final class CModel {
    let model: OctetModel
    let inputs: [octet_tensor_info]
    let outputs: [octet_tensor_info]
    private let names: [UnsafeMutablePointer<CChar>]

    init(_ model: OctetModel) {
        self.model = model
        var names: [UnsafeMutablePointer<CChar>] = []
        func info(_ t: Int) -> octet_tensor_info {
            let d = model.description.tensors[t]
            let name = CModel.cString(d.name)
            names.append(name)
            var i = octet_tensor_info()
            i.name = UnsafePointer(name)
            i.type = octet_type(rawValue: UInt32(d.type.rawValue))
            i.rank = Int32(d.shape.count)
            withUnsafeMutableBytes(of: &i.shape) { raw in
                let shape = raw.bindMemory(to: Int64.self)
                for (k, n) in d.shape.prefix(Int(OCTET_MAX_RANK)).enumerated() { shape[k] = Int64(n) }
            }
            i.bytes = d.byteCount
            i.quantized = d.quantization == nil ? 0 : 1
            i.scale = d.quantization?.scale ?? 1
            i.zero_point = d.quantization?.zeroPoint ?? 0
            return i
        }
        inputs = model.description.inputs.map(info)
        outputs = model.description.outputs.map(info)
        self.names = names
    }

    deinit { for n in names { n.deallocate() } }

    /// A NUL-terminated copy of `s` (owned by the caller).
    static func cString(_ s: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(s.utf8)
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        for (k, b) in utf8.enumerated() { p[k] = CChar(bitPattern: b) }
        p[utf8.count] = 0
        return p
    }

    static func from(_ p: OpaquePointer) -> CModel { Unmanaged<CModel>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue() }
}

/// What an `octet_interpreter*` points to (it keeps its model alive).
final class CInterpreter {
    let model: CModel
    let interpreter: Interpreter

    init(model: CModel, interpreter: Interpreter) {
        self.model = model
        self.interpreter = interpreter
    }

    static func from(_ p: OpaquePointer) -> CInterpreter {
        Unmanaged<CInterpreter>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }
}

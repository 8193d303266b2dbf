/// A loaded and fully verified `.octet` model. Weights stay in the read-only mapping.
///
/// ```swift
/// let model = try OctetModel(path: "resnet18.octet")
/// print(model.description.arenaSize)
/// ```
public final class OctetModel: @unchecked Sendable {
    /// Tensors, ops, plan and metadata (constant `data` is not copied: see `constantBytes`).
    public let description: ModelDescription
    let parsed: ParsedModel
    /// Per op, the largest |w| of its int8 conv weights as the verifier measured it (nil: none).
    private let weightMagnitudes: [Int?]
    private let storage: Storage

    private enum Storage {
        case mapped(MappedFile)
        case owned(UnsafeMutableRawBufferPointer)
        case borrowed(UnsafeRawBufferPointer)
    }

    /// Maps the file, parses and verifies everything; throws `OctetError` naming what is wrong.
    public init(path: String) throws(OctetError) {
        let file = try MappedFile(path: path)
        storage = .mapped(file)
        parsed = try OctetParser.parse(file.bytes)
        weightMagnitudes = try Verifier.verify(parsed, file: file.bytes)
        description = parsed.description
    }

    /// Verifies a model held in memory (copied, 64-byte aligned).
    public init(bytes: [UInt8]) throws(OctetError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: OctetFormat.alignment)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        storage = .owned(buffer)
        let view = UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count])
        do {
            parsed = try OctetParser.parse(view)
            weightMagnitudes = try Verifier.verify(parsed, file: view)
        } catch {
            buffer.deallocate()
            throw error
        }
        description = parsed.description
    }

    /// Verifies a model held in the caller's memory and uses it in place, without a copy:
    /// `bytes` must start on an `OctetFormat.alignment`-byte boundary and stay valid and
    /// unchanged while this model (and any interpreter made from it) lives.
    public init(borrowing bytes: UnsafeRawBufferPointer) throws(OctetError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { throw OctetError.format("the model buffer is empty") }
        guard Int(bitPattern: base) % OctetFormat.alignment == 0 else {
            throw OctetError.memory("the model buffer must start on a \(OctetFormat.alignment)-byte boundary")
        }
        storage = .borrowed(bytes)
        parsed = try OctetParser.parse(bytes)
        weightMagnitudes = try Verifier.verify(parsed, file: bytes)
        description = parsed.description
    }

    deinit {
        if case let .owned(buffer) = storage { buffer.deallocate() }
    }

    var fileBytes: UnsafeRawBufferPointer {
        switch storage {
        case let .mapped(file): return file.bytes
        case let .owned(buffer): return UnsafeRawBufferPointer(buffer)
        case let .borrowed(bytes): return bytes
        }
    }

    /// The largest |w| (0…128) of op `index`'s int8 conv weights, measured from the file's bytes
    /// by the verifier (nil: the op has no such weights). A kernel exact only for narrower
    /// weights (7-bit: |w| ≤ 63) runs the op only when this is within its bound.
    public func weightMagnitude(ofOp index: Int) -> Int? { weightMagnitudes[index] }

    /// The bytes of constant tensor `index` inside the file (nil for arena tensors).
    public func constantBytes(_ index: Int) -> UnsafeRawBufferPointer? {
        parsed.constantRanges[index].map { UnsafeRawBufferPointer(rebasing: fileBytes[$0]) }
    }

    /// Writable bytes of constant `index` of a model held in memory (nil for a mapped file or an
    /// arena tensor). For the converter's bias correction, which edits a bias here and then
    /// re-prepares the op (`Interpreter.reprepare(op:)`); the edit must keep every check the
    /// verifier made (a bias has none beyond its shape; weights must keep their measured
    /// `weightMagnitude(ofOp:)`, which picks the kernel).
    @_spi(Converter) public func mutableConstantBytes(_ index: Int) -> UnsafeMutableRawBufferPointer? {
        guard case let .owned(buffer) = storage, let r = parsed.constantRanges[index] else { return nil }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[r])
    }

    /// The model as a self-contained description (constants copied), e.g. to serialise again.
    public func materialized() -> ModelDescription {
        OctetParser.materialize(parsed, fileBytes)
    }
}

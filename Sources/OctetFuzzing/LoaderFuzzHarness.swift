import OctetConvert
import OctetRuntime

/// libFuzzer harness of the `.octet` loader: parser, verifier, the tools' views of a loaded
/// model, and one invoke of small models.
///
/// Input: one control byte, then the `.octet` image.
/// - control & 0x0f == 0x0f (1 input in 16): the image is loaded as given, so the checksum
///   checks themselves are fuzzed. Otherwise the declared file size, the section checksums and
///   the header checksum are recomputed first (`OctetChecksumRepair`), so mutations reach the
///   section decoders, the verifier and the interpreter.
/// - bits 4–5: kernel path (0, 1 automatic; 2 reference; 3 the portable packed "scalar" path).
/// - bit 6: float inputs get arbitrary bit patterns (NaN, infinity) instead of values in [-4, 4).
/// - bit 7: seeds the input data.
///
/// A verified model is run once (one thread) only when its arena is at most `maxArenaBytes`
/// and `WorkEstimate.invoke` at most `maxWork`.
public enum LoaderFuzzHarness {
    public static let maxArenaBytes = 1 << 20
    public static let maxWork = 1 << 22

    /// How far an input got (for tests and the replay tool).
    public enum Outcome: Equatable, Sendable {
        case tooShort
        case rejected(String)
        case loaded(skippedInvoke: String)
        case invoked
    }

    @discardableResult
    public static func run(_ input: UnsafeRawBufferPointer) -> Outcome {
        guard let control = input.first else { return .tooShort }
        var image = Array(input.dropFirst())
        if control & 0x0f != 0x0f { OctetChecksumRepair.repair(&image) }
        let model: OctetModel
        do {
            model = try OctetModel(bytes: image)
        } catch {
            return .rejected("\(error)")
        }
        inspect(model)
        let path: KernelPath
        switch (control >> 4) & 3 {
        case 2: path = .reference
        case 3: path = .named("scalar")
        default: path = .automatic
        }
        return invoke(model, kernels: path, rawFloats: control & 0x40 != 0, seed: UInt64(control >> 7))
    }

    /// What `octet inspect` and `octet bench` read from any loaded model.
    static func inspect(_ model: OctetModel) {
        let d = model.description
        _ = d.multiplyAccumulates
        _ = ArenaPlanning.storedPlan(d)
        for i in d.tensors.indices { _ = model.constantBytes(i) }
    }

    /// One invoke of a verified model on deterministic inputs, when it is small enough.
    static func invoke(_ model: OctetModel, kernels: KernelPath, rawFloats: Bool, seed: UInt64) -> Outcome {
        let d = model.description
        guard d.arenaSize <= maxArenaBytes else { return .loaded(skippedInvoke: "arena \(d.arenaSize) bytes") }
        let work = WorkEstimate.invoke(d)
        guard work <= maxWork else { return .loaded(skippedInvoke: "work \(work)") }
        let interpreter: Interpreter
        do {
            interpreter = try Interpreter(model: model, kernels: kernels, threads: 1)
        } catch {
            return .loaded(skippedInvoke: "\(error)")
        }
        var data = FuzzInputData(seed: seed)
        for i in 0..<interpreter.inputCount {
            if interpreter.inputTensor(i).type == .float32 && !rawFloats {
                data.fill(interpreter.inputFloats(i))
            } else {
                data.fill(interpreter.inputBytes(i))
            }
        }
        interpreter.invoke()
        var sum: UInt8 = 0
        for i in 0..<interpreter.outputCount { for b in interpreter.outputBytes(i) { sum &+= b } }
        blackHole(sum)
        return .invoked
    }
}

@inline(never) func blackHole<T>(_ value: T) { _ = value }

import OctetRuntime

/// A `.octet` model with the same batch conventions as `FloatModel`: inputs in the ONNX
/// layout, any leading batch N run item by item, outputs stacked.
public final class Int8Model {
    public let octet: OctetModel
    public let interpreter: Interpreter

    /// `threads`: how many threads each inference is split over (results are identical for any count).
    public init(path: String, threads: Int = 1) throws {
        do throws(OctetError) {
            octet = try OctetModel(path: path)
            interpreter = try Interpreter(model: octet, threads: threads)
        } catch let e {
            throw ConvertError.octetFile(path, e)
        }
    }

    public init(octet: OctetModel, threads: Int = 1) throws {
        self.octet = octet
        interpreter = try Interpreter(model: octet, threads: threads)
    }

    public var inputNames: [String] { (0..<interpreter.inputCount).map { interpreter.inputTensor($0).name } }
    public var outputNames: [String] { (0..<interpreter.outputCount).map { interpreter.outputTensor($0).name } }
    public var inputShapes: [[Int]] { (0..<interpreter.inputCount).map { interpreter.inputTensor($0).shape } }
    /// True when input `i` takes raw uint8 pixels (normalisation folded into its quantization).
    public func takesRawPixels(_ i: Int) -> Bool { interpreter.inputTensor(i).type == .uint8 }

    public func run(_ inputs: [Tensor]) throws -> [Tensor] { try run(inputs, observer: nil) }

    /// `observer(k)` is called after op k of every item (see `Interpreter.invoke(observer:)`).
    public func run(_ inputs: [Tensor], observer: ((Int) -> Void)?) throws -> [Tensor] {
        guard inputs.count == interpreter.inputCount else {
            throw ConvertError.invalidInput("model takes \(interpreter.inputCount) input(s) (\(inputNames.joined(separator: ", "))), got \(inputs.count)")
        }
        var items = 1
        for (i, t) in inputs.enumerated() {
            let expected = inputShapes[i]
            if t.shape == expected { continue }
            guard expected.first == 1, t.shape.count == expected.count, Array(t.shape.dropFirst()) == Array(expected.dropFirst()), t.shape[0] > 0 else {
                throw ConvertError.invalidInput("input '\(inputNames[i])' expects shape \(expected) (any batch size N in the first dimension), got \(t.shape)")
            }
            guard items == 1 || items == t.shape[0] else { throw ConvertError.invalidInput("inputs have different batch sizes") }
            items = t.shape[0]
        }
        var collected: [[Float]] = Array(repeating: [], count: interpreter.outputCount)
        for item in 0..<items {
            try writeInputs(inputs, item: item)
            if let observer { interpreter.invoke(observer: observer) } else { interpreter.invoke() }
            for o in 0..<interpreter.outputCount { collected[o] += outputValues(o) }
        }
        return (0..<interpreter.outputCount).map { o in
            let shape = interpreter.outputTensor(o).shape
            return Tensor(shape: items == 1 ? shape : [shape[0] * items] + shape.dropFirst(), data: collected[o])
        }
    }

    /// Writes item `item` of each input (its whole tensor when it holds exactly one item) into
    /// the interpreter's input tensors, checked and converted as `run` does.
    func writeInputs(_ inputs: [Tensor], item: Int = 0) throws {
        for (i, t) in inputs.enumerated() {
            let d = interpreter.inputTensor(i), per = d.elementCount
            guard t.count == per || t.count >= (item + 1) * per else {
                throw ConvertError.invalidInput("input '\(d.name)' expects \(per) values per item, got \(t.count)")
            }
            let slice = t.count == per ? t.data[...] : t.data[(item * per)..<((item + 1) * per)]
            switch d.type {
            case .float32:
                _ = interpreter.inputFloats(i).update(fromContentsOf: slice)
            case .uint8:
                let bytes = interpreter.inputBytes(i)
                for (k, v) in slice.enumerated() {
                    let r = v.rounded()
                    guard r >= 0, r <= 255, abs(v - r) < 1e-3 else {
                        throw ConvertError.invalidInput("input '\(d.name)' takes raw uint8 pixels; value \(v) is not an integer in 0…255")
                    }
                    bytes[k] = UInt8(r)
                }
            default:
                throw ConvertError.invalidInput("input '\(d.name)' has element type \(d.type)")
            }
        }
    }

    /// Output `o` as floats (int8 outputs are dequantized).
    func outputValues(_ o: Int) -> [Float] {
        let d = interpreter.outputTensor(o)
        if d.type == .float32 { return Array(interpreter.outputFloats(o)) }
        let q = d.quantization ?? Quantization(scale: 1, zeroPoint: 0)
        return interpreter.outputBytes(o).map { q.scale * Float(Int32(Int8(bitPattern: $0)) - q.zeroPoint) }
    }
}

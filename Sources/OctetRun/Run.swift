import OctetFiles
import OctetKernels
import OctetRuntime

/// `octet-run MODEL --input … --output …`: the same batch conventions and output bytes as
/// `octet run MODEL.octet --input X.npy --output Y.npy` (inputs in the model's layout, a leading
/// batch N run item by item, outputs stacked, int8 outputs dequantized to float32).
enum Run {
    static func run(_ a: RunArguments) throws(RunError) {
        let loaded = try LoadedModel(a)
        let r = loaded.interpreter
        guard a.inputs.count == r.inputCount else {
            let names = (0..<r.inputCount).map { r.inputTensor($0).name }.joined(separator: ", ")
            throw RunError.failure("model '\(a.model)' takes \(r.inputCount) input(s) (\(names)), got \(a.inputs.count) --input")
        }
        var arrays: [NumpyArray] = []
        for path in a.inputs {
            arrays.append(try readNumpy(path))
        }
        let items = try batchItems(arrays, r)
        var collected = [[Float]](repeating: [], count: r.outputCount)
        for item in 0..<items {
            for (i, array) in arrays.enumerated() { try write(array, item: item, input: i, r) }
            r.invoke()
            for o in 0..<r.outputCount { collected[o] += outputValues(o, r) }
        }
        let names = (0..<r.outputCount).map { r.outputTensor($0).name }
        let paths = outputPaths(first: a.output!, names: names)
        var files: [[UInt8]] = []
        for o in 0..<r.outputCount {
            let shape = r.outputTensor(o).shape
            files.append(NumpyArray(shape: items == 1 ? shape : [shape[0] * items] + shape.dropFirst(), values: collected[o]).encode())
        }
        try writeAll(files, to: paths)
        octk_write_stdout("model:   \(a.model)\n")
        for (i, path) in a.inputs.enumerated() {
            octk_write_stdout("input:   \(r.inputTensor(i).name) \(shapeText(arrays[i].shape)) <- \(path)\n")
        }
        for o in 0..<r.outputCount {
            let shape = r.outputTensor(o).shape
            octk_write_stdout("output:  \(names[o]) \(shapeText(items == 1 ? shape : [shape[0] * items] + shape.dropFirst())) -> \(paths[o])\n")
        }
        octk_write_stdout("kernels: \(r.kernels.path), \(r.threads) thread(s)\n")
    }

    /// Items per input: 1 when every array has the input's shape, else the common leading N of
    /// arrays shaped [N, rest of the input's shape] (an input of batch 1).
    static func batchItems(_ arrays: [NumpyArray], _ r: Interpreter) throws(RunError) -> Int {
        var items = 1
        for (i, array) in arrays.enumerated() {
            let expected = r.inputTensor(i).shape
            if array.shape == expected { continue }
            guard expected.first == 1, array.shape.count == expected.count, Array(array.shape.dropFirst()) == Array(expected.dropFirst()),
                  array.shape[0] > 0 else {
                throw RunError.failure("input '\(r.inputTensor(i).name)' expects shape \(shapeText(expected)) (any batch size N in the first dimension), got \(shapeText(array.shape))")
            }
            guard items == 1 || items == array.shape[0] else { throw RunError.failure("inputs have different batch sizes") }
            items = array.shape[0]
        }
        return items
    }

    /// Writes item `item` of `array` into input `i` (f32 as is; uint8 inputs take whole 0…255).
    static func write(_ array: NumpyArray, item: Int, input i: Int, _ r: Interpreter) throws(RunError) {
        let d = r.inputTensor(i), per = d.elementCount
        let offset = array.values.count == per ? 0 : item * per
        switch d.type {
        case .float32:
            let x = r.inputFloats(i)
            for k in 0..<per { x[k] = array.values[offset + k] }
        case .uint8:
            let bytes = r.inputBytes(i)
            for k in 0..<per {
                let v = array.values[offset + k], rounded = v.rounded()
                guard rounded >= 0, rounded <= 255, abs(v - rounded) < 1e-3 else {
                    throw RunError.failure("input '\(d.name)' takes raw uint8 pixels; value \(Int(v.rounded(.towardZero))) at \(k) is not an integer in 0…255")
                }
                bytes[k] = UInt8(rounded)
            }
        default:
            throw RunError.failure("input '\(d.name)' has element type \(d.type)")
        }
    }

    /// Output `o` as floats (int8 outputs dequantized: scale · (q − zero point)).
    static func outputValues(_ o: Int, _ r: Interpreter) -> [Float] {
        let d = r.outputTensor(o)
        if d.type == .float32 { return Array(r.outputFloats(o)) }
        let q = d.quantization ?? Quantization(scale: 1, zeroPoint: 0)
        return r.outputBytes(o).map { q.scale * Float(Int32(Int8(bitPattern: $0)) - q.zeroPoint) }
    }

    /// Every file written, or none (octk_files_write).
    static func writeAll(_ files: [[UInt8]], to paths: [String]) throws(RunError) {
        let data = files.map { f -> UnsafeMutableRawBufferPointer in
            let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(f.count, 1), alignment: 16)
            b.copyBytes(from: f)
            return b
        }
        let names = paths.map { p -> UnsafeMutablePointer<CChar> in
            let utf8 = Array(p.utf8CString)
            let c = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
            c.initialize(from: utf8, count: utf8.count)
            return c
        }
        defer {
            for b in data { b.deallocate() }
            for c in names { c.deallocate() }
        }
        var failed = 0, error: Int32 = 0
        let pathPointers = names.map { Optional(UnsafePointer($0)) }
        let dataPointers = data.map { Optional(UnsafeRawPointer($0.baseAddress!)) }
        let status = octk_files_write(files.count, pathPointers, dataPointers, files.map { $0.count }, &failed, &error)
        guard status == OCTK_FILE_OK else { throw RunError.failure("cannot write '\(paths[failed])': \(systemErrorText(error))") }
    }
}

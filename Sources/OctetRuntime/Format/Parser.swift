/// A `.octet` file decoded but not yet verified: the description (constant `data` left empty)
/// plus where each constant's bytes are in the file.
public struct ParsedModel: Sendable {
    public var description: ModelDescription
    /// Absolute file byte range of each constant tensor's data (nil for arena tensors).
    public var constantRanges: [Range<Int>?]
    /// Absolute file byte range of each tensor's per-channel scales (nil when per-tensor).
    var channelScaleRanges: [Range<Int>?]
}

/// Decodes the container: header, section table (bounds, alignment, overlap, checksums) and
/// every record. Structural checks live here; semantic checks in `Verifier`.
public enum OctetParser {
    public static func parse(_ file: UnsafeRawBufferPointer) throws(OctetError) -> ParsedModel {
        var header = ByteReader(file, context: "header", fileOffset: 0)
        try header.need(OctetFormat.headerSize, "64-byte header")
        var magic: [UInt8] = []
        for _ in 0..<8 { magic.append(try header.u8("magic")) }
        guard magic == OctetFormat.magic else { throw OctetError.format("not an .octet file (bad magic)") }
        let major = try header.u16("version"), minor = try header.u16("version")
        if major == 1 {
            throw OctetError.format("format version 1.\(minor) holds fixed-point requantization, retired in version 2 (binary32 scales); re-convert the model with this octet: octet convert MODEL.onnx -o MODEL.octet")
        }
        guard major == OctetFormat.versionMajor else {
            throw OctetError.format("format version \(major).\(minor); this runtime reads version \(OctetFormat.versionMajor).x")
        }
        let sectionCount = Int(try header.u32("section count"))
        let fileSize = try header.u64("file size")
        let storedHeaderCRC = try header.u32("header checksum")
        let flags = try header.u32("flags")
        guard fileSize == UInt64(file.count) else {
            throw OctetError.format("header says \(fileSize) bytes, file has \(file.count) (truncated or padded)")
        }
        guard flags == 0 else { throw OctetError.format("unknown header flags \(hex(flags))") }
        guard sectionCount == OctetFormat.Section.allCases.count else {
            throw OctetError.format("\(sectionCount) sections, expected \(OctetFormat.Section.allCases.count)")
        }
        let tableEnd = OctetFormat.headerSize + sectionCount * OctetFormat.sectionEntrySize
        guard tableEnd <= file.count else { throw OctetError.format("section table runs past the end of the file") }
        var headerBytes = Array(file[0..<tableEnd])
        for i in 24..<28 { headerBytes[i] = 0 }
        let headerCRC = CRC32.checksum(headerBytes)
        guard headerCRC == storedHeaderCRC else {
            throw OctetError.checksum(section: "header", stored: storedHeaderCRC, computed: headerCRC)
        }

        var table = ByteReader(file, context: "section table", fileOffset: 0)
        table.position = OctetFormat.headerSize
        var ranges: [OctetFormat.Section: Range<Int>] = [:]
        var previousEnd = tableEnd
        for index in 0..<sectionCount {
            let rawKind = try table.u32("section kind")
            guard let kind = OctetFormat.Section(rawValue: rawKind) else {
                throw OctetError.format("section table entry \(index) has unknown kind \(rawKind)")
            }
            guard ranges[kind] == nil else { throw OctetError.format("section '\(kind.name)' appears twice") }
            let sectionFlags = try table.u32("section flags")
            let offset = try table.count("section '\(kind.name)' offset", limit: file.count)
            let length = try table.count("section '\(kind.name)' length", limit: file.count)
            let crc = try table.u32("section checksum")
            _ = try table.u32("reserved")
            guard sectionFlags == 0 else { throw OctetError.format("section '\(kind.name)' has unknown flags") }
            guard offset % OctetFormat.alignment == 0 else {
                throw OctetError.format("section '\(kind.name)' offset \(offset) is not 64-byte aligned")
            }
            guard offset >= previousEnd, length <= file.count - offset else {
                throw OctetError.format("section '\(kind.name)' at \(offset)..<\(offset + length) overlaps another or runs past the end (\(file.count) bytes)")
            }
            let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: file[offset..<(offset + length)]))
            guard computed == crc else { throw OctetError.checksum(section: kind.name, stored: crc, computed: computed) }
            ranges[kind] = offset..<(offset + length)
            previousEnd = offset + length
        }
        func section(_ kind: OctetFormat.Section) -> ByteReader {
            let r = ranges[kind]!
            return ByteReader(UnsafeRawBufferPointer(rebasing: file[r]), context: "section '\(kind.name)'", fileOffset: r.lowerBound)
        }
        let strings = ranges[.strings]!, constants = ranges[.constants]!
        func string(_ reader: inout ByteReader, _ what: String) throws(OctetError) -> String {
            let offset = Int(try reader.u32("\(what) offset")), length = Int(try reader.u32("\(what) length"))
            guard offset <= strings.count, length <= strings.count - offset else {
                throw OctetError.format("\(what) string \(offset)+\(length) lies outside the strings section (\(strings.count) bytes)")
            }
            let bytes = UnsafeRawBufferPointer(rebasing: file[(strings.lowerBound + offset)..<(strings.lowerBound + offset + length)])
            guard let s = String(validating: bytes, as: UTF8.self) else { throw OctetError.format("\(what) is not valid UTF-8") }
            return s
        }
        func constantRange(_ offset: Int, _ length: Int, _ what: String) throws(OctetError) -> Range<Int> {
            guard offset <= constants.count, length <= constants.count - offset else {
                throw OctetError.format("\(what) at \(offset)+\(length) lies outside the constants section (\(constants.count) bytes)")
            }
            return (constants.lowerBound + offset)..<(constants.lowerBound + offset + length)
        }

        var model = ModelDescription()
        var constantRanges: [Range<Int>?] = [], scaleRanges: [Range<Int>?] = []
        var r = section(.tensors)
        let tensorCount = Int(try r.u32("tensor count"))
        _ = try r.u32("reserved")
        guard tensorCount <= OctetFormat.maxTensors, r.remaining == tensorCount * OctetFormat.tensorRecordSize else {
            throw OctetError.format("tensors section holds \(r.remaining) bytes for \(tensorCount) records of \(OctetFormat.tensorRecordSize)")
        }
        for index in 0..<tensorCount {
            let name = try string(&r, "tensor #\(index) name")
            func bad(_ s: String) -> OctetError { .tensor(index: index, name: name, s) }
            let rawType = try r.u8("type"), rank = Int(try r.u8("rank")), rawStorage = try r.u8("storage"), rawLayout = try r.u8("layout")
            guard let type = ElementType(rawValue: rawType) else { throw bad("unknown element type \(rawType)") }
            guard let storage = TensorStorage(rawValue: rawStorage) else { throw bad("unknown storage \(rawStorage)") }
            guard let layout = StoredLayout(rawValue: rawLayout) else { throw bad("unknown layout \(rawLayout)") }
            guard rank <= OctetFormat.maxRank else { throw bad("rank \(rank) exceeds \(OctetFormat.maxRank)") }
            var shape: [Int] = []
            for d in 0..<OctetFormat.maxRank {
                let v = Int(try r.u32("dimension"))
                if d < rank { shape.append(v) } else if v != 0 { throw bad("dimension \(d) beyond rank \(rank) is \(v)") }
            }
            let scale = try r.f32("scale"), zeroPoint = try r.i32("zero point")
            let axis = Int(try r.u32("channel axis")), channels = Int(try r.u32("channel count"))
            _ = try r.u32("reserved")
            let scalesOffset = try r.count("channel scales offset", limit: Int(UInt32.max))
            let dataOffset = try r.count("data offset", limit: OctetFormat.maxTensorBytes)
            let byteLength = try r.count("byte length", limit: OctetFormat.maxTensorBytes)
            var quantization: Quantization? = nil
            var scales: Range<Int>? = nil
            if channels > 0 {
                guard channels <= OctetFormat.maxDimension else { throw bad("\(channels) channel scales") }
                let range = try constantRange(scalesOffset, channels * 4, "tensor '\(name)' channel scales")
                var s = ByteReader(UnsafeRawBufferPointer(rebasing: file[range]), context: "channel scales", fileOffset: range.lowerBound)
                var list: [Float] = []
                for _ in 0..<channels { list.append(try s.f32("channel scale")) }
                quantization = Quantization(channelScales: list, axis: axis)
                scales = range
            } else if scale != 0 || zeroPoint != 0 {
                quantization = Quantization(scale: scale, zeroPoint: zeroPoint)
            }
            if channels == 0 && axis != 0 { throw bad("channel axis \(axis) without channel scales") }
            var t = TensorDescription(name: name, type: type, shape: shape, layout: layout, storage: storage,
                                      arenaOffset: storage == .arena ? dataOffset : 0, quantization: quantization)
            if storage == .constant {
                constantRanges.append(try constantRange(dataOffset, byteLength, "tensor '\(name)' data"))
            } else {
                constantRanges.append(nil)
            }
            guard byteLength == t.byteCountChecked else {
                throw bad("byte length \(byteLength) does not match shape \(shape) of \(type)")
            }
            t.arenaOffset = storage == .arena ? dataOffset : 0
            model.tensors.append(t)
            scaleRanges.append(scales)
        }

        r = section(.ops)
        let opCount = Int(try r.u32("op count"))
        _ = try r.u32("reserved")
        guard opCount <= OctetFormat.maxOps else { throw OctetError.format("\(opCount) ops exceed \(OctetFormat.maxOps)") }
        for index in 0..<opCount {
            let rawCode = try r.u16("opcode")
            _ = try r.u16("reserved")
            guard let code = OpCode(rawValue: rawCode) else { throw OctetError.op(index: index, code: "\(rawCode)", "unknown opcode") }
            let nIn = Int(try r.u16("input count")), nOut = Int(try r.u16("output count")), nParams = Int(try r.u32("param count"))
            _ = try r.u32("reserved")
            guard nIn <= OctetFormat.maxOperands, nOut <= OctetFormat.maxOperands, nParams <= OctetFormat.maxParams else {
                throw OctetError.op(index: index, code: code.description, "\(nIn) inputs, \(nOut) outputs, \(nParams) params exceed the limits")
            }
            var op = OpDescription(code: code, inputs: [], outputs: [])
            for _ in 0..<nIn { op.inputs.append(Int(try r.u32("input index"))) }
            for _ in 0..<nOut { op.outputs.append(Int(try r.u32("output index"))) }
            for _ in 0..<nParams { op.params.append(try r.i32("param")) }
            model.ops.append(op)
        }
        guard r.remaining == 0 else { throw OctetError.format("ops section has \(r.remaining) trailing bytes") }

        r = section(.graph)
        let nIn = Int(try r.u32("graph input count"))
        guard nIn <= OctetFormat.maxOperands else { throw OctetError.format("\(nIn) graph inputs") }
        for _ in 0..<nIn { model.inputs.append(Int(try r.u32("graph input"))) }
        let nOut = Int(try r.u32("graph output count"))
        guard nOut <= OctetFormat.maxOperands else { throw OctetError.format("\(nOut) graph outputs") }
        for _ in 0..<nOut { model.outputs.append(Int(try r.u32("graph output"))) }
        guard r.remaining == 0 else { throw OctetError.format("graph section has \(r.remaining) trailing bytes") }

        r = section(.plan)
        model.arenaSize = try r.count("arena size", limit: OctetFormat.maxTensorBytes)
        model.arenaLowerBound = try r.count("arena lower bound", limit: OctetFormat.maxTensorBytes)
        guard r.remaining == 0 else { throw OctetError.format("plan section has \(r.remaining) trailing bytes") }

        r = section(.metadata)
        let entries = Int(try r.u32("metadata count"))
        guard entries <= 4096 else { throw OctetError.format("\(entries) metadata entries") }
        for i in 0..<entries {
            let key = try string(&r, "metadata #\(i) key"), value = try string(&r, "metadata #\(i) value")
            model.metadata.append(MetadataEntry(key, value))
        }
        guard r.remaining == 0 else { throw OctetError.format("metadata section has \(r.remaining) trailing bytes") }
        return ParsedModel(description: model, constantRanges: constantRanges, channelScaleRanges: scaleRanges)
    }

    /// The parsed model with every constant's bytes copied in (for re-serialisation and tools).
    public static func materialize(_ parsed: ParsedModel, _ file: UnsafeRawBufferPointer) -> ModelDescription {
        var model = parsed.description
        for (i, range) in parsed.constantRanges.enumerated() {
            if let range { model.tensors[i].data = Array(file[range]) }
        }
        return model
    }
}

extension TensorDescription {
    /// Byte count with overflow checks (-1 when the shape is absurd).
    var byteCountChecked: Int {
        var n = type.byteSize
        for d in shape {
            guard d >= 0, d <= OctetFormat.maxDimension else { return -1 }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o, p <= OctetFormat.maxTensorBytes else { return -1 }
            n = p
        }
        return n
    }
}

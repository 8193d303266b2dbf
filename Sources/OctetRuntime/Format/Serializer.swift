/// Writes a `ModelDescription` as `.octet` bytes. The layout is a pure function of the
/// description (strings, constants and sections in index order), so load → serialize
/// reproduces a file byte for byte.
public enum OctetSerializer {
    public static func serialize(_ model: ModelDescription) -> [UInt8] {
        var strings = ByteWriter()
        func string(_ s: String) -> (UInt32, UInt32) {
            let offset = strings.bytes.count
            strings.raw(Array(s.utf8))
            return (UInt32(offset), UInt32(strings.bytes.count - offset))
        }
        // Constants: tensor data in index order, then per-channel scales, each 64-byte aligned.
        var constants = ByteWriter()
        var dataOffsets = [Int](repeating: 0, count: model.tensors.count)
        var scaleOffsets = [Int](repeating: 0, count: model.tensors.count)
        for (i, t) in model.tensors.enumerated() where t.storage == .constant {
            constants.align(OctetFormat.alignment)
            dataOffsets[i] = constants.bytes.count
            constants.raw(t.data)
        }
        for (i, t) in model.tensors.enumerated() where !(t.quantization?.channelScales.isEmpty ?? true) {
            constants.align(OctetFormat.alignment)
            scaleOffsets[i] = constants.bytes.count
            for s in t.quantization!.channelScales { constants.f32(s) }
        }

        var tensors = ByteWriter()
        tensors.u32(UInt32(model.tensors.count)); tensors.u32(0)
        for (i, t) in model.tensors.enumerated() {
            let (nameOffset, nameLength) = string(t.name)
            tensors.u32(nameOffset); tensors.u32(nameLength)
            tensors.u8(t.type.rawValue); tensors.u8(UInt8(t.shape.count))
            tensors.u8(t.storage.rawValue); tensors.u8(t.layout.rawValue)
            for d in 0..<OctetFormat.maxRank { tensors.u32(d < t.shape.count ? UInt32(t.shape[d]) : 0) }
            let q = t.quantization
            tensors.f32(q?.scale ?? 0); tensors.i32(q?.zeroPoint ?? 0)
            tensors.u32(UInt32(q?.channelAxis ?? 0)); tensors.u32(UInt32(q?.channelScales.count ?? 0)); tensors.u32(0)
            tensors.u64(UInt64(scaleOffsets[i]))
            tensors.u64(UInt64(t.storage == .constant ? dataOffsets[i] : t.arenaOffset))
            tensors.u64(UInt64(t.storage == .constant ? t.data.count : t.byteCount))
        }

        var ops = ByteWriter()
        ops.u32(UInt32(model.ops.count)); ops.u32(0)
        for op in model.ops {
            ops.u16(op.code.rawValue); ops.u16(0)
            ops.u16(UInt16(op.inputs.count)); ops.u16(UInt16(op.outputs.count))
            ops.u32(UInt32(op.params.count)); ops.u32(0)
            for i in op.inputs { ops.u32(UInt32(i)) }
            for o in op.outputs { ops.u32(UInt32(o)) }
            for p in op.params { ops.i32(p) }
        }

        var graph = ByteWriter()
        graph.u32(UInt32(model.inputs.count)); for i in model.inputs { graph.u32(UInt32(i)) }
        graph.u32(UInt32(model.outputs.count)); for o in model.outputs { graph.u32(UInt32(o)) }

        var plan = ByteWriter()
        plan.u64(UInt64(model.arenaSize)); plan.u64(UInt64(model.arenaLowerBound))

        var metadata = ByteWriter()
        metadata.u32(UInt32(model.metadata.count))
        for entry in model.metadata {
            let (ko, kl) = string(entry.key), (vo, vl) = string(entry.value)
            metadata.u32(ko); metadata.u32(kl); metadata.u32(vo); metadata.u32(vl)
        }

        let sections: [(OctetFormat.Section, [UInt8])] = [
            (.strings, strings.bytes), (.tensors, tensors.bytes), (.ops, ops.bytes), (.constants, constants.bytes),
            (.graph, graph.bytes), (.plan, plan.bytes), (.metadata, metadata.bytes),
        ]
        var file = ByteWriter()
        file.raw(OctetFormat.magic)
        file.u16(OctetFormat.versionMajor); file.u16(OctetFormat.versionMinor)
        file.u32(UInt32(sections.count))
        file.u64(0)  // file size, patched below
        file.u32(0)  // header CRC, patched below
        file.u32(0)  // flags
        file.zeros(OctetFormat.headerSize - file.bytes.count)
        let table = file.bytes.count
        file.zeros(sections.count * OctetFormat.sectionEntrySize)
        for (index, (kind, payload)) in sections.enumerated() {
            file.align(OctetFormat.alignment)
            let entry = table + index * OctetFormat.sectionEntrySize
            file.patchU32(kind.rawValue, at: entry)
            file.patchU64(UInt64(file.bytes.count), at: entry + 8)
            file.patchU64(UInt64(payload.count), at: entry + 16)
            file.patchU32(CRC32.checksum(payload), at: entry + 24)
            file.raw(payload)
        }
        file.align(OctetFormat.alignment)
        file.patchU64(UInt64(file.bytes.count), at: 16)
        file.patchU32(headerChecksum(file.bytes, sectionCount: sections.count), at: 24)
        return file.bytes
    }

    /// CRC-32 of the header (with its CRC field read as zero) and the section table.
    static func headerChecksum(_ bytes: [UInt8], sectionCount: Int) -> UInt32 {
        var copy = Array(bytes[0..<(OctetFormat.headerSize + sectionCount * OctetFormat.sectionEntrySize)])
        for i in 24..<28 { copy[i] = 0 }
        return CRC32.checksum(copy)
    }
}

import Testing
@testable import OctetRuntime

/// Hand-corrupted files: every check of the parser and verifier rejects its corruption with a
/// typed error naming the section, tensor or op — never a trap.
@Suite struct VerifierTests {
    let good = OctetSerializer.serialize(sampleModel())

    func rejects(_ bytes: [UInt8], _ expected: (OctetError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        do throws(OctetError) {
            _ = try OctetModel(bytes: bytes)
            Issue.record("accepted a corrupt file", sourceLocation: sourceLocation)
        } catch let e {
            #expect(expected(e), "unexpected error: \(e)", sourceLocation: sourceLocation)
        }
    }

    func rejects(_ model: ModelDescription, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        rejects(OctetSerializer.serialize(model), { "\($0)".contains(text) }, sourceLocation: sourceLocation)
    }

    /// Section boundaries of the good file (offsets from the section table).
    var sectionBounds: [Int] {
        (0..<7).flatMap { i -> [Int] in
            let e = 64 + 32 * i
            let offset = (0..<8).reduce(0) { $0 | Int(good[e + 8 + $1]) << (8 * $1) }
            let length = (0..<8).reduce(0) { $0 | Int(good[e + 16 + $1]) << (8 * $1) }
            return [offset, offset + length]
        }
    }

    @Test func truncatedAtEverySectionBoundaryAndByteRanges() {
        for cut in Set(sectionBounds + [0, 1, 63, 64, 100, good.count - 1]) where cut < good.count {
            rejects(Array(good[0..<cut]), { if case .format = $0 { return true }; return false })
        }
    }

    @Test func flippedByteInEverySectionFailsItsChecksum() {
        let bounds = sectionBounds
        for i in 0..<7 where bounds[2 * i + 1] > bounds[2 * i] {
            var bad = good
            bad[(bounds[2 * i] + bounds[2 * i + 1]) / 2] ^= 0x40
            rejects(bad, { if case .checksum = $0 { return true }; return false })
        }
        var header = good
        header[70] ^= 1  // section table
        rejects(header, { if case .checksum(section: "header", _, _) = $0 { return true }; return false })
    }

    @Test func wrongMagicVersionAndSize() {
        var magic = good; magic[0] = UInt8(ascii: "X")
        rejects(magic, { "\($0)".contains("bad magic") })
        var version = good; version[8] = 9
        rejects(version, { "\($0)".contains("format version 9") })
        // Version 1 (fixed-point requantization, before 2026-12-07) asks for a re-conversion.
        var old = good; old[8] = 1
        rejects(old, { "\($0)".contains("format version 1.0 holds fixed-point requantization") && "\($0)".contains("re-convert the model") })
        rejects(good + Array(repeating: 0, count: 64), { "\($0)".contains("truncated or padded") })
        rejects([], { if case .format = $0 { return true }; return false })
    }

    @Test func absurdDimensionsOverflowCleanly() {
        var m = sampleModel()
        m.tensors[2].shape = [1 << 30, 1 << 30, 1 << 30, 3]
        rejects(m, containing: "invalid tensor #2 'conv.w'")
        m = sampleModel()
        m.tensors[1].shape = [0, 8, 8, 3]
        rejects(m, containing: "invalid tensor #1 'input_q'")
        m = sampleModel()
        m.tensors[0].shape = Array(repeating: 2, count: 7)
        rejects(m, containing: "rank 7")
    }

    @Test func arenaRangesOutsideTheArenaOrOverlapping() {
        var m = sampleModel()
        m.tensors[1].arenaOffset = m.arenaSize
        rejects(m, containing: "exceeds the arena")
        m = sampleModel()
        m.tensors[1].arenaOffset = 32
        rejects(m, containing: "not 64-byte aligned")
        m = sampleModel()
        // conv output placed on its still-live input: not an in-place op.
        let conv = m.tensors.firstIndex { $0.name == "conv" }!
        m.tensors[conv].arenaOffset = m.tensors[1].arenaOffset
        rejects(m, containing: "are live together and overlap")
        m = sampleModel()
        m.arenaLowerBound = m.arenaSize + 1
        rejects(m, containing: "lower bound")
    }

    /// Kernels may read `tensorReadSlack` bytes past a tensor: those bytes must not belong to a
    /// tensor another thread writes in the same op, nor lie past the arena.
    @Test func readSlackAfterEveryTensorIsReserved() throws {
        var m = sampleModel()
        let input = m.tensors.firstIndex { $0.name == "input_q" }!, conv = m.tensors.firstIndex { $0.name == "conv" }!
        // input_q is 192 bytes: the conv output right after it would take input_q's read slack.
        #expect(m.tensors[input].byteCount == 192)
        m.tensors[conv].arenaOffset = m.tensors[input].arenaOffset + 192
        rejects(m, containing: "bytes of read slack")
        m = sampleModel()
        let probs = m.tensors.count - 1
        m.arenaSize = m.tensors[probs].arenaOffset + m.tensors[probs].byteCount
        rejects(m, containing: "read slack) exceeds the arena")
        m.arenaSize += OctetFormat.tensorReadSlack
        m.arenaLowerBound = min(m.arenaLowerBound, m.arenaSize)
        _ = try OctetModel(bytes: OctetSerializer.serialize(m))
    }

    @Test func reshapeMayAliasItsInput() throws {
        var m = sampleModel()
        let g = m.tensors.firstIndex { $0.name == "gap" }!, r = m.tensors.firstIndex { $0.name == "flat" }!
        m.tensors[r].arenaOffset = m.tensors[g].arenaOffset
        _ = try OctetModel(bytes: OctetSerializer.serialize(m))
    }

    @Test func indicesAndDataflow() {
        var m = sampleModel()
        m.ops[1].inputs[0] = 999
        rejects(m, containing: "operand 999 is not a tensor index")
        m = sampleModel()
        m.ops.swapAt(1, 2)
        rejects(m, containing: "before any op writes it")
        m = sampleModel()
        m.outputs = [2]
        rejects(m, containing: "graph output must live in the arena")
        m = sampleModel()
        m.ops[1].outputs = [2]
        rejects(m, containing: "writes constant tensor")
    }

    @Test func opParametersAreCheckedAgainstShapes() {
        var m = sampleModel()
        m.ops[1].params[2] = 0  // stride 0
        rejects(m, containing: "invalid op #1 (Conv2D)")
        m = sampleModel()
        m.ops[1].params[6] = 2  // more top padding: output would be 9 rows
        rejects(m, containing: "output shape [1, 8, 8, 4], expects [1, 9, 8, 4]")
        m = sampleModel()
        m.ops[1].params[11] = 100; m.ops[1].params[12] = 50
        rejects(m, containing: "activation clamp")
        m = sampleModel()
        m.ops[1].params.removeLast()
        rejects(m, containing: "has 12 parameters")
        m = sampleModel()
        m.ops[3].params[0] = Int32(bitPattern: Float(-1).bitPattern)
        rejects(m, containing: "output scale -1.0 is outside [0, 2^32]")
        m = sampleModel()
        let scale = m.tensors.firstIndex { $0.name == "conv.scale" }!
        m.tensors[scale].data.replaceSubrange(4..<8, with: [0, 0, 0xc0, 0x7f])  // channel 1 scale = NaN
        rejects(m, containing: "channel 1 scale nan is outside")
        m = sampleModel()
        m.tensors[scale].data.replaceSubrange(8..<12, with: [0, 0, 0x80, 0x7f])  // channel 2 scale = +∞
        rejects(m, containing: "channel 2 scale inf is outside")
        m = sampleModel()
        m.tensors[m.tensors.firstIndex { $0.name == "pool" }!].quantization = Quantization(scale: 0.2, zeroPoint: 0)
        rejects(m, containing: "must share one quantization")
    }

    /// Global average pooling sums in int32: at most 2^23 − 1 pixels.
    @Test func globalAveragePoolPixelLimit() throws {
        func model(height: Int, width: Int) -> ModelDescription {
            var m = ModelDescription()
            let q = Quantization(scale: 0.1, zeroPoint: 3)
            let bytes = height * width * 4
            m.tensors = [TensorDescription(name: "x", type: .float32, shape: [1, height, width, 1], storage: .arena, arenaOffset: 0),
                         TensorDescription(name: "xq", type: .int8, shape: [1, height, width, 1], layout: .channelsLast, storage: .arena,
                                           arenaOffset: bytes + 64, quantization: q),
                         TensorDescription(name: "g", type: .int8, shape: [1, 1, 1, 1], layout: .channelsLast, storage: .arena,
                                           arenaOffset: bytes + bytes / 4 + 128, quantization: q)]
            m.ops = [OpDescription(code: .quantize, inputs: [0], outputs: [1]),
                     OpDescription(code: .globalAveragePool, inputs: [1], outputs: [2], params: [Int32(bitPattern: Float(1e-6).bitPattern)])]
            m.inputs = [0]
            m.outputs = [2]
            m.arenaSize = bytes + bytes / 4 + 192
            m.arenaLowerBound = m.arenaSize
            return m
        }
        _ = try OctetModel(bytes: OctetSerializer.serialize(model(height: 4096, width: 2047)))  // 2^23 − 2048 pixels
        rejects(model(height: 4096, width: 2048), containing: "8388608 pixels to average")
    }

    @Test func quantizationIsChecked() {
        var m = sampleModel()
        m.tensors[1].quantization = Quantization(scale: .nan, zeroPoint: 0)
        rejects(m, containing: "scale")
        m = sampleModel()
        m.tensors[1].quantization = Quantization(scale: 1, zeroPoint: 300)
        rejects(m, containing: "zero point 300")
        m = sampleModel()
        m.tensors[2].quantization = Quantization(channelScales: [1, 2], axis: 0)
        rejects(m, containing: "2 channel scales")
        m = sampleModel()
        m.tensors[1].quantization = nil
        rejects(m, containing: "without quantization")
    }

    @Test func unknownOpcodeAndTypes() {
        var bytes = good
        // First op record: section ops payload starts with count(4) + reserved(4), then the opcode.
        let opsOffset = sectionBounds[4]
        bytes[opsOffset + 8] = 0xee
        bytes[opsOffset + 9] = 0xee
        // Re-seal checksums so the verifier (not the CRC) has to catch it.
        rejects(reseal(bytes), { "\($0)".contains("unknown opcode") })
    }

    /// Recomputes section and header checksums after a deliberate edit.
    func reseal(_ input: [UInt8]) -> [UInt8] {
        var b = input
        for i in 0..<7 {
            let e = 64 + 32 * i
            let offset = (0..<8).reduce(0) { $0 | Int(b[e + 8 + $1]) << (8 * $1) }
            let length = (0..<8).reduce(0) { $0 | Int(b[e + 16 + $1]) << (8 * $1) }
            let crc = CRC32.checksum(Array(b[offset..<(offset + length)]))
            for k in 0..<4 { b[e + 24 + k] = UInt8((crc >> UInt32(8 * k)) & 0xff) }
        }
        let h = OctetSerializer.headerChecksum(b, sectionCount: 7)
        for k in 0..<4 { b[24 + k] = UInt8((h >> UInt32(8 * k)) & 0xff) }
        return b
    }
}

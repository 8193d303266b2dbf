import OctetRuntime

/// Rewrites the integrity fields of a (mutated) `.octet` image so that mutations get past
/// them: the declared file size, every section checksum whose range lies inside the image,
/// then the header checksum. Everything else is left as the fuzzer made it; an image too
/// short for a header is left alone.
enum OctetChecksumRepair {
    static func repair(_ bytes: inout [UInt8]) {
        let header = OctetFormat.headerSize, entry = OctetFormat.sectionEntrySize
        guard bytes.count >= header else { return }
        store(UInt64(bytes.count), at: 16, in: &bytes)
        let declared = Int(load32(bytes, at: 12))
        // The parser rejects any count but 7; repair as many entries as fit either way.
        let sections = min(declared, (bytes.count - header) / entry, 64)
        for i in 0..<sections {
            let base = header + i * entry
            let offset = load64(bytes, at: base + 8), length = load64(bytes, at: base + 16)
            guard offset <= UInt64(bytes.count), length <= UInt64(bytes.count) - offset else { continue }
            let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<Int(offset + length)])) }
            store(crc, at: base + 24, in: &bytes)
        }
        // The header checksum covers the header and the whole declared table (field read as 0).
        let tableEnd = header + declared * entry
        guard declared <= 1 << 16, tableEnd <= bytes.count else { return }
        store(UInt32(0), at: 24, in: &bytes)
        let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<tableEnd])) }
        store(crc, at: 24, in: &bytes)
    }

    static func load32(_ b: [UInt8], at i: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[i + $1]) << UInt32(8 * $1) }
    }

    static func load64(_ b: [UInt8], at i: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[i + $1]) << UInt64(8 * $1) }
    }

    static func store<T: FixedWidthInteger>(_ v: T, at i: Int, in b: inout [UInt8]) {
        for k in 0..<MemoryLayout<T>.size { b[i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
    }
}

/// Bounds-checked little-endian reads from a byte range. Every read that would leave the
/// range throws; nothing here can trap on crafted input.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    /// Position relative to `base`.
    var position: Int = 0
    /// For messages: what is being read and where `base` starts in the file.
    let context: String
    let fileOffset: Int

    init(_ base: UnsafeRawBufferPointer, context: String, fileOffset: Int) {
        self.base = base
        self.context = context
        self.fileOffset = fileOffset
    }

    var remaining: Int { base.count - position }

    mutating func need(_ n: Int, _ what: String) throws(OctetError) {
        guard n >= 0, n <= remaining else {
            throw OctetError.format("\(context): \(what) at file offset \(fileOffset + position) needs \(n) bytes, \(remaining) left")
        }
    }

    mutating func u8(_ what: String) throws(OctetError) -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return base[position]
    }

    mutating func u16(_ what: String) throws(OctetError) -> UInt16 {
        try need(2, what)
        defer { position += 2 }
        return UInt16(base[position]) | UInt16(base[position + 1]) << 8
    }

    mutating func u32(_ what: String) throws(OctetError) -> UInt32 {
        try need(4, what)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(base[position + i]) << UInt32(8 * i) }
        position += 4
        return v
    }

    mutating func u64(_ what: String) throws(OctetError) -> UInt64 {
        try need(8, what)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[position + i]) << UInt64(8 * i) }
        position += 8
        return v
    }

    mutating func i32(_ what: String) throws(OctetError) -> Int32 { Int32(bitPattern: try u32(what)) }
    mutating func f32(_ what: String) throws(OctetError) -> Float { Float(bitPattern: try u32(what)) }

    /// A u64 that must fit in a non-negative Int no larger than `limit`.
    mutating func count(_ what: String, limit: Int) throws(OctetError) -> Int {
        let v = try u64(what)
        guard v <= UInt64(limit) else {
            throw OctetError.format("\(context): \(what) = \(v) exceeds \(limit)")
        }
        return Int(v)
    }

    mutating func skip(_ n: Int, _ what: String) throws(OctetError) {
        try need(n, what)
        position += n
    }
}

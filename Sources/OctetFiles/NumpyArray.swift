/// A `.npy` array, without Foundation (the octet CLI and the static octet-run share it): reads
/// format 1.0–3.0, little-endian f4/f8/f2/i1/u1/b1/i2/u2/i4/u4/i8/u8 in C order into float32;
/// writes `<f4` version 1.0. Crafted files get an error, never a trap.
public struct NumpyArray: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws(NumpyError) -> NumpyArray {
        func fail(_ what: String) -> NumpyError { NumpyError(message: "'\(name)' is not a valid .npy file: \(what)") }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard bytes.count >= 10, (0..<6).allSatisfy({ bytes[$0] == magic[$0] }) else { throw fail("bad magic") }
        let headerLength: Int, start: Int
        switch bytes[6] {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default: throw fail("version \(bytes[6])")
        }
        guard headerLength <= bytes.count - start else { throw fail("truncated header") }
        let header = Array(bytes[start..<(start + headerLength)])
        guard let descr = field(header, "descr"), let fortran = field(header, "fortran_order"), let shapeText = field(header, "shape") else {
            throw fail("header without descr, fortran_order and shape")
        }
        guard fortran == Array("False".utf8) else { throw fail("Fortran order is not supported") }
        let type = descr.filter { $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\"") }
        let typeText = String(decoding: type, as: UTF8.self)
        guard type.count >= 3, let size = decimal(Array(type[2...])) else { throw fail("dtype '\(typeText)'") }
        guard [UInt8(ascii: "<"), UInt8(ascii: "|"), UInt8(ascii: "=")].contains(type[0]) else { throw fail("big-endian dtype '\(typeText)'") }
        var shape: [Int] = []
        for d in split(shapeText.filter { $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") }) {
            guard let v = decimal(d), v <= Int(Int32.max) else { throw fail("dimension '\(String(decoding: d, as: UTF8.self))'") }
            shape.append(v)
        }
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw fail("shape \(shape) overflows") }
            count = p
        }
        let body = start + headerLength
        let (needed, o) = count.multipliedReportingOverflow(by: size)
        guard !o, needed <= bytes.count - body else {
            throw fail("holds \(bytes.count - body) data bytes, shape \(shape) needs \(needed)")
        }
        let p = bytes.baseAddress! + body
        func load<T>(_: T.Type, _ f: (T) -> Float) -> [Float] {
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count { values[i] = f(p.loadUnaligned(fromByteOffset: i * size, as: T.self)) }
            return values
        }
        let values: [Float]
        switch (type[1], size) {
        case (UInt8(ascii: "f"), 4): values = load(Float.self) { $0 }
        case (UInt8(ascii: "f"), 8): values = load(Double.self) { Float($0) }
        case (UInt8(ascii: "f"), 2): values = load(UInt16.self) { halfToFloat($0) }
        case (UInt8(ascii: "i"), 1): values = load(Int8.self) { Float($0) }
        case (UInt8(ascii: "u"), 1), (UInt8(ascii: "b"), 1): values = load(UInt8.self) { Float($0) }
        case (UInt8(ascii: "i"), 2): values = load(Int16.self) { Float($0) }
        case (UInt8(ascii: "u"), 2): values = load(UInt16.self) { Float($0) }
        case (UInt8(ascii: "i"), 4): values = load(Int32.self) { Float($0) }
        case (UInt8(ascii: "u"), 4): values = load(UInt32.self) { Float($0) }
        case (UInt8(ascii: "i"), 8): values = load(Int64.self) { Float($0) }
        case (UInt8(ascii: "u"), 8): values = load(UInt64.self) { Float($0) }
        default: throw fail("unsupported dtype '\(typeText)'")
        }
        return NumpyArray(shape: shape, values: values)
    }

    /// `<f4`, C order, version 1.0; the header padded with spaces to a multiple of 64 bytes.
    public func encode() -> [UInt8] {
        let dims = shape.map { "\($0)" }
        let shapeText = shape.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        let total = 10 + header.count + 1
        header += [UInt8](repeating: UInt8(ascii: " "), count: (64 - total % 64) % 64) + [UInt8(ascii: "\n")]
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xff), UInt8(header.count >> 8)]
        out += header
        out.reserveCapacity(out.count + values.count * 4)
        for v in values {
            let b = v.bitPattern
            out += [UInt8(b & 0xff), UInt8((b >> 8) & 0xff), UInt8((b >> 16) & 0xff), UInt8(b >> 24)]
        }
        return out
    }

    /// The bytes of `'key': value` in a header dict, trimmed (value up to the next top-level comma).
    private static func field(_ header: [UInt8], _ key: String) -> [UInt8]? {
        let needle = Array("'\(key)':".utf8)
        guard header.count >= needle.count,
              let at = (0...(header.count - needle.count)).first(where: { Array(header[$0..<($0 + needle.count)]) == needle }) else { return nil }
        var depth = 0
        var value: [UInt8] = []
        for ch in header[(at + needle.count)...] {
            if ch == UInt8(ascii: "(") { depth += 1 }
            if ch == UInt8(ascii: ")") { depth -= 1 }
            if (ch == UInt8(ascii: ",") && depth == 0) || ch == UInt8(ascii: "}") { break }
            value.append(ch)
        }
        return trim(value)
    }

    private static func trim(_ s: [UInt8]) -> [UInt8] {
        var a = s[...]
        while let f = a.first, f == UInt8(ascii: " ") { a = a.dropFirst() }
        while let l = a.last, l == UInt8(ascii: " ") { a = a.dropLast() }
        return Array(a)
    }

    /// Comma-separated, trimmed, empty parts dropped.
    private static func split(_ s: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = [], current: [UInt8] = []
        for ch in s + [UInt8(ascii: ",")] {
            if ch == UInt8(ascii: ",") {
                let t = trim(current)
                if !t.isEmpty { parts.append(t) }
                current = []
            } else {
                current.append(ch)
            }
        }
        return parts
    }

    /// A non-negative decimal of at most 12 digits, else nil.
    private static func decimal(_ s: [UInt8]) -> Int? {
        guard !s.isEmpty, s.count <= 12 else { return nil }
        var v = 0
        for ch in s {
            guard ch >= UInt8(ascii: "0"), ch <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(ch - UInt8(ascii: "0"))
        }
        return v
    }

    /// IEEE binary16 → binary32 (exact).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31, exponent = Int(h >> 10) & 0x1f, mantissa = UInt32(h & 0x3ff)
        if exponent == 0x1f { return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13) }
        if exponent == 0 {
            let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)  // mantissa · 2^-24
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
    }
}

/// Why a `.npy` file was rejected; `message` names the file and the fault.
public struct NumpyError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

@testable import OctetRuntime
import Testing

/// The section checksum against the standard check value and a bit-at-a-time CRC-32 on every
/// length around the 8-byte step and at unaligned starts.
@Suite struct CRC32Tests {
    static func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    @Test func checkValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func matchesBitwiseOnEveryLengthAndOffset() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<300).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for start in 0..<8 {
            for length in 0...(bytes.count - start) where length <= 40 || length % 37 == 0 {
                let slice = bytes[start..<(start + length)]
                #expect(slice.withUnsafeBytes { CRC32.checksum($0) } == Self.bitwise(slice), "start \(start) length \(length)")
            }
        }
    }
}

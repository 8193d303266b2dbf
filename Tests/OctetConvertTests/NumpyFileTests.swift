import Foundation
import OctetConvert
import Testing

@Suite struct NumpyFileTests {
    @Test func roundTripsFloat32() throws {
        let t = Tensor(shape: [2, 3, 1], data: [1, -2, 3.5, 0, .greatestFiniteMagnitude, -0.25])
        let decoded = try NumpyFile.decode(NumpyFile.encode(t), name: "t")
        #expect(decoded == t)
    }

    @Test func rejectsBadFilesWithMessages() {
        #expect(throws: ConvertError.self) { _ = try NumpyFile.decode(Data("hello".utf8), name: "x.npy") }
        var truncated = NumpyFile.encode(Tensor(shape: [4], data: [1, 2, 3, 4]))
        truncated.removeLast(3)
        do {
            _ = try NumpyFile.decode(truncated, name: "t.npy")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("t.npy"))
        }
    }
}

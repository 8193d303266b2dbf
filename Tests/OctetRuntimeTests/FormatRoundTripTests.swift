import Testing
@testable import OctetRuntime

@Suite struct FormatRoundTripTests {
    @Test func writeLoadVerifyReserializeIsIdentical() throws {
        let bytes = OctetSerializer.serialize(sampleModel())
        #expect(bytes.count % 64 == 0)
        let model = try OctetModel(bytes: bytes)
        #expect(model.description.ops.count == 8)
        #expect(model.description.metadata("labels") == "a\nb")
        let again = OctetSerializer.serialize(model.materialized())
        #expect(again == bytes)
        #expect(model.materialized() == sampleModel())
    }

    @Test func constantsAreUsedFromTheFileIn64ByteAlignment() throws {
        let model = try OctetModel(bytes: OctetSerializer.serialize(sampleModel()))
        for (i, t) in model.description.tensors.enumerated() where t.storage == .constant {
            let b = try #require(model.constantBytes(i))
            #expect(Int(bitPattern: b.baseAddress) % 64 == 0)
            #expect(Array(b) == sampleModel().tensors[i].data)
        }
    }
}

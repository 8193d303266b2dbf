import Testing
@testable import OctetRuntime

@Suite struct CPUFeaturesTests {
    @Test func detectionIsStableAndConsistent() {
        let f = CPUFeatures.current
        #expect(f == CPUFeatures.current)
        // AVX-512 VNNI implies AVX-512F on every CPU that has it.
        if f.contains(.avx512vnni) { #expect(f.contains(.avx512f)) }
        #if arch(x86_64)
        #expect(!f.contains(.neon))
        #endif
    }
}

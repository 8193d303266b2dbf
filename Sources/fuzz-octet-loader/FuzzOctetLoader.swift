import OctetFuzzing

#if OCTET_LIBFUZZER
// libFuzzer build (tools/fuzz.sh: -DOCTET_LIBFUZZER, --sanitize fuzzer): libFuzzer has main.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    LoaderFuzzHarness.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's own byte-level mutations, for the custom mutator to fall back on.
@_silgen_name("LLVMFuzzerMutate")
func libFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard let data else { return 0 }
    return OctetStructureMutator.mutate(data, size: size, maxSize: maxSize, seed: seed, fallback: libFuzzerMutate)
}
#else
/// Normal build: replays the files given on the command line.
@main enum FuzzOctetLoader {
    static func main() {
        FuzzReplay.main(LoaderFuzzHarness.run)
    }
}
#endif

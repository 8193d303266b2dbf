import OctetFuzzing

#if OCTET_LIBFUZZER
/// libFuzzer entry point (tools/fuzz.sh builds with `-DOCTET_LIBFUZZER --sanitize fuzzer`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ONNXImportFuzzHarness.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
/// Normal build: replays the files given on the command line.
@main enum FuzzONNXImport {
    static func main() {
        FuzzReplay.main(ONNXImportFuzzHarness.run)
    }
}
#endif

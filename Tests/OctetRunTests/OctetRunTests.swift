import Foundation
import OctetConvert
@testable import OctetRun
import OctetRuntime
import Testing

/// octet-run's logic in the SwiftPM build (the static binaries of tools/arm/build.sh compile
/// the same sources): its arguments, its output bytes against the converter's Int8Model, and
/// its errors (exit 1, no output file).
@Suite struct OctetRunTests {
    func usage(_ arguments: [String]) -> String? {
        do {
            _ = try RunArguments.parse(arguments)
            return nil
        } catch {
            if case let .usage(m) = error { return m }
            return "failure"
        }
    }

    @Test func argumentErrorsAreUsageErrors() throws {
        #expect(usage([]) == "missing the model (a .octet file)")
        #expect(usage(["m.octet"])?.contains("missing --input") == true)
        #expect(usage(["m.octet", "--input", "x.npy"])?.contains("missing --output") == true)
        #expect(usage(["m.octet", "--bench", "0"])?.contains("--bench takes a whole number ≥ 1, got '0'") == true)
        #expect(usage(["m.octet", "--bench", "3", "--threads", "x"])?.contains("--threads") == true)
        #expect(usage(["m.octet", "--bench", "3", "--output", "y.npy"])?.contains("does not go with --bench") == true)
        #expect(usage(["m.octet", "--frobnicate"]) == "unknown option '--frobnicate'")
        #expect(usage(["a.octet", "b.octet"])?.contains("one model only") == true)
        #expect(usage(["m.octet", "--input"]) == "--input needs a value")
        let a = try RunArguments.parse(["m.octet", "--input", "x.npy", "--input", "y.npy", "--output", "o.npy", "--threads", "2", "--kernels", "scalar"])
        #expect(a.inputs == ["x.npy", "y.npy"] && a.output == "o.npy" && a.threads == 2 && a.kernels == "scalar" && a.bench == nil)
        #expect(OctetRun.main(["--help"]) == 0)
        #expect(OctetRun.main(["m.octet"]) == 64)
    }

    /// A batch of 3 images: the output file holds the same bytes `octet run` writes.
    @Test(arguments: [1, 2])
    func outputMatchesInt8ModelByteForByte(threads: Int) throws {
        let (octet, inputPath) = Fixtures.mobileNet
        let fixture = try NumpyFile.read(path: inputPath)
        let one = Array(fixture.data.prefix(fixture.shape.dropFirst().reduce(1, *)))
        let batch = Tensor(shape: [3] + fixture.shape.dropFirst(), data: one + one.map { $0 * 0.5 } + one.map { -$0 })
        let input = Fixtures.temporaryPath("batch.npy"), output = Fixtures.temporaryPath("out.npy")
        try NumpyFile.write(batch, path: input)
        #expect(OctetRun.main([octet, "--input", input, "--output", output, "--threads", "\(threads)"]) == 0)
        let expected = try Int8Model(path: octet).run([batch])[0]
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == NumpyFile.encode(expected))
    }

    @Test func failuresExitOneAndWriteNothing() throws {
        let (octet, inputPath) = Fixtures.mobileNet
        let output = Fixtures.temporaryPath("never.npy")
        let wrong = Fixtures.temporaryPath("wrong.npy")
        try NumpyFile.write(Tensor(shape: [1, 3, 5, 5], data: [Float](repeating: 0, count: 75)), path: wrong)
        let garbage = Fixtures.temporaryPath("garbage.octet")
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: garbage))
        let cases: [[String]] = [
            [octet, "--input", wrong, "--output", output],                      // shape mismatch
            [octet, "--input", inputPath, "--input", inputPath, "--output", output],  // two inputs for one
            [octet, "--input", "/nonexistent.npy", "--output", output],
            [garbage, "--input", inputPath, "--output", output],
            [octet, "--input", inputPath, "--output", "/nonexistent-dir/y.npy"],
            [octet, "--input", inputPath, "--output", output, "--kernels", "no-such-path"],
        ]
        for arguments in cases {
            #expect(OctetRun.main(arguments) == 1, "\(arguments)")
            #expect(!FileManager.default.fileExists(atPath: output), "\(arguments)")
        }
        let dir = URL(fileURLWithPath: output).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") })
    }

    @Test func benchRuns() {
        let (octet, inputPath) = Fixtures.mobileNet
        #expect(OctetRun.main([octet, "--bench", "2", "--warmup", "0"]) == 0)
        #expect(OctetRun.main([octet, "--bench", "1", "--input", inputPath, "--threads", "2"]) == 0)
    }

    @Test func millisecondsFormatting() {
        #expect(milliseconds(1_234_567) == "1.235")
        #expect(milliseconds(5_000) == "0.005")
        #expect(milliseconds(12_000_000_000) == "12000.000")
    }
}

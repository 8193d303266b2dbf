import Foundation
import OctetRuntime
import Testing

/// `octet bench` and `octet roofline` through the built executable: the JSON report's figures
/// are consistent with the model file, and bad input fails with a message.
@Suite struct BenchCommandTests {
    struct Report: Decodable {
        struct ThreadRun: Decodable {
            var requested: Int
            var used: Int
            var samples: [Double]
            var latency: Latency
        }
        struct Latency: Decodable { var runs: Int; var min: Double; var median: Double; var p90: Double; var p99: Double }
        struct Op: Decodable { var index: Int; var op: String; var macs: Int; var milliseconds: Double }
        struct Machine: Decodable { var peakInt8: Double; var peakFloat: Double; var cores: Int }
        var runtime: String
        var macs: Int?
        var arenaBytes: Int
        var loadMilliseconds: Double
        var peakResidentBytes: Int
        var threads: [ThreadRun]
        var profile: [Op]?
        var machine: Machine
    }

    func convertedFixture(_ dir: URL) throws -> String {
        let input = RunCommandTests.model("resnet18_tiny.input.npy"), file = dir.appendingPathComponent("r.octet").path
        let r = try RunCommandTests.octet(["convert", RunCommandTests.model("resnet18_tiny.onnx"), "--calibration", input, "-o", file,
                                           "--bias-correction", "off", "--equalization", "off"])
        #expect(r.status == 0, "\(r.stderr)")
        return file
    }

    @Test func int8JSONReportMatchesTheModel() throws {
        let dir = try RunCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try convertedFixture(dir)
        let r = try RunCommandTests.octet(["bench", file, "--threads", "1,2", "--warmup", "1", "--runs", "4", "--profile", "--json", "--peak-rounds", "20"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8))
        let model = try OctetModel(path: file).description
        #expect(report.runtime == "octet-int8")
        #expect(report.arenaBytes >= model.arenaSize && report.arenaBytes > 0)
        #expect(report.macs == model.multiplyAccumulates && model.multiplyAccumulates > 0)
        #expect(report.threads.map(\.requested) == [1, 2])
        for t in report.threads {
            #expect(t.used == t.requested)
            #expect(t.samples.count == 4 && t.latency.runs == 4)
            #expect(t.latency.min == t.samples.min() && t.latency.min > 0)
            #expect(t.latency.min <= t.latency.median && t.latency.median <= t.latency.p90 && t.latency.p90 <= t.latency.p99)
        }
        let profile = try #require(report.profile)
        #expect(profile.map(\.index) == Array(model.ops.indices))
        #expect(profile.reduce(0) { $0 + $1.macs } == model.multiplyAccumulates)
        #expect(profile.contains { $0.op == "Conv2D" && $0.macs > 0 })
        #expect(report.machine.peakInt8 > 0 && report.machine.peakFloat > 0)
        #expect(report.peakResidentBytes > 0 && report.loadMilliseconds > 0)
    }

    @Test func floatPathBenchesTheONNXModel() throws {
        let r = try RunCommandTests.octet(["bench", RunCommandTests.model("resnet18_tiny.onnx"), "--runs", "2", "--warmup", "0",
                                           "--json", "--peak-rounds", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8))
        #expect(report.runtime == "octet-fp32")
        #expect(report.threads.first?.samples.count == 2)
    }

    @Test func textReportAndBadInput() throws {
        let dir = try RunCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try convertedFixture(dir)
        let text = try RunCommandTests.octet(["bench", file, "--runs", "3", "--profile", "--peak-rounds", "10"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("threads 1: min") && text.stdout.contains("per-op profile") && text.stdout.contains("roofline"))
        // Without a measured roofline the report says so instead of printing nan.
        let unmeasured = try RunCommandTests.octet(["bench", file, "--runs", "2", "--profile", "--peak-rounds", "0"])
        #expect(unmeasured.status == 0 && unmeasured.stdout.contains("roofline per core: not measured"), "\(unmeasured.stderr)")
        #expect(!unmeasured.stdout.lowercased().contains("nan"), "\(unmeasured.stdout)")

        RunCommandTests.expectFailure(try RunCommandTests.octet(["bench", dir.appendingPathComponent("missing.octet").path]),
                                      mentions: ["missing.octet"])
        RunCommandTests.expectFailure(try RunCommandTests.octet(["bench", RunCommandTests.model("resnet18_tiny.onnx"), "--profile", "--peak-rounds", "0"]),
                                      mentions: ["--profile"])
        for bad in [["--threads", "0"], ["--threads", "1,x"], ["--runs", "0"], ["--warmup", "-1"]] {
            let r = try RunCommandTests.octet(["bench", file] + bad)
            #expect(r.status != 0 && r.stderr.contains(bad[0]) && !r.stderr.contains("Fatal error"), "\(bad): \(r.stderr)")
        }
    }

    @Test func rooflineListsEveryInstruction() throws {
        let r = try RunCommandTests.octet(["roofline", "--rounds", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("GMAC/s") && r.stdout.contains("vpdpbusd") && r.stdout.contains("smmla"))
    }
}

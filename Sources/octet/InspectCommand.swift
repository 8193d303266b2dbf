import ArgumentParser
import Foundation
import OctetConvert
import OctetRuntime

/// `octet inspect`: what a verified `.octet` file holds — ops, arena plan, tensors, metadata.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Verify a .octet file and print its ops, arena plan, tensors and metadata."
    )

    @Argument(help: ArgumentHelp("The .octet file.", valueName: "model.octet"))
    var model: String

    @Flag(help: "List every tensor with its arena offset or constant size.")
    var tensors = false

    @Flag(help: "Print the per-tensor calibration ranges stored in the file.")
    var calibration = false

    @Option(help: ArgumentHelp("Draw the arena plan (tensors as boxes over time × offset) as an SVG.", valueName: "plan.svg"))
    var svg: String?

    func run() throws {
        try CLI.reportingErrors { try execute() }
    }

    private func execute() throws {
        let loaded: OctetModel
        do throws(OctetError) { loaded = try OctetModel(path: model) } catch let e { throw ConvertError.octetFile(model, e) }
        let m = loaded.description
        let size = (try? FileManager.default.attributesOfItem(atPath: model)[.size] as? Int) ?? 0
        print("\(model): .octet v\(OctetFormat.versionMajor).\(OctetFormat.versionMinor), \(size) bytes, verified")
        for e in m.metadata where e.key != "calibration.ranges" && e.key != "labels" { print("  \(e.key): \(e.value)") }
        if let labels = m.metadata("labels") { print("  labels: \(labels.split(separator: "\n").count) (\(labels.split(separator: "\n").prefix(3).joined(separator: ", "))…)") }
        print("arena: \(m.arenaSize) bytes, lower bound \(m.arenaLowerBound) bytes (\(CLI.percentOver(m.arenaSize, m.arenaLowerBound)))")
        let constantBytes = m.tensors.filter { $0.storage == .constant }.map(\.byteCount).reduce(0, +)
        print("constants: \(constantBytes) bytes in \(m.tensors.filter { $0.storage == .constant }.count) tensors")
        print("inputs: " + m.inputs.map { describe(m.tensors[$0]) }.joined(separator: ", "))
        print("outputs: " + m.outputs.map { describe(m.tensors[$0]) }.joined(separator: ", "))
        print("ops (\(m.ops.count)):")
        for (i, op) in m.ops.enumerated() {
            let marker = op.code.isFloatFallback || op.code == .dequantize || op.code == .quantize ? "  [float]" : ""
            let ins = op.inputs.filter { m.tensors[$0].storage == .arena }.map { "'\(m.tensors[$0].name)'" }.joined(separator: ", ")
            let outs = op.outputs.map { "'\(m.tensors[$0].name)' \(CLI.shapeText(m.tensors[$0].shape))" }.joined(separator: ", ")
            print(String(format: "  %3d %-18@ %@ → %@%@", i, op.code.description as NSString, ins as NSString, outs as NSString, marker as NSString))
        }
        if tensors {
            print("tensors (\(m.tensors.count)):")
            for (i, t) in m.tensors.enumerated() {
                let place = t.storage == .arena ? "arena @\(t.arenaOffset)..<\(t.arenaOffset + t.byteCount)" : "constant \(t.byteCount) B"
                print("  \(i) \(describe(t)) \(place)")
            }
        }
        if calibration, let ranges = m.metadata("calibration.ranges") {
            print("calibration ranges (name, lo, hi, method):")
            for line in ranges.split(separator: "\n") { print("  " + line.replacingOccurrences(of: "\t", with: "  ")) }
        }
        if let svg {
            let (plan, requests) = ArenaPlanning.storedPlan(m)
            try AtomicFile.write(Data(MemoryPlanSVG.render(plan, requests, title: (model as NSString).lastPathComponent).utf8), to: svg)
            print("wrote \(svg)")
        }
    }

    private func describe(_ t: TensorDescription) -> String {
        var s = "'\(t.name)' \(t.type) \(CLI.shapeText(t.shape))"
        if t.layout == .channelsLast { s += " NHWC" }
        if let q = t.quantization {
            s += q.channelScales.isEmpty ? " (s=\(q.scale), z=\(q.zeroPoint))" : " (\(q.channelScales.count) channel scales)"
        }
        return s
    }
}

extension CLI {
    /// "+1.2% over" / "equal".
    static func percentOver(_ value: Int, _ bound: Int) -> String {
        guard bound > 0 else { return "no lower bound" }
        if value == bound { return "equal" }
        return String(format: "+%.1f%%", 100 * Double(value - bound) / Double(bound))
    }
}

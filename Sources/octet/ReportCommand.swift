import ArgumentParser
import Foundation
import OctetConvert

/// `octet report`: `octet eval` written as an SVG chart of per-layer SQNR plus a Markdown summary.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Evaluate a .octet model like `octet eval` and write a per-layer SQNR chart (SVG) and a Markdown summary."
    )

    @OptionGroup var eval: EvalCommand

    @Option(name: .customLong("out"), help: ArgumentHelp("Directory for report.md and sqnr.svg (created if missing).", valueName: "dir"))
    var directory: String

    func run() throws {
        try CLI.reportingErrors {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ConvertError.io("cannot create the report directory '\(directory)': \((error as NSError).localizedDescription)")
            }
            try AtomicFile.checkWritable((directory as NSString).appendingPathComponent("report.md"))
            let r = try eval.execute()
            let title = "\((eval.model as NSString).lastPathComponent): int8 vs float"
            let svgPath = (directory as NSString).appendingPathComponent("sqnr.svg")
            let mdPath = (directory as NSString).appendingPathComponent("report.md")
            try AtomicFile.writeAll([(Data(EvaluationReportWriter.svg(r, title: title).utf8), svgPath),
                                     (Data(EvaluationReportWriter.markdown(r, title: title, chartFile: "sqnr.svg").utf8), mdPath)])
            print("wrote \(mdPath) and \(svgPath)")
        }
    }
}

import Foundation

/// Renders an evaluation as an SVG bar chart of per-layer SQNR and a Markdown summary.
public enum EvaluationReportWriter {
    /// Horizontal bars, one per int8 tensor in execution order; red below 20 dB, amber below
    /// 30 dB, green above; the output SQNR as a dashed line.
    public static func svg(_ r: EvaluationReport, title: String) -> String {
        let rowHeight = 16, labelWidth = 300, chartWidth = 420, top = 56
        let height = top + rowHeight * max(r.layers.count, 1) + 40
        let finite = r.layers.map(\.sqnr).filter(\.isFinite)
        let maxDB = max(10, ((finite.max() ?? 40) / 10).rounded(.up) * 10)
        func x(_ db: Double) -> Double { Double(labelWidth) + Double(chartWidth) * min(max(db, 0), maxDB) / maxDB }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(labelWidth + chartWidth + 80)" height="\(height)" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="8" y="18" font-size="14" font-weight="bold">\(escape(title))</text>
        <text x="8" y="36">\(String(format: "float top-1 %.2f%%, int8 top-1 %.2f%%, agreement %.2f%%, output SQNR %.1f dB, %d samples", 100 * r.floatTop1, 100 * r.int8Top1, 100 * r.agreement, r.outputSQNR, r.samples))</text>

        """
        for tick in stride(from: 0.0, through: maxDB, by: 10) {
            s += "<line x1=\"\(x(tick))\" y1=\"\(top - 4)\" x2=\"\(x(tick))\" y2=\"\(height - 36)\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(x(tick))\" y=\"\(height - 22)\" text-anchor=\"middle\">\(Int(tick))</text>\n"
        }
        s += "<text x=\"\(Double(labelWidth) + Double(chartWidth) / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">SQNR (dB) of each int8 tensor vs its float twin</text>\n"
        for (i, layer) in r.layers.enumerated() {
            let y = top + i * rowHeight
            let color = layer.sqnr < 20 ? "#d9534f" : layer.sqnr < 30 ? "#f0ad4e" : "#5cb85c"
            let label = String("\(layer.op) \(layer.name)".suffix(48))
            let value = layer.sqnr.isFinite ? String(format: "%.1f", layer.sqnr) : "exact"
            s += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 11)\" text-anchor=\"end\">\(escape(label))</text>"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(x(layer.sqnr.isFinite ? layer.sqnr : maxDB) - Double(labelWidth))\" height=\"\(rowHeight - 4)\" fill=\"\(color)\"><title>\(escape(layer.name)): \(value) dB</title></rect>"
            s += "<text x=\"\(x(layer.sqnr.isFinite ? layer.sqnr : maxDB) + 4)\" y=\"\(y + 11)\">\(value)</text>\n"
        }
        if r.outputSQNR.isFinite {
            s += "<line x1=\"\(x(r.outputSQNR))\" y1=\"\(top - 4)\" x2=\"\(x(r.outputSQNR))\" y2=\"\(height - 36)\" stroke=\"#337ab7\" stroke-dasharray=\"4 3\"/>\n"
        }
        return s + "</svg>\n"
    }

    /// Headline numbers and the five weakest tensors.
    public static func markdown(_ r: EvaluationReport, title: String, chartFile: String) -> String {
        var s = "# \(title)\n\n"
        s += "| samples | float top-1 | int8 top-1 | agreement | output SQNR |\n|---|---|---|---|---|\n"
        s += String(format: "| %d | %.2f%% | %.2f%% | %.2f%% | %.1f dB |\n\n", r.samples, 100 * r.floatTop1, 100 * r.int8Top1, 100 * r.agreement, r.outputSQNR)
        s += "![per-layer SQNR](\(chartFile))\n\n"
        let worst = r.layers.enumerated().sorted { $0.element.sqnr < $1.element.sqnr }.prefix(5)
        if !worst.isEmpty {
            s += "Weakest tensors (lowest SQNR first): the place to look when int8 loses accuracy.\n\n"
            s += "| # | op | tensor | SQNR dB |\n|---|---|---|---|\n"
            for (i, l) in worst { s += String(format: "| %d | %@ | `%@` | %.1f |\n", i, l.op as NSString, l.name as NSString, l.sqnr) }
        }
        return s
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

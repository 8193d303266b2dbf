import Foundation

/// Draws a memory plan: time (op index) left to right, byte offset bottom (0) to top, one box per
/// buffer from its first to past its last use. Alias members are drawn dashed over their root.
public enum MemoryPlanSVG {
    public static func render(_ plan: MemoryPlan, _ requests: [BufferRequest], title: String) -> String {
        let width = 1000.0, height = 620.0
        let left = 96.0, right = 24.0, top = 64.0, bottom = 56.0
        let plotW = width - left - right, plotH = height - top - bottom
        let a = max(plan.alignment, 1)
        let count = min(plan.offsets.count, requests.count)

        let t0 = requests.prefix(count).map(\.firstUse).min() ?? 0
        let t1 = (requests.prefix(count).map(\.lastUse).max() ?? 0) + 1
        let span = Double(max(t1 - t0, 1))
        let yMax = Double(max(plan.arenaSize, plan.lowerBound, 1))
        func x(_ t: Int) -> Double { left + Double(t - t0) / span * plotW }
        func y(_ bytes: Int) -> Double { top + plotH - Double(bytes) / yMax * plotH }

        var s = ""
        s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
        s += "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>\n"
        let over = plan.lowerBound > 0 ? Double(plan.arenaSize - plan.lowerBound) / Double(plan.lowerBound) * 100 : 0
        s += "<text class=\"title\" x=\"\(f(left))\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>\n"
        s += "<text class=\"header\" x=\"\(f(left))\" y=\"42\" font-size=\"12\">"
        s += "arena \(plan.arenaSize) bytes, lower bound \(plan.lowerBound) bytes (+\(String(format: "%.1f", over))%)"
        s += " — \(count) buffers, strategy \(escape(plan.strategy)), alignment \(a)</text>\n"

        // Plot frame and axes.
        s += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" "
        s += "fill=\"#fafafa\" stroke=\"#999\"/>\n"
        s += "<g class=\"x-axis\" stroke=\"#333\">\n"
        let xStep = niceStep(Double(t1 - t0), maxTicks: 20)
        var tick = Int((Double(t0) / xStep).rounded(.up) * xStep)
        while tick <= t1 {
            let px = x(tick)
            s += "<line x1=\"\(f(px))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px))\" y2=\"\(f(top + plotH + 5))\"/>"
            s += "<text x=\"\(f(px))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\" stroke=\"none\">\(tick)</text>\n"
            tick += max(Int(xStep), 1)
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\" stroke=\"none\">"
        s += "op index (execution order)</text>\n</g>\n"
        s += "<g class=\"y-axis\" stroke=\"#333\">\n"
        // Ticks at round numbers of the unit the arena is counted in (B, KiB or MiB).
        let unit = yMax >= 1024 * 1024 ? 1024.0 * 1024 : yMax >= 1024 ? 1024.0 : 1
        let unitName = unit > 1024 ? "MiB" : unit > 1 ? "KiB" : "B"
        let yStep = max(niceStep(yMax / unit, maxTicks: 10, minimum: unit > 1 ? 0.01 : 1), 0.01)
        var k = 0
        while Double(k) * yStep <= yMax / unit + 1e-9 {
            let v = Double(k) * yStep
            let py = y(Int(v * unit))
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py))\" x2=\"\(f(left))\" y2=\"\(f(py))\"/>"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(py + 4))\" text-anchor=\"end\" stroke=\"none\">"
            s += "\(trimmed(v)) \(unitName)</text>\n"
            k += 1
        }
        s += "<text x=\"16\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" stroke=\"none\" "
        s += "transform=\"rotate(-90 16 \(f(top + plotH / 2)))\">byte offset (0 at the bottom)</text>\n</g>\n"

        // Buffers: roots first, then alias members by depth so they sit on top of what they alias.
        func depth(_ i: Int) -> Int {
            var d = 0, j = i
            while let t = requests[j].aliasOf, t >= 0, t < count, d <= count { d += 1; j = t }
            return d
        }
        let drawOrder = (0..<count).sorted { (depth($0), $0) < (depth($1), $1) }
        s += "<g class=\"buffers\">\n"
        for i in drawOrder {
            let r = requests[i]
            let isMember = r.aliasOf != nil
            let bytes = isMember ? r.size : (r.size + a - 1) / a * a
            let off = plan.offsets[i]
            let bx = x(r.firstUse), bw = max(x(r.lastUse + 1) - bx, 0.5)
            let by = y(off + bytes), bh = max(y(off) - by, 0.5)
            let hue = Int(fnv1a(r.name) % 360)
            var tip = "\(r.name): \(r.size) bytes at offset \(off), ops \(r.firstUse)...\(r.lastUse)"
            if let t = r.aliasOf, t >= 0, t < count { tip += ", alias of \(requests[t].name) + \(r.aliasOffset)" }
            if let t = r.inPlaceOf, t >= 0, t < count { tip += ", in place of \(requests[t].name)" }
            s += "<rect class=\"buffer\" x=\"\(f(bx))\" y=\"\(f(by))\" width=\"\(f(bw))\" height=\"\(f(bh))\" "
            if isMember {
                s += "fill=\"hsl(\(hue),55%,72%)\" fill-opacity=\"0.55\" stroke=\"#333\" stroke-dasharray=\"3 2\" stroke-width=\"0.6\">"
            } else {
                s += "fill=\"hsl(\(hue),60%,66%)\" stroke=\"#333\" stroke-width=\"0.6\">"
            }
            s += "<title>\(escape(tip))</title></rect>\n"
            let maxChars = Int(bw / 6.2)
            if bh >= 13, maxChars >= 4 {
                let label = r.name.count > maxChars ? String(r.name.prefix(maxChars - 1)) + "…" : r.name
                s += "<text class=\"label\" x=\"\(f(bx + 3))\" y=\"\(f(by + min(bh / 2 + 4, 13)))\" font-size=\"10\" "
                s += "pointer-events=\"none\">\(escape(label))</text>\n"
            }
        }
        s += "</g>\n"

        // Arena top and lower bound.
        let pa = y(plan.arenaSize), pl = y(plan.lowerBound)
        s += "<line class=\"arena\" x1=\"\(f(left))\" y1=\"\(f(pa))\" x2=\"\(f(left + plotW))\" y2=\"\(f(pa))\" stroke=\"#c00\" stroke-width=\"1.2\"/>\n"
        s += "<text x=\"\(f(left + plotW - 4))\" y=\"\(f(pa - 4))\" text-anchor=\"end\" fill=\"#c00\">arena \(bytesLabel(plan.arenaSize))</text>\n"
        s += "<line class=\"lower-bound\" x1=\"\(f(left))\" y1=\"\(f(pl))\" x2=\"\(f(left + plotW))\" y2=\"\(f(pl))\" "
        s += "stroke=\"#06c\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>\n"
        s += "<text x=\"\(f(left + 4))\" y=\"\(f(pl + 13))\" fill=\"#06c\">lower bound \(bytesLabel(plan.lowerBound))</text>\n"
        s += "</svg>\n"
        return s
    }

    /// XML text/attribute escaping; characters XML 1.0 cannot carry become U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for u in text.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// Stable across runs and platforms (unlike `hashValue`).
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in s.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// 1, 2 or 5 × 10^k, so that `range` takes at most `maxTicks` steps.
    static func niceStep(_ range: Double, maxTicks: Int, minimum: Double = 1) -> Double {
        guard range > 0 else { return minimum }
        let raw = range / Double(maxTicks)
        let mag = pow(10, floor(log10(raw)))
        for m in [1.0, 2.0, 5.0, 10.0] where m * mag >= raw { return max(m * mag, minimum) }
        return max(10 * mag, minimum)
    }

    /// A tick value without trailing zeros ("0.25", "2", "1.5").
    static func trimmed(_ v: Double) -> String {
        var t = String(format: "%.2f", v)
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    static func bytesLabel(_ b: Int) -> String {
        if b < 1024 { return "\(b) B" }
        if b < 1024 * 1024 { return String(format: "%.1f KiB", Double(b) / 1024) }
        return String(format: "%.2f MiB", Double(b) / (1024 * 1024))
    }
}

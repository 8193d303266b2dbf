#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on stderr, e.g.
/// `calibrating [#####.....] 250/500 123.4 samples/s ETA 2s`.
///
/// Draws only when enabled — by default when stderr is a terminal (`isatty(2)`), so logs and
/// pipes stay clean. Redraws at most 10 times a second (plus the final state), in place with a
/// carriage return; `finish()` ends the line.
public final class ProgressBar {
    public let total: Int
    public let label: String
    public let isEnabled: Bool
    public let barWidth: Int
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastDraw: ContinuousClock.Instant? = nil
    private var lastLength = 0
    private var drawn = false
    private var finished = false
    public private(set) var completed = 0
    private let sink: (String) -> Void

    /// Minimum time between two redraws.
    public static let minimumInterval: Duration = .milliseconds(100)

    /// - Parameters:
    ///   - isEnabled: draw at all; defaults to "stderr is a terminal".
    ///   - sink: where text goes (stderr by default; tests capture it).
    public init(total: Int, label: String = "calibrating", barWidth: Int = 10,
                isEnabled: Bool = isatty(2) == 1, sink: ((String) -> Void)? = nil) {
        self.total = Swift.max(total, 0)
        self.label = label
        self.barWidth = Swift.max(barWidth, 1)
        self.isEnabled = isEnabled
        self.sink = sink ?? ProgressBar.writeToStandardError
        start = clock.now
    }

    deinit {
        if drawn && !finished { sink("\n") }
    }

    /// Marks `n` more items done.
    public func advance(by n: Int = 1) { update(completed: completed + n) }

    /// Sets the number of items done and redraws if the last redraw is old enough (or this is
    /// the last item).
    public func update(completed n: Int) {
        completed = Swift.min(Swift.max(n, 0), total)
        guard isEnabled, !finished else { return }
        let now = clock.now
        if let last = lastDraw, now - last < Self.minimumInterval, completed < total { return }
        draw(now)
    }

    /// Draws the final state and ends the line (once; nothing if disabled).
    public func finish() {
        guard isEnabled, !finished else { return }
        draw(clock.now)
        finished = true
        sink("\n")
    }

    private func draw(_ now: ContinuousClock.Instant) {
        lastDraw = now
        let line = Self.render(label: label, completed: completed, total: total,
                               elapsedSeconds: Self.seconds(now - start), barWidth: barWidth)
        // Pad over the previous line's tail instead of relying on terminal escape codes.
        let padding = String(repeating: " ", count: Swift.max(lastLength - line.count, 0))
        lastLength = line.count
        drawn = true
        sink("\r" + line + padding)
    }

    /// The line for a state: `label [###...] done/total R samples/s ETA T` (rate and ETA are
    /// `--` before anything is done or measurable).
    public static func render(label: String, completed: Int, total: Int, elapsedSeconds: Double, barWidth: Int = 10) -> String {
        let fraction = total > 0 ? Double(completed) / Double(total) : 1
        let filled = Swift.min(Swift.max(Int((fraction * Double(barWidth)).rounded(.down)), 0), barWidth)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        var line = "\(label) [\(bar)] \(completed)/\(total)"
        if completed > 0 && elapsedSeconds > 0 {
            let rate = Double(completed) / elapsedSeconds
            let remaining = Double(total - completed) / rate
            line += " \(formatRate(rate)) samples/s ETA \(formatDuration(remaining))"
        } else {
            line += " -- samples/s ETA --"
        }
        return line
    }

    /// One decimal: `123.4`.
    static func formatRate(_ rate: Double) -> String {
        guard rate.isFinite, rate < 1e12 else { return "--" }
        let tenths = Int((rate * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `7s`, `2m05s`, `1h03m` (rounded to whole seconds).
    static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e9 else { return "--" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + twoDigits(s % 60) + "s" }
        return "\(s / 3600)h" + twoDigits(s / 60 % 60) + "m"
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    private static func writeToStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

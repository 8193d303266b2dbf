import Foundation

/// Class labels for classifier outputs, and top-k selection over a row of scores.
///
/// A labels file has one label per line (`\n`, `\r\n` or `\r`), in class-index order. Leading and
/// trailing whitespace of each label is trimmed; blank lines at the end of the file are ignored,
/// blank lines in between are kept as empty labels so that line numbers stay class indices.
///
/// ```swift
/// let names = try Labels.read(path: "imagenet.txt")
/// for (index, score) in Labels.topK(logits, k: 5) { print(index, names[index], score) }
/// ```
public enum Labels {
    /// Reads a labels file. Throws `ConvertError.io` if it cannot be read or is not UTF-8.
    public static func read(path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let reason = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "unreadable"
            throw ConvertError.io("cannot read labels file '\(path)': \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConvertError.io("cannot read labels file '\(path)': not UTF-8 text")
        }
        return parse(text)
    }

    /// Splits labels text into one label per line (see the type's documentation).
    public static func parse(_ text: String) -> [String] {
        // `\r\n` is a single Character in Swift, so split on any newline character.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// The `k` highest scores of `row`, best first, as (index, score) pairs. Ties keep the lower
    /// index first; NaN ranks below every number. `k` is clamped to `0...row.count`.
    public static func topK(_ row: [Float], k: Int) -> [(index: Int, score: Float)] {
        let k = min(max(k, 0), row.count)
        guard k > 0 else { return [] }
        func before(_ a: Int, _ b: Int) -> Bool {
            let x = row[a], y = row[b]
            if x.isNaN != y.isNaN { return y.isNaN }
            if !x.isNaN, x != y { return x > y }
            return a < b
        }
        // Partial selection: keep a sorted window of the best k seen so far.
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for i in row.indices {
            if best.count == k, !before(i, best[k - 1]) { continue }
            var lo = 0, hi = best.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if before(best[mid], i) { lo = mid + 1 } else { hi = mid }
            }
            best.insert(i, at: lo)
            if best.count > k { best.removeLast() }
        }
        return best.map { (index: $0, score: row[$0]) }
    }
}

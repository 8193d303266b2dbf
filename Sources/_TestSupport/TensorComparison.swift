import OctetConvert

/// Relative error `max|a−b| / max|b|` (the float-match metric of the model tables).
public func relativeMaxError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "comparing \(a.count) with \(b.count) values")
    var maxDiff: Float = 0, maxRef: Float = 0
    for i in 0..<a.count {
        maxDiff = max(maxDiff, abs(a[i] - b[i]))
        maxRef = max(maxRef, abs(b[i]))
    }
    return maxRef > 0 ? maxDiff / maxRef : maxDiff
}

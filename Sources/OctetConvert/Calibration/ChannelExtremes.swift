/// Per-channel minimum and maximum of chosen float values over calibration samples (channel =
/// the stored layout's last axis, as the executor's buffers hold them).
///
/// They give the minmax range of a value rescaled per channel without running the rescaled
/// model: if `y[…, c] = x[…, c] / s[c]` with `s[c] > 0`, then `min y = min_c(lo[c] / s[c])` and
/// `max y = max_c(hi[c] / s[c])` (division by a positive number keeps the order within a
/// channel). Cross-layer equalization rescales values exactly this way (`Converter`).
struct ChannelExtremes {
    private(set) var lo: [ValueID: [Float]] = [:]
    private(set) var hi: [ValueID: [Float]] = [:]
    /// The values tracked.
    let values: [ValueID]

    init(values: [ValueID] = []) { self.values = values }

    /// Takes in the executor's current values of every tracked value (after one run).
    mutating func add(_ executor: FloatExecutor) {
        for id in values {
            let channels = StorageLayout.storedShape(executor.graph[id]).last ?? 1, count = executor.graph[id].elementCount
            guard channels > 0, count % channels == 0 else { continue }
            let x = executor.buffers[id.index]
            var l = lo[id] ?? [Float](repeating: .infinity, count: channels)
            var h = hi[id] ?? [Float](repeating: -.infinity, count: channels)
            l.withUnsafeMutableBufferPointer { l in
                h.withUnsafeMutableBufferPointer { h in
                    // Elementwise across channels (selects, so it vectorizes).
                    for base in stride(from: 0, to: count, by: channels) {
                        for c in 0..<channels {
                            let v = x[base + c]
                            l[c] = v < l[c] ? v : l[c]
                            h[c] = v > h[c] ? v : h[c]
                        }
                    }
                }
            }
            lo[id] = l
            hi[id] = h
        }
    }

    /// `CalibrationMethod.minmax`'s range of `id / s` (per channel): `[min(0, min_c lo[c]/s[c]),
    /// max(0, max_c hi[c]/s[c])]`; nil unless `id` was tracked with `s.count` channels, every
    /// `s[c] > 0`.
    func minmaxRange(_ id: ValueID, dividedBy s: [Float]) -> (lo: Float, hi: Float)? {
        guard let l = lo[id], let h = hi[id], l.count == s.count, s.allSatisfy({ $0 > 0 }) else { return nil }
        var r: (lo: Float, hi: Float) = (0, 0)
        for c in s.indices {
            r.lo = min(r.lo, l[c] / s[c])
            r.hi = max(r.hi, h[c] / s[c])
        }
        return r
    }
}

import Foundation

/// Collects activation statistics over calibration samples and picks each tensor's int8 range.
///
/// ```swift
/// let model = try FloatModel(onnxPath: path)
/// let calibrator = try Calibrator(graph: model.graph, method: .auto)
/// for sample in samples {
///     _ = try model.executor.run([sample])
///     try calibrator.observe(model.executor)
/// }
/// let ranges = calibrator.ranges()   // [ValueID: (lo, hi, method)]
/// ```
///
/// Every non-constant value of the graph (graph inputs included) gets a `TensorHistogram`.
/// One observation reads the executor's buffers directly (no copy, no relayout: the
/// statistics do not depend on element order). With `.auto` each histogram also keeps a value
/// sample of up to `TensorHistogram.defaultSampleCapacity` values (256 KiB per tensor).
public final class Calibrator {
    public let graph: Graph
    public let method: CalibrationMethod
    /// The values tracked, in graph order.
    public let observedValues: [ValueID]
    private var histograms: [TensorHistogram]
    /// Samples observed so far.
    public private(set) var sampleCount = 0
    /// Threads `observe` spreads the tensors over.
    public let threads: Int

    /// `minmax` keeps only each tensor's extremes (no bins: nothing else decides its range).
    public init(graph: Graph, method: CalibrationMethod, threads: Int = 1) throws {
        try method.validate()
        self.graph = graph
        self.method = method
        self.threads = max(1, threads)
        observedValues = graph.values.indices.map(ValueID.init).filter { !graph.isConstant($0) && graph[$0].elementCount > 0 }
        let sampleCapacity = method == .auto ? TensorHistogram.defaultSampleCapacity : 0
        histograms = observedValues.map { TensorHistogram(name: graph[$0].name, sampleCapacity: sampleCapacity, binned: method != .minmax) }
    }

    /// Updates the statistics of every tracked value from the executor's last `run` (one
    /// sample). The executor must run this calibrator's graph. A NaN or infinity throws
    /// `ConvertError.invalidInput` naming the tensor (tensors before it in graph order have
    /// already taken the sample in).
    public func observe(_ executor: FloatExecutor) throws {
        guard executor.graph.values.count == graph.values.count,
              observedValues.allSatisfy({ executor.graph[$0].elementCount == graph[$0].elementCount }) else {
            throw ConvertError.invalidInput("calibration: the executor runs a different graph than the calibrator's")
        }
        // Tensors are independent: thread t takes every threads-th one. The first failure in
        // graph order is reported.
        let values = observedValues, counts = values.map { graph[$0].elementCount }
        nonisolated(unsafe) let buffers = values.map { executor.buffers[$0.index] }
        var failures = [ConvertError?](repeating: nil, count: values.count)
        let stride = threads
        histograms.withUnsafeMutableBufferPointer { h in
            failures.withUnsafeMutableBufferPointer { f in
                nonisolated(unsafe) let h = h, f = f
                DispatchQueue.concurrentPerform(iterations: min(stride, values.count)) { t in
                    for i in Swift.stride(from: t, to: values.count, by: stride) {
                        do { try h[i].add(UnsafeBufferPointer(start: buffers[i].baseAddress, count: counts[i])) } catch {
                            f[i] = error as? ConvertError ?? .invalidInput("\(error)")
                        }
                    }
                }
            }
        }
        if let failure = failures.first(where: { $0 != nil }) { throw failure! }
        sampleCount += 1
    }

    /// The statistics of one value (`nil` if it is a constant or not in the graph).
    public func histogram(_ id: ValueID) -> TensorHistogram? {
        observedValues.firstIndex(of: id).map { histograms[$0] }
    }

    /// The int8 range of every observed value, with the method that picked it: the method's
    /// description (`minmax`, `percentile:99.99`, `mse`), or for `auto` the choice prefixed by
    /// `auto:` (e.g. `auto:mse`). Empty before the first `observe`.
    public func ranges() -> [ValueID: (lo: Float, hi: Float, method: String)] {
        var result: [ValueID: (lo: Float, hi: Float, method: String)] = [:]
        for (id, h) in zip(observedValues, histograms) where h.count > 0 {
            let c = method.choose(h)
            result[id] = (c.lo, c.hi, method == .auto ? "auto:\(c.method)" : "\(c.method)")
        }
        return result
    }

    /// `ranges()` as quantization parameters.
    public func quantizations() -> [ValueID: ActivationQuantization] {
        ranges().mapValues { ActivationQuantization(lo: $0.lo, hi: $0.hi) }
    }
}

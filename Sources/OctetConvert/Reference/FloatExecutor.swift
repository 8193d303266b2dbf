import COpenBLAS
import Foundation
import OctetKernels
import OctetRuntime

/// The fp32 reference path: runs a `Graph` (one batch item at a time) with the fast fp32
/// kernels where the CPU has them (x86 AVX-512 / AVX2+FMA: convolutions, depthwise convs and
/// fully-connected layers on packed weights, max pools and same-shape binary ops, split over a
/// thread pool), OpenBLAS GEMMs and the C reference kernels elsewhere. By default every value
/// keeps its buffer after a run, so each int8 tensor can be compared with its float twin;
/// `keepEveryValue: false` lets intermediate values share buffers (FloatBufferPlan) when only
/// the outputs matter.
public final class FloatExecutor {
    public let graph: Graph
    /// Each value's buffer, in the value's storage layout (shared by intermediate values unless every value is kept).
    let buffers: [UnsafeMutableBufferPointer<Float>]
    /// Whether every value's contents stay readable after a run (else: inputs, outputs and constants only).
    public let keepsEveryValue: Bool
    /// The distinct allocations behind `buffers` and their float counts.
    private let allocations: [(memory: UnsafeMutableRawPointer, floats: Int)]
    /// Work space shared by the nodes that need it (im2col columns, packed weights).
    var scratch: UnsafeMutableBufferPointer<Float>
    /// Weights re-laid out for the kernels, owned by the executor.
    var packedWeights: [UnsafeMutableBufferPointer<Float>] = []
    private var steps: [() -> Void] = []
    /// The fast kernels used (nil: OpenBLAS and the reference kernels only).
    let fastPath: UnsafePointer<octk_f32_fast_path>?
    /// Memory the fast kernels own (packed weights, indirection buffers, padded copies), 64-byte aligned.
    var ownedMemory: [UnsafeMutableRawPointer] = []
    var ownedBytes = 0, fastPackedBytes = 0
    /// Worker pool of the fast kernels, made on the first run after the thread count changes.
    var pool: OpaquePointer?
    private var poolThreads = 1
    /// Threads of every executor (set by `setBLASThreads`).
    nonisolated(unsafe) private static var threads = 1

    /// Prepares every node: checks it can run, packs constant weights, sizes scratch.
    /// `kernels`: which fp32 kernels run the convs and FC layers (default: `OCTET_FLOAT_KERNELS`
    /// — `reference`, `avx512`, `avx2` — or else the fastest this CPU has).
    public init(graph: Graph, kernels: FloatKernelPath = .automatic, keepEveryValue: Bool = true) throws {
        self.graph = graph
        fastPath = try kernels.resolveFloat()
        keepsEveryValue = keepEveryValue
        let plan = FloatBufferPlan(graph, keepEveryValue: keepEveryValue)
        let allocations = plan.floats.map { floats in
            // 64-byte aligned (one cache line, one zmm vector): the fast kernels' rows start on lines.
            let raw = aligned_alloc(64, (floats * MemoryLayout<Float>.size + 63) / 64 * 64)!
            raw.initializeMemory(as: Float.self, repeating: 0, count: floats)
            return (memory: raw, floats: floats)
        }
        self.allocations = allocations
        buffers = graph.values.enumerated().map { v, value in
            let count = max(value.elementCount, 1)
            return UnsafeMutableBufferPointer(start: allocations[plan.buffer[v]].memory.assumingMemoryBound(to: Float.self), count: count)
        }
        scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
        for (id, tensor) in graph.constants {
            precondition(graph[id].layout == .plain, "constants are stored plain")
            _ = buffers[id.index].update(fromContentsOf: tensor.data)
        }
        for node in graph.nodes {
            steps.append(try prepare(node))
        }
    }

    deinit {
        for a in allocations { free(a.memory) }
        scratch.deallocate()
        for b in packedWeights { b.deallocate() }
        for m in ownedMemory { free(m) }
        if let pool { octk_pool_destroy(pool) }
    }

    /// The fp32 kernel path in use: "avx512", "avx2" or "reference".
    public var kernelPath: String { fastPath.map { String(cString: $0.pointee.key.path) } ?? "reference" }

    /// Bytes the executor holds: the values' buffers (constants included), scratch, packed weights.
    public var allocatedBytes: Int {
        (allocations.reduce(0) { $0 + $1.floats } + scratch.count + packedWeights.reduce(0) { $0 + $1.count }) * MemoryLayout<Float>.size
            + ownedBytes
    }

    /// Bytes of weights re-laid out for the kernels at load.
    public var packedWeightBytes: Int { packedWeights.reduce(0) { $0 + $1.count } * MemoryLayout<Float>.size + fastPackedBytes }

    /// Threads the float path may use, in every executor: the fast kernels' pool (made by each
    /// executor on its next run) and OpenBLAS (the remaining GEMMs). The reference kernels run
    /// on the calling thread. Returns the count of the fast kernels' pool (OpenBLAS may cap its own).
    @discardableResult
    public static func setBLASThreads(_ count: Int) -> Int {
        threads = max(1, count)
        openblas_set_num_threads(Int32(threads))
        return threads
    }

    /// Makes sure the shared scratch holds at least `count` floats.
    func reserveScratch(_ count: Int) {
        guard count > scratch.count else { return }
        scratch.deallocate()
        scratch = .allocate(capacity: count)
    }

    /// Runs one item: `inputs` match `graph.inputs` (logical shapes, batch 1).
    public func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == graph.inputs.count else {
            throw ConvertError.invalidInput("model has \(graph.inputs.count) inputs, got \(inputs.count)")
        }
        for (id, tensor) in zip(graph.inputs, inputs) {
            guard tensor.shape == graph[id].shape else {
                throw ConvertError.invalidInput("input '\(graph[id].name)' expects shape \(graph[id].shape), got \(tensor.shape)")
            }
            _ = buffers[id.index].update(fromContentsOf: tensor.data)
        }
        if poolThreads != FloatExecutor.threads {
            if let pool { octk_pool_destroy(pool) }
            poolThreads = FloatExecutor.threads
            pool = poolThreads > 1 && fastPath != nil ? octk_pool_create(Int32(poolThreads)) : nil
        }
        for step in steps { step() }
        return graph.outputs.map { value($0) }
    }

    /// A value's contents after the last run, in logical (ONNX) order: any value when every
    /// value is kept, else an input, output or constant.
    public func value(_ id: ValueID) -> Tensor {
        precondition(keepsEveryValue || graph.inputs.contains(id) || graph.outputs.contains(id) || graph.isConstant(id),
                     "value '\(graph[id].name)' shares its buffer (executor made with keepEveryValue: false)")
        let v = graph[id]
        let data = Array(buffers[id.index].prefix(v.elementCount))
        let stored = Tensor(shape: StorageLayout.storedShape(v), data: data)
        guard v.layout == .channelsLast else { return stored }
        return stored.transposed(StorageLayout.logicalFromStored(v))
    }

    func pointer(_ id: ValueID) -> UnsafeMutablePointer<Float> { buffers[id.index].baseAddress! }
}

/// Where a value's elements live: strides per *logical* axis of its storage.
enum StorageLayout {
    /// Storage order of the logical axes (outermost first).
    static func storedOrder(_ v: Value) -> [Int] {
        v.layout == .channelsLast && v.shape.count == 4 ? [0, 2, 3, 1] : Array(0..<v.shape.count)
    }

    static func storedShape(_ v: Value) -> [Int] { storedOrder(v).map { v.shape[$0] } }

    /// Permutation that turns the stored tensor back into logical order.
    static func logicalFromStored(_ v: Value) -> [Int] {
        let order = storedOrder(v)
        return (0..<order.count).map { axis in order.firstIndex(of: axis)! }
    }

    /// Element stride of each logical axis.
    static func strides(_ v: Value) -> [Int] {
        let order = storedOrder(v)
        let storedStrides = Tensor.strides(of: order.map { v.shape[$0] })
        var result = [Int](repeating: 0, count: v.shape.count)
        for (position, axis) in order.enumerated() { result[axis] = storedStrides[position] }
        return result
    }

    /// Strides of `v` broadcast to the logical shape `shape` (0 on broadcast axes).
    static func broadcastStrides(_ v: Value, to shape: [Int]) -> [Int] {
        let own = strides(v)
        let lead = shape.count - v.shape.count
        return (0..<shape.count).map { axis in
            axis < lead || v.shape[axis - lead] == 1 ? 0 : own[axis - lead]
        }
    }
}

import OctetKernels

// Concat, Reshape, Transpose, Pad, Slice and nearest Resize: int8 copies along storage axes, no
// arithmetic (DESIGN.md §2: the converter gives Concat inputs one shared quantization).

/// Concat parameters: the storage axis.
public struct ConcatParams: DecodableOpParams {
    public static let code = OpCode.concat
    public var axis: Int32
    public init(axis: Int32) { self.axis = axis }
    init(decoding s: OpSite) throws(OctetError) { axis = try s.words(1)[0] }
    public var words: [Int32] { [axis] }
}

/// Reshape has no parameter words (y's shape is the new shape).
public struct ReshapeParams: DecodableOpParams {
    public static let code = OpCode.reshape
    public init() {}
    init(decoding s: OpSite) throws(OctetError) { _ = try s.words(0) }
    public var words: [Int32] { [] }
}

/// Transpose parameters: the permutation (rank words): output axis i is input axis perm[i].
public struct TransposeParams: DecodableOpParams {
    public static let code = OpCode.transpose
    public var perm: [Int32]
    public init(perm: [Int32]) { self.perm = perm }
    init(decoding s: OpSite) throws(OctetError) { perm = try s.words(s.inputShape(0).count) }
    public var words: [Int32] { perm }
}

/// Pad parameters: pads before each axis (rank words), then after each axis (rank words).
public struct PadParams: DecodableOpParams {
    public static let code = OpCode.pad
    public var begin, end: [Int32]
    public init(begin: [Int32], end: [Int32]) { self.begin = begin; self.end = end }
    init(decoding s: OpSite) throws(OctetError) {
        let rank = s.inputShape(0).count, w = try s.words(2 * rank)
        begin = Array(w[0..<rank]); end = Array(w[rank...])
    }
    public var words: [Int32] { begin + end }
}

/// Slice parameters: start per axis (rank words), then step per axis (rank words, non-zero);
/// the counts are y's shape.
public struct SliceParams: DecodableOpParams {
    public static let code = OpCode.slice
    public var starts, steps: [Int32]
    public init(starts: [Int32], steps: [Int32]) { self.starts = starts; self.steps = steps }
    init(decoding s: OpSite) throws(OctetError) {
        let rank = s.inputShape(0).count, w = try s.words(2 * rank)
        starts = Array(w[0..<rank]); steps = Array(w[rank...])
    }
    public var words: [Int32] { starts + steps }
}

/// ResizeNearest parameters: the source row of each output row (OH words), then the source
/// column of each output column (OW words).
public struct ResizeNearestParams: DecodableOpParams {
    public static let code = OpCode.resizeNearest
    public var rows, cols: [Int32]
    public init(rows: [Int32], cols: [Int32]) { self.rows = rows; self.cols = cols }
    init(decoding s: OpSite) throws(OctetError) {
        let ys = s.outputShape(0), w = s.op.params
        guard ys.count == 4, w.count == ys[1] + ys[2] else {
            throw s.fail("output \(ys) with \(w.count) source indices does not fit input \(s.inputShape(0))")
        }
        rows = Array(w[0..<ys[1]]); cols = Array(w[ys[1]...])
    }
    public var words: [Int32] { rows + cols }
}

/// inputs i8 sharing y's quantization → y, concatenated along a storage axis.
enum Concat: OpKind {
    static let name = "Concat"

    static func check(_ p: ConcatParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...OctetFormat.maxOperands, outputs: 1)
        let y = s.op.outputs[0], ys = s.tensor(y).shape, axis = Int(p.axis)
        guard (0..<ys.count).contains(axis) else { throw s.fail("axis \(axis) for rank \(ys.count)") }
        var total = 0
        for t in s.op.inputs {
            let xs = s.tensor(t).shape
            guard s.tensor(t).type == s.tensor(y).type, xs.count == ys.count,
                  (0..<xs.count).allSatisfy({ $0 == axis || xs[$0] == ys[$0] }) else {
                throw s.fail("input '\(s.tensor(t).name)' \(xs) does not fit output \(ys) on axis \(axis)")
            }
            try s.sameQuantization(t, y)
            total += xs[axis]
        }
        guard total == ys[axis] else { throw s.fail("inputs sum to \(total) on axis \(axis), output has \(ys[axis])") }
    }

    static func prepare(_ p: ConcatParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let y = s.op.outputs[0], axis = Int(p.axis)
        let ys = r.tensors[y].shape, dstStrides = rowMajorStrides(ys)
        var copies: [ConcatPart] = []
        var offset = 0
        for t in s.op.inputs {
            let xs = r.tensors[t].shape
            copies.append(ConcatPart(shape: xs, src: UnsafePointer(r.int8(t)), srcStrides: rowMajorStrides(xs), dst: r.int8(y) + offset * dstStrides[axis]))
            offset += xs[axis]
        }
        // Indexed loop over the buffer: a `for c in copies` loop allocates in debug builds.
        return {
            copies.withUnsafeBufferPointer { parts in
                var i = 0
                while i < parts.count {
                    let c = parts[i]
                    octk_s8_strided_copy(Int32(c.shape.count), c.shape, c.src, c.srcStrides, c.dst, dstStrides)
                    i += 1
                }
            }
        }
    }
}

/// One Concat input: its shape and strides, and where it lands in the output.
struct ConcatPart {
    let shape: [Int]
    let src: UnsafePointer<Int8>
    let srcStrides: [Int]
    let dst: UnsafeMutablePointer<Int8>
}

/// Same bytes, new shape (may alias its input: then nothing runs).
enum Reshape: OpKind {
    static let name = "Reshape"

    static func check(_ p: ReshapeParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        let x = s.tensor(s.op.inputs[0]), y = s.tensor(s.op.outputs[0])
        guard x.type == y.type, x.elementCount == y.elementCount else {
            throw s.fail("cannot reshape \(x.shape) \(x.type) to \(y.shape) \(y.type)")
        }
        try s.sameQuantization(s.op.inputs[0], s.op.outputs[0])
    }

    static func prepare(_ p: ReshapeParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let x = r.address(s.op.inputs[0]), y = r.address(s.op.outputs[0]), bytes = r.tensors[s.op.outputs[0]].byteCount
        if x == y { return {} }
        return { y.copyMemory(from: x, byteCount: bytes) }
    }
}

/// A permutation of storage axes (any element type, same quantization).
enum Transpose: OpKind {
    static let name = "Transpose"

    static func check(_ p: TransposeParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        let rank = s.inputShape(0).count, perm = p.perm.map(Int.init)
        guard Set(perm) == Set(0..<rank) else { throw s.fail("perm \(perm) for rank \(rank)") }
        let x = s.tensor(s.op.inputs[0])
        try s.expect(s.op.outputs[0], "output", type: x.type, shape: perm.map { x.shape[$0] })
        try s.sameQuantization(s.op.inputs[0], s.op.outputs[0])
    }

    static func prepare(_ p: TransposeParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let x = s.op.inputs[0], y = s.op.outputs[0]
        let src = UnsafePointer(r.int8(x)), dst = r.int8(y)
        if let (batches, rows, cols) = axisRotation(p.perm.map { Int($0) }, shape: r.tensors[x].shape) {
            guard batches == 1, r.worthSplitting(work: rows * cols * 4) else {
                return { octk_s8_transpose_2d(batches, rows, cols, src, dst) }
            }
            let job = try r.allocateOwned(bytes: MemoryLayout<octk_s8_transpose_job>.size).bindMemory(to: octk_s8_transpose_job.self, capacity: 1)
            job.initialize(to: octk_s8_transpose_job(rows: rows, cols: cols, x: src, y: dst))
            let pool = r.pool
            return { octk_pool_run(pool, octk_s8_transpose_job_run, job, cols, 64) }
        }
        let inStrides = rowMajorStrides(r.tensors[x].shape)
        let srcStrides = p.perm.map { inStrides[Int($0)] }
        let shape = r.tensors[y].shape, dstStrides = rowMajorStrides(shape)
        return { octk_s8_strided_copy(Int32(shape.count), shape, src, srcStrides, dst, dstStrides) }
    }

    /// A permutation that keeps axis 0 and rotates the others, (0, k, …, r−1, 1, …, k−1) as
    /// NCHW → NHWC is, is a 2-D transpose per batch: [batches][rows][cols] → [batches][cols][rows].
    static func axisRotation(_ perm: [Int], shape: [Int]) -> (Int, Int, Int)? {
        let rank = perm.count
        guard rank >= 3, perm[0] == 0, let k = perm.dropFirst().first, k > 1 else { return nil }
        for i in 1..<rank where perm[i] != (i - 1 + k - 1) % (rank - 1) + 1 { return nil }
        return (shape[0], shape[1..<k].reduce(1, *), shape[k...].reduce(1, *))
    }
}

/// Constant padding with the zero point (real 0): fill, then copy the input into the interior.
enum Pad: OpKind {
    static let name = "Pad"

    static func check(_ p: PadParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        let x = s.tensor(s.op.inputs[0]), rank = x.shape.count
        let pads = p.words.map(Int.init)
        guard pads.allSatisfy({ (0...OctetFormat.maxDimension).contains($0) }) else { throw s.fail("pads \(pads)") }
        try s.expect(s.op.outputs[0], "output", type: x.type, shape: (0..<rank).map { x.shape[$0] + pads[$0] + pads[$0 + rank] })
        try s.sameQuantization(s.op.inputs[0], s.op.outputs[0])
    }

    static func prepare(_ p: PadParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let x = s.op.inputs[0], y = s.op.outputs[0], shape = r.tensors[x].shape, rank = shape.count
        let outStrides = rowMajorStrides(r.tensors[y].shape)
        let offset = (0..<rank).map { Int(p.begin[$0]) * outStrides[$0] }.reduce(0, +)
        let src = UnsafePointer(r.int8(x)), dst = r.int8(y), count = r.tensors[y].elementCount
        let srcStrides = rowMajorStrides(shape), z = Int8(truncatingIfNeeded: r.zeroPoint(y))
        return {
            dst.update(repeating: z, count: count)
            octk_s8_strided_copy(Int32(rank), shape, src, srcStrides, dst + offset, outStrides)
        }
    }
}

/// Strided slice along storage axes.
enum Slice: OpKind {
    static let name = "Slice"

    static func check(_ p: SliceParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        let x = s.tensor(s.op.inputs[0]), rank = x.shape.count
        try s.expect(s.op.outputs[0], "output", type: x.type, rank: rank)
        let y = s.tensor(s.op.outputs[0])
        for d in 0..<rank {
            let start = Int(p.starts[d]), step = Int(p.steps[d]), count = y.shape[d]
            guard step != 0, (0..<x.shape[d]).contains(start) else { throw s.fail("axis \(d): start \(start), step \(step) for size \(x.shape[d])") }
            let lastIndex = start + (count - 1) * step
            guard (0..<x.shape[d]).contains(lastIndex) else { throw s.fail("axis \(d): \(count) elements from \(start) by \(step) leave size \(x.shape[d])") }
        }
        try s.sameQuantization(s.op.inputs[0], s.op.outputs[0])
    }

    static func prepare(_ p: SliceParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let x = s.op.inputs[0], y = s.op.outputs[0], rank = r.tensors[x].shape.count
        let inStrides = rowMajorStrides(r.tensors[x].shape)
        let base = (0..<rank).map { Int(p.starts[$0]) * inStrides[$0] }.reduce(0, +)
        let srcStrides = (0..<rank).map { Int(p.steps[$0]) * inStrides[$0] }
        let shape = r.tensors[y].shape, dstStrides = rowMajorStrides(shape)
        let src = UnsafePointer(r.int8(x)) + base, dst = r.int8(y)
        return { octk_s8_strided_copy(Int32(rank), shape, src, srcStrides, dst, dstStrides) }
    }
}

/// x i8 [N,H,W,C] → y i8 [N,OH,OW,C] by source-index tables.
enum ResizeNearest: OpKind {
    static let name = "ResizeNearest"

    static func check(_ p: ResizeNearestParams, _ s: OpSite) throws(OctetError) {
        try s.operands(inputs: 1...1, outputs: 1)
        try s.expect(s.op.inputs[0], "input", type: .int8, rank: 4)
        try s.expect(s.op.outputs[0], "output", type: .int8, rank: 4)
        let xs = s.inputShape(0), ys = s.outputShape(0)
        guard ys[0] == xs[0], ys[3] == xs[3] else {
            throw s.fail("output \(ys) with \(p.words.count) source indices does not fit input \(xs)")
        }
        for (i, index) in p.words.enumerated() {
            let limit = i < ys[1] ? xs[1] : xs[2]
            guard (0..<limit).contains(Int(index)) else { throw s.fail("source index \(index) outside 0..<\(limit)") }
        }
        try s.sameQuantization(s.op.inputs[0], s.op.outputs[0])
    }

    static func prepare(_ p: ResizeNearestParams, _ s: OpSite, on r: Interpreter) throws(OctetError) -> () -> Void {
        let xs = s.inputShape(0), ys = s.outputShape(0), rows = p.rows, cols = p.cols
        let x = r.int8(s.op.inputs[0]), y = r.int8(s.op.outputs[0])
        let inImage = xs[1] * xs[2] * xs[3], outImage = ys[1] * ys[2] * ys[3]
        return {
            for n in 0..<xs[0] {
                octk_s8_resize_nearest_nhwc(x + n * inImage, Int32(xs[2]), Int32(xs[3]), Int32(ys[1]), Int32(ys[2]), rows, cols, y + n * outImage)
            }
        }
    }
}

/// A dense float tensor, row-major in `shape` (host-side: constants, inputs, outputs).
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not match \(data.count) elements")
        self.shape = shape
        self.data = data
    }

    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, data: Array(repeating: value, count: shape.reduce(1, *)))
    }

    public var count: Int { data.count }

    /// Row-major strides of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= shape[i]
        }
        return strides
    }

    /// Steps a row-major multi-index to the next position inside `shape` (wrapping to zeros at the end).
    @inline(__always)
    public static func advance(_ index: inout [Int], within shape: [Int]) {
        var d = shape.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { return }
            index[d] = 0
            d -= 1
        }
    }

    /// This tensor with its axes permuted: `result.shape[i] = shape[perm[i]]`.
    public func transposed(_ perm: [Int]) -> Tensor {
        precondition(perm.count == shape.count && Set(perm) == Set(0..<shape.count))
        let outShape = perm.map { shape[$0] }
        let inStrides = Tensor.strides(of: shape)
        let permStrides = perm.map { inStrides[$0] }
        var out = [Float](repeating: 0, count: data.count)
        var index = [Int](repeating: 0, count: shape.count)
        data.withUnsafeBufferPointer { src in
            for o in 0..<out.count {
                var offset = 0
                for d in 0..<index.count { offset += index[d] * permStrides[d] }
                out[o] = src[offset]
                Tensor.advance(&index, within: outShape)
            }
        }
        return Tensor(shape: outShape, data: out)
    }
}

import Foundation
import OctetKernels
import OctetRuntime

/// Which fp32 kernels a `FloatExecutor` runs its convs and fully-connected layers on: the
/// runtime's `KernelPath` with the float path's names — `OCTET_FLOAT_KERNELS` (`auto`,
/// `reference`, `avx512`, `avx2`) when automatic, else the fastest path this CPU has (OpenBLAS
/// and the scalar C reference kernels when it has none, or for `.reference`).
public typealias FloatKernelPath = KernelPath

extension KernelPath {
    func resolveFloat() throws -> UnsafePointer<octk_f32_fast_path>? {
        switch resolvingEnvironment("OCTET_FLOAT_KERNELS") {
        case .automatic: return octk_f32_fast_select(nil)
        case .reference: return nil
        case let .named(name):
            guard let p = octk_f32_fast_select(name) else {
                throw ConvertError.invalidInput("'\(name)' is not an fp32 kernel path this CPU can run (paths: \(Self.floatPaths().joined(separator: ", ")))")
            }
            return p
        }
    }

    /// Float paths this CPU supports, fastest first ("reference" last).
    static func floatPaths() -> [String] {
        (0..<octk_f32_fast_path_count).compactMap { i -> String? in
            let key = octk_f32_fast_path_at(Int32(i)).pointee.key
            return octk_f32_fast_select(key.path) != nil ? String(cString: key.path) : nil
        } + ["reference"]
    }
}

/// Convs, depthwise convs and fully-connected layers on the fast kernels (octk_f32_fast.h):
/// weights packed once, indirection buffers built once (value buffers never move), work split
/// over the executor's pool. Each `prepareFast…` returns nil when the node does not qualify
/// (no fast path, weights or bias not constant, …) and the caller takes the reference route.
extension FloatExecutor {
    /// Zeroed, 64-byte aligned memory owned by the executor.
    func allocateOwned<T>(_ type: T.Type, count: Int, packed: Bool = false) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        let rounded = (bytes + 63) / 64 * 64
        let raw = aligned_alloc(64, rounded)!
        memset(raw, 0, rounded)
        ownedMemory.append(raw)
        ownedBytes += rounded
        if packed { fastPackedBytes += rounded }
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    func prepareFastConv(_ node: Node, _ p: ConvParams, _ window: octk_window) -> (() -> Void)? {
        guard let path = fastPath else { return nil }
        let x = node.inputs[0], w = node.inputs[1], y = node.outputs[0]
        let hasBias = node.inputs.count > 2
        guard graph.isConstant(w), !hasBias || graph.isConstant(node.inputs[2]) else { return nil }
        let xs = graph[x].shape, ys = graph[y].shape
        let channels = xs[1], outChannels = ys[1], groups = p.groups
        let cg = channels / groups, og = outChannels / groups
        let batch = xs[0], taps = p.kernelH * p.kernelW, pixels = ys[2] * ys[3]
        let inImage = channels * xs[2] * xs[3], outImage = outChannels * pixels
        let weights = UnsafePointer(pointer(w)), bias = hasBias ? UnsafePointer(pointer(node.inputs[2])) : nil
        let (lo, hi) = p.activation.bounds
        let input = pointer(x), out = pointer(y)
        var win = window

        if cg == 1 && groups == channels {
            guard og == 1 else { return nil }  // channel multiplier > 1: reference kernel
            // ONNX weights [c][1][kh][kw]: tap stride 1, channel stride taps.
            let packed = allocateOwned(octk_f32_dwconv_packed.self, count: 1)
            let storage = allocateOwned(Float.self, count: octk_f32_dwconv_packed_floats(Int32(channels), Int32(taps)), packed: true)
            octk_f32_dwconv_pack(weights, 1, taps, bias, Int32(channels), Int32(taps), storage, packed)
            let zero = allocateOwned(Float.self, count: channels)
            let ind = allocateOwned(UnsafePointer<Float>?.self, count: batch * pixels * taps)
            for n in 0..<batch {
                octk_f32_conv_indirection(input + n * inImage, channels, xs[3] * channels, &win, zero, ind + n * pixels * taps)
            }
            return { [unowned self] in
                for n in 0..<batch {
                    octk_f32_dwconv_run(self.pool, path, packed, ind + n * pixels * taps, pixels, lo, hi, out + n * outImage)
                }
            }
        }

        let nr = Int(path.pointee.nr)
        let packed = allocateOwned(octk_f32_conv_packed.self, count: 1)
        if groups == 1 && cg < 16 && p.kernelW > 1 && p.dilationW == 1 {
            // Few input channels (image stems): a kernel_h × 1 conv over rows of kernel_w·C floats
            // of a column-padded copy, weights reordered to [o][ky][kx·C + c].
            let run = p.kernelW * cg, paddedW = p.padLeft + xs[3] + p.padRight, paddedImage = xs[2] * paddedW * cg
            var reordered = [Float](repeating: 0, count: og * p.kernelH * run)
            for o in 0..<og { for c in 0..<cg { for ky in 0..<p.kernelH { for kx in 0..<p.kernelW {
                reordered[(o * p.kernelH + ky) * run + kx * cg + c] = weights[((o * cg + c) * p.kernelH + ky) * p.kernelW + kx]
            } } } }
            let storage = allocateOwned(Float.self, count: octk_f32_conv_packed_floats(1, Int32(p.kernelH), Int32(run), Int32(og), Int32(nr)),
                                        packed: true)
            octk_f32_conv_pack(reordered, p.kernelH * run, run, 1, bias, 1, Int32(p.kernelH), Int32(run), Int32(og), Int32(nr), storage, packed)
            var rows = window
            rows.kernel_w = 1
            rows.pad_left = 0
            rows.pad_right = 0
            rows.in_w = Int32(paddedW - p.kernelW + 1)
            let padded = allocateOwned(Float.self, count: batch * paddedImage)
            let zero = allocateOwned(Float.self, count: run)
            let ind = allocateOwned(UnsafePointer<Float>?.self, count: batch * pixels * p.kernelH)
            for n in 0..<batch {
                octk_f32_conv_indirection(padded + n * paddedImage, cg, paddedW * cg, &rows, zero, ind + n * pixels * p.kernelH)
            }
            return { [unowned self] in
                for n in 0..<batch {
                    octk_f32_pad_columns(input + n * inImage, Int32(xs[2]), Int32(xs[3]), Int32(cg), Int32(p.padLeft), Int32(p.padRight),
                                         padded + n * paddedImage)
                    octk_f32_igemm_run(self.pool, path, packed, ind + n * pixels * p.kernelH, pixels, lo, hi, out + n * outImage)
                }
            }
        }
        // ONNX weights [groups·og][cg][kh][kw]: (o, t, c) at o·cg·taps + t + c·taps.
        let storage = allocateOwned(Float.self, count: octk_f32_conv_packed_floats(Int32(groups), Int32(taps), Int32(cg), Int32(og), Int32(nr)),
                                    packed: true)
        octk_f32_conv_pack(weights, cg * taps, 1, taps, bias, Int32(groups), Int32(taps), Int32(cg), Int32(og), Int32(nr), storage, packed)
        let zero = allocateOwned(Float.self, count: channels)
        let ind = allocateOwned(UnsafePointer<Float>?.self, count: batch * pixels * taps)
        for n in 0..<batch {
            octk_f32_conv_indirection(input + n * inImage, channels, xs[3] * channels, &win, zero, ind + n * pixels * taps)
        }
        return { [unowned self] in
            for n in 0..<batch {
                octk_f32_igemm_run(self.pool, path, packed, ind + n * pixels * taps, pixels, lo, hi, out + n * outImage)
            }
        }
    }

    /// y = clamp(A·B + β·C, lo, hi) with constant B [k][n] and α = 1, C absent or a constant
    /// row vector (broadcast over the m rows): the one-tap conv with bias β·C.
    func prepareFastFullyConnected(_ node: Node, _ p: FullyConnectedParams) -> (() -> Void)? {
        guard let path = fastPath, p.alpha == 1 else { return nil }
        let a = node.inputs[0], b = node.inputs[1], y = node.outputs[0]
        guard graph.isConstant(b) else { return nil }
        let m = graph[a].shape[0], k = graph[a].shape[1], n = graph[b].shape[1]
        var bias: [Float]? = nil
        if node.inputs.count > 2 {
            let c = node.inputs[2]
            let strides = StorageLayout.broadcastStrides(graph[c], to: [m, n])
            guard graph.isConstant(c), m == 1 || strides[0] == 0 else { return nil }
            let src = pointer(c)
            bias = (0..<n).map { p.beta * src[$0 * strides[1]] }
        }
        let packed = allocateOwned(octk_f32_conv_packed.self, count: 1)
        let nr = path.pointee.nr
        let storage = allocateOwned(Float.self, count: octk_f32_conv_packed_floats(1, 1, Int32(k), Int32(n), nr), packed: true)
        octk_f32_conv_pack(pointer(b), 1, 0, n, bias, 1, 1, Int32(k), Int32(n), nr, storage, packed)
        let lhs = pointer(a), out = pointer(y)
        let ind = allocateOwned(UnsafePointer<Float>?.self, count: m)
        for i in 0..<m { ind[i] = UnsafePointer(lhs + i * k) }
        let (lo, hi) = p.activation.bounds
        return { [unowned self] in octk_f32_igemm_run(self.pool, path, packed, ind, m, lo, hi, out) }
    }
}

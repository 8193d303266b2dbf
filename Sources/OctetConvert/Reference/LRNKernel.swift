import OctetKernels

/// LRN on the C reference kernel `octk_f32_lrn_nhwc` (double inside, one rounding to float;
/// the int8 runtime's float fallback calls the same function).
extension FloatExecutor {
    func prepareLRN(_ node: Node, _ p: LRNParams) throws -> () -> Void {
        let x = node.inputs[0], y = node.outputs[0]
        try require(x, .channelsLast, node)
        try require(y, .channelsLast, node)
        let shape = graph[x].shape
        let pixels = shape[0] * shape[2] * shape[3], channels = Int32(shape[1])
        let input = UnsafePointer(pointer(x)), out = pointer(y)
        return { octk_f32_lrn_nhwc(input, pixels, channels, Int32(p.size), p.alpha, p.beta, p.bias, out) }
    }
}

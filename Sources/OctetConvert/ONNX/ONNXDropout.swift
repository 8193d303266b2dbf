/// Dropout at inference: `output = data`, and the optional `mask` output is all true with the
/// data's shape. Training mode (opset ≥ 12, a constant `training_mode` ≠ 0) is unsupported.
///
/// Octet's tensors are float32: the mask is allowed where it is unused or a graph output (then
/// a constant of ones, declared bool in `ImportedModel.outputTypes`); a node reading it is
/// unsupported (see `ImportContext.boolOperands`).
extension ImportContext {
    mutating func importDropout(_ node: ONNXNode) throws -> [Operand] {
        if node.opset >= 12, let training = try constantInput(node, 2, "training_mode"),
           training.int64Values.first ?? 0 != 0 {
            throw node.unsupported("Dropout in training mode")
        }
        let data = try requiredOperand(node, 0)
        guard node.proto.output.count > 1, !node.proto.output[1].isEmpty else { return [data] }
        let dims: [Int]
        switch data {
        case let .value(id): dims = shape(id)
        case let .host(t): dims = t.shape
        }
        boolOperands[node.proto.output[1]] = dims
        // Placeholder: no node may read the mask, and a graph output gets its ones from `dims`.
        return [data, .host(.float(Tensor(shape: [], data: [1])))]
    }
}

"""Writes a copy of an image-classifier ONNX model whose single NCHW input takes SIZE×SIZE
images instead of its exported size (shapes inside the graph re-inferred). For whole-model
checks under qemu, where a 224² model is slow: tools/arm/check_models.sh runs the timing
architectures at a reduced input size. Fails if the graph has a fixed shape that depends on
the input size (e.g. a Reshape to a constant flattened width).

usage: resize_onnx_input.py IN.onnx SIZE OUT.onnx
"""
import sys

import onnx


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, size, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    model = onnx.load(src)
    (x,) = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    dims = x.type.tensor_type.shape.dim
    if len(dims) != 4:
        sys.exit(f"{src}: input '{x.name}' has rank {len(dims)}, expected NCHW")
    dims[2].dim_value = size
    dims[3].dim_value = size
    del model.graph.value_info[:]
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


if __name__ == "__main__":
    main()

"""Extra ONNX fuzz seeds from the node conformance cases (tools/gen_conformance.py output).

Many cases feed a node's shape-like or parameter inputs (Resize scales, Slice starts, Clip
bounds, Pad pads...) as graph inputs, which Octet's importer rejects: only a model's float
data inputs may be graph inputs. For each such case this writes a copy in which every graph
input except the first float32 one is an initializer holding the case's test data, so the
seed gets through the importer.

    python tools/fuzz_onnx_seeds.py Tests/Conformance/generated fuzz/seeds/onnx-import [max_bytes]
"""
import sys
from pathlib import Path

import onnx

FLOAT = onnx.TensorProto.FLOAT


def freeze(case: Path):
    model = onnx.load(str(case / "model.onnx"))
    initialized = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initialized]
    floats = [i for i in inputs if i.type.tensor_type.elem_type == FLOAT]
    if len(inputs) < 2 or not floats:
        return None
    keep = floats[0]
    for k, value in enumerate(inputs):
        if value.name == keep.name:
            continue
        data = case / "test_data_set_0" / f"input_{k}.pb"
        if not data.exists():
            return None
        tensor = onnx.load_tensor(str(data))
        tensor.name = value.name
        model.graph.initializer.append(tensor)
    return model


def main():
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
    written = 0
    for case in sorted(p for p in source.iterdir() if (p / "model.onnx").exists()):
        model = freeze(case)
        if model is None:
            continue
        data = model.SerializeToString()
        if len(data) <= limit:
            (target / f"conformance_frozen_{case.name}.onnx").write_bytes(data)
            written += 1
    print(f"fuzz_onnx_seeds: {written} frozen conformance seeds")


if __name__ == "__main__":
    main()

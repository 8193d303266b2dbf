"""Extra ONNX fuzz seeds from the node conformance cases (tools/gen_conformance.py output).

Many cases feed a node's shape-like or parameter inputs (Resize scales, Slice starts, Clip
bounds, Pad pads...) as graph inputs, which Octet's importer rejects: only a model's float
data inputs may be graph inputs. For each such case this writes a copy in which every graph
input except the first float32 one is an initializer holding the case's test data, so the
seed gets through the importer.

With a fourth argument, every case left with a single float32 input (frozen or as generated)
is also written there as `<case>.onnx` plus its test input as `<case>.input.npy`, for
tools/fuzz_seeds.sh to convert into `.octet` seeds (one small model per op kind).

    python tools/fuzz_onnx_seeds.py Tests/Conformance/generated fuzz/seeds/onnx-import max_bytes [convert_dir]
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

FLOAT = onnx.TensorProto.FLOAT


def freeze(case: Path):
    """(model, index of the input kept, whether any was frozen), or None without a float input."""
    model = onnx.load(str(case / "model.onnx"))
    initialized = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initialized]
    floats = [i for i in inputs if i.type.tensor_type.elem_type == FLOAT]
    if not floats:
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
    return model, inputs.index(keep), len(inputs) > 1


def main():
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
    convert = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    written = converted = 0
    for case in sorted(p for p in source.iterdir() if (p / "model.onnx").exists()):
        frozen = freeze(case)
        if frozen is None:
            continue
        model, kept, changed = frozen
        data = model.SerializeToString()
        if changed and len(data) <= limit:
            (target / f"conformance_frozen_{case.name}.onnx").write_bytes(data)
            written += 1
        sample = case / "test_data_set_0" / f"input_{kept}.pb"
        if convert is not None and sample.exists():
            (convert / f"{case.name}.onnx").write_bytes(data)
            np.save(convert / f"{case.name}.input.npy", numpy_helper.to_array(onnx.load_tensor(str(sample))).astype(np.float32))
            converted += 1
    print(f"fuzz_onnx_seeds: {written} frozen conformance seeds, {converted} models to convert")


if __name__ == "__main__":
    main()

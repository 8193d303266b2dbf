#!/usr/bin/env python3
"""Float-path match table: Octet's fp32 outputs vs onnxruntime's on the five ImageNet-size
timing models (exported by tools/export_models.py into models/timing/).

For each model this runs the real CLI, `octet run MODEL.onnx --input MODEL.input.npy
--output ...`, and compares with MODEL.ort.npy (onnxruntime, graph optimisations off):
relative error = max|octet - ort| / max|ort|. Writes docs/FLOAT_MATCH.md.

    .venv/bin/python tools/export_models.py --skip-fixtures   # needs tools/requirements-torch.txt
    swift build -c release --product octet
    .venv/bin/python tools/float_match.py
"""
import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

MODELS = ["mobilenet_v1", "mobilenet_v2", "resnet18", "resnet50", "bagnet33"]
TOLERANCE = 1e-4


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-dir", default=os.path.join(root, "models", "timing"))
    ap.add_argument("--octet", default=os.path.join(root, ".build", "release", "octet"))
    ap.add_argument("--out", default=os.path.join(root, "docs", "FLOAT_MATCH.md"))
    args = ap.parse_args()
    if not os.path.exists(args.octet):
        sys.exit(f"no octet binary at {args.octet}: run `swift build -c release --product octet` first")

    rows, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        for name in MODELS:
            onnx_path = os.path.join(args.models_dir, name + ".onnx")
            if not os.path.exists(onnx_path):
                sys.exit(f"missing {onnx_path}: run tools/export_models.py --skip-fixtures first")
            out = os.path.join(tmp, name + ".npy")
            start = time.perf_counter()
            subprocess.run([args.octet, "run", onnx_path, "--input", os.path.join(args.models_dir, name + ".input.npy"),
                            "--output", out], check=True, stdout=subprocess.DEVNULL)
            seconds = time.perf_counter() - start
            got = np.load(out)
            want = np.load(os.path.join(args.models_dir, name + ".ort.npy"))
            if got.shape != want.shape:
                rel, ok = float("nan"), False
            else:
                rel = float(np.abs(got - want).max() / np.abs(want).max())
                ok = rel < TOLERANCE
            failed |= not ok
            top_same = got.shape == want.shape and int(got.argmax()) == int(want.argmax())
            rows.append((name, tuple(want.shape), rel, float(np.abs(want).max()), top_same, ok, seconds))
            print(f"{name:14s} rel {rel:.2e} {'ok' if ok else 'FAIL'}")

    with open(args.out, "w") as f:
        f.write("# Float reference path vs onnxruntime\n\n")
        f.write("Five ImageNet-size models (seeded random weights and BatchNorm statistics, 1×3×224×224, "
                "exported by `tools/export_models.py`), one fixed seeded input each. Octet runs the ONNX file "
                "through its own importer, passes (BN folding, activation fusion, NHWC layout) and OpenBLAS "
                "float path via `octet run`; onnxruntime runs the same file with graph optimisations disabled.\n\n")
        f.write(f"Relative error = max|octet − ort| / max|ort|; bar: < {TOLERANCE:g}.\n\n")
        f.write("| model | output | max abs(ort) | relative error | same top-1 | within bar | `octet run` wall s |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for name, shape, rel, ref, top, ok, sec in rows:
            f.write(f"| {name} | {list(shape)} | {ref:.1f} | {rel:.2e} | {'yes' if top else 'no'} | "
                    f"{'yes' if ok else '**no**'} | {sec:.2f} |\n")
        f.write(f"\nMachine: {cpu_model()}, {os.cpu_count()} cores; produced by "
                "`.venv/bin/python tools/float_match.py` (wall time includes process start, ONNX import and "
                "weight packing; it is not a benchmark).\n")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Runs one int8 model on a peer runtime (LiteRT with XNNPACK, or ONNX Runtime), one thread,
for instruction counting under qemu (tools/arm/bench_qemu.sh runs it with the aarch64 Python of
an arm64 rootfs): one untimed invoke, then RUNS invokes each bracketed by the markers
lseek(-1, 0xC7E70001, SEEK_SET) / lseek(-1, 0xC7E70002, SEEK_SET) that octet-run --bench uses.

usage: peer_invoke.py litert|ort MODEL INPUT.npy RUNS
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/: peer_runtimes

import numpy as np


def marker(k):
    try:
        os.lseek(-1, 0xC7E70000 + k, os.SEEK_SET)
    except OSError:
        pass  # EBADF, by design


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("litert", "ort"):
        sys.exit(__doc__)
    runtime, path, x, runs = sys.argv[1], sys.argv[2], np.load(sys.argv[3])[:1], int(sys.argv[4])
    import peer_runtimes
    runner = peer_runtimes.LiteRTRunner(path, 1) if runtime == "litert" else peer_runtimes.OrtRunner(path, 1)
    runner.prepare(x)
    runner.run()
    for _ in range(runs):
        marker(1)
        runner.run()
        marker(2)
    print(f"{runtime} {os.path.basename(path)}: top-1 {int(np.argmax(runner.output()))}")


if __name__ == "__main__":
    main()

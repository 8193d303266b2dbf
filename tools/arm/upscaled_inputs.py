"""Writes N Fashion-MNIST calibration images (models/calibration_500.npy, [N,1,28,28])
upscaled to SIZE×SIZE by nearest neighbour and repeated to 3 channels: calibration and test
inputs for the timing architectures at a reduced size (tools/arm/check_models.sh).

usage: upscaled_inputs.py SIZE N OFFSET OUT.npy   (images OFFSET … OFFSET+N−1)
"""
import os
import sys

import numpy as np


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    size, n, offset, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    x = np.load(os.path.join(root, "models", "calibration_500.npy"))[offset:offset + n].astype(np.float32)
    rows = np.arange(size) * x.shape[2] // size
    cols = np.arange(size) * x.shape[3] // size
    x = x[:, :, rows][:, :, :, cols]
    np.save(out, np.ascontiguousarray(np.repeat(x, 3, axis=1)))


if __name__ == "__main__":
    main()

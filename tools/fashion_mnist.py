"""Fashion-MNIST IDX reader shared by tools/train.py and tools/ort_quantize.py.

Reads the gzip'd IDX files installed by the Debian package
`dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist) directly; no copies
are made. Only numpy is needed.

IDX format (big-endian): a 4-byte magic 0x00 0x00 <type> <ndim>, then ndim
uint32 dimension sizes, then the data in C order. Fashion-MNIST uses type
0x08 (uint8): images are [N, 28, 28], labels [N].

Model inputs are float32 [N, 1, 28, 28]: (pixel / 255 - MEAN) / STD, the same
normalisation the Octet CLI applies with `--mean 0.2860 --std 0.3530`.
"""
from __future__ import annotations

import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")

# Mean and standard deviation of the 60,000 training images' pixels / 255
# (0.28604, 0.35302), rounded to four digits; these rounded values are the ones used.
MEAN = 0.2860
STD = 0.3530

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path: str) -> np.ndarray:
    """Reads an IDX file (gzip'd if the name ends in .gz) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic)")
    dtype, ndim = data[2], data[3]
    if dtype not in _IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX data type 0x{dtype:02x}")
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    dt = np.dtype(_IDX_DTYPES[dtype])
    count = int(np.prod(dims)) if dims else 1
    if len(data) - offset != count * dt.itemsize:
        raise ValueError(f"{path}: expected {count * dt.itemsize} data bytes, found {len(data) - offset}")
    return np.frombuffer(data, dtype=dt, count=count, offset=offset).reshape(dims)


def paths(split: str, data_dir: str = DATA_DIR) -> tuple[str, str]:
    """(images path, labels path) of the 'train' or 'test' split."""
    img, lab = FILES[split]
    return os.path.join(data_dir, img), os.path.join(data_dir, lab)


def load_raw(split: str, data_dir: str = DATA_DIR) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images [N, 28, 28] and int64 labels [N] of a split."""
    img_path, lab_path = paths(split, data_dir)
    images = read_idx(img_path)
    labels = read_idx(lab_path).astype(np.int64)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: unexpected shapes {images.shape} / {labels.shape}")
    return images, labels


def normalize(images_u8: np.ndarray) -> np.ndarray:
    """uint8 [N, 28, 28] -> float32 [N, 1, 28, 28], (x / 255 - MEAN) / STD."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return x[:, None, :, :].astype(np.float32, copy=False)


def load(split: str, data_dir: str = DATA_DIR) -> tuple[np.ndarray, np.ndarray]:
    """Normalised float32 images [N, 1, 28, 28] and int64 labels [N] of a split."""
    images, labels = load_raw(split, data_dir)
    return normalize(images), labels

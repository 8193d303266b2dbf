#!/usr/bin/env python3
"""Extract the first Fashion-MNIST test images as small grayscale PNGs.

Reads the IDX files of the Debian package dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist) and writes docs/images/fashion_<index>_<label>.png
(28x28, 8-bit grayscale; <label> is the class number 0-9) plus
docs/images/fashion_mnist_labels.txt (class names, one per line, for `octet run --labels`).
Plain Python only: gzip, struct and zlib; no PIL or numpy.

    python3 tools/make_sample_images.py [--count 10] [--data DIR] [--out DIR]
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """Returns (dims, payload bytes) of an unsigned-byte IDX file (optionally gzipped)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    if data[2] != 0x08:
        raise ValueError(f"{path}: element type 0x{data[2]:02x}, expected unsigned byte (0x08)")
    rank = data[3]
    dims = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    payload = data[4 + 4 * rank:]
    expected = 1
    for d in dims:
        expected *= d
    if len(payload) != expected:
        raise ValueError(f"{path}: {len(payload)} data bytes, dims {dims} need {expected}")
    return dims, payload


def png_chunk(kind, body):
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def encode_gray_png(width, height, pixels):
    """8-bit grayscale PNG bytes; pixels is row-major bytes of length width*height."""
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))  # filter 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # depth 8, gray, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def write_atomic(path, data):
    temp = f"{path}.tmp-{os.getpid()}"
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="number of test images (default 10)")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                        help="directory with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz")
    parser.add_argument("--out", default=os.path.join(root, "docs", "images"), help="output directory")
    args = parser.parse_args()

    try:
        (n, rows, cols), images = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
        (n_labels,), labels = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz"))
    except (OSError, ValueError, struct.error) as e:
        sys.exit(f"error: {e} (install the Debian package dataset-fashion-mnist or pass --data)")
    if n != n_labels:
        sys.exit(f"error: {n} images but {n_labels} labels")
    count = max(0, min(args.count, n))

    os.makedirs(args.out, exist_ok=True)
    size = rows * cols
    for i in range(count):
        label = labels[i]
        path = os.path.join(args.out, f"fashion_{i}_{label}.png")
        write_atomic(path, encode_gray_png(cols, rows, images[i * size:(i + 1) * size]))
        print(f"{path}  ({CLASSES[label]})")
    labels_path = os.path.join(args.out, "fashion_mnist_labels.txt")
    write_atomic(labels_path, ("\n".join(CLASSES) + "\n").encode())
    print(labels_path)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The first examples of an IDX data set (MNIST, Fashion-MNIST), as a
smaller one for tests:

    idx_subset.py SRC DST TRAIN TEST

copies the first TRAIN training and TEST test examples (images and labels)
of the gzipped IDX files in SRC into DST.
"""
import gzip, struct, sys, os
src, dst, ntrain, ntest = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(dst, exist_ok=True)
for prefix, n in (("train", ntrain), ("t10k", ntest)):
    with gzip.open(os.path.join(src, prefix + "-images-idx3-ubyte.gz")) as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        data = f.read(n * rows * cols)
    with gzip.open(os.path.join(dst, prefix + "-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", magic, n, rows, cols) + data)
    with gzip.open(os.path.join(src, prefix + "-labels-idx1-ubyte.gz")) as f:
        magic, count = struct.unpack(">II", f.read(8))
        data = f.read(n)
    with gzip.open(os.path.join(dst, prefix + "-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", magic, n) + data)

#!/usr/bin/env python3
"""Synthetic, learnable data sets for the training tests.

Two layouts, both written from a seed so every run gives the same bytes:

  make_dataset.py idx DIR --train N --test M [--classes 10] [--size 28]
                  [--seed S] [--gzip]

    MNIST's IDX files in DIR: train-images-idx3-ubyte, train-labels-idx1-ubyte,
    t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each with .gz appended
    under --gzip; gzip's mtime is 0, so the bytes do not depend on the
    time). Class k is a bright shape (k % 5: horizontal bar, vertical bar,
    filled square, ring, diagonal cross) centred in the top-left or the
    bottom-right quarter (k // 5 % 2; classes 10-19 use the other diagonal),
    jittered by up to 2 pixels and scaled by 0.8-1.2, on a noisy dark
    background. Labels are balanced (i % classes, shuffled). LeNet-5
    (models/lenet5.nn, batch 16, --lr 0.05) gets a top-1 error of about 0.55
    after one epoch of 512 images and about 0.4 after two (chance: 0.9).

  make_dataset.py imagenet DIR --classes K --train-per-class N
                  --val-per-class M [--size WxH] [--corrupt C] [--seed S]

    The ImageNet folder layout: DIR/train/<wnid>/*.JPEG and
    DIR/val/<wnid>/*.JPEG, with n01440764-style wnids (n + 8 digits, sorted
    in class order). Class k's images are RGB in base colour k % 10 of a
    palette, with horizontal or vertical stripes (k % 2; a horizontal flip
    keeps them) of period 8, 12 or 16 (k // 2 % 3), plus noise. Sizes and
    aspect ratios vary (24-96 pixels high, width 0.5-2x that) unless
    --size fixes them. Among the readable images are two PNGs (the first
    image of class 0 in train and in val) and a grayscale JPEG (the second
    image of class 1 in train).

    --corrupt C adds C unreadable files named corrupt_NNN.JPEG, alternating
    train and val (train first) and cycling over the classes: file c is a
    JPEG cut in half (c % 3 == 0), 300 random bytes (1) or empty (2). So
    with C = 6 each split gets one of each kind.

    It prints "train: R readable, B corrupt" and the same for val, so a test
    can check the counts it expects.

Only numpy and PIL are needed (runs with /usr/bin/python3).
"""

import argparse
import gzip
import io
import os
import struct
import sys

import numpy as np


# ----------------------------------------------------------------------------
# IDX


def _shape_mask(kind, size, cy, cx, r):
    """A boolean mask of one of five shapes centred at (cy, cx), radius r."""
    y, x = np.mgrid[0:size, 0:size]
    dy, dx = y - cy, x - cx
    if kind == 0:  # horizontal bar
        return (np.abs(dy) <= max(1, r // 3)) & (np.abs(dx) <= r)
    if kind == 1:  # vertical bar
        return (np.abs(dx) <= max(1, r // 3)) & (np.abs(dy) <= r)
    if kind == 2:  # filled square
        return (np.abs(dx) <= r * 0.7) & (np.abs(dy) <= r * 0.7)
    if kind == 3:  # ring
        d = np.sqrt(dy * dy + dx * dx)
        return (d <= r) & (d >= r - max(1.5, r / 3))
    # diagonal cross
    return ((np.abs(dy - dx) <= 1) | (np.abs(dy + dx) <= 1)) & \
        (np.abs(dx) <= r) & (np.abs(dy) <= r)


def make_idx_images(count, classes, size, rng):
    labels = np.arange(count) % classes
    rng.shuffle(labels)
    images = np.empty((count, size, size), dtype=np.uint8)
    for i, k in enumerate(labels):
        kind = int(k) % 5
        half = (int(k) // 5) % 2
        # Further classes (k >= 10) move to the other diagonal's halves.
        other = (int(k) // 10) % 2
        base = size * (0.32 if half == 0 else 0.68)
        cy = base + rng.integers(-2, 3)
        cx = (base if not other else size - base) + rng.integers(-2, 3)
        r = size * 0.2 * rng.uniform(0.8, 1.2)
        mask = _shape_mask(kind, size, cy, cx, r)
        img = rng.normal(30, 20, (size, size))
        img[mask] = rng.uniform(170, 255)
        img += rng.normal(0, 15, (size, size))
        images[i] = np.clip(img, 0, 255).astype(np.uint8)
    return images, labels.astype(np.uint8)


def write_idx(path, array, gz):
    if array.ndim == 3:
        header = struct.pack(">IIII", 0x00000803, *array.shape)
    else:
        header = struct.pack(">II", 0x00000801, array.shape[0])
    data = header + array.tobytes()
    if gz:
        path += ".gz"
        with open(path, "wb") as f:
            # mtime=0: the same bytes on every run.
            with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as g:
                g.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    return path


def cmd_idx(args):
    os.makedirs(args.dir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for split, count in (("train", args.train), ("t10k", args.test)):
        images, labels = make_idx_images(count, args.classes, args.size, rng)
        write_idx(os.path.join(args.dir, split + "-images-idx3-ubyte"),
                  images, args.gzip)
        write_idx(os.path.join(args.dir, split + "-labels-idx1-ubyte"),
                  labels, args.gzip)
        print("%s: %d images %dx%d, %d classes" %
              (split, count, args.size, args.size, args.classes))


# ----------------------------------------------------------------------------
# ImageNet folder


PALETTE = [(220, 40, 40), (40, 200, 40), (40, 60, 220), (230, 210, 40),
           (200, 40, 200), (40, 200, 210), (240, 140, 30), (120, 120, 120),
           (130, 60, 20), (250, 250, 250)]


def wnid(k):
    return "n%08d" % (1440764 + 1000 * k)


def make_rgb(k, w, h, rng):
    """Class k: base colour PALETTE[k % 10], horizontal or vertical stripes
    (k % 2: unchanged by the random horizontal flip of training) of period
    8, 12 or 16 (k // 2 % 3), and noise."""
    base = np.array(PALETTE[k % len(PALETTE)], dtype=np.float64)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    angle = np.pi / 2 * (k % 2)
    period = 8.0 + 4 * ((k // 2) % 3)
    phase = rng.uniform(0, 2 * np.pi)
    t = np.sin((x * np.cos(angle) + y * np.sin(angle)) * 2 * np.pi / period +
               phase)
    img = base[None, None, :] * (0.65 + 0.35 * t[:, :, None])
    img += rng.normal(0, 18, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def image_size(args, rng):
    if args.size:
        w, h = (int(v) for v in args.size.lower().split("x"))
        return w, h
    side = int(rng.integers(24, 97))
    aspect = rng.choice([0.5, 0.75, 1.0, 1.33, 2.0])
    return max(8, int(round(side * aspect))), side


def jpeg_bytes(pixels, mode="RGB"):
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(pixels, mode).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def png_bytes(pixels):
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="PNG")
    return buf.getvalue()


def cmd_imagenet(args):
    rng = np.random.default_rng(args.seed)
    counts = {}
    for split, per in (("train", args.train_per_class),
                       ("val", args.val_per_class)):
        readable = 0
        for k in range(args.classes):
            folder = os.path.join(args.dir, split, wnid(k))
            os.makedirs(folder, exist_ok=True)
            for i in range(per):
                w, h = image_size(args, rng)
                pixels = make_rgb(k, w, h, rng)
                name = "%s_%s_%05d" % (wnid(k), split, i)
                # The first image of class 0 is a PNG in both splits; the
                # second image of class 1 in train is grayscale.
                if k == 0 and i == 0:
                    data, ext = png_bytes(pixels), ".png"
                elif split == "train" and k == 1 % args.classes and i == 1:
                    gray = pixels.mean(axis=2).astype(np.uint8)
                    data, ext = jpeg_bytes(gray, "L"), ".JPEG"
                else:
                    data, ext = jpeg_bytes(pixels), ".JPEG"
                with open(os.path.join(folder, name + ext), "wb") as f:
                    f.write(data)
                readable += 1
        counts[split] = [readable, 0]

    # Corrupt files, round-robin over (train, val) and over classes.
    for c in range(args.corrupt):
        split = ("train", "val")[c % 2]
        k = (c // 2) % args.classes
        folder = os.path.join(args.dir, split, wnid(k))
        kind = c % 3
        name = "corrupt_%03d.JPEG" % c
        if kind == 0:  # a JPEG cut off in the middle of its scan data
            good = jpeg_bytes(make_rgb(k, 48, 40, rng))
            data = good[:len(good) // 2]
        elif kind == 1:  # random bytes
            data = rng.integers(0, 256, 300, dtype=np.uint8).tobytes()
        else:  # empty
            data = b""
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        counts[split][1] += 1

    for split in ("train", "val"):
        print("%s: %d readable, %d corrupt" % (split, *counts[split]))


def main(argv):
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="layout", required=True)

    q = sub.add_parser("idx", help="MNIST-style IDX files")
    q.add_argument("dir")
    q.add_argument("--train", type=int, required=True)
    q.add_argument("--test", type=int, required=True)
    q.add_argument("--classes", type=int, default=10)
    q.add_argument("--size", type=int, default=28)
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--gzip", action="store_true")

    q = sub.add_parser("imagenet", help="train/<wnid>/*.JPEG folders")
    q.add_argument("dir")
    q.add_argument("--classes", type=int, required=True)
    q.add_argument("--train-per-class", type=int, required=True)
    q.add_argument("--val-per-class", type=int, required=True)
    q.add_argument("--size", default="", help="WxH; default: varied sizes")
    q.add_argument("--corrupt", type=int, default=0)
    q.add_argument("--seed", type=int, default=0)

    args = p.parse_args(argv)
    if args.layout == "idx":
        if not 1 <= args.classes <= 20:
            p.error("--classes must be 1..20")
        cmd_idx(args)
    else:
        if args.classes < 1 or args.train_per_class < 1:
            p.error("need at least one class and one training image")
        cmd_imagenet(args)


if __name__ == "__main__":
    main(sys.argv[1:])

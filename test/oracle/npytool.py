#!/usr/bin/env python3
"""Makes good and bad .npy/.npz/.axw files for the error tests; stdlib only.

    npytool.py array OUT.npy --shape 2,1,28,28 [--dtype f8] [--truncate BYTES]
        An array of the given shape and little-endian dtype (f4, the default,
        f8, i4 or i8) holding a fixed non-zero pattern; --truncate keeps only
        the first BYTES of the file.
    npytool.py edit-npz IN.npz OUT.npz [--drop NAME] [--shape NAME=D,D,...]
                                       [--dtype NAME=f8] [--add NAME=D,...]
                                       [--set NAME=I:VALUE]
        A copy of IN with arrays dropped, replaced by another shape (same
        dtype, pattern data), converted to another dtype, added (float32),
        or with float32 element I (flat) set to VALUE (e.g. nan, -inf).
    npytool.py bomb OUT.npz NAME --shape D,D,... --inflate BYTES
        A zip bomb: member NAME.npy, a valid float32 header for the shape
        followed by zeros up to BYTES in all, deflated (about 1000:1).
    npytool.py corrupt W.axw W.npz NAME OUT.axw
        A copy of the weights file W.axw with one byte flipped in the middle
        of tensor NAME's payload, found by searching for the array's bytes as
        `EXE export` wrote them to W.npz.
"""

import argparse
import ast
import struct
import sys
import zipfile

SIZES = {"<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8}


def parse_npy(data):
    if data[:6] != b"\x93NUMPY":
        sys.exit("npytool: not a .npy file")
    if data[6] == 1:
        hlen, start = struct.unpack("<H", data[8:10])[0], 10
    else:
        hlen, start = struct.unpack("<I", data[8:12])[0], 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    return header["descr"], tuple(header["shape"]), data[start + hlen:]


def make_npy(descr, shape, payload):
    shape_text = "(%d,)" % shape[0] if len(shape) == 1 else "(%s)" % ", ".join(map(str, shape))
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload


def pattern(descr, shape):
    n = 1
    for d in shape:
        n *= d
    values = [0.3 + 0.1 * (i % 13) - 0.85 * (i % 2) for i in range(n)]
    kind = descr[1:]
    if kind.startswith("i"):
        values = [i % 7 for i in range(n)]
    return struct.pack("<%d%s" % (n, {"f4": "f", "f8": "d", "i4": "i", "i8": "q"}[kind]), *values)


def convert(descr, payload, new):
    fmt = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}
    n = len(payload) // SIZES[descr]
    values = struct.unpack("<%d%s" % (n, fmt[descr]), payload)
    if new[1] == "i":
        values = [int(v) for v in values]
    return struct.pack("<%d%s" % (n, fmt[new]), *values)


def shape_arg(text):
    return tuple(int(d) for d in text.split(",") if d)


def cmd_array(args):
    descr = "<" + args.dtype
    data = make_npy(descr, shape_arg(args.shape), pattern(descr, shape_arg(args.shape)))
    if args.truncate is not None:
        data = data[:args.truncate]
    with open(args.out, "wb") as f:
        f.write(data)


def read_npz(path):
    with zipfile.ZipFile(path) as z:
        return {n[:-4]: parse_npy(z.read(n)) for n in z.namelist()}


def cmd_edit_npz(args):
    arrays = read_npz(args.input)
    for name in args.drop:
        del arrays[name]
    for spec in args.shape:
        name, dims = spec.split("=")
        descr = arrays[name][0]
        arrays[name] = (descr, shape_arg(dims), pattern(descr, shape_arg(dims)))
    for spec in args.dtype:
        name, new = spec.split("=")
        new = "<" + new.lstrip("<")
        descr, shape, payload = arrays[name]
        arrays[name] = (new, shape, convert(descr, payload, new))
    for spec in args.add:
        name, dims = spec.split("=")
        arrays[name] = ("<f4", shape_arg(dims), pattern("<f4", shape_arg(dims)))
    for spec in args.set:
        name, rest = spec.split("=")
        index, value = rest.split(":")
        descr, shape, payload = arrays[name]
        data = bytearray(payload)
        struct.pack_into("<f", data, 4 * int(index), float(value))
        arrays[name] = (descr, shape, bytes(data))
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_STORED) as z:
        for name, (descr, shape, payload) in arrays.items():
            z.writestr(name + ".npy", make_npy(descr, shape, payload))


def cmd_bomb(args):
    header = make_npy("<f4", shape_arg(args.shape), b"")
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open(args.name + ".npy", "w", force_zip64=True) as member:
            member.write(header)
            left = args.inflate - len(header)
            chunk = bytes(1 << 20)
            while left > 0:
                member.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)


def cmd_corrupt(args):
    with open(args.weights, "rb") as f:
        data = bytearray(f.read())
    payload = read_npz(args.npz)[args.name][2]
    at = bytes(data).find(payload)
    if at < 0 or len(payload) == 0:
        sys.exit("npytool: the payload of %r is not in %s" % (args.name, args.weights))
    data[at + len(payload) // 2] ^= 0x5A
    with open(args.out, "wb") as f:
        f.write(data)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("array")
    a.add_argument("out")
    a.add_argument("--shape", required=True)
    a.add_argument("--dtype", default="f4", choices=[d[1:] for d in sorted(SIZES)])
    a.add_argument("--truncate", type=int)
    e = sub.add_parser("edit-npz")
    e.add_argument("input")
    e.add_argument("out")
    for opt in ("drop", "shape", "dtype", "add", "set"):
        e.add_argument("--" + opt, action="append", default=[])
    c = sub.add_parser("corrupt")
    for arg in ("weights", "npz", "name", "out"):
        c.add_argument(arg)
    b = sub.add_parser("bomb")
    b.add_argument("out")
    b.add_argument("name")
    b.add_argument("--shape", required=True)
    b.add_argument("--inflate", type=int, required=True)
    args = p.parse_args()
    {"array": cmd_array, "edit-npz": cmd_edit_npz, "corrupt": cmd_corrupt,
     "bomb": cmd_bomb}[args.cmd](args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Extract the vmlinux (an ELF64 with the PVH note) from the newest /boot/vmlinuz-* bzImage, for
the PVH half of tests/integration/test_linux.cpp: the payload after the setup sectors is
xz-compressed in Debian's kernels (Linux's scripts/extract-vmlinux does the same). Writes an
empty file when there is no such kernel or no xz payload: the test then says why it fails.

usage: extract_vmlinux.py OUTPUT
"""
import glob
import lzma
import os
import sys


def main():
    out = sys.argv[1]
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    data = b""
    if kernels:
        with open(kernels[-1], "rb") as f:
            image = f.read()
        at = image.find(b"\xfd7zXZ\x00")
        if at >= 0:
            try:
                data = lzma.LZMADecompressor().decompress(image[at:])
            except lzma.LZMAError:
                data = b""
        if not data.startswith(b"\x7fELF"):
            data = b""
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()

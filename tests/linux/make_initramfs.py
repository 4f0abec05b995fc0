#!/usr/bin/env python3
"""Pack the initramfs the Linux tests boot (tests/integration/test_linux.cpp): busybox (static) as
/bin/busybox with /bin/sh linked to it, and tests/linux/init as /init, in a cpio "newc" archive
(Linux's Documentation/driver-api/early-userspace/buffer-format.rst). The same bytes go to lstar
and to QEMU. Each NAME=PATH after them adds PATH's bytes as /bin/NAME (the static test programs).

usage: make_initramfs.py OUTPUT INIT BUSYBOX [NAME=PATH ...]
"""
import os
import sys


def entry(name, mode, data=b"", ino=[0]):
    ino[0] += 1
    namez = name.encode() + b"\0"
    fields = [ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(namez), 0]
    head = b"070701" + b"".join(b"%08x" % f for f in fields) + namez
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def main():
    out, init, busybox = sys.argv[1:4]
    extra = []
    for spec in sys.argv[4:]:
        name, sep, path = spec.partition("=")
        if not sep or not name or "/" in name:
            sys.exit(f"make_initramfs.py: '{spec}' is not NAME=PATH")
        with open(path, "rb") as f:
            extra.append(entry("bin/" + name, 0o100755, f.read()))
    with open(init, "rb") as f:
        init_data = f.read()
    with open(busybox, "rb") as f:
        bb = f.read()
    archive = b"".join([
        entry("bin", 0o040755), entry("proc", 0o040755), entry("dev", 0o040755),
        entry("bin/busybox", 0o100755, bb), entry("bin/sh", 0o120777, b"busybox"),
        entry("init", 0o100755, init_data), *extra, entry("TRAILER!!!", 0),
    ])
    archive += b"\0" * (-len(archive) % 512)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(archive)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()

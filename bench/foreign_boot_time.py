#!/usr/bin/env python3
"""Wall time of booting the same images under lstar and under QEMU with KVM (-M microvm, -M pc):
the whole process, start to exit, median of RUNS runs (default 5). docs/foreign-kernels.md has
this host's figures. Figures, not a test: nothing here passes or fails.

    LSTAR_BUILD=build python3 bench/foreign_boot_time.py [RUNS]
"""
import subprocess, time, statistics, sys, os
B = os.environ.get("LSTAR_BUILD", "build")
L = B + "/vmm/cli/lstar"
G = B + "/tests/guests"
K = B + "/guest/kernel.elf"
def q(m, kernel, append):
    return ["qemu-system-x86_64", "-M", m, "-accel", "kvm", "-m", "128", "-nographic", "-no-reboot", "-nodefaults",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", kernel, "-append", append]
cases = [
    ("pvh_hello.elf  lstar", [L, "-q", "run", G + "/pvh_hello.elf", "--append", "x"]),
    ("pvh_hello.elf  qemu -M microvm -accel kvm", q("microvm", G + "/pvh_hello.elf", "x")),
    ("pvh_hello.elf  qemu -M pc -accel kvm", q("pc", G + "/pvh_hello.elf", "x")),
    ("mb_hello.elf   lstar", [L, "-q", "run", G + "/mb_hello.elf", "--append", "x"]),
    ("mb_hello.elf   qemu -M microvm -accel kvm", q("microvm", G + "/mb_hello.elf", "x")),
    ("mb_hello.elf   qemu -M pc -accel kvm", q("pc", G + "/mb_hello.elf", "x")),
    ("kernel.elf PVH lstar --boot pvh", [L, "-q", "run", K, "--boot", "pvh", "--append", "init=hello"]),
    ("kernel.elf PVH qemu -M microvm -accel kvm", q("microvm", K, "init=hello")),
    ("kernel.elf PVH qemu -M pc -accel kvm", q("pc", K, "init=hello")),
]
n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
for name, cmd in cases:
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        ts.append(time.perf_counter() - t)
    print(f"{name:45s} median {statistics.median(ts)*1000:8.1f} ms  (min {min(ts)*1000:7.1f}, max {max(ts)*1000:7.1f}, n={n}, status {r.returncode})", flush=True)

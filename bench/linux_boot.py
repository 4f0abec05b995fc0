#!/usr/bin/env python3
"""Debian's own kernel and the test initramfs (tests/linux/) booted under lstar and under QEMU
(-M microvm -accel kvm), side by side in one run, alternating: the time from the process's start
to the initramfs's first line ("lstar-linux: init started") and to its end. Figures, not a test.
Run it where the KVM is (scripts/bench --tier nested runs it inside the nested AMD-V tier):

    LSTAR_BUILD=build python3 bench/linux_boot.py [RUNS]        (default 1: QEMU takes minutes nested)
"""
import glob, os, statistics, subprocess, sys, time

B = os.environ.get("LSTAR_BUILD", "build")
kernels = sorted(glob.glob("/boot/vmlinuz-*"))
if not kernels:
    sys.exit("linux_boot.py: no /boot/vmlinuz-*: scripts/setup installs linux-image-amd64")
K = kernels[-1]
RD = B + "/tests/integration/linux_initramfs.cpio"
APPEND = "console=ttyS0 acpi=off quiet"
CASES = {
    "lstar": [B + "/vmm/cli/lstar", "-q", "run", K, "-m", "128", "--initrd", RD, "--append", APPEND],
    "qemu -M microvm -accel kvm": ["qemu-system-x86_64", "-M", "microvm", "-accel", "kvm", "-m", "128", "-nographic",
                                   "-no-reboot", "-nodefaults", "-serial", "stdio", "-kernel", K, "-initrd", RD,
                                   "-append", APPEND],
}


def one(cmd, timeout=900):
    """Seconds to the first init line and to the end (None: never printed)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    first = None
    for line in p.stdout:
        if first is None and b"lstar-linux: init started" in line:
            first = time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            p.kill()
            break
    p.wait()
    return first, time.perf_counter() - t0


runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
res = {name: ([], []) for name in CASES}
for _ in range(runs):
    for name, cmd in CASES.items():
        f, total = one(cmd)
        if f is not None:
            res[name][0].append(f)
        res[name][1].append(total)
print(f"kernel {K}, initramfs {RD}, -m 128, '{APPEND}', {runs} run(s) each, alternating")
for name, (firsts, totals) in res.items():
    fl = f"{statistics.median(firsts):7.2f} s" if firsts else "  never"
    print(f"{name:28s} first init line {fl}   end {statistics.median(totals):7.2f} s")
a, b = res["lstar"][0], res["qemu -M microvm -accel kvm"][0]
if a and b:
    print(f"ratio qemu/lstar to the first init line: {statistics.median(b) / statistics.median(a):.2f}x")

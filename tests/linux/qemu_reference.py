#!/usr/bin/env python3
"""The reference console of the Linux tests: Debian's kernel and the test initramfs booted under
QEMU's TCG on this machine (the project's reference CPU; no KVM needed), at build time, with the
same command line as lstar's boot in tests/integration/test_linux.cpp, which compares the
"lstar-linux:" lines. The init ends with `reboot -f`; on -M pc that is the i8042 reset, which
-no-reboot turns into QEMU's exit. The console (CR LF made LF) is written atomically.

usage: qemu_reference.py OUTPUT KERNEL_DIR INITRAMFS CMDLINE [--depfile FILE] [--timeout SECONDS]
With no vmlinuz-* in KERNEL_DIR, OUTPUT says so in one line and the status is 0 (the test fails
on its own, naming the missing kernel).
"""
import argparse
import os
import select
import shutil
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('output')
    ap.add_argument('kernel_dir')
    ap.add_argument('initramfs')
    ap.add_argument('cmdline')
    ap.add_argument('--depfile')
    ap.add_argument('--timeout', type=float, default=400)
    a = ap.parse_args()
    kernels = sorted(n for n in os.listdir(a.kernel_dir) if n.startswith('vmlinuz-'))
    deps = [a.kernel_dir]
    if not kernels:
        write(a.output, f'# no {a.kernel_dir}/vmlinuz-*: scripts/setup installs linux-image-amd64\n')
    else:
        kernel = os.path.join(a.kernel_dir, kernels[-1])
        deps.append(kernel)
        qemu = shutil.which('qemu-system-x86_64')
        if not qemu:
            sys.exit('qemu_reference.py: qemu-system-x86_64 not found (scripts/setup installs qemu-system-x86)')
        argv = [qemu, '-accel', 'tcg', '-M', 'pc', '-m', '128', '-smp', '1', '-no-reboot', '-display', 'none',
                '-monitor', 'none', '-serial', 'stdio', '-kernel', kernel, '-initrd', a.initramfs, '-append', a.cmdline]
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        console = bytearray()
        while True:
            left = start + a.timeout - time.monotonic()
            if left <= 0:
                proc.kill()
                proc.wait()
                sys.exit(f'qemu_reference.py: {kernel} under QEMU TCG did not end within {a.timeout:g} s; '
                         f'the console ended with:\n{console[-2000:].decode(errors="replace")}')
            ready, _, _ = select.select([proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
            if not chunk:
                break
            console += chunk
        proc.wait()
        text = console.decode(errors='replace').replace('\r\n', '\n')
        if 'lstar-linux: done' not in text:
            sys.exit(f'qemu_reference.py: QEMU exited (status {proc.returncode}) before the init\'s last line: '
                     f'{proc.stderr.read().decode(errors="replace").strip()}\n{text[-2000:]}')
        write(a.output, text)
        print(f'qemu_reference.py: {kernel} under QEMU TCG in {time.monotonic() - start:.1f} s', file=sys.stderr)
    if a.depfile:
        write(a.depfile, f'{a.output}: {" ".join(d.replace(" ", chr(92) + " ") for d in deps)}\n')
    return 0


def write(path, text):
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""lstar's benchmarks: run everything, print tables, write JSON, Markdown and a PNG chart.

Every figure with a target comes from runs interleaved in one invocation (A B A B ...), repeated at
least 7 times, reported as the median and the range. Per-exit figures are the loop minus the same
loop with a `nop`, divided by the exits, for lstar and raw KVM in the same repetition. Cold starts,
tracing and memory are timed by bench/launch (posix_spawn + wait4 on CLOCK_MONOTONIC), the same
launcher for every program. Called by scripts/bench; see docs/benchmarks.md.

    bench/run.py BUILD_DIR [--quick] [--static BUILD_DIR] [--json FILE] [--png FILE]
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import report  # bench/report.py: tables, JSON, chart

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--quick", action="store_true", help="a smoke run: small N, one repetition")
ap.add_argument("--static", default=None, help="a build directory configured with -Dstatic=true: its lstar too")
ap.add_argument("--json", default=None)
ap.add_argument("--png", default=None, help="the chart's file; none: no chart")
ap.add_argument("--md", default=None)
ap.add_argument("--from-json", default=None, help="no runs: the table and the chart of an earlier JSON")
ap.add_argument("--only", default=None, help="comma-separated steps: exits,cold,doors,tracing,exit_log")
args = ap.parse_args()
B = args.build
LSTAR = f"{B}/vmm/cli/lstar"
LSTAR_STATIC = f"{args.static}/vmm/cli/lstar" if args.static else None
RAW = f"{B}/bench/raw_kvm"
PIO = f"{B}/bench/pio_guest.elf"
KERNEL = f"{B}/guest/kernel.elf"
HOST = f"{B}/bench/host_calls"
ELT = f"{B}/bench/exit_log_throughput"
LAUNCH = f"{B}/bench/launch"
Q = args.quick
NESTED = os.environ.get("LSTAR_TIER") == "nested"
# Inside the nested tier every instruction of the host side is emulated too (TCG): smaller sizes.
RUNS = 1 if Q else max(7, int(os.environ.get("RUNS", 7)))   # repetitions of every figure with a target
N = 500 if Q else int(os.environ.get("N", 4000 if NESTED else 20000))   # exits per exit-loop run
M = 100 if Q else int(os.environ.get("M", 1500 if NESTED else 10000))   # getpid calls for the tracing cost
COLD = 1 if Q else max(7, int(os.environ.get("COLD", 7)))               # cold starts of each kind
ELT_RECORDS = 100000 if Q or NESTED else 1000000
TMP = tempfile.mkdtemp(prefix="lstar-bench-")


def kvm_module():
    for m in ("kvm_pvm", "kvm_intel", "kvm_amd"):
        if os.path.isdir(f"/sys/module/{m}"):
            return m
    return "none"


# scripts/bench --tier nested runs this inside the nested AMD-V tier (scripts/hwkvm), which sets LSTAR_TIER.
TIER = "nested AMD-V tier: kvm_amd inside QEMU 7.2 TCG, every instruction emulated" if NESTED else "host"
MACHINE = {"host": platform.node(), "kvm": kvm_module(), "tier": TIER, "cpus": os.cpu_count(),
           "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "load_at_start": os.getloadavg()[0], "runs": RUNS, "n": N, "m": M, "cold": COLD}


def fail(cmd, p):
    raise SystemExit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")


def run(cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        fail(cmd, p)
    return p


def launched(cmd, ok=(0,)):
    """cmd started by bench/launch: (wall ms from posix_spawn to wait4, the CompletedProcess)."""
    p = subprocess.run([LAUNCH, *cmd], capture_output=True, text=True)
    m = re.search(r"launch: wall_ns=(\d+) status=(\d+)", p.stderr)
    if p.returncode != 0 or not m or int(m.group(2)) not in ok:
        fail(cmd, p)
    return int(m.group(1)) / 1e6, p


def summary(p):
    """lstar's summary: total ms from the first KVM_RUN, ms inside KVM_RUN, ms in the monitor, exits."""
    total = float(re.search(r"([0-9.]+) ms from first KVM_RUN", p.stderr).group(1))
    inside, mon = re.search(r"([0-9.]+) ms in the guest \(inside KVM_RUN\), ([0-9.]+) ms in the monitor", p.stderr).groups()
    exits = int(re.search(r"exits\s+(\d+)", p.stderr).group(1))
    return {"run": total, "inside": float(inside), "monitor": float(mon), "exits": exits, "span": lstar_span(p)}


def lstar_span(p):
    """--timings: the first KVM_RUN's stage, the run and teardown (the exit log's close() is in it)."""
    line = re.search(r"lstar timings:(.*)", p.stderr)
    if not line:
        return None
    st = dict((k, float(v)) for k, v in re.findall(r" (\w+) ([0-9.]+) ms", line.group(1)))
    return st["first_exit"] + st["guest_run"] + st["teardown"]


def raw(p):
    r = {"run": int(re.search(r"run_ns=(\d+)", p.stderr).group(1)) / 1e6}
    t = re.search(r"teardown_ns=(\d+)", p.stderr)
    r["span"] = r["run"] + int(t.group(1)) / 1e6 if t else None
    r["inside"] = r["run"]
    return r


def blocks(p):
    """pio_guest.S "blk": TSC cycles per exit, from the least nop block and the least exit block."""
    n, nop, ex = map(int, re.search(r"block_exits=(\d+) nop_min=(\d+) exit_min=(\d+)", p.stdout).groups())
    return {"cycles": (ex - nop) / n}


def stats(xs):
    xs = [x for x in xs if x is not None]
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)} if xs else None


results = {"machine": MACHINE, "figures": [], "quick": Q}


CUR = {"group": "other"}


def figure(key, what, values, unit, target=None, better="lower", note="", pending=False, group=None):
    f = {"key": key, "what": what, "unit": unit, "note": note, "group": group or CUR["group"]}
    if pending:
        f["pending"] = True
    else:
        f.update(stats(values) or {})
    if target is not None:
        f["target"] = target
        f["better"] = better
        if not pending and "median" in f:
            f["met"] = f["median"] <= target if better == "lower" else f["median"] >= target
    results["figures"].append(f)
    return f


# --- 1. Exits: lstar against raw KVM on the same guest, per exit, interleaved -----------------------
def exit_round_trip():
    log = f"{TMP}/exit.jsonl"
    lstar = lambda *extra: [LSTAR, "run", "--timings", *extra, PIO, "--append"]
    kinds = {  # name: (command, parser); one repetition runs them all, in this order
        "raw_out": ([RAW, "-t", PIO, f"n={N}"], raw),
        "lstar_out": (lstar() + [f"n={N}"], summary),
        "raw_nop": ([RAW, "-t", PIO, f"n={N} nop"], raw),
        "lstar_nop": (lstar() + [f"n={N} nop"], summary),
        "lstar_out_log": (lstar("--exit-log", log) + [f"n={N}"], summary),
        "raw_mmio": ([RAW, "-t", PIO, f"n={N} mmio"], raw),
        "lstar_mmio": (lstar() + [f"n={N} mmio"], summary),
        "raw_out_regs": ([RAW, "-t", "-r", PIO, f"n={N}"], raw),
        "raw_out_sregs": ([RAW, "-t", "-s", PIO, f"n={N}"], raw),
        "lstar_out_noseccomp": (lstar("--no-seccomp") + [f"n={N}"], summary),
        # The guest's own clock: the fewest TSC cycles of 40 blocks of N/20 exits (pio_guest.S "blk").
        "raw_blk": ([RAW, PIO, f"n={max(1, N // 20)} blk"], blocks),
        "lstar_blk": ([LSTAR, "-q", "run", PIO, "--append", f"n={max(1, N // 20)} blk"], blocks),
    }
    c = {k: [] for k in kinds}
    for rep in range(RUNS):  # A B C ... then ... C B A: a load that drifts during a repetition cancels out
        for k, (cmd, parse) in (list(kinds.items())[::-1] if rep % 2 else kinds.items()):
            c[k].append(parse(run(cmd)))
    os.unlink(log)
    # Per exit: (loop - nop loop) / N on one clock, repetition by repetition.
    per = lambda a, nop, clk="run": [(x[clk] - y[clk]) * 1000 / N for x, y in zip(c[a], c[nop])]
    ratio = lambda xs, ys: [x / y for x, y in zip(xs, ys)]
    raw_pio, lstar_pio = per("raw_out", "raw_nop"), per("lstar_out", "lstar_nop")
    raw_mmio, lstar_mmio = per("raw_mmio", "raw_nop"), per("lstar_mmio", "lstar_nop")
    raw_pio_span = per("raw_out", "raw_nop", "span")
    lstar_log = per("lstar_out_log", "lstar_nop", "span")
    g = "exit"
    figure("exit_pio_ratio", "port-I/O exit, per exit, lstar / raw KVM, exit log off", ratio(lstar_pio, raw_pio), "x", 1.05,
           group=g)
    figure("exit_mmio_ratio", "MMIO exit, per exit, lstar / raw KVM, exit log off", ratio(lstar_mmio, raw_mmio), "x", 1.05,
           group=g)
    figure("exit_pio_log_ratio", "port-I/O exit, per exit, lstar with the JSON Lines exit log (close(): last flush "
           "and fsync included) / raw KVM", ratio(lstar_log, raw_pio_span), "x", 1.25, group=g)
    figure("exit_pio_raw_us", "port-I/O exit, raw KVM", raw_pio, "us", group=g)
    figure("exit_pio_lstar_us", "port-I/O exit, lstar, log off", lstar_pio, "us", group=g)
    figure("exit_pio_lstar_log_us", "port-I/O exit, lstar, log on, close() included", lstar_log, "us", group=g)
    figure("exit_mmio_raw_us", "MMIO exit, raw KVM", raw_mmio, "us", group=g)
    figure("exit_mmio_lstar_us", "MMIO exit, lstar, log off", lstar_mmio, "us", group=g)
    figure("exit_lstar_monitor_us", "lstar's own time outside KVM_RUN, per exit (port-I/O loop, log off)",
           [x["monitor"] * 1000 / x["exits"] for x in c["lstar_out"]], "us", group=g)
    figure("exit_lstar_inside_us", "lstar's time inside KVM_RUN, per exit (loop minus nop loop)",
           per("lstar_out", "lstar_nop", "inside"), "us", group=g,
           note="raw KVM's whole exit is inside KVM_RUN: compare with its row")
    figure("exit_step_seccomp_us", "step: lstar's seccomp filter, per exit (lstar minus lstar --no-seccomp)",
           [(x["run"] - y["run"]) * 1000 / N for x, y in zip(c["lstar_out"], c["lstar_out_noseccomp"])], "us", group=g)
    figure("exit_step_sync_regs_us", "step: KVM_SYNC_X86_REGS with every exit, as lstar asks (raw -r minus raw)",
           [(x["run"] - y["run"]) * 1000 / N for x, y in zip(c["raw_out_regs"], c["raw_out"])], "us", group=g)
    figure("exit_step_sync_sregs_us", "step: KVM_SYNC_X86_REGS + SREGS, as lstar with the exit log on (raw -s minus raw)",
           [(x["run"] - y["run"]) * 1000 / N for x, y in zip(c["raw_out_sregs"], c["raw_out"])], "us", group=g)
    figure("exit_pio_blocks_ratio", "port-I/O exit, per exit, lstar / raw KVM, the guest's TSC: least of 40 blocks",
           [x["cycles"] / y["cycles"] for x, y in zip(c["lstar_blk"], c["raw_blk"])], "x", group=g,
           note="a cross-check of the row above on another clock; no target")
    figure("exit_pio_blocks_raw_cycles", "port-I/O exit, raw KVM, guest TSC cycles (least block)",
           [x["cycles"] for x in c["raw_blk"]], "cycles", group=g)
    figure("exit_pio_blocks_lstar_cycles", "port-I/O exit, lstar, guest TSC cycles (least block)",
           [x["cycles"] for x in c["lstar_blk"]], "cycles", group=g)
    figure("exit_hlt_ratio", "HLT exit, lstar / raw KVM", [], "x", note="n/a: lstar ends the run at HLT "
           "(its VM has no interrupt source to wake the vCPU)", pending=True, group=g)


# --- 2. Cold start: posix_spawn -> wait4 of a guest that prints one line, by bench/launch ------------
QEMU = shutil.which("qemu-system-x86_64")


def qemu_cmd(machine):
    return [QEMU, "-M", machine, "-accel", "kvm", "-m", "64", "-nographic", "-no-reboot", "-nodefaults",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", KERNEL,
            "-append", "init=hello"]


def stripped_size(path):
    out = f"{TMP}/stripped"
    if subprocess.run(["strip", "-o", out, path], capture_output=True).returncode != 0:
        return None
    n = os.path.getsize(out)
    os.unlink(out)
    return n


def cold_start():
    lstar_args = ["-q", "run", "-m", "64", "--no-guest-events", "--timings", "--append", "init=hello"]
    kinds = {"lstar": [LSTAR, *lstar_args], "raw": [RAW, "-t", "-m", "64", KERNEL, "init=hello"]}
    if LSTAR_STATIC:
        kinds["lstar_static"] = [LSTAR_STATIC, *lstar_args]
    if QEMU:
        kinds["microvm"] = qemu_cmd("microvm")
    w = {k: [] for k in kinds}
    w["q35"] = []
    stages, mem = {}, {"lstar": {}, "lstar_static": {}}
    for i in range(COLD):
        for k, cmd in (list(kinds.items())[::-1] if i % 2 else kinds.items()):
            t, p = launched(cmd, ok=(1,) if k == "microvm" else (0,))  # isa-debug-exit: (0 << 1) | 1
            assert "Hello from ring 3" in p.stdout, p.stdout
            w[k].append(t)
            if not k.startswith("lstar"):
                continue
            line = re.search(r"lstar timings:(.*)", p.stderr).group(1)
            if k == "lstar":
                for s_, v in re.findall(r" (\w+) ([0-9.]+) ms", line):
                    stages.setdefault(s_, []).append(float(v))
                stages.setdefault("exec_and_exit", []).append(t - float(re.search(r"total ([0-9.]+) ms", line).group(1)))
            for f, rx in (("touched", r"guest RAM touched (\d+) KiB"), ("peak", r"peak RSS (\d+) KiB"),
                          ("anon", r"anonymous RSS (\d+) KiB"), ("file", r"file-backed RSS (\d+) KiB")):
                m = re.search(rx, line)
                mem[k].setdefault(f, []).append(int(m.group(1)) / 1024 if m else None)
        # q35 spends seconds in the emulated firmware (minutes in the nested tier): 3 runs, host only.
        if QEMU and not NESTED and i < (1 if Q else 3):
            w["q35"].append(launched(qemu_cmd("q35"), ok=(1,))[0])
    g = "cold"
    r = lambda a, b: [x / y for x, y in zip(w[a], w[b])]
    figure("cold_vs_raw", "cold start, lstar / raw KVM (posix_spawn to wait4)", r("lstar", "raw"), "x", 1.5, group=g)
    if QEMU:
        figure("cold_vs_microvm", "cold start, lstar / QEMU -M microvm -accel kvm, same kernel, same KVM",
               r("lstar", "microvm"), "x", 0.1, group=g)
    if LSTAR_STATIC:
        figure("cold_static_vs_microvm", "cold start, lstar -Dstatic=true / QEMU -M microvm -accel kvm",
               r("lstar_static", "microvm"), "x", 0.1, group=g)
    if w["q35"]:
        figure("cold_vs_q35", "cold start, lstar / QEMU -M q35 -accel kvm", [a / b for a, b in zip(w["lstar"], w["q35"])],
               "x", group=g)
    for k, v in w.items():
        if v:
            figure(f"cold_{k}_ms", f"cold start wall time, {k}", v, "ms", group=g)
    for k, v in stages.items():
        figure(f"cold_stage_{k}", f"lstar cold start stage: {k}", v, "ms", group="stages")
    # 5. Memory, from the same runs (64 MiB guest).
    for k, label in (("lstar", "lstar"), ("lstar_static", "lstar -Dstatic=true")):
        m = mem[k]
        if not m:
            continue
        figure(f"memory_monitor_mib{'_static' if k != 'lstar' else ''}", f"{label}: peak RSS minus guest RAM touched",
               [a - b for a, b in zip(m["peak"], m["touched"])], "MiB", 4.0, group="memory")
        figure(f"memory_anon_mib{'_static' if k != 'lstar' else ''}",
               f"{label}: private (anonymous) RSS after the guest RAM is freed", m["anon"], "MiB", group="memory")
        figure(f"memory_file_mib{'_static' if k != 'lstar' else ''}",
               f"{label}: file-backed RSS (binary and shared libraries, shareable)", m["file"], "MiB", group="memory")
        figure(f"memory_peak_mib{'_static' if k != 'lstar' else ''}", f"{label}: peak RSS (VmHWM)", m["peak"], "MiB",
               group="memory")
    figure("memory_guest_touched_mib", "guest RAM touched", mem["lstar"]["touched"], "MiB", group="memory")
    for path, label, key in ((LSTAR, "lstar", "size_lstar_mib"), (LSTAR_STATIC, "lstar -Dstatic=true", "size_static_mib")):
        if path:
            size = stripped_size(path)
            if size:
                figure(key, f"binary size, {label}, stripped", [size / 2**20], "MiB", group="memory",
                       note="shared libraries: " + ", ".join(
                           sorted({re.sub(r"[.]so.*", "", os.path.basename(l.split()[0])) for l in run(["ldd", path]).stdout.splitlines()
                                   if ".so" in l and "vdso" not in l})))


# --- 3. Doors and modes ------------------------------------------------------------------------------
def doors():
    CUR["group"] = "doors"
    cyc = {"call": [], "syscall": [], "int80": [], "host_getppid": [], "host_vdso": []}
    n = "20" if Q else "200"
    for _ in range(RUNS):
        p = run([LSTAR, "-q", "run", "--no-guest-events", "--init", "bench_doors", "--", n])
        for k, v in re.findall(r"bench_doors: (\w+) (\d+)", p.stdout):
            cyc.setdefault(k, []).append(int(v))  # "vdso" and "vsyscall" too, once bench_doors prints them
        p = run([HOST, "cycles", "100000"])
        for k, v in re.findall(r"(\w+) (\d+)", p.stdout):
            cyc["host_getppid" if k == "getppid" else "host_vdso"].append(int(v))
    emul = "ring 0 emulated on kvm_pvm: cycles measure the emulator" if MACHINE["kvm"] == "kvm_pvm" else ""
    figure("door_call_cycles", "guest user-mode function call (floor)", cyc["call"], "cycles")
    figure("door_syscall_cycles", "guest getpid via syscall, direct", cyc["syscall"], "cycles", note=emul)
    figure("door_int80_cycles", "guest getpid via int $0x80", cyc["int80"], "cycles", note=emul)
    # Rows the vDSO and vsyscall work fills in (bench_doors prints "bench_doors: vdso N" / "vsyscall N").
    for k, what in (("vdso", "guest vDSO call"), ("vsyscall", "guest emulated vsyscall")):
        if cyc.get(k):
            figure(f"door_{k}_cycles", what, cyc[k], "cycles")
        else:
            figure(f"door_{k}_cycles", what, [], "cycles", pending=True, note="pending: vDSO/vsyscall branch")
    if " pcid" not in open("/proc/cpuinfo").read():
        figure("door_pti_pcid_cycles", "guest getpid, pti-pcid", [], "cycles", pending=True,
               note="not measurable here: this host's CPUID has no PCID")
    figure("host_getppid_cycles", "host getppid()", cyc["host_getppid"], "cycles")
    figure("host_vdso_cycles", "host vDSO clock_gettime()", cyc["host_vdso"], "cycles")
    figure("syscall_vs_host", "guest syscall getpid / host getppid (cycles)",
           [a / b for a, b in zip(cyc["syscall"], cyc["host_getppid"])], "x", note=emul)
    # Ring-0 instructions per getpid round trip, single-stepped from outside (machine-independent).
    def steps(*extra):
        p = run([LSTAR, "run", *extra, "--trace", "path=getpid", "--init", "getpid_loop", "--", "2"], check=False)
        c = [int(x) for x in re.findall(r"(\d+) ring-0 instructions from LSTAR", p.stderr)]
        return c[-1:] if c and p.returncode == 0 else []
    figure("ring0_direct", "ring-0 instructions per getpid, direct, guest events off (LSTAR to return)",
           steps("--no-guest-events"), "insns", 60, note="a count, the same in every run: one run")
    figure("ring0_direct_events", "ring-0 instructions per getpid, direct, guest events on", steps(), "insns")
    pti = steps("--no-guest-events", "--entry", "pti")
    d = [r_ for r_ in results["figures"] if r_["key"] == "ring0_direct"][0]
    if pti and "median" in d:
        figure("ring0_pti_added", "ring-0 instructions PTI adds per getpid", [pti[0] - d["median"]], "insns", 16)
    else:
        figure("ring0_pti_added", "ring-0 instructions PTI adds per getpid", [], "insns", 16, pending=True,
               note="pti run failed on this host (see docs/benchmarks.md)")


# --- 4. Tracing cost: the traced run minus the untraced run, both started by bench/launch ------------
def tracing():
    plain, traced, host, strace = [], [], [], []
    has_strace = shutil.which("strace")
    loop = ["--no-guest-events", "--init", "getpid_loop", "--", str(M)]
    for _ in range(RUNS):
        plain.append(launched([LSTAR, "-q", "run", *loop])[0])
        traced.append(launched([LSTAR, "-q", "run", "--trace", "syscalls", *loop])[0])
        host.append(launched([HOST, "loop", str(M)])[0])
        if has_strace:
            strace.append(launched(["strace", "-f", "-o", "/dev/null", HOST, "loop", str(M)])[0])
    g = "trace"
    lstar_added = [(t - p) * 1000 / M for t, p in zip(traced, plain)]
    figure("trace_lstar_added_us", f"lstar --trace syscalls, added cost per guest getpid ({M} calls)", lstar_added, "us",
           group=g)
    if has_strace:
        strace_added = [(s_ - h) * 1000 / M for s_, h in zip(strace, host)]
        figure("trace_strace_added_us", f"strace -f, added cost per host getppid ({M} calls)", strace_added, "us", group=g)
        figure("trace_ratio", "tracing cost per syscall, lstar / strace", [a / b for a, b in zip(lstar_added, strace_added)],
               "x", 1.0, group=g)
    figure("trace_untraced_ms", f"lstar getpid_loop {M}, untraced, whole process", plain, "ms", group=g)


# --- 6. Exit-log throughput -----------------------------------------------------------------------------
def exit_log_throughput():
    rate, cpu_rate, close = [], [], []
    for _ in range(RUNS):
        p = run([ELT, f"{TMP}/elt.jsonl", str(ELT_RECORDS)])
        rate.append(float(re.search(r" records_per_s=([0-9.]+)", p.stdout).group(1)))
        cpu_rate.append(float(re.search(r"cpu_records_per_s=([0-9.]+)", p.stdout).group(1)))
        close.append(float(re.search(r"close_seconds=([0-9.]+)", p.stdout).group(1)) * 1000)
        os.unlink(f"{TMP}/elt.jsonl")
    g = "log"
    # No KVM in it: inside the nested tier it measures QEMU's TCG, so the target is judged on the host
    # (scripts/bench --tier nested runs this step outside the tier too).
    figure("exit_log_records_per_s", "exit-log records encoded and written (write(2)) per second of CPU time",
           cpu_rate, "rec/s", None if NESTED else 1e6, better="higher",
           note="the host code emulated by TCG: no target here" if NESTED else "what the encoder does with a core to itself",
           group=g)
    figure("exit_log_wall_records_per_s", "exit-log records per second of wall time (shared machine)", rate, "rec/s",
           group=g)
    figure("exit_log_close_ms", f"exit-log close() of {ELT_RECORDS} records: last flush and fsync(), once per run", close,
           "ms", group=g)


if args.from_json:
    results = json.load(open(args.from_json))
    MACHINE = results["machine"]
    for f in results["figures"]:  # JSON from before "better" was recorded: the one rate target
        f.setdefault("better", "higher" if f["key"] == "exit_log_records_per_s" else "lower")
else:
    steps = {"exits": exit_round_trip, "cold": cold_start, "doors": doors, "tracing": tracing,
             "exit_log": exit_log_throughput}
    for name, step in steps.items():
        if args.only and name not in args.only.split(","):
            continue
        print(f"bench: {step.__name__} ... (load average {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        step()
    MACHINE["load_at_end"] = os.getloadavg()[0]
shutil.rmtree(TMP, ignore_errors=True)

report.write(results, args, B)

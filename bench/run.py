#!/usr/bin/env python3
"""lstar's benchmarks: run everything, print a table, write JSON and a PNG chart.

Every figure is a ratio between two things measured in the same run, interleaved (A B A B ...),
with the median and the range over the repetitions. Absolute times are printed too, labelled with
the machine and its KVM module. Called by scripts/bench; see docs/benchmarks.md.

    bench/run.py BUILD_DIR [--quick] [--json FILE] [--png FILE]
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

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--quick", action="store_true", help="a smoke run: small N, one repetition")
ap.add_argument("--json", default=None)
ap.add_argument("--png", default=None)
ap.add_argument("--from-json", default=None, help="no runs: the table and the chart of an earlier JSON")
args = ap.parse_args()
B = args.build
LSTAR = f"{B}/vmm/cli/lstar"
RAW = f"{B}/bench/raw_kvm"
PIO = f"{B}/bench/pio_guest.elf"
KERNEL = f"{B}/guest/kernel.elf"
HOST = f"{B}/bench/host_calls"
ELT = f"{B}/bench/exit_log_throughput"
Q = args.quick
RUNS = 1 if Q else int(os.environ.get("RUNS", 5))
N = 500 if Q else int(os.environ.get("N", 20000))        # exits per exit-loop run
M = 100 if Q else int(os.environ.get("M", 10000))        # getpid calls for the tracing cost
COLD = 2 if Q else int(os.environ.get("COLD", 7))        # cold starts of each kind
TMP = tempfile.mkdtemp(prefix="lstar-bench-")


def kvm_module():
    for m in ("kvm_pvm", "kvm_intel", "kvm_amd"):
        if os.path.isdir(f"/sys/module/{m}"):
            return m
    return "none"


# scripts/bench --tier nested runs this inside the nested AMD-V tier (scripts/hwkvm), which sets LSTAR_TIER.
TIER = ("nested AMD-V tier: kvm_amd inside QEMU 7.2 TCG, every instruction emulated"
        if os.environ.get("LSTAR_TIER") == "nested" else "host")
MACHINE = {"host": platform.node(), "kvm": kvm_module(), "tier": TIER, "cpus": os.cpu_count(),
           "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "load_at_start": os.getloadavg()[0]}


def run(cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode not in (0,):
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p


def timed(cmd, ok=(0,)):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    w = time.perf_counter() - t
    if p.returncode not in ok:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return w, p


def lstar_ms(p):  # the summary's time from the first KVM_RUN to the end
    return float(re.search(r"([0-9.]+) ms from first KVM_RUN", p.stderr).group(1))


def raw_ms(p):
    return int(re.search(r"run_ns=(\d+)", p.stderr).group(1)) / 1e6


def stats(xs):
    xs = [x for x in xs if x is not None]
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)} if xs else None


results = {"machine": MACHINE, "figures": [], "quick": Q}


def figure(key, what, values, unit, target=None, better="lower", note="", pending=False):
    f = {"key": key, "what": what, "unit": unit, "note": note}
    if pending:
        f["pending"] = True
    else:
        f.update(stats(values) or {})
    if target is not None:
        f["target"] = target
        if not pending and "median" in f:
            f["met"] = f["median"] <= target if better == "lower" else f["median"] >= target
    results["figures"].append(f)
    return f


# --- 1. Exit round trip: lstar against raw KVM on the same guest, interleaved ---------------------
def exit_round_trip():
    log = f"{TMP}/exit.jsonl"
    cols = {k: [] for k in ("raw_out", "lstar_out", "lstar_out_log", "raw_nop", "lstar_nop", "raw_mmio", "lstar_mmio",
                            "raw_hlt", "raw_out_sync")}
    for _ in range(RUNS):
        cols["raw_out"].append(raw_ms(run([RAW, PIO, f"n={N}"])))
        cols["lstar_out"].append(lstar_ms(run([LSTAR, "run", PIO, "--append", f"n={N}"])))
        cols["raw_nop"].append(raw_ms(run([RAW, PIO, f"n={N} nop"])))
        cols["lstar_nop"].append(lstar_ms(run([LSTAR, "run", PIO, "--append", f"n={N} nop"])))
        cols["lstar_out_log"].append(lstar_ms(run([LSTAR, "run", PIO, "--append", f"n={N}", "--exit-log", log])))
        cols["raw_mmio"].append(raw_ms(run([RAW, PIO, f"n={N} mmio"])))
        cols["lstar_mmio"].append(lstar_ms(run([LSTAR, "run", PIO, "--append", f"n={N} mmio"])))
        cols["raw_hlt"].append(raw_ms(run([RAW, "-H", PIO, f"n={N} hlt"])))
        cols["raw_out_sync"].append(raw_ms(run([RAW, "-s", PIO, f"n={N}"])))
    os.unlink(log)
    r = lambda a, b: [x / y for x, y in zip(cols[a], cols[b])]
    per = lambda a, nop: [(x - y) * 1000 / N for x, y in zip(cols[a], cols[nop])]
    figure("exit_pio_ratio", "port-I/O exit loop, lstar / raw KVM, exit log off", r("lstar_out", "raw_out"), "x", 1.05)
    figure("exit_pio_log_ratio", "port-I/O exit loop, lstar with JSON Lines exit log / raw KVM",
           r("lstar_out_log", "raw_out"), "x", 1.25)
    figure("exit_mmio_ratio", "MMIO exit loop, lstar / raw KVM, exit log off", r("lstar_mmio", "raw_mmio"), "x", 1.05)
    figure("exit_hlt_ratio", "HLT exit loop, lstar / raw KVM", [], "x", note="n/a: lstar ends the run at HLT "
           "(its VM has no interrupt source to wake the vCPU); raw KVM's HLT exit is below", pending=True)
    figure("exit_sync_regs_ratio", "port-I/O exit loop, raw KVM with KVM_CAP_SYNC_REGS regs + sregs (as lstar with the exit log on) / without",
           r("raw_out_sync", "raw_out"), "x", note="what asking for the registers with every exit costs inside KVM_RUN")
    figure("exit_pio_raw_us", "port-I/O exit round trip, raw KVM (loop minus nop loop)", per("raw_out", "raw_nop"), "us")
    figure("exit_pio_lstar_us", "port-I/O exit round trip, lstar, log off", per("lstar_out", "lstar_nop"), "us")
    figure("exit_pio_lstar_log_us", "port-I/O exit round trip, lstar, log on", per("lstar_out_log", "lstar_nop"), "us")
    figure("exit_mmio_raw_us", "MMIO exit round trip, raw KVM", per("raw_mmio", "raw_nop"), "us")
    figure("exit_mmio_lstar_us", "MMIO exit round trip, lstar", per("lstar_mmio", "lstar_nop"), "us")
    figure("exit_hlt_raw_us", "HLT exit round trip, raw KVM", per("raw_hlt", "raw_nop"), "us")


# --- 2. Cold start: exec -> the exit of a guest that prints one line --------------------------------
QEMU = shutil.which("qemu-system-x86_64")


def qemu_cmd(machine):
    return [QEMU, "-M", machine, "-accel", "kvm", "-m", "64", "-nographic", "-no-reboot", "-nodefaults",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", KERNEL,
            "-append", "init=hello"]


def cold_start():
    lstar_cmd = [LSTAR, "-q", "run", "-m", "64", "--no-guest-events", "--timings", "--append", "init=hello"]
    raw_cmd = [RAW, "-t", "-m", "64", KERNEL, "init=hello"]
    w = {"lstar": [], "raw": [], "microvm": [], "q35": []}
    stages, rss, touched, anon = {}, [], [], []
    for i in range(COLD):
        t, p = timed(lstar_cmd)
        assert "Hello from ring 3" in p.stdout, p.stdout
        w["lstar"].append(t * 1000)
        line = re.search(r"lstar timings:(.*)", p.stderr).group(1)
        for k, v in re.findall(r" (\w+) ([0-9.]+) ms", line):
            stages.setdefault(k, []).append(float(v))
        stages.setdefault("exec_and_exit", []).append(t * 1000 - float(re.search(r"total ([0-9.]+) ms", line).group(1)))
        touched.append(int(re.search(r"guest RAM touched (\d+) KiB", line).group(1)))
        rss.append(int(re.search(r"peak RSS (\d+) KiB", line).group(1)))
        anon.append(int(re.search(r"anonymous RSS (\d+) KiB", line).group(1)))
        t, p = timed(raw_cmd)
        assert "Hello from ring 3" in p.stdout, p.stdout
        w["raw"].append(t * 1000)
        if QEMU:
            t, p = timed(qemu_cmd("microvm"), ok=(1,))  # isa-debug-exit: (0 << 1) | 1
            w["microvm"].append(t * 1000)
            if i < (1 if Q else 3):  # q35 spends seconds in the emulated firmware: fewer runs
                t, p = timed(qemu_cmd("q35"), ok=(1,))
                w["q35"].append(t * 1000)
    r = lambda a, b: [x / y for x, y in zip(w[a], w[b])]
    figure("cold_vs_raw", "cold start, lstar / raw KVM (exec to guest exit)", r("lstar", "raw"), "x", 1.5)
    if QEMU:
        figure("cold_vs_microvm", "cold start, lstar / QEMU -M microvm -accel kvm", r("lstar", "microvm"), "x", 0.1)
        figure("cold_vs_q35", "cold start, lstar / QEMU -M q35 -accel kvm", [a / b for a, b in zip(w["lstar"], w["q35"])],
               "x")
    for k, v in w.items():
        if v:
            figure(f"cold_{k}_ms", f"cold start wall time, {k}", v, "ms")
    for k, v in stages.items():
        figure(f"cold_stage_{k}", f"lstar cold start stage: {k}", v, "ms")
    # 5. Memory, from the same runs (64 MiB guest).
    figure("memory_monitor_mib", "lstar peak RSS minus guest RAM touched (64 MiB guest)",
           [(r_ - t_) / 1024 for r_, t_ in zip(rss, touched)], "MiB", 5.0)
    figure("memory_anon_mib", "lstar anonymous (private) RSS after the guest RAM is freed",
           [a / 1024 for a in anon], "MiB",
           note="the rest of the peak is shared library and binary pages (page cache)")
    figure("memory_peak_rss_mib", "lstar peak RSS", [r_ / 1024 for r_ in rss], "MiB")
    figure("memory_guest_touched_mib", "guest RAM touched", [t_ / 1024 for t_ in touched], "MiB")


# --- 3. Doors and modes ------------------------------------------------------------------------------
def doors():
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
           steps("--no-guest-events"), "insns", 60)
    figure("ring0_direct_events", "ring-0 instructions per getpid, direct, guest events on", steps(), "insns")
    pti = steps("--no-guest-events", "--entry", "pti")
    d = [r_ for r_ in results["figures"] if r_["key"] == "ring0_direct"][0]
    if pti:
        figure("ring0_pti_added", "ring-0 instructions PTI adds per getpid", [pti[0] - d["median"]], "insns", 16)
    else:
        figure("ring0_pti_added", "ring-0 instructions PTI adds per getpid", [], "insns", 16, pending=True,
               note="pti run failed on this host (see docs/benchmarks.md)")


# --- 4. Tracing cost ---------------------------------------------------------------------------------
def tracing():
    plain, traced, host, strace = [], [], [], []
    has_strace = shutil.which("strace")
    for _ in range(max(1, RUNS // 2)):
        plain.append(lstar_ms(run([LSTAR, "run", "--no-guest-events", "--init", "getpid_loop", "--", str(M)])))
        traced.append(lstar_ms(run([LSTAR, "run", "--no-guest-events", "--trace", "syscalls", "--init", "getpid_loop",
                                    "--", str(M)])))
        host.append(timed([HOST, "loop", str(M)])[0] * 1000)
        if has_strace:
            strace.append(timed(["strace", "-f", "-o", "/dev/null", HOST, "loop", str(M)])[0] * 1000)
    lstar_added = [(t - p) * 1000 / M for t, p in zip(traced, plain)]
    figure("trace_lstar_added_us", f"lstar --trace syscalls, added cost per getpid ({M} calls)", lstar_added, "us")
    if has_strace:
        strace_added = [(s - h) * 1000 / M for s, h in zip(strace, host)]
        figure("trace_strace_added_us", f"strace -f, added cost per host getppid ({M} calls)", strace_added, "us")
        figure("trace_ratio", "tracing cost per syscall, lstar / strace", [a / b for a, b in zip(lstar_added, strace_added)],
               "x", 1.0)
    figure("trace_untraced_us", "guest getpid round trip, untraced", [p * 1000 / M for p in plain], "us")


# --- 6. Exit-log throughput -----------------------------------------------------------------------------
def exit_log_throughput():
    rate, cpu_rate, close = [], [], []
    for _ in range(RUNS):
        p = run([ELT, f"{TMP}/elt.jsonl", "100000" if Q else "1000000"])
        rate.append(float(re.search(r" records_per_s=([0-9.]+)", p.stdout).group(1)))
        cpu_rate.append(float(re.search(r"cpu_records_per_s=([0-9.]+)", p.stdout).group(1)))
        close.append(float(re.search(r"close_seconds=([0-9.]+)", p.stdout).group(1)) * 1000)
        os.unlink(f"{TMP}/elt.jsonl")
    figure("exit_log_records_per_s", "exit-log records encoded and written (write(2)) per second of CPU time",
           cpu_rate, "rec/s", 1e6, better="higher", note="what the encoder does with a core to itself")
    figure("exit_log_wall_records_per_s", "exit-log records per second of wall time (shared machine)", rate, "rec/s")
    figure("exit_log_close_ms", "exit-log close: last flush and fsync() of the file, once per run", close, "ms")


if args.from_json:
    results = json.load(open(args.from_json))
    MACHINE = results["machine"]
else:
    for step in (exit_round_trip, cold_start, doors, tracing, exit_log_throughput):
        print(f"bench: {step.__name__} ...", file=sys.stderr, flush=True)
        step()
os.rmdir(TMP)

# --- the table ---------------------------------------------------------------------------------------
def fmt(v, unit):
    if unit == "rec/s":
        return f"{v / 1e6:.2f}M"
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


MACHINE.setdefault("load_at_end", os.getloadavg()[0])
print(f"machine: {MACHINE['host']}, {MACHINE['kvm']} ({MACHINE.get('tier', 'host')}), {MACHINE['cpus']} CPUs ({MACHINE['cpu']}), {MACHINE['date']}, "
      f"load average {MACHINE['load_at_start']:.1f} at start, {MACHINE['load_at_end']:.1f} at end; "
      f"medians over {RUNS} interleaved runs (range)")
print(f"{'figure':<78} {'median':>9} {'range':>19} {'unit':<6} target")
for f in results["figures"]:
    if f.get("pending"):
        print(f"{f['what']:<78} {'pending':>9} {'':>19} {f['unit']:<6} {f.get('note', '')}")
        continue
    tgt = ""
    if "target" in f:
        tgt = f"{'<=' if f['key'] != 'exit_log_records_per_s' else '>='} {fmt(f['target'], f['unit'])} " + \
              ("met" if f["met"] else "NOT met")
    rng = f"{fmt(f['min'], f['unit'])}-{fmt(f['max'], f['unit'])}"
    print(f"{f['what']:<78} {fmt(f['median'], f['unit']):>9} {rng:>19} {f['unit']:<6} {tgt} {f.get('note', '')}".rstrip())

# The same table as Markdown, for docs/benchmarks.md.
md = [f"| figure | median | range | target |", "|---|---|---|---|"]
for f in results["figures"]:
    if f.get("pending"):
        md.append(f"| {f['what']} | pending | | {f.get('note', '')} |")
        continue
    tgt = ""
    if "target" in f:
        tgt = f"{'≥' if f['key'] == 'exit_log_records_per_s' else '≤'} {fmt(f['target'], f['unit'])}: " + \
              ("**met**" if f["met"] else "**not met**")
    note = f" ({f['note']})" if f.get("note") else ""
    md.append(f"| {f['what']}{note} | {fmt(f['median'], f['unit'])} {f['unit']} | {fmt(f['min'], f['unit'])}–"
              f"{fmt(f['max'], f['unit'])} | {tgt} |")
with open(f"{B}/bench-results.md", "w") as fh:
    fh.write("\n".join(md) + "\n")

json_path = args.json or f"{B}/bench-results.json"
with open(json_path, "w") as fh:
    json.dump(results, fh, indent=1)
print(f"bench: figures in {json_path}", file=sys.stderr)

# --- the chart: every targeted figure as measured / target (below 1 = met), with its range ---------------
png = args.png or f"{B}/bench-results.png"
CHART_LABELS = {"exit_pio_ratio": "PIO exit\\n/ raw", "exit_pio_log_ratio": "PIO + log\\n/ raw",
                "exit_mmio_ratio": "MMIO exit\\n/ raw", "cold_vs_raw": "cold start\\n/ raw",
                "cold_vs_microvm": "cold start\\n/ microvm", "memory_monitor_mib": "RSS-guest\\n/ 5 MiB",
                "ring0_direct": "ring 0\\n/ 60 insns", "ring0_pti_added": "PTI adds\\n/ 16",
                "trace_ratio": "trace\\n/ strace", "exit_log_records_per_s": "exit log\\n1M rec/s"}
if shutil.which("gnuplot"):
    dat = f"{B}/bench-chart.dat"
    with open(dat, "w") as fh:
        for f in results["figures"]:
            if "target" not in f or f.get("pending"):
                continue
            t = f["target"]
            lo, med, hi = (f["min"] / t, f["median"] / t, f["max"] / t)
            if f["key"] == "exit_log_records_per_s":  # higher is better: plot target / measured
                lo, med, hi = t / f["max"], t / f["median"], t / f["min"]
            fh.write(f"\"{CHART_LABELS.get(f['key'], f['key'])}\" {med} {lo} {hi}\n")
    dat2 = f"{B}/bench-chart-exits.dat"
    with open(dat2, "w") as fh:  # the exit round trips themselves, in microseconds
        for key, label in (("exit_pio_raw_us", "PIO raw KVM"), ("exit_pio_lstar_us", "PIO lstar"),
                           ("exit_pio_lstar_log_us", "PIO lstar\\n+ exit log"), ("exit_mmio_raw_us", "MMIO raw KVM"),
                           ("exit_mmio_lstar_us", "MMIO lstar"), ("exit_hlt_raw_us", "HLT raw KVM")):
            f = next((x for x in results["figures"] if x["key"] == key and "median" in x), None)
            if f:
                fh.write(f"\"{label}\" {f['median']} {f['min']} {f['max']}\n")
    script = f"""
set terminal pngcairo size 1400,560 font ',10' noenhanced
set output '{png}'
set multiplot layout 1,2 title "lstar benchmarks on {MACHINE['host']} ({MACHINE['kvm']}, {MACHINE['cpus']} CPUs, {MACHINE['date']}); medians, bars = range over the interleaved runs"
set style fill solid 0.6
set boxwidth 0.6
set xtics font ',9'
set bmargin 5
set grid ytics
set key off
set title 'each target: measured / target (below the red line = met)'
set logscale y
set yrange [0.05:20]
set ylabel 'measured / target (log scale)'
plot '{dat}' using 0:2:xtic(1) with boxes lc rgb '#4a7ebb', '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0, 1 with lines lc rgb 'red' lw 2
unset logscale y
set yrange [0:*]
set title 'one VM exit round trip (guest loop with the exit minus the same loop without)'
set ylabel 'microseconds'
plot '{dat2}' using 0:2:xtic(1) with boxes lc rgb '#6a9f58', '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0
unset multiplot
"""
    p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if p.returncode == 0:
        print(f"bench: chart in {png}", file=sys.stderr)
    else:
        print(f"bench: gnuplot failed: {p.stderr}", file=sys.stderr)
else:
    print("bench: no gnuplot (apt-get install gnuplot-nox): no chart", file=sys.stderr)

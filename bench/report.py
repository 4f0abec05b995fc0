"""bench/run.py's output: the table on stdout, the Markdown tables, the JSON and the gnuplot chart."""
import json
import shutil
import subprocess
import sys


def write(results, args, B):
    MACHINE = results["machine"]
    # --- the tables --------------------------------------------------------------------------------------
    def fmt(v, unit):
        if unit == "rec/s":
            return f"{v / 1e6:.2f}M"
        return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


    def verdict(f, md=False):
        if "target" not in f or f.get("pending"):
            return ""
        op = ("≥" if md else ">=") if f.get("better") == "higher" else ("≤" if md else "<=")
        yes = "**met**" if md else "met"
        no = "**not met**" if md else "NOT met"
        return f"{op} {fmt(f['target'], f['unit'])}: {yes if f['met'] else no}"


    mc = MACHINE
    head = (f"{mc['host']}, {mc['kvm']} ({mc.get('tier', 'host')}), {mc['cpus']} CPUs ({mc['cpu']}), {mc['date']}; "
            f"load average {mc['load_at_start']:.1f} at start, {mc.get('load_at_end', 0):.1f} at end; "
            f"{mc.get('runs', '?')} interleaved repetitions, N = {mc.get('n', '?')} exits per loop, "
            f"M = {mc.get('m', '?')} getpid calls, {mc.get('cold', '?')} cold starts of each kind")
    print("machine: " + head)
    print(f"{'figure':<86} {'median':>9} {'range':>19} {'unit':<6} target")
    for f in results["figures"]:
        if f.get("pending"):
            print(f"{f['what']:<86} {'pending':>9} {'':>19} {f['unit']:<6} {f.get('note', '')}")
            continue
        rng = f"{fmt(f['min'], f['unit'])}-{fmt(f['max'], f['unit'])}"
        print(f"{f['what']:<86} {fmt(f['median'], f['unit']):>9} {rng:>19} {f['unit']:<6} {verdict(f)} {f.get('note', '')}".rstrip())

    # The same as Markdown for docs/benchmarks.md: the targets first, then every figure by group.
    GROUPS = [("exit", "Exits, per exit (loop minus nop loop)"), ("cold", "Cold start"), ("stages", "lstar's cold-start stages"),
              ("memory", "Memory and size"), ("doors", "Doors and modes"), ("trace", "Tracing"), ("log", "Exit log")]
    md = [f"Measured on {head}.", "", "#### Targets", "", "| target | median | range | runs | met? |", "|---|---|---|---|---|"]
    for f in results["figures"]:
        if "target" in f:
            if f.get("pending"):
                md.append(f"| {f['what']} | pending | | | {f.get('note', '')} |")
            else:
                md.append(f"| {f['what']} | {fmt(f['median'], f['unit'])} {f['unit']} | {fmt(f['min'], f['unit'])}–"
                          f"{fmt(f['max'], f['unit'])} | {f['n']} | {verdict(f, True)} |")
    for g, title in GROUPS:
        rows = [f for f in results["figures"] if f.get("group", "other") == g]
        if not rows:
            continue
        md += ["", f"#### {title}", "", "| figure | median | range | runs |", "|---|---|---|---|"]
        for f in rows:
            note = f" ({f['note']})" if f.get("note") else ""
            if f.get("pending"):
                md.append(f"| {f['what']}{note} | pending | | |")
            else:
                md.append(f"| {f['what']}{note} | {fmt(f['median'], f['unit'])} {f['unit']} | {fmt(f['min'], f['unit'])}–"
                          f"{fmt(f['max'], f['unit'])} | {f['n']} |")
    md_path = args.md or f"{B}/bench-results.md"
    with open(md_path, "w") as fh:
        fh.write("\n".join(md) + "\n")

    json_path = args.json or f"{B}/bench-results.json"
    with open(json_path, "w") as fh:
        json.dump(results, fh, indent=1)
    print(f"bench: figures in {json_path}, tables in {md_path}", file=sys.stderr)

    # --- the chart: every targeted figure as measured / target (below 1 = met), and the per-exit costs -------
    png = args.png or f"{B}/bench-results.png"
    CHART_LABELS = {"exit_pio_ratio": "PIO exit / raw", "exit_pio_log_ratio": "PIO + log / raw",
                    "exit_mmio_ratio": "MMIO exit / raw", "cold_vs_raw": "cold / raw",
                    "cold_vs_microvm": "cold / microvm", "cold_static_vs_microvm": "static cold / microvm",
                    "memory_monitor_mib": "RSS-guest / 4 MiB", "memory_monitor_mib_static": "static RSS-guest / 4 MiB",
                    "ring0_direct": "ring 0 / 60 insns", "ring0_pti_added": "PTI adds / 16",
                    "trace_ratio": "trace / strace", "exit_log_records_per_s": "1M rec/s / log rate"}
    if png == "none":
        pass
    elif shutil.which("gnuplot"):
        dat = f"{png}.targets.dat"
        with open(dat, "w") as fh:
            for f in results["figures"]:
                if "target" not in f or f.get("pending"):
                    continue
                t = f["target"]
                lo, med, hi = (f["min"] / t, f["median"] / t, f["max"] / t)
                if f.get("better") == "higher":  # plot target / measured: below 1 = met here too
                    lo, med, hi = t / f["max"], t / f["median"], t / f["min"]
                label = CHART_LABELS.get(f["key"], f["key"]).replace("4 MiB", f"{t:g} MiB")
                fh.write(f"\"{label}\" {med} {lo} {hi}\n")
        dat2 = f"{png}.exits.dat"
        with open(dat2, "w") as fh:
            for key, label in (("exit_pio_raw_us", "PIO raw KVM"), ("exit_pio_lstar_us", "PIO lstar"),
                               ("exit_pio_lstar_log_us", "PIO lstar + log"), ("exit_mmio_raw_us", "MMIO raw KVM"),
                               ("exit_mmio_lstar_us", "MMIO lstar"), ("exit_lstar_monitor_us", "lstar monitor time")):
                f = next((x for x in results["figures"] if x["key"] == key and "median" in x), None)
                if f:
                    fh.write(f"\"{label}\" {f['median']} {f['min']} {f['max']}\n")
        script = f"""
    set terminal pngcairo size 1500,620 font ',10' noenhanced
    set output '{png}'
    set multiplot layout 1,2 title "lstar benchmarks: {mc['kvm']} ({mc.get('tier', 'host')}), {mc['date']}; medians, bars = range over {mc.get('runs', '?')} interleaved repetitions"
    set style fill solid 0.6
    set boxwidth 0.6
    set xtics rotate by -35 font ',9' nomirror
    set bmargin 9
    set grid ytics
    set key off
    set title 'each target: measured / target (below the red line = met)'
    set logscale y
    set yrange [0.02:50]
    set ylabel 'measured / target (log scale)'
    plot '{dat}' using 0:2:xtic(1) with boxes lc rgb '#4a7ebb', '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0, 1 with lines lc rgb 'red' lw 2
    unset logscale y
    set yrange [0:*]
    set title 'one VM exit (guest loop with the exit minus the same loop with a nop, per exit)'
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

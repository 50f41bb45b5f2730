#!/usr/bin/env python3
"""Draw a grouped horizontal bar chart of throughput from one or more CSV
files written by bench/peers.py (or converted to its columns).

    python3 bench/chart.py bench/peers_1t.csv bench/peers_2t.csv --out bench/throughput.svg
    python3 bench/chart.py bench/*.csv --threads 1 --out bench/throughput_1t.svg

CSV columns: library,op,dtype,shape,threads,median_us,throughput,unit; lines
starting with '#' are skipped. One panel per op family (softmax; relu, with
each library's `copy` rows drawn as a memory-bandwidth yardstick converted to
Gelem/s; dense and dense_relu; chapter_forward when present), one group of
bars per (op, dtype, shape[, threads]), one bar per library. Runs in
bench/.venv (made by peers.py) for matplotlib.
"""

import argparse
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FAMILY = {"softmax": "softmax", "relu": "relu", "copy": "relu",
          "dense": "dense", "dense_relu": "dense", "chapter_forward": "chapter_forward"}
FAMILY_ORDER = ["softmax", "relu", "dense", "chapter_forward"]
FAMILY_TITLE = {"softmax": "softmax over rows (rows x cols)",
                "relu": "ReLU, n elements (copy = memory yardstick)",
                "dense": "dense X·W+b (m x k x n)",
                "chapter_forward": "chapter forward pass (300 spiral samples)"}
# preferred library order (then anything else in order of appearance)
LIB_ORDER = ["nn-kernels", "numpy", "onnxruntime_const", "onnxruntime", "pytorch"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", nargs="+", help="CSV files (peers.py format)")
    p.add_argument("--out", default=str(HERE / "throughput.svg"), help="SVG file to write")
    p.add_argument("--threads", type=int, default=None, help="keep only rows with this thread count")
    p.add_argument("--families", default="", help="comma list of panels: "
                   + ",".join(FAMILY_ORDER) + " (default: all present)")
    p.add_argument("--linear", action="store_true", help="linear x axis (default log)")
    p.add_argument("--title", default=None)
    return p.parse_args(argv)


def read_rows(paths):
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            lines = [ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
        for r in csv.DictReader(lines):
            try:
                r["threads"] = int(r["threads"])
                r["throughput"] = float(r["throughput"])
            except (KeyError, TypeError, ValueError):
                print(f"skipping malformed row in {path}: {r}", file=sys.stderr)
                continue
            r["_src"] = str(path)
            rows.append(r)
    return rows


def main():
    args = parse_args(sys.argv[1:])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(HERE))
        import peers
        peers.reexec_in_venv(__file__, sys.argv[1:], want_torch=False)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams["svg.fonttype"] = "none"     # keep text as text in the SVG

    rows = read_rows(args.csv)
    if args.threads is not None:
        rows = [r for r in rows if r["threads"] == args.threads]
    if not rows:
        sys.exit("no rows to plot (check the files and --threads)")
    multi_threads = len({r["threads"] for r in rows}) > 1
    want = [f for f in args.families.split(",") if f] or FAMILY_ORDER

    # data[family][category][library] = throughput; categories keep file order
    data, units, libs_seen = {}, {}, []
    for r in rows:
        fam = FAMILY.get(r["op"])
        if fam is None or fam not in want:
            continue
        lib, op, thr, unit = r["library"], r["op"], r["throughput"], r["unit"]
        if op == "copy":                      # bytes -> elements (4 B read + 4 B written, f32)
            per_elem = 8 if r["dtype"] == "f32" else 16
            thr = thr / per_elem if unit == "GB/s" else thr
            unit = "Gelem/s"
            lib = f"{lib} copy (yardstick)"
            op = "relu"
        cat = f"{'dense+relu' if op == 'dense_relu' else op} {r['dtype']} {r['shape']}"
        if multi_threads:
            cat += f" · {r['threads']}t"
        fam_data = data.setdefault(fam, {})
        cell = fam_data.setdefault(cat, {})
        if lib in cell:
            print(f"note: duplicate {lib} / {cat}; keeping the one from {r['_src']}",
                  file=sys.stderr)
        cell[lib] = thr
        units.setdefault(fam, set()).add(unit)
        if lib not in libs_seen:
            libs_seen.append(lib)

    for fam, cats in data.items():              # same case, several thread counts: adjacent
        base_order = {}
        for cat in cats:
            base_order.setdefault(cat.split(" · ")[0], len(base_order))
        data[fam] = dict(sorted(cats.items(), key=lambda kv: (
            base_order[kv[0].split(" · ")[0]], kv[0].split(" · ")[-1])))

    fams = [f for f in FAMILY_ORDER if f in data]
    if not fams:
        sys.exit("no rows of a known op (softmax, relu, copy, dense, dense_relu, chapter_forward)")

    def lib_key(lib):
        base = lib.split(" copy")[0]
        rank = LIB_ORDER.index(base) if base in LIB_ORDER else len(LIB_ORDER) + libs_seen.index(lib)
        return (rank, "copy" in lib, lib)
    libs = sorted(libs_seen, key=lib_key)
    fixed = {"nn-kernels": "#d62728", "numpy": "#1f77b4", "onnxruntime_const": "#2ca02c",
             "onnxruntime": "#98df8a", "pytorch": "#ff7f0e"}
    spare = ["#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
    colors = {}
    for lib in libs:
        base = lib.split(" copy (yardstick)")[0]
        if base in fixed:
            colors[lib] = fixed[base]
        elif base in colors:
            colors[lib] = colors[base]
        else:
            colors[lib] = spare[len([c for c in set(colors.values()) if c in spare]) % len(spare)]

    from matplotlib.colors import to_rgba

    def bar_style(lib):
        if "copy (yardstick)" in lib:           # memory-copy yardstick: pale, hatched
            return dict(facecolor=to_rgba(colors[lib], 0.25), hatch="///",
                        edgecolor=colors[lib], linewidth=0.4)
        return dict(facecolor=colors[lib], edgecolor=colors[lib], linewidth=0.3)

    # layout in inches: every bar gets the same height, groups are separated by a gap
    BAR, GAP = 0.15, 0.12
    head = 0.55 + 0.22 * ((len(libs) + 2) // 3)       # title + legend rows
    panel_h = []
    for f in fams:
        nbars = sum(max(1, len(c)) for c in data[f].values())
        panel_h.append(nbars * BAR + len(data[f]) * GAP + 0.85)
    total_h = sum(panel_h) + head
    fig = plt.figure(figsize=(10, total_h))
    y_top = total_h - head
    from matplotlib.ticker import FuncFormatter, NullFormatter
    longest = max(len(c) for f in fams for c in data[f])
    left = min(0.45, 0.03 + 0.0068 * longest)
    for fam, ph in zip(fams, panel_h):
        # axes box in figure fractions, leaving room for tick labels and the x label
        ax = fig.add_axes((left, (y_top - ph + 0.55) / total_h, 0.96 - left, (ph - 0.85) / total_h))
        y_top -= ph
        yticks, ylabels, vals = [], [], []
        y = 0.0
        for cat, cell in data[fam].items():
            present = [lib for lib in libs if lib in cell]
            for i, lib in enumerate(present):
                v = cell[lib]
                vals.append(v)
                ax.barh(y + i, v, height=0.85, **bar_style(lib))
                ax.text(v, y + i, f" {v:.3g}", va="center", ha="left", fontsize=6.5)
            yticks.append(y + (len(present) - 1) / 2)
            ylabels.append(cat)
            y += len(present) + GAP / BAR
        ax.set_ylim(y - GAP / BAR + 0.5 - 0.0, -0.5 - 0.0)       # first group on top
        ax.set_yticks(yticks)
        ax.set_yticklabels(ylabels, fontsize=8)
        vmin, vmax = min(vals), max(vals)
        log = not args.linear and vmin > 0 and vmax / vmin > 20
        if log:
            ax.set_xscale("log")
            ax.set_xlim(vmin / 2.5, vmax * 3.0)                   # room for the value labels
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_xlim(0, vmax * 1.15)
        ax.set_xlabel(" / ".join(sorted(units[fam])) + (" (log scale)" if log else ""),
                      fontsize=8)
        ax.set_title(FAMILY_TITLE.get(fam, fam), fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.set_axisbelow(True)

    from matplotlib.patches import Patch
    handles = [Patch(label=lib, **bar_style(lib)) for lib in libs]
    thr_txt = (f"{args.threads} thread{'s' if args.threads != 1 else ''}"
               if args.threads is not None else
               "threads: " + ", ".join(str(t) for t in sorted({r['threads'] for r in rows})))
    title = args.title or f"Throughput, higher is better ({thr_txt})"
    fig.text(0.02, 1 - 0.3 / total_h, title, fontsize=11, va="center")
    fig.legend(handles=handles, loc="upper left", fontsize=8, ncol=3, frameon=False,
               bbox_to_anchor=(left, 1 - 0.45 / total_h))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lstrip(".") or "svg")
    print(f"wrote {out} ({len(fams)} panels, {len(libs)} libraries, {len(rows)} rows read)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Markdown table of %peak per case from nbench results: JSON (nbench run
-o x.json) or markdown (-o x.md, whose %peak column is read as printed, for
builds older than the JSON's peak_pct).

usage: ci/peak-table.py LABEL=FILE[+FILE...] [LABEL=FILE[+FILE...] ...]

One row per case (kernel and shape) of the first file's backend rows, one
column per file: "share ceiling" (e.g. "83% DRAM"), "-" where a file has no
share for the case. Files written before peak_pct existed are read too:
their share is taken from nothing and shown as "-". Several files joined
by "+" (repeated runs) give each case's median share (the lower middle of
an even count): on a shared VM DRAM speed moves between moments, so take
runs at several moments, each against the ceilings measured up to then.
Results of run --peak-now add their share of the ceiling measured after
each sample ("71% DRAM (98% now)"; its own median over the runs). A last
row per column counts the memory-bound shares at or above 80%, of the
peak file and, where measured, now.
"""
import json
import sys


def load_markdown(path):
    out = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 13 or cells[0] in ("suite", "---") or cells[0].startswith("-"):
            continue
        # suite kernel shape backend path median CI GB/s GFLOP/s GOP/s %peak err/tol verdict
        out[(cells[1], cells[2], cells[3])] = cells[10]
    return {}, out


def load(path):
    if path.endswith(".md"):
        return load_markdown(path)
    with open(path) as f:
        d = json.load(f)
    out = {}
    for r in d["results"]:
        key = (r["kernel"], r["shape"], r["backend"])
        pct = r.get("peak_pct")
        out[key] = None if pct is None else (pct, r.get("peak_ceiling", ""), r.get("bound", ""), r.get("peak_now_pct"))
    return d.get("env", {}), out


def load_median(paths):
    runs = {}
    for path in paths.split("+"):
        for k, v in load(path)[1].items():
            runs.setdefault(k, []).append(v)
    out = {}
    for k, vs in runs.items():
        shares = sorted((v for v in vs if isinstance(v, tuple)), key=lambda v: v[0])
        if shares:
            now = sorted(v[3] for v in shares if v[3] is not None)
            out[k] = shares[(len(shares) - 1) // 2][:3] + (now[(len(now) - 1) // 2] if now else None,)
        else:
            out[k] = next((v for v in vs if v is not None), None)
    return out


def cell(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if v[3] is None:
        return f"{v[0]:.0f}% {v[1]}"
    return f"{v[0]:.0f}% {v[1]} ({v[3]:.0f}% now)"


def main(args):
    if not args or any("=" not in a for a in args):
        sys.exit(__doc__)
    cols = []
    for a in args:
        label, paths = a.split("=", 1)
        cols.append((label, load_median(paths)))
    keys = list(cols[0][1].keys())
    for _, c in cols[1:]:
        keys += [k for k in c if k not in keys]
    print("| kernel | shape | backend | " + " | ".join(l for l, _ in cols) + " |")
    print("|---|---|---|" + "---|" * len(cols))
    for k in keys:
        print(f"| {k[0]} | {k[1]} | {k[2]} | " + " | ".join(cell(c.get(k)) for _, c in cols) + " |")
    counts = []
    for _, c in cols:
        mem = [v for v in c.values() if isinstance(v, tuple) and v[2] == "memory"]
        now = [v for v in mem if v[3] is not None]
        count = f"{sum(v[0] >= 80 for v in mem)} of {len(mem)}" if mem else "-"
        if now:
            count += f" ({sum(v[3] >= 80 for v in now)} of {len(now)} now)"
        counts.append(count)
    print("| memory-bound at >= 80% | | | " + " | ".join(counts) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])

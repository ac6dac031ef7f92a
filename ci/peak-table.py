#!/usr/bin/env python3
"""Markdown table of %peak per case from nbench results: JSON (nbench run
-o x.json) or markdown (-o x.md, whose %peak column is read as printed, for
builds older than the JSON's peak_pct).

usage: ci/peak-table.py LABEL=FILE [LABEL=FILE ...]

One row per case (kernel and shape) of the first file's backend rows, one
column per file: "share ceiling" (e.g. "83% DRAM"), "-" where a file has no
share for the case. Files written before peak_pct existed are read too:
their share is taken from nothing and shown as "-".
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
        out[key] = "-" if pct is None else f"{pct:.0f}% {r.get('peak_ceiling', '')}"
    return d.get("env", {}), out


def main(args):
    if not args or any("=" not in a for a in args):
        sys.exit(__doc__)
    cols = []
    for a in args:
        label, path = a.split("=", 1)
        cols.append((label, load(path)[1]))
    keys = list(cols[0][1].keys())
    for _, c in cols[1:]:
        keys += [k for k in c if k not in keys]
    print("| kernel | shape | backend | " + " | ".join(l for l, _ in cols) + " |")
    print("|---|---|---|" + "---|" * len(cols))
    for k in keys:
        print(f"| {k[0]} | {k[1]} | {k[2]} | " + " | ".join(c.get(k, "-") for _, c in cols) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])

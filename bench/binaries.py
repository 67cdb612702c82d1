#!/usr/bin/env python3
"""Two cxscore binaries on one project: which is faster, per round.

    python3 bench/binaries.py PROJECT OLD_BINARY NEW_BINARY [--runs 9]

Builds PROJECT with each binary back to back (`--no-cache --quiet`, under
`/usr/bin/time`), swapping their order every round, then prints each binary's
median and minimum wall and user CPU, its peak RSS, and the median of the
per-round ratios new / old (the two builds of a round run seconds apart, so
the shared machine's drift disturbs their ratio less than either time), with
how many rounds the new binary was faster. The two sites must be
byte-identical (`diff -r`); the script says so or stops. With `--close`, only
the pages must be: metrics.json (and report.xlsx, which holds the same
numbers) may differ in the last digits, as when a file once streamed is summed
in pieces, within 1e-9 relative (the tolerance of the CLI tests that compare pieces with one piece). Timings are never
asserted by a test: this script is the measurement (docs/PERFORMANCE.md).
"""

import argparse
import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parquet import timed  # noqa: E402  ((wall, user CPU, peak RSS) under /usr/bin/time)


def largest_relative_difference(a, b):
    """The largest relative difference between two JSON values' numbers; inf when their
    structure, strings or integers differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return math.inf
        return max((largest_relative_difference(a[k], b[k]) for k in a), default=0.0)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return math.inf
        return max((largest_relative_difference(x, y) for x, y in zip(a, b)), default=0.0)
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return abs(a - b) / max(abs(a), abs(b), 1e-300) if a != b else 0.0
    return 0.0 if a == b else math.inf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--work", default="/tmp/cxscore-binaries")
    ap.add_argument("--close", action="store_true",
                    help="accept metrics.json and report.xlsx differing in the last digits "
                         "(a change of summation order): pages must still be identical and "
                         "metrics.json agree to 1e-9 relative (the tolerance of the CLI tests that compare pieces with one piece)")
    args = ap.parse_args()
    sites = {b: f"{args.work}/site-{i}" for i, b in enumerate((args.old, args.new))}
    times = {args.old: [], args.new: []}
    for r in range(args.runs):
        order = (args.old, args.new) if r % 2 == 0 else (args.new, args.old)
        for exe in order:
            times[exe].append(timed([exe, "build", args.project, "--no-cache", "--quiet",
                                     "--out", sites[exe]]))
    if not args.close:
        if subprocess.run(["diff", "-rq", sites[args.old], sites[args.new]]).returncode != 0:
            sys.exit("the two sites differ")
        print(f"{args.project}, {args.runs} rounds; the two sites are byte-identical")
    else:
        exclude = ["-x", "metrics.json", "-x", "report.xlsx"]
        if subprocess.run(["diff", "-rq", *exclude, sites[args.old], sites[args.new]]).returncode:
            sys.exit("the two sites' pages differ")
        worst = largest_relative_difference(
            json.load(open(f"{sites[args.old]}/metrics.json")),
            json.load(open(f"{sites[args.new]}/metrics.json")))
        if worst > 1e-9:
            sys.exit(f"metrics.json differs by {worst:.3g} relative")
        print(f"{args.project}, {args.runs} rounds; pages byte-identical, metrics.json "
              f"within {worst:.3g} relative")
    print("| binary | wall s (median, min) | user CPU s (median, min) | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for name, exe in (("old", args.old), ("new", args.new)):
        t = times[exe]
        wall, user = [x[0] for x in t], [x[1] for x in t]
        print(f"| {name} | {statistics.median(wall):.2f} ({min(wall):.2f}) | "
              f"{statistics.median(user):.2f} ({min(user):.2f}) | {max(x[2] for x in t):.0f} |")
    ratios = [n[1] / o[1] for o, n in zip(times[args.old], times[args.new])]
    walls = [n[0] / o[0] for o, n in zip(times[args.old], times[args.new])]
    print(f"new / old per round: user CPU median {statistics.median(ratios):.3f} "
          f"({sum(r < 1 for r in ratios)} of {len(ratios)} rounds below 1), "
          f"wall median {statistics.median(walls):.3f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Parquet vs CSV (SPEC §12): the same survey rows, read from each format.

    python3 bench/parquet.py                    # 2M rows, 5 alternating runs each
    python3 bench/parquet.py --rows 200000 --runs 3 --debug --no-write

Generates the example's survey shape with the example generator
(`--single-file`), converts it with `cargo run --example csv2parquet` (DATE,
DOUBLE and UTF8 columns, snappy, row groups of 262,144 rows), makes two copies
of example-project/ whose survey dataset is that one file (CSV in one, Parquet
in the other; tickets and the CRM lookup table are the generator's CSV in both),
then alternates `cxscore build --no-cache` on both under
`/usr/bin/time -f "%e %U %M"` (wall, user CPU, peak RSS), the order swapped every
round so a drift of the machine's speed favours neither. Two shapes: the example
project whole (`all`), and the same project `lean, no topics` (bench/features.py:
no bootstrap, follow-up list, raking, CRM join or topics), where reading is a
larger share of the build. It checks that the two `metrics.json` agree to 1e-9,
and writes the medians (seconds, rows per second) and the median of the
per-round ratios Parquet / CSV (the pairs ran back to back, so the ratio is less
noisy than either time) between the `bench:parquet` markers of
docs/PERFORMANCE.md. `--no-build` uses
the binaries already in target/ (`cargo build --release --bin cxscore --example
gen --example csv2parquet`). `--debug` uses the debug binaries (no release
build; numbers then say nothing about speed, only that the script works).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def timed(cmd):
    """(wall s, user CPU s, peak RSS MB) of one run, as /usr/bin/time measures them."""
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %M"] + cmd, text=True, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    wall, user, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user), int(rss) / 1024


def close(a, b, path=""):
    """The paths where two metrics.json differ (floats to 1e-9 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [path]
        return [p for k in a for p in close(a[k], b[k], f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [path]
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in close(x, y, f"{path}[{i}]")]
    if isinstance(a, float) or isinstance(b, float):
        ok = isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
        return [] if ok else [path]
    return [] if a == b else [path]


def project(work, name, data_file, tickets, crm):
    proj = work / name
    if proj.exists():
        shutil.rmtree(proj)
    shutil.copytree(ROOT / "example-project", proj, ignore=shutil.ignore_patterns("*.csv", "_site", ".cxscore"))
    survey = proj / "data" / "survey"
    survey.mkdir(parents=True, exist_ok=True)
    os.link(data_file, survey / data_file.name)
    shutil.copy(tickets, proj / "data" / "tickets.csv")
    shutil.copy(crm, proj / "data" / "crm.csv")
    if data_file.suffix == ".parquet":
        yaml = proj / "cxscore.yaml"
        text = yaml.read_text()
        assert "path: data/survey/*.csv" in text
        yaml.write_text(text.replace("path: data/survey/*.csv", "path: data/survey/*.parquet"))
    return proj


def measure(exe, work, projects, rounds, shape):
    """Times of `rounds` rounds of both builds, back to back, the order swapped every round;
    whether their metrics.json agree."""
    wall = {k: [] for k in projects}
    user = {k: [] for k in projects}
    rss = {k: [] for k in projects}
    loads = [os.getloadavg()[0]]
    for round_ in range(rounds):
        order = list(projects.items())
        if round_ % 2:
            order.reverse()
        for kind, proj in order:
            w, u, r = timed([str(exe), "build", str(proj), "--out", str(work / f"site-{kind}-{shape}"),
                             "--quiet", "--no-cache"])
            print(f"{shape} {kind}: {w:.2f} s wall, {u:.2f} s user, {r:.0f} MB", file=sys.stderr)
            wall[kind].append(w)
            user[kind].append(u)
            rss[kind].append(r)
            loads.append(os.getloadavg()[0])
    metrics = {k: json.loads((work / f"site-{k}-{shape}" / "metrics.json").read_text()) for k in projects}
    differ = close(metrics["CSV"], metrics["Parquet"])
    if differ:
        print(f"{shape}: metrics.json differs between CSV and Parquet at {len(differ)} paths: {differ[:10]}",
              file=sys.stderr)
    return {"wall": wall, "user": user, "rss": rss, "loads": loads, "differ": differ}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="/tmp/cxscore-bench-parquet")
    ap.add_argument("--debug", action="store_true", help="debug binaries, no release build")
    ap.add_argument("--no-write", action="store_true", help="do not touch docs/PERFORMANCE.md")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--shapes", default="all,lean",
                    help="comma-separated: all (the example project), lean (lean, no topics)")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    profile = "debug" if args.debug else "release"
    build = ["cargo", "build", "--bin", "cxscore", "--example", "gen", "--example", "csv2parquet"]
    if not args.no_build:
        sh(build if args.debug else build + ["--release"], cwd=ROOT)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / profile
    exe, gen, conv = target / "cxscore", target / "examples" / "gen", target / "examples" / "csv2parquet"

    data = work / f"data-{args.rows}"
    csv, pq = data / "survey.csv", data / "survey.parquet"
    if not csv.exists():
        sh([str(gen), "--rows", str(args.rows), "--months", "12", "--tickets", "3600",
            "--single-file", "--out", str(data)])
    if not pq.exists():
        sh([str(conv), str(csv), str(pq)])
    shapes = args.shapes.split(",")
    if not set(shapes) <= {"all", "lean"}:
        sys.exit(f"unknown shape in --shapes {args.shapes}: all, lean")
    runs = {}
    for shape in shapes:
        suffix = "" if shape == "all" else "-lean"
        projects = {
            "CSV": project(work, f"csv-{args.rows}{suffix}", csv, data / "tickets.csv", data / "crm.csv"),
            "Parquet": project(work, f"parquet-{args.rows}{suffix}", pq, data / "tickets.csv", data / "crm.csv"),
        }
        if shape == "lean":
            from features import lean_no_topics  # imports this module: only here
            for proj in projects.values():
                lean_no_topics(proj)
        runs[shape] = measure(exe, work, projects, args.runs, shape)

    loads = [load for r in runs.values() for load in r["loads"]]
    agree = []
    for shape, r in runs.items():
        differ = r["differ"]
        agree.append(f"{shape}: agree to 1e-9" if not differ else
                     f"{shape}: differ (beyond 1e-9 relative) at {len(differ)} paths: "
                     + ", ".join(f"`{d}`" for d in differ[:6]) + (" …" if len(differ) > 6 else ""))
    begin, end = "<!-- bench:parquet:begin (written by bench/parquet.py) -->", "<!-- bench:parquet:end -->"
    lines = [
        begin,
        "",
        f"- Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; {sh([str(exe), '--version']).stdout.strip()} ({profile} build)",
        f"- Load average (1 min) during the runs: {min(loads):.2f}–{max(loads):.2f} (the machine is shared)",
        f"- Command: `python3 bench/parquet.py --rows {args.rows} --runs {args.runs} --shapes {args.shapes}{' --debug' if args.debug else ''}` "
        f"({args.runs} rounds per shape of `/usr/bin/time -f \"%e %U %M\" cxscore build PROJECT --no-cache --quiet` "
        "on both projects back to back, the order swapped every round); `metrics.json` of the two builds: "
        + "; ".join(agree),
        "",
        "| shape | survey file | MB | wall s (median, min–max) | user CPU s (median, min–max) | rows/s of wall | rows/s of user CPU | peak RSS MB (max) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for shape, r in runs.items():
        for kind, f in (("CSV", csv), ("Parquet", pq)):
            t, u, m = r["wall"][kind], r["user"][kind], r["rss"][kind]
            med, user = statistics.median(t), statistics.median(u)
            lines.append(
                f"| {shape} | {kind} | {f.stat().st_size / 1e6:.1f} | {med:.2f} ({min(t):.2f}–{max(t):.2f}) "
                f"| {user:.2f} ({min(u):.2f}–{max(u):.2f}) "
                f"| {args.rows / med:,.0f} | {args.rows / user:,.0f} | {max(m):.0f} |"
            )
    lines += ["", "Parquet / CSV per round (the two builds of a round ran back to back):", ""]
    for shape, r in runs.items():
        ratios = sorted(p / c for p, c in zip(r["user"]["Parquet"], r["user"]["CSV"]))
        walls = sorted(p / c for p, c in zip(r["wall"]["Parquet"], r["wall"]["CSV"]))
        lines.append(
            f"- {shape}: user CPU median {statistics.median(ratios):.3f} ({ratios[0]:.3f}–{ratios[-1]:.3f}; "
            f"below 1 in {sum(x < 1 for x in ratios)} of {len(ratios)} rounds), "
            f"wall median {statistics.median(walls):.3f} ({walls[0]:.3f}–{walls[-1]:.3f})"
        )
    lines += ["", end]
    block = "\n".join(lines)
    print(block)
    if not args.no_write:
        doc = ROOT / "docs" / "PERFORMANCE.md"
        text = doc.read_text()
        if begin not in text:
            sys.exit("docs/PERFORMANCE.md has no bench:parquet markers")
        doc.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The cxscore benchmark (issue 6): cxscore vs a DuckDB reference, side by side.

    python3 bench/run.py                      # 2M rows, 5 alternating runs each
    python3 bench/run.py --sizes 100000,1000000,2000000 --runs 3
    python3 bench/run.py --shape narrow --block narrow   # issue 19: ~88-byte rows

For each size it generates the example's survey shape with the example
generator (`--single-file`), makes a copy of example-project/ whose survey
dataset is that one file, then alternates `cxscore build` (the whole build:
read, compute, render, write) and `bench/duckdb_reference.py` (the same
aggregates in one GROUP BY GROUPING SETS scan, 2 threads), each under
`/usr/bin/time -v` for the peak RSS. `--shape narrow` uses the generator's
narrow-row project instead (`gen --narrow`: ~88-byte rows, four indicators,
three segments, four driver attributes) and DuckDB's `--shape narrow` query. Medians, the ratio and the machine are
written between the markers of docs/PERFORMANCE.md. Timings are never
asserted by a test; this script is the measurement.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def markers(block):
    return f"<!-- bench:{block}:begin (written by bench/run.py) -->", f"<!-- bench:{block}:end -->"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v: (wall seconds, peak RSS MB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, text=True, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return wall, rss, p.stdout + p.stderr


def prepare_narrow(rows, work, gen):
    proj = work / f"narrow-{rows}"
    csv = proj / "data" / "survey.csv"
    if not csv.exists():
        sh([str(gen), "--narrow", "--rows", str(rows), "--months", "12", "--out", str(proj)])
    return proj, csv


def prepare(rows, work, gen):
    data = work / f"data-{rows}"
    csv = data / "survey.csv"
    if not csv.exists():
        # 12 monthly periods and 3,600 tickets, as before the example grew to
        # 24 months (issue 13): the data shape of the earlier measurements.
        sh([str(gen), "--rows", str(rows), "--months", "12", "--tickets", "3600",
            "--single-file", "--out", str(data)])
    proj = work / f"proj-{rows}"
    if proj.exists():
        shutil.rmtree(proj)
    shutil.copytree(ROOT / "example-project", proj, ignore=shutil.ignore_patterns("*.csv"))
    (proj / "data" / "survey").mkdir(parents=True, exist_ok=True)
    os.link(csv, proj / "data" / "survey" / "survey.csv")
    shutil.copy(data / "tickets.csv", proj / "data" / "tickets.csv")
    # The CRM extract the survey joins (`lookup: { crm: customer_id }`, issue 16).
    if (data / "crm.csv").exists():
        shutil.copy(data / "crm.csv", proj / "data" / "crm.csv")
    return proj, csv


def load():
    return os.getloadavg()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000000", help="comma-separated survey row counts")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="/tmp/cxscore-bench")
    ap.add_argument("--no-duckdb", action="store_true", help="cxscore only (growth table)")
    ap.add_argument("--block", default="compare", help="which marked block of docs/PERFORMANCE.md to rewrite")
    ap.add_argument("--no-write", action="store_true", help="do not touch docs/PERFORMANCE.md")
    ap.add_argument("--shape", choices=["wide", "narrow"], default="wide",
                    help="the example's wide rows, or the narrow-row project (issue 19)")
    ap.add_argument("--threads", type=int, default=0, help="cxscore's RAYON_NUM_THREADS (0: all cores)")
    ap.add_argument("--no-cargo", action="store_true", help="use the release binaries as they are")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    if not args.no_cargo:
        sh(["cargo", "build", "--release", "--bin", "cxscore", "--example", "gen"], cwd=ROOT)
    exe = ROOT / "target" / "release" / "cxscore"
    gen = ROOT / "target" / "release" / "examples" / "gen"
    duck = [sys.executable, str(ROOT / "bench" / "duckdb_reference.py")]
    duck_args = ["--shape", args.shape]
    env = dict(os.environ)
    if args.threads:
        env["RAYON_NUM_THREADS"] = str(args.threads)

    lines = []
    loads = [load()]
    for rows in [int(s) for s in args.sizes.split(",")]:
        proj, csv = (prepare_narrow if args.shape == "narrow" else prepare)(rows, work, gen)
        mb = csv.stat().st_size / 1e6
        site = work / f"site-{args.shape}-{rows}"
        cx, dk, dk_query, cx_rss, dk_rss = [], [], [], [], []
        for i in range(args.runs):
            w, r, _ = timed([str(exe), "build", str(proj), "--out", str(site), "--quiet", "--no-cache"], env)
            cx.append(w)
            cx_rss.append(r)
            if not args.no_duckdb:
                w, r, out = timed(duck + [str(csv)] + duck_args)
                dk.append(w)
                dk_rss.append(r)
                dk_query.append(float(re.search(r"duckdb_query_seconds=([\d.]+)", out).group(1)))
            loads.append(load())
        # The cache: one build stores the partials, then unchanged rebuilds.
        # A file changed less than 3 s before it was hashed is hashed again on
        # every build (the cache's "racy" rule, docs/reference.md); wait until
        # the data is older than that, as a rebuild after a real drop would be.
        shutil.rmtree(proj / ".cxscore", ignore_errors=True)
        time.sleep(max(0.0, csv.stat().st_ctime + 3.5 - time.time()))
        timed([str(exe), "build", str(proj), "--out", str(site), "--quiet"])
        warm = [timed([str(exe), "build", str(proj), "--out", str(site), "--quiet"])[0] for _ in range(args.runs)]
        shutil.rmtree(proj / ".cxscore", ignore_errors=True)
        _, _, verbose = timed([str(exe), "build", str(proj), "--out", str(site), "-v", "--no-cache"])
        stages = "; ".join(
            l.strip() for l in verbose.splitlines() if re.match(r"\s+(load|compute|render|write)", l)
        )
        med = statistics.median(cx)
        row = {
            "rows": rows, "mb": mb, "cx": med, "cx_min": min(cx), "cx_max": max(cx),
            "mbps": mb / med, "cx_rss": max(cx_rss), "stages": stages,
            "warm": statistics.median(warm),
        }
        if dk:
            row.update(dk=statistics.median(dk), dkq=statistics.median(dk_query), dk_rss=max(dk_rss))
            row["ratio"] = med / row["dkq"]
        lines.append(row)
        print(row, flush=True)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    version = sh([str(exe), "--version"]).stdout.strip()
    duck_version = "-" if args.no_duckdb else sh(duck[:1] + ["-c", "import duckdb; print(duckdb.__version__)"]).stdout.strip()
    BEGIN, END = markers(args.block)
    out = [
        BEGIN,
        "",
        f"- Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; {version}; DuckDB {duck_version} (Python {platform.python_version()}, `SET threads = 2`)",
        f"- Machine: {cpu}, {os.cpu_count()} logical CPUs, {int(mem) // 1024} MiB RAM, {platform.system()} {platform.release()}",
        f"- Load average (1 min) during the runs: {min(l[0] for l in loads):.2f}–{max(l[0] for l in loads):.2f} (the machine is shared)",
        f"- Command: `python3 bench/run.py --sizes {args.sizes} --runs {args.runs}{' --no-duckdb' if args.no_duckdb else ''} --shape {args.shape}{f' --threads {args.threads}' if args.threads else ''} --block {args.block}` ({args.runs} alternating runs, medians)",
        "",
        "| rows | CSV MB | cxscore build s (median, min–max) | MB/s | cxscore peak RSS MB | unchanged rebuild s (cache) | rebuild / build | DuckDB query s | DuckDB process s | DuckDB peak RSS MB | ratio cxscore/DuckDB query |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in lines:
        d = lambda k, f: (f % r[k]) if k in r else "–"
        out.append(
            f"| {r['rows']:,} | {r['mb']:.0f} | {r['cx']:.2f} ({r['cx_min']:.2f}–{r['cx_max']:.2f}) | {r['mbps']:.0f} | {r['cx_rss']:.0f} | "
            f"{r['warm']:.3f} | {100 * r['warm'] / r['cx']:.0f} % | {d('dkq', '%.2f')} | {d('dk', '%.2f')} | {d('dk_rss', '%.0f')} | {d('ratio', '%.2f')} |"
        )
    out.append("")
    out.append("Stages of the last `-v` build per size:")
    out.append("")
    for r in lines:
        out.append(f"- {r['rows']:,} rows: {r['stages']}")
    out += ["", END]
    block = "\n".join(out)
    print(block)
    if not args.no_write:
        doc = ROOT / "docs" / "PERFORMANCE.md"
        text = doc.read_text() if doc.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
        if BEGIN not in text:
            text += f"\n{BEGIN}\n{END}\n"
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        doc.write_text(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The rendering benchmark of issue 6: many segment keys, periods and indicators.

    python3 bench/render.py                         # the issue's shape + the scaling series
    python3 bench/render.py --only 2000x20 --runs 5
    python3 bench/render.py --write                 # also rewrite the marked block of docs/PERFORMANCE.md

Issue 6 asks for >= 1,000 pages/s on 2 cores "for a project with 2,000
segment keys x 12 periods x 20 indicators", with no superlinear blow-up as
the project grows. This script generates such projects (Python standard
library only, deterministic: a fixed seed), builds each a few times with
`target/release/cxscore build -v --no-cache`, and reports the medians of the
render stage, the pages and the per-template breakdown that `-v` prints.

A generated project: one survey dataset, one CSV, 12 monthly periods
(2025-01..2025-12), one segment column `store` with K distinct keys, and I
indicators cycling through nps, csat, ces, top_box, bottom_box, mean and
share on eight columns. Every key has 2 rows a month (24 rows, n = 24 >=
min_n = 10), except every tenth key, which has 5 rows in all and is
suppressed: the site shows both kinds. Unweighted (n_eff = n).

What "pages" means here: a segment key is not a page. It is a row of the
segment table and a bar of the segment chart on each indicator page (and
again in report.html, which holds every indicator page), so the site has
I + a few pages whatever K is. The report therefore also gives the number of
segment rows rendered (I x K, on the indicator pages; report.html repeats
them) and the render time per 1,000 segment rows, which is what grows with K.
"""

import argparse
import datetime
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- bench:render:begin (written by bench/render.py) -->"
END = "<!-- bench:render:end -->"

# (metric, extra YAML keys, column, target, amber, direction)
METRICS = [
    ("nps", "", "q_recommend", 20, 10, "higher"),
    ("csat", "", "q_csat", 75, 65, "higher"),
    ("ces", "  scale: [1, 7]\n  mode: mean\n", "q_ces", 3, 3.5, "lower"),
    ("top_box", "  scale: [1, 5]\n", "a_price", 60, 50, "higher"),
    ("bottom_box", "  scale: [1, 5]\n", "a_speed", 10, 15, "lower"),
    ("mean", "  scale: [1, 5]\n", "a_install", 3.8, 3.5, "higher"),
    ("share", '  value: "yes"\n', "resolved", 70, 60, "higher"),
    ("csat", "", "a_support", 70, 60, "higher"),
]
MONTHS = 12
ROWS_PER_KEY_MONTH = 2
SPARSE_ROWS = 5  # every tenth key: fewer rows than min_n, suppressed
MIN_N = 10
# The issue's shape (2,000 keys x 20 indicators), keys growing (500..4,000), indicators
# growing (10..40), then pages growing (250..2,000 indicators of 50 keys: normal-sized pages).
SHAPES = [(500, 20), (1000, 20), (2000, 20), (4000, 20), (2000, 10), (2000, 40)] + [
    (50, n) for n in (250, 500, 1000, 2000)
]


def generate(proj, keys, indicators, seed=6):
    """Writes a project with `keys` segment keys and `indicators` indicators into `proj`."""
    if proj.exists():
        shutil.rmtree(proj)
    (proj / "data").mkdir(parents=True)
    (proj / "indicators").mkdir()
    (proj / "cxscore.yaml").write_text(
        "title: Render benchmark\n"
        "language: en\n"
        "period: month\n"
        f"min_n: {MIN_N}\n"
        "datasets:\n"
        "  survey:\n"
        "    path: data/survey.csv\n"
        "    date: { column: date }\n"
        "    segments: [store]\n"
    )
    lines = []
    for i in range(indicators):
        metric, extra, column, target, amber, direction = METRICS[i % len(METRICS)]
        lines.append(
            f"- id: ind-{i + 1:03}\n"
            f"  name: Indicator {i + 1} ({metric} of {column})\n"
            f"  kind: {'kci' if i % 2 == 0 else 'kqi'}\n"
            "  dataset: survey\n"
            f"  metric: {metric}\n"
            f"  column: {column}\n"
            f"{extra}"
            f"  target: {target}\n"
            f"  thresholds: {{ amber: {amber} }}\n"
            f"  direction: {direction}\n"
        )
    (proj / "indicators" / "generated.yaml").write_text("".join(lines))
    rng = random.Random(seed)
    rows = []
    for k in range(keys):
        store = f"store-{k + 1:05}"
        bias = rng.uniform(-1.5, 1.5)  # keys differ, so some test significant vs the rest
        if k % 10 == 9:
            slots = [(rng.randrange(MONTHS), rng.randint(1, 28)) for _ in range(SPARSE_ROWS)]
        else:
            slots = [(m, rng.randint(1, 28)) for m in range(MONTHS) for _ in range(ROWS_PER_KEY_MONTH)]
        for month, day in slots:
            rows.append((f"2025-{month + 1:02}-{day:02}", store, bias))
    rows.sort(key=lambda r: (r[0], r[1]))

    def scale(lo, hi, centre, bias):
        return min(hi, max(lo, round(rng.gauss(centre + bias, (hi - lo) / 4))))

    out = ["date,store,q_recommend,q_csat,q_ces,a_price,a_speed,a_install,a_support,resolved"]
    for date, store, bias in rows:
        out.append(
            ",".join(
                [
                    date,
                    store,
                    str(scale(0, 10, 7.5, bias)),
                    str(scale(1, 5, 3.9, bias / 2)),
                    str(scale(1, 7, 3.0, -bias / 2)),
                    str(scale(1, 5, 3.5, bias / 2)),
                    str(scale(1, 5, 3.6, bias / 2)),
                    str(scale(1, 5, 3.8, bias / 2)),
                    str(scale(1, 5, 3.7, bias / 2)),
                    "yes" if rng.random() < 0.7 + bias / 10 else "no",
                ]
            )
        )
    (proj / "data" / "survey.csv").write_text("\n".join(out) + "\n")
    return len(rows)


STAGE = re.compile(r"^  (load and validate|compute|render|write): ([0-9.]+) s$")
# "    indicator.html: 20 pages, 1.234 s" (the per-template lines of `-v`)
TEMPLATE = re.compile(r"^    (\S+): (\d+) (?:pages?|files?), ([0-9.]+) s(?: \(charts ([0-9.]+) s\))?$")


def build(binary, proj, threads=None):
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    p = subprocess.run(
        [str(binary), "build", "-v", "--no-cache", str(proj)], text=True, capture_output=True, env=env
    )
    if p.returncode != 0:
        sys.exit(f"build of {proj} failed:\n{p.stderr}")
    stages, templates = {}, {}
    for line in p.stderr.splitlines():
        if m := STAGE.match(line):
            stages[m.group(1)] = float(m.group(2))
        elif m := TEMPLATE.match(line):
            templates[m.group(1)] = (int(m.group(2)), float(m.group(3)), float(m.group(4) or 0))
    pages = int(re.search(r"built (\d+) pages", p.stderr).group(1))
    return stages, templates, pages


def segment_rows(proj):
    """Segment rows the indicator pages show: from metrics.json, independent of -v."""
    import json

    metrics = json.loads((proj / "_site" / "metrics.json").read_text())
    return sum(len(groups) for ind in metrics["indicators"] for groups in ind.get("segments", {}).values())


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="builds per project (medians)")
    ap.add_argument("--work", default="/tmp/cxscore-render-bench")
    ap.add_argument(
        "--only", default=None, help="KEYSxINDICATORS[,…], e.g. 2000x20 (default: the issue's shape and the series)"
    )
    ap.add_argument("--threads", type=int, default=None, help="RAYON_NUM_THREADS for cxscore")
    ap.add_argument("--no-build", action="store_true", help="use target/release/cxscore as it is")
    ap.add_argument("--binary", default=None, help="another cxscore binary (e.g. an older build, to compare)")
    ap.add_argument("--write", action="store_true", help="rewrite the render block of docs/PERFORMANCE.md")
    args = ap.parse_args()
    shapes = (
        [tuple(int(x) for x in s.split("x")) for s in args.only.split(",")]
        if args.only
        else SHAPES
    )
    binary = Path(args.binary) if args.binary else ROOT / "target" / "release" / "cxscore"
    if not args.no_build and not args.binary:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    loads = []
    results = []
    projects = []
    for keys, inds in shapes:
        proj = work / f"k{keys}-i{inds}"
        rows = generate(proj, keys, inds)
        build(binary, proj, args.threads)  # warm the page cache, not timed
        projects.append((keys, inds, proj, rows, []))
    # Round robin over the projects, so a burst of load on the shared machine
    # spreads over all of them instead of skewing one.
    for _ in range(args.runs):
        for keys, inds, proj, rows, runs in projects:
            loads.append(os.getloadavg()[0])
            runs.append(build(binary, proj, args.threads))
    for keys, inds, proj, rows, runs in projects:
        render = statistics.median(r[0]["render"] for r in runs)
        pages = runs[0][2]
        segs = segment_rows(proj)
        names = sorted({n for r in runs for n in r[1]})
        per_template = {
            n: (
                runs[0][1][n][0],
                statistics.median(r[1][n][1] for r in runs if n in r[1]),
                statistics.median(r[1][n][2] for r in runs if n in r[1]),
            )
            for n in names
        }
        res = dict(
            keys=keys,
            inds=inds,
            rows=rows,
            pages=pages,
            segs=segs,
            render=render,
            render_min=min(r[0]["render"] for r in runs),
            render_max=max(r[0]["render"] for r in runs),
            compute=statistics.median(r[0]["compute"] for r in runs),
            templates=per_template,
        )
        results.append(res)
        print(
            f"{keys} keys x {inds} indicators: {rows} rows, {pages} pages, {segs} segment rows; "
            f"render {render:.3f} s ({pages / render:.0f} pages/s, {render * 1e6 / segs:.1f} ms per 1,000 segment rows)",
            flush=True,
        )
        for n, (count, took, charts) in sorted(per_template.items(), key=lambda kv: (-kv[1][1], kv[0])):
            print(f"    {n}: {count}, {took:.3f} s (charts {charts:.3f} s)")
    block = report(results, loads, args)
    print(block)
    if args.write:
        path = ROOT / "docs" / "PERFORMANCE.md"
        text = path.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            text = head + BEGIN + "\n\n" + block + "\n" + END + tail
            path.write_text(text)
        else:
            sys.exit(f"docs/PERFORMANCE.md has no {BEGIN} … {END} block")


def report(results, loads, args):
    binary = Path(args.binary) if args.binary else ROOT / "target" / "release" / "cxscore"
    version = subprocess.run([str(binary), "--version"], text=True, capture_output=True).stdout.strip()
    cmd = "python3 bench/render.py" + (f" --only {args.only}" if args.only else "") + f" --runs {args.runs}"
    if args.threads:
        cmd = f"RAYON_NUM_THREADS={args.threads} " + cmd
    out = [
        f"- Date: {datetime.datetime.now():%Y-%m-%d %H:%M}; {version}",
        f"- Machine: {machine()}",
        f"- Load average (1 min) during the runs: {min(loads):.2f}–{max(loads):.2f} (the machine is shared)",
        f"- Command: `{cmd}` (one warm-up build per project, then {args.runs} rounds over all "
        "projects; medians, min–max; each `cxscore build -v --no-cache`)",
        "",
        "| segment keys | indicators | rows | pages | segment rows | render s (median, min–max) | pages/s "
        "| ms per 1,000 segment rows (median; min) | indicator.html s | report.html s | compute s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        t = r["templates"]
        ind = t.get("indicator.html", (0, float("nan")))[1]
        rep = t.get("report.html", (0, float("nan")))[1]
        out.append(
            f"| {r['keys']:,} | {r['inds']} | {r['rows']:,} | {r['pages']} | {r['segs']:,} "
            f"| {r['render']:.3f} ({r['render_min']:.3f}–{r['render_max']:.3f}) | {r['pages'] / r['render']:,.0f} "
            f"| {r['render'] * 1e6 / r['segs']:.1f}; {r['render_min'] * 1e6 / r['segs']:.1f} "
            f"| {ind:.3f} | {rep:.3f} | {r['compute']:.3f} |"
        )
    issue = next((r for r in results if (r["keys"], r["inds"]) == (2000, 20)), results[0])
    out.append("")
    out.append(
        f"Per template for {issue['keys']:,} keys × {issue['inds']} indicators "
        "(medians; CPU time summed across threads, so the sum exceeds the render stage when pages run in parallel):"
    )
    out.append("")
    out.append("| template | pages | s | of which charts s |")
    out.append("|---|---:|---:|---:|")
    for n, (count, took, charts) in sorted(issue["templates"].items(), key=lambda kv: (-kv[1][1], kv[0])):
        out.append(f"| `{n}` | {count} | {took:.3f} | {charts:.3f} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()

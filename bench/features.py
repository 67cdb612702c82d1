#!/usr/bin/env python3
"""What each of the example project's features costs on the 2M-row benchmark.

    python3 bench/features.py                    # 2M rows, 3 alternating runs
    python3 bench/features.py --rows 500000 --runs 5 --no-cargo

The example project (bench/run.py's wide shape: `gen --rows N --months 12
--tickets 3600 --single-file`, the CRM extract beside it) is built as it is and
with one feature switched off at a time, alternating the variants so the
machine's load falls on all of them alike:

- `all`: the example as committed (raking, the CRM join, drivers with a
  200-replicate bootstrap, topics, value at stake, the follow-up list);
- `no bootstrap`: the drivers' `bootstrap:` line removed;
- `no follow-up`: `followup:` removed (the list's extra read);
- `no raking`: `rake:` removed (the raking's first pass);
- `no topics`: `topics/` removed (the codebook's coding and tallies);
- `no CRM join`: `lookup:`, the CRM segment, value at stake and the
  indicator's CRM condition removed (the indicator kept, on a survey column).

With `--lean`, two variants instead: `lean` (all four of bootstrap, follow-up,
raking and the CRM join removed: the project of 2 December) and `lean, no
topics`, which is the shape on which topics' share of the build is largest.
With `--lean-raked`, the same two with the raking kept (`lean, raked` and
`lean, raked, no topics`): issue 19's shape, windows, topics and raking on.
With `--narrow`, the narrow-row project of `bench/run.py --shape narrow`
(`gen --narrow`) as it is and with one part removed at a time: its comments
(`comments:`), its key driver analysis, three of its four indicators, its
segment columns, its weight — what each part of a narrow row costs.

Each build runs under `/usr/bin/time` with `--no-cache --quiet`; the table
gives each variant's median wall and user CPU, the difference from the first
variant (`all`, `lean` or `lean, raked`), the median and range of the per-round
ratios of user CPU to the first variant's, and its peak RSS. Timings are never asserted by a test; this script is the
measurement (docs/PERFORMANCE.md, "What each feature costs").
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run as bench  # noqa: E402  (prepare(): the generated data and the project copy)
from parquet import timed  # noqa: E402  ((wall, user CPU, peak RSS) under /usr/bin/time)


def edit(path, old, new):
    text = path.read_text()
    if old not in text:
        sys.exit(f"{path}: cannot find {old!r}: the example changed; update bench/features.py")
    path.write_text(text.replace(old, new, 1))


def cut(path, start, end):
    """Removes the text from `start` (included) to `end` (excluded, or the end of file)."""
    text = path.read_text()
    a = text.index(start)
    b = text.index(end, a) if end else len(text)
    path.write_text(text[:a] + text[b:])


def no_bootstrap(p):
    edit(p / "cxscore.yaml", "    bootstrap: 200", "    # bootstrap: off")


def no_followup(p):
    cut(p / "cxscore.yaml", "followup:", None)


def no_raking(p):
    cut(p / "cxscore.yaml", "    rake:", "    lookup:")


def no_topics(p):
    shutil.rmtree(p / "topics")


def no_join(p):
    y = p / "cxscore.yaml"
    text = y.read_text()
    text = re.sub(r"    lookup: \{ crm: customer_id \}.*\n", "", text)
    text = text.replace("segments: [persona, channel, region, crm.plan]", "segments: [persona, channel, region]")
    y.write_text(text)
    cut(y, "value_at_stake:", "followup:")
    edit(p / "indicators" / "customer-base.yaml", "where: { crm.tickets_90d: { ge: 1 } }",
         "where: { q_csat_install: { ge: 1 } }")


def lean(p):
    """The project of 2 December: no bootstrap, follow-up list, raking or CRM join."""
    for change in (no_bootstrap, no_raking, no_join, no_followup):
        change(p)


def lean_no_topics(p):
    lean(p)
    no_topics(p)


def lean_raked(p):
    """The lean project with its raking kept (issue 19's shape)."""
    for change in (no_bootstrap, no_join, no_followup):
        change(p)


def lean_raked_no_topics(p):
    lean_raked(p)
    no_topics(p)


def narrow_no_comments(p):
    edit(p / "cxscore.yaml", "    comments: comment\n", "")


def narrow_no_drivers(p):
    cut(p / "cxscore.yaml", "drivers:", None)


def narrow_one_indicator(p):
    cut(p / "indicators" / "narrow.yaml", "- id: nps-digital", None)


def narrow_no_segments(p):
    edit(p / "cxscore.yaml", "segments: [region, channel, city]", "segments: []")


def narrow_no_weight(p):
    edit(p / "cxscore.yaml", "    weight: w\n", "")


VARIANTS = [("all", None), ("no bootstrap", no_bootstrap), ("no follow-up", no_followup),
            ("no raking", no_raking), ("no topics", no_topics), ("no CRM join", no_join)]
LEAN = [("lean, no topics", lean_no_topics), ("lean", lean)]
LEAN_RAKED = [("lean, raked, no topics", lean_raked_no_topics), ("lean, raked", lean_raked)]
NARROW = [("narrow", None), ("narrow, no comments", narrow_no_comments),
          ("narrow, no drivers", narrow_no_drivers), ("narrow, one indicator", narrow_one_indicator),
          ("narrow, no segments", narrow_no_segments), ("narrow, no weight", narrow_no_weight)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/cxscore-bench")
    ap.add_argument("--no-cargo", action="store_true", help="use the release binaries as they are")
    ap.add_argument("--lean", action="store_true",
                    help="only the lean project (no bootstrap, follow-up, raking, CRM) with and without topics")
    ap.add_argument("--lean-raked", action="store_true",
                    help="only the lean project with its raking kept, with and without topics")
    ap.add_argument("--narrow", action="store_true",
                    help="the narrow-row project, and without each of its parts in turn")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if not args.no_cargo:
        subprocess.run(["cargo", "build", "--release", "--bin", "cxscore", "--example", "gen"],
                       cwd=ROOT, check=True)
    exe = ROOT / "target" / "release" / "cxscore"
    gen = ROOT / "target" / "release" / "examples" / "gen"
    base, csv = (bench.prepare_narrow if args.narrow else bench.prepare)(args.rows, work, gen)
    projects = []
    chosen = NARROW if args.narrow else LEAN_RAKED if args.lean_raked else LEAN if args.lean else VARIANTS
    for name, change in chosen:
        proj = work / f"feature-{name.replace(' ', '-')}"
        if proj.exists():
            shutil.rmtree(proj)
        shutil.copytree(base, proj, ignore=shutil.ignore_patterns("survey.csv", "_followup", ".cxscore", "_site"))
        # The data hard-linked where the project reads it (a link out of the
        # project is refused): data/survey/ in the example, data/ in the narrow one.
        os.link(csv, proj / ("data/survey.csv" if args.narrow else "data/survey/survey.csv"))
        if change:
            change(proj)
        projects.append((name, proj))
    results = {name: [] for name, _ in projects}
    loads = [os.getloadavg()[0]]
    for _ in range(args.runs):
        for name, proj in projects:
            cmd = [exe, "build", proj, "--no-cache", "--quiet", "--out", work / "feature-site"]
            results[name].append(timed([str(c) for c in cmd]))
            loads.append(os.getloadavg()[0])
    med = {n: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs), max(r[2] for r in rs))
           for n, rs in results.items()}
    mb = csv.stat().st_size / 1e6
    print(f"{args.rows:,} rows ({mb:.0f} MB), {args.runs} alternating runs, "
          f"load average {min(loads):.2f}–{max(loads):.2f}")
    first = projects[0][0]
    print(f"| variant | wall s | user CPU s | user CPU vs {first} | per-round user CPU / {first}: "
          "median (min–max) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in projects:
        wall, user, rss = med[name]
        diff = "—" if name == first else f"{user - med[first][1]:+.2f} s ({user / med[first][1] - 1:+.1%})"
        # The builds of one round run seconds apart, so the machine's drift
        # disturbs their ratio less than either median.
        ratios = [r[1] / f[1] for r, f in zip(results[name], results[first])]
        spread = ("—" if name == first else
                  f"{statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f})")
        print(f"| {name} | {wall:.2f} | {user:.2f} | {diff} | {spread} | {rss:.0f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The lookup benchmark (SPEC §9): a survey joining a CRM of 1,000,000 customers.

    cargo build --release
    python3 bench/lookup.py                         # 1,000,000 customers, 100,000 answers, 3 runs
    python3 bench/lookup.py --customers 2000000 --answers 200000 --runs 5

Writes a project into a temporary folder: data/crm.csv (customer_id, plan,
region, tenure_months, monthly_revenue, churned: 6 columns, `key: customer_id`)
and data/survey.csv (customer_id, channel, nps, wait_minutes; 95 % of the keys
are in the CRM) joined with `lookup: { crm: customer_id }`, segments
`[channel, crm.plan, crm.region, { column: crm.tenure_months, bands: [...] }]`,
and indicators reading crm columns, a numeric `where` and the CRM itself. Then
runs, each time,

    /usr/bin/time -f "%e s %M KB" target/release/cxscore build PROJECT --no-cache --quiet

and prints every run and the median. Timings are never asserted by a test;
this script is the measurement (docs/PERFORMANCE.md has the numbers).
"""

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """title: Lookup benchmark
min_n: 30
datasets:
  survey:
    path: data/survey.csv
    lookup: { crm: customer_id }
    segments: [channel, crm.plan, crm.region, { column: crm.tenure_months, name: Tenure, bands: [0, 6, 12, 24] }]
  crm:
    path: data/crm.csv
    key: customer_id
"""

INDICATORS = """- id: nps
  name: NPS
  kind: kci
  dataset: survey
  metric: nps
  column: nps
- id: nps-long-wait
  name: NPS after a long wait
  kind: kci
  dataset: survey
  metric: nps
  column: nps
  where: { wait_minutes: { gt: 60 } }
- id: revenue
  name: Monthly revenue
  kind: kpi
  dataset: survey
  metric: mean
  column: crm.monthly_revenue
- id: churned
  name: Churned
  kind: kpi
  dataset: survey
  metric: share
  column: crm.churned
  value: "yes"
  where: { crm.tenure_months: { ge: 12 } }
- id: customers
  name: Customers
  kind: kpi
  dataset: crm
  metric: count
"""


def write_project(root: Path, customers: int, answers: int) -> None:
    rng = random.Random(20260901)
    (root / "data").mkdir(parents=True)
    (root / "indicators").mkdir()
    (root / "cxscore.yaml").write_text(CONFIG)
    (root / "indicators" / "core.yaml").write_text(INDICATORS)
    plans, regions = ["basic", "plus", "premium"], ["north", "south", "east", "west"]
    with open(root / "data" / "crm.csv", "w") as f:
        f.write("customer_id,plan,region,tenure_months,monthly_revenue,churned\n")
        for i in range(customers):
            f.write(
                f"C{i:08d},{rng.choice(plans)},{rng.choice(regions)},{rng.randrange(0, 120)},"
                f"{rng.randrange(1500, 12000) / 100},{'yes' if rng.random() < 0.12 else 'no'}\n"
            )
    with open(root / "data" / "survey.csv", "w") as f:
        f.write("customer_id,channel,nps,wait_minutes\n")
        for _ in range(answers):
            i = rng.randrange(customers)
            key = f"C{i:08d}" if rng.random() < 0.95 else f"X{i:08d}"
            f.write(f"{key},{rng.choice(['web', 'app', 'phone'])},{rng.randrange(0, 11)},{rng.randrange(0, 180)}\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "cxscore"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proj = Path(tmp) / "proj"
        write_project(proj, args.customers, args.answers)
        size = sum(p.stat().st_size for p in (proj / "data").iterdir()) / 1e6
        print(f"{args.customers} customers, {args.answers} answers, {size:.1f} MB of CSV")
        walls, rss = [], []
        for run in range(args.runs):
            cmd = ["/usr/bin/time", "-f", "%e s %M KB", args.binary, "build", str(proj), "--no-cache", "--quiet"]
            p = subprocess.run(cmd, text=True, capture_output=True)
            m = re.search(r"([\d.]+) s (\d+) KB", p.stderr)
            if p.returncode != 0 or not m:
                sys.exit(f"failed:\n{p.stdout}\n{p.stderr}")
            walls.append(float(m.group(1)))
            rss.append(int(m.group(2)) / 1024)
            print(f"run {run + 1}: {walls[-1]:.2f} s, {rss[-1]:.0f} MB peak RSS")
        print(f"median: {statistics.median(walls):.2f} s, {statistics.median(rss):.0f} MB peak RSS")


if __name__ == "__main__":
    main()

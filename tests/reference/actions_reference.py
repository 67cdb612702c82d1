#!/usr/bin/env python3
"""Independent reference values for the action evaluations (SPEC §10) of tests/fixtures/actions.

Recomputes, from the fixture's CSV and the rules of SPEC §10 (with Part I §2, §6 and §11),
every number cxscore publishes under `actions` in metrics.json, and writes
tests/reference/actions.json. tests/cli/actions_numbers.rs builds the fixture with the real
binary and compares (1e-9), so the Rust test needs no Python.

Plain Python 3, standard library only (csv, math, statistics.NormalDist, random). Nothing
here imports or ports cxscore code. The fixture's actions are restated below by hand
(ACTIONS mirrors tests/fixtures/actions/actions/ops.yaml).

The numbers:
- a row's period is its date's month; the dataset has a weight column, so every estimate
  of a set of rows (a "domain") is weighted, with the design-based variance of SPEC §11
  (one-stage design, no strata): Var(ȳ_d) = n/(n − 1) · Σ_d w²(y − ȳ_d)² / (Σ_d w)², n the
  dataset's row count (every row, answered or not); y = +1/0/−1 (promoter/passive/
  detractor) × 100 for NPS, 0/1 × 100 for CSAT (top two boxes of 1–5), the value for a
  mean; the domain is the rows with an answered cell in its periods;
- Kish's n_eff = (Σw)²/Σw²; a value below min_n (5) is suppressed (null, no variance);
- before = the `periods` (default 3) months before `start`; after = `start` up to
  `periods` months, never past as_of (2025-10); `start` written as a date is its month;
- pooling several months = one domain of all their rows (not a mean of monthly values);
- change = after − before, se = √(Var_before + Var_after), interval change ± z·se with z
  the normal 97.5 % quantile, p = 2(1 − Φ(|change|/se)) = erfc(|change|/(se·√2));
- with control { region: North }: the control rows are region == North, the others every
  other row (a blank region included); change = (after − before)_others − (after −
  before)_control, Var the sum of the four; before/after/n published are the others';
- q: Benjamini–Hochberg over every evaluation of the project (family (h)); significant
  ⇔ q ≤ 0.05 (min_change 0); met ⇔ change ≥ |expected| (higher is better) or ≤ −|expected|
  (lower is better), null without expected;
- a composite reads no rows: its evaluation is all nulls with n 0;
- an action whose start is after as_of has no evaluations; overdue ⇔ due month < as_of and
  status planned or in_progress.

Usage:
    python3 tests/reference/actions_reference.py             # writes actions.json
    python3 tests/reference/actions_reference.py --generate  # rewrites the fixture CSV first
"""

import csv
import json
import math
import random
import sys
from pathlib import Path
from statistics import NormalDist

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests/fixtures/actions"
CSV = FIXTURE / "data/survey.csv"
OUT = ROOT / "tests/reference/actions.json"

AS_OF = (2025, 10)
MIN_N = 5.0
CONFIDENCE = 0.95

# Indicator id -> (column, kind, direction).
INDICATORS = {
    "nps": ("nps", "nps", "higher"),
    "csat": ("csat", "csat", "higher"),
    "wait": ("wait", "mean", "lower"),
    "cx-index": (None, "composite", "higher"),
}

ACTIONS = [
    {
        "id": "install-sms", "indicators": ["nps", "csat"], "start": (2025, 6),
        "due": (2025, 7), "status": "done", "expected": {"nps": 5.0},
        "control": ("region", "North"), "periods": 3,
    },
    {
        "id": "faster-callback", "indicators": ["wait"], "start": (2025, 7),
        "due": (2025, 8), "status": "in_progress", "expected": {"wait": 2.0},
        "control": None, "periods": 2,
    },
    {
        "id": "new-portal", "indicators": ["nps"], "start": (2026, 1), "due": (2026, 3),
        "status": "planned", "expected": {}, "control": None, "periods": 3,
    },
    {
        "id": "chat-bot", "indicators": ["csat", "cx-index"], "start": (2025, 9),
        "due": None, "status": "dropped", "expected": {}, "control": None, "periods": 3,
    },
]


def generate():
    """The fixture's rows: 10 months, three regions (and a few blank), weights, blanks.

    From June, NPS and CSAT rise outside the North (the action's effect); the North moves
    a little too (a common trend the difference-in-differences takes out). From mid-July
    the callback wait falls.
    """
    rng = random.Random(20251)
    rows = []
    for month in range(1, 11):
        for i in range(rng.randint(40, 60)):
            day = rng.randint(1, 28)
            region = rng.choice(["North", "South", "East", "East", ""] if i % 17 == 0
                                else ["North", "South", "East"])
            w = rng.choice([0.5, 1, 1, 1.5, 2])
            lift = (0.12 if region != "North" else 0.04) if month >= 6 else 0.0
            u = rng.random()
            nps = "" if rng.random() < 0.05 else (
                rng.randint(9, 10) if u < 0.35 + lift else
                rng.randint(7, 8) if u < 0.6 + lift / 2 else rng.randint(0, 6))
            v = rng.random()
            csat = "" if rng.random() < 0.05 else (
                rng.randint(4, 5) if v < 0.55 + lift else rng.randint(1, 3))
            base = 40.0 if (month, day) < (7, 15) else 34.0
            wait = "" if rng.random() < 0.1 else round(max(1.0, rng.gauss(base, 12.0)), 1)
            rows.append([f"2025-{month:02d}-{day:02d}", region, w, nps, csat, wait])
    rows.sort(key=lambda r: r[0])
    with CSV.open("w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["date", "region", "w", "nps", "csat", "wait"])
        out.writerows(rows)


def read_rows():
    with CSV.open(newline="") as f:
        return list(csv.DictReader(f))


def y_of(kind, cell):
    """The value a row adds to a domain's weighted mean, or None when not answered."""
    cell = cell.strip()
    if cell == "":
        return None
    v = float(cell)
    if kind == "nps":
        return 100.0 if v >= 9 else (-100.0 if v <= 6 else 0.0)
    if kind == "csat":
        return 100.0 if v >= 4 else 0.0
    return v


def month_of(row):
    y, m, _ = row["date"].split("-")
    return (int(y), int(m))


def step(key, n):
    index = key[0] * 12 + (key[1] - 1) + n
    return (index // 12, index % 12 + 1)


def estimate(rows, kind, column, n_rows):
    """Value, variance, n, n_eff of a domain (design-based variance, SPEC §11)."""
    pairs = [(float(r["w"]), y_of(kind, r[column])) for r in rows]
    pairs = [(w, y) for w, y in pairs if y is not None]
    n = len(pairs)
    sw = sum(w for w, _ in pairs)
    sw2 = sum(w * w for w, _ in pairs)
    if n == 0 or sw <= 0:
        return None, None, n, 0.0
    n_eff = sw * sw / sw2
    mean = sum(w * y for w, y in pairs) / sw
    if n_eff < MIN_N:
        return None, None, n, n_eff
    ss = sum(w * w * (y - mean) ** 2 for w, y in pairs)
    var = n_rows / (n_rows - 1) * ss / (sw * sw)
    return mean, var, n, n_eff


def bh(ps):
    idx = [i for i, p in enumerate(ps) if p is not None]
    m = len(idx)
    q = [None] * len(ps)
    order = sorted(idx, key=lambda i: ps[i])
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * m / rank)
        q[i] = min(running, 1.0)
    return q


def key_text(k):
    return f"{k[0]}-{k[1]:02d}"


def main():
    if "--generate" in sys.argv:
        generate()
    rows = read_rows()
    n_rows = len(rows)
    z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)
    out = []
    for a in ACTIONS:
        evaluations = []
        start = a["start"]
        if start <= AS_OF:
            n = a["periods"]
            before = (step(start, -n), step(start, -1))
            after = (start, min(step(start, n - 1), AS_OF))
            for ind in a["indicators"]:
                column, kind, direction = INDICATORS[ind]
                e = {"indicator": ind, "before": None, "after": None, "change": None,
                     "ci_low": None, "ci_high": None, "se": None, "p_value": None,
                     "q_value": None, "significant": None, "met": None,
                     "expected": a["expected"].get(ind), "before_periods": None,
                     "after_periods": None, "before_n": 0, "after_n": 0, "control": None}
                if kind == "composite":
                    evaluations.append(e)
                    continue
                e["before_periods"] = {"from": key_text(before[0]), "to": key_text(before[1])}
                e["after_periods"] = {"from": key_text(after[0]), "to": key_text(after[1])}
                side = lambda span, keep: [r for r in rows
                                           if span[0] <= month_of(r) <= span[1] and keep(r)]
                if a["control"] is None:
                    b = estimate(side(before, lambda r: True), kind, column, n_rows)
                    af = estimate(side(after, lambda r: True), kind, column, n_rows)
                    change = None if b[0] is None or af[0] is None else af[0] - b[0]
                    var = None if b[1] is None or af[1] is None else b[1] + af[1]
                else:
                    col, val = a["control"]
                    is_c = lambda r: r[col].strip() == val
                    not_c = lambda r: r[col].strip() != val
                    ob = estimate(side(before, not_c), kind, column, n_rows)
                    oa = estimate(side(after, not_c), kind, column, n_rows)
                    cb = estimate(side(before, is_c), kind, column, n_rows)
                    ca = estimate(side(after, is_c), kind, column, n_rows)
                    b, af = ob, oa
                    values = [ob[0], oa[0], cb[0], ca[0]]
                    c_change = None if cb[0] is None or ca[0] is None else ca[0] - cb[0]
                    change = None if None in values else (oa[0] - ob[0]) - (ca[0] - cb[0])
                    variances = [ob[1], oa[1], cb[1], ca[1]]
                    var = None if None in variances else sum(variances)
                    e["control"] = {"before": cb[0], "after": ca[0], "change": c_change,
                                    "before_n": cb[2], "after_n": ca[2]}
                e["before"], e["after"] = b[0], af[0]
                e["before_n"], e["after_n"] = b[2], af[2]
                e["change"] = change
                if change is not None and var is not None and var > 0:
                    se = math.sqrt(var)
                    e["se"] = se
                    e["ci_low"], e["ci_high"] = change - z * se, change + z * se
                    e["p_value"] = min(1.0, math.erfc(abs(change) / se / math.sqrt(2)))
                exp = a["expected"].get(ind)
                if exp is not None and change is not None:
                    e["met"] = change >= abs(exp) if direction == "higher" else change <= -abs(exp)
                evaluations.append(e)
        due = a["due"]
        out.append({
            "id": a["id"],
            "status": a["status"],
            "start": key_text(start),
            "due": key_text(due) if due else None,
            "overdue": bool(due and due < AS_OF and a["status"] in ("planned", "in_progress")),
            "evaluations": evaluations,
        })
    ps = [e["p_value"] for a in out for e in a["evaluations"]]
    qs = iter(bh(ps))
    for a in out:
        for e in a["evaluations"]:
            e["q_value"] = next(qs)
            if e["q_value"] is not None and e["change"] is not None:
                e["significant"] = e["q_value"] <= 1 - CONFIDENCE
    OUT.write_text(json.dumps({"rows": n_rows, "actions": out}, indent=1) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent reference values for tests/fixtures/lookup (SPEC §9).

Recomputes, from the CSV files with the csv module and nothing else, what
cxscore publishes for the fixture's lookup, numeric `where` conditions and
banded segments, and writes tests/reference/lookup_expected.json, which
tests/cli/lookup_numbers.rs compares with metrics.json (1e-9), so the Rust
test needs no Python.

The fixture's definitions are restated below by hand (INDICATORS mirrors
tests/fixtures/lookup/indicators/core.yaml; SEGMENTS and the persona mirror
cxscore.yaml and personas/premium.yaml). The rules, from SPEC §1, §2, §9 and
docs/reference.md ("Lookups, numeric conditions and bands"):

- survey joins crm on customer_id; a blank or unknown key matches nothing and
  its crm columns read blank; matched / unmatched count the accepted rows;
- a numeric condition keeps a row when the cell is a number meeting every
  bound (`between` inclusive); a blank cell does not match;
- a banded segment's key is the band holding the number (each band includes
  its lower bound; keys `lo–hi`, the last `lo+`); a blank cell is in no band;
- nps = % promoters (9-10) - % detractors (0-6); csat = % of 4-5 on 1-5;
  mean = mean; share = % equal to the value; count = rows; a blank cell is
  not answered (not in n).

Usage:
    python3 tests/reference/lookup_reference.py   # writes lookup_expected.json
"""

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "lookup"
OUT_PATH = HERE / "lookup_expected.json"

BANDS = [0.0, 6.0, 12.0, 24.0]
SEGMENTS = ["channel", "crm.plan", "Tenure"]
PERSONAS = {"premium": ("crm.plan", ["premium"])}

# (id, metric, column, text conditions, numeric conditions [(column, lo, lo_inclusive, hi, hi_inclusive)], extra)
INF = float("inf")
INDICATORS = [
    ("nps", "nps", "nps", {}, [], None),
    ("nps-long-wait", "nps", "nps", {}, [("wait_minutes", 60, False, INF, False)], None),
    ("csat-web-short", "csat", "csat", {"channel": ["web", "phone"]},
     [("wait_minutes", 10, True, 30, True)], None),
    ("csat-loyal", "csat", "csat", {"crm.plan": ["premium"]},
     [("crm.tenure_months", 12, True, INF, False)], None),
    ("revenue", "mean", "crm.monthly_revenue", {}, [], None),
    ("churned", "share", "crm.churned", {}, [], "yes"),
    ("wait-le-60", "count", None, {}, [("wait_minutes", 0, False, 60, True)], None),
]


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    return [{h: v.strip() for h, v in zip(header, r)} for r in rows[1:]]


def band_label(i):
    if i + 1 < len(BANDS):
        return f"{BANDS[i]:g}–{BANDS[i + 1]:g}"
    return f"{BANDS[i]:g}+"


def main():
    crm = read(FIXTURE / "data" / "crm.csv")
    survey = read(FIXTURE / "data" / "survey.csv")
    table = {r["customer_id"]: r for r in crm}
    assert len(table) == len(crm), "the fixture's keys are unique"

    joined = []
    matched = 0
    for r in survey:
        hit = table.get(r["customer_id"]) if r["customer_id"] else None
        matched += hit is not None
        row = dict(r)
        for col in crm[0]:
            row["crm." + col] = hit[col] if hit else ""
        tenure = row["crm.tenure_months"]
        row["Tenure"] = ""
        if tenure:
            x = float(tenure)
            assert x >= BANDS[0], "no value below the first band in the fixture"
            row["Tenure"] = band_label(max(i for i, lo in enumerate(BANDS) if x >= lo))
        joined.append(row)

    def keeps(row, text, numeric):
        for col, values in text.items():
            if row[col] not in values:
                return False
        for col, lo, lo_in, hi, hi_in in numeric:
            if row[col] == "":
                return False
            x = float(row[col])
            if not ((x >= lo) if lo_in else (x > lo)):
                return False
            if not ((x <= hi) if hi_in else (x < hi)):
                return False
        return True

    def estimate(rows, metric, column, value):
        if metric == "count":
            return {"value": float(len(rows)), "n": len(rows)}
        cells = [r[column] for r in rows if r[column] != ""]
        n = len(cells)
        if n == 0:
            return {"value": None, "n": 0}
        if metric == "nps":
            xs = [float(c) for c in cells]
            p = sum(1 for x in xs if x >= 9) / n
            d = sum(1 for x in xs if x <= 6) / n
            v = 100 * (p - d)
        elif metric == "csat":
            v = 100 * sum(1 for c in cells if float(c) >= 4) / n
        elif metric == "mean":
            v = sum(float(c) for c in cells) / n
        elif metric == "share":
            v = 100 * sum(1 for c in cells if c == value) / n
        return {"value": v, "n": n}

    out = {
        "lookup": {"dataset": "crm", "matched": matched, "unmatched": len(survey) - matched},
        "crm_rows": len(crm),
        "indicators": {},
    }
    for ind_id, metric, column, text, numeric, value in INDICATORS:
        rows = [r for r in joined if keeps(r, text, numeric)]
        res = estimate(rows, metric, column, value)
        res["segments"] = {}
        for seg in SEGMENTS:
            keys = sorted({r[seg] for r in rows if r[seg] != ""})
            groups = {}
            for k in keys:
                g = estimate([r for r in rows if r[seg] == k], metric, column, value)
                if g["n"] > 0:
                    groups[k] = g
            res["segments"][seg] = groups
        res["personas"] = {
            pid: estimate([r for r in rows if r[col] in vals], metric, column, value)
            for pid, (col, vals) in PERSONAS.items()
        }
        out["indicators"][ind_id] = res
    OUT_PATH.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

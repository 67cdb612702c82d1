#!/usr/bin/env python3
"""Independent reference values for tests/fixtures/reference.

Recomputes, from first principles and the formulas of SPEC §2, every number
cxscore publishes for the fixture -- value, n, effective n, interval, status,
per period (with change and significance), per segment (with the difference
to the rest and its significance), per persona, and the key driver analysis
(Johnson's relative weights, overall and per persona) -- and writes them to
tests/reference/expected.json. tests/cli/reference.rs compares cxscore's
metrics.json with that file, so the Rust test needs no Python.

Nothing here imports or calls cxscore: the CSV is read with the csv module,
the fixture's definitions are restated below (REFERENCE_INDICATORS mirrors
tests/fixtures/reference/indicators/all.yaml by hand), quantiles come from
scipy.stats, and linear algebra from numpy.

Usage:
    pip install numpy scipy
    python3 tests/reference/reference.py             # writes expected.json
    python3 tests/reference/reference.py --generate  # rewrites the fixture CSV first
"""

import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
from scipy import stats

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "reference"
CSV_PATH = FIXTURE / "data" / "survey.csv"
OUT_PATH = HERE / "expected.json"

CONFIDENCE = 0.95
MIN_N = 10.0
SEGMENTS = ["channel", "region"]
PERSONAS = {"newcomer": ["new"], "switcher": ["mover", "porter"]}
# cxscore lists attributes in the order cxscore.yaml writes them (not sorted).
DRIVER = {"outcome": "q_nps", "attributes": ["a_speed", "a_price", "a_support"]}

# The fixture's indicators, restated: (id, kind of statistic, parameters, goal).
REFERENCE_INDICATORS = [
    ("nps", "net", {"column": "q_nps", "pos": (9, 10), "neg": (0, 6)},
     {"target": 20, "amber": 0, "lower": False}),
    ("csat", "prop", {"column": "q_csat", "hit": (4, 5)},
     {"target": 70, "amber": 60, "lower": False}),
    ("ces", "mean", {"column": "q_ces"},
     {"target": 3, "amber": 3.5, "lower": True}),
    # CES net on 1-7: % of 6-7 minus % of 1-3.
    ("ces-net", "net", {"column": "q_ces", "pos": (6, 7), "neg": (1, 3)},
     {"target": None, "amber": None, "lower": False}),
    ("minutes", "mean", {"column": "q_minutes"},
     {"target": None, "amber": None, "lower": False}),
    ("resolved", "share", {"column": "resolved", "values": ["yes"]},
     {"target": 60, "amber": None, "lower": False}),
    ("speed-gap", "gap", {"column": "p_speed", "expectation": "e_speed"},
     {"target": 0, "amber": -1, "lower": False}),
    ("minutes-p90", "pct", {"column": "q_minutes", "p": 90},
     {"target": 45, "amber": None, "lower": True}),
]


# --------------------------------------------------------------------------
# Data generation (run once with --generate; the CSV is committed).
# --------------------------------------------------------------------------

def generate():
    rng = np.random.default_rng(20260115)
    n = 204
    rows = []
    months = ["2026-01", "2026-02", "2026-03"]
    for i in range(n):
        month = months[min(i * 3 // n, 2)]
        day = 1 + int(rng.integers(0, 28))
        date = f"{month}-{day:02d}" if i % 50 != 7 else ""  # a few undated rows
        persona = ["new", "mover", "porter"][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
        # A rare channel (phone): its effective n stays below min_n, so it is suppressed.
        channel = str(rng.choice(["web", "app", "shop", "phone", ""], p=[0.4, 0.3, 0.22, 0.04, 0.04]))
        region = str(rng.choice(["north", "south"]))
        w = round(float(rng.uniform(0.3, 2.5)), 2)
        # A lift in February, a web advantage and a shop penalty: some changes and
        # segments are significant, others not.
        latent = (rng.normal(0, 1) + [0.0, 0.7, 0.6][months.index(month)]
                  + (0.3 if channel == "web" else 0) - (0.7 if channel == "shop" else 0))
        a_speed = int(np.clip(round(3 + 1.1 * latent + rng.normal(0, 0.8)), 1, 5))
        a_price = int(np.clip(round(3 + 0.5 * latent + rng.normal(0, 1.0)), 1, 5))
        a_support = int(np.clip(round(3 + 0.8 * latent + rng.normal(0, 0.9)), 1, 5))
        q_nps = int(np.clip(round(7.4 + 0.9 * (a_speed - 3) + 0.3 * (a_price - 3) + 0.6 * (a_support - 3) + rng.normal(0, 1.3)), 0, 10))
        q_csat = int(np.clip(round(3.6 + 0.8 * latent + rng.normal(0, 0.7)), 1, 5))
        q_ces = int(np.clip(round(3.2 - 0.9 * latent + rng.normal(0, 1.0)), 1, 7))
        q_minutes = round(float(rng.gamma(2.0, 9.0)), 1)
        resolved = "yes" if rng.uniform() < 0.55 + 0.1 * latent else "no"
        e_speed = int(np.clip(round(5.5 + rng.normal(0, 0.9)), 1, 7))
        p_speed = int(np.clip(round(4.8 + 1.0 * latent + rng.normal(0, 0.8)), 1, 7))
        row = {
            "id": f"R{i + 1:04d}", "date": date, "persona": persona, "channel": channel,
            "region": region, "w": f"{w:.2f}", "q_nps": str(q_nps), "q_csat": str(q_csat),
            "q_ces": str(q_ces), "q_minutes": f"{q_minutes:.1f}", "resolved": resolved,
            "e_speed": str(e_speed), "p_speed": str(p_speed), "a_speed": str(a_speed),
            "a_price": str(a_price), "a_support": str(a_support),
        }
        # Blanks: "not answered", about 7 % of each answer column.
        for col in ["q_nps", "q_csat", "q_ces", "q_minutes", "resolved", "e_speed", "p_speed",
                    "a_speed", "a_price", "a_support"]:
            if rng.uniform() < 0.07:
                row[col] = ""
        rows.append(row)
    CSV_PATH.parent.mkdir(parents=True, exist_ok=True)
    with CSV_PATH.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------
# Statistics, from SPEC §2.
# --------------------------------------------------------------------------

Z = float(stats.norm.ppf(1 - (1 - CONFIDENCE) / 2))


def t_crit(df):
    return float(stats.t.ppf(1 - (1 - CONFIDENCE) / 2, df))


def num(text):
    text = text.strip()
    return None if text == "" else float(text)


def status(value, suppressed, goal):
    if suppressed:
        return "suppressed"
    if value is None or goal["target"] is None:
        return "none"

    def ok(limit):
        return value <= limit if goal["lower"] else value >= limit

    if ok(goal["target"]):
        return "green"
    if goal["amber"] is not None and ok(goal["amber"]):
        return "amber"
    return "red"


def observation(kind, params, row):
    """What a row contributes, or None when not answered."""
    if kind == "gap":
        p, e = num(row[params["column"]]), num(row[params["expectation"]])
        return None if p is None or e is None else p - e
    text = row[params["column"]].strip()
    if text == "":
        return None
    if kind == "share":
        return 1.0 if text in params["values"] else 0.0
    x = float(text)
    if kind == "net":
        lo, hi = params["pos"]
        if lo <= x <= hi:
            return 1
        lo, hi = params["neg"]
        return -1 if lo <= x <= hi else 0
    if kind == "prop":
        lo, hi = params["hit"]
        return 1.0 if lo <= x <= hi else 0.0
    return x  # mean, pct


def estimate(kind, params, goal, obs, adjusted_wald):
    """obs: list of (observation, weight). Returns the published fields plus 'var'."""
    n = len(obs)
    x = np.array([o for o, _ in obs], dtype=float)
    w = np.array([wt for _, wt in obs], dtype=float)
    if kind == "pct":
        w = np.ones(n)  # percentiles are unweighted
    sw, sw2 = float(w.sum()), float((w * w).sum())
    n_eff = sw * sw / sw2 if sw2 > 0 else 0.0
    if kind == "pct":
        n_eff = float(n)
    e = {"value": None, "n": n, "effective_n": n_eff, "ci_low": None, "ci_high": None, "var": None}
    suppressed = n_eff < MIN_N
    if n == 0 or sw <= 0:
        e["status"] = status(None, suppressed, goal)
        return e
    if kind == "net":
        p = float(w[x == 1].sum()) / sw
        d = float(w[x == -1].sum()) / sw
        e["value"] = (p - d) * 100
        e["var"] = (p + d - (p - d) ** 2) / n_eff * 1e4
        if adjusted_wald:
            na = n_eff + 3
            pa, da = (p * n_eff + 0.75) / na, (d * n_eff + 0.75) / na
        else:
            na, pa, da = n_eff, p, d
        centre = (pa - da) * 100
        half = Z * math.sqrt(max((pa + da - (pa - da) ** 2) / na, 0.0)) * 100
        e["ci_low"], e["ci_high"] = max(centre - half, -100.0), min(centre + half, 100.0)
    elif kind in ("prop", "share"):
        p = float((w * x).sum()) / sw
        e["value"] = p * 100
        e["var"] = p * (1 - p) / n_eff * 1e4
        z2 = Z * Z
        denom = 1 + z2 / n_eff
        centre = (p + z2 / (2 * n_eff)) / denom
        half = Z / denom * math.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff))
        e["ci_low"], e["ci_high"] = max((centre - half) * 100, 0.0), min((centre + half) * 100, 100.0)
    elif kind in ("mean", "gap"):
        m = float((w * x).sum()) / sw
        e["value"] = m
        if n_eff > 1:
            s2 = float((w * (x - m) ** 2).sum()) / sw * n_eff / (n_eff - 1)
            e["var"] = s2 / n_eff
            half = t_crit(n_eff - 1) * math.sqrt(s2 / n_eff)
            e["ci_low"], e["ci_high"] = m - half, m + half
    elif kind == "pct":
        # Excel PERCENTILE.INC: rank h = (n - 1)·p/100, linear between neighbours.
        e["value"] = float(np.percentile(x, params["p"], method="linear"))
    if suppressed:
        e.update(value=None, ci_low=None, ci_high=None, var=None)
    e["status"] = status(e["value"], suppressed, goal)
    return e


def significant(a, b, welch):
    """|b - a| / sqrt(Va + Vb) against the two-sided critical value (z, or Welch's t)."""
    if a["var"] is None or b["var"] is None or a["value"] is None or b["value"] is None:
        return None
    va, vb = a["var"], b["var"]
    se = math.sqrt(va + vb)
    if not se > 0 or math.isinf(se):
        return None
    if welch:
        na, nb = a["effective_n"] - 1, b["effective_n"] - 1
        if na <= 0 or nb <= 0:
            return None
        crit = t_crit((va + vb) ** 2 / (va * va / na + vb * vb / nb))
    else:
        crit = Z
    return abs(b["value"] - a["value"]) / se > crit


def public(e):
    return {k: v for k, v in e.items() if k != "var"}


def indicator(rows, ind, adjusted_wald):
    iid, kind, params, goal = ind
    answered = []
    for r in rows:
        o = observation(kind, params, r)
        if o is not None:
            answered.append((r, o, float(r["w"])))

    def est(subset):
        return estimate(kind, params, goal, [(o, w) for _, o, w in subset], adjusted_wald)

    welch = kind in ("mean", "gap")
    out = {"overall": public(est(answered))}
    # Periods: month keys ascending; undated rows are in no period.
    keys = sorted({r["date"][:7] for r, _, _ in answered if r["date"].strip()})
    periods, prev = [], None
    for k in keys:
        e = est([a for a in answered if a[0]["date"][:7] == k and a[0]["date"].strip()])
        p = {"period": k, **public(e)}
        if prev is not None and prev["value"] is not None and e["value"] is not None:
            p["change"] = e["value"] - prev["value"]
            p["significant"] = significant(prev, e, welch)
        periods.append(p)
        prev = e
    out["periods"] = periods
    # Segments: each non-blank key against every other answered row.
    out["segments"] = {}
    for col in SEGMENTS:
        groups = []
        for key in sorted({a[0][col].strip() for a in answered} - {""}):
            inside = [a for a in answered if a[0][col].strip() == key]
            rest = [a for a in answered if a[0][col].strip() != key]
            e, r_ = est(inside), est(rest)
            g = {"key": key, **public(e)}
            g["vs_rest"] = e["value"] - r_["value"] if e["value"] is not None and r_["value"] is not None else None
            g["significant"] = significant(r_, e, welch)
            groups.append(g)
        out["segments"][col] = groups
    out["personas"] = [
        {"key": pid, **public(est([a for a in answered if a[0]["persona"].strip() in values]))}
        for pid, values in sorted(PERSONAS.items())
    ]
    return out


# --------------------------------------------------------------------------
# Key drivers: weighted correlations and Johnson's (2000) relative weights.
# --------------------------------------------------------------------------

def drivers(rows):
    cols = [DRIVER["outcome"]] + DRIVER["attributes"]

    def analyse(subset):
        data = []
        for r in subset:
            vals = [num(r[c]) for c in cols]
            if all(v is not None for v in vals):
                data.append((vals, float(r["w"])))
        n = len(data)
        X = np.array([v for v, _ in data], dtype=float)
        w = np.array([wt for _, wt in data], dtype=float)
        mean = (w[:, None] * X).sum(axis=0) / w.sum()
        D = X - mean
        C = (w[:, None] * D).T @ D                     # weighted co-moments
        sd = np.sqrt(np.diag(C))
        R = C / np.outer(sd, sd)                       # weighted correlation matrix
        rxy, rxx = R[1:, 0], R[1:, 1:]
        lam, Q = np.linalg.eigh(rxx)
        half = Q @ np.diag(np.sqrt(lam)) @ Q.T         # Λ½ = Q Λ^{1/2} Qᵀ
        beta = np.linalg.solve(half, rxy)              # β = Λ½⁻¹ r_xy
        eps = (half ** 2) @ (beta ** 2)                # ε_j = Σ_k Λ½_jk² β_k²
        r2 = float(eps.sum())
        # Cross-check: R² equals the OLS R² of the standardised regression, r_xyᵀ R_xx⁻¹ r_xy.
        assert abs(r2 - float(rxy @ np.linalg.solve(rxx, rxy))) < 1e-12
        attrs = [
            {"column": c, "r": float(rxy[j]), "importance": float(100 * eps[j] / r2),
             "performance": float(mean[j + 1])}
            for j, c in enumerate(DRIVER["attributes"])
        ]
        return n, r2, attrs

    n, r2, attrs = analyse(rows)
    personas = []
    for pid, values in sorted(PERSONAS.items()):
        pn, pr2, pattrs = analyse([r for r in rows if r["persona"].strip() in values])
        personas.append({"key": pid, "n": pn, "r2": pr2, "attributes": pattrs})
    return {"dataset": "survey", "outcome": DRIVER["outcome"], "n": n, "r2": r2,
            "attributes": attrs, "personas": personas}


def main():
    if "--generate" in sys.argv:
        generate()
    with CSV_PATH.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = {
        "source": "tests/reference/reference.py (numpy %s, scipy %s); do not edit by hand"
                  % (np.__version__, __import__("scipy").__version__),
        "rows": len(rows),
        "configurations": {
            cfg: {"indicators": {ind[0]: indicator(rows, ind, cfg == "adjusted_wald")
                                 for ind in REFERENCE_INDICATORS}}
            for cfg in ["wald", "adjusted_wald"]
        },
        "drivers": [drivers(rows)],
    }
    OUT_PATH.write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT_PATH} from {len(rows)} rows")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent reference values for tests/fixtures/reference.

Recomputes, from first principles and the formulas of SPEC §2 and §6, every
number cxscore publishes for the fixture -- value, n, effective n, interval,
status, per period (with change, p-value, Benjamini-Hochberg q-value and
significance), per segment key (with the difference to the rest, its p, q and
significance, and the key's own trend), per persona (with its trend), the
composite, and the key driver analysis (Johnson's relative weights, overall
and per persona) -- and writes them to tests/reference/expected.json.
tests/cli/reference.rs compares cxscore's metrics.json with that file, so the
Rust test needs no Python.

SPEC §6 (the reporting window) is covered by VARIANTS: the fixture with its
`report:` line (and for some its `period:`) rewritten -- every row, the
default latest period, rolling 3, ytd, explicit as_of, quarters, ISO weeks, no
multiple-testing adjustment. For each: the headline on the window's rows,
`previous` and `year_ago` (window, estimate, change, p, q, significant), the
trend of every period. p-values are two-sided: normal for NPS and proportions,
Welch's t (Welch-Satterthwaite df on n_eff - 1) for means. q-values are
Benjamini-Hochberg within the families (a) an indicator's period-to-period
changes, (b) an indicator's vs-the-rest tests over every segment column,
(c) every indicator's `previous`, (d) every indicator's `year_ago`, by
scipy.stats.false_discovery_control(method="bh"), checked against the
definition and a worked example (check_bh_by_hand). significant <=> q <=
1 - confidence and |difference| >= the indicator's min_change. A test that
cannot run (no value or no variance: suppressed, percentile, composite) is in
no family and has p, q and significant null.

Nothing here imports or calls cxscore: the CSV is read with the csv module,
the fixture's definitions are restated below (REFERENCE_INDICATORS and
COMPOSITE mirror tests/fixtures/reference/indicators/all.yaml by hand),
quantiles and BH come from scipy.stats, and linear algebra from numpy.

Usage:
    pip install numpy scipy
    python3 tests/reference/reference.py             # writes expected.json
    python3 tests/reference/reference.py --generate  # rewrites the fixture CSV first
"""

import csv
import json
import math
import sys
from datetime import date
from pathlib import Path

import numpy as np
from scipy import stats

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "reference"
CSV_PATH = FIXTURE / "data" / "survey.csv"
OPS_PATH = FIXTURE / "data" / "ops.csv"
OUT_PATH = HERE / "expected.json"

CONFIDENCE = 0.95
MIN_N = 10.0
SEGMENTS = ["channel", "region"]
OPS_SEGMENTS = ["region"]
PERSONAS = {"newcomer": ["new"], "switcher": ["mover", "porter"]}
# cxscore lists attributes in the order cxscore.yaml writes them (not sorted).
DRIVER = {"outcome": "q_nps", "attributes": ["a_speed", "a_price", "a_support"]}

# The fixture's indicators, restated: (id, kind of statistic, parameters, goal).
REFERENCE_INDICATORS = [
    ("nps", "net", {"column": "q_nps", "pos": (9, 10), "neg": (0, 6)},
     {"target": 20, "amber": 0, "lower": False, "min_change": 5}),
    ("csat", "prop", {"column": "q_csat", "hit": (4, 5)},
     {"target": 70, "amber": 60, "lower": False}),
    # min_change (on ces and speed-gap; nps's 5 turns none off) turns off flags that the
    # q-values alone would raise (main() asserts it).
    ("ces", "mean", {"column": "q_ces"},
     {"target": 3, "amber": 3.5, "lower": True, "min_change": 0.6}),
    # CES net on 1-7: % of 6-7 minus % of 1-3.
    ("ces-net", "net", {"column": "q_ces", "pos": (6, 7), "neg": (1, 3)},
     {"target": None, "amber": None, "lower": False}),
    ("minutes", "mean", {"column": "q_minutes"},
     {"target": None, "amber": None, "lower": False}),
    ("resolved", "share", {"column": "resolved", "values": ["yes"]},
     {"target": 60, "amber": None, "lower": False}),
    ("speed-gap", "gap", {"column": "p_speed", "expectation": "e_speed"},
     {"target": 0, "amber": -1, "lower": False, "min_change": 1}),
    ("minutes-p90", "pct", {"column": "q_minutes", "p": 90},
     {"target": 45, "amber": None, "lower": True}),
]

# A second dataset, `ops`, without dates and without weights: no window (every row), no
# previous or year_ago, no periods (SPEC §6: "A dataset without date has no window").
OPS_INDICATORS = [
    ("ops-handled", "share", {"column": "handled", "values": ["yes"]},
     {"target": 80, "amber": 70, "lower": False}),
]


# The fixture's composite (SPEC §2): each component normalised to 0-100 (NPS: (v + 100) / 2;
# percentages as they are; a scale: (v - lo) / (hi - lo) * 100, flipped for direction lower),
# then the weighted mean of the components that have a value; no interval, so no test.
COMPOSITE = ("cx-index", {"nps": 2, "csat": 1, "ces": 1},
             {"target": 60, "amber": 50, "lower": False})
NORMALISE = {
    "nps": lambda v: (v + 100) / 2,
    "csat": lambda v: v,
    "ces": lambda v: 100 - (v - 1) / (7 - 1) * 100,  # CES 1-7, direction lower
}
# What SPEC does not define for a composite, so the comparison leaves it out: n and effective
# n (of which rows?), vs_rest, and the status of an entry without a value.
COMPOSITE_UNCHECKED = ["n", "effective_n", "vs_rest"]


# --------------------------------------------------------------------------
# Data generation (run once with --generate; the CSV is committed).
# --------------------------------------------------------------------------

def generate():
    """15 months over two calendar years (2025-01 .. 2026-03), about 27 rows a month."""
    rng = np.random.default_rng(20260115)
    months = [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02", "2026-03"]
    # A seasonal level per month: a lift in March 2025, a dip at the end of 2025 and a
    # recovery in 2026, so that some changes (period to period, previous, year ago) are
    # significant and others not.
    level = [-0.3, -0.2, 0.8, 0.6, 0.5, 0.4, 0.3, 0.4, 0.5, 0.0, -0.3, -0.5, 0.6, 0.8, 1.0]
    n = 410
    rows = []
    for i in range(n):
        k = min(i * len(months) // n, len(months) - 1)
        month = months[k]
        day = 1 + int(rng.integers(0, 28))
        date = f"{month}-{day:02d}" if i % 50 != 7 else ""  # a few undated rows
        persona = ["new", "mover", "porter"][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
        # A rare channel (phone): its effective n stays below min_n, so it is suppressed.
        channel = str(rng.choice(["web", "app", "shop", "phone", ""], p=[0.4, 0.3, 0.22, 0.04, 0.04]))
        region = str(rng.choice(["north", "south"]))
        w = round(float(rng.uniform(0.3, 2.5)), 2)
        # The month's level, a web advantage and a shop penalty.
        latent = (rng.normal(0, 1) + level[k]
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
    generate_ops()


def generate_ops():
    """90 undated, unweighted rows of a second dataset."""
    rng = np.random.default_rng(20260116)
    rows = []
    for i in range(90):
        region = str(rng.choice(["north", "south"]))
        persona = ["new", "mover", "porter"][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
        handled = "yes" if rng.uniform() < (0.85 if region == "north" else 0.6) else "no"
        if rng.uniform() < 0.08:
            handled = ""
        rows.append({"ticket": f"T{i + 1:03d}", "persona": persona, "region": region,
                     "handled": handled})
    with OPS_PATH.open("w", newline="", encoding="utf-8") as f:
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


def design_variance(y, w, rows):
    """SPEC §11: the design-based (Taylor linearisation) variance of the weighted mean of y on
    a domain of a weighted dataset of `rows` rows -- R survey's svymean on
    svydesign(ids = ~1, weights = ~w) with the domain taken by subset(): the influence values
    w_i (y_i - m) / sum(w) over the domain, zero elsewhere, so
    Var = rows/(rows - 1) * sum(w^2 (y - m)^2) / sum(w)^2."""
    m = float((w * y).sum()) / float(w.sum())
    return rows / (rows - 1) * float((w * w * (y - m) ** 2).sum()) / float(w.sum()) ** 2


def estimate(kind, params, goal, obs, adjusted_wald, design_rows=None):
    """obs: list of (observation, weight). Returns the published fields plus 'var'.
    design_rows: the dataset's row count when it is weighted (SPEC §11: design-based
    standard errors); None for an unweighted dataset (Part I's formulas)."""
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
    design = design_rows is not None and design_rows > 1 and kind in ("net", "prop", "share", "mean", "gap")
    if design and kind == "net":
        p = float(w[x == 1].sum()) / sw
        d = float(w[x == -1].sum()) / sw
        e["value"] = (p - d) * 100
        v = design_variance(x, w, design_rows)
        e["var"] = v * 1e4
        half = Z * math.sqrt(v) * 100
        e["ci_low"], e["ci_high"] = max(e["value"] - half, -100.0), min(e["value"] + half, 100.0)
    elif design and kind in ("prop", "share"):
        p = float((w * x).sum()) / sw
        e["value"] = p * 100
        v = design_variance(x, w, design_rows)
        e["var"] = v * 1e4
        ns = p * (1 - p) / v if v > 0 and 0 < p < 1 else n_eff
        z2 = Z * Z
        denom = 1 + z2 / ns
        centre = (p + z2 / (2 * ns)) / denom
        half = Z / denom * math.sqrt(p * (1 - p) / ns + z2 / (4 * ns * ns))
        e["ci_low"], e["ci_high"] = max((centre - half) * 100, 0.0), min((centre + half) * 100, 100.0)
    elif design:
        m = float((w * x).sum()) / sw
        e["value"] = m
        if n_eff > 1:
            v = design_variance(x, w, design_rows)
            e["var"] = v
            half = t_crit(n_eff - 1) * math.sqrt(v)
            e["ci_low"], e["ci_high"] = m - half, m + half
    elif kind == "net":
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


def p_value(a, b, welch):
    """Two-sided p of the difference b - a (SPEC §2 and §6): |b - a| / sqrt(Va + Vb) against
    the normal distribution, or Student's t with the Welch-Satterthwaite df (n_eff - 1 each)
    for means. None when the test cannot run: a side without a value or a variance
    (suppressed, percentile, n_eff <= 1), or no variance at all."""
    if a["var"] is None or b["var"] is None or a["value"] is None or b["value"] is None:
        return None
    va, vb = a["var"], b["var"]
    se = math.sqrt(va + vb)
    if not se > 0 or math.isinf(se):
        return None
    stat = abs(b["value"] - a["value"]) / se
    if welch:
        na, nb = a["effective_n"] - 1, b["effective_n"] - 1
        if na <= 0 or nb <= 0:
            return None
        df = (va + vb) ** 2 / (va * va / na + vb * vb / nb)
        return float(2 * stats.t.sf(stat, df))
    return float(2 * stats.norm.sf(stat))


def public(e):
    """The published fields: all but the variance, plus the standard error (SPEC §11: `se`
    on every estimate that has an interval)."""
    out = {k: v for k, v in e.items() if k != "var"}
    out["se"] = math.sqrt(e["var"]) if e["var"] is not None and e["ci_low"] is not None else None
    return out


# --------------------------------------------------------------------------
# Benjamini-Hochberg (SPEC §6).
# --------------------------------------------------------------------------

def bh_by_hand(ps):
    """q_(i) = min over j >= i of p_(j) * m / j, on the p-values sorted ascending (rank j)."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * m / rank)
        q[i] = running
    return q


def bh(ps):
    """scipy's q-values, cross-checked against the definition above."""
    if not ps:
        return []
    q = [float(x) for x in stats.false_discovery_control(ps, method="bh")]
    for a, b in zip(q, bh_by_hand(ps)):
        assert abs(a - b) <= 1e-12 * max(1.0, abs(a)), (ps, q)
    return q


def check_bh_by_hand():
    # p = 0.01, 0.04, 0.03, 0.20 (m = 4). Sorted: 0.01 (rank 1), 0.03 (2), 0.04 (3), 0.20 (4);
    # p * m / rank = 0.04, 0.06, 0.0533.., 0.20; the running minimum from the largest rank
    # down: 0.20, 0.0533.., min(0.06, 0.0533..) = 0.0533.., min(0.04, 0.0533..) = 0.04.
    # So in the input order q = 0.04, 0.16/3, 0.16/3, 0.20: the p of 0.03 inherits the
    # smaller q of the p above it, and with 1 - confidence = 0.05 only the first is
    # significant although the raw p of the second and third are below 0.05.
    want = [0.04, 0.16 / 3, 0.16 / 3, 0.20]
    for got in (bh_by_hand([0.01, 0.04, 0.03, 0.20]), bh([0.01, 0.04, 0.03, 0.20])):
        assert all(abs(g - w) < 1e-15 for g, w in zip(got, want)), got
    # Ties and a single test: q = p for one test; equal p share a q.
    assert bh([0.03]) == [0.03]
    assert bh([0.02, 0.02, 0.5]) == [0.03, 0.03, 0.5]


# --------------------------------------------------------------------------
# The reporting window (SPEC §6), on month or quarter keys.
# --------------------------------------------------------------------------

# The trend bucket of the variant being computed (cxscore.yaml `period:`): month or quarter.
PERIOD = "month"
PER_YEAR = {"month": 12, "quarter": 4}


def period_index(key):
    """Periods counted in a straight line: 2026-03 -> 2026 * 12 + 2; 2026-Q1 -> 2026 * 4 + 0;
    an ISO week by its Monday, in weeks since 0001-01-01 (a Monday)."""
    if key[5] == "W":
        return (date.fromisocalendar(int(key[:4]), int(key[6:8]), 1).toordinal() - 1) // 7
    if key[5] == "Q":
        return int(key[:4]) * 4 + int(key[6]) - 1
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def period_key(index):
    if PERIOD == "week":
        year, week, _ = date.fromordinal(index * 7 + 1).isocalendar()
        return f"{year:04d}-W{week:02d}"
    year, k = divmod(index, PER_YEAR[PERIOD])
    return f"{year:04d}-Q{k + 1}" if PERIOD == "quarter" else f"{year:04d}-{k + 1:02d}"


def period_of(row):
    d = row.get("date", "").strip()
    if not d:
        return None
    if PERIOD == "week":
        year, week, _ = date.fromisoformat(d).isocalendar()
        return f"{year:04d}-W{week:02d}"
    if PERIOD == "quarter":
        return f"{d[:4]}-Q{(int(d[5:7]) - 1) // 3 + 1}"
    return d[:7]


def year_before(index):
    """The same period one year earlier: 2025-12 -> 2024-12, 2025-Q4 -> 2024-Q4,
    2025-W05 -> 2024-W05 (SPEC §6)."""
    if PERIOD == "week":
        key = period_key(index)
        return period_index(f"{int(key[:4]) - 1:04d}{key[4:]}")
    return index - PER_YEAR[PERIOD]


def windows(rows, report):
    """(window, previous, year_ago) as (from, to) period indexes, or None for every row / not
    defined. report: {"window": "latest" | "ytd" | "all" | ("rolling", N), "as_of": key,
    "compare": [...]}."""
    kind = report.get("window", "latest")
    as_of = report.get("as_of") or max(p for p in map(period_of, rows) if p)
    to = period_index(as_of)
    compare = report.get("compare", ["previous", "year_ago"])
    if kind == "all":
        return None, None, None
    if kind == "latest":
        span = (to, to)
    elif kind == "ytd":
        assert PERIOD != "week", "ytd on weeks is not computed here"
        span = (to - to % PER_YEAR[PERIOD], to)
    else:
        span = (to - kind[1] + 1, to)
    length = span[1] - span[0] + 1
    previous = (span[0] - length, span[1] - length) if kind != "ytd" else None
    year_ago = (year_before(span[0]), year_before(span[1]))
    return (span,
            previous if "previous" in compare else None,
            year_ago if "year_ago" in compare else None)


def in_span(row, span):
    """Every row (dated or not) when span is None; else the rows dated in from..=to."""
    if span is None:
        return True
    p = period_of(row)
    return p is not None and span[0] <= period_index(p) <= span[1]


def window_json(kind, span):
    name = kind if isinstance(kind, str) else "rolling"
    if span is None:
        return {"kind": name, "from": None, "to": None}
    return {"kind": name, "from": period_key(span[0]), "to": period_key(span[1])}


def indicator(rows, ind, adjusted_wald, report, dated=True, segments=SEGMENTS):
    """Everything one indicator publishes, with p-values; q-values and flags come later
    (families (a)-(d) in flags()). dated False: a dataset without date, so every row and no
    comparison whatever the report; without a weight column every weight is 1."""
    iid, kind, params, goal = ind
    answered = []
    for r in rows:
        o = observation(kind, params, r)
        if o is not None:
            answered.append((r, o, float(r.get("w") or 1)))
    span, previous, year_ago = windows(rows, report) if dated else (None, None, None)

    # A weight column makes the dataset a survey design (SPEC §11): every domain's variance
    # sums over all its rows, so n/(n - 1) takes the dataset's row count.
    design_rows = len(rows) if any("w" in r for r in rows) else None

    def est(subset):
        return estimate(kind, params, goal, [(o, w) for _, o, w in subset], adjusted_wald,
                        design_rows)

    def trend(subset, tests):
        """Every period with answered rows, ascending (undated rows are in no period)."""
        keys = sorted({period_of(a[0]) for a in subset} - {None})
        out, prev = [], None
        for k in keys:
            e = est([a for a in subset if period_of(a[0]) == k])
            p = {"period": k, **public(e)}
            if tests:
                p["change"] = p["p_value"] = None
                if prev is not None and prev["value"] is not None and e["value"] is not None:
                    p["change"] = e["value"] - prev["value"]
                    p["p_value"] = p_value(prev, e, welch)
            out.append(p)
            prev = e
        return out

    welch = kind in ("mean", "gap")
    inside = [a for a in answered if in_span(a[0], span)]
    head = est(inside)
    out = {"window": window_json(report.get("window", "latest") if dated else "all", span),
           "overall": public(head)}
    for name, cspan in (("previous", previous), ("year_ago", year_ago)):
        if cspan is None:
            out[name] = None
            continue
        c = est([a for a in answered if in_span(a[0], cspan)])
        out[name] = {"from": period_key(cspan[0]), "to": period_key(cspan[1]),
                     **{f: public(c)[f] for f in ("value", "n", "effective_n", "ci_low", "ci_high", "se")},
                     "change": None, "p_value": None}
        if c["value"] is not None and head["value"] is not None:
            out[name]["change"] = head["value"] - c["value"]
            # SPEC §6 tests a comparison because "windows never overlap, so the samples are
            # independent"; a year ago of a rolling window longer than a year does overlap
            # (rolling 13 months: its first month is also the year ago's last), so the unpooled
            # test does not apply and there is none (as --baseline does for overlapping
            # windows: "compared with a test only when they do not overlap").
            if cspan[1] < span[0]:
                out[name]["p_value"] = p_value(c, head, welch)
    # The trend keeps every period, whatever the window.
    out["periods"] = trend(answered, True)
    # Segments: on the window's rows, each key against every other answered row of the
    # window; the keys are those of the indicator's answered rows in any period (a key with
    # no row in the window stays, with n = 0), each with its own trend.
    out["segments"] = {}
    for col in segments:
        groups = []
        for key in sorted({a[0][col].strip() for a in answered} - {""}):
            e = est([a for a in inside if a[0][col].strip() == key])
            r_ = est([a for a in inside if a[0][col].strip() != key])
            g = {"key": key, **public(e)}
            g["vs_rest"] = e["value"] - r_["value"] if e["value"] is not None and r_["value"] is not None else None
            g["p_value"] = p_value(r_, e, welch)
            g["periods"] = trend([a for a in answered if a[0][col].strip() == key], False)
            groups.append(g)
        out["segments"][col] = groups
    out["personas"] = []
    for pid, values in sorted(PERSONAS.items()):
        mine = [a for a in answered if a[0]["persona"].strip() in values]
        e = est([a for a in mine if in_span(a[0], span)])
        out["personas"].append({"key": pid, **public(e), "periods": trend(mine, False)})
    return out


def flags(indicators, confidence, multiple_testing, flips):
    """q-values by family and significant = q <= 1 - confidence and |change| >= min_change.
    Families (SPEC §6): (a) one indicator's period-to-period changes; (b) one indicator's
    vs-the-rest tests, every segment column together (personas have no such test);
    (c) every indicator's previous; (d) every indicator's year_ago. A test that cannot run
    (p None) is in no family and has q and significant None. flips counts the flags that
    min_change turns off."""
    goal = {ind[0]: ind[3] for ind in REFERENCE_INDICATORS + OPS_INDICATORS}

    def family(entries, diff_field):
        tests = [(iid, e) for iid, e in entries if e is not None and e["p_value"] is not None]
        ps = [e["p_value"] for _, e in tests]
        qs = bh(ps) if multiple_testing == "bh" else ps
        for (iid, e), q in zip(tests, qs):
            e["q_value"] = q
            by_q = q <= 1 - confidence
            e["significant"] = by_q and abs(e[diff_field]) >= goal[iid].get("min_change", 0)
            if by_q and not e["significant"]:
                flips.append((iid, diff_field, e))
        for _, e in entries:
            if e is not None and e["p_value"] is None:
                e["q_value"] = e["significant"] = None

    for iid, ind in indicators.items():
        family([(iid, p) for p in ind["periods"] if "p_value" in p], "change")
        family([(iid, g) for groups in ind["segments"].values() for g in groups], "vs_rest")
    for comparison in ("previous", "year_ago"):
        family([(iid, ind[comparison]) for iid, ind in indicators.items()], "change")
    return indicators


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


# The variants of the fixture: its cxscore.yaml with the `report:` line replaced by the text
# given (None: the line removed, the defaults), parsed by hand into the dict beside it.
# "all" is the fixture as committed (Part I: every row), with both NPS intervals.
VARIANTS = {
    "all": ("report: { window: all }", {"window": "all"}, "wald"),
    "all-adjusted-wald": ("report: { window: all }", {"window": "all"}, "adjusted_wald"),
    "default": (None, {}, "wald"),
    "rolling-3": ("report: { window: { rolling: 3 } }", {"window": ("rolling", 3)}, "wald"),
    "ytd": ("report: { window: ytd }", {"window": "ytd"}, "wald"),
    # An explicit as_of before the last period: a window across the turn of the year, later
    # periods still in the trend, a year-ago window only partly covered by the data.
    "rolling-3-as-of": ("report: { window: { rolling: 3 }, as_of: 2026-01 }",
                        {"window": ("rolling", 3), "as_of": "2026-01"}, "wald"),
    "latest-as-of": ("report: { window: latest, as_of: 2025-09 }",
                     {"window": "latest", "as_of": "2025-09"}, "wald"),
    # A rolling window longer than a year: its year ago overlaps it, so no test there.
    "rolling-13": ("report: { window: { rolling: 13 } }", {"window": ("rolling", 13)}, "wald"),
    # No comparison at all.
    "rolling-2-no-compare": ("report: { window: { rolling: 2 }, compare: [] }",
                             {"window": ("rolling", 2), "compare": []}, "wald"),
    # No adjustment (q = p) and one comparison only.
    # Quarters (cxscore.yaml's `period: month` rewritten too): 2026-Q1 against 2025-Q4 and
    # 2025-Q1, and trends long enough per period for period-to-period changes to be flagged.
    "quarter": ("report: { window: latest }", {"window": "latest", "period": "quarter"}, "wald"),
    # A whole year to date, as of its last quarter: its year ago has no data (n = 0).
    "quarter-ytd-as-of": ("report: { window: ytd, as_of: 2025-Q4 }",
                          {"window": "ytd", "as_of": "2025-Q4", "period": "quarter"}, "wald"),
    # ISO weeks: a rolling window across the turn of the year (2025-12-29 is in 2026-W01),
    # its previous weeks and the same weeks of the year before.
    "week-rolling-3-as-of": ("report: { window: { rolling: 3 }, as_of: 2026-W01 }",
                             {"window": ("rolling", 3), "as_of": "2026-W01", "period": "week"},
                             "wald"),
    "ytd-unadjusted": ("report: { window: ytd, compare: [year_ago], multiple_testing: none }",
                       {"window": "ytd", "compare": ["year_ago"], "multiple_testing": "none"},
                       "wald"),
}


def composite(indicators):
    """The composite of every entry its components publish, from their (window) values."""
    cid, weights, goal = COMPOSITE

    def combine(entries):
        """entries: the components' entries for one window, period or key (None: absent)."""
        have = [(weights[c], NORMALISE[c](e["value"])) for c, e in entries.items()
                if e is not None and e["value"] is not None]
        value = sum(w * v for w, v in have) / sum(w for w, _ in have) if have else None
        out = {"value": value, "ci_low": None, "ci_high": None,
               "unchecked": COMPOSITE_UNCHECKED + ([] if value is not None else ["status"])}
        if value is not None:
            out["status"] = status(value, False, goal)
        return out

    def keyed(lists, key):
        """Entries of the components' lists with the same key, in key order."""
        keys = sorted({e[key] for entries in lists.values() for e in entries})
        return [(k, {c: next((e for e in entries if e[key] == k), None)
                     for c, entries in lists.items()}) for k in keys]

    comps = {c: indicators[c] for c in weights}
    head = combine({c: i["overall"] for c, i in comps.items()})
    out = {"window": comps["nps"]["window"], "overall": head}
    for name in ("previous", "year_ago"):
        if comps["nps"][name] is None:
            out[name] = None
            continue
        c = combine({k: i[name] for k, i in comps.items()})
        change = head["value"] - c["value"] if None not in (head["value"], c["value"]) else None
        out[name] = {"from": comps["nps"][name]["from"], "to": comps["nps"][name]["to"], **c,
                     "change": change, "p_value": None, "q_value": None, "significant": None}
        # SPEC §6's fields of a comparison: no status.
        out[name].pop("status", None)
        out[name]["unchecked"] = [f for f in c["unchecked"] if f != "status"]
    periods, prev = [], None
    for k, entries in keyed({c: i["periods"] for c, i in comps.items()}, "period"):
        e = {"period": k, **combine(entries), "p_value": None, "q_value": None,
             "significant": None}
        e["change"] = (e["value"] - prev if None not in (e["value"], prev) else None)
        periods.append(e)
        prev = e["value"]
    out["periods"] = periods

    def with_trend(k, entries):
        e = {"key": k, **combine(entries), "p_value": None, "q_value": None, "significant": None}
        e["periods"] = [{"period": pk, **combine(pe)} for pk, pe in
                        keyed({c: x["periods"] for c, x in entries.items() if x}, "period")]
        return e

    out["segments"] = {
        col: [with_trend(k, entries)
              for k, entries in keyed({c: i["segments"][col] for c, i in comps.items()}, "key")]
        for col in SEGMENTS}
    out["personas"] = [with_trend(k, entries)
                       for k, entries in keyed({c: i["personas"] for c, i in comps.items()}, "key")]
    return cid, out


def variant(rows, ops, report, nps_interval, flips):
    global PERIOD
    PERIOD = report.get("period", "month")
    indicators = {ind[0]: indicator(rows, ind, nps_interval == "adjusted_wald", report)
                  for ind in REFERENCE_INDICATORS}
    for ind in OPS_INDICATORS:
        indicators[ind[0]] = indicator(ops, ind, False, report, dated=False,
                                       segments=OPS_SEGMENTS)
    flags(indicators, CONFIDENCE, report.get("multiple_testing", "bh"), flips)
    cid, comp = composite(indicators)
    indicators[cid] = comp
    return indicators


def dump(value, indent=""):
    """JSON with sorted keys, one line per object of plain values (a period, a comparison),
    indented otherwise: readable diffs at a third of json.dumps(indent=1)'s size."""
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) for v in value.values()):
        inner = indent + " "
        items = [f"{inner}{json.dumps(k)}: {dump(value[k], inner)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        inner = indent + " "
        return "[\n" + ",\n".join(inner + dump(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, sort_keys=True)


def main():
    if "--generate" in sys.argv:
        generate()
    check_bh_by_hand()
    with CSV_PATH.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with OPS_PATH.open(newline="", encoding="utf-8") as f:
        ops = list(csv.DictReader(f))
    variants, all_flips = {}, []
    for name, (line, report, nps_interval) in VARIANTS.items():
        flips = []
        inds = variant(rows, ops, report, nps_interval, flips)
        span, _, _ = windows(rows, report)
        variants[name] = {"report": line, "nps_interval": nps_interval,
                          "period": report.get("period", "month"),
                          "window": window_json(report.get("window", "latest"), span),
                          "indicators": inds}
        all_flips += [(name, *f) for f in flips]
    for name, iid, field, e in all_flips:
        where = e.get("period") or e.get("key") or f"{e['from']}..{e['to']}"
        print(f"min_change turns off: {name} {iid} {where} {field} {e[field]:.3f}"
              f" (q {e['q_value']:.4f})")
    # The fixture must show min_change at work on every kind of test: a period-to-period
    # change, a segment key against the rest, and a previous / year-ago comparison each
    # significant by its q-value but not by its size.
    kinds = {"period" if "period" in e else "segment" if "key" in e else "comparison"
             for _, _, _, e in all_flips}
    assert kinds == {"period", "segment", "comparison"}, f"min_change shown only on {kinds}"
    expected = {
        "source": "tests/reference/reference.py (numpy %s, scipy %s); do not edit by hand"
                  % (np.__version__, __import__("scipy").__version__),
        "rows": len(rows),
        "ops_rows": len(ops),
        "variants": variants,
        "drivers": [drivers(rows)],
    }
    OUT_PATH.write_text(dump(expected) + "\n", encoding="utf-8")
    print(f"wrote {OUT_PATH} from {len(rows)} rows, {len(variants)} variants")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent reference values for the key drivers of SPEC §8 on tests/fixtures/reference.

Python standard library only (csv, math, random, json): nothing here imports or calls cxscore.
The fixture's driver analysis is restated below (DRIVER) with the keys tests/cli/drivers_reference.rs
adds to it: `scale: [1, 5]` (low = 1-2, high = 5 by default), `bootstrap: 1000`, and, in the
`rolling-3` variant, `window: { rolling: 3 }`. For each variant this script writes to
tests/reference/drivers_expected.json:

- per attribute, overall and per persona: penalty = % detractors (q_nps 0-6) among rows rating
  the attribute 1-2 minus % among rows rating it 3-4; reward = % promoters (9-10) among rows
  rating it 5 minus % among 3-4; weighted shares, each with variance p(1-p)/n_eff (Kish), the
  unpooled Wald interval d +/- z*sqrt(V1 + V2) and the two-sided normal p-value (math.erfc);
  nothing when either group's n_eff < min_n (10). q-values: Benjamini-Hochberg by hand within
  the analysis (family (f): every penalty and reward of the analysis; each persona its own
  analysis). significant <=> q <= 0.05. Class: penalty significant and > 0 only -> basic,
  reward only -> delighter, both -> performance, neither -> unclear; null unless both exist.
- n, effective n and R² of the window's rows, and per period (periods with n_eff >= min_n):
  n, effective n, R², importance (Johnson's relative weights, with a Jacobi eigen-
  decomposition written here).
- for the bootstrap: the width of an independent percentile interval of each importance from
  BOOT_REPLICATES resamples (rows with replacement, weights kept) drawn by Python's own
  Mersenne Twister (random.Random(SEED)). cxscore uses another generator (ChaCha8), so the
  intervals differ by Monte-Carlo error only; the Rust test compares widths within 25 %: with
  B = 1000 (cxscore) and 4000 (here), the relative standard error of a 95 % percentile
  interval's width is about 4-6 % for cxscore and half that here, so 25 % is more than four
  standard errors -- a real error (wrong resampling unit, dropped weights, a confidence
  mix-up: 90 % intervals are ~16 % narrower, 99 % ~31 % wider) would still show.

Usage: python3 tests/reference/drivers_reference.py   (writes drivers_expected.json)
"""

import csv
import json
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE.parent / "fixtures" / "reference" / "data" / "survey.csv"
OUT_PATH = HERE / "drivers_expected.json"

CONFIDENCE = 0.95
MIN_N = 10.0
Z = 1.959963984540054  # the normal quantile at 0.975
DRIVER = {"outcome": "q_nps", "attributes": ["a_speed", "a_price", "a_support"]}
LOW, HIGH = (1.0, 2.0), (5.0, 5.0)
PERSONAS = {"newcomer": ["new"], "switcher": ["mover", "porter"]}
SEED = 20261202
BOOT_REPLICATES = 4000
# The last period with data (the report's as_of) and the rolling-3 window ending there.
VARIANTS = {"all": None, "rolling-3": ("2026-01", "2026-03")}


def num(text):
    text = text.strip()
    return float(text) if text else None


def complete_rows():
    """(period, persona, outcome, attributes, weight) of every row with all columns answered."""
    out = []
    with open(CSV_PATH, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            vals = [num(r[c]) for c in [DRIVER["outcome"]] + DRIVER["attributes"]]
            if any(v is None for v in vals):
                continue
            period = r["date"].strip()[:7] or None
            out.append((period, r["persona"].strip(), vals[0], vals[1:], float(r["w"])))
    return out


# ---------------------------------------------------------------- penalty / reward

def tally(rows, j, band, group):
    """Σw, Σw² and Σw of the rows in `group` among the raters of attribute j in `band`."""
    w = w2 = hit = 0.0
    for _, _, y, x, wt in rows:
        if band[0] <= x[j] <= band[1]:
            w += wt
            w2 += wt * wt
            if group(y):
                hit += wt
    return w, w2, hit


def middle(x):
    return not (LOW[0] <= x <= LOW[1]) and not (HIGH[0] <= x <= HIGH[1])


def difference(rows, j, band, group):
    def part(sel):
        w = w2 = hit = 0.0
        for _, _, y, x, wt in rows:
            if sel(x[j]):
                w += wt
                w2 += wt * wt
                hit += wt if group(y) else 0.0
        n_eff = w * w / w2 if w2 > 0 else 0.0
        if not (w > 0 and n_eff >= MIN_N):
            return None
        p = hit / w
        return p, p * (1 - p) / n_eff

    a = part(lambda x: band[0] <= x <= band[1])
    b = part(middle)
    if a is None or b is None:
        return None
    d = (a[0] - b[0]) * 100
    se = math.sqrt(a[1] + b[1]) * 100
    p = math.erfc(abs(d) / se / math.sqrt(2)) if se > 0 else None
    return {"value": d, "ci_low": d - Z * se, "ci_high": d + Z * se, "p_value": p}


def bh(ps):
    """Benjamini-Hochberg q-values by their definition; None stays None."""
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


def effects(rows):
    detractor, promoter = (lambda y: y <= 6), (lambda y: y >= 9)
    k = len(DRIVER["attributes"])
    pen = [difference(rows, j, LOW, detractor) for j in range(k)]
    rew = [difference(rows, j, HIGH, promoter) for j in range(k)]
    effs = pen + rew
    qs = bh([e["p_value"] if e else None for e in effs])
    for e, q in zip(effs, qs):
        if e:
            e["q_value"] = q
            e["significant"] = None if q is None else q <= 1 - CONFIDENCE
    out = []
    for j, c in enumerate(DRIVER["attributes"]):
        p, r = pen[j], rew[j]
        cls = None
        if p and r:
            ps = p["significant"] is True and p["value"] > 0
            rs = r["significant"] is True and r["value"] > 0
            cls = {(True, False): "basic", (False, True): "delighter",
                   (True, True): "performance", (False, False): "unclear"}[(ps, rs)]
        out.append({"column": c, "penalty": p, "reward": r, "class": cls})
    return out


# ---------------------------------------------------------------- Johnson's relative weights

def jacobi(a):
    """Eigenvalues and eigenvectors (columns) of a small symmetric matrix, cyclic Jacobi."""
    n = len(a)
    a = [row[:] for row in a]
    v = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for _ in range(100):
        off = sum(a[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        if off < 1e-30:
            break
        for p in range(n):
            for q in range(p + 1, n):
                if abs(a[p][q]) < 1e-300:
                    continue
                theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                t = (1 if theta >= 0 else -1) / (abs(theta) + math.sqrt(theta * theta + 1))
                c = 1 / math.sqrt(t * t + 1)
                s = t * c
                for k in range(n):
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(n):
                    vkp, vkq = v[k][p], v[k][q]
                    v[k][p], v[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
    return [a[i][i] for i in range(n)], v


def johnson(rows):
    """(n, n_eff, R², importances) of Johnson's relative weights on weighted rows."""
    data = [([y] + x, w) for _, _, y, x, w in rows]
    n = len(data)
    sw = sum(w for _, w in data)
    sw2 = sum(w * w for _, w in data)
    k = len(DRIVER["attributes"]) + 1
    mean = [sum(w * v[i] for v, w in data) / sw for i in range(k)]
    c = [[sum(w * (v[i] - mean[i]) * (v[j] - mean[j]) for v, w in data) for j in range(k)]
         for i in range(k)]
    r = [[c[i][j] / math.sqrt(c[i][i] * c[j][j]) for j in range(k)] for i in range(k)]
    rxy = [r[0][j] for j in range(1, k)]
    rxx = [[r[i][j] for j in range(1, k)] for i in range(1, k)]
    lam, q = jacobi(rxx)
    p = k - 1
    half = [[sum(q[i][m] * math.sqrt(lam[m]) * q[j][m] for m in range(p)) for j in range(p)]
            for i in range(p)]
    half_inv = [[sum(q[i][m] / math.sqrt(lam[m]) * q[j][m] for m in range(p)) for j in range(p)]
                for i in range(p)]
    beta = [sum(half_inv[i][j] * rxy[j] for j in range(p)) for i in range(p)]
    eps = [sum((half[j][m] * beta[m]) ** 2 for m in range(p)) for j in range(p)]
    r2 = sum(eps)
    return n, sw * sw / sw2, r2, [100 * e / r2 for e in eps]


def bootstrap_widths(rows, rng):
    reps = []
    for _ in range(BOOT_REPLICATES):
        sample = [rows[rng.randrange(len(rows))] for _ in rows]
        reps.append(johnson(sample)[3])
    widths = []
    for j in range(len(DRIVER["attributes"])):
        v = sorted(r[j] for r in reps)

        def quantile(qq):
            h = (len(v) - 1) * qq
            lo = math.floor(h)
            return v[lo] + (h - lo) * (v[min(lo + 1, len(v) - 1)] - v[lo])

        widths.append(quantile(0.975) - quantile(0.025))
    return widths


def variant(rows, span):
    if span:
        rows = [r for r in rows if r[0] and span[0] <= r[0] <= span[1]]
    n, n_eff, r2, imp = johnson(rows)
    out = {"n": n, "effective_n": n_eff, "r2": r2, "importance": imp,
           "attributes": effects(rows),
           "personas": [{"key": key, "attributes": effects([r for r in rows if r[1] in vals])}
                        for key, vals in sorted(PERSONAS.items())]}
    return out


def periods(rows):
    out = []
    for key in sorted({r[0] for r in rows if r[0]}):
        sub = [r for r in rows if r[0] == key]
        n, n_eff, r2, imp = johnson(sub)
        if n_eff >= MIN_N:
            out.append({"period": key, "n": n, "effective_n": n_eff, "r2": r2,
                        "importance": dict(zip(DRIVER["attributes"], imp))})
    return out


def main():
    rows = complete_rows()
    expected = {
        "source": "tests/reference/drivers_reference.py (stdlib only); do not edit by hand",
        "variants": {name: variant(rows, span) for name, span in VARIANTS.items()},
        "periods": periods(rows),
        "bootstrap": {"replicates": BOOT_REPLICATES,
                      "widths": bootstrap_widths(rows, random.Random(SEED))},
    }
    OUT_PATH.write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print("wrote", OUT_PATH)


if __name__ == "__main__":
    main()

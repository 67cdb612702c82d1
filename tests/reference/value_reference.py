#!/usr/bin/env python3
"""Independent reference values for value at stake (SPEC §9) of tests/fixtures/value.

Plain Python 3 (standard library only: csv, json, math, statistics.NormalDist). Nothing
here imports or ports cxscore code; the Student-t quantile is computed below from the
regularised incomplete beta function (Lentz's continued fraction) and bisection.
tests/cli/value_numbers.rs builds the fixture with the real binary and compares
metrics.json's `value_at_stake` with tests/reference/value_expected.json at 1e-9.

The rules (restating docs/reference.md, "Value at stake"):
- the NPS indicator `nps-digital`: column q_nps, rows with channel web or app; a row is in a
  group when q_nps is a number: promoters 9-10, passives 7-8, detractors 0-6;
- the window: months 2026-02 and 2026-03 (rolling 2 to as_of 2026-03); rows without a date
  are outside it. A second variant, `all`, is the fixture built with `report: { window: all }`:
  every row, the two undated ones included;
- unweighted: customers = n = rows of the group; share = n_group / n_all_groups x 100;
- revenue: the mean of the group's numeric monthly_revenue cells (blank cells left out),
  Student-t interval with df = n - 1, s^2 the sample variance;
- churn: share (%) of the group's non-blank churned cells equal to "yes" after trimming,
  Wilson score interval at z = NormalDist().inv_cdf(0.975);
- values are suppressed (null) below min_n = 5;
- spend_ratio R = mean_p / mean_d, interval exp(ln R +- z sqrt(s_p^2/(n_p m_p^2) +
  s_d^2/(n_d m_d^2)));
- churn_gap g = churn_d - churn_p (points), se = sqrt(p_d(1-p_d)/n_d + p_p(1-p_p)/n_p) x 100,
  interval g +- z se, p = 2 (1 - Phi(|g|/se)); q = p (a family of one test);
- revenue_at_risk = 1,200,000 x share_d x g/100 x mean_d x 12, its ends with g's ends.
"""

import csv
import json
import math
from pathlib import Path
from statistics import NormalDist

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests/fixtures/value"
OUT = ROOT / "tests/reference/value_expected.json"
CONFIDENCE = 0.95
MIN_N = 5
CUSTOMERS = 1_200_000
WINDOW = ("2026-02", "2026-03")


def betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(ln) * betacf(a, b, x) / a
    return 1.0 - math.exp(ln) * betacf(b, a, 1.0 - x) / b


def t_cdf(t, df):
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


def t_quantile(q, df):
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def number(text):
    text = text.strip()
    if text == "":
        return None
    return float(text)


def group_of(row):
    if row["channel"].strip() not in ("web", "app"):
        return None
    x = number(row["q_nps"])
    if x is None:
        return None
    if x >= 9:
        return "promoters"
    if x >= 7:
        return "passives"
    return "detractors"


def in_window(row, window):
    if window is None:
        return True
    d = row["submitted_at"].strip()
    return d != "" and window[0] <= d[:7] <= window[1]


def main():
    out = {"rolling2": value(WINDOW), "all": value(None)}
    OUT.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def value(window):
    z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)
    with open(FIXTURE / "data/survey.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if in_window(r, window)]
    names = ["promoters", "passives", "detractors"]
    members = {g: [r for r in rows if group_of(r) == g] for g in names}
    total = sum(len(m) for m in members.values())
    groups, stats = {}, {}
    for g in names:
        m = members[g]
        revenue = [number(r["monthly_revenue"]) for r in m]
        revenue = [x for x in revenue if x is not None]
        churn = [r["churned"].strip() for r in m]
        churn = [c == "yes" for c in churn if c != ""]
        n_r, n_c = len(revenue), len(churn)
        mean = sum(revenue) / n_r
        s2 = sum((x - mean) ** 2 for x in revenue) / (n_r - 1)
        half = t_quantile(1 - (1 - CONFIDENCE) / 2, n_r - 1) * math.sqrt(s2 / n_r)
        p = sum(churn) / n_c
        denom = 1 + z * z / n_c
        centre = (p + z * z / (2 * n_c)) / denom
        w_half = z / denom * math.sqrt(p * (1 - p) / n_c + z * z / (4 * n_c * n_c))
        assert n_r >= MIN_N and n_c >= MIN_N
        stats[g] = (mean, s2 / n_r, p, p * (1 - p) / n_c, len(m))
        groups[g] = {
            "customers": float(len(m)),
            "n": len(m),
            "effective_n": float(len(m)),
            "share": len(m) / total * 100,
            "revenue": mean,
            "revenue_ci_low": mean - half,
            "revenue_ci_high": mean + half,
            "revenue_n": n_r,
            "churn": p * 100,
            "churn_ci_low": max(0.0, (centre - w_half) * 100),
            "churn_ci_high": min(100.0, (centre + w_half) * 100),
            "churn_n": n_c,
        }
    mp, vp, cp, cvp, _ = stats["promoters"]
    md, vd, cd, cvd, nd = stats["detractors"]
    ratio = mp / md
    se_log = math.sqrt(vp / mp ** 2 + vd / md ** 2)
    gap = (cd - cp) * 100
    se = math.sqrt(cvd + cvp) * 100
    p_value = 2 * (1 - NormalDist().cdf(abs(gap) / se))
    share_d = nd / total
    risk = lambda g: CUSTOMERS * share_d * g / 100 * md * 12
    return {
        "n": total,
        "groups": groups,
        "spend_ratio": ratio,
        "spend_ratio_ci_low": math.exp(math.log(ratio) - z * se_log),
        "spend_ratio_ci_high": math.exp(math.log(ratio) + z * se_log),
        "churn_gap": gap,
        "churn_gap_ci_low": gap - z * se,
        "churn_gap_ci_high": gap + z * se,
        "churn_gap_p_value": p_value,
        "churn_gap_q_value": p_value,
        "revenue_at_risk": risk(gap),
        "revenue_at_risk_ci_low": risk(gap - z * se),
        "revenue_at_risk_ci_high": risk(gap + z * se),
    }


if __name__ == "__main__":
    main()

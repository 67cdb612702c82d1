#!/usr/bin/env python3
"""Independent reference values for the topic numbers (SPEC §7) of tests/fixtures/topics.

Recomputes, from the YAML and CSV of the fixture and the rules of SPEC §7 (with Part I §2
and §6), every topic number cxscore publishes in metrics.json -- per topic and dataset, per
group roll-up, and each dataset's uncoded comments -- and writes tests/reference/topics.json.
tests/cli/topics_numbers.rs builds the fixture with the real binary and compares, so the
Rust test needs no Python.

Plain Python 3.11, standard library only (csv, re, unicodedata, math,
statistics.NormalDist). Nothing here imports or ports cxscore code: the matching rules are
implemented anew below (simple case folding from str.upper/str.lower, scripts from the
Unicode character names, the whole-word rule by looking at the characters either side of
every candidate match). The fixture's definitions are restated below by hand (CODEBOOK,
DATASETS, PERSONAS mirror tests/fixtures/topics/**.yaml); main() checks the restatement
against the YAML text so the two cannot drift apart silently.

The numbers (the contract of src/metrics/computed_topics.rs):
- answered comment: the dataset's comment cell, trimmed, not empty;
- NPS of a set of rows: the rows with an answered NPS (the dataset's first `metric: nps`
  indicator, in definition order), weighted: (Σw promoters − Σw detractors)/Σw × 100;
  Kish n_eff = (Σw)²/Σw²; null when n_eff < min_n; Var = (p + d − (p − d)²)/n_eff × 10⁴
  on an unweighted dataset, and on a weighted one the design-based variance of SPEC §11,
  n/(n − 1) · Σw²(y − ȳ)²/(Σw)² × 10⁴ with y = +1/0/−1 and n the dataset's rows;
- on the report window (rolling 2 months ending at the latest month with data; undated rows
  are in no window and no period; a dataset without `date` uses every row):
  mentions, answered, share (weighted %) with its se and a Wilson interval on the answered
  comments' n_eff (weighted dataset: on n* = p(1 − p)/Var, Var the design-based variance of
  the 0/1 code), null when that n_eff < min_n; by_group (share within each NPS group's answered
  comments, null below min_n; the whole object null when the dataset has no NPS indicator);
  nps_with / nps_without, difference with difference_se = √(Var_with + Var_without), the two-sided unpooled z test's p, BH q within the
  dataset's topics (its groups form their own family), significant ⇔ q ≤ 1 − confidence;
  impact = NPS(all commenting rows) − nps_without;
- periods: every period with answered comments (all, not only the window), ascending;
  segments: per column, per non-blank key with answered comments in the window, by key;
  personas: every persona whose match column is in the dataset, by id;
- uncoded: answered comments in the window with no topic, count and weighted share.

Usage:
    python3 tests/reference/topics_reference.py             # writes topics.json
    python3 tests/reference/topics_reference.py --generate  # rewrites the fixture CSVs first
"""

import csv
import json
import math
import random
import re
import sys
import unicodedata
from pathlib import Path
from statistics import NormalDist

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "topics"
OUT_PATH = HERE / "topics.json"

CONFIDENCE = 0.95
MIN_N = 5.0
# The fixture's `report:` line and the variants the test builds (the line replaced).
REPORT_LINE = "report: { window: { rolling: 2 }, compare: [previous] }"
VARIANTS = {
    # name: (the report line, multiple testing, as_of or None for the latest month)
    "default": (REPORT_LINE, "bh", None),
    "unadjusted": (
        "report: { window: { rolling: 2 }, compare: [previous], multiple_testing: none }",
        "none", None,
    ),
    # An earlier window: 2026-03..04 (成都 answers there), later months outside it.
    "as-of": ("report: { window: { rolling: 2 }, as_of: 2026-04, compare: [previous] }",
              "bh", "2026-04"),
    # Every row, the undated ones too (SPEC §6: `all` is every row).
    "all": ("report: { window: all }", "bh", "all"),
}
WINDOW_MONTHS = 2

# cxscore.yaml's datasets, restated.
DATASETS = {
    "survey": {"path": "data/survey.csv", "date": "date", "weight": "w",
               "segments": ["channel", "city"], "comments": "comment",
               # The first `metric: nps` indicator of the dataset in definition order is
               # `nps` (q_nps); `nps-brand` (q_brand) comes after it and must not be used.
               "nps": "q_nps"},
    "tickets": {"path": "data/tickets.csv", "date": None, "weight": None,
                "segments": ["queue"], "comments": "note", "nps": None},
    # Three answered comments: every share of the dataset is below min_n. It has an NPS
    # indicator (on `q`) that no row answers: by_group is three nulls, not null.
    "chat": {"path": "data/chat.csv", "date": None, "weight": None,
             "segments": [], "comments": "text", "nps": "q"},
}
# personas/*.yaml, restated (id -> column, accepted values), by id.
PERSONAS = {
    "loyalist": ("persona", ["loyal"]),
    # Nobody: listed with no answered comment and a null share.
    "vip": ("persona", ["vip"]),
    "newcomer": ("persona", ["new"]),
    "switcher": ("persona", ["mover", "porter"]),
}

# topics/*.yaml in file order (network.yaml, service.yaml), then list order.
CODEBOOK = [
    {"id": "slow-speed", "name": "Slow speed", "group": "Network",
     "keywords": ["slow", "buffering", "慢", "网速", "느려", "αργός"],
     "patterns": [], "exclude": ["not slow"], "datasets": None},
    {"id": "outage", "name": "Outage", "group": "Network",
     "keywords": ["outage", "no signal", "断网", "信号", "σήμα", "störung"],
     "patterns": [r"down (for|since) \d+ (hours?|days?)"], "exclude": [], "datasets": None},
    {"id": "late-install", "name": "Late installation", "group": "Installation",
     "keywords": ["late", "no show", "didn't turn up", "迟到", "没来"],
     "patterns": ["engineer.{0,20}(late|missed)"], "exclude": ["not late", "没有迟到"],
     "datasets": None},
    {"id": "install-quality", "name": "Installation quality", "group": "Installation",
     "keywords": ["cable", "drilled", "messy", "布线"], "patterns": [], "exclude": [],
     "datasets": ["survey"]},
    {"id": "billing", "name": "Billing", "group": None,
     "keywords": ["bill", "hidden fees", "收费", "账单", "zu groß"],
     "patterns": [r"charged\s+(twice|double)", "^refund"], "exclude": [], "datasets": None},
    {"id": "staff-praise", "name": "Friendly staff", "group": None,
     "keywords": ["friendly", "helpful", "thank you", "热情", "耐心"],
     "patterns": [], "exclude": ["not friendly", "not helpful", "不耐心", "不热情"],
     "datasets": None},
    {"id": "app-login", "name": "App login", "group": None,
     "keywords": ["app", "login", "log in", "登录"], "patterns": [], "exclude": [],
     "datasets": ["tickets"]},
    {"id": "cancellation", "name": "Cancellation", "group": None,
     "keywords": ["cancel", "退订"], "patterns": [], "exclude": [], "datasets": None},
]


# --------------------------------------------------------------------------
# Matching (SPEC §7), implemented from the rules' text.
# --------------------------------------------------------------------------

def fold_char(c):
    """Unicode simple case folding of one character, one character out: the lowercase of the
    uppercase (so final sigma, long s, the micro and Kelvin signs meet their letters), else
    the lowercase (ẞ -> ß), else the character itself (ß stays ß: its full folding "ss" is
    not simple)."""
    u = c.upper()
    if len(u) == 1:
        low = u.lower()
        if len(low) == 1:
            return low
    low = c.lower()
    return low if len(low) == 1 else c


def fold(text):
    return "".join(fold_char(c) for c in text)


def script(c):
    """'han', 'hiragana', 'katakana', 'hangul' or None, from the character's Unicode name.
    The marks shared by both kana (ー, ・, ゛) are of the Common script: None."""
    name = unicodedata.name(c, "")
    if "KATAKANA-HIRAGANA" in name or "MIDDLE DOT" in name:
        return None
    if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH",
                        "CJK RADICAL", "KANGXI RADICAL")) or c in "々〇〻":
        return "han"
    if name.startswith("HIRAGANA"):
        return "hiragana"
    if name.startswith(("KATAKANA", "HALFWIDTH KATAKANA")):
        return "katakana"
    if "HANGUL" in name:
        return "hangul"
    return None


def cjk_only(keyword):
    """Only Han, kana or Hangul (whitespace aside), at least one of them."""
    chars = [c for c in keyword if not c.isspace()]
    return bool(chars) and all(script(c) is not None for c in chars)


def is_boundary(text, i):
    """May text[i] stand beside a whole word? Outside the text, anything but a letter or a
    digit, and a Han or kana letter (scripts written without spaces)."""
    if i < 0 or i >= len(text):
        return True
    c = text[i]
    if unicodedata.category(c)[0] not in "LN":
        return True
    return script(c) in ("han", "hiragana", "katakana")


def keyword_hits(keyword, text):
    """text is the trimmed comment. A keyword's inner whitespace matches any run of
    whitespace; CJK-only keywords anywhere, others only between boundaries. Every start is
    tried, so a candidate that fails the boundary test does not hide a later one."""
    rx = re.compile(r"\s+".join(re.escape(fold(p)) for p in keyword.split()))
    folded = fold(text)
    assert len(folded) == len(text)
    whole_word = not cjk_only(keyword)
    for start in range(len(folded)):
        m = rx.match(folded, start)
        if m is None:
            continue
        if not whole_word or (is_boundary(text, m.start() - 1) and is_boundary(text, m.end())):
            return True
    return False


def topic_applies(topic, comment):
    text = comment.strip()
    if not text:
        return False
    hit = (any(keyword_hits(k, text) for k in topic["keywords"])
           or any(re.search(p, text, re.IGNORECASE) for p in topic["patterns"]))
    return hit and not any(keyword_hits(k, text) for k in topic["exclude"])


def check_matching_rules():
    """The traps, one by one, on this implementation (its own unit test)."""
    t = {x["id"]: x for x in CODEBOOK}
    yes = lambda tid, s: topic_applies(t[tid], s)  # noqa: E731
    assert yes("late-install", "LATE again!!!")
    assert not yes("late-install", "Lately the service has been fine.")
    assert not yes("late-install", "I love chocolate, not this router.")
    assert not yes("late-install", "Please translate the contract into English.")
    assert not yes("late-install", "Ordered the Late2 bundle")
    assert yes("late-install", "Installer arrived 2 hours late😡")
    assert yes("late-install", "工程师又迟到了，等了一上午")
    assert not yes("late-install", "师傅没有迟到，很准时，服务热情")
    assert yes("late-install", "Total no   show, second time")
    assert yes("late-install", "no\nshow, never again")
    assert not yes("late-install", "They didn’t turn up")  # a curly apostrophe
    assert yes("late-install", "They didn't turn up at all")
    assert yes("late-install", "The ENGINEER missed the appointment")  # the pattern
    assert not yes("late-install", "Engineer was not late, very friendly and helpful")
    assert yes("slow-speed", "网络很slow")
    assert yes("slow-speed", "slow的网络，晚上更慢")
    assert not yes("slow-speed", "매우slow")  # Hangul is written with spaces
    assert yes("slow-speed", "인터넷이 너무 느려요")
    assert yes("slow-speed", "Η σύνδεση είναι ΠΟΛΎ ΑΡΓΌΣ")  # final sigma folds with Σ
    assert not yes("slow-speed", "Slowly getting better")
    assert yes("outage", "ΧΩΡΊΣ ΣΉΜΑ όλο το βράδυ")
    assert yes("outage", "STÖRUNG seit gestern")
    assert yes("outage", "Down for 3 days, no signal")
    assert yes("billing", "RECHNUNG ZU GROẞ")  # capital sharp s folds to ß
    assert not yes("billing", "Rechnung zu gross")  # ß is not "ss" in simple folding
    assert not yes("billing", "Bills keep going up")
    assert yes("billing", "Charged TWICE this month")
    assert not yes("staff-praise", "The staff were not friendly at all")
    assert not yes("staff-praise", "客服不耐心")
    assert yes("staff-praise", "客服很有耐心")
    assert not yes("staff-praise", "   ") and not yes("staff-praise", "\u3000")
    assert yes("slow-speed", "回線がslowです") and yes("slow-speed", "アプリslow")
    assert yes("billing", "  Refund please, charged for nothing")
    assert not yes("billing", "I want a refund")  # '^refund': at the start only
    assert not yes("late-install", "The engineer\nmissed it")
    assert cjk_only("迟到") and cjk_only("느려") and not cjk_only("wifi很慢")
    assert fold("ΑΡΓΌΣ") == fold("αργός") and fold("STRAẞE") == "straße"


# --------------------------------------------------------------------------
# Statistics (SPEC Part I §2, §6).
# --------------------------------------------------------------------------

Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)


def kish(ws):
    s, s2 = sum(ws), sum(w * w for w in ws)
    return s * s / s2 if s2 > 0 else 0.0


def design_variance(rows, y):
    """SPEC §11: the design-based variance of the weighted mean of y over a domain of a
    weighted dataset of N_ROWS rows, n/(n − 1) · Σw²(y − ȳ)²/(Σw)² (svydesign(ids = ~1))."""
    n = N_ROWS[rows[0]["dataset"]]
    sw = sum(r["w"] for r in rows)
    mean = sum(r["w"] * y(r) for r in rows) / sw
    ss = sum(r["w"] ** 2 * (y(r) - mean) ** 2 for r in rows)
    return n / (n - 1) * ss / (sw * sw)


def weighted_share(rows, has, with_se=False):
    """(share in %, ci_low, ci_high) of the rows for which has(row), weighted; Wilson on
    Kish's n_eff, or, on a weighted dataset, on n* = p(1 − p)/Var with the design-based
    variance; all None below min_n (or no rows). With with_se, also the se in points."""
    ws = [r["w"] for r in rows]
    n = kish(ws)
    if not rows or n < MIN_N:
        return (None, None, None, None) if with_se else (None, None, None)
    p = sum(r["w"] for r in rows if has(r)) / sum(ws)
    if DATASETS[rows[0]["dataset"]]["weight"]:
        var = design_variance(rows, lambda r: 1.0 if has(r) else 0.0)
        if var > 0 and p * (1 - p) > 1e-12:
            n = p * (1 - p) / var
    else:
        var = p * (1 - p) / n
    z2 = Z * Z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z / denom * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0))
    out = p * 100, max((centre - half) * 100, 0.0), min((centre + half) * 100, 100.0)
    return out + (math.sqrt(var) * 100,) if with_se else out


def nps(rows):
    """(value, variance) of the rows with an answered NPS; (None, None) below min_n."""
    rows = [r for r in rows if r["nps"] is not None]
    ws = [r["w"] for r in rows]
    n = kish(ws)
    if not rows or n < MIN_N:
        return None, None
    sw = sum(ws)
    p = sum(r["w"] for r in rows if r["nps"] >= 9) / sw
    d = sum(r["w"] for r in rows if r["nps"] <= 6) / sw
    if DATASETS[rows[0]["dataset"]]["weight"]:
        y = lambda r: 1.0 if r["nps"] >= 9 else -1.0 if r["nps"] <= 6 else 0.0
        return (p - d) * 100, design_variance(rows, y) * 1e4
    return (p - d) * 100, (p + d - (p - d) ** 2) / n * 1e4


def nps_group(x):
    return "promoters" if x >= 9 else "detractors" if x <= 6 else "passives"


def two_sided_p(diff, var_a, var_b):
    se = math.sqrt(var_a + var_b)
    assert se > 0, "no variance: the fixture should not test this"
    return math.erfc(abs(diff) / se / math.sqrt(2))


def bh(ps):
    """Benjamini-Hochberg: q_(i) = min over j >= i of p_(j) m / j (p sorted ascending), at
    most 1."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    q, running = [0.0] * m, 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * m / rank)
        q[i] = running
    return q


def check_bh():
    # Sorted 0.01, 0.03, 0.04, 0.20 (m = 4): p m / rank = 0.04, 0.06, 0.0533, 0.20; the
    # running minimum from the top gives 0.20, 0.0533, 0.0533, 0.04.
    got = bh([0.01, 0.04, 0.03, 0.20])
    want = [0.04, 0.16 / 3, 0.16 / 3, 0.20]
    assert all(abs(g - w) < 1e-15 for g, w in zip(got, want)), got
    assert bh([0.03]) == [0.03]


# --------------------------------------------------------------------------
# The fixture's data.
# --------------------------------------------------------------------------

def read_rows(ds_id):
    ds = DATASETS[ds_id]
    with (FIXTURE / ds["path"]).open(newline="", encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    rows = []
    for r in raw:
        text = r[ds["comments"]].strip()
        x = r[ds["nps"]].strip() if ds["nps"] else ""
        d = r[ds["date"]].strip() if ds["date"] else ""
        rows.append({
            "dataset": ds_id,
            "raw": r,
            "comment": text,
            "w": float(r[ds["weight"]]) if ds["weight"] else 1.0,
            "nps": int(x) if x else None,
            "period": d[:7] if d else None,
        })
    N_ROWS[ds_id] = len(raw)
    return raw, rows


# Rows per dataset: the n of the design-based variance's n/(n − 1).
N_ROWS = {}


def month_index(key):
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def in_window(row, span):
    if span is None:
        return True
    return row["period"] is not None and span[0] <= month_index(row["period"]) <= span[1]


def window_span(all_rows, as_of=None):
    """The rolling window's months (from, to) as indexes, ending at `as_of`, by default the
    latest month with data in any dated dataset."""
    periods = [r["period"] for rows in all_rows.values() for r in rows if r["period"]]
    to = month_index(as_of or max(periods))
    return to - WINDOW_MONTHS + 1, to


def result(entry_id, name, group, ds_id, rows, span, has):
    """One topic's (or group's) numbers on one dataset; p, q and significant filled in
    later. rows: the dataset's rows with answered comments."""
    ds = DATASETS[ds_id]
    dated = ds["date"] is not None
    inside = [r for r in rows if in_window(r, span if dated else None)]
    share, lo, hi, se = weighted_share(inside, has, with_se=True)
    out = {
        "id": entry_id, "name": name, "group": group, "dataset": ds_id,
        "mentions": sum(1 for r in inside if has(r)), "answered": len(inside),
        "share": share, "ci_low": lo, "ci_high": hi, "se": se,
        "by_group": None, "nps_with": None, "nps_without": None, "difference": None,
        "difference_se": None,
        "p_value": None, "q_value": None, "significant": None, "impact": None,
    }
    if ds["nps"]:
        out["by_group"] = {
            g: weighted_share([r for r in inside if r["nps"] is not None
                               and nps_group(r["nps"]) == g], has)[0]
            for g in ("promoters", "passives", "detractors")}
        with_, var_with = nps([r for r in inside if has(r)])
        without, var_without = nps([r for r in inside if not has(r)])
        everyone, _ = nps(inside)
        out["nps_with"], out["nps_without"] = with_, without
        if with_ is not None and without is not None:
            out["difference"] = with_ - without
            out["difference_se"] = math.sqrt(var_with + var_without)
            out["p_value"] = two_sided_p(with_ - without, var_with, var_without)
        if everyone is not None and without is not None:
            out["impact"] = everyone - without

    def share_of(subset):
        return {"answered": len(subset), "mentions": sum(1 for r in subset if has(r)),
                "share": weighted_share(subset, has)[0]}

    periods = sorted({r["period"] for r in rows if r["period"]})
    out["periods"] = [{"period": k, **share_of([r for r in rows if r["period"] == k])}
                      for k in periods]
    out["segments"] = {}
    for col in ds["segments"]:
        keys = sorted({r["raw"][col].strip() for r in inside} - {""})
        out["segments"][col] = [
            {"key": k, **share_of([r for r in inside if r["raw"][col].strip() == k])}
            for k in keys]
    header = rows[0]["raw"].keys() if rows else []
    out["personas"] = [
        {"key": pid, **share_of([r for r in inside if r["raw"][col].strip() in values])}
        for pid, (col, values) in sorted(PERSONAS.items()) if col in header]
    return out


def flag(entries, multiple_testing):
    """q-values within one family (the entries given), significant."""
    tested = [e for e in entries if e["p_value"] is not None]
    qs = bh([e["p_value"] for e in tested]) if multiple_testing == "bh" else \
        [e["p_value"] for e in tested]
    for e, q in zip(tested, qs):
        e["q_value"] = q
        e["significant"] = q <= 1 - CONFIDENCE


def compute(data, multiple_testing, as_of=None):
    """as_of: None (the latest month), a month, or "all" (`window: all`: every row)."""
    span = None if as_of == "all" else \
        window_span({k: rows for k, (_, rows) in data.items()}, as_of)
    answered = {k: [r for r in rows if r["comment"]] for k, (_, rows) in data.items()}
    codes = {k: [{t["id"] for t in CODEBOOK
                  if (t["datasets"] is None or k in t["datasets"])
                  and topic_applies(t, r["comment"])} for r in rows]
             for k, rows in answered.items()}
    for k, rows in answered.items():
        for r, c in zip(rows, codes[k]):
            r["topics"] = c

    def applies(t, ds_id):
        return t["datasets"] is None or ds_id in t["datasets"]

    topics = []
    for t in CODEBOOK:
        for ds_id in sorted(DATASETS):
            if applies(t, ds_id) and DATASETS[ds_id]["comments"]:
                topics.append(result(t["id"], t["name"], t["group"], ds_id, answered[ds_id],
                                     span, lambda r, tid=t["id"]: tid in r["topics"]))
    groups = []
    for g in sorted({t["group"] for t in CODEBOOK if t["group"]}):
        for ds_id in sorted(DATASETS):
            members = {t["id"] for t in CODEBOOK if t["group"] == g and applies(t, ds_id)}
            if members:
                groups.append(result(g, g, None, ds_id, answered[ds_id], span,
                                     lambda r, m=members: bool(r["topics"] & m)))
    for ds_id in DATASETS:
        flag([e for e in topics if e["dataset"] == ds_id], multiple_testing)
        flag([e for e in groups if e["dataset"] == ds_id], multiple_testing)
    uncoded = {}
    for ds_id, rows in answered.items():
        dated = DATASETS[ds_id]["date"] is not None
        inside = [r for r in rows if in_window(r, span if dated else None)]
        uncoded[ds_id] = {"count": sum(1 for r in inside if not r["topics"]),
                          "share": weighted_share(inside, lambda r: not r["topics"])[0]}
    return topics, groups, uncoded


# --------------------------------------------------------------------------
# Checks of the fixture against the restatement above, and of what it exercises.
# --------------------------------------------------------------------------

def check_restatement():
    """The YAML says what CODEBOOK, DATASETS and PERSONAS say (a coarse text check: each
    keyword, pattern and exclusion appears in its file, in order, and each id in file
    order)."""
    texts = {p.name: p.read_text(encoding="utf-8")
             for p in sorted((FIXTURE / "topics").glob("*.yaml"))}
    assert list(texts) == ["network.yaml", "service.yaml"], list(texts)
    whole = "".join(texts.values())
    pos = 0
    for t in CODEBOOK:
        at = whole.find(f"- id: {t['id']}\n", pos)
        assert at >= pos, f"topic {t['id']} out of order or missing"
        pos = at
        end = whole.find("- id:", at + 1)
        block = whole[at:end if end > 0 else len(whole)]
        assert f"name: {t['name']}\n" in block, t["id"]
        assert (f"group: {t['group']}\n" in block) == (t["group"] is not None), t["id"]
        for k in t["keywords"] + t["exclude"] + t["patterns"]:
            assert k in block, (t["id"], k)
        if t["datasets"]:
            assert f"datasets: [{', '.join(t['datasets'])}]" in block, t["id"]
        else:
            assert "datasets:" not in block, t["id"]
    cfg = (FIXTURE / "cxscore.yaml").read_text(encoding="utf-8")
    assert f"confidence: {CONFIDENCE}\n" in cfg and f"min_n: {int(MIN_N)}\n" in cfg
    assert cfg.count(REPORT_LINE + "\n") == 1 and "period: month\n" in cfg
    inds = (FIXTURE / "indicators" / "survey.yaml").read_text(encoding="utf-8")
    nps_at = inds.find("metric: nps")
    assert nps_at > inds.find("metric: csat") > 0
    assert inds.find("column: q_nps") > nps_at and inds.find("column: q_brand") > \
        inds.find("column: q_nps"), "q_nps must be the first NPS indicator's column"
    for pid, (col, values) in PERSONAS.items():
        text = (FIXTURE / "personas" / f"{pid}.yaml").read_text(encoding="utf-8")
        eq = values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"
        assert f"match: {{ column: {col}, equals: {eq} }}" in text, pid


def check_hand_counts(data, topics, groups, uncoded):
    """A few numbers counted by hand on the CSV (grep), not through compute()."""
    by = {(e["id"], e["dataset"]): e for e in topics + groups}
    _, survey = data["survey"]
    _, tickets = data["tickets"]
    # Comments that are only whitespace (spaces, U+3000) are not answered.
    blank_like = [r for r in survey if r["raw"]["comment"] and not r["comment"]]
    assert len(blank_like) >= 2, "the fixture should carry whitespace-only comments"
    # The tickets dataset has no date: its window is every row.
    assert by[("app-login", "tickets")]["answered"] == sum(1 for r in tickets if r["comment"])
    # app-login on tickets: "App login fails" x?, counted by plain substring tests here.
    def count(rows, pred):
        return sum(1 for r in rows if r["comment"] and pred(r["comment"]))
    app = count(tickets, lambda s: s in ("App login fails", "Can't log in to the app",
                                         "登录失败", "The APP crashes at login"))
    assert by[("app-login", "tickets")]["mentions"] == app > 0
    # Every ticket note of late-install, restated literally.
    late = count(tickets, lambda s: s in ("Engineer late again", "工程师没来"))
    assert by[("late-install", "tickets")]["mentions"] == late > 0
    # In the survey window: late-install's comments, listed literally.
    span = window_span({"survey": survey})
    inside = [r for r in survey if in_window(r, span) and r["comment"]]
    late_texts = {
        "The engineer was late and nobody called.", "LATE again!!!",
        "Installer arrived 2 hours late😡", "工程师又迟到了，等了一上午",
        "Total no   show, second time", "They didn't turn up at all",
        "The ENGINEER missed the appointment",
        "Engineer late, cable left messy, and the bill had hidden fees",
        "no\nshow, never again", "The service is slow😤 and late",
    }
    assert sum(1 for r in inside if r["comment"] in late_texts and r["w"] == 0) == 1
    want = sum(1 for r in inside if r["comment"] in late_texts)
    assert by[("late-install", "survey")]["mentions"] == want > 0, want
    # Installation on tickets is late-install alone (install-quality is survey-only), and a
    # ticket "messy cable" is uncoded.
    assert by[("Installation", "tickets")]["mentions"] == late
    assert count(tickets, lambda s: s == "Messy cable left behind") > 0
    # Groups count a comment once: the Network group's mentions are at most the sum.
    assert by[("Network", "survey")]["mentions"] < (by[("slow-speed", "survey")]["mentions"]
                                                    + by[("outage", "survey")]["mentions"])
    assert uncoded["survey"]["count"] > 0 and uncoded["tickets"]["count"] > 0
    # Counted with grep on the CSVs (window rows are dated 2026-05 or 2026-06):
    #   grep -E ',2026-0[56]-' survey.csv | grep -cE "The engineer was late and nobody|LATE
    #     again|hours late|工程师又迟到|no   show|didn't turn up at all|ENGINEER missed|
    #     Engineer late, cable|slow😤 and late"                      -> 29
    #   plus the two "no<newline>show, never again" of 2026-05-20 and 2026-06-03 -> 31;
    #   grep -E ',2026-0[56]-' survey.csv | grep -cE '布线|drilled|messy|cable'  -> 11;
    #   grep -cE ",(App login fails|Can't log in to the app|登录失败|The APP crashes at
    #     login)$" tickets.csv                                         -> 12;
    #   grep -cE ',(Engineer late again|工程师没来)$' tickets.csv     -> 6.
    #   grep -E ',2026-0[56]-.*,kiosk,.*,LATE again!!!$' survey.csv  -> 1 more, weight 0.
    assert by[("late-install", "survey")]["mentions"] == 32
    assert by[("install-quality", "survey")]["mentions"] == 11
    assert by[("app-login", "tickets")]["mentions"] == 12
    assert by[("late-install", "tickets")]["mentions"] == 6


def check_exercised(topics, groups, multiple_testing):
    """The fixture exercises what the comparison is for."""
    every = topics + groups
    assert all((e["share"] is None) == (e["dataset"] == "chat") for e in every)
    assert all(e["ci_low"] is None for e in every if e["dataset"] == "chat")
    assert any(e["mentions"] > 0 for e in every if e["dataset"] == "chat")
    sub = [s for e in every for lst in e["segments"].values() for s in lst]
    sub += [p for e in every for p in e["personas"]] + [p for e in every for p in e["periods"]]
    assert any(s["share"] is None and s["answered"] > 0 for s in sub), "no share below min_n"
    assert any(s["share"] is not None for s in sub)
    survey = [e for e in topics if e["dataset"] == "survey"]
    assert any(e["p_value"] is None for e in survey), "no topic below min_n for its NPS"
    assert any(e["significant"] is True for e in survey)
    assert any(e["significant"] is False for e in survey)
    if multiple_testing == "bh":
        # BH at work: a topic significant by its p-value alone but not by its q-value.
        assert any(e["p_value"] <= 1 - CONFIDENCE < e["q_value"]
                   for e in survey if e["q_value"] is not None)
    else:
        assert all(e["q_value"] == e["p_value"] for e in topics + groups)
    assert all(e["by_group"] is None for e in every if e["dataset"] == "tickets")
    assert all(e["by_group"] == {"promoters": None, "passives": None, "detractors": None}
               and e["nps_without"] is None for e in every if e["dataset"] == "chat")
    assert all(e["periods"] == [] for e in every if e["dataset"] == "tickets")
    assert all(e["personas"] == [] for e in every if e["dataset"] == "tickets")
    assert any(e["impact"] is not None and e["impact"] > 0 for e in survey)
    assert any(e["impact"] is not None and e["impact"] < 0 for e in survey)


# --------------------------------------------------------------------------
# Data generation (run once with --generate; the CSVs are committed).
# --------------------------------------------------------------------------

# Hand-written comments with a tone (-3 .. 2) that moves the row's NPS.
SURVEY_COMMENTS = [
    ("The engineer was late and nobody called.", -3),
    ("Lately the service has been fine.", 1),
    ("I love chocolate, not this router.", 0),
    ("Please translate the contract into English.", 0),
    ("LATE again!!!", -3),
    ("Installer arrived 2 hours late😡", -3),
    ("工程师又迟到了，等了一上午", -3),
    ("师傅没有迟到，很准时，服务热情", 2),
    ("网络很slow", -2),
    ("slow的网络，晚上更慢", -2),
    ("매우slow", -1),
    ("인터넷이 너무 느려요", -2),
    ("Η σύνδεση είναι ΠΟΛΎ ΑΡΓΌΣ", -2),
    ("ΧΩΡΊΣ ΣΉΜΑ όλο το βράδυ", -3),
    ("STÖRUNG seit gestern", -3),
    ("RECHNUNG ZU GROẞ", -2),
    ("Rechnung zu gross", -1),
    ("Engineer was not late, very friendly and helpful", 2),
    ("The staff were not friendly at all", -2),
    ("Total no   show, second time", -3),
    ("They didn’t turn up", -3),
    ("They didn't turn up at all", -3),
    ("The ENGINEER missed the appointment", -3),
    ("Engineer late, cable left messy, and the bill had hidden fees", -3),
    ("Charged TWICE this month", -2),
    ("Buffering every evening, and an outage on Sunday", -2),
    ("Down for 3 days, no signal", -3),
    ("Great speed, thank you!", 2),
    ("👍", 1),
    ("Super slow 🐢🐢", -2),
    ("Slowly getting better", 0),
    ("They drilled through the wrong wall", -2),
    ("布线很乱", -1),
    ("账单不清楚，收费太高", -2),
    ("客服很有耐心", 2),
    ("客服不耐心", -2),
    ("Friendly installer, fast setup", 2),
    ("Fast and reliable", 2),
    ("Price is OK", 0),
    ("Ordered the Late2 bundle", 0),
    ("Bills keep going up", -1),
    ("Wi-Fi drops at night, 断网 twice", -2),
    ("信号差，网速慢", -2),
    ("no\nshow, never again", -3),
    ("  helpful support  ", 2),
    ("Support was helpful, the app crashes though", 1),
    ("Login to the app fails", -1),
    ("Everything fine", 1),
    ("The service is slow😤 and late", -3),
    ("Outage-free month, great!", 2),
]
# Planted once each, at a given month ("" undated), outside the random draws.
PLANTED = [
    ("2026-06", "回線がslowです", -2),  # hiragana either side: boundaries
    ("2026-05", "アプリslow", -2),  # a katakana letter before: a boundary
    ("2026-05", "  Refund please, charged for nothing", -2),  # '^refund' on the trimmed text
    ("2026-06", "The engineer\nmissed it", -3),  # '.' does not cross a line end: no topic
    ("2026-02", "I will cancel if this goes on", -3),  # before the window only
    ("", "LATE again!!!", -3),  # undated: in no window and no period
]
# Planted with a weight of 0 (allowed: the row counts in n, adds nothing to the sums) on a
# channel of their own: the key has answered comments and mentions but no effective n.
ZERO_WEIGHT = [
    ("2026-06", "LATE again!!!", -3),
    ("2026-05", "Everything fine", 1),
]
# Comments that are not answered although the cell is not empty.
BLANK_LIKE = ["   ", "\u3000", "\t"]

TICKET_NOTES = [
    "App login fails", "Can't log in to the app", "登录失败", "The APP crashes at login",
    "Applied for a refund", "Appointment moved", "Engineer late again", "工程师没来",
    "slow internet", "网络很慢", "no signal since morning", "bill is wrong",
    "thank you for the quick fix", "Password reset", "Messy cable left behind", "",
]


def generate():
    rng = random.Random(13)
    # 2026-01 is thin (its shares fall below min_n); 2026-02 .. 2026-06 about 70 rows each.
    months = [("2026-01", 8)] + [(f"2026-{m:02d}", 70) for m in range(2, 7)]
    rows = []
    # Every hand-written comment (and each whitespace-only one) once in the window, the
    # rest drawn at random.
    planned = [(("2026-05", "2026-06")[i % 2], c)
               for i, c in enumerate(SURVEY_COMMENTS + [(b, 0) for b in BLANK_LIKE])]
    planned += [(month, (text, tone)) for month, text, tone in PLANTED]
    planned += [(month, (text, tone, "kiosk")) for month, text, tone in ZERO_WEIGHT]
    draws = [(month, None) for month, count in months + [("", 2)] for _ in range(count)]
    for month, forced in draws + planned:
        day = rng.randint(1, 28)
        date = f"{month}-{day:02d}" if month else ""
        persona = rng.choices(["new", "mover", "porter", "loyal"], [50, 25, 20, 3])[0]
        channel = rng.choices(["web", "app", "shop", "phone", ""], [40, 30, 22, 3, 5])[0]
        # 成都 appears only before the window: it has no entry in the window's segments.
        cities = ["北京", "上海", "广州", "深圳"] + (["成都"] if month < "2026-04" else [])
        city = rng.choice(cities)
        w = round(rng.uniform(0.4, 2.2), 2)
        u = rng.random()
        if forced is not None and len(forced) == 3:
            comment, tone, channel = forced
            w = 0.0
        elif forced is not None:
            comment, tone = forced
        elif u < 0.25:
            comment, tone = "", 0
        elif u < 0.28:
            comment, tone = rng.choice(BLANK_LIKE), 0
        else:
            comment, tone = rng.choice(SURVEY_COMMENTS)
        q_nps = min(10, max(0, round(7.4 + 0.6 * tone + rng.gauss(0, 2.2))))
        q_brand = min(10, max(0, round(6 + rng.gauss(0, 2.5))))
        q_csat = min(5, max(1, round(3.6 + 0.5 * tone + rng.gauss(0, 0.8))))
        row = {"id": "", "date": date, "persona": persona, "channel": channel,
               "city": city, "w": f"{w:.2f}", "q_nps": str(q_nps), "q_brand": str(q_brand),
               "q_csat": str(q_csat), "comment": comment}
        if rng.random() < 0.07:
            row["q_nps"] = ""  # a comment without an NPS answer: in shares, not in NPS
        rows.append(row)
    rows.sort(key=lambda r: (r["date"] == "", r["date"]))
    for i, r in enumerate(rows):
        r["id"] = f"S{i + 1:04d}"
    path = FIXTURE / DATASETS["survey"]["path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tickets = []
    for i in range(48):
        tickets.append({"ticket": f"T{i + 1:03d}",
                        "queue": rng.choice(["billing", "technical", "账户"]),
                        "resolved": rng.choice(["yes", "no"]),
                        "note": TICKET_NOTES[i % len(TICKET_NOTES)]})
    with (FIXTURE / DATASETS["tickets"]["path"]).open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(tickets[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(tickets)
    chat = ["slow chat replies", "Engineer late", "hello", "   "]
    with (FIXTURE / DATASETS["chat"]["path"]).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["session", "q", "text"])
        writer.writerows([[f"C{i + 1}", "", text] for i, text in enumerate(chat)])


# --------------------------------------------------------------------------

def dump(value, indent=""):
    """JSON with sorted keys, one line per object of plain values, indented otherwise."""
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) for v in value.values()):
        inner = indent + " "
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dump(value[k], inner)}"
                 for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        inner = indent + " "
        return "[\n" + ",\n".join(inner + dump(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def main():
    if "--generate" in sys.argv:
        generate()
    check_bh()
    check_matching_rules()
    check_restatement()
    data = {k: read_rows(k) for k in DATASETS}
    variants = {}
    for name, (line, mt, as_of) in VARIANTS.items():
        topics, groups, uncoded = compute(data, mt, as_of)
        if as_of is None:
            check_hand_counts(data, topics, groups, uncoded)
            check_exercised(topics, groups, mt)
        variants[name] = {"report": line, "topics": topics, "topic_groups": groups,
                          "uncoded": uncoded}
    out = {
        "source": "tests/reference/topics_reference.py; do not edit by hand",
        "rows": {k: len(raw) for k, (raw, _) in data.items()},
        "variants": variants,
    }
    OUT_PATH.write_text(dump(out) + "\n", encoding="utf-8")
    t = variants["default"]["topics"]
    print(f"wrote {OUT_PATH}: {len(t)} topic entries, "
          f"{len(variants['default']['topic_groups'])} group entries")
    for e in t + variants["default"]["topic_groups"]:
        print(f"  {e['id']:16} {e['dataset']:8} {e['mentions']:3}/{e['answered']:3} "
              f"share {e['share'] if e['share'] is None else round(e['share'], 1)} "
              f"diff {e['difference'] if e['difference'] is None else round(e['difference'], 1)} "
              f"p {e['p_value'] if e['p_value'] is None else round(e['p_value'], 4)} "
              f"q {e['q_value'] if e['q_value'] is None else round(e['q_value'], 4)}")


if __name__ == "__main__":
    main()

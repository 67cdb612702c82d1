#!/usr/bin/env python3
"""DuckDB reference for the cxscore benchmark (issue 6).

Computes the same aggregates cxscore needs for the example project's survey
indicators -- overall, per month and per segment (persona, channel, region) --
in ONE scan of the CSV with GROUP BY GROUPING SETS, plus the key-driver
cross-products (overall), with DuckDB limited to 2 threads.

Usage: duckdb_reference.py SURVEY_CSV [--threads 2] [--print] [--shape wide|narrow]

`--shape narrow` (issue 19): the narrow-row project of `gen --narrow` -- two NPS
(one on web and app only), CSAT top-2, CES mean, per month, region, channel and
city, and the four attributes' driver cross-products.
Prints one line `duckdb_query_seconds=<s> groups=<n>` on stdout; the time
covers connect + the one query (Python start-up and `import duckdb` excluded,
which favours DuckDB).
"""

import argparse
import time

# Weighted sums per indicator, mirroring example-project/indicators/*.yaml:
# NPS (0-10: promoters 9-10, detractors 0-6), three filters; top/bottom boxes;
# CSAT 4-5 of 1-5; CES mean and agree (5-7 of 1-7); share "yes"; mean a_speed.
AGGREGATES = """
  count(*) AS rows,
  -- nps-overall / nps-digital / nps-shop
  count(q_recommend) AS nps_n, sum(weight) FILTER (q_recommend IS NOT NULL) AS nps_sw,
  sum(weight*weight) FILTER (q_recommend IS NOT NULL) AS nps_sw2,
  sum(weight) FILTER (q_recommend >= 9) AS nps_pos, sum(weight) FILTER (q_recommend <= 6) AS nps_neg,
  count(q_recommend) FILTER (channel IN ('web','app')) AS npsd_n,
  sum(weight) FILTER (q_recommend IS NOT NULL AND channel IN ('web','app')) AS npsd_sw,
  sum(weight*weight) FILTER (q_recommend IS NOT NULL AND channel IN ('web','app')) AS npsd_sw2,
  sum(weight) FILTER (q_recommend >= 9 AND channel IN ('web','app')) AS npsd_pos,
  sum(weight) FILTER (q_recommend <= 6 AND channel IN ('web','app')) AS npsd_neg,
  count(q_recommend) FILTER (channel = 'shop') AS npss_n,
  sum(weight) FILTER (q_recommend IS NOT NULL AND channel = 'shop') AS npss_sw,
  sum(weight*weight) FILTER (q_recommend IS NOT NULL AND channel = 'shop') AS npss_sw2,
  sum(weight) FILTER (q_recommend >= 9 AND channel = 'shop') AS npss_pos,
  sum(weight) FILTER (q_recommend <= 6 AND channel = 'shop') AS npss_neg,
  -- price-clarity: top box 4-5 of a_price
  count(a_price) AS price_n, sum(weight) FILTER (a_price IS NOT NULL) AS price_sw,
  sum(weight*weight) FILTER (a_price IS NOT NULL) AS price_sw2, sum(weight) FILTER (a_price >= 4) AS price_hit,
  -- speed-satisfaction: weighted mean and variance of a_speed
  count(a_speed) AS speed_n, sum(weight) FILTER (a_speed IS NOT NULL) AS speed_sw,
  sum(weight*weight) FILTER (a_speed IS NOT NULL) AS speed_sw2,
  sum(weight*a_speed) AS speed_swx, sum(weight*a_speed*a_speed) AS speed_swxx,
  -- csat-installation: 4-5 of 1-5
  count(q_csat_install) AS csat_n, sum(weight) FILTER (q_csat_install IS NOT NULL) AS csat_sw,
  sum(weight*weight) FILTER (q_csat_install IS NOT NULL) AS csat_sw2,
  sum(weight) FILTER (q_csat_install >= 4) AS csat_hit,
  -- install-on-time: share of "yes"
  count(installed_on_time) AS ontime_n, sum(weight) FILTER (installed_on_time IS NOT NULL) AS ontime_sw,
  sum(weight*weight) FILTER (installed_on_time IS NOT NULL) AS ontime_sw2,
  sum(weight) FILTER (installed_on_time = 'yes') AS ontime_hit,
  -- ces-support (mean) and ces-high-effort (agree: 5-7)
  count(q_ces_support) AS ces_n, sum(weight) FILTER (q_ces_support IS NOT NULL) AS ces_sw,
  sum(weight*weight) FILTER (q_ces_support IS NOT NULL) AS ces_sw2,
  sum(weight*q_ces_support) AS ces_swx, sum(weight*q_ces_support*q_ces_support) AS ces_swxx,
  sum(weight) FILTER (q_ces_support >= 5) AS ces_hit,
  -- support-dissatisfaction: bottom box 1-2 of a_support
  count(a_support) AS sup_n, sum(weight) FILTER (a_support IS NOT NULL) AS sup_sw,
  sum(weight*weight) FILTER (a_support IS NOT NULL) AS sup_sw2, sum(weight) FILTER (a_support <= 2) AS sup_hit,
  -- distribution of q_recommend (the distribution chart)
  histogram(q_recommend) AS nps_dist
"""

# Key drivers (Johnson's relative weights need the weighted correlation
# matrix): weighted sums, squares and cross-products of the outcome and the
# four attributes, listwise complete rows, overall only.
DRIVER_COLS = ["q_recommend", "a_price", "a_speed", "a_install", "a_support"]


NARROW_AGGREGATES = """
  count(*) AS rows,
  count(nps) AS nps_n, sum(w) FILTER (nps IS NOT NULL) AS nps_sw,
  sum(w*w) FILTER (nps IS NOT NULL) AS nps_sw2,
  sum(w) FILTER (nps >= 9) AS nps_pos, sum(w) FILTER (nps <= 6) AS nps_neg,
  count(nps) FILTER (channel IN ('web','app')) AS npsd_n,
  sum(w) FILTER (nps IS NOT NULL AND channel IN ('web','app')) AS npsd_sw,
  sum(w*w) FILTER (nps IS NOT NULL AND channel IN ('web','app')) AS npsd_sw2,
  sum(w) FILTER (nps >= 9 AND channel IN ('web','app')) AS npsd_pos,
  sum(w) FILTER (nps <= 6 AND channel IN ('web','app')) AS npsd_neg,
  count(csat) AS csat_n, sum(w) FILTER (csat IS NOT NULL) AS csat_sw,
  sum(w*w) FILTER (csat IS NOT NULL) AS csat_sw2, sum(w) FILTER (csat >= 4) AS csat_hit,
  count(ces) AS ces_n, sum(w) FILTER (ces IS NOT NULL) AS ces_sw,
  sum(w*w) FILTER (ces IS NOT NULL) AS ces_sw2,
  sum(w*ces) AS ces_swx, sum(w*ces*ces) AS ces_swxx,
  histogram(nps) AS nps_dist
"""
NARROW_DRIVER_COLS = ["nps", "a1", "a2", "a3", "a4"]


def driver_aggregates(cols=DRIVER_COLS, weight="weight"):
    complete = " AND ".join(f"{c} IS NOT NULL" for c in cols)
    parts = [f"sum({weight}) FILTER ({complete}) AS drv_sw"]
    for i, a in enumerate(cols):
        parts.append(f"sum({weight}*{a}) FILTER ({complete}) AS drv_s_{a}")
        for b in cols[i:]:
            parts.append(f"sum({weight}*{a}*{b}) FILTER ({complete}) AS drv_p_{a}_{b}")
    return ",\n  ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("survey_csv")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--print", action="store_true", help="print the overall row")
    ap.add_argument("--shape", choices=["wide", "narrow"], default="wide")
    args = ap.parse_args()

    import duckdb  # imported here: start-up is not counted

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    columns = {
        "response_id": "VARCHAR", "customer_id": "VARCHAR", "submitted_at": "DATE", "persona": "VARCHAR",
        "channel": "VARCHAR", "region": "VARCHAR", "weight": "DOUBLE",
        "q_recommend": "DOUBLE", "q_csat_install": "DOUBLE", "q_ces_support": "DOUBLE",
        "a_price": "DOUBLE", "a_speed": "DOUBLE", "a_install": "DOUBLE", "a_support": "DOUBLE",
        "installed_on_time": "VARCHAR", "comment": "VARCHAR", "email": "VARCHAR", "phone": "VARCHAR",
    }
    if args.shape == "narrow":
        columns = {"id": "VARCHAR", "answered": "DATE", "region": "VARCHAR", "channel": "VARCHAR",
                   "city": "VARCHAR", **{c: "DOUBLE" for c in ["nps", "csat", "ces", "a1", "a2", "a3", "a4", "w"]},
                   "comment": "VARCHAR"}
    cols_sql = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
    if args.shape == "narrow":
        query = f"""
    SELECT date_trunc('month', answered) AS month, region, channel, city,
      {NARROW_AGGREGATES},
      {driver_aggregates(NARROW_DRIVER_COLS, "w")}
    FROM read_csv('{args.survey_csv}', header = true, columns = {{{cols_sql}}})
    GROUP BY GROUPING SETS ((), (month), (region), (channel), (city))
    """
    else:
        query = f"""
    SELECT date_trunc('month', submitted_at) AS month, persona, channel, region,
      {AGGREGATES},
      {driver_aggregates()}
    FROM read_csv('{args.survey_csv}', header = true, columns = {{{cols_sql}}})
    GROUP BY GROUPING SETS ((), (month), (persona), (channel), (region))
    """
    rows = con.execute(query).fetchall()
    elapsed = time.perf_counter() - started
    if args.print:
        overall = [r for r in rows if r[0] is None and r[1] is None and r[2] is None and r[3] is None]
        print(overall)
    print(f"duckdb_query_seconds={elapsed:.4f} groups={len(rows)}")


if __name__ == "__main__":
    main()

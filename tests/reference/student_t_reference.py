#!/usr/bin/env python3
"""Expected values for src/metrics/student_t.rs: Student's t upper tail P(T > t),
computed independently with mpmath at 50 significant digits.

    pip install mpmath && python3 tests/reference/student_t_reference.py > tests/reference/student_t.json

P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t^2), for t >= 0 (mpmath's
regularized incomplete beta, `betainc(..., regularized=True)`). The grid reaches
the degrees of freedom a Welch test on 2M rows has (10^5 to 10^7), where a
Lanczos log-gamma of df/2 loses about nine digits. Committed as JSON so
`cargo test` needs neither Python nor mpmath.
"""
import json

import mpmath

mpmath.mp.dps = 50


def upper_tail(t, df):
    t, df = mpmath.mpf(t), mpmath.mpf(df)
    x = df / (df + t * t)
    return mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, x, regularized=True) / 2


cases = []
for df in [1, 2, 2.5, 3, 7.3, 19.99, 30, 120.5, 1e3, 12345.6, 1e5, 3.1e5, 1.49e6, 1e7]:
    for t in [0.0, 0.013, 0.5, 1.0, 1.47, 1.96, 2.5, 4.0, 7.5, 12.0, 40.0]:
        cases.append({"t": t, "df": df, "sf": float(upper_tail(t, df))})
json.dump({"mpmath": mpmath.__version__, "cases": cases}, __import__("sys").stdout, indent=1)
print()

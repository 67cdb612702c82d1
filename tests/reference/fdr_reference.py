#!/usr/bin/env python3
"""Expected values for src/metrics/fdr.rs, computed independently with SciPy.

    pip install scipy && python3 tests/reference/fdr_reference.py > tests/reference/fdr.json

Benjamini–Hochberg q-values by scipy.stats.false_discovery_control(method="bh");
two-sided p-values of a difference by scipy.stats.norm.sf (normal test) and
scipy.stats.t.sf with the Welch–Satterthwaite df (Welch's test). Committed as
JSON so `cargo test` needs neither Python nor SciPy.
"""
import json

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(2025)
families = [
    list(np.round(rng.uniform(0, 0.2, size=12) ** 1.5, 6)),
    [0.01, 0.01, 0.02, 0.02, 0.5, 0.04, 0.04],  # ties
    [0.03],
    [0.6, 0.9, 0.7, 0.99],
    list(np.round(rng.uniform(0, 1, size=40), 6)),
]
fdr = [
    {"p": [float(x) for x in f], "q": [float(x) for x in stats.false_discovery_control(f, method="bh")]}
    for f in families
]

normal = []
for value_a, value_b, var_a, var_b in [(30.0, 26.7, 4.1, 3.9), (10.0, 13.92, 2.0, 2.0), (55.0, 55.4, 1.0, 1.5)]:
    z = abs(value_b - value_a) / np.sqrt(var_a + var_b)
    normal.append({"a": [value_a, var_a], "b": [value_b, var_b], "p": float(2 * stats.norm.sf(z))})

welch = []
for value_a, value_b, var_a, var_b, n_a, n_b in [
    (2.4, 2.1, 0.01, 0.02, 40.0, 25.0),
    (5.0, 5.9, 0.3, 0.2, 8.0, 12.5),
    (3.1, 3.05, 0.001, 0.0012, 900.0, 850.0),
]:
    se2 = var_a + var_b
    df = se2**2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1))
    t = abs(value_b - value_a) / np.sqrt(se2)
    welch.append({"a": [value_a, var_a, n_a], "b": [value_b, var_b, n_b], "p": float(2 * stats.t.sf(t, df))})

print(json.dumps({"scipy": scipy.__version__, "bh": fdr, "normal": normal, "welch": welch}, indent=1))

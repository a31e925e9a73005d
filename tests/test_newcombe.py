"""Single-proportion intervals on Newcombe (1998) Table I's four examples (issue 17's reference material).

Against R (tests/reference/newcombe.R, tolerance 1e-10) and against the values Newcombe prints
to four decimals (tolerance 5e-5, half a unit in the last printed place).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from ipsresearch import outcomes
from tests.reference import newcombe_values as R

# Newcombe RG, Statistics in Medicine 1998;17:857-872, Table I: (events, n) -> interval
PRINTED = {
    (81, 263): {"wilson": (0.2553, 0.3662), "exact": (0.2527, 0.3676)},
    (15, 148): {"wilson": (0.0624, 0.1605), "exact": (0.0578, 0.1617)},
    (0, 20): {"wilson": (0.0, 0.1611), "exact": (0.0, 0.1684)},
    (1, 29): {"wilson": (0.0061, 0.1718), "exact": (0.0009, 0.1776)},
}


@pytest.mark.parametrize("method", ["wilson", "exact"])
@pytest.mark.parametrize(("events", "n"), list(PRINTED))
def test_intervals_match_r_and_newcombe_table_1(events, n, method):
    d = pd.DataFrame({"employed": np.arange(n) < events})
    r = outcomes.placement_rate(d, outcome="employed", method=method).iloc[0]
    got = [r["ci_low"], r["ci_high"]]
    assert_allclose(got, getattr(R, f"{method.upper()}_X{events}_N{n}"), atol=1e-10)
    assert_allclose(got, PRINTED[(events, n)][method], atol=5e-5)

"""Property tests (hypothesis): every iterative tau² estimator satisfies its own defining equation.

Issue 17 item 1: Paule-Mandel once came back as 0 on heterogeneous data because a fixed-point
iteration stopped on rounding noise. These properties hold for every input hypothesis draws:

* PM: tau² > 0 and ``Q(tau²) = k - p`` to 1e-9 relative whenever ``Q(0) > k - p``; else tau² = 0;
* EB: the same root (its scoring equation ``Q k / (k - p) = k`` is PM's);
* ML and REML: the estimate is a root of the score equation (or 0) and no tau² on a wide grid
  has a larger (restricted) likelihood;
* Q-profile bounds solve their chi² equations and bracket every estimator's tau² whose
  equation they share (PM);
with and without a moderator.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsresearch.synthesis.heterogeneity import (
    _loglik,
    q_profile,
    q_statistic,
    tau2_estimate,
    tau2_score,
)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def studies(draw, moderator: bool = False):
    k = draw(st.integers(min_value=3 if not moderator else 4, max_value=20), label="k")
    y = np.array(draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=k, max_size=k)), dtype=float)
    v = np.array(draw(st.lists(st.floats(1e-3, 2.0, allow_nan=False), min_size=k, max_size=k)), dtype=float)
    x = None
    if moderator:
        z = np.array(draw(st.lists(st.floats(-5, 5, allow_nan=False), min_size=k, max_size=k)), dtype=float)
        if np.ptp(z) < 1e-3:
            z = np.arange(k, dtype=float)
        x = np.column_stack([np.ones(k), z])
    return y, v, x


def _p(x) -> int:
    return 1 if x is None else x.shape[1]


@SETTINGS
@given(data=studies())
def test_paule_mandel_solves_q_equals_k_minus_1(data):
    y, v, x = data
    k = len(y)
    tau2 = tau2_estimate(y, v, method="PM")
    if q_statistic(0.0, y, v) > k - 1:
        assert tau2 > 0
        assert abs(q_statistic(tau2, y, v) - (k - 1)) <= 1e-9 * (k - 1)
    else:
        assert tau2 == 0.0


@SETTINGS
@given(data=studies(moderator=True))
def test_paule_mandel_solves_its_equation_with_a_moderator(data):
    y, v, x = data
    k, p = x.shape
    tau2 = tau2_estimate(y, v, method="PM", design=x)
    if q_statistic(0.0, y, v, design=x) > k - p:
        assert tau2 > 0
        assert abs(q_statistic(tau2, y, v, design=x) - (k - p)) <= 1e-9 * (k - p)
    else:
        assert tau2 == 0.0


@SETTINGS
@given(data=st.one_of(studies(), studies(moderator=True)))
def test_empirical_bayes_solves_its_scoring_equation(data):
    y, v, x = data
    tau2 = tau2_estimate(y, v, method="EB", design=x)
    if tau2 > 0:
        w = 1 / (v + tau2)
        assert abs(tau2_score(tau2, y, v, method="EB", design=x)) <= 1e-9 * len(y) / w.sum()
    else:
        assert tau2_score(0.0, y, v, method="EB", design=x) <= 0
    assert tau2 == tau2_estimate(y, v, method="PM", design=x)


@SETTINGS
@given(data=st.one_of(studies(), studies(moderator=True)), method=st.sampled_from(["ML", "REML"]))
def test_ml_and_reml_solve_their_score_equations_at_the_likelihood_maximum(data, method):
    y, v, x = data
    design = np.ones((len(y), 1)) if x is None else x
    tau2 = tau2_estimate(y, v, method=method, design=x)
    restricted = method == "REML"
    if tau2 > 0:
        w = 1 / (v + tau2)
        # the score is twice the derivative of the log-likelihood; relative to its scale sum(w)
        assert abs(tau2_score(tau2, y, v, method=method, design=x)) <= 1e-8 * w.sum()
    best = _loglik(tau2, y, v, design, restricted=restricted)
    grid = np.concatenate([[0.0], np.geomspace(1e-6, 100.0, 300)])
    assert best >= max(_loglik(t, y, v, design, restricted=restricted) for t in grid) - 1e-9


@SETTINGS
@given(data=st.one_of(studies(), studies(moderator=True)), confidence=st.floats(0.5, 0.99))
def test_q_profile_bounds_solve_their_equations_and_bracket_pm(data, confidence):
    from scipy import stats

    y, v, x = data
    k, p = len(y), _p(x)
    lo, hi = q_profile(y, v, design=x, confidence=confidence)
    alpha = 1 - confidence
    assert 0.0 <= lo <= hi
    for bound, target in ((lo, stats.chi2.isf(alpha / 2, k - p)), (hi, stats.chi2.ppf(alpha / 2, k - p))):
        if bound > 0:
            assert abs(q_statistic(bound, y, v, design=x) - target) <= 1e-9 * max(target, 1.0)
        else:
            assert q_statistic(0.0, y, v, design=x) <= target
    pm = tau2_estimate(y, v, method="PM", design=x)  # PM solves Q = k - p, between the two quantiles
    assert lo <= pm <= hi or (pm == 0.0 and hi == 0.0)

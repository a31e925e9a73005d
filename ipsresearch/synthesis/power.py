"""How many participants a new two-arm trial needs.

:func:`trial_size` asks :mod:`statsmodels.stats.power` for the sample size
that detects a given risk ratio with a given power, using Cohen's effect
size h for two proportions (the arcsine difference).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from ipsresearch.validation import check_choice, check_confidence

__all__ = ["trial_size"]

_ALTERNATIVES = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}
"""SciPy's names of the alternative -> statsmodels' names."""


def trial_size(
    *,
    p_control: float,
    risk_ratio: float | list[float] | np.ndarray,
    power: float = 0.8,
    confidence: float = 0.95,
    ratio: float = 1.0,
    alternative: str = "two-sided",
    alpha: float | None = None,
) -> pd.DataFrame:
    """Participants per arm needed to detect a risk ratio.

    Parameters
    ----------
    p_control : float
        Share with the outcome (e.g. a competitive job) in the control arm.
    risk_ratio : float or sequence of float
        Risk ratio(s) to detect; the treatment arm's share is
        ``p_control * risk_ratio``, which must stay below 1.
    power : float
        Chance of a significant result if the risk ratio is true.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent). Here: of the trial's test, which reports a finding
        when the interval at this level excludes a risk ratio of 1, i.e. at
        significance level ``1 - confidence`` (0.95: the usual 5 per cent).
    ratio : float
        Treatment-arm size over control-arm size (1 for equal arms).
    alternative : {"two-sided", "greater", "less"}
        The test the trial will use (SciPy's words): ``"greater"`` if only a
        treatment share above the control share counts as a finding (a risk
        ratio above 1), ``"less"`` if only one below it does.
    alpha : float, optional
        Deprecated: the significance level, ``1 - confidence``. Still accepted
        for one release, with a :class:`DeprecationWarning`; give
        ``confidence`` instead (one word for the level across the package).

    Returns
    -------
    pandas.DataFrame
        One row per risk ratio: ``p_control, risk_ratio, p_treatment,
        effect_size`` (Cohen's h), ``confidence, power, ratio, n_control_exact``
        (the solution, not rounded), ``n_control, n_treatment, n_total``
        (whole participants, rounded up).

    Notes
    -----
    ``h = 2 asin(sqrt(p_treatment)) - 2 asin(sqrt(p_control))``; the
    normal-approximation power of the two-sample test, including the far
    tail for a two-sided test, is solved for the control-arm size by
    ``NormalIndPower().solve_power(h, alpha=1 - confidence, power=power, ratio=ratio)``.
    This is what R's ``pwr::pwr.2p.test`` computes for equal arms; the
    tests check it against a root of the power function found in R
    (tests/reference/meta_power.R).

    Examples
    --------
    >>> t = trial_size(p_control=0.25, risk_ratio=2.0)
    >>> t.loc[0, ["n_control", "n_treatment", "n_total"]].tolist()
    [58, 58, 116]
    >>> round(float(t.loc[0, "n_control_exact"]), 2)
    57.26
    """
    if not 0.0 < p_control < 1.0:
        raise ValueError(f"p_control {p_control} must be between 0 and 1")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power {power} must be between 0 and 1 (e.g. 0.8)")
    if alpha is not None:
        warnings.warn("trial_size(alpha=) is deprecated and will be removed in the next release; "
                      "give confidence=1 - alpha (e.g. confidence=0.95 for alpha=0.05)",
                      DeprecationWarning, stacklevel=2)
        if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.number) \
                or not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha {alpha} must be between 0 and 1 (e.g. 0.05)")
        confidence = 1.0 - float(alpha)
    level = check_confidence(confidence)
    # the test's significance level; rounded so that 0.95 gives 0.05 exactly, not 0.05 + 4e-17
    sig = float(alpha) if alpha is not None else round(1.0 - level, 15)
    if not ratio > 0:
        raise ValueError(f"ratio {ratio} must be positive")
    check_choice("alternative", alternative, _ALTERNATIVES)
    rrs = np.atleast_1d(np.asarray(risk_ratio, dtype=float))
    rows = []
    engine = NormalIndPower()
    for rr in rrs:
        p_t = p_control * rr
        if not (rr > 0 and p_t < 1.0) or rr == 1.0:
            raise ValueError(f"risk_ratio {rr:g} with p_control {p_control:g} gives a treatment share "
                             f"of {p_t:g}; it must differ from 1 and keep the share below 1")
        if (alternative == "greater" and rr < 1) or (alternative == "less" and rr > 1):
            raise ValueError(f"risk_ratio {rr:g} lies on the other side of 1 than "
                             f"alternative={alternative!r} looks for")
        h = float(proportion_effectsize(p_t, p_control))
        n1 = float(engine.solve_power(effect_size=h, alpha=sig, power=power, ratio=ratio,
                                      alternative=_ALTERNATIVES[alternative]))
        n_c = math.ceil(n1 - 1e-9)
        n_t = math.ceil(n1 * ratio - 1e-9)
        rows.append({"p_control": p_control, "risk_ratio": float(rr), "p_treatment": p_t,
                     "effect_size": h, "confidence": confidence, "power": power, "ratio": ratio,
                     "n_control_exact": n1, "n_control": n_c, "n_treatment": n_t,
                     "n_total": n_c + n_t})
    return pd.DataFrame(rows)

"""Statistics shared by the analysis modules: proportions with intervals, normal quantiles.

This module is private (as seaborn's ``_statistics``): its names may change
without notice. Employment outcomes (:func:`ipsresearch.outcomes.placement_rate`),
qualitative samples (:func:`ipsresearch.qualitative.sample_flow`,
:func:`ipsresearch.qualitative.coverage`) and fidelity bands
(:func:`ipsresearch.fidelity.band_distribution`) all report a share with its
confidence interval; they do it through :func:`proportion_table`, so that
"17 of 24 took part" and "33 of 65 were placed" are computed the same way
and no analysis module imports another. It imports numpy, pandas,
statsmodels and scipy, and from the package only the foundation
(:mod:`ipsresearch.validation`, :mod:`ipsresearch._arrays`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ipsresearch._arrays import as_list, group_codes
from ipsresearch.validation import (
    Column,
    Schema,
    check_choice,
    check_confidence,
    check_frame,
    validate,
)

__all__ = ["CI_METHODS", "proportion_interval", "proportion_table", "z_value"]

CI_METHODS = {
    "wilson": "wilson",
    "exact": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
    "normal": "normal",
}
"""Interval methods: our name -> ``statsmodels.stats.proportion.proportion_confint`` method.
``exact`` is Clopper-Pearson (R ``binom.test``); ``wilson`` is the score interval
without continuity correction (R ``prop.test(correct = FALSE)``)."""


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (1.959964 for 0.95).

    Examples
    --------
    >>> round(z_value(0.95), 6)
    1.959964
    """
    from scipy.stats import norm

    level = check_confidence(confidence)
    return float(norm.ppf(1.0 - (1.0 - level) / 2.0))


def proportion_interval(
    events: np.ndarray,
    n: np.ndarray,
    *,
    method: str = "wilson",
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rates ``events / n`` and their confidence intervals, vectorised.

    Parameters
    ----------
    events, n : array_like of int
        Successes and trials of each proportion (``n > 0``).
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        See :data:`CI_METHODS`.
    confidence : float

    Returns
    -------
    rate, ci_low, ci_high : numpy.ndarray

    Notes
    -----
    Intervals come from :func:`statsmodels.stats.proportion.proportion_confint`.
    ``exact`` matches R ``binom.test(x, n)$conf.int`` and ``wilson`` matches
    ``prop.test(x, n, correct = FALSE)$conf.int``. Three rules are added:
    the Jeffreys interval uses the Brown-Cai-DasGupta boundary rule (lower
    bound 0 when there are no events, upper bound 1 when all have the
    outcome); Agresti-Coull and normal bounds are clipped to [0, 1]; and a
    bound that misses the estimate by floating-point rounding (1 - 1e-16 for
    a rate of 1) is moved onto it, so that every interval contains its rate.

    References
    ----------
    Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion.
    Statistical Science 2001;16(2):101-133. doi:10.1214/ss/1009213286

    Examples
    --------
    >>> rate, low, high = proportion_interval([33], [65], method="exact")
    >>> print(f"{rate[0]:.4f} ({low[0]:.6f} to {high[0]:.6f})")
    0.5077 (0.380671 to 0.633990)
    """
    from statsmodels.stats.proportion import proportion_confint

    check_choice("method", method, CI_METHODS)
    level = check_confidence(confidence)
    events = np.asarray(events, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    low, high = proportion_confint(events, n, alpha=1.0 - level, method=CI_METHODS[method])
    low = np.clip(np.asarray(low, dtype=float), 0.0, 1.0)
    high = np.clip(np.asarray(high, dtype=float), 0.0, 1.0)
    if method == "jeffreys":  # Brown, Cai & DasGupta (2001): the bound at 0 or n events is 0 or 1
        low = np.where(events == 0, 0.0, low)
        high = np.where(events == n, 1.0, high)
    rate = events / n
    # bounds computed in floating point can miss the estimate by one ulp (e.g. 1 - 1e-16)
    return rate, np.minimum(low, rate), np.maximum(high, rate)


def proportion_table(
    data: pd.DataFrame,
    *,
    outcome: str,
    by: str | Sequence[str] | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
    overall: bool = False,
) -> pd.DataFrame:
    """Share of rows with a boolean outcome, per group, with confidence intervals.

    The engine behind every rate the package reports; see
    :func:`ipsresearch.outcomes.placement_rate` for the parameters and the
    columns returned (``by`` columns, ``n, events, rate, ci_low, ci_high,
    method, confidence``) and :func:`proportion_interval` for the interval.
    Counting is vectorised (integer group codes and :func:`numpy.bincount`),
    so 10^7 participants at 20,000 sites take about a second
    (``benchmarks/scale.py``, step ``placement_by_site``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"site": ["a", "a", "b"], "placed": [True, False, True]})
    >>> proportion_table(d, outcome="placed", by="site")[["site", "n", "events", "rate"]]
      site  n  events  rate
    0    a  2       1   0.5
    1    b  1       1   1.0
    """
    check_choice("method", method, CI_METHODS)
    level = check_confidence(confidence)
    groups = as_list(by)
    cols = [Column(outcome, "bool", description="outcome")]
    cols += [Column(g, "str", description="group") for g in groups]
    check_frame(data)
    present = [c for c in dict.fromkeys([outcome, *groups]) if c in data.columns]
    typed = validate(data[present], Schema("data", cols), source="data")
    y = typed[outcome].astype(bool)
    if groups:
        # counts per group from integer codes (vectorised; fast for 10^7 participants)
        labels, codes = group_codes(typed, groups)
        n_group = np.bincount(codes, minlength=len(labels))
        events = np.bincount(codes, weights=y.to_numpy(dtype=bool), minlength=len(labels))
        table = pd.DataFrame({**{g: [lab[j] for lab in labels] for j, g in enumerate(groups)},
                              "n": n_group, "events": events})
        if overall:
            total = pd.DataFrame({**{g: ["All"] for g in groups},
                                  "n": [len(y)], "events": [int(y.sum())]})
            table = pd.concat([table, total], ignore_index=True)
    else:
        table = pd.DataFrame({"n": [len(y)], "events": [int(y.sum())]})
    table["n"] = table["n"].astype(np.int64)
    table["events"] = table["events"].astype(np.int64)
    rate, low, high = proportion_interval(table["events"].to_numpy(), table["n"].to_numpy(),
                                          method=method, confidence=level)
    table["rate"] = rate
    table["ci_low"] = low
    table["ci_high"] = high
    table["method"] = method
    table["confidence"] = confidence
    return table

"""Simulated two-arm IPS trials for teaching meta-analysis.

The source papers cite pooled trial evidence but print no per-trial counts:
source 000 line 7 cites a systematic review of 27 randomised trials, source 002
line 27 meta-analyses covering 21 trials, source 003 line 5 a review of 14
studies with 2259 people. :func:`simulate_trials` shows what such a body of
trials can look like under stated assumptions, so that a trainer can vary
the number of trials, their size, the true effect and the heterogeneity and
watch the pooled estimate, its interval and I² respond. The simulated
counts are not data from any trial and no claim is checked against them.

The model (every part an assumption, chosen for teaching):

* Trial ``i`` randomises ``m_i`` people to each arm (equal arms). With
  ``n_per_arm`` an integer every trial has that size; with a pair
  ``(low, high)`` the sizes are drawn log-uniformly between the two, so
  that small trials are as common as large ones on a log scale.
* The control arm's chance of a competitive job, ``p_control``, is the same
  in every trial, or with a pair ``(low, high)`` drawn uniformly per trial
  (labour markets and control services differ).
* The trial's true log risk ratio is normal with mean ``log(risk_ratio)``
  and standard deviation ``heterogeneity`` (tau on the log scale), so a
  random-effects meta-analysis should recover ``tau² = heterogeneity²``
  when trials are many and large.
* Each trial's IPS service has a fidelity total on the IPS-25 scale, drawn
  uniformly from 75 to 125 (whole points; from fair to exemplary) from a
  stream of its own, so the other draws do not depend on it. With
  ``fidelity_effect`` the true log risk ratio moves by that much per 25
  fidelity points above or below 100 (default 0: fidelity is recorded but
  does not change the effect). This is a teaching assumption for
  meta-regression, not a finding of the source papers.
* The IPS arm's chance is ``p_control * true risk ratio``, capped at
  :data:`MAX_RISK`; events in each arm are binomial. The mean rate
  ``p_control * risk_ratio`` must stay below 1. The cap changes the planted
  effect only for trials that reach it, which become common when the mean
  rate is high and the heterogeneity large (the true ratio of each trial
  is returned, after the cap, in ``true_risk_ratio``).

The defaults (27 trials of 20 to 200 per arm, a control rate of 25 per cent
that IPS doubles, tau = 0.2) are teaching values: the doubling follows the
way IPS's effect is commonly summarised, not a figure in the source papers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipsresearch.synthetic import rng as make_rng

__all__ = ["MAX_RISK", "simulate_trials"]

MAX_RISK = 0.99
"""Highest chance of the outcome an arm can have in the simulation."""


def _pair(value, name: str, *, lo: float, hi: float, integer: bool = False,
          shown: str) -> tuple[float, float]:
    pair = tuple(value) if isinstance(value, tuple | list) else (value, value)
    ok = len(pair) == 2
    if ok:
        try:
            a, b = (float(x) for x in pair)
        except (TypeError, ValueError):
            ok = False
    if not ok or not (lo <= a <= b <= hi) or (integer and (a != int(a) or b != int(b))):
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"{name} {value!r} must be {kind} {shown}, or a (low, high) pair "
                         "of them with low <= high")
    return a, b


def simulate_trials(
    k: int = 27,
    *,
    n_per_arm: int | tuple[int, int] = (20, 200),
    p_control: float | tuple[float, float] = 0.25,
    risk_ratio: float = 2.0,
    heterogeneity: float = 0.2,
    fidelity_effect: float = 0.0,
    seed: int | np.random.Generator = 2020,
) -> pd.DataFrame:
    """Arm-level counts of ``k`` simulated two-arm trials of IPS against a control service.

    Parameters
    ----------
    k : int
        Number of trials.
    n_per_arm : int or (int, int)
        Participants per arm, or the range their number is drawn from (log-uniform).
    p_control : float or (float, float)
        Control arm's chance of a competitive job, or the range it is drawn from.
    risk_ratio : float
        Mean true risk ratio (on the log scale: ``log(risk_ratio)`` is the mean).
    heterogeneity : float
        Standard deviation of the true log risk ratios across trials (tau).
    fidelity_effect : float
        Change of the true log risk ratio per 25 IPS-25 fidelity points (a
        moderator for meta-regression); 0 leaves the effect alone.
    seed : int or numpy.random.Generator
        Seed or generator; the same seed gives the same table.

    Returns
    -------
    pandas.DataFrame
        :data:`ipsresearch.schemas.TRIAL_ARMS`: ``study`` (``Trial 01`` ...),
        ``events_treatment, n_treatment, events_control, n_control``, the
        trial's ``fidelity`` total and the planted ``true_p_control`` and
        ``true_risk_ratio`` of each trial.

    Examples
    --------
    >>> t = simulate_trials(5, n_per_arm=100, seed=1)
    >>> t.columns.tolist()[:5]
    ['study', 'events_treatment', 'n_treatment', 'events_control', 'n_control']
    >>> t["n_treatment"].tolist()
    [100, 100, 100, 100, 100]
    >>> simulate_trials(5, seed=1).equals(simulate_trials(5, seed=1))
    True
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k {k!r} must be a whole number of trials >= 1")
    n_lo, n_hi = _pair(n_per_arm, "n_per_arm", lo=1, hi=10**7, integer=True,
                       shown="from 1 to 10**7")
    p_lo, p_hi = _pair(p_control, "p_control", lo=1e-9, hi=1 - 1e-9,
                       shown="strictly between 0 and 1")
    if not (np.isfinite(risk_ratio) and risk_ratio > 0):
        raise ValueError(f"risk_ratio {risk_ratio!r} must be a positive number")
    if p_hi * risk_ratio >= 1.0:
        raise ValueError(f"p_control {p_control!r} times risk_ratio {risk_ratio!r} reaches a job rate "
                         "of 1 or more in the IPS arm; lower one of them")
    if not (np.isfinite(heterogeneity) and heterogeneity >= 0):
        raise ValueError(f"heterogeneity {heterogeneity!r} must be a number >= 0 (tau, log scale)")
    if not np.isfinite(fidelity_effect):
        raise ValueError(f"fidelity_effect {fidelity_effect!r} must be a number (log risk ratio per 25 points)")
    g = make_rng(seed)
    k = int(k)
    # fidelity from a spawned stream: spawning leaves g's own draws (and so every other column) unchanged
    fidelity = g.spawn(1)[0].integers(75, 126, size=k)
    if n_lo == n_hi:
        m = np.full(k, int(n_lo), dtype=np.int64)
    else:
        m = np.rint(np.exp(g.uniform(np.log(n_lo), np.log(n_hi), size=k))).astype(np.int64)
    pc = np.full(k, p_lo) if p_lo == p_hi else g.uniform(p_lo, p_hi, size=k)
    log_rr = (np.log(risk_ratio) + heterogeneity * g.standard_normal(k)
              + fidelity_effect * (fidelity - 100) / 25)
    pt = np.minimum(pc * np.exp(log_rr), MAX_RISK)
    events_t = g.binomial(m, pt)
    events_c = g.binomial(m, pc)
    width = max(2, len(str(k)))
    return pd.DataFrame({
        "study": [f"Trial {i + 1:0{width}d}" for i in range(k)],
        "events_treatment": events_t.astype(np.int64),
        "n_treatment": m,
        "events_control": events_c.astype(np.int64),
        "n_control": m.copy(),
        "fidelity": fidelity.astype(np.int64),
        "true_p_control": pc,
        "true_risk_ratio": pt / pc,
    })

"""Employment outcomes of IPS participants.

Counts are always made from records: :func:`ever_employed` derives a
participant-level outcome from job spells under an explicit definition, and
:func:`placement_rate` turns it into a rate with a confidence interval from
``statsmodels``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ipsresearch import schemas
from ipsresearch.validation import Column, Schema, as_list, validate

__all__ = ["CI_METHODS", "ever_employed", "placement_rate"]

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


def ever_employed(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    job_type: str | Sequence[str] | None = "competitive",
    paid: bool | None = True,
    column: str = "employed",
    validated: bool = False,
) -> pd.DataFrame:
    """Whether each participant held at least one qualifying job during follow-up.

    A participant counts when at least one of their spells has a ``job_type``
    in ``job_type`` and ``paid`` equal to ``paid`` and starts on or before
    their ``follow_up_end``. With the defaults this is the outcome of IPS
    trials and of the Irish pilot (seed 000, line 15): at least one paid,
    competitive job.

    Parameters
    ----------
    participants : pandas.DataFrame
        One row per participant, columns as :data:`ipsresearch.schemas.PARTICIPANTS`.
    spells : pandas.DataFrame
        Job spells, columns as :data:`ipsresearch.schemas.JOB_SPELLS`.
    job_type : str or sequence of str or None
        Job types that count; ``None`` counts every type.
    paid : bool or None
        Count only paid (``True``) or unpaid (``False``) work; ``None`` counts both.
    column : str
        Name of the new boolean column.
    validated : bool
        Skip validation when both tables come from a validating loader.

    Returns
    -------
    pandas.DataFrame
        A copy of ``participants`` with the boolean column ``column`` and the
        integer column ``n_qualifying_spells``.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "X"],
    ...     "enrolment_date": ["2015-01-01"] * 2, "follow_up_end": ["2017-12-31"] * 2})
    >>> jobs = pd.DataFrame({"spell_id": ["1", "2"], "participant_id": ["a", "b"],
    ...     "start_date": ["2015-06-01", "2015-07-01"], "end_date": ["", ""],
    ...     "job_type": ["competitive", "volunteer"], "paid": [True, False]})
    >>> ever_employed(people, jobs)["employed"].tolist()
    [True, False]
    >>> ever_employed(people, jobs, job_type=None, paid=None)["employed"].tolist()
    [True, True]
    """
    if not validated:
        participants = validate(participants, schemas.PARTICIPANTS, source="participants")
        spells = validate(spells, schemas.JOB_SPELLS, source="job_spells")
        schemas.check_cohort(participants, spells)
    types = as_list(job_type)
    unknown = [t for t in types if t not in schemas.JOB_TYPES]
    if unknown:
        raise ValueError(f"job_type {unknown} not recognised; choose from {', '.join(schemas.JOB_TYPES)}")
    keep = np.ones(len(spells), dtype=bool)
    if types:
        keep &= spells["job_type"].isin(types).to_numpy(dtype=bool)
    if paid is not None:
        keep &= (spells["paid"].astype(bool) == bool(paid)).to_numpy()
    qualifying = spells.loc[keep, ["participant_id", "start_date"]]
    fu = participants.set_index("participant_id")["follow_up_end"]
    within = qualifying["start_date"].to_numpy() <= fu.reindex(qualifying["participant_id"]).to_numpy()
    counts = qualifying.loc[within, "participant_id"].value_counts()
    out = participants.copy()
    n = counts.reindex(out["participant_id"]).fillna(0).astype(np.int64).to_numpy()
    out["n_qualifying_spells"] = n
    out[column] = n > 0
    return out


def placement_rate(
    data: pd.DataFrame,
    *,
    outcome: str,
    by: str | Sequence[str] | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
    overall: bool = False,
) -> pd.DataFrame:
    """Share of participants with the outcome, with a confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    outcome : str
        Column holding a boolean or 0/1 outcome (e.g. from :func:`ever_employed`).
    by : str or sequence of str, optional
        Grouping columns; one row per group.
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        Confidence interval (see :data:`CI_METHODS`).
    confidence : float
        Confidence level, between 0 and 1.
    overall : bool
        With ``by``, add a final row for all participants whose ``by`` columns hold ``"All"``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``n`` (participants), ``events`` (with the
        outcome), ``rate``, ``ci_low``, ``ci_high``, ``method``, ``confidence``.
        Numbers stay numeric; formatting belongs to the report.

    Notes
    -----
    Intervals come from :func:`statsmodels.stats.proportion.proportion_confint`.
    ``exact`` matches R ``binom.test(x, n)$conf.int`` and ``wilson`` matches
    ``prop.test(x, n, correct = FALSE)$conf.int``. The Jeffreys interval uses
    the Brown-Cai-DasGupta boundary rule (lower bound 0 when there are no
    events, upper bound 1 when all have the outcome) so that it always
    contains the estimate; Agresti-Coull and normal bounds are clipped to [0, 1].

    References
    ----------
    Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion.
    Statistical Science 2001;16(2):101-133. doi:10.1214/ss/1009213286

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"placed": [True] * 33 + [False] * 32})
    >>> r = placement_rate(d, outcome="placed", method="exact")
    >>> r[["n", "events"]].iloc[0].tolist()
    [65, 33]
    >>> print(f"{r['ci_low'].iloc[0]:.6f} to {r['ci_high'].iloc[0]:.6f}")
    0.380671 to 0.633990
    """
    if method not in CI_METHODS:
        raise ValueError(f"method {method!r} not recognised; choose from {', '.join(CI_METHODS)}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence {confidence} must be between 0 and 1 (e.g. 0.95)")
    groups = as_list(by)
    cols = [Column(outcome, "bool", description="outcome")]
    cols += [Column(g, "str", description="group") for g in groups]
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    present = [c for c in dict.fromkeys([outcome, *groups]) if c in data.columns]
    typed = validate(data[present], Schema("data", cols), source="data")
    y = typed[outcome].astype(bool)
    if groups:
        grouped = typed.assign(_y=y).groupby(groups, sort=True, observed=True)["_y"]
        table = grouped.agg(n="size", events="sum").reset_index()
        if overall:
            total = pd.DataFrame({**{g: ["All"] for g in groups},
                                  "n": [len(y)], "events": [int(y.sum())]})
            table = pd.concat([table, total], ignore_index=True)
    else:
        table = pd.DataFrame({"n": [len(y)], "events": [int(y.sum())]})
    table["n"] = table["n"].astype(np.int64)
    table["events"] = table["events"].astype(np.int64)
    low, high = proportion_confint(table["events"].to_numpy(), table["n"].to_numpy(),
                                   alpha=1.0 - confidence, method=CI_METHODS[method])
    low = np.clip(np.asarray(low, dtype=float), 0.0, 1.0)
    high = np.clip(np.asarray(high, dtype=float), 0.0, 1.0)
    if method == "jeffreys":  # Brown, Cai & DasGupta (2001): the bound at 0 or n events is 0 or 1
        low = np.where(table["events"].to_numpy() == 0, 0.0, low)
        high = np.where(table["events"].to_numpy() == table["n"].to_numpy(), 1.0, high)
    rate = table["events"].to_numpy() / table["n"].to_numpy()
    table["rate"] = rate
    # bounds computed in floating point can miss the estimate by one ulp (e.g. 1 - 1e-16)
    table["ci_low"] = np.minimum(low, rate)
    table["ci_high"] = np.maximum(high, rate)
    table["method"] = method
    table["confidence"] = confidence
    return table

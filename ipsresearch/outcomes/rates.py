"""Rates: whether participants found work, as a share with a confidence interval.

:func:`ever_employed` derives a participant-level outcome from job spells
under an explicit definition, and :func:`placement_rate` turns it into a
rate with a confidence interval from ``statsmodels`` (through the shared
:func:`ipsresearch._stats.proportion_table`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ipsresearch._stats import CI_METHODS, proportion_table
from ipsresearch.outcomes._cohort import checked_cohort, day_numbers, owner_rows, qualifying

__all__ = ["CI_METHODS", "ever_employed", "placement_rate"]


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
    trials and of the Irish pilot (source 000, line 15): at least one paid,
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
    participants, spells = checked_cohort(participants, spells, validated)
    keep = qualifying(spells, job_type, paid)
    pos = owner_rows(participants, spells)
    fu = day_numbers(participants["follow_up_end"])
    keep &= day_numbers(spells["start_date"]) <= fu[pos]
    n = np.bincount(pos[keep], minlength=len(participants)).astype(np.int64)
    out = participants.copy(deep=False)  # new columns only: the caller's frame is untouched
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
        Columns to group by (one name or several): results are given per group.
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        Interval for each proportion (see :data:`ipsresearch.outcomes.CI_METHODS`):
        ``wilson`` is R's ``prop.test(correct = FALSE)``, ``exact`` (Clopper-Pearson)
        R's ``binom.test``.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).
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
    Counts and intervals come from the package's one proportion engine
    (``ipsresearch._stats.proportion_table``), which every rate of the
    package uses: qualitative samples and fidelity bands too. Intervals come
    from :func:`statsmodels.stats.proportion.proportion_confint`. ``exact``
    matches R ``binom.test(x, n)$conf.int`` and ``wilson`` matches
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
    return proportion_table(data, outcome=outcome, by=by, method=method, confidence=confidence,
                            overall=overall)

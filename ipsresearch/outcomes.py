"""Employment outcomes of IPS participants: whether, how fast and for how long.

Counts are always made from records: :func:`ever_employed` derives a
participant-level outcome from job spells under an explicit definition, and
:func:`placement_rate` turns it into a rate with a confidence interval from
``statsmodels``.

Outcomes over time use the Kaplan-Meier estimator of ``statsmodels``:
:func:`time_to_first_job` (days from enrolment to the first paid competitive
job, censored at follow-up end), :func:`retention` and :func:`kaplan_meier`
(share of jobs still held at 90, 180 and 365 days), :func:`logrank` (are the
curves of sites equal?), with :func:`spell_durations` and :func:`job_tenure`
deriving days and censoring from dates, and :func:`time_in_work` and
:func:`in_work_at` describing each participant's time in work.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ipsresearch import schemas
from ipsresearch.validation import (
    _BLOCK,
    Column,
    RowCheck,
    Schema,
    as_list,
    row_positions,
    validate,
)

__all__ = [
    "CI_METHODS",
    "CI_TRANSFORMS",
    "SurvivalResult",
    "ever_employed",
    "first_job_times",
    "in_work_at",
    "job_tenure",
    "kaplan_meier",
    "logrank",
    "placement_rate",
    "retention",
    "spell_durations",
    "spell_timeline",
    "survival_interval",
    "time_in_work",
    "time_to_first_job",
]

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
    participants, spells = _cohort(participants, spells, validated)
    keep = _qualifying(spells, job_type, paid)
    pos = _owner(participants, spells)
    fu = _days(participants["follow_up_end"])
    keep &= _days(spells["start_date"]) <= fu[pos]
    n = np.bincount(pos[keep], minlength=len(participants)).astype(np.int64)
    out = participants.copy(deep=False)  # new columns only: the caller's frame is untouched
    out["n_qualifying_spells"] = n
    out[column] = n > 0
    return out


def _days(dates: pd.Series) -> np.ndarray:
    """Dates as integer day numbers (NaT becomes the smallest int64)."""
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _col(frame: pd.DataFrame, column: str, rows: np.ndarray | None = None) -> pd.Series:
    """A column (or some of its rows) with a fresh index, keeping its dtype (no object copy)."""
    values = frame[column] if rows is None else frame[column].take(rows)
    return values.reset_index(drop=True)


def _owner(participants: pd.DataFrame, spells: pd.DataFrame) -> np.ndarray:
    """Row of ``participants`` holding each spell (both validated and checked)."""
    return row_positions(participants["participant_id"], spells["participant_id"])


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
        # counts per group from integer codes (vectorised; fast for 10^7 participants)
        labels, codes = _group_codes(typed, groups)
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


# =========================================================================== time to events
#
# Kaplan-Meier estimates come from ``statsmodels.duration.survfunc.SurvfuncRight``
# and log-rank tests from ``statsmodels.duration.survfunc.survdiff``. The only
# arithmetic added here is the documented pointwise interval transform applied
# to statsmodels' estimate and its Greenwood standard error (statsmodels offers
# simultaneous bands but no pointwise interval), and reading the step function
# at chosen horizons.

CI_TRANSFORMS = ("log-log", "log", "plain")
"""Pointwise interval transforms, named as R ``survfit(conf.type = ...)``."""

def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence {confidence} must be between 0 and 1 (e.g. 0.95)")
    from scipy.stats import norm

    return float(norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def _check_transform(ci_transform: str) -> None:
    if ci_transform not in CI_TRANSFORMS:
        raise ValueError(f"ci_transform {ci_transform!r} not recognised; "
                         f"choose from {', '.join(CI_TRANSFORMS)}")


def survival_interval(
    survival: np.ndarray,
    std_err: np.ndarray,
    *,
    confidence: float = 0.95,
    ci_transform: str = "log-log",
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise confidence interval of a survival estimate from its standard error.

    Parameters
    ----------
    survival : array_like
        Kaplan-Meier estimates S(t).
    std_err : array_like
        Greenwood standard errors of S(t) (``SurvfuncRight.surv_prob_se``).
    confidence : float
    ci_transform : {"log-log", "log", "plain"}

    Returns
    -------
    ci_low, ci_high : numpy.ndarray

    Notes
    -----
    With ``z`` the normal quantile and ``s = std_err / S`` the standard error
    of log S (what R's ``survfit`` stores as ``std.err``):

    * ``log``: ``S exp(-z s)`` to ``min(1, S exp(z s))``;
    * ``log-log``: ``S ** exp(-z s / log S)`` to ``S ** exp(z s / log S)``
      (Kalbfleisch and Prentice; log S < 0), which always lies in [0, 1];
    * ``plain``: ``S -/+ z std_err``, clipped to [0, 1].

    These are the formulas of R ``survival:::survfit_confint`` (survival 3.5),
    and the results match ``survfit(..., conf.type = )`` to 1e-8 (see
    ``tests/reference/survival.R``). Where R returns ``NA`` the interval
    degenerates: at S = 1 (before the first event) it is 1 to 1, and at S = 0
    it is 0 to 0.

    Examples
    --------
    >>> lo, hi = survival_interval([0.75, 0.5], [0.2165063509, 0.25])
    >>> [round(float(x), 4) for x in lo], [round(float(x), 4) for x in hi]
    ([0.1279, 0.0578], [0.9605, 0.8449])
    """
    _check_transform(ci_transform)
    return _interval(np.asarray(survival, dtype=float), np.asarray(std_err, dtype=float),
                     _z(confidence), ci_transform)


def _interval(s: np.ndarray, se: np.ndarray, z: float, ci_transform: str
              ) -> tuple[np.ndarray, np.ndarray]:
    if s.size > _BLOCK:  # block by block, each in cache: same time per point at any length
        low, high = np.empty(s.size), np.empty(s.size)
        for a in range(0, s.size, _BLOCK):
            low[a:a + _BLOCK], high[a:a + _BLOCK] = _interval(s[a:a + _BLOCK], se[a:a + _BLOCK],
                                                              z, ci_transform)
        return low, high
    inner = (s > 0) & (s < 1) & np.isfinite(se)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_log = se / s
        if ci_transform == "log":
            low = s * np.exp(-z * se_log)
            high = np.minimum(s * np.exp(z * se_log), 1.0)
        elif ci_transform == "log-log":
            w = z * se_log / np.log(s)
            low = s ** np.exp(-w)
            high = s ** np.exp(w)
        else:
            low = np.maximum(s - z * se, 0.0)
            high = np.minimum(s + z * se, 1.0)
    low = np.where(inner, low, np.where(s >= 1, 1.0, 0.0))
    high = np.where(inner, high, np.where(s >= 1, 1.0, 0.0))
    return low, high


def _duration_frame(
    data: pd.DataFrame, duration: str, event: str, groups: list[str], source: str
) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    cols = [Column(duration, "float", min=0, description="time to the event or to censoring"),
            Column(event, "bool", description="whether the event happened (false: censored)")]
    cols += [Column(g, "str", description="group") for g in groups]
    wanted = list(dict.fromkeys([duration, event, *groups]))
    present = [c for c in wanted if c in data.columns]
    return validate(data[present], Schema(source, cols), source=source)


def _group_rows(frame: pd.DataFrame, by: Sequence[str], labels: Sequence[str]) -> pd.DataFrame:
    """The rows of ``frame`` whose ``by`` columns hold ``labels`` (all rows when ``by`` is empty)."""
    mask = np.ones(len(frame), dtype=bool)
    for col, value in zip(by, labels, strict=True):
        mask &= (frame[col] == value).to_numpy(dtype=bool)
    return frame[mask] if len(by) else frame


def _grouped(frame: pd.DataFrame, groups: list[str], overall: bool
             ) -> tuple[list[tuple], np.ndarray | None, np.ndarray]:
    """Group labels (sorted, then ``"All"`` if ``overall``), the row order that puts each
    group's rows together (``None``: one group, the rows as they are) and each group's
    bounds in that order."""
    n = len(frame)
    if not groups:
        return [()], None, np.array([0, n])
    labels, order, bounds = _group_index(frame, groups)
    if overall:
        labels.append(tuple("All" for _ in groups))
        order, bounds = np.r_[order, np.arange(n)], np.r_[bounds, bounds[-1] + n]
    return labels, order, bounds


def _group_codes(frame: pd.DataFrame, groups: list[str]) -> tuple[list[tuple], np.ndarray]:
    """Group labels (sorted) and each row's group number, vectorised."""
    # integer codes per column, combined into one code per group
    parts = [_sorted_factorize(frame[g]) for g in groups]
    sizes = [len(u) for _, u in parts]
    if len(parts) > 1:
        flat = np.ravel_multi_index([c for c, _ in parts], sizes)
        present, codes = np.unique(flat, return_inverse=True)
        combos = np.unravel_index(present, sizes)
    else:
        codes = parts[0][0]
        combos = (np.arange(sizes[0]),)
    labels = [tuple(parts[j][1][combos[j][k]] for j in range(len(parts)))
              for k in range(len(combos[0]))]
    return labels, codes


def _group_index(frame: pd.DataFrame, groups: list[str]
                 ) -> tuple[list[tuple], np.ndarray, np.ndarray]:
    """Group labels (sorted), the rows in group order and each group's bounds in it."""
    labels, codes = _group_codes(frame, groups)
    # a stable sort by group; numpy radix-sorts 16-bit integers in linear time
    small = len(labels) <= np.iinfo(np.uint16).max
    order = np.argsort(codes.astype(np.uint16) if small else codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(labels)))]
    return labels, order, bounds


def _sorted_factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize(values, sort=True)``, sorting only the distinct values
    (twice as fast for 10^7 rows of a few thousand sites). A Categorical (as
    Parquet dictionary columns load) is not hashed at all: its codes are
    renumbered in the order of its categories, leaving out unused ones."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        if codes.size and codes.min() >= 0:
            cats = np.asarray(values.cat.categories, dtype=object)
            used = np.flatnonzero(np.bincount(codes, minlength=cats.size))
            order = used[np.argsort(cats[used], kind="stable")]
            rank = np.full(cats.size, -1, dtype=np.int64)
            rank[order] = np.arange(order.size)
            return rank[codes], cats[order]
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[codes], uniques[order]


@dataclass(frozen=True)
class SurvivalResult:
    """Kaplan-Meier estimates of one or more groups.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group and horizon: the ``by`` columns, ``horizon``, ``n``
        (subjects), ``events`` (events up to and including the horizon),
        ``n_at_risk`` (still under observation at the horizon: time >=
        horizon), ``survival``, ``std_err`` (Greenwood), ``ci_low``,
        ``ci_high``, ``confidence``, ``ci_transform``; with ``complement``,
        also ``<complement>``, ``<complement>_ci_low`` and
        ``<complement>_ci_high`` holding 1 - S and its interval.
    curve : pandas.DataFrame
        The step function: the ``by`` columns, ``time`` (each event time),
        ``n_at_risk`` (just before it), ``events``, ``survival``,
        ``std_err``, ``ci_low``, ``ci_high``.
    quantiles : pandas.DataFrame
        The ``by`` columns, ``quantile`` (share who had the event), ``time``
        and its interval ``ci_low``, ``ci_high`` (``NaN`` when the curve never
        falls that far; ``inf`` for an open upper limit).
    data : pandas.DataFrame
        The validated input columns (duration, event, ``by``).
    duration, event : str
    by : tuple of str
    confidence : float
    ci_transform : str
    notes : tuple of str
        Anything the reader must know (all censored, horizons beyond follow-up, ...).
    overall : bool
        The tables end with an ``"All"`` group of every subject (``overall=True``).
    """

    table: pd.DataFrame
    curve: pd.DataFrame
    quantiles: pd.DataFrame
    data: pd.DataFrame
    duration: str
    event: str
    by: tuple[str, ...]
    confidence: float
    ci_transform: str
    notes: tuple[str, ...] = ()
    overall: bool = False

    def to_frame(self) -> pd.DataFrame:
        """The estimates at the horizons (:attr:`table`)."""
        return self.table.copy()

    def number_at_risk(self, times: Sequence[float]) -> pd.DataFrame:
        """Subjects still under observation (time >= t) at each of ``times``, per group.

        Returns
        -------
        pandas.DataFrame
            The ``by`` columns, ``time``, ``n_at_risk``.
        """
        t = np.asarray(list(times), dtype=float)
        rows = []
        groups = list(self.by)
        labels_all, order, bounds = _grouped(self.data, groups, self.overall)
        durations = self.data[self.duration].to_numpy(dtype=float)
        if order is not None:
            durations = durations[order]
        for k, labels in enumerate(labels_all):
            d = np.sort(durations[bounds[k]:bounds[k + 1]])
            at_risk = d.size - np.searchsorted(d, t, side="left")
            rows.append(pd.DataFrame({**dict(zip(groups, labels, strict=True)), "time": t,
                                      "n_at_risk": at_risk.astype(np.int64)}))
        return pd.concat(rows, ignore_index=True)

    def subjects(self, labels: Sequence[str] = ()) -> pd.DataFrame:
        """The input rows of one group (``labels`` in ``by`` order; the ``"All"`` group: everyone)."""
        if self.overall and all(v == "All" for v in labels):
            return self.data
        return _group_rows(self.data, self.by, labels)

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        head = (f"<p>Kaplan-Meier estimate, {self.confidence:g} pointwise intervals "
                f"({html.escape(self.ci_transform)} transform)</p>")
        return head + self.table.to_html(index=False) + (f"<ul>{notes}</ul>" if notes else "")


def kaplan_meier(
    data: pd.DataFrame,
    *,
    duration: str = "days",
    event: str = "ended",
    by: str | Sequence[str] | None = None,
    horizons: Sequence[float] = (90, 180, 365),
    quantiles: Sequence[float] = (0.25, 0.5, 0.75),
    confidence: float = 0.95,
    ci_transform: str = "log-log",
    overall: bool = False,
    complement: str | None = None,
) -> SurvivalResult:
    """Kaplan-Meier estimate with pointwise intervals, read at horizons and quantiles.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject (a job spell, a participant).
    duration : str
        Column with the time to the event or to censoring (days, >= 0).
    event : str
        Column saying whether the event happened (true) or the time is censored (false).
    by : str or sequence of str, optional
        Grouping columns; one curve per group.
    horizons : sequence of float
        Times at which to read the curve (e.g. 90, 180 and 365 days).
    quantiles : sequence of float
        Shares who had the event, for the quantile times (0.5: the median).
    confidence : float
    ci_transform : {"log-log", "log", "plain"}
        Transform of the pointwise interval (see :func:`survival_interval`).
    overall : bool
        With ``by``, add a curve for everyone, labelled ``"All"``.
    complement : str, optional
        Also report 1 - S and its interval under this name (e.g.
        ``"share_working"`` for the share who found a job by the horizon).

    Returns
    -------
    SurvivalResult
        ``table`` (at the horizons), ``curve``, ``quantiles``, ``notes``.

    Notes
    -----
    The estimate and its Greenwood standard error are
    ``statsmodels.duration.survfunc.SurvfuncRight``'s. They match R
    ``summary(survfit(Surv(days, ended) ~ 1, conf.type = "log-log"))`` (and
    ``"log"``, ``"plain"``) to 1e-8. At a horizon the curve is read as R's
    ``summary(fit, times = )`` does: S at the last event time on or before the
    horizon. A horizon beyond the longest observed time is not estimated
    (``NaN``, with a note) unless the curve has already fallen to 0. With no
    events at all, S stays 1 and a note says so.

    The quantile is ``SurvfuncRight.quantile``: the first event time at which
    S falls strictly below 1 - p (as SAS PROC LIFETEST). Its interval runs
    from the first event time at which the lower band falls below 1 - p to
    the first at which the upper band does (``inf`` if it never does), which
    is how R's ``quantile.survfit`` reads the band and is the Brookmeyer-
    Crowley interval for the chosen transform. (``SurvfuncRight.quantile_ci``
    inverts the same test but takes the last time the band contains 1 - p, so
    it reports an open upper limit whenever the band widens again at the end
    of the curve.) R differs only when S equals 1 - p exactly on a step,
    where it takes the midpoint to the next event time.

    References
    ----------
    Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
    J Am Stat Assoc 1958;53:457-481. doi:10.1080/01621459.1958.10501452

    Examples
    --------
    >>> import pandas as pd
    >>> jobs = pd.DataFrame({"days": [30, 60, 60, 200, 400, 500],
    ...                      "ended": [True, True, False, True, False, False]})
    >>> km = kaplan_meier(jobs, horizons=(90, 365))
    >>> km.table[["horizon", "n_at_risk", "survival"]].round(4).values.tolist()
    [[90.0, 3.0, 0.6667], [365.0, 2.0, 0.4444]]
    >>> km.table["ci_transform"].iloc[0]
    'log-log'
    """
    _check_transform(ci_transform)
    z = _z(confidence)  # raises on a bad level before any work
    groups = as_list(by)
    typed = _duration_frame(data, duration, event, groups, "data")
    horizons_arr = np.asarray(list(horizons), dtype=float)
    if np.any(~np.isfinite(horizons_arr)) or np.any(horizons_arr < 0):
        raise ValueError(f"horizons must be finite and >= 0, got {list(horizons)}")
    qs = [float(q) for q in quantiles]
    if any(not 0.0 < q < 1.0 for q in qs):
        raise ValueError(f"quantiles must be between 0 and 1, got {qs}")
    times_all = typed[duration].to_numpy(dtype=float)
    status_all = typed[event].to_numpy(dtype=bool)
    labels, order, bounds = _grouped(typed, groups, overall)
    if order is not None:
        times_all, status_all = times_all[order], status_all[order]  # one gather, then slices
    est = _km_groups(labels, times_all, status_all, bounds, horizons_arr, qs, z, ci_transform)
    table = _with_labels(est["table"], est["labels"], est["table_len"], groups)
    curve = _with_labels(est["curve"], est["labels"], est["curve_len"], groups)
    quant = _with_labels(est["quantiles"], est["labels"], np.full(len(est["labels"]), len(qs)),
                         groups)
    table["confidence"] = confidence
    table["ci_transform"] = ci_transform
    if complement:
        table[complement] = 1.0 - table["survival"]
        table[f"{complement}_ci_low"] = 1.0 - table["ci_high"]
        table[f"{complement}_ci_high"] = 1.0 - table["ci_low"]
    quant["confidence"] = confidence
    quant["ci_transform"] = ci_transform
    return SurvivalResult(table=table, curve=curve,
                          quantiles=quant, data=typed, duration=duration, event=event,
                          by=tuple(groups), confidence=confidence, ci_transform=ci_transform,
                          notes=tuple(est["notes"]), overall=bool(groups) and overall)


MAX_NOTES = 20
"""At most this many notes of one kind are listed; the rest are counted."""


def _with_labels(columns: dict[str, np.ndarray], labels: list[tuple], lengths: np.ndarray,
                 groups: list[str]) -> pd.DataFrame:
    """A DataFrame of ``columns`` with each group's labels repeated over its rows."""
    out: dict[str, pd.Series | np.ndarray] = {}
    rows = np.repeat(np.arange(len(labels)), lengths)
    for j, g in enumerate(groups):
        values = pd.Series([str(lab[j]) for lab in labels], dtype=str)
        out[g] = values.take(rows).reset_index(drop=True)  # vectorised repeat, no object copy
    out.update(columns)
    return pd.DataFrame(out, copy=False)  # no copy into 2-D blocks: the arrays are new


_GROUP_BATCH = 1 << 16
"""About this many subjects per batch of groups in :func:`_km_groups`."""


def _km_groups(labels: list[tuple], time: np.ndarray, status: np.ndarray, bounds: np.ndarray,
               horizons: np.ndarray, qs: list[float], z: float, ci_transform: str) -> dict:
    """Kaplan-Meier of every group: statsmodels per group, then vectorised reading.

    Group ``k`` is ``time[bounds[k]:bounds[k + 1]]`` (and ``status``). Only
    ``SurvfuncRight`` (the estimate and its Greenwood standard error) runs
    once per group; subjects at risk at the horizons, intervals, horizons,
    quantiles and their limits are computed at once over the concatenated
    curves of a batch of consecutive groups holding about 65,536 subjects
    (:func:`_km_batch`). A batch's arrays stay in the processor's cache, so
    twenty thousand sites cost ten times what two thousand do, and little
    more than their estimates.
    """
    n_groups = len(labels)
    first = np.searchsorted(bounds[:-1], np.arange(0, bounds[-1], _GROUP_BATCH), side="right") - 1
    edges = np.r_[np.unique(first), n_groups]
    parts = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        r0, r1 = bounds[a], bounds[b]
        parts.append(_km_batch(labels[a:b], time[r0:r1], status[r0:r1], bounds[a:b + 1] - r0,
                               horizons, qs, z, ci_transform))
    out = {key: {col: (np.concatenate([part[key][col] for part in parts]) if len(parts) > 1
                       else parts[0][key][col]) for col in parts[0][key]}
           for key in ("table", "curve", "quantiles")}
    out["curve_len"] = np.concatenate([part["curve_len"] for part in parts])
    out["table_len"] = np.full(n_groups, horizons.size)
    out["labels"] = labels
    no_events = [note for part in parts for note in part["no_events"]]
    beyond = [note for part in parts for note in part["beyond"]]
    out["notes"] = _capped([f"no events{w} times are censored, so the estimate stays at 1 over "
                            f"the whole follow-up" for w in no_events]) + _capped(beyond)
    return out


def _km_batch(labels: list[tuple], time: np.ndarray, status: np.ndarray, bounds: np.ndarray,
              horizons: np.ndarray, qs: list[float], z: float, ci_transform: str) -> dict:
    """:func:`_km_groups` for one batch of groups (``bounds`` start at 0)."""
    from statsmodels.duration.survfunc import SurvfuncRight

    n_groups, n_h, n_q = len(labels), horizons.size, len(qs)
    starts_in = bounds[:-1]
    pieces: dict[str, list[np.ndarray]] = {k: [] for k in ("time", "n_at_risk", "events",
                                                           "survival", "std_err")}
    status_f = status.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(n_groups):
            a, b = bounds[k], bounds[k + 1]
            sf = SurvfuncRight(time[a:b], status_f[a:b])
            pieces["time"].append(sf.surv_times)
            pieces["n_at_risk"].append(sf.n_risk)
            pieces["events"].append(sf.n_events)
            pieces["survival"].append(sf.surv_prob)
            pieces["std_err"].append(sf.surv_prob_se)
    curve_len = np.fromiter((len(x) for x in pieces["time"]), dtype=np.int64, count=n_groups)
    n_subjects = np.diff(bounds).astype(np.int64)
    longest = np.maximum.reduceat(time, starts_in) if n_groups else np.zeros(0)
    at_risk = np.stack([np.add.reduceat(time >= h, starts_in, dtype=np.int64) for h in horizons],
                       axis=1) if n_h else np.zeros((n_groups, 0), dtype=np.int64)
    no_events = [f"{' (' + _where(labels[k]) + ')' if labels[k] else ''}: all {n_subjects[k]}"
                 for k in np.flatnonzero(curve_len == 0)]

    curve = {key: np.concatenate(v) if v else np.zeros(0) for key, v in pieces.items()}
    curve["n_at_risk"] = curve["n_at_risk"].astype(np.int64, copy=False)
    curve["events"] = curve["events"].astype(np.int64, copy=False)
    low, high = _interval(curve["survival"], curve["std_err"], z, ci_transform)
    curve["ci_low"], curve["ci_high"] = low, high
    t, s = curve["time"], curve["survival"]
    m = t.size
    gid = np.repeat(np.arange(n_groups), curve_len)
    starts = np.r_[0, np.cumsum(curve_len)[:-1]].astype(np.int64)
    ends = starts + curve_len

    # read every group's step function at the horizons: S at its last event time <= h
    if m:
        t_min, span = float(t.min()), float(t.max() - t.min()) + 1.0
        composite = gid * span + (t - t_min)  # increasing: groups in order, times within
        query = (np.arange(n_groups)[:, None] * span
                 + np.clip(horizons[None, :] - t_min, -0.5, span - 0.5))
        pos = np.searchsorted(composite, query, side="right") - 1
        before = pos < starts[:, None]  # no event on or before h in this group
    else:
        pos = np.zeros((n_groups, n_h), dtype=np.int64)
        before = np.ones((n_groups, n_h), dtype=bool)
    pick = np.clip(pos, 0, max(m - 1, 0))
    cum_events = np.r_[0, np.cumsum(curve["events"])]

    def read(values: np.ndarray, before_first: float) -> np.ndarray:
        return np.where(before, before_first, values[pick] if m else before_first)

    reached_zero = np.zeros(n_groups, dtype=bool)
    has = curve_len > 0
    reached_zero[has] = s[ends[has] - 1] == 0.0
    beyond = (horizons[None, :] > longest[:, None]) & ~reached_zero[:, None]
    events_by = np.where(before, 0, cum_events[np.minimum(pick + 1, m)] - cum_events[starts][:, None])
    table = {
        "horizon": np.tile(horizons, n_groups),
        "n": np.repeat(n_subjects, n_h),
        "events": events_by.astype(np.int64).ravel(),
        "n_at_risk": at_risk.ravel(),
        "survival": np.where(beyond, np.nan, read(s, 1.0)).ravel(),
        "std_err": np.where(beyond, np.nan, read(curve["std_err"], 0.0)).ravel(),
        "ci_low": np.where(beyond, np.nan, read(low, 1.0)).ravel(),
        "ci_high": np.where(beyond, np.nan, read(high, 1.0)).ravel(),
    }

    # quantiles: the first event time at which S falls strictly below 1 - p (as
    # SurvfuncRight.quantile and SAS); their limits: the same for each band
    q_time = np.full((n_groups, n_q), np.nan)
    q_low = np.full((n_groups, n_q), np.nan)
    q_high = np.full((n_groups, n_q), np.nan)
    if m:
        seg = np.flatnonzero(has)
        for j, q in enumerate(qs):
            for band, out, never in ((s, q_time, np.nan), (low, q_low, np.nan),
                                     (high, q_high, np.inf)):
                hits = np.flatnonzero(band < 1.0 - q)  # then the first hit in each group
                k = np.searchsorted(hits, starts[seg])
                first = hits[np.minimum(k, hits.size - 1)] if hits.size else ends[seg]
                found = (k < hits.size) & (first < ends[seg])
                out[seg, j] = np.where(found, t[np.minimum(first, m - 1)], never)
        q_high[np.isnan(q_low)] = np.nan
    quantiles = {"quantile": np.tile(np.asarray(qs, dtype=float), n_groups),
                 "time": q_time.ravel(), "ci_low": q_low.ravel(), "ci_high": q_high.ravel()}

    beyond_notes = []
    for k in np.flatnonzero(beyond.any(axis=1)):
        hs = ", ".join(f"{h:g}" for h in horizons[beyond[k]])
        w = _where(labels[k])
        beyond_notes.append(f"horizon {hs}{' (' + w + ')' if w else ''} lies beyond the longest "
                            f"observed time ({longest[k]:g}): not estimated")
    return {"table": table, "curve": curve, "quantiles": quantiles, "curve_len": curve_len,
            "no_events": no_events, "beyond": beyond_notes}


def _where(labels: tuple) -> str:
    return ", ".join(str(v) for v in labels)


def _capped(notes: list[str]) -> list[str]:
    if len(notes) <= MAX_NOTES:
        return notes
    return [*notes[:MAX_NOTES], f"... and {len(notes) - MAX_NOTES} more groups with the same note"]


def retention(
    spells: pd.DataFrame,
    *,
    duration: str = "days",
    event: str = "ended",
    horizons: Sequence[float] = (90, 180, 365),
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    ci_transform: str = "log-log",
    overall: bool = False,
) -> pd.DataFrame:
    """Share of jobs still held at each horizon (Kaplan-Meier job retention).

    Parameters
    ----------
    spells : pandas.DataFrame
        One row per job, with its length and whether it ended (e.g. from
        :func:`job_tenure` or :func:`spell_durations`); any table with those
        two columns will do.
    duration : str
        Column with the days in the job (to its end, or to follow-up end if still running).
    event : str
        Column saying whether the job ended (false: still running, censored).
    horizons : sequence of float
        Days after the start of the job.
    by : str or sequence of str, optional
    confidence : float
    ci_transform : {"log-log", "log", "plain"}
        Interval transform, reported in the ``ci_transform`` column.
    overall : bool
        With ``by``, add a row per horizon for all jobs (``"All"``).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``horizon, n, events, n_at_risk, survival,
        std_err, ci_low, ci_high, confidence, ci_transform``: ``survival`` is
        the share of jobs still held ``horizon`` days after they started.

    See Also
    --------
    kaplan_meier : the same estimate with the whole curve and its quantiles.

    Examples
    --------
    >>> import pandas as pd
    >>> jobs = pd.DataFrame({"days": [30, 60, 60, 200, 400, 500],
    ...                      "ended": [True, True, False, True, False, False]})
    >>> r = retention(jobs, horizons=(365,), ci_transform="log")
    >>> print(f"{r['survival'].iloc[0]:.3f} ({r['ci_low'].iloc[0]:.3f} to {r['ci_high'].iloc[0]:.3f})")
    0.444 (0.167 to 1.000)
    """
    return kaplan_meier(spells, duration=duration, event=event, by=by, horizons=horizons,
                        quantiles=(), confidence=confidence, ci_transform=ci_transform,
                        overall=overall).table


def logrank(
    data: pd.DataFrame,
    *,
    by: str,
    duration: str = "days",
    event: str = "ended",
) -> pd.DataFrame:
    """Log-rank test that the survival curves of the ``by`` groups are equal.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject.
    by : str
        Column naming the groups (sites, for instance); two or more groups.
    duration, event : str
        As :func:`kaplan_meier`.

    Returns
    -------
    pandas.DataFrame
        One row: ``by, n_groups, n, events, statistic, df, p_value, test``.

    Notes
    -----
    ``statsmodels.duration.survfunc.survdiff``, which matches R
    ``survdiff(Surv(days, ended) ~ group)`` (chi-square with ``n_groups - 1``
    degrees of freedom; see ``tests/reference/survival.R``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"days": [5, 8, 12, 20, 3, 4, 6, 9],
    ...                   "ended": [1, 1, 0, 1, 1, 1, 1, 0], "site": list("AAAABBBB")})
    >>> r = logrank(d, by="site")
    >>> r[["n_groups", "df"]].iloc[0].tolist()
    [2, 1]
    >>> round(float(r["statistic"].iloc[0]), 6)  # R survdiff: 1.034362
    1.034362
    """
    from statsmodels.duration.survfunc import survdiff

    typed = _duration_frame(data, duration, event, [by], "data")
    groups = typed[by].to_numpy(dtype=object)
    k = len(pd.unique(groups))
    if k < 2:
        raise ValueError(f"logrank needs at least two groups in column `{by}`, found {k}")
    time = typed[duration].to_numpy(dtype=float)
    status = typed[event].to_numpy(dtype=bool).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat, p = survdiff(time, status, groups)
    return pd.DataFrame({"by": [by], "n_groups": [k], "n": [len(typed)],
                         "events": [int(status.sum())], "statistic": [float(stat)],
                         "df": [k - 1], "p_value": [float(p)], "test": ["log-rank"]})


# ----------------------------------------------------------------- durations from dates


def spell_durations(
    spells: pd.DataFrame,
    *,
    follow_up_end: str | dt.date | pd.Timestamp,
    start: str = "start_date",
    end: str = "end_date",
    spell_id: str = "spell_id",
) -> pd.DataFrame:
    """Days in each job and whether it ended, from start and end dates.

    Parameters
    ----------
    spells : pandas.DataFrame
        One row per job, with its identifier, start date and end date
        (blank or missing while the job was still running).
    follow_up_end : str or date
        The last day jobs were observed: a column of ``spells`` holding each
        job's follow-up end, or one date for all (e.g. ``"2017-12-31"``).
    start, end, spell_id : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        A copy of ``spells`` with ``days`` (int, days in the job counting the
        first and the last day) and ``ended`` (bool).

    Notes
    -----
    A job that ended on or before ``follow_up_end`` lasted
    ``end - start + 1`` days and ``ended`` is true. A job with no end date, or
    one that ended after follow-up, is censored: it lasted at least
    ``follow_up_end - start + 1`` days and ``ended`` is false. So a job that
    starts and ends on the same day lasts one day.

    Raises
    ------
    ipsresearch.validation.InputError
        A job ends before it starts, or starts after follow-up ended; the
        message names the spell.

    Examples
    --------
    >>> import pandas as pd
    >>> jobs = pd.DataFrame({"spell_id": ["S1", "S2"], "start_date": ["2016-01-01", "2017-06-01"],
    ...                      "end_date": ["2016-01-31", ""]})
    >>> spell_durations(jobs, follow_up_end="2017-12-31")[["spell_id", "days", "ended"]].values.tolist()
    [['S1', 31, True], ['S2', 214, False]]
    """
    if not isinstance(spells, pd.DataFrame):
        raise TypeError(f"spells must be a pandas DataFrame, got {type(spells).__name__}")
    cols = [Column(spell_id, "str", unique=True, description="identifier of the job spell"),
            Column(start, "date", description="first day in the job"),
            Column(end, "date", nullable=True, description="last day in the job, blank if running")]
    frame = spells[[c.name for c in cols if c.name in spells.columns]]
    if isinstance(follow_up_end, str) and follow_up_end in spells.columns:
        fu = follow_up_end
        frame = frame.assign(**{fu: spells[fu]})
    else:  # one date for every job, checked as if it were a column
        try:
            fu_day = pd.Timestamp(follow_up_end)
        except (TypeError, ValueError):
            raise ValueError(f"follow_up_end {follow_up_end!r} is neither a column of spells "
                             f"nor a date (YYYY-MM-DD)") from None
        if pd.isna(fu_day):
            raise ValueError("follow_up_end is missing; give a date or a column name")
        fu = "follow_up_end"
        frame = frame.assign(**{fu: fu_day.normalize()})
    cols.append(Column(fu, "date", description="last day jobs were observed"))
    checks = [
        schemas.spell_order_check(start=start, end=end, spell_id=spell_id),
        RowCheck((start, fu), lambda d: (d[start] > d[fu]).to_numpy(),
                 lambda r: (f"spell {r[spell_id]} starts {schemas._date(r[start])}, after follow-up "
                            f"ended on {schemas._date(r[fu])}"),
                 start, "a start date on or before the end of follow-up"),
    ]
    typed = validate(frame, Schema("job_spells", cols, checks=checks), source="job_spells")
    days, ended = _spell_days(typed[start].to_numpy(dtype="datetime64[D]"),
                              typed[end].to_numpy(dtype="datetime64[D]"),
                              typed[fu].to_numpy(dtype="datetime64[D]"))
    out = spells.copy()
    out["days"] = days
    out["ended"] = ended
    return out


def _spell_days(start: np.ndarray, end: np.ndarray, follow_up_end: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Days in a job (first and last day included) and whether it ended within follow-up."""
    ended = ~np.isnat(end) & (end <= follow_up_end)
    last = np.where(ended, end, follow_up_end)
    return (last - start).astype(np.int64) + 1, ended


def _cohort(participants, spells, validated):
    if not validated:
        participants = validate(participants, schemas.PARTICIPANTS, source="participants")
        spells = validate(spells, schemas.JOB_SPELLS, source="job_spells")
        schemas.check_cohort(participants, spells)
    return participants, spells


def _qualifying(spells: pd.DataFrame, job_type, paid) -> np.ndarray:
    types = as_list(job_type)
    unknown = [t for t in types if t not in schemas.JOB_TYPES]
    if unknown:
        raise ValueError(f"job_type {unknown} not recognised; choose from {', '.join(schemas.JOB_TYPES)}")
    keep = np.ones(len(spells), dtype=bool)
    if types:
        keep &= spells["job_type"].isin(types).to_numpy(dtype=bool)
    if paid is not None:
        keep &= (spells["paid"].astype(bool) == bool(paid)).to_numpy()
    return keep


def job_tenure(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    job_type: str | Sequence[str] | None = "competitive",
    paid: bool | None = True,
    first_only: bool = False,
    validated: bool = False,
) -> pd.DataFrame:
    """Days in each qualifying job, censored at the holder's follow-up end.

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :func:`ever_employed`.
    job_type, paid
        Which jobs count (default: paid competitive jobs, the IPS outcome).
    first_only : bool
        Keep only each participant's first qualifying job.
    validated : bool
        Skip validation when both tables come from a validating loader.

    Returns
    -------
    pandas.DataFrame
        One row per job: ``spell_id, participant_id, site, job_number`` (1
        for a person's first qualifying job), ``start_date, end_date, days,
        ended`` (see :func:`spell_durations`), sorted by participant and start
        (jobs of one person starting on the same day keep the order of ``spells``).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a"], "site": ["X"],
    ...     "enrolment_date": ["2016-01-01"], "follow_up_end": ["2017-12-31"]})
    >>> jobs = pd.DataFrame({"spell_id": ["1", "2"], "participant_id": ["a", "a"],
    ...     "start_date": ["2016-02-01", "2017-03-01"], "end_date": ["2016-08-31", ""],
    ...     "job_type": ["competitive"] * 2, "paid": [True, True]})
    >>> job_tenure(people, jobs)[["job_number", "days", "ended"]].values.tolist()
    [[1, 213, True], [2, 306, False]]
    """
    participants, spells = _cohort(participants, spells, validated)
    keep = np.flatnonzero(_qualifying(spells, job_type, paid))
    if keep.size == 0:
        raise ValueError("no qualifying jobs: nobody held a job of the chosen type")
    pos = _owner(participants, spells)[keep]
    start = spells["start_date"].to_numpy(dtype="datetime64[D]")[keep]
    # by participant, then start; ties keep the order of the file (registers are usually
    # sorted already, which one pass checks; otherwise one stable sort of a combined key)
    step_pos, step_start = np.diff(pos), np.diff(start.astype(np.int64))
    if not ((step_pos > 0) | ((step_pos == 0) & (step_start >= 0))).all():
        day = start.astype(np.int64)
        span = int(day.max() - day.min()) + 1
        order = np.argsort(pos * span + (day - day.min()), kind="stable")
        keep, pos, start = keep[order], pos[order], start[order]
    new_person = np.r_[True, pos[1:] != pos[:-1]]
    run_start = np.maximum.accumulate(np.where(new_person, np.arange(pos.size), 0))
    job_number = np.arange(pos.size) - run_start + 1
    if first_only:
        keep, pos, start = keep[new_person], pos[new_person], start[new_person]
        job_number = job_number[new_person]
    end = spells["end_date"].to_numpy(dtype="datetime64[D]")[keep]
    fu = participants["follow_up_end"].to_numpy(dtype="datetime64[D]")[pos]
    days, ended = _spell_days(start, end, fu)
    return pd.DataFrame({
        "spell_id": _col(spells, "spell_id", keep),
        "participant_id": _col(participants, "participant_id", pos),
        "site": _col(participants, "site", pos),
        "job_number": job_number.astype(np.int64),
        "start_date": start.astype("datetime64[ns]"),
        "end_date": end.astype("datetime64[ns]"),
        "days": days,
        "ended": ended,
    }, copy=False)


def first_job_times(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    job_type: str | Sequence[str] | None = "competitive",
    paid: bool | None = True,
    validated: bool = False,
) -> pd.DataFrame:
    """Days from enrolment to each participant's first qualifying job.

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :func:`ever_employed`.
    job_type, paid
        Which jobs count (default: paid competitive jobs).
    validated : bool
        Skip validation when both tables come from a validating loader.

    Returns
    -------
    pandas.DataFrame
        One row per participant: ``participant_id, site, days, found_job``.
        For those who found a job, ``days`` is the start of the first job
        minus the enrolment date (0: started on the day of enrolment); for the
        others it is the follow-up (follow-up end minus enrolment) and
        ``found_job`` is false (censored).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "X"],
    ...     "enrolment_date": ["2016-01-01"] * 2, "follow_up_end": ["2016-12-31"] * 2})
    >>> jobs = pd.DataFrame({"spell_id": ["1"], "participant_id": ["a"],
    ...     "start_date": ["2016-03-01"], "end_date": [""],
    ...     "job_type": ["competitive"], "paid": [True]})
    >>> first_job_times(people, jobs)[["days", "found_job"]].values.tolist()
    [[60, True], [365, False]]
    """
    participants, spells = _cohort(participants, spells, validated)
    keep = _qualifying(spells, job_type, paid)
    pos = _owner(participants, spells)[keep]
    never = np.iinfo(np.int64).max
    first = np.full(len(participants), never, dtype=np.int64)
    np.minimum.at(first, pos, _days(spells["start_date"])[keep])
    enrol = _days(participants["enrolment_date"])
    fu = _days(participants["follow_up_end"])
    found = (first != never) & (first <= fu)
    days = np.where(found, first, fu) - enrol
    return pd.DataFrame({"participant_id": _col(participants, "participant_id"),
                         "site": _col(participants, "site"),
                         "days": days.astype(np.int64), "found_job": found}, copy=False)


def time_to_first_job(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    horizons: Sequence[float] = (30, 90, 180, 365),
    by: str | Sequence[str] | None = None,
    job_type: str | Sequence[str] | None = "competitive",
    paid: bool | None = True,
    quantiles: Sequence[float] = (0.25, 0.5),
    confidence: float = 0.95,
    ci_transform: str = "log-log",
    overall: bool = False,
    validated: bool = False,
) -> SurvivalResult:
    """Time from enrolment to the first paid competitive job (Kaplan-Meier).

    Participants who never found a qualifying job are censored at the end of
    their follow-up. The share working by a horizon is 1 - S(horizon).

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :func:`ever_employed`.
    horizons : sequence of float
        Days after enrolment (default 30, 90, 180 and 365).
    by : str or sequence of str, optional
        Participant columns to group by, e.g. ``"site"``.
    job_type, paid
        Which jobs count (default: paid competitive jobs).
    quantiles : sequence of float
        Shares who found a job, for the quantile times (0.5: median days to a job).
    confidence : float
    ci_transform : {"log-log", "log", "plain"}
    overall : bool
    validated : bool

    Returns
    -------
    SurvivalResult
        Its ``table`` has ``share_working``, ``share_working_ci_low`` and
        ``share_working_ci_high`` besides the survival columns (the share
        still without a job); ``data`` is :func:`first_job_times`.

    Examples
    --------
    >>> from ipsresearch.studies import irish_pilot
    >>> pilot = irish_pilot.load()
    >>> r = time_to_first_job(pilot.participants, pilot.spells, validated=True)
    >>> r.table["horizon"].tolist(), int(r.table["n"].iloc[0])
    ([30.0, 90.0, 180.0, 365.0], 65)
    >>> bool((r.table["share_working"].diff().dropna() >= 0).all())
    True
    """
    times = first_job_times(participants, spells, job_type=job_type, paid=paid,
                            validated=validated)
    groups = as_list(by)
    extra = [g for g in groups if g not in times.columns]
    if extra:
        missing = [g for g in extra if g not in participants.columns]
        if missing:
            raise ValueError(f"by column(s) {missing} not in participants "
                             f"(columns: {', '.join(map(str, participants.columns))})")
        times = pd.concat([times, participants[extra].reset_index(drop=True)], axis=1)
    return kaplan_meier(times, duration="days", event="found_job", by=groups or None,
                        horizons=horizons, quantiles=quantiles, confidence=confidence,
                        ci_transform=ci_transform, overall=overall, complement="share_working")


def time_in_work(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    job_type: str | Sequence[str] | None = "competitive",
    paid: bool | None = True,
    validated: bool = False,
) -> pd.DataFrame:
    """Days, weeks and share of follow-up each participant spent in qualifying work.

    Overlapping jobs count once (a day in two jobs is one day in work). Each
    job counts from its start to its end, or to follow-up end if still
    running; both days are included.

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :func:`ever_employed`.
    job_type, paid
        Which jobs count (default: paid competitive jobs).
    validated : bool
        Skip validation when both tables come from a validating loader.

    Returns
    -------
    pandas.DataFrame
        One row per participant: ``participant_id, site, follow_up_days``
        (enrolment to follow-up end, both included), ``n_jobs``,
        ``days_worked``, ``weeks_worked`` (days / 7), ``share_of_follow_up``,
        ``days_after_first_job`` (first job's start to follow-up end, 0 when
        no job) and ``share_after_first_job`` (``NaN`` when no job; Bond,
        Drake and Becker 2008 report this share for IPS trials).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "X"],
    ...     "enrolment_date": ["2016-01-01"] * 2, "follow_up_end": ["2016-01-28"] * 2})
    >>> jobs = pd.DataFrame({"spell_id": ["1", "2"], "participant_id": ["a", "a"],
    ...     "start_date": ["2016-01-08", "2016-01-10"], "end_date": ["2016-01-14", ""],
    ...     "job_type": ["competitive"] * 2, "paid": [True, True]})
    >>> time_in_work(people, jobs)[["days_worked", "weeks_worked", "share_of_follow_up"]].values.tolist()
    [[21.0, 3.0, 0.75], [0.0, 0.0, 0.0]]
    """
    participants, spells = _cohort(participants, spells, validated)
    keep = _qualifying(spells, job_type, paid)
    pos = _owner(participants, spells)[keep]
    enrol = _days(participants["enrolment_date"])
    end = _days(participants["follow_up_end"])
    s = np.maximum(_days(spells["start_date"])[keep], enrol[pos])
    e_raw = spells["end_date"].to_numpy(dtype="datetime64[D]")[keep]
    e = np.where(np.isnat(e_raw), end[pos], np.minimum(e_raw.astype(np.int64), end[pos]))
    ok = e >= s
    pos, s, e = pos[ok], s[ok], e[ok]
    order = np.lexsort((s, pos))
    pos, s, e = pos[order], s[order], e[order]
    # merge overlapping jobs: a new block starts when a job begins after every earlier
    # job of the same person has ended (running maximum of end days within each person)
    prev_end = pd.Series(e).groupby(pos, sort=False).cummax().groupby(pos, sort=False).shift()
    new_block = (prev_end.isna() | (s > prev_end)).to_numpy()
    block = np.cumsum(new_block) - 1
    n_blocks = int(block[-1]) + 1 if block.size else 0
    b_start = np.full(n_blocks, np.iinfo(np.int64).max)
    b_end = np.full(n_blocks, np.iinfo(np.int64).min)
    np.minimum.at(b_start, block, s)
    np.maximum.at(b_end, block, e)
    n = len(participants)
    days = np.bincount(pos[new_block], weights=(b_end - b_start + 1).astype(float), minlength=n)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, pos, s)
    has = first != np.iinfo(np.int64).max
    follow = end - enrol + 1
    after = np.where(has, end - first + 1, 0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_after = np.where(after > 0, days / after, np.nan)
    return pd.DataFrame({
        "participant_id": _col(participants, "participant_id"),
        "site": _col(participants, "site"),
        "follow_up_days": follow.astype(np.int64),
        "n_jobs": np.bincount(pos, minlength=n).astype(np.int64),
        "days_worked": days, "weeks_worked": days / 7.0, "share_of_follow_up": days / follow,
        "days_after_first_job": after, "share_after_first_job": share_after,
    })


def in_work_at(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    days: int,
    job_type: str | Sequence[str] | None = "competitive",
    paid: bool | None = True,
    validated: bool = False,
) -> pd.DataFrame:
    """Whether each participant was in a qualifying job ``days`` after enrolment.

    This is the point measure trials such as Reme et al. (2019) report ("in
    competitive employment at 12 months"); participants followed for fewer
    than ``days`` days are left out.

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :func:`ever_employed`.
    days : int
        Days after enrolment (365: one year); the day itself counts, so a job
        that starts or ends on it is held.
    job_type, paid
        Which jobs count (default: paid competitive jobs).
    validated : bool
        Skip validation when both tables come from a validating loader.

    Returns
    -------
    pandas.DataFrame
        Participants followed at least ``days`` days: ``participant_id, site,
        in_work`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "X"],
    ...     "enrolment_date": ["2016-01-01"] * 2, "follow_up_end": ["2017-12-31", "2016-06-30"]})
    >>> jobs = pd.DataFrame({"spell_id": ["1"], "participant_id": ["a"],
    ...     "start_date": ["2016-10-01"], "end_date": [""],
    ...     "job_type": ["competitive"], "paid": [True]})
    >>> in_work_at(people, jobs, days=365).values.tolist()
    [['a', 'X', True]]
    """
    if int(days) != days or days < 0:
        raise ValueError(f"days must be a whole number >= 0, got {days}")
    participants, spells = _cohort(participants, spells, validated)
    keep = _qualifying(spells, job_type, paid)
    pos = _owner(participants, spells)[keep]
    enrol = _days(participants["enrolment_date"])
    day = enrol[pos] + int(days)
    s = _days(spells["start_date"])[keep]
    e_raw = spells["end_date"].to_numpy(dtype="datetime64[D]")[keep]
    holding = (s <= day) & (np.isnat(e_raw) | (e_raw.astype(np.int64) >= day))
    working = np.bincount(pos[holding], minlength=len(participants)) > 0
    followed = _days(participants["follow_up_end"]) - enrol >= days
    out = participants.loc[followed, ["participant_id", "site"]].reset_index(drop=True)
    out["in_work"] = working[followed]
    return out


def spell_timeline(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    job_type: str | Sequence[str] | None = None,
    paid: bool | None = None,
    validated: bool = False,
) -> pd.DataFrame:
    """Every participant's follow-up and job spells in days since enrolment (for a swimmer plot).

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :func:`ever_employed`.
    job_type, paid
        Which spells to include (default: every work activity).
    validated : bool

    Returns
    -------
    pandas.DataFrame
        One row per spell, plus one row for each participant without a spell
        (spell columns missing): ``participant_id, site, follow_up_days,
        first_job_day`` (start of the first paid competitive job, ``NaN`` if
        none), ``spell_id, job_type, paid, competitive`` (paid competitive
        job), ``start_day, end_day`` (days since enrolment, 0 = enrolment
        day; a running job ends at follow-up end) and ``ongoing``. Sorted by
        site, first job day (never: last) and participant.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "X"],
    ...     "enrolment_date": ["2016-01-01"] * 2, "follow_up_end": ["2016-12-31"] * 2})
    >>> jobs = pd.DataFrame({"spell_id": ["1"], "participant_id": ["b"],
    ...     "start_date": ["2016-03-01"], "end_date": [""],
    ...     "job_type": ["competitive"], "paid": [True]})
    >>> spell_timeline(people, jobs)[["participant_id", "start_day", "end_day", "ongoing"]].values.tolist()
    [['b', 60.0, 365.0, True], ['a', nan, nan, False]]
    """
    participants, spells = _cohort(participants, spells, validated)
    keep = np.flatnonzero(_qualifying(spells, job_type, paid))
    pos = _owner(participants, spells)[keep]
    enrol = _days(participants["enrolment_date"])
    fu = _days(participants["follow_up_end"])
    firsts = first_job_times(participants, spells, validated=True)
    lanes = pd.DataFrame({"participant_id": _col(participants, "participant_id"),
                          "site": _col(participants, "site"),
                          "follow_up_days": (fu - enrol).astype(np.int64),
                          "first_job_day": np.where(firsts["found_job"], firsts["days"], np.nan)})
    e_raw = spells["end_date"].to_numpy(dtype="datetime64[D]")[keep]
    ongoing = np.isnat(e_raw) | (e_raw.astype(np.int64) > fu[pos])
    e = np.where(ongoing, fu[pos], e_raw.astype(np.int64))
    job_type_values = _col(spells, "job_type", keep)
    paid_values = spells["paid"].take(keep).to_numpy(dtype=bool)
    spell_rows = pd.DataFrame({
        "participant_id": _col(participants, "participant_id", pos),
        "spell_id": _col(spells, "spell_id", keep),
        "job_type": job_type_values,
        "paid": paid_values,
        "competitive": (job_type_values == "competitive") & paid_values,
        "start_day": (_days(spells["start_date"])[keep] - enrol[pos]).astype(float),
        "end_day": (e - enrol[pos]).astype(float),
        "ongoing": ongoing,
    })
    out = lanes.merge(spell_rows, on="participant_id", how="left")
    out["ongoing"] = out["ongoing"].fillna(False).astype(bool)
    out = out.assign(_never=out["first_job_day"].isna())
    out = out.sort_values(["site", "_never", "first_job_day", "participant_id", "start_day"],
                          kind="stable").drop(columns="_never")
    return out.reset_index(drop=True)

"""Vectorised generator of IPS cohorts: participants and their job spells.

:func:`draw_cohort` draws a cohort of any size with numpy as plain arrays
(no Python loop per participant; the only loops are over the job number, at
most ``max_jobs`` passes, and over blocks of 65,536 participants) and
:func:`simulate_cohort` turns them into the participants and job-spells
tables. The Irish pilot
(:mod:`ipsresearch.synthetic.irish_pilot`) is one instance of it; the scale
generator (:mod:`ipsresearch.synthetic.scale`) writes the same arrays as
Parquet and CSV at 10^7 participants.

The model, whose parameters are "planted" so that tests can check the
analysis functions recover them at large n:

* Enrolment dates are uniform between ``enrol_start`` and ``enrol_end``;
  every participant is followed to ``follow_up_end`` (administrative censoring).
* A share ``p_work`` of participants would find a paid competitive job given
  unlimited follow-up (a cure model: the rest never do). For them, the time
  from enrolment to the first job is exponential with median
  ``ttj_median_days``. The job counts only if it starts within follow-up.
  Hence the share working by day t is ``p_work * (1 - 0.5 ** (t / ttj_median_days))``.
* A competitive job lasts a Weibull time with shape ``tenure_shape`` and
  median ``tenure_median_days``: the share of jobs still held at day t is
  ``exp(-log(2) * (t / tenure_median_days) ** tenure_shape)``. Jobs still
  running at ``follow_up_end`` are right-censored (blank ``end_date``).
* After a job ends, with probability ``p_next_job`` the person starts another
  competitive job after an exponential gap with median ``gap_median_days``
  (up to ``max_jobs`` jobs).
* A share ``p_other_activity`` of participants also has one non-competitive
  or unpaid activity (sheltered work, volunteering, an unpaid work trial), so
  that the definition of "employed" visibly matters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["JOB_TYPE_CODES", "CohortArrays", "CohortDesign", "draw_cohort", "identifiers",
           "simulate_cohort", "share_retained_at", "share_working_by"]

_LN2 = np.log(2.0)


@dataclass(frozen=True)
class CohortDesign:
    """Planted parameters of a synthetic cohort (see the module docstring).

    Parameters
    ----------
    n : int
        Number of participants.
    sites : tuple of str
        Site names.
    site_sizes : tuple of int, optional
        Exact number of participants per site (must sum to ``n``); if not
        given, sites are drawn with ``site_weights`` (default equal).
    site_weights : tuple of float, optional
    enrol_start, enrol_end, follow_up_end : datetime.date
    p_work : float
        Share who would ever get a paid competitive job with unlimited follow-up.
    ttj_median_days : float
        Median days from enrolment to the first paid competitive job, among
        those who will work.
    tenure_median_days, tenure_shape : float
        Weibull job duration: median in days and shape.
    p_next_job, gap_median_days : float
        Chance of a further competitive job after one ends, and the median gap.
    max_jobs : int
        Most competitive jobs per person.
    p_other_activity : float
        Share with one non-competitive or unpaid activity.
    """

    n: int
    sites: tuple[str, ...]
    enrol_start: dt.date
    enrol_end: dt.date
    follow_up_end: dt.date
    site_sizes: tuple[int, ...] | None = None
    site_weights: tuple[float, ...] | None = None
    p_work: float = 0.55
    ttj_median_days: float = 120.0
    tenure_median_days: float = 257.0
    tenure_shape: float = 0.8
    p_next_job: float = 0.35
    gap_median_days: float = 90.0
    max_jobs: int = 3
    p_other_activity: float = 0.30

    def __post_init__(self) -> None:
        if self.site_sizes is not None and sum(self.site_sizes) != self.n:
            raise ValueError(f"site_sizes sum to {sum(self.site_sizes)}, not n={self.n}")
        if self.enrol_end < self.enrol_start or self.follow_up_end < self.enrol_end:
            raise ValueError("need enrol_start <= enrol_end <= follow_up_end")
        for name in ("p_work", "p_next_job", "p_other_activity"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name}={v} is outside 0..1")


def share_working_by(design: CohortDesign, days: float | np.ndarray) -> np.ndarray:
    """Planted share with a first paid competitive job by ``days`` after enrolment."""
    t = np.asarray(days, dtype=float)
    return design.p_work * (1.0 - 0.5 ** (t / design.ttj_median_days))


def share_retained_at(design: CohortDesign, days: float | np.ndarray) -> np.ndarray:
    """Planted share of competitive jobs still held ``days`` after they start."""
    t = np.asarray(days, dtype=float)
    return np.exp(-_LN2 * (t / design.tenure_median_days) ** design.tenure_shape)


def identifiers(prefix: str, n: int) -> pa.Array:
    """``prefix`` + 1..n zero-padded to the width of ``n`` (at least 3 digits), as Arrow text.

    Built digit by digit into one buffer (loops over blocks of 65,536 rows
    and digit positions, not over rows), so 10^7 identifiers take a fraction
    of a second.

    Examples
    --------
    >>> identifiers("P", 3).to_pylist(), identifiers("S", 1000).to_pylist()[-1]
    (['P001', 'P002', 'P003'], 'S1000')
    """
    width = max(3, len(str(n)))
    w = len(prefix) + width
    buf = np.empty((n, w), dtype=np.uint8)
    buf[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    block = 1 << 16  # rows at a time, so that each block's digits are worked out in cache
    for a in range(0, n, block):
        nums = np.arange(a + 1, min(a + block, n) + 1, dtype=np.int64)
        for k in range(width):  # over digit positions
            buf[a:a + block, len(prefix) + k] = 48 + (nums // 10 ** (width - 1 - k)) % 10
    big = (n + 1) * w >= 2**31 - 1
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int64 if big else np.int32)
    kind = pa.LargeStringArray if big else pa.StringArray
    return kind.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf.reshape(-1)))


JOB_TYPE_CODES = ("competitive", "sheltered", "volunteer", "work_trial")
"""Job types as :class:`CohortArrays` codes them (index = code)."""


@dataclass(frozen=True)
class CohortArrays:
    """One drawn cohort as plain numpy arrays (what :func:`draw_cohort` returns).

    Attributes
    ----------
    site_idx : numpy.ndarray of int
        Index into ``design.sites`` of each participant's site.
    enrolment : numpy.ndarray of datetime64[D]
        Enrolment dates, sorted (participant ``i`` is the ``i``-th to enrol).
    follow_up_end : numpy.datetime64
        The same administrative end of follow-up for everyone.
    owner : numpy.ndarray of int
        Index of the participant holding each spell; spells are sorted by
        participant, then start date.
    start, end : numpy.ndarray of datetime64[D]
        First and last day of each spell (``end`` may lie after follow-up end:
        the spell is then still running, see ``censored``).
    job_type : numpy.ndarray of int8
        Index into :data:`JOB_TYPE_CODES`.
    paid : numpy.ndarray of bool
    hours : numpy.ndarray of float
    censored : numpy.ndarray of bool
        Still running after follow-up end (``end`` later than ``follow_up_end``;
        written with a blank end date). A spell whose last day is the last day
        of follow-up ended within it, as :func:`ipsresearch.outcomes.spell_durations`
        counts it.
    """

    site_idx: np.ndarray
    enrolment: np.ndarray
    follow_up_end: np.datetime64
    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray
    job_type: np.ndarray
    paid: np.ndarray
    hours: np.ndarray
    censored: np.ndarray


BLOCK = 1 << 16
"""Participants per block of :func:`draw_cohort`: a cohort larger than this is drawn block
by block, each block's arrays small enough to stay in the processor's cache."""


def draw_cohort(design: CohortDesign, *, seed: int | np.random.Generator) -> CohortArrays:
    """Draw one cohort from ``design`` as numpy arrays (no Python loop per participant).

    :func:`simulate_cohort` turns the arrays into the two tables; the scale
    generator (:mod:`ipsresearch.synthetic.scale`) writes them to Parquet and CSV.

    Sites and enrolment dates are drawn for everyone at once; the jobs of a
    cohort of more than :data:`BLOCK` participants are then drawn block by
    block of 65,536 participants (the same model; a different but equally
    reproducible stream of random numbers than one pass would use), so that
    drawing 10^7 participants costs ten times what 10^6 does.
    """
    rng = np.random.default_rng(seed)
    n = design.n
    day0 = np.datetime64(design.enrol_start, "D")
    span = (design.enrol_end - design.enrol_start).days
    end = np.datetime64(design.follow_up_end, "D")

    if design.site_sizes is not None:
        site_idx = rng.permutation(np.repeat(np.arange(len(design.sites)), design.site_sizes))
    else:
        w = np.asarray(design.site_weights or [1.0] * len(design.sites), dtype=float)
        site_idx = _weighted_choice(rng, w, n)
    # ids follow enrolment order, as a programme register would: sorted by counting the
    # days (the same as np.sort, in linear time)
    days = rng.integers(0, span + 1, size=n)
    enrol = day0 + np.repeat(np.arange(span + 1), np.bincount(days, minlength=span + 1)
                             ).astype("timedelta64[D]")
    del days
    if n <= BLOCK:
        spells = _draw_spells(design, rng, enrol, end, 0)
    else:
        blocks = [_draw_spells(design, rng, enrol[a:a + BLOCK], end, a) for a in range(0, n, BLOCK)]
        spells = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
    return CohortArrays(site_idx=site_idx, enrolment=enrol, follow_up_end=end,
                        censored=spells["end"] > end, **spells)


def _weighted_choice(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``rng.choice(len(weights), size=n, p=weights / weights.sum())``: the same draws and
    the same result, in time that does not grow with the number of sites.

    numpy draws ``n`` uniforms and binary-searches each in the cumulative
    weights (``side="right"``), a search as deep as the log of the number of
    sites; here a guide table gives each uniform a first candidate at or
    below its answer, and the candidates step forward (once or twice on
    average) until they reach it.
    """
    p = weights / weights.sum()
    cdf = p.cumsum()
    cdf /= cdf[-1]
    u = rng.random(n)
    k = cdf.size
    # guide[b] <= the answer for every u with floor(u * k) == b (a margin absorbs rounding)
    guide = np.searchsorted(cdf, (np.arange(k + 1) - 1e-6) / k, side="right")
    idx = guide[np.minimum((u * k).astype(np.int64), k)]
    todo = np.flatnonzero(cdf[np.minimum(idx, k - 1)] <= u)
    while todo.size:  # step forward: the answer is the first cdf value above u
        idx[todo] += 1
        todo = todo[(idx[todo] < k - 1) & (cdf[np.minimum(idx[todo], k - 1)] <= u[todo])]
    return idx


def _draw_spells(design: CohortDesign, rng: np.random.Generator, enrol: np.ndarray,
                 end: np.datetime64, offset: int) -> dict[str, np.ndarray]:
    """Job spells of the participants ``offset``, ``offset + 1``, ... enrolled on ``enrol``,
    sorted by participant, then start."""
    n = enrol.size
    will_work = rng.random(n) < design.p_work
    ttj = np.ceil(rng.exponential(design.ttj_median_days / _LN2, size=n)).astype(np.int64)
    weib_scale = design.tenure_median_days / _LN2 ** (1.0 / design.tenure_shape)

    owner_parts, start_parts, end_parts = [], [], []
    active = will_work.copy()
    start = enrol + ttj.astype("timedelta64[D]")
    for _ in range(design.max_jobs):  # a loop over the job number, not over people
        active &= start <= end
        idx = np.flatnonzero(active)
        dur = np.ceil(weib_scale * rng.weibull(design.tenure_shape, size=idx.size)).astype(np.int64)
        s = start[idx]
        e = s + (dur - 1).astype("timedelta64[D]")
        owner_parts.append(idx)
        start_parts.append(s)
        end_parts.append(e)
        # next job for those whose job ended within follow-up and who find another
        nxt = np.zeros(n, dtype=bool)
        ended = e < end
        again = rng.random(idx.size) < design.p_next_job
        nxt[idx[ended & again]] = True
        gap = np.ceil(rng.exponential(design.gap_median_days / _LN2, size=n)).astype(np.int64) + 1
        new_start = np.full(n, end + 1)
        new_start[idx] = e + gap[idx].astype("timedelta64[D]")
        start = new_start
        active = nxt

    comp_owner = np.concatenate(owner_parts)
    comp_start = np.concatenate(start_parts)
    comp_end = np.concatenate(end_parts)
    comp_hours = rng.integers(8, 38, size=comp_owner.size).astype(float)

    # one non-competitive or unpaid activity for a share of participants
    other = np.flatnonzero(rng.random(n) < design.p_other_activity)
    kind = (rng.integers(0, 3, size=other.size) + 1).astype(np.int8)  # sheltered, volunteer, work_trial
    o_paid = kind == 1
    follow_days = (end - enrol[other]).astype(np.int64)
    o_start = enrol[other] + np.floor(rng.random(other.size) * (follow_days + 1)).astype("timedelta64[D]")
    o_dur = np.ceil(rng.exponential(60.0, size=other.size)).astype(np.int64)
    o_end = o_start + (o_dur - 1).astype("timedelta64[D]")
    o_hours = np.where(kind == 1, rng.integers(10, 26, size=other.size),
                       rng.integers(2, 11, size=other.size)).astype(float)

    owner = np.concatenate([comp_owner, other])
    starts = np.concatenate([comp_start, o_start])
    # order by participant, then start: one stable sort of a combined integer key (the same
    # order as np.lexsort((starts, owner)))
    day = starts.astype(np.int64)
    lo = int(day.min()) if day.size else 0
    span = int(day.max()) - lo + 1 if day.size else 1
    order = np.argsort(owner.astype(np.int64) * span + (day - lo), kind="stable")
    return {
        "owner": owner[order] + offset, "start": starts[order],
        "end": np.concatenate([comp_end, o_end])[order],
        "job_type": np.concatenate([np.zeros(comp_owner.size, dtype=np.int8), kind])[order],
        "paid": np.concatenate([np.ones(comp_owner.size, dtype=bool), o_paid])[order],
        "hours": np.concatenate([comp_hours, o_hours])[order],
    }


def simulate_cohort(
    design: CohortDesign, *, seed: int | np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw one cohort from ``design``.

    Parameters
    ----------
    design : CohortDesign
    seed : int or numpy.random.Generator

    Returns
    -------
    participants : pandas.DataFrame
        Columns ``participant_id, site, enrolment_date, follow_up_end``.
    job_spells : pandas.DataFrame
        Columns ``spell_id, participant_id, start_date, end_date, job_type,
        paid, hours_per_week``, sorted by participant and start date;
        ``end_date`` is ``NaT`` for jobs still running at follow-up end.

    Examples
    --------
    >>> import datetime as dt
    >>> d = CohortDesign(n=200, sites=("A", "B"), enrol_start=dt.date(2015, 1, 1),
    ...                  enrol_end=dt.date(2015, 12, 31), follow_up_end=dt.date(2017, 12, 31))
    >>> participants, spells = simulate_cohort(d, seed=1)
    >>> len(participants), participants["site"].isin(["A", "B"]).all()
    (200, np.True_)
    """
    c = draw_cohort(design, seed=seed)
    n = design.n
    sites = np.asarray(design.sites, dtype=object)
    pid = identifiers("P", n)
    types = np.asarray(JOB_TYPE_CODES, dtype=object)
    participants = pd.DataFrame({
        "participant_id": pd.array(pid, dtype="string"),
        "site": pd.array(sites[c.site_idx].astype(str), dtype="string"),
        "enrolment_date": c.enrolment.astype("datetime64[ns]"),
        "follow_up_end": np.full(n, c.follow_up_end).astype("datetime64[ns]"),
    })
    spells = pd.DataFrame({
        "spell_id": pd.array(identifiers("S", c.owner.size), dtype="string"),
        "participant_id": pd.array(pid.take(pa.array(c.owner)), dtype="string"),
        "start_date": c.start.astype("datetime64[ns]"),
        "end_date": np.where(c.censored, np.datetime64("NaT"), c.end).astype("datetime64[ns]"),
        "job_type": pd.array(types[c.job_type].astype(str), dtype="string"),
        "paid": c.paid,
        "hours_per_week": c.hours,
    })
    return participants, spells

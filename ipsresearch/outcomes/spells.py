"""Job spells: days in each job, time to the first job, time in work and a timeline.

:func:`spell_durations` and :func:`job_tenure` derive days and censoring
from dates; :func:`first_job_times` and :func:`time_to_first_job` give the
days from enrolment to the first qualifying job (censored at follow-up
end); :func:`time_in_work` and :func:`in_work_at` describe each
participant's time in work; :func:`spell_timeline` lays every spell out in
days since enrolment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ipsresearch import schemas
from ipsresearch._arrays import as_list
from ipsresearch.outcomes._cohort import (
    checked_cohort,
    column_values,
    day_numbers,
    owner_rows,
    qualifying,
    spell_days,
)
from ipsresearch.outcomes.survival import SurvivalResult, kaplan_meier
from ipsresearch.validation import Column, RowCheck, Schema, check_frame, validate

__all__ = [
    "first_job_times",
    "in_work_at",
    "job_tenure",
    "spell_durations",
    "spell_timeline",
    "time_in_work",
    "time_to_first_job",
]


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
    check_frame(spells, "spells")
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
    days, ended = spell_days(typed[start].to_numpy(dtype="datetime64[D]"),
                              typed[end].to_numpy(dtype="datetime64[D]"),
                              typed[fu].to_numpy(dtype="datetime64[D]"))
    out = spells.copy()
    out["days"] = days
    out["ended"] = ended
    return out


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
        No rows (the same columns) when nobody held a qualifying job.

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
    participants, spells = checked_cohort(participants, spells, validated)
    keep = np.flatnonzero(qualifying(spells, job_type, paid))
    if keep.size == 0:  # nobody held such a job (or there are no spells): no rows, same columns
        none = np.array([], dtype=np.int64)
        return pd.DataFrame({
            "spell_id": column_values(spells, "spell_id", none),
            "participant_id": column_values(participants, "participant_id", none),
            "site": column_values(participants, "site", none),
            "job_number": none, "start_date": none.astype("datetime64[ns]"),
            "end_date": none.astype("datetime64[ns]"), "days": none, "ended": none.astype(bool)})
    pos = owner_rows(participants, spells)[keep]
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
    days, ended = spell_days(start, end, fu)
    return pd.DataFrame({
        "spell_id": column_values(spells, "spell_id", keep),
        "participant_id": column_values(participants, "participant_id", pos),
        "site": column_values(participants, "site", pos),
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
    participants, spells = checked_cohort(participants, spells, validated)
    keep = qualifying(spells, job_type, paid)
    pos = owner_rows(participants, spells)[keep]
    never = np.iinfo(np.int64).max
    first = np.full(len(participants), never, dtype=np.int64)
    np.minimum.at(first, pos, day_numbers(spells["start_date"])[keep])
    enrol = day_numbers(participants["enrolment_date"])
    fu = day_numbers(participants["follow_up_end"])
    found = (first != never) & (first <= fu)
    days = np.where(found, first, fu) - enrol
    return pd.DataFrame({"participant_id": column_values(participants, "participant_id"),
                         "site": column_values(participants, "site"),
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
        Columns to group by (one name or several): results are given per group. Here: participant columns, e.g. ``"site"``.
    job_type, paid
        Which jobs count (default: paid competitive jobs).
    quantiles : sequence of float
        Shares who found a job, for the quantile times (0.5: median days to a job).
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).
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
    participants, spells = checked_cohort(participants, spells, validated)
    keep = qualifying(spells, job_type, paid)
    pos = owner_rows(participants, spells)[keep]
    enrol = day_numbers(participants["enrolment_date"])
    end = day_numbers(participants["follow_up_end"])
    s = np.maximum(day_numbers(spells["start_date"])[keep], enrol[pos])
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
        "participant_id": column_values(participants, "participant_id"),
        "site": column_values(participants, "site"),
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
    participants, spells = checked_cohort(participants, spells, validated)
    keep = qualifying(spells, job_type, paid)
    pos = owner_rows(participants, spells)[keep]
    enrol = day_numbers(participants["enrolment_date"])
    day = enrol[pos] + int(days)
    s = day_numbers(spells["start_date"])[keep]
    e_raw = spells["end_date"].to_numpy(dtype="datetime64[D]")[keep]
    holding = (s <= day) & (np.isnat(e_raw) | (e_raw.astype(np.int64) >= day))
    working = np.bincount(pos[holding], minlength=len(participants)) > 0
    followed = day_numbers(participants["follow_up_end"]) - enrol >= days
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
    participants, spells = checked_cohort(participants, spells, validated)
    keep = np.flatnonzero(qualifying(spells, job_type, paid))
    pos = owner_rows(participants, spells)[keep]
    enrol = day_numbers(participants["enrolment_date"])
    fu = day_numbers(participants["follow_up_end"])
    firsts = first_job_times(participants, spells, validated=True)
    lanes = pd.DataFrame({"participant_id": column_values(participants, "participant_id"),
                          "site": column_values(participants, "site"),
                          "follow_up_days": (fu - enrol).astype(np.int64),
                          "first_job_day": np.where(firsts["found_job"], firsts["days"], np.nan)})
    e_raw = spells["end_date"].to_numpy(dtype="datetime64[D]")[keep]
    ongoing = np.isnat(e_raw) | (e_raw.astype(np.int64) > fu[pos])
    e = np.where(ongoing, fu[pos], e_raw.astype(np.int64))
    job_type_values = column_values(spells, "job_type", keep)
    paid_values = spells["paid"].take(keep).to_numpy(dtype=bool)
    spell_rows = pd.DataFrame({
        "participant_id": column_values(participants, "participant_id", pos),
        "spell_id": column_values(spells, "spell_id", keep),
        "job_type": job_type_values,
        "paid": paid_values,
        "competitive": (job_type_values == "competitive") & paid_values,
        "start_day": (day_numbers(spells["start_date"])[keep] - enrol[pos]).astype(float),
        "end_day": (e - enrol[pos]).astype(float),
        "ongoing": ongoing,
    })
    out = lanes.merge(spell_rows, on="participant_id", how="left")
    out["ongoing"] = out["ongoing"].fillna(False).astype(bool)
    out = out.assign(_never=out["first_job_day"].isna())
    out = out.sort_values(["site", "_never", "first_job_day", "participant_id", "start_day"],
                          kind="stable").drop(columns="_never")
    return out.reset_index(drop=True)

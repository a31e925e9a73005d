"""Staying in work: job tenure and retention, source 001's cited figure and published benchmarks.

Source 001 (line 31) says that only about 40 per cent of people who gain
work through IPS stay in work over time. The paper is a meta-ethnography of
qualitative studies: the figure is not its own result but one it cites (its
reference 5, Reme et al. 2019, line 196), and it does not say what "staying
in work" means or over how long.

This module fixes a definition (:data:`STAY_IN_WORK_DAYS`,
:func:`stay_in_work`) and recomputes the share from the job spells of the
Irish pilot's synthetic cohort (source 000; see
:mod:`ipsresearch.synthetic.irish_pilot`), whose generator plants a job
tenure under which 40 % of jobs are still held a year after they start. A
pass therefore shows that the definition and the code recover the planted
value from records; it is not evidence about the Irish pilot, whose job
records are not published.

It also ships :data:`BENCHMARKS`, published employment outcomes of IPS trials
that a trainer can set the pilot beside (:func:`benchmark_comparison`), each
with its source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipsresearch import datasets, outcomes, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.sources import SOURCES
from ipsresearch.studies import irish_pilot
from ipsresearch.validation import validate

__all__ = ["BENCHMARKS", "CLAIMS", "STAY_IN_WORK_DAYS", "benchmark_comparison", "load",
           "stay_in_work"]

SOURCE = SOURCES["moen2021"].file
REPORT = "05-job-retention"

STAY_IN_WORK_DAYS = 365
"""Our definition of "staying in work over time": still in one's first paid
competitive job this many days after it started."""

BENCHMARKS = datasets.EXTRACTED["employment_benchmarks"]
"""Published employment outcomes (load with ``datasets.load("employment_benchmarks")``)."""

load = irish_pilot.load
"""The claims are recomputed from the pilot's participants and job spells
(``data_synthetic/irish_pilot/`` or a user's directory with the same files)."""


def stay_in_work(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    days: int = STAY_IN_WORK_DAYS,
    by: str | None = None,
    confidence: float = 0.95,
    ci_transform: str = "log-log",
    validated: bool = False,
) -> pd.DataFrame:
    """Share of people who gained a paid competitive job still in it ``days`` later.

    The definition of "staying in work over time" used for source 001's cited
    figure: among participants with at least one paid competitive job, the
    Kaplan-Meier share whose *first* such job was still running ``days``
    days after it started. A first job still running at follow-up end is
    censored there, so people enrolled late are not counted as having left.

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :func:`ipsresearch.outcomes.ever_employed`.
    days : int
        Horizon in days (default one year).
    by : str, optional
        Participant column to group by (e.g. ``"site"``).
    confidence : float
    ci_transform : {"log-log", "log", "plain"}
    validated : bool

    Returns
    -------
    pandas.DataFrame
        As :func:`ipsresearch.outcomes.retention`, one row (per group).

    Examples
    --------
    >>> pilot = load()
    >>> r = stay_in_work(pilot.participants, pilot.spells, validated=True)
    >>> int(r["n"].iloc[0])  # the 33 people with a paid competitive job
    33
    """
    first = outcomes.job_tenure(participants, spells, first_only=True, validated=validated)
    return outcomes.retention(first, horizons=(days,), by=by, confidence=confidence,
                              ci_transform=ci_transform)


def benchmark_comparison(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    benchmarks: pd.DataFrame | None = None,
    validated: bool = False,
) -> pd.DataFrame:
    """Published benchmarks beside the same measures counted from a programme's records.

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        The programme's records.
    benchmarks : pandas.DataFrame, optional
        Rows as :data:`ipsresearch.schemas.EMPLOYMENT_BENCHMARKS` (default:
        the shipped table).
    validated : bool

    Returns
    -------
    pandas.DataFrame
        The benchmark columns ``benchmark_id, measure, arm, value, unit,
        follow_up, source, locator``, then ``programme`` (the programme's
        value in the same unit; ``NaN`` beside control arms, since an IPS
        programme is compared with IPS arms), ``programme_n`` (its
        denominator) and ``programme_definition`` (the function that counts it).

    Notes
    -----
    The measures, each computed by a public function:

    * ``ever_employed``: :func:`ipsresearch.outcomes.placement_rate` of
      :func:`~ipsresearch.outcomes.ever_employed`, in percent;
    * ``in_work_at_12_months``: share in a paid competitive job 365 days after
      enrolment, among those followed that long
      (:func:`~ipsresearch.outcomes.in_work_at`);
    * ``weeks_per_year_after_first_job``: among those who worked, the mean of
      days in work / days from the first job's start to follow-up end
      (:func:`~ipsresearch.outcomes.time_in_work`), times 365.25 / 7;
    * ``stay_in_work``: :func:`stay_in_work`, in percent.

    Follow-up differs between sources (the pilot followed people for one to
    almost three years), so the comparison is a teaching aid, not a test.

    Examples
    --------
    >>> pilot = load()
    >>> t = benchmark_comparison(pilot.participants, pilot.spells, validated=True)
    >>> t.loc[t["measure"] == "ever_employed", "programme"].round(1).tolist()
    [50.8, nan]
    """
    if not validated:
        participants = validate(participants, schemas.PARTICIPANTS, source="participants")
        spells = validate(spells, schemas.JOB_SPELLS, source="job_spells")
        schemas.check_cohort(participants, spells)
    bench = datasets.load("employment_benchmarks") if benchmarks is None else \
        validate(benchmarks, schemas.EMPLOYMENT_BENCHMARKS, source="benchmarks")

    employed = outcomes.ever_employed(participants, spells, validated=True)
    rate = outcomes.placement_rate(employed, outcome="employed")
    at12 = outcomes.in_work_at(participants, spells, days=365, validated=True)
    worked = outcomes.time_in_work(participants, spells, validated=True)
    worked = worked[worked["days_after_first_job"] > 0]
    # no one with a paid competitive job: the share staying in work is not counted (NaN, n 0)
    stay = stay_in_work(participants, spells, validated=True) if employed["employed"].any() else None
    measures = {
        "ever_employed": (100 * float(rate["rate"].iloc[0]), int(rate["n"].iloc[0]),
                          "placement_rate(ever_employed(...), outcome='employed')"),
        "in_work_at_12_months": (100 * float(at12["in_work"].mean()) if len(at12) else np.nan,
                                 len(at12), "in_work_at(..., days=365)"),
        "weeks_per_year_after_first_job": (
            float(worked["share_after_first_job"].mean()) * 365.25 / 7 if len(worked) else np.nan,
            len(worked), "time_in_work(...).share_after_first_job, mean x 365.25 / 7"),
        "stay_in_work": (100 * float(stay["survival"].iloc[0]) if stay is not None else np.nan,
                         int(stay["n"].iloc[0]) if stay is not None else 0,
                         f"stay_in_work(..., days={STAY_IN_WORK_DAYS})"),
    }
    out = bench[["benchmark_id", "measure", "arm", "value", "unit", "follow_up", "source",
                 "locator"]].copy()
    ips = (out["arm"] == "IPS").to_numpy()
    value, n, how = zip(*(measures[m] for m in out["measure"]), strict=True)
    out["programme"] = np.where(ips, np.asarray(value, dtype=float), np.nan)
    out["programme_n"] = pd.array([k if i else pd.NA for k, i in zip(n, ips, strict=True)],
                                  dtype="Int64")
    out["programme_definition"] = list(how)
    return out


# ---------------------------------------------------------------- claims


def _claims() -> list[Claim]:
    return [
        Claim(
            "job_retention.stay_in_work", SOURCE, 31,
            "share of those gaining work through IPS who stay in work over time (as cited)", 40,
            None, basis="cited", report=REPORT, unit="percent", lines=(196,),
            printed="about 40 per cent",
            reference="reference 5 (line 196): Reme SE, Monstad K, Fyhn T et al., Scand J Work "
                      "Environ Health 2019",
            note=("a figure the meta-ethnography takes from a Norwegian trial, not its own data; the "
                  "paper does not say what staying in work means or for how long. The package does "
                  "not hold that trial's records, so the figure is not checked. The report computes "
                  f"stay_in_work (first job still held {STAY_IN_WORK_DAYS} days after it started) on "
                  "the pilot's synthetic job spells only to illustrate the measure: those spells "
                  "were generated with a tenure that gives about 40 per cent, so the result is no "
                  "evidence for the figure."),
        ),
    ]


CLAIMS = ClaimSet(key="job_retention", title="Staying in work (source 001, cited figure)",
                  load=load, claims=_claims)

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

The functions live in three modules, one per concern, and are used from
here (``from ipsresearch import outcomes; outcomes.placement_rate(...)``):

* :mod:`~ipsresearch.outcomes.cohort`: ``describe_cohort`` (people, sites, period, jobs),
  ``largest_groups`` and ``sample_participants`` (registers with many sites and people);
* :mod:`~ipsresearch.outcomes.rates`: ``ever_employed``, ``placement_rate``;
* :mod:`~ipsresearch.outcomes.survival`: ``kaplan_meier``, ``retention``,
  ``logrank``, ``survival_interval``, ``SurvivalResult``, and
  ``restricted_mean``, ``rmst_difference``, ``nelson_aalen``, ``logrank_counts``;
* :mod:`~ipsresearch.outcomes.regression`: ``cox_regression`` (hazard ratios);
* :mod:`~ipsresearch.outcomes.spells`: days, tenure and time in work from
  dates, time to the first job, the spell timeline.

``rates`` and ``spells`` both start from participants joined to their job
spells; that join and its checks live in the private ``outcomes._cohort``.
"""

from __future__ import annotations

from ipsresearch.outcomes.cohort import (
    CohortDescription,
    describe_cohort,
    largest_groups,
    sample_participants,
)
from ipsresearch.outcomes.rates import CI_METHODS, ever_employed, placement_rate
from ipsresearch.outcomes.regression import CoxResult, cox_regression
from ipsresearch.outcomes.spells import (
    first_job_times,
    in_work_at,
    job_tenure,
    spell_durations,
    spell_timeline,
    time_in_work,
    time_to_first_job,
)
from ipsresearch.outcomes.survival import (
    CI_TRANSFORMS,
    QUANTILE_TOLERANCE,
    SurvivalResult,
    kaplan_meier,
    logrank,
    logrank_counts,
    nelson_aalen,
    restricted_mean,
    retention,
    rmst_difference,
    survival_interval,
)

__all__ = [
    "CI_METHODS",
    "CI_TRANSFORMS",
    "CohortDescription",
    "CoxResult",
    "QUANTILE_TOLERANCE",
    "SurvivalResult",
    "cox_regression",
    "describe_cohort",
    "ever_employed",
    "first_job_times",
    "in_work_at",
    "job_tenure",
    "kaplan_meier",
    "largest_groups",
    "logrank",
    "logrank_counts",
    "nelson_aalen",
    "placement_rate",
    "restricted_mean",
    "retention",
    "rmst_difference",
    "sample_participants",
    "spell_durations",
    "spell_timeline",
    "survival_interval",
    "time_in_work",
    "time_to_first_job",
]

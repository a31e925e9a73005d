"""Synthetic records for source 000: the Irish IPS pilot and its focus-group study.

Published facts (source 000) that the records must reproduce:

* line 15: the pilot ran 2015 to 2017 at four sites with 65 participants,
  33 of whom obtained at least one paid competitive job.
* line 39: 24 employment specialists (ES) were in post, 17 took part in two
  focus groups; 11 of 17 occupational therapy (OT) managers took part in one
  further group; the groups lasted 53 to 75 minutes.
* line 33: three focus groups, moderated by two researchers (NL one ES group;
  DS the other ES group and the OT managers' group).

Assumptions (not published; chosen to be plausible and written down here):

* Site names are placeholders ``Site A`` to ``Site D`` with 18, 17, 16 and 14
  participants.
* Enrolment is uniform between 2015-03-01 and 2016-12-31; follow-up ends for
  everyone at the end of the project, 2017-12-31.
* Job model (see :mod:`ipsresearch.synthetic.cohort`): 55 % would ever work,
  median 120 days to the first job (IPS's rapid job search), Weibull job
  tenure with shape 0.8 and median 257 days, so that 40 % of jobs are still
  held a year after they start; 35 % find a further job after one ends;
  30 % also have a sheltered, volunteer or unpaid trial activity.
* The cohort is drawn from that model *conditioned on* the published count:
  draws are repeated (same seeded generator) until exactly 33 participants
  have a paid competitive job within follow-up. The count is a constraint;
  everything else is random.
* The 17 taking part are split 9 and 8 between the two ES groups. The three
  group durations are 53, 64 and 75 minutes: the published minimum and
  maximum, and an assumed middle value.
* Respondent codes follow the paper's labels: ``R1`` to ``R17`` for ES who
  took part and ``R1`` to ``R11`` for OT managers who took part.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from ipsresearch import schemas
from ipsresearch.sources import SOURCES
from ipsresearch.synthetic import SyntheticTable
from ipsresearch.synthetic.cohort import CohortDesign, simulate_cohort

SOURCE = SOURCES["irish_pilot"].file

SEED = 20150301
"""Seed of the pilot cohort (documented in ``datapackage.json``)."""

ROSTER_SEED = 39
"""Seed of the focus-group roster."""

PLACED = 33
"""Constraint from source 000 line 15 (used only by the generator, never by a claim)."""

DESIGN = CohortDesign(
    n=65,
    sites=("Site A", "Site B", "Site C", "Site D"),
    site_sizes=(18, 17, 16, 14),
    enrol_start=dt.date(2015, 3, 1),
    enrol_end=dt.date(2016, 12, 31),
    follow_up_end=dt.date(2017, 12, 31),
)

MAX_DRAWS = 10_000


def _placed_count(participants: pd.DataFrame, spells: pd.DataFrame) -> int:
    comp = spells[(spells["job_type"] == "competitive") & spells["paid"]]
    return int(comp["participant_id"].nunique())


def pilot_cohort(*, seed: int = SEED, placed: int = PLACED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participants and job spells of the pilot, conditioned on ``placed`` placements.

    Returns
    -------
    participants, job_spells : pandas.DataFrame
        As :func:`ipsresearch.synthetic.cohort.simulate_cohort`.
    """
    rng = np.random.default_rng(seed)
    for _ in range(MAX_DRAWS):
        participants, spells = simulate_cohort(DESIGN, seed=rng)
        if _placed_count(participants, spells) == placed:
            return participants, spells
    raise RuntimeError(f"no draw with {placed} placements in {MAX_DRAWS} attempts")  # pragma: no cover


def focus_group_roster(*, seed: int = ROSTER_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Roster of everyone eligible for the focus groups, and the groups themselves.

    Returns
    -------
    roster : pandas.DataFrame
        One row per eligible person: ``person_id, role, eligible, invited,
        took_part, group_id, respondent_code``.
    groups : pandas.DataFrame
        One row per focus group: ``group_id, role, moderator, duration_min, setting``.
    """
    rng = np.random.default_rng(seed)
    rows = []
    specs = [("employment_specialist", "ES", 24, 17, ["FG1"] * 9 + ["FG2"] * 8),
             ("ot_manager", "OT", 17, 11, ["FG3"] * 11)]
    for role, prefix, eligible, took_part, groups in specs:
        attended = np.zeros(eligible, dtype=bool)
        attended[rng.choice(eligible, size=took_part, replace=False)] = True
        order = rng.permutation(took_part)
        k = 0
        for i in range(eligible):
            row = {"person_id": f"IE-{prefix}{i + 1:02d}", "role": role, "eligible": True,
                   "invited": True, "took_part": bool(attended[i]), "group_id": None,
                   "respondent_code": None}
            if attended[i]:
                row["group_id"] = groups[order[k]]
                row["respondent_code"] = f"R{order[k] + 1}"
                k += 1
            rows.append(row)
    roster = pd.DataFrame(rows).reindex(columns=schemas.ROSTER.names)  # site, gender, age unpublished
    groups = pd.DataFrame({
        "group_id": ["FG1", "FG2", "FG3"],
        "role": ["employment_specialist", "employment_specialist", "ot_manager"],
        "moderator": ["NL", "DS", "DS"],
        "duration_min": [64, 75, 53],
        "setting": ["community of practice event", "community of practice event",
                    "weekly managers' meeting"],
        "kind": "focus_group",
        "date": pd.NaT,  # not published
    })
    return roster, groups


def tables() -> list[SyntheticTable]:
    """The tables this module writes to ``data_synthetic/irish_pilot/``."""
    cohort = functools.cache(pilot_cohort)
    roster = functools.cache(focus_group_roster)
    gen = "ipsresearch.synthetic.irish_pilot."
    return [
        SyntheticTable("irish_pilot/participants.csv", schemas.PARTICIPANTS,
                       lambda: cohort()[0], gen + "pilot_cohort", SEED, SOURCE,
                       "Participants of the Irish IPS pilot, 2015-2017"),
        SyntheticTable("irish_pilot/job_spells.csv", schemas.JOB_SPELLS,
                       lambda: cohort()[1], gen + "pilot_cohort", SEED, SOURCE,
                       "Job spells of the pilot's participants"),
        SyntheticTable("irish_pilot/focus_group_roster.csv", schemas.ROSTER,
                       lambda: roster()[0], gen + "focus_group_roster", ROSTER_SEED, SOURCE,
                       "Employment specialists and OT managers eligible for the focus groups"),
        SyntheticTable("irish_pilot/focus_groups.csv", schemas.FOCUS_GROUPS,
                       lambda: roster()[1], gen + "focus_group_roster", ROSTER_SEED, SOURCE,
                       "The three focus groups of the implementation study"),
    ]

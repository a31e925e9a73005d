"""Schemas of every table the package reads, declared once.

Loaders (:func:`ipsresearch.validation.read_csv`), the public analysis
functions and ``datapackage.json`` all use these declarations, so a user's
CSV export is held to exactly the rules the shipped synthetic data follows.

Each schema's columns are documented in the README's data dictionary, which
is generated from these objects (:func:`ipsresearch.validation.describe_schema`).
"""

from __future__ import annotations

import pandas as pd

from ipsresearch.validation import (
    Column,
    InputError,
    Problem,
    RowCheck,
    Schema,
    check_references,
)

__all__ = [
    "FOCUS_GROUPS",
    "JOB_SPELLS",
    "JOB_TYPES",
    "PARTICIPANTS",
    "ROLES",
    "ROSTER",
    "SCHEMAS",
    "check_cohort",
]

JOB_TYPES = ("competitive", "sheltered", "volunteer", "work_trial", "other")
"""Kinds of work activity. Only ``competitive`` jobs count towards IPS outcomes;
the others are recorded so that the outcome definition is visible."""


def _date(v) -> str:
    return "blank" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


PARTICIPANTS = Schema(
    "participants",
    [
        Column("participant_id", "str", unique=True, description="Identifier of the person"),
        Column("site", "str", description="Programme site the person enrolled at"),
        Column("enrolment_date", "date", description="Date the person enrolled in IPS"),
        Column("follow_up_end", "date",
               description="Last date the person's employment is known (end of follow-up)"),
    ],
    key=("participant_id",),
    checks=[
        RowCheck(
            ("enrolment_date", "follow_up_end"),
            lambda d: (d["follow_up_end"] < d["enrolment_date"]).to_numpy(),
            lambda r: (f"follow-up ends {_date(r['follow_up_end'])}, before enrolment "
                       f"on {_date(r['enrolment_date'])}"),
            "follow_up_end",
            "a follow-up end on or after the enrolment date",
        )
    ],
    description="One row per IPS participant.",
)

JOB_SPELLS = Schema(
    "job_spells",
    [
        Column("spell_id", "str", unique=True, description="Identifier of the job spell"),
        Column("participant_id", "str", description="Person holding the job (participants.participant_id)"),
        Column("start_date", "date", description="First day in the job"),
        Column("end_date", "date", nullable=True,
               description="Last day in the job; blank if still running at follow-up end"),
        Column("job_type", "str", allowed=JOB_TYPES, description="Kind of work activity"),
        Column("paid", "bool", description="Whether the work was paid"),
        Column("hours_per_week", "float", min=0, max=80, nullable=True, required=False,
               description="Usual weekly hours"),
    ],
    key=("spell_id",),
    checks=[
        RowCheck(
            ("start_date", "end_date"),
            lambda d: (d["end_date"].notna() & (d["end_date"] < d["start_date"])).to_numpy(),
            lambda r: (f"spell {r['spell_id']} ends {_date(r['end_date'])}, before it starts "
                       f"on {_date(r['start_date'])}"),
            "end_date",
            "an end date on or after the start date, or blank for a job still running",
        )
    ],
    description="One row per job or other work activity of a participant.",
)

ROLES = (
    "employment_specialist",
    "ot_manager",
    "supervisor",
    "outside_expert",
    "site_leader",
    "project_manager",
    "frontline_worker",
)
"""Roles of people in the qualitative studies' samples."""

ROSTER = Schema(
    "roster",
    [
        Column("person_id", "str", unique=True, description="Identifier of the person"),
        Column("role", "str", allowed=ROLES, description="Role in the IPS programme"),
        Column("eligible", "bool", description="Met the study's inclusion criteria"),
        Column("invited", "bool", description="Was invited to take part"),
        Column("took_part", "bool", description="Took part in a focus group or interview"),
        Column("group_id", "str", nullable=True,
               description="Focus group or interview attended; blank if none"),
        Column("respondent_code", "str", nullable=True,
               description="Code identifying the person in the paper's quotations"),
    ],
    key=("person_id",),
    checks=[
        RowCheck(
            ("took_part", "group_id"),
            lambda d: (d["took_part"] & d["group_id"].isna()).to_numpy(dtype=bool),
            lambda r: f"{r['person_id']} took part but has no group_id",
            "group_id",
            "the group or interview of everyone who took part",
        ),
        RowCheck(
            ("took_part", "invited"),
            lambda d: (d["took_part"] & ~d["invited"]).to_numpy(dtype=bool),
            lambda r: f"{r['person_id']} took part without being invited",
            "took_part",
            "took_part only for invited people",
        ),
    ],
    description="One row per person eligible for a qualitative study.",
)

FOCUS_GROUPS = Schema(
    "focus_groups",
    [
        Column("group_id", "str", unique=True, description="Identifier of the group or interview"),
        Column("role", "str", allowed=ROLES, description="Role of the people in the group"),
        Column("moderator", "str", description="Initials of the moderator"),
        Column("duration_min", "float", min=1, max=600, description="Length in minutes"),
        Column("setting", "str", required=False, nullable=True, description="Where it took place"),
    ],
    key=("group_id",),
    description="One row per focus group or interview session.",
)

SCHEMAS: dict[str, Schema] = {s.name: s for s in (PARTICIPANTS, JOB_SPELLS, ROSTER, FOCUS_GROUPS)}
"""Every schema by table name."""


def check_cohort(
    participants: pd.DataFrame,
    spells: pd.DataFrame,
    *,
    participants_source: str = "participants",
    spells_source: str = "job_spells",
) -> None:
    """Check job spells against their participants.

    Both tables must already be validated against :data:`PARTICIPANTS` and
    :data:`JOB_SPELLS`. A spell must belong to a known participant, must not
    start before that person's enrolment and must not start after the end of
    their follow-up.

    Raises
    ------
    InputError
        Listing every spell that breaks one of these rules.
    """
    problems: list[Problem] = check_references(
        spells, participants, key="participant_id",
        child_source=spells_source, parent_source=participants_source)
    info = participants.set_index("participant_id")[["enrolment_date", "follow_up_end"]]
    joined = spells[["spell_id", "participant_id", "start_date"]].join(info, on="participant_id")
    early = (joined["start_date"] < joined["enrolment_date"]).fillna(False).to_numpy()
    late = (joined["start_date"] > joined["follow_up_end"]).fillna(False).to_numpy()
    for i in early.nonzero()[0][:25]:
        r = joined.iloc[i]
        problems.append(Problem(
            spells_source, int(i) + 2, "start_date",
            f"spell {r['spell_id']} starts {_date(r['start_date'])}, before participant "
            f"{r['participant_id']} enrolled on {_date(r['enrolment_date'])}",
            "a start date on or after the participant's enrolment date"))
    for i in late.nonzero()[0][:25]:
        r = joined.iloc[i]
        problems.append(Problem(
            spells_source, int(i) + 2, "start_date",
            f"spell {r['spell_id']} starts {_date(r['start_date'])}, after follow-up of "
            f"participant {r['participant_id']} ended on {_date(r['follow_up_end'])}",
            "a start date within the participant's follow-up"))
    if problems:
        raise InputError(problems, source=spells_source)

"""Schemas of every table the package reads, declared once.

Loaders (:func:`ipsresearch.validation.read_csv`), the public analysis
functions and ``datapackage.json`` all use these declarations, so a user's
CSV export is held to exactly the rules the shipped synthetic data follows.

Each schema's columns are documented in the README's data dictionary, which
is generated from these objects (:func:`ipsresearch.validation.describe_schema`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipsresearch.validation import (
    Column,
    InputError,
    Problem,
    RowCheck,
    Schema,
    check_references,
    row_positions,
    row_problems,
    source_rows,
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
    "spell_order_check",
    "BENCHMARK_MEASURES",
    "EMPLOYMENT_BENCHMARKS",
    "FIDELITY_RATINGS",
    "FIDELITY_RATINGS_WIDE",
    "FIDELITY_REVIEWS",
    "IPS25_ITEM_CODES",
    "PROPORTIONS",
    "TRIAL_ARMS",
    "effects_schema",
    "means_schema",
    "proportions_schema",
    "trial_arms_schema",
    "ATTRIBUTIONS",
    "CASES",
    "CODINGS",
    "DOCUMENTS",
    "METAPHOR_CITATIONS",
    "SEGMENTS",
    "THEMES",
    "BONFILS2017_FRAMEWORK",
    "BONFILS2017_PAPERS",
    "MOEN2021_REFERENCES",
    "MOEN2021_STUDIES",
    "SCREENING_LOG",
    "SCREENING_STAGES",
    "IPS_RCTS",
    "IPS_RCT_STATISTICS",
    "IPS_REVIEWS",
    "RCT_ANALYSIS_SETS",
    "RCT_CONFIDENCE",
    "RCT_COUNT_BASES",
    "RCT_CONTROL_CATEGORIES",
    "RCT_OUTCOME_CATEGORIES",
    "RCT_REGIONS",
    "RCT_STATISTICS",
]

# ----------------------------- participants, job spells and employment outcomes

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


def spell_order_check(*, start: str = "start_date", end: str = "end_date",
                      spell_id: str = "spell_id") -> RowCheck:
    """Row check: a job spell must not end before it starts (a blank end: still running)."""
    return RowCheck(
        (start, end),
        lambda d: (d[end].notna() & (d[end] < d[start])).to_numpy(),
        lambda r: f"spell {r[spell_id]} ends {_date(r[end])}, before it starts on {_date(r[start])}",
        end,
        "an end date on or after the start date, or blank for a job still running",
    )


JOB_SPELLS = Schema(
    "job_spells",
    [
        Column("spell_id", "str", unique=True, description="Identifier of the job spell"),
        Column("participant_id", "str", description="Person holding the job (participants.participant_id)"),
        Column("start_date", "date", description="First day in the job"),
        Column("end_date", "date", nullable=True, open_ended=True,
               description="Last day in the job; blank (or 9999-12-31) if still running at "
                           "follow-up end"),
        Column("job_type", "str", allowed=JOB_TYPES, description="Kind of work activity"),
        Column("paid", "bool", description="Whether the work was paid"),
        Column("hours_per_week", "float", min=0, max=80, nullable=True, required=False,
               description="Usual weekly hours"),
    ],
    key=("spell_id",),
    checks=[spell_order_check()],
    description="One row per job or other work activity of a participant.",
    min_rows=0,  # a programme whose participants have had no job yet
)


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
    # join by integer positions (vectorised; a string join is slow at 10^6 spells)
    pos = row_positions(participants["participant_id"], spells["participant_id"])
    problems: list[Problem] = check_references(
        spells, participants, key="participant_id",
        child_source=spells_source, parent_source=participants_source) if (pos < 0).any() else []
    joined = spells[["spell_id", "participant_id", "start_date"]].reset_index(drop=True)
    for col in ("enrolment_date", "follow_up_end"):
        values = participants[col].to_numpy(dtype="datetime64[ns]")
        joined[col] = np.where(pos >= 0, values[np.clip(pos, 0, None)], np.datetime64("NaT"))
    early = (joined["start_date"] < joined["enrolment_date"]).fillna(False).to_numpy()
    late = (joined["start_date"] > joined["follow_up_end"]).fillna(False).to_numpy()
    rows = source_rows(spells)  # spreadsheet rows, blank rows in the file counted

    def early_message(i: int) -> str:
        r = joined.iloc[i]
        return (f"spell {r['spell_id']} starts {_date(r['start_date'])}, before participant "
                f"{r['participant_id']} enrolled on {_date(r['enrolment_date'])}")

    def late_message(i: int) -> str:
        r = joined.iloc[i]
        return (f"spell {r['spell_id']} starts {_date(r['start_date'])}, after follow-up of "
                f"participant {r['participant_id']} ended on {_date(r['follow_up_end'])}")

    problems += row_problems(early, early_message, source=spells_source, rows=rows,
                             column="start_date",
                             allowed="a start date on or after the participant's enrolment date")
    problems += row_problems(late, late_message, source=spells_source, rows=rows,
                             column="start_date", allowed="a start date within the participant's follow-up")
    if problems:
        raise InputError(problems, source=spells_source)


BENCHMARK_MEASURES = (
    "ever_employed",
    "in_work_at_12_months",
    "weeks_per_year_after_first_job",
    "stay_in_work",
)
"""Employment measures a programme is compared on (see :mod:`ipsresearch.studies.job_retention`)."""

EMPLOYMENT_BENCHMARKS = Schema(
    "employment_benchmarks",
    [
        Column("benchmark_id", "str", unique=True, description="Identifier of the benchmark"),
        Column("measure", "str", allowed=BENCHMARK_MEASURES, description="What is measured"),
        Column("arm", "str", allowed=("IPS", "control"), description="IPS or comparison arm"),
        Column("value", "float", min=0, description="Value as published"),
        Column("unit", "str", allowed=("percent", "weeks"), description="Unit of the value"),
        Column("follow_up", "str", description="Follow-up over which it was measured"),
        Column("source", "str", description="Publication"),
        Column("locator", "str", description="DOI, or the source file that prints it"),
        Column("source_line", "int", nullable=True, min=1,
               description="Source line when the source is a source paper; blank otherwise"),
        Column("note", "str", nullable=True, description="Population and definition, in our words"),
    ],
    key=("benchmark_id",),
    description="Extracted: published employment outcomes of IPS programmes, for comparison.",
)


# -------------------------------------------------------------- IPS-25 fidelity

IPS25_ITEM_CODES: tuple[str, ...] = (
    *(f"S{i}" for i in range(1, 4)), *(f"O{i}" for i in range(1, 9)), *(f"SE{i}" for i in range(1, 15)))
"""The 25 item codes of the IPS Fidelity Scale: Staffing S1-S3, Organization O1-O8,
Services SE1-SE14 (names and sections in :data:`ipsresearch.fidelity.ITEMS`)."""

_FIDELITY_OPTIONAL = [
    Column("rater", "str", required=False, nullable=True,
           description="Who gave the ratings; each rater's ratings are scored as a separate review"),
    Column("round", "int", required=False, min=1,
           description="Evaluation round of the site (1 = first review); scored separately"),
]

FIDELITY_RATINGS = Schema(
    "fidelity_ratings",
    [
        Column("review_id", "str", description="Identifier of one fidelity review"),
        Column("item", "str", allowed=IPS25_ITEM_CODES, description="IPS-25 item code (S1-S3, O1-O8, SE1-SE14)"),
        Column("rating", "int", min=1, max=5, description="Rating of the item, 1 (lowest) to 5"),
        *_FIDELITY_OPTIONAL,
        Column("item_name", "str", required=False, nullable=True,
               description="Name of the item, for people filling in the file; ignored when scoring"),
    ],
    description=("Long layout of IPS-25 ratings: one row per review and item; each review rates "
                 "all 25 items once (per rater and round when those columns are present). "
                 "Scored by ipsresearch.fidelity.score, which checks every rule."),
)

FIDELITY_RATINGS_WIDE = Schema(
    "fidelity_ratings_wide",
    [
        Column("review_id", "str", unique=True, description="Identifier of one fidelity review"),
        *_FIDELITY_OPTIONAL,
        *(Column(code, "int", min=1, max=5, description=f"Rating of item {code}, 1 to 5")
          for code in IPS25_ITEM_CODES),
    ],
    description="Wide layout of IPS-25 ratings: one row per review, one column per item code.",
)

FIDELITY_REVIEWS = Schema(
    "fidelity_reviews",
    [
        Column("review_id", "str", unique=True, description="Identifier of the review (joins the ratings)"),
        Column("programme", "str", description="Programme or study the site belongs to"),
        Column("site", "str", description="Site, team or case reviewed"),
        Column("start_date", "date", description="Date the site started IPS services"),
        Column("round", "int", min=1, description="Evaluation round of the site (1 = first review)"),
        Column("review_date", "date", description="Date of the fidelity review visit"),
        Column("group", "str", required=False, nullable=True,
               description="Grouping the study reports for the site (e.g. robustness of sustainment)"),
    ],
    key=("review_id",),
    checks=[
        RowCheck(
            ("start_date", "review_date"),
            lambda d: (d["review_date"] < d["start_date"]).to_numpy(dtype=bool),
            lambda r: (f"review {r['review_id']} is dated {_date(r['review_date'])}, before site "
                       f"{r['site']} started on {_date(r['start_date'])}"),
            "review_date",
            "a review date on or after the site's start date",
        )
    ],
    description="One row per fidelity review: which site, which round, when.",
)


# ----------------------------------------------------- trials and meta-analysis

def _arm_check(study: str | None, events: str, n: str, arm: str) -> RowCheck:
    def message(r) -> str:
        who = f"study {r[study]}: " if study is not None and study in r.index else ""
        return f"{who}{r[events]} events among {r[n]} participants{arm}"

    return RowCheck(
        (events, n),
        lambda d: d[events] > d[n],  # cells that failed to parse are NA; the validator skips them
        message,
        events,
        f"events between 0 and the number in `{n}`",
    )


def trial_arms_schema(
    *,
    study: str | None = "study",
    events_treatment: str = "events_treatment",
    n_treatment: str = "n_treatment",
    events_control: str = "events_control",
    n_control: str = "n_control",
) -> Schema:
    """Schema of two-arm trials (one row per trial) with the caller's column names.

    :func:`ipsresearch.synthesis.meta_analysis` validates its input with this,
    so that a trial with more events than participants is reported with its
    study, row and column. ``study=None`` leaves out the study column.
    """
    cols = [Column(study, "str", unique=True, description="Trial (label used in plots)")] if study else []
    cols += [
        Column(events_treatment, "int", min=0,
               description="Participants with the outcome (e.g. a competitive job) in the IPS arm"),
        Column(n_treatment, "int", min=1, description="Participants randomised to the IPS arm"),
        Column(events_control, "int", min=0, description="Participants with the outcome in the control arm"),
        Column(n_control, "int", min=1, description="Participants randomised to the control arm"),
    ]
    return Schema(
        "trial_arms", cols, key=(study,) if study else (),
        checks=[_arm_check(study, events_treatment, n_treatment, " in the treatment arm"),
                _arm_check(study, events_control, n_control, " in the control arm")],
        description="One row per two-arm trial: events and participants in each arm.",
    )


def proportions_schema(*, study: str | None = "study", events: str = "events", n: str = "n") -> Schema:
    """Schema of single proportions (one row per study or arm) with the caller's column names."""
    cols = [Column(study, "str", unique=True, description="Study or arm (label used in plots)")] if study else []
    cols += [Column(events, "int", min=0, description="Participants with the outcome"),
             Column(n, "int", min=1, description="Participants")]
    return Schema("proportions", cols, key=(study,) if study else (),
                  checks=[_arm_check(study, events, n, "")],
                  description="One row per study or arm: participants with the outcome among all.")


def effects_schema(*, study: str | None = "study", effect: str = "effect",
                   variance: str = "variance") -> Schema:
    """Schema of precomputed effect sizes (one row per study) with the caller's column names.

    :func:`ipsresearch.synthesis.meta_analysis` with ``measure="GEN"`` validates
    its input with this: an effect on any scale and its sampling variance (> 0).
    """
    cols = [Column(study, "str", unique=True, description="Study (label used in plots)")] if study else []
    cols += [Column(effect, "float", description="Effect size on the analysis scale (e.g. a log odds ratio)"),
             Column(variance, "float", min=1e-300, description="Its sampling variance (> 0)")]
    return Schema("effects", cols, key=(study,) if study else (),
                  description="One row per study: an effect size and its sampling variance.")


def means_schema(
    *,
    study: str | None = "study",
    mean_treatment: str = "mean_treatment",
    sd_treatment: str = "sd_treatment",
    n_treatment: str = "n_treatment",
    mean_control: str = "mean_control",
    sd_control: str = "sd_control",
    n_control: str = "n_control",
) -> Schema:
    """Schema of two-arm trials with a continuous outcome (mean, SD and n per arm).

    :func:`ipsresearch.synthesis.meta_analysis` with ``measure="MD"`` or
    ``"SMD"`` validates its input with this (e.g. weeks worked, hours, earnings).
    """
    cols = [Column(study, "str", unique=True, description="Trial (label used in plots)")] if study else []
    for arm, mean, sd, n in (("IPS", mean_treatment, sd_treatment, n_treatment),
                             ("control", mean_control, sd_control, n_control)):
        cols += [Column(mean, "float", description=f"Mean outcome in the {arm} arm"),
                 Column(sd, "float", min=1e-300, description=f"Standard deviation in the {arm} arm (> 0)"),
                 Column(n, "int", min=2, description=f"Participants analysed in the {arm} arm")]
    return Schema("trial_means", cols, key=(study,) if study else (),
                  description="One row per two-arm trial: mean, SD and size of each arm.")


TRIAL_ARMS = Schema(
    "trial_arms",
    [*trial_arms_schema().columns,
     Column("fidelity", "int", min=25, max=125, required=False, nullable=True,
            description="IPS-25 fidelity total of the trial's IPS service (a moderator)"),
     Column("true_p_control", "float", min=0, max=1, required=False, nullable=True,
            description="Simulated trials only: the control arm's true chance of the outcome"),
     Column("true_risk_ratio", "float", min=0, required=False, nullable=True,
            description="Simulated trials only: the trial's true risk ratio")],
    key=("study",),
    checks=trial_arms_schema().checks,
    description="One row per two-arm trial: events and participants in each arm.",
)
"""Two-arm trials as :func:`ipsresearch.synthetic.simulate_trials` writes them."""

PROPORTIONS = proportions_schema()
"""Single proportions (events among n), one row per study or arm."""


# --------------------- qualitative studies: samples, sessions, segments, themes

ROLES = (
    "employment_specialist",
    "ot_manager",
    "supervisor",
    "outside_expert",
    "site_leader",
    "project_manager",
    "frontline_worker",
    "work_applicant",
    "social_worker",
    "clinician",
)
"""Roles of people in the qualitative studies' samples (and the actor groups of source 001)."""

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
        Column("site", "str", required=False, nullable=True,
               description="Site, team or case the person works at; blank if none"),
        Column("gender", "str", required=False, nullable=True, allowed=("female", "male"),
               description="Gender as reported; blank if not collected"),
        Column("age", "int", required=False, nullable=True, min=16, max=100,
               description="Age in years; blank if not collected"),
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
        Column("moderator", "str", nullable=True,
               description="Initials of the moderator or interviewer; blank if not reported"),
        Column("duration_min", "float", min=1, max=600, nullable=True,
               description="Length in minutes; blank if not reported"),
        Column("setting", "str", required=False, nullable=True, description="Where it took place"),
        Column("kind", "str", required=False, nullable=True,
               allowed=("focus_group", "interview", "seminar_group"),
               description="Focus group, interview (one or more people) or seminar work group"),
        Column("date", "date", required=False, nullable=True,
               description="Date it took place; blank if not reported"),
    ],
    key=("group_id",),
    description="One row per focus group or interview session.",
)

SEGMENTS = Schema(
    "coded_segments",
    [
        Column("segment_id", "str", unique=True, description="Identifier of the coded segment"),
        Column("study", "str", description="Study the segment belongs to"),
        Column("respondent", "str",
               description="Respondent code (roster respondent_code), or the role when quotations are anonymous"),
        Column("role", "str", allowed=ROLES, description="Role of the respondent"),
        Column("theme", "str", description="Theme (or key metaphor) the segment is coded to"),
        Column("sub_theme", "str", nullable=True, description="Sub-theme; blank if the theme has none"),
        Column("coder", "str", description="Initials of the person who coded the segment"),
        Column("quoted", "bool", required=False,
               description="The report prints a quotation or attribution of this segment"),
        Column("source_line", "int", required=False, nullable=True, min=1,
               description="Line of the source paper printing the attribution; blank if not quoted"),
        Column("text", "str", required=False, nullable=True,
               description="Segment text (placeholder only in the shipped synthetic data)"),
    ],
    key=("segment_id",),
    description="One row per coded segment of a qualitative study's transcripts.",
)

CODINGS = Schema(
    "codings",
    [
        Column("segment_id", "str", description="Segment coded"),
        Column("coder", "str", description="Initials of the coder"),
        Column("code", "str", description="Code (theme) the coder gave the segment"),
    ],
    key=("segment_id", "coder"),
    description="One row per segment and coder: the codes of an independently multi-coded sample.",
)

THEMES = Schema(
    "themes",
    [
        Column("study", "str", description="Study"),
        Column("theme", "str", description="Theme, approach or key metaphor (short label of our own)"),
        Column("sub_theme", "str", nullable=True, description="Sub-theme; blank if none is named"),
        Column("role", "str", required=False, nullable=True, allowed=ROLES,
               description="Actor group the theme describes (source 001's metaphors); blank otherwise"),
        Column("source_line", "int", min=1, description="Source line of the theme's (or sub-theme's) heading"),
        Column("table_line", "int", required=False, nullable=True, min=1,
               description="Source line of the row of a table listing it; blank if none"),
    ],
    key=("study", "theme", "sub_theme"),
    description="Extracted: the themes and sub-themes a paper presents, with their heading lines.",
)

ATTRIBUTIONS = Schema(
    "attributions",
    [
        Column("study", "str", description="Study"),
        Column("theme", "str", description="Theme under which the attribution is printed"),
        Column("sub_theme", "str", nullable=True, description="Sub-theme; blank if none"),
        Column("respondent", "str", nullable=True,
               description="Respondent code as printed (e.g. R2, Participant 4); blank if anonymous"),
        Column("label", "str", nullable=True, description="Role label printed with the code (e.g. OT Manager)"),
        Column("role", "str", nullable=True, allowed=ROLES,
               description="Role of the respondent in the sample's terms; blank if the text gives none"),
        Column("role_as_printed", "str", required=False, nullable=True,
               description="Role the text gives the respondent when introducing this quotation"),
        Column("role_line", "int", required=False, nullable=True, min=1,
               description="Source line stating role_as_printed"),
        Column("source_line", "int", min=1, description="Source line printing the attribution"),
        Column("position", "int", min=1, description="Order of the attribution on its line (1 = first)"),
    ],
    key=("study", "source_line", "position"),
    description="Extracted: one row per quotation or respondent label a paper prints in its findings.",
)

METAPHOR_CITATIONS = Schema(
    "metaphor_citations",
    [
        Column("role", "str", allowed=ROLES, description="Actor group"),
        Column("metaphor", "str", description="Key metaphor (short label of our own)"),
        Column("reference", "int", min=1, description="Number of the cited study in the reference list"),
        Column("first_author", "str", description="First author of the cited study"),
        Column("year", "int", min=1900, max=2100, description="Year of the cited study"),
        Column("source_line", "int", min=1, description="First source line citing it under the metaphor"),
        Column("reference_line", "int", min=1, description="Source line of the reference list entry"),
    ],
    key=("metaphor", "reference"),
    description="Extracted: the primary studies a meta-ethnography cites under each key metaphor.",
)

DOCUMENTS = Schema(
    "documents",
    [
        Column("document_id", "str", unique=True, description="Identifier of the document"),
        Column("kind", "str", allowed=("fieldnotes", "transcript", "reflection_notes"),
               description="Field notes, verbatim transcript or moderators' reflection notes"),
        Column("date", "date", description="Date of the observation or interview"),
        Column("pages", "int", min=1, description="Pages"),
        Column("group_id", "str", required=False, nullable=True,
               description="Focus group or seminar group the document records; blank if none"),
    ],
    key=("document_id",),
    description="One row per document of a qualitative study's data (notes, transcripts).",
)

CASES = Schema(
    "cases",
    [
        Column("case_id", "str", unique=True, description="Identifier of the case (implementing unit)"),
        Column("organisation", "str", allowed=("psychiatric_services", "pes_office", "employment_hub"),
               description="Where the employment specialists worked"),
        Column("robustness", "str", allowed=("more_robust", "less_robust", "mixed"),
               description="Robustness of the case's sustainment strategy"),
    ],
    key=("case_id",),
    description="One row per case of a comparative case study.",
)


# -------------------------- literature reviews: screening logs and study tables

SCREENING_STAGES = ("identified", "screened", "sought", "assessed", "included")
"""Stages of a review's screening flow, in order (PRISMA): a record is
*identified* by a search, its title and abstract are *screened* (after
duplicates are removed), its full text is *sought*, *assessed* for
eligibility, and the study is *included*. ``stage_reached`` is the last one."""

SCREENING_LOG = Schema(
    "screening_log",
    [
        Column("record_id", "str", unique=True, description="Identifier of the record"),
        Column("search", "str", description="Search that found the record, e.g. search_1"),
        Column("search_date", "date", nullable=True,
               description="Date the search was run (or the last date it covered)"),
        Column("source", "str", allowed=("database", "reference_list", "other"),
               description="Where the record was found"),
        Column("stage_reached", "str", allowed=SCREENING_STAGES,
               description="Last screening stage the record reached"),
        Column("reason", "str", nullable=True,
               description="Why the record went no further; blank for included records"),
        Column("study_id", "str", nullable=True, required=False,
               description="The included study's id in the review's table; blank otherwise"),
    ],
    key=("record_id",),
    checks=[
        RowCheck(
            ("stage_reached", "reason"),
            lambda d: ((d["stage_reached"] != "included") & d["reason"].isna()).to_numpy(dtype=bool),
            lambda r: f"record {r['record_id']} stopped at {r['stage_reached']} without a reason",
            "reason",
            "a reason for every record that was not included",
        ),
        RowCheck(
            ("stage_reached", "reason"),
            lambda d: ((d["stage_reached"] == "included") & d["reason"].notna()).to_numpy(dtype=bool),
            lambda r: f"record {r['record_id']} is included but has the reason {r['reason']!r}",
            "reason",
            "blank for included records",
        ),
        RowCheck(
            ("stage_reached", "study_id"),
            lambda d: ((d["stage_reached"] != "included") & d["study_id"].notna()).to_numpy(dtype=bool),
            lambda r: (f"record {r['record_id']} names study {r['study_id']} but stopped at "
                       f"{r['stage_reached']}"),
            "study_id",
            "a study_id only on included records",
        ),
    ],
    description="One row per record found by a review's searches, with the stage it reached.",
)

MOEN2021_METHODS = ("interview", "case_study", "survey", "ethnography")

MOEN2021_STUDIES = Schema(
    "moen2021_studies",
    [
        Column("study_id", "str", unique=True, description="Our key: first author and year"),
        Column("source_line", "int", min=1, description="Source 001 line holding the row"),
        Column("author", "str", description="Author cell as printed"),
        Column("year", "int", min=1900, max=2100, description="Year as printed"),
        Column("country", "str", description="Country as printed"),
        Column("country_code", "str", description="ISO 3166-1 alpha-2 code (parsed)"),
        Column("method", "str", description="Method cell as printed"),
        Column("method_type", "str", allowed=MOEN2021_METHODS,
               description="Kind of study (parsed from the method cell)"),
        Column("data_collection", "str", description="Data collection part of the method cell (parsed)"),
        Column("analysis", "str", nullable=True,
               description="Analysis part of the method cell (parsed); blank if none printed"),
        Column("sample", "str", description="Sample cell as printed"),
        Column("n_work_applicants", "int", min=0, description="Work applicants (WA) in the sample"),
        Column("n_employment_specialists", "int", min=0,
               description="Employment specialists (ES) in the sample"),
        Column("n_social_workers", "int", min=0, description="Social workers (SW) in the sample"),
        Column("n_clinicians", "int", min=0, description="Clinicians (C) in the sample"),
        Column("n_units", "int", min=0, description="Non-person units in the sample (kept apart)"),
        Column("aim", "str", description="Aim cell as printed"),
        Column("part_of_rct", "bool", description="Part of RCT cell as printed (Yes/No)"),
        Column("fidelity", "str", nullable=True, description="Fidelity cell as printed"),
        Column("fidelity_label", "str", nullable=True, description="Label of the fidelity cell"),
        Column("fidelity_label_bands", "str", nullable=True,
               description="IPS-25 bands the label names, ';'-separated; blank if it names none"),
        Column("fidelity_min", "int", nullable=True, min=0, max=125,
               description="Lowest score printed in the fidelity cell"),
        Column("fidelity_max", "int", nullable=True, min=0, max=125,
               description="Highest score printed in the fidelity cell"),
        Column("fidelity_bands", "str", nullable=True,
               description="IPS-25 bands spanned by fidelity_min..fidelity_max, ';'-separated"),
    ],
    key=("study_id",),
    description="Table 1 of source 001: the 17 qualitative studies of the meta-ethnography.",
)

MOEN2021_REFERENCES = Schema(
    "moen2021_references",
    [
        Column("ref_number", "int", min=1, unique=True, description="Number in the reference list"),
        Column("source_line", "int", min=1, description="Source 001 line where the reference starts"),
        Column("first_author", "str", description="First author (or body) as printed"),
        Column("year_line", "int", min=1, description="Source 001 line holding the year"),
        Column("year", "int", min=1900, max=2100, description="Year of publication as printed"),
    ],
    key=("ref_number",),
    description="Reference list of source 001: number, first author and year of each entry.",
)

BONFILS2017_DESIGNS = ("case_study", "interviews_with_observation_or_documents", "interviews",
                       "fidelity_assessment", "observation", "survey", "review", "other")

BONFILS2017_PAPERS = Schema(
    "bonfils2017_papers",
    [
        Column("paper_id", "str", unique=True, description="Our key: first author and year"),
        Column("source_line", "int", min=1, description="Source 003 line where the row starts"),
        Column("paper", "str", description="Paper cell as printed"),
        Column("year", "int", min=1900, max=2100, description="Year as printed"),
        Column("country", "str", nullable=True, description="Country as printed (blank if none)"),
        Column("country_code", "str", nullable=True, description="ISO 3166-1 alpha-2 code (parsed)"),
        Column("location_line", "int", nullable=True, min=1, description="Line where the location starts"),
        Column("location", "str", nullable=True,
               description="Study location as printed ([...] marks words left out)"),
        Column("design_line", "int", min=1, description="Line where the design cell starts"),
        Column("design", "str", description="Study design as printed ([...] marks words left out)"),
        Column("design_category", "str", allowed=BONFILS2017_DESIGNS,
               description="Design class by the documented keyword rule (parsed)"),
        Column("theory_line", "int", nullable=True, min=1, description="Line of the theory cell"),
        Column("theory", "str", nullable=True,
               description="Theoretical approach as printed ([...] marks words left out)"),
        Column("interpretation_line", "int", min=1, description="Line of the interpretation label"),
        Column("interpretation", "str", description="Nilsen category label as printed"),
        Column("process_model", "bool", description="Interpretation names a process model (parsed)"),
        Column("determinant_framework", "bool", description="... a determinant framework (parsed)"),
        Column("classic_theories", "bool", description="... classic theories (parsed)"),
        Column("implementation_theory", "bool", description="... an implementation theory (parsed)"),
        Column("evaluation_framework", "bool", description="... an evaluation framework (parsed)"),
        Column("fidelity_study", "bool", description="Interpretation mentions fidelity (parsed)"),
        Column("detail_line", "int", min=1, description="Line where the interpretation detail starts"),
        Column("interpretation_detail", "str",
               description="Detail after the label, as printed ([...] marks words left out)"),
    ],
    key=("paper_id",),
    description="Table 1 of source 003: the 21 papers on IPS implementation.",
)

BONFILS2017_FRAMEWORK = Schema(
    "bonfils2017_framework",
    [
        Column("level", "int", min=1, description="Analytical level, 1 (context) to 4 (individual)"),
        Column("level_name", "str", description="Level as named in the text"),
        Column("factor", "str", description="Category of factors at that level as printed"),
        Column("source_line", "int", min=1, description="Source 003 line naming the factor"),
        Column("findings_line", "int", min=1,
               description="Line of the Findings heading under which the level is reported"),
    ],
    key=("level", "factor"),
    description="The conceptual framework of source 003: levels and categories of factors.",
)

REFERENCE_LIST = Schema(
    "reference_list",
    [
        Column("ref_number", "int", min=1, unique=True, description="Number in the reference list"),
        Column("source_line", "int", min=1, description="Source line where the entry starts"),
        Column("first_author", "str", description="First author (or body) as printed"),
        Column("year", "int", nullable=True, min=1900, max=2100,
               description="Year of publication as printed; blank if the entry gives none"),
        Column("journal", "str", nullable=True,
               description="Journal as abbreviated in the entry; blank for books, reports and web pages"),
    ],
    key=("ref_number",),
    description="Extracted: a paper's reference list, number, first author, year and journal of each entry.",
)

PRINTED_NUMBERS = Schema(
    "printed_numbers",
    [
        Column("source", "str", description="Study key of the paper that prints the number (see sources.py)"),
        Column("name", "str", description="Our name for the number, unique within its seed"),
        Column("value", "float", description="The number"),
        Column("as_printed", "str", description="The figure or words as printed on the line"),
        Column("source_line", "int", min=1, description="Source line that prints it"),
        Column("note", "str", nullable=True,
               description="How the value follows from the words, where that is not plain"),
    ],
    key=("source", "name"),
    description=("Extracted: numbers the papers print that identity claims combine (sums, "
                 "differences, restatements), each with its line."),
)

PRINTED_LISTS = Schema(
    "printed_lists",
    [
        Column("source", "str", description="Study key of the paper that prints the list (see sources.py)"),
        Column("list", "str", description="Our name for the list, unique within its seed"),
        Column("position", "int", min=1, description="Position of the item in the list"),
        Column("item", "str", description="The item as printed (a name, a marker or a short phrase)"),
        Column("source_line", "int", min=1, description="Source line that prints the item"),
    ],
    key=("source", "list", "position"),
    description=("Extracted: the items of lists and enumerations the papers print (names, "
                 "numbered items, cited reference numbers), each with its line."),
)

# ----------------------- randomised trials of IPS: reports, statistics, reviews

RCT_REGIONS = ("USA", "Canada", "Europe", "Asia-Pacific")
"""Regions for subgroup analyses of the trials (the issue's USA / Europe / Asia-Pacific, plus Canada)."""

RCT_CONTROL_CATEGORIES = ("traditional_vocational_rehabilitation", "usual_services", "mixed")
"""Kinds of control condition: a stepwise, prevocational or brokered vocational programme; usual
services without a structured vocational programme (treatment as usual, waitlist, no support); or
both across sites."""

RCT_OUTCOME_CATEGORIES = (
    "competitive_employment_ever",
    "employment_ever_unspecified",
    "employment_or_education",
    "competitive_employment_at_followup",
    "paid_employment_ever",
    "steady_competitive_employment",
)
"""What a trial's headline employment count measures: any competitive job during follow-up; any
work during follow-up where the source does not say competitive; work or education; employment
status at the end of follow-up; any paid work; a competitive job held for a set share of follow-up."""

RCT_COUNT_BASES = ("stated", "percent_of_stated_n", "none")
"""How an arm's count was settled: printed in the source; the only whole number that a printed
percentage fits for a printed arm size; or not settled."""

RCT_CONFIDENCE = ("high", "medium", "low", "unavailable")
"""``high``: both arms' counts printed; ``medium``: both settled, at least one from a percentage;
``low``: not settled, but a complete pair of inferred counts is recorded; ``unavailable``: neither."""

RCT_ANALYSIS_SETS = ("primary", "sensitivity", "none")
"""``primary``: settled counts, severe mental illness, IPS against a non-IPS control, 'ever employed'
outcome, every figure read in a stored copy; ``sensitivity``: settled counts with a named departure
from that; ``none``: not pooled (the reason says why)."""


def _nonpooled_check(study: str = "study") -> RowCheck:
    settled = ["n_ips", "events_ips", "n_control", "events_control"]

    def bad(d: pd.DataFrame) -> pd.Series:
        return d["analysis_set"].isin(["primary", "sensitivity"]) & d[settled].isna().any(axis=1)

    return RowCheck(
        ("analysis_set", *settled), bad,
        lambda r: f"study {r[study]}: analysis set {r['analysis_set']} but an arm has no settled count",
        "analysis_set",
        "`none` unless both arms have settled counts (n_ips, events_ips, n_control, events_control)",
    )


def _pair_check(events: str, n: str, what: str) -> RowCheck:
    return RowCheck(
        (events, n),
        lambda d: d[events] > d[n],
        lambda r: f"study {r['study']}: {r[events]} {what} events among {r[n]} participants",
        events,
        f"events between 0 and the number in `{n}`",
    )


def _int(name: str, description: str, *, minimum: int = 0) -> Column:
    return Column(name, "int", nullable=True, min=minimum, description=description)


IPS_RCTS = Schema(
    "ips_rcts",
    [
        Column("study", "str", unique=True, description="First author and year of the report (label used in plots)"),
        Column("trial", "str", description="Key of the trial; reports of one trial share it and are pooled at most once"),
        Column("year", "int", nullable=True, min=1990, max=2100,
               description="Year of the report; blank where the stored copy does not show it"),
        Column("country", "str", description="Country and place of the trial"),
        Column("region", "str", allowed=RCT_REGIONS, description="Region for subgroup analyses"),
        Column("population", "str", description="Who was randomised, in our words"),
        Column("smi", "bool", description="Population defined by severe mental illness"),
        Column("intervention", "str", description="The IPS arm (and any further arm not in this row)"),
        Column("control_condition", "str", description="What the control arm received, in our words"),
        Column("control_category", "str", allowed=RCT_CONTROL_CATEGORIES, description="Kind of control condition"),
        Column("followup_months", "float", nullable=True, min=0,
               description="Follow-up over which the outcome was counted, in months"),
        Column("outcome_definition", "str", description="The counted outcome, in our words"),
        Column("outcome_category", "str", allowed=RCT_OUTCOME_CATEGORIES, description="What the count measures"),
        _int("n_total_stated", "Participants randomised in all arms, as printed", minimum=1),
        _int("n_ips_stated", "IPS arm size as printed (randomised)", minimum=1),
        _int("n_control_stated", "Control arm size as printed (randomised)", minimum=1),
        Column("pct_ips_stated", "str", nullable=True,
               description="IPS arm's percentage with the outcome, exactly as printed (its decimals set the rounding)"),
        Column("pct_control_stated", "str", nullable=True,
               description="Control arm's percentage with the outcome, exactly as printed"),
        _int("events_ips_stated", "IPS arm's count with the outcome, as printed"),
        _int("events_control_stated", "Control arm's count with the outcome, as printed"),
        _int("n_ips", "Settled IPS denominator (blank if not settled)", minimum=1),
        _int("events_ips", "Settled IPS count with the outcome (blank if not settled)"),
        _int("n_control", "Settled control denominator (blank if not settled)", minimum=1),
        _int("events_control", "Settled control count with the outcome (blank if not settled)"),
        Column("basis_ips", "str", allowed=RCT_COUNT_BASES, description="How the IPS count was settled"),
        Column("basis_control", "str", allowed=RCT_COUNT_BASES, description="How the control count was settled"),
        Column("arithmetic", "str", nullable=True,
               description="The arithmetic behind counts derived from percentages (or why none fits)"),
        _int("inferred_n_ips", "IPS denominator from an inference beyond the counting rule (what-if only)", minimum=1),
        _int("inferred_events_ips", "IPS count from that inference (what-if only)"),
        _int("inferred_n_control", "Control denominator from an inference beyond the rule (what-if only)", minimum=1),
        _int("inferred_events_control", "Control count from that inference (what-if only)"),
        Column("inference", "str", nullable=True, description="The argument behind the inferred counts"),
        Column("confidence", "str", allowed=RCT_CONFIDENCE, description="How the pair of counts was established"),
        Column("analysis_set", "str", allowed=RCT_ANALYSIS_SETS, description="Which pooled analysis the row enters"),
        Column("analysis_reason", "str", description="Why the row is in its analysis set"),
        Column("verification", "str", allowed=("verified", "partly_verified"),
               description="Whether every figure used was read in a stored copy during verification"),
        Column("source_url", "str", nullable=True,
               description="Address of the stored copy the figures were read in (blank only if the copy has none)"),
        Column("source_location", "str", description="Where in the source the figures are"),
        Column("other_sources", "str", nullable=True, description="Further addresses read, separated by ' ; '"),
        Column("discrepancy", "str", nullable=True,
               description="Figures of the source that disagree with each other or with the counts, with both values"),
        Column("notes", "str", nullable=True, description="Anything else, in our words"),
    ],
    key=("study",),
    checks=[_pair_check("events_ips", "n_ips", "IPS"),
            _pair_check("events_control", "n_control", "control"),
            _pair_check("events_ips_stated", "n_ips_stated", "printed IPS"),
            _pair_check("events_control_stated", "n_control_stated", "printed control"),
            _pair_check("inferred_events_ips", "inferred_n_ips", "inferred IPS"),
            _pair_check("inferred_events_control", "inferred_n_control", "inferred control"),
            _nonpooled_check()],
    description="Extracted: randomised trials of IPS, one row per report and comparison, with counts "
                "recorded only where a source settles them (docs/ips_rcts.md).",
)

RCT_STATISTICS = ("risk_difference", "risk_ratio", "odds_ratio", "chi_squared", "p_value",
                  "number_needed_to_treat", "effect_size", "z", "percent")
"""Kinds of statistic a trial report prints (``percent``: a further outcome or arm's rate)."""

IPS_RCT_STATISTICS = Schema(
    "ips_rct_statistics",
    [
        Column("study", "str", description="Report (ips_rcts.study)"),
        Column("trial", "str", description="Trial key (ips_rcts.trial)"),
        Column("statistic", "str", allowed=RCT_STATISTICS, description="Kind of statistic"),
        Column("arm", "str", nullable=True, description="Arm a percentage belongs to; blank for a comparison"),
        Column("outcome", "str", description="What the statistic is about, in our words"),
        Column("value_as_printed", "str", description="The figure as the source prints it"),
        Column("relation", "str", allowed=("=", "<"), description="`<` for bounds such as p < .001"),
        Column("value", "float", description="The printed value as a number (the bound for `<`)"),
        Column("ci_low", "float", nullable=True, description="Printed lower confidence limit"),
        Column("ci_high", "float", nullable=True, description="Printed upper confidence limit"),
        Column("source_url", "str", description="Address of the stored copy"),
        Column("source_location", "str", description="Where in the source"),
        Column("note", "str", nullable=True, description="Caveats, in our words"),
    ],
    key=("study", "statistic", "arm", "outcome"),
    description="Extracted: statistics the IPS trial reports print, for claims recomputed from the counts.",
)

IPS_REVIEWS = Schema(
    "ips_reviews",
    [
        Column("review", "str", unique=True, description="Review (first author and year, or topic and PMC id)"),
        Column("year", "int", nullable=True, min=1990, max=2100, description="Year, where the stored copy shows it"),
        Column("kind", "str", allowed=("meta_analysis", "meta_regression", "network_meta_analysis",
                                       "systematic_review", "pooled_analysis"), description="Kind of synthesis"),
        Column("population", "str", description="Population of the included trials"),
        _int("n_trials", "Trials (or studies) included, as printed", minimum=1),
        _int("n_participants", "Participants, as printed", minimum=1),
        Column("outcome", "str", nullable=True, description="Outcome of the pooled figure"),
        Column("statistic", "str", nullable=True, description="Kind of pooled figure"),
        Column("value_as_printed", "str", nullable=True, description="Pooled figure as printed"),
        Column("value", "float", nullable=True, description="Pooled figure as a number"),
        Column("ci_low", "float", nullable=True, description="Printed lower confidence limit"),
        Column("ci_high", "float", nullable=True, description="Printed upper confidence limit"),
        Column("included_trials", "str", nullable=True,
               description="Trial keys (ips_rcts.trial) the source shows the review includes, ' ; '-separated"),
        Column("included_trials_basis", "str", nullable=True, description="How the included trials were identified"),
        Column("source_url", "str", description="Address of the stored copy"),
        Column("source_location", "str", description="Where in the source"),
        Column("other_sources", "str", nullable=True, description="Further addresses, ' ; '-separated"),
        Column("cited_in_seed", "str", nullable=True, description="Seed file and line citing the review"),
        Column("notes", "str", nullable=True, description="Caveats, in our words"),
    ],
    key=("review",),
    description="Extracted: pooled figures of reviews of IPS trials, as their stored abstracts print them.",
)


# --------------------------------------------------------- every schema by name

SCHEMAS: dict[str, Schema] = {s.name: s for s in (
    PARTICIPANTS, JOB_SPELLS, EMPLOYMENT_BENCHMARKS,
    FIDELITY_RATINGS, FIDELITY_RATINGS_WIDE, FIDELITY_REVIEWS,
    TRIAL_ARMS, PROPORTIONS,
    ROSTER, FOCUS_GROUPS, SEGMENTS, CODINGS, THEMES, ATTRIBUTIONS, METAPHOR_CITATIONS, DOCUMENTS, CASES,
    SCREENING_LOG, MOEN2021_STUDIES, MOEN2021_REFERENCES, BONFILS2017_PAPERS, BONFILS2017_FRAMEWORK,
    REFERENCE_LIST, PRINTED_NUMBERS, PRINTED_LISTS,
    IPS_RCTS, IPS_RCT_STATISTICS, IPS_REVIEWS,
)}
"""Every table schema by table name (the tables' ``schema`` in ``datasets/catalog.csv`` and
``datapackage.json``)."""


# ------------------------------------------------------------- data dictionary

def data_dictionary(tables: list[str] | None = None) -> pd.DataFrame:
    """Every column of every table (or of ``tables``): what it holds and what is allowed.

    Generated from the schemas above, so that the documentation
    (``docs/data-dictionary.md``), the data-dictionary sheet that
    ``ipsresearch init`` writes and the checks of the readers cannot disagree.

    Returns
    -------
    pandas.DataFrame
        ``table, column, kind, required, allowed, description``, tables in
        :data:`SCHEMAS` order.

    Examples
    --------
    >>> d = data_dictionary(["participants"])
    >>> d[["column", "kind", "required"]].head(2).values.tolist()
    [['participant_id', 'str', True], ['site', 'str', True]]
    """
    from ipsresearch.validation import describe_schema

    names = list(SCHEMAS) if tables is None else list(tables)
    unknown = [n for n in names if n not in SCHEMAS]
    if unknown:
        raise ValueError(f"tables {unknown!r} not recognised; choose from {', '.join(SCHEMAS)}")
    return pd.concat([describe_schema(SCHEMAS[n]).assign(table=n) for n in names],
                     ignore_index=True)[["table", "column", "kind", "required", "allowed",
                                         "description"]]


def data_dictionary_markdown() -> str:
    """``docs/data-dictionary.md``: one section per table, generated from the schemas.

    ``tests/test_docs.py`` checks that the file in the repository is this text.
    """
    lines = ["# Data dictionary", "",
             "Generated from `ipsresearch/schemas.py` by `ipsresearch.schemas.data_dictionary_markdown()`;",
             "do not edit by hand (`python -c \"from ipsresearch import schemas; "
             "print(schemas.data_dictionary_markdown(), end='')\" > docs/data-dictionary.md`).",
             "",
             "A table may be a CSV file (commas or semicolons), a sheet of an Excel workbook, or an "
             "SPSS or Stata file named after the table (see the README). Dates are ISO "
             "(`YYYY-MM-DD`), Excel date cells, or day and month first when the data or the "
             "folder's `ipsresearch.toml` settle the order.", ""]
    kinds = {"str": "text", "int": "whole number", "float": "number", "bool": "true/false",
             "date": "date"}
    for name, schema in SCHEMAS.items():
        lines += [f"## `{name}`", "", schema.description or "", ""]
        if schema.key:
            lines += [f"Key: {', '.join(f'`{k}`' for k in schema.key)} (each combination once).", ""]
        lines += ["| column | kind | required | allowed | description |", "|---|---|---|---|---|"]
        for c in schema.columns:
            allowed = c.describe_allowed().replace("|", "\\|")
            lines.append(f"| `{c.name}` | {kinds[c.kind]} | {'yes' if c.required else 'no'} | "
                         f"{allowed} | {c.description.replace('|', chr(92) + '|')} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"

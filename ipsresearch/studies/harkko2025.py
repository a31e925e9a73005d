"""Source 004: leadership and the sustainment of IPS in five Finnish cases (Harkko et al. 2025).

Claims about the sample (37 targeted, 8 declined or unreachable, 29
interviewed by role and by setting), the interviews (dates, lengths, one
interviewer), the cases' organisation and the coding structure (three
leadership approaches, two sub-themes each, the participants quoted under
each). Recomputed from the records in ``data_synthetic/harkko2025/`` (see
:mod:`ipsresearch.synthetic.qualitative`); the themes and the quoted
participants, with the roles the text gives them, are kept with their lines
in ``harkko2025_themes.csv`` and ``harkko2025_attributions.csv``.

The number of cases, their robustness and the two fidelity rounds belong to
the fidelity claims (issue 4) and are not repeated here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ipsresearch import datasets, qualitative, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.sources import SOURCES
from ipsresearch.studies._common import (
    QUALITATIVE_REPORT,
    claim_maker,
    count,
    flow_count,
    month,
    only,
    study_dir,
)
from ipsresearch.validation import read_csv

__all__ = ["CLAIMS", "HarkkoData", "load"]

SOURCE = SOURCES["harkko2025"].file
SUBDIR = "harkko2025"


@dataclass(frozen=True)
class HarkkoData:
    """Validated tables of the Finnish case study.

    Attributes
    ----------
    roster : pandas.DataFrame
        Everyone targeted (:data:`ipsresearch.schemas.ROSTER`; ``site`` is the case).
    interviews : pandas.DataFrame
        Interview sessions (:data:`ipsresearch.schemas.FOCUS_GROUPS`).
    cases : pandas.DataFrame
        The five cases (:data:`ipsresearch.schemas.CASES`).
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`).
    themes, attributions : pandas.DataFrame
        What the paper prints (extracted tables).
    """

    roster: pd.DataFrame
    interviews: pd.DataFrame
    cases: pd.DataFrame
    segments: pd.DataFrame
    themes: pd.DataFrame
    attributions: pd.DataFrame

    @property
    def interviewees(self) -> pd.DataFrame:
        """Roster rows of the people interviewed, with their session's setting and length."""
        people = self.roster[self.roster["took_part"]]
        return people.merge(self.interviews[["group_id", "setting", "duration_min", "date"]],
                            on="group_id", how="left", validate="many_to_one")


def load(data_dir: str | os.PathLike | None = None) -> HarkkoData:
    """Load ``harkko2025/`` (roster, interviews, cases, coded segments) from a directory
    laid out like ``data_synthetic/`` (default: the shipped data)."""
    d = study_dir(data_dir, SUBDIR)
    return HarkkoData(
        roster=read_csv(d / "roster.csv", schemas.ROSTER),
        interviews=read_csv(d / "interviews.csv", schemas.FOCUS_GROUPS),
        cases=read_csv(d / "cases.csv", schemas.CASES),
        segments=read_csv(d / "coded_segments.csv", schemas.SEGMENTS),
        themes=datasets.load("harkko2025_themes"),
        attributions=datasets.load("harkko2025_attributions"),
    )


# ---------------------------------------------------------------- recomputations


def _role(d: HarkkoData, role: str) -> int:
    flow = qualitative.sample_flow(d.roster, by="role")
    hit = flow[(flow["stage"] == "took_part") & (flow["role"] == role)]
    return int(hit["events"].iloc[0]) if len(hit) else 0


def _quoted(d: HarkkoData, theme: str) -> int:
    return int(qualitative.themes_summary(d.segments).set_index("theme").loc[theme, "quoted"])


def _roles_given(d: HarkkoData, participant: str) -> str:
    rows = d.attributions[d.attributions["respondent"] == participant]
    return " / ".join(dict.fromkeys(rows["role_as_printed"].dropna()))


def _claims() -> list[Claim]:
    counted = "counted by us from the [Participant N] tags printed under the approach"
    c = claim_maker("harkko2025", SOURCE, QUALITATIVE_REPORT)

    return [
        c("targeted", 34, "people targeted for interview", 37, lambda d: flow_count(d.roster, "invited")),
        c("declined", 34, "invitees who declined or could not be reached", 8,
          lambda d: flow_count(d.roster, "did_not_take_part")),
        c("interviewees", 34, "people interviewed (analytic sample)", 29,
          lambda d: flow_count(d.roster, "took_part"), lines=(5, 35),
          note="4 + 11 + 6 + 8 by role (lines 5, 35) add up to the same 29"),
        c("outside_experts", 35, "outside experts (trainers, researchers) interviewed", 4,
          lambda d: _role(d, "outside_expert"), lines=(5,)),
        c("site_leaders", 35, "leaders of implementing sites or PES interviewed", 11,
          lambda d: _role(d, "site_leader"), lines=(5,)),
        c("project_managers", 35, "project managers and team leaders interviewed", 6,
          lambda d: _role(d, "project_manager"), lines=(5,)),
        c("frontline_workers", 35, "frontline workers interviewed", 8,
          lambda d: _role(d, "frontline_worker"), lines=(5,)),
        c("at_workplace", 35, "interviewees met at their workplace", 14,
          lambda d: count(d.interviewees, "setting", "workplace")),
        c("online", 35, "interviewees met online", 15,
          lambda d: count(d.interviewees, "setting", "online")),
        c("first_month", 35, "month data collection began", "May 2023",
          lambda d: month(d.interviews["date"].min()), unit="month"),
        c("last_month", 35, "month data collection ended", "August 2023",
          lambda d: month(d.interviews["date"].max()), unit="month"),
        c("interviewers", 34, "people who conducted the interviews", 1,
          lambda d: int(d.interviews["moderator"].nunique()), lines=(129,),
          note="the first author (line 129: J.H. did the interviews)"),
        c("median_minutes", 36, "median length of an interview (minutes)", 72,
          lambda d: float(d.interviews["duration_min"].median()), unit="minutes"),
        c("shortest_minutes", 36, "shortest interview (minutes)", 48,
          lambda d: float(d.interviews["duration_min"].min()), unit="minutes"),
        c("longest_minutes", 36, "longest interview (minutes)", 120,
          lambda d: float(d.interviews["duration_min"].max()), unit="minutes"),
        c("psychiatric_only", 30, "cases working only within psychiatric services", 2,
          lambda d: count(d.cases, "organisation", "psychiatric_services")),
        c("with_pes", 30, "cases collaborating with the public employment services", 3,
          lambda d: int((d.cases["organisation"] != "psychiatric_services").sum())),
        c("pes_offices", 30, "cases with PES-funded specialists at PES offices", 2,
          lambda d: count(d.cases, "organisation", "pes_office")),
        c("employment_hub", 30, "cases run as an employment hub", 1,
          lambda d: count(d.cases, "organisation", "employment_hub")),
        c("approaches", 43, "leadership approaches (main themes)", 3,
          lambda d: int(d.segments["theme"].nunique()), lines=(7, 46)),
        c("subthemes", 46, "sub-themes in Table 1", 6,
          lambda d: int(qualitative.themes_summary(d.segments)["sub_themes"].sum()),
          lines=(48, 53)),
        c("subthemes_per_approach", 46, "sub-themes of each approach", 2,
          lambda d: only(qualitative.themes_summary(d.segments)["sub_themes"])),
        c("quoted_visionary", 54, "participant tags printed under the visionary approach", 8,
          lambda d: _quoted(d, "Visionary"), lines=(57, 69), note=counted),
        c("quoted_proactive", 70, "participant tags printed under the proactive approach", 8,
          lambda d: _quoted(d, "Proactive"), lines=(73, 86), note=counted),
        c("quoted_collaborative", 87, "participant tags printed under the collaborative approach", 9,
          lambda d: _quoted(d, "Collaborative"), lines=(90, 106), note=counted),
        c("participants_quoted", 57, "distinct participants quoted", 13,
          lambda d: int(qualitative.coverage(d.segments, d.roster, by=None)["events"].sum()),
          lines=(106,), note="Participants 1 to 13; every tag must match an interviewee in the roster"),
        c("participant_4_role", 65, "role the text gives Participant 4", "employment specialist",
          lambda d: _roles_given(d, "Participant 4"), lines=(66, 95, 96), unit="role",
          erratum="Participant 4 is introduced as an employment specialist (line 65, quotation at "
                  "line 66) and later as the nursing director of a pilot (line 95, quotation at "
                  "line 96); the two roles fall in different groups of the sample (frontline "
                  "workers, site leaders). The roster takes the first."),
    ]


CLAIMS = ClaimSet(key="harkko2025",
                  title="Leadership and sustainment of IPS in five Finnish cases (source 004)",
                  load=load, claims=_claims)

"""Source 002: IPSNOR, employment specialists in the early implementation of IPS in Northern Norway.

Claims about the sample (45 employment specialists at 14 sites, 11 of them
supervisors, their ages and gender, 33 in five focus groups), the field work
(dates, seminar groups, 180 pages) and the analysis (four coders, four themes,
the sub-themes and quotations under each). Recomputed from the records in
``data_synthetic/ipsnor/`` (see :mod:`ipsresearch.synthetic.qualitative`);
the theme structure and the quotations the paper prints are kept with their
lines in ``ipsnor_themes.csv`` and ``ipsnor_quotations.csv``.
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
    read_optional,
    study_dir,
)
from ipsresearch.validation import read_csv

__all__ = ["CLAIMS", "IpsnorData", "load"]

SOURCE = SOURCES["ipsnor"].file
SUBDIR = "ipsnor"


@dataclass(frozen=True)
class IpsnorData:
    """Validated tables of the IPSNOR study.

    Attributes
    ----------
    roster : pandas.DataFrame
        The employment specialists (:data:`ipsresearch.schemas.ROSTER`).
    groups : pandas.DataFrame
        Seminar and focus groups (:data:`ipsresearch.schemas.FOCUS_GROUPS`).
    documents : pandas.DataFrame or None
        Notes and transcripts (:data:`ipsresearch.schemas.DOCUMENTS`).
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`).
    codings : pandas.DataFrame or None
        Sample coded by all four coders (:data:`ipsresearch.schemas.CODINGS`).
    themes, quotations : pandas.DataFrame
        What the paper prints (extracted tables).
    """

    roster: pd.DataFrame
    groups: pd.DataFrame
    documents: pd.DataFrame | None
    segments: pd.DataFrame
    codings: pd.DataFrame | None
    themes: pd.DataFrame
    quotations: pd.DataFrame

    @property
    def focus_groups(self) -> pd.DataFrame:
        """The focus-group interviews (not the seminar groups)."""
        return self.groups[self.groups["kind"] == "focus_group"]

    @property
    def interviewed(self) -> pd.DataFrame:
        """Roster rows of the people who took part in a focus group."""
        return self.roster[self.roster["took_part"]]


def load(data_dir: str | os.PathLike | None = None) -> IpsnorData:
    """Load ``ipsnor/`` (roster, groups, documents, coded segments, multi-coding) from a
    directory laid out like ``data_synthetic/`` (default: the shipped data)."""
    d = study_dir(data_dir, SUBDIR)
    return IpsnorData(
        roster=read_csv(d / "roster.csv", schemas.ROSTER),
        groups=read_csv(d / "focus_groups.csv", schemas.FOCUS_GROUPS),
        documents=read_optional(d / "documents.csv", schemas.DOCUMENTS),
        segments=read_csv(d / "coded_segments.csv", schemas.SEGMENTS),
        codings=read_optional(d / "multi_coding.csv", schemas.CODINGS),
        themes=datasets.load("ipsnor_themes"),
        quotations=datasets.load("ipsnor_quotations"),
    )


# ---------------------------------------------------------------- recomputations


def _summary(d: IpsnorData) -> pd.DataFrame:
    return qualitative.themes_summary(d.segments).set_index("theme")


def _claims() -> list[Claim]:
    t1, t2, t3, t4 = ("Pioneers of service development",
                      "Unsettled partnerships between people and sectors",
                      "Challenges in small communities and rural areas",
                      "Human relationships facilitating implementation")
    counted = "counted by us from the quotations printed under the theme"
    c = claim_maker("ipsnor", SOURCE, QUALITATIVE_REPORT)

    return [
        c("employment_specialists", 51, "employment specialists in the study (supervisors included)", 45,
          lambda d: flow_count(d.roster, "eligible"), lines=(13, 43)),
        c("sites", 51, "IPS sites the employment specialists work at", 14,
          lambda d: int(d.roster["site"].nunique()), lines=(13, 43)),
        c("most_teams_two_or_three", 43, "most sites have two or three employment specialists", True,
          lambda d: bool((d.roster.groupby("site").size().isin([2, 3])).mean() > 0.5),
          lines=(121,), unit="yes/no"),
        c("supervisors", 51, "employment specialists who were also IPS supervisors", 11,
          lambda d: count(d.roster, "role", "supervisor")),
        c("youngest", 51, "age of the youngest employment specialist", 25,
          lambda d: int(d.roster["age"].min()), unit="years"),
        c("oldest", 51, "age of the oldest employment specialist", 55,
          lambda d: int(d.roster["age"].max()), unit="years"),
        c("women", 51, "women among the employment specialists (about)", 25,
          lambda d: count(d.roster, "gender", "female"),
          note="printed as approximate; the number varied with turnover"),
        c("men", 51, "men among the employment specialists (about)", 20,
          lambda d: count(d.roster, "gender", "male"),
          note="printed as approximate; the number varied with turnover"),
        c("interviewed_women", 51, "women among those interviewed", 21,
          lambda d: count(d.interviewed, "gender", "female")),
        c("interviewed_men", 51, "men among those interviewed", 12,
          lambda d: count(d.interviewed, "gender", "male")),
        c("took_part", 59, "employment specialists at the January 2020 seminar, all interviewed", 33,
          lambda d: flow_count(d.roster, "took_part"), lines=(51,),
          note="21 women and 12 men (line 51) add up to the same 33"),
        c("focus_groups", 59, "focus-group interviews", 5,
          lambda d: int(d.focus_groups["group_id"].nunique()), lines=(13,)),
        c("moderators", 59, "moderators of the focus groups", 5,
          lambda d: int(d.focus_groups["moderator"].nunique()), lines=(417, 403),
          note="the contributions (line 417) name four authors as moderators (CM, BB, OLB, LR); "
               "the acknowledgements (line 403) thank a fifth person for moderating one group, "
               "so the five moderators of line 59 are consistent"),
        c("minutes", 59, "length of each focus group (minutes)", 90,
          lambda d: only(d.focus_groups["duration_min"]), unit="minutes"),
        c("interview_month", 59, "month of the focus-group seminar", "January 2020",
          lambda d: only(d.focus_groups["date"].map(month)), unit="month"),
        c("seminar_month", 57, "month of the first seminar of all employment specialists",
          "September 2019", lambda d: only(d.groups.loc[d.groups["kind"] == "seminar_group", "date"]
                                           .map(month)), unit="month"),
        c("seminar_groups", 57, "groups the first seminar was divided into", 8,
          lambda d: count(d.groups, "kind", "seminar_group")),
        c("fieldwork_start", 57, "month the observation field work began", "February 2018",
          lambda d: month(d.documents.loc[d.documents["kind"] == "fieldnotes", "date"].min()),
          unit="month"),
        c("pages", 55, "pages of field notes and transcripts", 180,
          lambda d: int(d.documents["pages"].sum()), unit="pages"),
        c("coders", 63, "authors who coded the transcripts", 4,
          lambda d: int(d.segments["coder"].nunique()), lines=(417,),
          note="LR, OLB, MB and CM at line 63; the same four are named at line 417"),
        c("themes", 69, "central themes", 4, lambda d: int(d.segments["theme"].nunique())),
        c("subthemes_partnerships", 87, "sub-themes named under theme 2 (unsettled partnerships)", 4,
          lambda d: int(_summary(d).loc[t2, "sub_themes"]), lines=(89, 93, 97, 101),
          note="counted by us from the headings; line 101 is read as the fourth sub-theme"),
        c("subthemes_rural", 107, "sub-themes named under theme 3 (small communities, rural areas)", 2,
          lambda d: int(_summary(d).loc[t3, "sub_themes"]), lines=(109, 113),
          note="counted by us from the headings"),
        c("every_theme_has_subthemes", 69, "every theme is presented with several sub-themes", True,
          lambda d: bool((_summary(d)["sub_themes"] >= 2).all()), lines=(71, 119), unit="yes/no",
          erratum="line 69 says the four themes comprise several sub-themes, but the findings name "
                  "sub-themes only under themes 2 and 3; themes 1 (line 71) and 4 (line 119) are "
                  "presented without any (Table 1, an example of codes and sub-themes, is not in "
                  "the text)"),
        c("quotations_pioneers", 71, "quotations printed under theme 1 (pioneers)", 5,
          lambda d: int(_summary(d).loc[t1, "quoted"]), lines=(73, 81), note=counted),
        c("quotations_partnerships", 83, "quotations printed under theme 2 (partnerships)", 6,
          lambda d: int(_summary(d).loc[t2, "quoted"]), lines=(85, 103), note=counted),
        c("quotations_rural", 105, "quotations printed under theme 3 (rural areas)", 3,
          lambda d: int(_summary(d).loc[t3, "quoted"]), lines=(111, 117), note=counted),
        c("quotations_relationships", 119, "quotations printed under theme 4 (human relationships)", 2,
          lambda d: int(_summary(d).loc[t4, "quoted"]), lines=(125, 127), note=counted),
    ]


CLAIMS = ClaimSet(key="ipsnor", title="IPSNOR: employment specialists in Northern Norway (source 002)",
                  load=load, claims=_claims)

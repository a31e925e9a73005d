"""Source 000: themes of the Irish focus groups and who is quoted under each.

The sample itself (24 and 17 eligible, 17 and 11 taking part, three groups)
is claimed in :mod:`ipsresearch.studies.irish_pilot`; this set claims the
analysis and coding structure. The six steps, the two analysts, the three
themes and the fit of the quoted codes to the sample are ``transcribed``
(from the paper's headings, names and labels, kept with their lines in
``irish_qualitative_themes.csv``, ``irish_qualitative_attributions.csv`` and
``printed_lists.csv``). The paper prints no count of labels per theme or per
role: those are counted by us (``counted``) and recomputed from the synthetic
coded segments in ``data_synthetic/irish_qualitative/`` (see
:mod:`ipsresearch.synthetic.qualitative`), a ``calibrated`` demonstration of
the qualitative functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ipsresearch import datasets, qualitative, readers, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.sources import SOURCES
from ipsresearch.studies._common import (
    QUALITATIVE_REPORT,
    Printed,
    claim_maker,
    printed,
    read_tables,
    study_dir,
)

__all__ = ["CLAIMS", "IrishQualitativeData", "LABELS", "load"]

SOURCE = SOURCES["irish_pilot"].file
SUBDIR = "irish_qualitative"

LABELS = {"employment_specialist": "IPS ES", "ot_manager": "OT Manager"}
"""Labels the paper prints before a respondent code, by role."""


@dataclass(frozen=True)
class IrishQualitativeData:
    """Validated tables of the Irish focus-group study.

    Attributes
    ----------
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`).
    roster : pandas.DataFrame
        Focus-group roster (:data:`ipsresearch.schemas.ROSTER`).
    codings : pandas.DataFrame or None
        Double-coded sample (:data:`ipsresearch.schemas.CODINGS`), if present.
    attributions, themes : pandas.DataFrame
        What the paper prints (extracted tables).
    printed : Printed or None
        Numbers and lists the paper prints (``printed_numbers``, ``printed_lists``).
    """

    segments: pd.DataFrame
    roster: pd.DataFrame
    codings: pd.DataFrame | None
    attributions: pd.DataFrame
    themes: pd.DataFrame
    printed: Printed | None = None


def load(data_dir: str | os.PathLike | None = None) -> IrishQualitativeData:
    """Load ``irish_qualitative/coded_segments.csv`` (and ``double_coding.csv``) and the
    roster ``irish_pilot/focus_group_roster.csv`` from a directory laid out like
    ``data_synthetic/`` (default: the shipped data)."""
    d = study_dir(data_dir, SUBDIR)
    roster_dir = study_dir(data_dir, "irish_pilot")
    if not readers.Folder(roster_dir).exists("focus_group_roster"):
        roster_dir = d
    tables = read_tables(d, {"coded_segments": schemas.SEGMENTS}, {"double_coding": schemas.CODINGS})
    roster = read_tables(roster_dir, {"focus_group_roster": schemas.ROSTER})["focus_group_roster"]
    return IrishQualitativeData(
        segments=tables["coded_segments"], roster=roster,
        codings=tables["double_coding"],
        attributions=datasets.load("irish_qualitative_attributions"),
        themes=datasets.load("irish_qualitative_themes"),
        printed=printed("irish_pilot"),
    )


# ---------------------------------------------------------------- recomputations


def _quoted_in(d: IrishQualitativeData, theme: str) -> int:
    summary = qualitative.themes_summary(d.segments).set_index("theme")
    return int(summary.loc[theme, "quoted"]) if theme in summary.index else 0


def _by_role(d: IrishQualitativeData) -> pd.DataFrame:
    return qualitative.attributions(d.segments)


def _labels_of(d: IrishQualitativeData, role: str) -> int:
    table = _by_role(d)
    return int(table.loc[table["role"] == role, "attributions"].sum())


def _most_quoted(d: IrishQualitativeData) -> str:
    top = _by_role(d).iloc[0]  # most attributions first
    return f"{LABELS[top['role']]} {top['respondent']}"


def _codes_within_sample(d: IrishQualitativeData) -> bool:
    """Every quoted respondent code is at most the number of that role who took part (line 39)."""
    took = {"employment_specialist": d.printed.n("es_took_part"), "ot_manager": d.printed.n("ot_took_part")}
    numbers = d.attributions["respondent"].str.extract(r"R(\d+)", expand=False).astype(int)
    return bool((numbers <= d.attributions["role"].map(took)).all())


def _claims() -> list[Claim]:
    es, ot = "employment_specialist", "ot_manager"
    t1, t2, t3 = ("The context", "Factors supporting integration into the MDT",
                  "A recalibration of expectations")
    counted = ("counted by us from the respondent labels printed under the theme; recomputed from "
               "the synthetic coded segments, whose quoted segments reproduce those labels")
    c = claim_maker("irish_qualitative", SOURCE, QUALITATIVE_REPORT)
    cal, tr = "calibrated", "transcribed"

    return [
        c("analysis_steps", 43, "steps of the thematic analysis described", 6,
          lambda d: d.printed.count("analysis_steps"), basis=tr, printed="six-step",
          note="the steps as we read them from line 43: immersion, initial codes, grouping codes, "
               "themes, reviewing themes, defining and naming them"),
        c("coders", 51, "researchers who analysed the data (initials named)", 2,
          lambda d: d.printed.count("analysts"), basis=tr, printed="two members", note="DS and NL"),
        c("themes", 55, "themes of the findings (headings)", 3,
          lambda d: int(d.themes["theme"].nunique()), lines=(57, 83, 99), basis=tr,
          printed="three themes"),
        c("attributions_context", 57, "respondent labels printed under theme 1 (the context)", None,
          lambda d: _quoted_in(d, t1), lines=(61, 81), note=counted + " (lines 61-81)", basis=cal,
          counted=14),
        c("attributions_integration", 83,
          "respondent labels printed under theme 2 (factors supporting integration)", None,
          lambda d: _quoted_in(d, t2), lines=(87, 97), note=counted + " (lines 87-97)", basis=cal,
          counted=17),
        c("attributions_recalibration", 99,
          "respondent labels printed under theme 3 (recalibration of expectations)", None,
          lambda d: _quoted_in(d, t3), lines=(105, 129), note=counted + " (lines 105-129)",
          basis=cal, counted=13),
        c("attributions_es", 55, "respondent labels naming an employment specialist (IPS ES R#)", None,
          lambda d: _labels_of(d, es), note="counted by us over the three themes", basis=cal,
          counted=18),
        c("attributions_ot", 55, "respondent labels naming an OT manager (OT Manager R#)", None,
          lambda d: _labels_of(d, ot), note="counted by us over the three themes", basis=cal,
          counted=26),
        c("es_quoted", 55, "distinct employment specialists quoted", None,
          lambda d: int((_by_role(d)["role"] == es).sum()), basis=cal, counted=8,
          note="counted by us: codes R2, R3, R4, R6, R9, R12, R14, R16"),
        c("ot_quoted", 55, "distinct OT managers quoted", None,
          lambda d: int((_by_role(d)["role"] == ot).sum()), basis=cal, counted=8,
          note="counted by us: codes R1, R2, R4, R6, R8, R9, R10, R11"),
        c("codes_within_sample", 61, "every quoted respondent code lies within the number of that "
          "role who took part (17 ES, 11 OT managers)", None, _codes_within_sample, basis=tr,
          counted=True, unit="yes/no", lines=(39, 129),
          note="the highest codes quoted are IPS ES R16 and OT Manager R11"),
        c("quoted_in_roster", 55, "quoted respondents who are participants in the roster", None,
          lambda d: int(qualitative.coverage(d.segments, d.roster, by=None)["events"].sum()),
          lines=(39,), basis=cal, counted=16,
          note="every quoted code must match someone who took part in the synthetic roster "
               "(17 ES coded R1-R17, 11 OT managers coded R1-R11)"),
        c("most_quoted", 55, "respondent with the most printed labels", None, _most_quoted,
          basis=cal, counted="OT Manager R2",
          note="counted by us: seven labels; the next are IPS ES R2 and OT Manager R4 with five each"),
    ]


CLAIMS = ClaimSet(key="irish_qualitative",
                  title="Irish focus groups: themes and who is quoted (source 000)",
                  load=load, claims=_claims)

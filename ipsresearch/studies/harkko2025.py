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
import re
from dataclasses import dataclass

import pandas as pd

from ipsresearch import datasets, qualitative, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.sources import SOURCES
from ipsresearch.studies._common import (
    QUALITATIVE_REPORT,
    Printed,
    claim_maker,
    count,
    flow_count,
    month,
    only,
    printed,
    read_tables,
    study_dir,
)

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
    references : pandas.DataFrame or None
        The paper's reference list (``harkko2025_references``).
    printed : Printed or None
        Numbers and lists the paper prints (``printed_numbers``, ``printed_lists``).
    """

    roster: pd.DataFrame
    interviews: pd.DataFrame
    cases: pd.DataFrame
    segments: pd.DataFrame
    themes: pd.DataFrame
    attributions: pd.DataFrame
    references: pd.DataFrame | None = None
    printed: Printed | None = None

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
    t = read_tables(d, {"roster": schemas.ROSTER, "interviews": schemas.FOCUS_GROUPS,
                        "cases": schemas.CASES, "coded_segments": schemas.SEGMENTS})
    return HarkkoData(
        roster=t["roster"],
        interviews=t["interviews"],
        cases=t["cases"],
        segments=t["coded_segments"],
        themes=datasets.load("harkko2025_themes"),
        attributions=datasets.load("harkko2025_attributions"),
        references=datasets.load("harkko2025_references"),
        printed=printed("harkko2025"),
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


GROUP_SIZES = {"outside_expert": "experts", "site_leader": "leaders",
               "project_manager": "managers", "frontline_worker": "frontline"}
"""Sample group of a quoted participant -> the printed number of that group (line 35)."""


def _quoted_within_groups(d: HarkkoData) -> bool:
    """Distinct participants quoted per sample group never exceed the group's printed size."""
    roles = d.attributions.dropna(subset=["role"]).drop_duplicates(["respondent", "role"])
    per_group = roles.groupby("role")["respondent"].nunique()
    return bool(all(n <= d.printed.n(GROUP_SIZES[role]) for role, n in per_group.items()))


def _named_citations_matching(d: HarkkoData) -> int:
    refs = d.references.set_index("ref_number")["first_author"]
    hits = 0
    for item in d.printed.items("named_citations"):
        number = int(re.search(r"\[(\d+)\]", item).group(1))
        hits += int(number in refs.index and refs[number].split()[0] == item.split()[0])
    return hits


def _claims() -> list[Claim]:
    counted = ("counted by us from the [Participant N] tags printed under the approach; recomputed "
               "from the synthetic coded segments, whose quoted segments reproduce them")
    c = claim_maker("harkko2025", SOURCE, QUALITATIVE_REPORT)
    cal, tr, ident = "calibrated", "transcribed", "identity"
    four = ("experts", "leaders", "managers", "frontline")

    def cited(id_, line, quantity, value, reference, **kw):
        return c(id_, line, quantity, value, None, basis="cited", reference=reference, **kw)

    return [
        c("roles_abstract", 5, "interviewees by role in the abstract against the methods (line 35)",
          "4, 11, 6, 8", lambda d: ", ".join(str(d.printed.n(k)) for k in four), unit="text",
          basis=ident, lines=(35,)),
        cited("cited_origin", 14, "decade the IPS model was developed in the US", "1990s",
              "background of the model; the paper gives no reference for the date", unit="text"),
        cited("cited_studies", 18, "implementation studies behind the conceptual model (reference 6)", 59,
              "reference 6 (line 150): Harkko J et al., Implement Sci 2023",
              printed="59 empirical IPS model implementation studies"),
        c("pathways_named", 18, "pathways of the conceptual model, as named", 3,
          lambda d: d.printed.count("pathways"), basis=tr, printed="three potential pathways"),
        c("units_repeated", 27, "implementing units: five regional pilots (line 30) and n = 5 "
          "cases (line 114)", 5, lambda d: only([d.printed.n("pilots"), d.printed.n("cases")]),
          basis=ident, printed="five implementing units", lines=(30, 114)),
        cited("cited_countries", 28, "countries where the model is used", "over 20",
              "background of the model; the paper gives no reference for it", unit="text"),
        c("pilots_by_organisation", 30, "pilots: two within psychiatric services + three with the "
          "employment services", 5, lambda d: d.printed.n("psychiatric_only") + d.printed.n("with_pes"),
          basis=ident, printed="five regional pilots"),
        c("pes_cases_split", 30, "pilots with the employment services: two at PES offices + one hub", 3,
          lambda d: d.printed.n("pes_offices") + d.printed.n("employment_hub"), basis=ident,
          printed="remaining three sites"),
        c("psychiatric_only", 30, "cases working only within psychiatric services", 2,
          lambda d: count(d.cases, "organisation", "psychiatric_services"), basis=cal),
        c("with_pes", 30, "cases collaborating with the public employment services", 3,
          lambda d: int((d.cases["organisation"] != "psychiatric_services").sum()), basis=cal),
        c("pes_offices", 30, "cases with PES-funded specialists at PES offices", 2,
          lambda d: count(d.cases, "organisation", "pes_office"), basis=cal),
        c("employment_hub", 30, "cases run as an employment hub", 1,
          lambda d: count(d.cases, "organisation", "employment_hub"), basis=cal),
        c("project_period", 30, "last year of the project: client work from 2021, the governance "
          "change two years later and six months before the end (line 32)", 2023,
          lambda d: int(d.printed.n("project_start") + d.printed.n("years_to_change")
                        + d.printed.n("months_before_end") / 12),
          unit="year", basis=ident, printed="and 2023", lines=(32,),
          note="assumes client work began in the project's first year, 2021"),
        c("page_in_reference", 32, "the page cited from the authors' earlier paper lies within "
          "reference 31's pages", None,
          lambda d: d.printed.n("ref31_first_page") <= d.printed.n("quoted_page")
          <= d.printed.n("ref31_last_page"), basis=ident, counted=True, unit="yes/no", lines=(175,),
          note="p. 164 on line 32; reference 31 runs from page 158 to 173"),
        c("targeted", 34, "people targeted for interview", 37,
          lambda d: flow_count(d.roster, "invited"), basis=cal),
        c("declined", 34, "invitees who declined or could not be reached", 8,
          lambda d: flow_count(d.roster, "did_not_take_part"), basis=cal, printed="eight"),
        c("interviewees", 34, "people interviewed (analytic sample)", 29,
          lambda d: flow_count(d.roster, "took_part"), lines=(5, 35), basis=cal),
        c("sample_attrition", 34, "interviewees: 37 targeted - 8 who declined or were unreachable", 29,
          lambda d: d.printed.n("targeted") - d.printed.n("declined"), basis=ident),
        c("sample_by_role", 34, "interviewees: 4 + 11 + 6 + 8 by role (line 35)", 29,
          lambda d: sum(d.printed.n(k) for k in four), basis=ident, lines=(35,)),
        c("sample_by_setting", 34, "interviewees: 14 at their workplace + 15 online (line 35)", 29,
          lambda d: d.printed.n("at_workplace") + d.printed.n("online"), basis=ident, lines=(35,)),
        c("interviewers", 34, "people who conducted the interviews", 1,
          lambda d: int(d.interviews["moderator"].nunique()), lines=(129,), basis=cal,
          printed="the first author", note="line 129: J.H. did the interviews"),
        c("outside_experts", 35, "outside experts (trainers, researchers) interviewed", 4,
          lambda d: _role(d, "outside_expert"), lines=(5,), basis=cal, printed="n = 4"),
        c("site_leaders", 35, "leaders of implementing sites or PES interviewed", 11,
          lambda d: _role(d, "site_leader"), lines=(5,), basis=cal, printed="n = 11"),
        c("project_managers", 35, "project managers and team leaders interviewed", 6,
          lambda d: _role(d, "project_manager"), lines=(5,), basis=cal, printed="n = 6"),
        c("frontline_workers", 35, "frontline workers interviewed", 8,
          lambda d: _role(d, "frontline_worker"), lines=(5,), basis=cal, printed="n = 8"),
        c("at_workplace", 35, "interviewees met at their workplace", 14,
          lambda d: count(d.interviewees, "setting", "workplace"), basis=cal, printed="n = 14"),
        c("online", 35, "interviewees met online", 15,
          lambda d: count(d.interviewees, "setting", "online"), basis=cal, printed="n = 15"),
        c("first_month", 35, "month data collection began", "May 2023",
          lambda d: month(d.interviews["date"].min()), unit="month", basis=cal,
          printed="May to August 2023"),
        c("last_month", 35, "month data collection ended", "August 2023",
          lambda d: month(d.interviews["date"].max()), unit="month", basis=cal),
        c("collection_in_period", 35, "data were collected within the project's period, 2021-2023 "
          "(line 30)", None,
          lambda d: d.printed.n("project_start") <= d.printed.n("collection_year")
          <= d.printed.n("project_end"), basis=ident, counted=True, unit="yes/no", lines=(30,),
          note="the paper prints no such statement; it follows from May-August 2023 (line 35) and "
               "2021-2023 (line 30), which must agree"),
        c("median_minutes", 36, "median length of an interview (minutes)", 72,
          lambda d: float(d.interviews["duration_min"].median()), unit="minutes", basis=cal),
        c("shortest_minutes", 36, "shortest interview (minutes)", 48,
          lambda d: float(d.interviews["duration_min"].min()), unit="minutes", basis=cal),
        c("longest_minutes", 36, "longest interview (minutes)", 120,
          lambda d: float(d.interviews["duration_min"].max()), unit="minutes", basis=cal),
        c("median_in_range", 36, "the printed median lies between the printed shortest and longest",
          None, lambda d: d.printed.n("shortest_minutes") <= d.printed.n("median_minutes")
          <= d.printed.n("longest_minutes"), basis=ident, counted=True, unit="yes/no",
          note="a median of 72 with a range of 48 to 120 minutes must lie inside that range"),
        c("analysis_steps", 38, "steps of the thematic analysis, numbered (step 1) to (step 6)", 6,
          lambda d: d.printed.count("analysis_steps"), basis=tr, printed="six-step"),
        c("three_pathway_model", 38, "pathways of the model derived in the analysis, against the "
          "three of line 18", 3, lambda d: d.printed.n("pathways_l18"), basis=ident,
          printed="three-pathway model", lines=(18,)),
        c("cases_by_robustness", 114, "cases: two more robust + two less robust + one mixed (line 39)", 5,
          lambda d: d.printed.n("more_robust") + d.printed.n("less_robust") + d.printed.n("mixed"),
          basis=ident, printed="n = 5", lines=(39,)),
        c("approaches", 43, "leadership approaches (main themes of Table 1)", 3,
          lambda d: int(d.themes["theme"].nunique()), lines=(7, 46, 109, 117), basis=tr,
          printed="three"),
        c("subthemes", 46, "sub-themes in Table 1", None,
          lambda d: int(d.themes["sub_theme"].notna().sum()), lines=(48, 53), basis=tr, counted=6,
          note="counted by us from the table's rows"),
        c("subthemes_per_approach", 46, "sub-themes of each approach", None,
          lambda d: only(d.themes.dropna(subset=["sub_theme"]).groupby("theme").size()), basis=tr,
          counted=2, note="counted by us from the table's rows"),
        c("pathways_in_table", 46, "the pathways Table 1 maps the sub-themes to, against the three "
          "named on line 18", None,
          lambda d: sorted(set(d.printed.items("table1_pathways"))) == sorted(d.printed.items("pathways")),
          basis=tr, counted=True, unit="yes/no", lines=(18, 48, 53),
          note="the table's last column must use exactly the three pathways line 18 names"),
        c("pathway_mapping", 46, "sub-themes of Table 1 per pathway", None,
          lambda d: "; ".join(f"{k.split()[0]} {v}" for k, v in
                              pd.Series(d.printed.items("table1_pathways")).value_counts().sort_index().items()),
          unit="text", basis=tr, counted="Direct 2; Facilitator 3; Moderator 1", lines=(48, 53),
          note="counted by us from the table's last column"),
        c("quoted_visionary", 54, "participant tags printed under the visionary approach", None,
          lambda d: _quoted(d, "Visionary"), lines=(57, 69), note=counted, basis=cal, counted=8),
        c("quoted_proactive", 70, "participant tags printed under the proactive approach", None,
          lambda d: _quoted(d, "Proactive"), lines=(73, 86), note=counted, basis=cal, counted=8),
        c("quoted_collaborative", 87, "participant tags printed under the collaborative approach", None,
          lambda d: _quoted(d, "Collaborative"), lines=(90, 106), note=counted, basis=cal, counted=9),
        c("participants_quoted", 57, "distinct participants quoted", None,
          lambda d: int(qualitative.coverage(d.segments, d.roster, by=None)["events"].sum()),
          lines=(106,), basis=cal, counted=13,
          note="counted by us: Participants 1 to 13; every tag must match an interviewee in the roster"),
        c("quoted_within_groups", 57, "participants quoted per sample group never exceed the group's "
          "size (line 35)", None, _quoted_within_groups, basis=tr, counted=True, unit="yes/no",
          lines=(35, 106), note="roles as the text gives them next to each quotation"),
        c("participant_4_role", 65, "role the text gives Participant 4", "employment specialist",
          lambda d: _roles_given(d, "Participant 4"), lines=(66, 95, 96), unit="role", basis=tr,
          versus=((95, "nursing director (quotation at line 96)"),),
          erratum="Participant 4 is introduced as an employment specialist (line 65, quotation at "
                  "line 66) and later as the nursing director of a pilot (line 95, quotation at "
                  "line 96); the two roles fall in different groups of the sample (frontline "
                  "workers, site leaders). The roster takes the first."),
        c("external_experts_quoted", 92, "external experts quoted after the sentence that introduces "
          "them", 2,
          lambda d: int(d.attributions.loc[d.attributions["role_line"] == 92, "respondent"].nunique()),
          basis=tr, printed="Two external experts", lines=(93, 94)),
        c("transition_approaches", 95, "approaches to external transitions, as named", 2,
          lambda d: d.printed.count("transition_approaches"), basis=tr,
          printed="two contrasting approaches"),
        c("monitoring_functions", 105, "functions of the monitoring groups, first and second", 2,
          lambda d: d.printed.count("monitoring_functions"), basis=tr,
          printed="two qualitatively distinct functions"),
        c("named_citations", 38, "named in-text citations whose first author matches the numbered "
          "entry", None, _named_citations_matching, basis=tr, counted=2, lines=(111,),
          note="Braun & Clarke [35], Noel et al. [12]"),
    ]


CLAIMS = ClaimSet(key="harkko2025",
                  title="Leadership and sustainment of IPS in five Finnish cases (source 004)",
                  load=load, claims=_claims)

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
    references : pandas.DataFrame or None
        The paper's reference list (``ipsnor_references``).
    printed : Printed or None
        Numbers and lists the paper prints (``printed_numbers``, ``printed_lists``).
    """

    roster: pd.DataFrame
    groups: pd.DataFrame
    documents: pd.DataFrame | None
    segments: pd.DataFrame
    codings: pd.DataFrame | None
    themes: pd.DataFrame
    quotations: pd.DataFrame
    references: pd.DataFrame | None = None
    printed: Printed | None = None

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
    t = read_tables(d, {"roster": schemas.ROSTER, "focus_groups": schemas.FOCUS_GROUPS,
                        "coded_segments": schemas.SEGMENTS},
                    {"documents": schemas.DOCUMENTS, "multi_coding": schemas.CODINGS})
    return IpsnorData(
        roster=t["roster"],
        groups=t["focus_groups"],
        documents=t["documents"],
        segments=t["coded_segments"],
        codings=t["multi_coding"],
        themes=datasets.load("ipsnor_themes"),
        quotations=datasets.load("ipsnor_quotations"),
        references=datasets.load("ipsnor_references"),
        printed=printed("ipsnor"),
    )


# ---------------------------------------------------------------- recomputations


def _summary(d: IpsnorData) -> pd.DataFrame:
    return qualitative.themes_summary(d.segments).set_index("theme")


def _same_names(d: IpsnorData, a: str, b: str) -> str:
    """The names of list ``b``, sorted, for comparison with list ``a``'s (printed on another line)."""
    return ", ".join(sorted(d.printed.items(b)))


def _named_citations_matching(d: IpsnorData) -> int:
    refs = d.references.set_index("ref_number")["first_author"]
    hits = 0
    for item in d.printed.items("named_citations"):
        number = int(re.search(r"\[(\d+)\]", item).group(1))
        surname = re.split(r"[ ,’']", item.strip(), maxsplit=1)[0]
        hits += int(number in refs.index and refs[number].split()[0] == surname)
    return hits


def _claims() -> list[Claim]:
    t1, t2, t3, t4 = ("Pioneers of service development",
                      "Unsettled partnerships between people and sectors",
                      "Challenges in small communities and rural areas",
                      "Human relationships facilitating implementation")
    counted = ("counted by us from the quotations printed under the theme; recomputed from the "
               "synthetic coded segments, whose quoted segments reproduce them")
    c = claim_maker("ipsnor", SOURCE, QUALITATIVE_REPORT)
    cal, tr, ident = "calibrated", "transcribed", "identity"

    def subthemes(theme: str):
        return lambda d: int(d.themes.loc[d.themes["theme"] == theme, "sub_theme"].notna().sum())

    return [
        c("focus_groups", 13, "focus-group interviews", 5,
          lambda d: int(d.focus_groups["group_id"].nunique()), lines=(59,), basis=cal,
          printed="five focus group interviews"),
        c("employment_specialists", 51, "employment specialists in the study (supervisors included)", 45,
          lambda d: flow_count(d.roster, "eligible"), lines=(13, 43), basis=cal),
        c("es_repeated", 13, "employment specialists: the 45 of the abstract restated on lines 43 and 51",
          45, lambda d: only([d.printed.n("es_l43"), d.printed.n("es_l51")]), basis=ident,
          lines=(43, 51)),
        c("sites", 51, "IPS sites the employment specialists work at", 14,
          lambda d: int(d.roster["site"].nunique()), lines=(13, 43), basis=cal),
        c("sites_repeated", 13, "sites: the 14 of the abstract restated on lines 43 (twice) and 51", 14,
          lambda d: only([d.printed.n(k) for k in ("sites_l43_growth", "sites_l43_current", "sites_l51")]),
          basis=ident, lines=(43, 51)),
        c("cochrane_reviews", 27, "cited reviews [6, 7, 8] whose entry is in the Cochrane Database", 3,
          lambda d: int(d.references.set_index("ref_number").loc[
              [int(x) for x in d.printed.items("cochrane_citations")], "journal"]
              .eq("Cochrane Database Syst Rev").sum()),
          basis=tr, printed="three Cochrane reviews", lines=(195, 197, 199)),
        c("cited_trials", 27, "randomised trials in the meta-analyses cited [9, 10]", 21, None,
          basis="cited", printed="21 different randomised controlled trials",
          reference="references 9 (Metcalfe et al. 2018) and 10 (Modini et al. 2016), lines 201 and 205",
          note="the reviews' own abstract figures are in the ips_reviews table (issue 19); comparing "
               "them is left to that table's claims"),
        c("named_citations", 135, "named in-text citations whose first author matches the numbered entry",
          None, _named_citations_matching, basis=tr, counted=9, lines=(31, 57, 59, 63, 137, 139),
          printed="Fixen et al. [49]",
          versus=((355, "entry 49: Fixsen D"), (225, "entry 15: Fixsen DL")),
          erratum=("Line 135 cites 'Fixen et al. [49]', but entry 49 (line 355) spells the first "
                   "author Fixsen, as does entry 15 (line 225) for the same author; the other eight "
                   "named citations match their entries.")),
        c("quoted_page", 31, "the page quoted from Tansella and Thornicroft [32] lies within entry "
          "32's pages", None,
          lambda d: d.printed.n("ref32_first_page") <= d.printed.n("quoted_page")
          <= d.printed.n("ref32_last_page"), basis=ident, counted=True, unit="yes/no", lines=(291,),
          note="p.283 on line 31; entry 32 runs from page 283 to 285"),
        c("trials_since", 33, "year since which IPS has been studied in Norwegian trials [35]", 2012,
          None, basis="cited", unit="year", printed="since 2012",
          reference="reference 35 (line 301): Sveinsdottir V et al., Psychiatr Rehabil J 2020"),
        c("directorates", 33, "directorates involved in implementing IPS nationally (named)", 2,
          lambda d: d.printed.count("directorates"), basis=tr, printed="Two directorates"),
        c("counties", 43, "counties of Northern Norway (named)", 2,
          lambda d: d.printed.count("counties"), basis=tr, printed="two counties"),
        c("municipalities", 43, "municipalities of Northern Norway", 87, None, basis="cited",
          reference="official statistics of the region; the paper gives no reference",
          note="a fact about the region the package holds no data for"),
        c("density", 43, "inhabitants per km² in Northern Norway", 4.1, None, basis="cited",
          unit="per km²", printed="4.1 person per km2",
          reference="official statistics of the region; the paper gives no reference",
          note="the paper prints no area to divide the 463,000 inhabitants by"),
        c("large_towns", 43, "towns with more than 50,000 inhabitants (named)", 2,
          lambda d: d.printed.count("large_towns"), basis=tr, printed="two towns",
          note="Bodø and Tromsø"),
        c("coverage_per_es", 43, "inhabitants per employment specialist: 463,000 / 45, to the nearest "
          "thousand", 10000,
          lambda d: int(round(d.printed.n("population") / d.printed.n("es_l43"), -3)), basis=ident,
          printed="one employment specialist per 10,000 inhabitants",
          note="463,000 / 45 = 10,289; the paper says approximately, read as rounded to the nearest "
               "thousand"),
        c("most_teams_two_or_three", 43, "most sites have two or three employment specialists", True,
          lambda d: bool((d.roster.groupby("site").size().isin([2, 3])).mean() > 0.5),
          lines=(121,), unit="yes/no", basis=cal, printed="two or three"),
        c("supervisors", 51, "employment specialists who were also IPS supervisors", 11,
          lambda d: count(d.roster, "role", "supervisor"), basis=cal),
        c("youngest", 51, "age of the youngest employment specialist", 25,
          lambda d: int(d.roster["age"].min()), unit="years", basis=cal),
        c("oldest", 51, "age of the oldest employment specialist", 55,
          lambda d: int(d.roster["age"].max()), unit="years", basis=cal),
        c("women", 51, "women among the employment specialists (about)", 25,
          lambda d: count(d.roster, "gender", "female"), basis=cal,
          note="printed as approximate; the number varied with turnover"),
        c("men", 51, "men among the employment specialists (about)", 20,
          lambda d: count(d.roster, "gender", "male"), basis=cal,
          note="printed as approximate; the number varied with turnover"),
        c("gender_sum", 51, "about 25 women and 20 men add up to the 45 employment specialists", 45,
          lambda d: d.printed.n("women") + d.printed.n("men"), basis=ident, printed="Among the 45"),
        c("interviewed_women", 51, "women among those interviewed", 21,
          lambda d: count(d.interviewed, "gender", "female"), basis=cal),
        c("interviewed_men", 51, "men among those interviewed", 12,
          lambda d: count(d.interviewed, "gender", "male"), basis=cal),
        c("interviewed_sum", 59, "employment specialists interviewed: 21 women + 12 men (line 51)", 33,
          lambda d: d.printed.n("interviewed_women") + d.printed.n("interviewed_men"), basis=ident,
          printed="Thirty-three", lines=(51,)),
        c("pages", 55, "pages of field notes and transcripts", 180,
          lambda d: int(d.documents["pages"].sum()), unit="pages", basis=cal),
        c("fieldwork_start", 57, "month the observation field work began", "February 2018",
          lambda d: month(d.documents.loc[d.documents["kind"] == "fieldnotes", "date"].min()),
          unit="month", basis=cal),
        c("seminar_month", 57, "month of the first seminar of all employment specialists",
          "September 2019", lambda d: only(d.groups.loc[d.groups["kind"] == "seminar_group", "date"]
                                           .map(month)), unit="month", basis=cal),
        c("seminar_groups", 57, "groups the first seminar was divided into", 8,
          lambda d: count(d.groups, "kind", "seminar_group"), basis=cal, printed="eight groups"),
        c("seminar_leads", 57, "authors who led the first seminar's plenary, as named again on line 417",
          "AM, BB", lambda d: _same_names(d, "seminar_leads", "seminar_leading_authors"), unit="text",
          basis=tr, printed="AM and BB", lines=(417,)),
        c("took_part", 59, "employment specialists at the January 2020 seminar, all interviewed", 33,
          lambda d: flow_count(d.roster, "took_part"), lines=(51,), basis=cal, printed="Thirty-three"),
        c("moderators", 59, "moderators of the focus groups: four authors (line 417) and one person "
          "thanked (line 403)", 5,
          lambda d: d.printed.count("moderating_authors") + d.printed.count("moderator_thanked"),
          lines=(417, 403), basis=tr, printed="the five moderators",
          note="CM, BB, OLB and LR, and Maria Ahmed, thanked for moderating one group"),
        c("discussion_leads", 59, "authors who led the plenary after the interviews, as named again on "
          "line 417", "EK, MR", lambda d: _same_names(d, "discussion_leads", "discussion_leading_authors"),
          unit="text", basis=tr, printed="MR and EK", lines=(417,)),
        c("minutes", 59, "length of each focus group (minutes)", 90,
          lambda d: only(d.focus_groups["duration_min"]), unit="minutes", basis=cal),
        c("interview_month", 59, "month of the focus-group seminar", "January 2020",
          lambda d: only(d.focus_groups["date"].map(month)), unit="month", basis=cal),
        c("coders", 63, "authors who coded the transcripts, as named again on line 417",
          "CM, LR, MB, OLB", lambda d: _same_names(d, "coders", "analysing_authors"), unit="text",
          basis=tr, printed="LR, OLB, MB and CM", lines=(417,)),
        c("themes", 69, "central themes (headings)", 4,
          lambda d: int(d.themes["theme"].nunique()), basis=tr, printed="Four central themes"),
        c("every_theme_has_subthemes", 69, "the themes comprise several sub-themes (two or more in all)",
          True, lambda d: bool(d.themes["sub_theme"].notna().sum() >= 2), lines=(89, 93, 97, 101, 109, 113),
          unit="yes/no", basis=tr, printed="several subthemes",
          note="six sub-themes are named, four under theme 2 and two under theme 3; line 69 does not "
               "say that every theme has its own"),
        c("subthemes_partnerships", 87, "sub-themes named under theme 2 (unsettled partnerships)", None,
          subthemes(t2), lines=(89, 93, 97, 101), basis=tr, counted=4,
          note="counted by us from the headings; line 101 is read as the fourth sub-theme"),
        c("subthemes_rural", 107, "sub-themes named under theme 3 (small communities, rural areas)", None,
          subthemes(t3), lines=(109, 113), basis=tr, counted=2, note="counted by us from the headings"),
        c("fidelity_scales_cited", 81, "fidelity scales cited [46, 47]", 2,
          lambda d: d.printed.count("fidelity_scale_citations"), basis=tr,
          printed="Two IPS fidelity scales", lines=(343, 347)),
        c("quotations_pioneers", 71, "quotations printed under theme 1 (pioneers)", None,
          lambda d: int(_summary(d).loc[t1, "quoted"]), lines=(73, 81), note=counted, basis=cal,
          counted=5),
        c("quotations_partnerships", 83, "quotations printed under theme 2 (partnerships)", None,
          lambda d: int(_summary(d).loc[t2, "quoted"]), lines=(85, 103), note=counted, basis=cal,
          counted=6),
        c("quotations_rural", 105, "quotations printed under theme 3 (rural areas)", None,
          lambda d: int(_summary(d).loc[t3, "quoted"]), lines=(111, 117), note=counted, basis=cal,
          counted=3),
        c("quotations_relationships", 119, "quotations printed under theme 4 (human relationships)", None,
          lambda d: int(_summary(d).loc[t4, "quoted"]), lines=(125, 127), note=counted, basis=cal,
          counted=2),
    ]


CLAIMS = ClaimSet(key="ipsnor", title="IPSNOR: employment specialists in Northern Norway (source 002)",
                  load=load, claims=_claims)

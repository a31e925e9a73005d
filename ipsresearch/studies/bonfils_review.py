"""Source 003: review of 21 papers on facilitators and barriers of IPS implementation.

Bonfils, Hansen, Dalum & Eplov (Scand J Disabil Res 2017) reviewed 21 papers
found by two searches (October 2013 and April 2015) and summarised them in a
table (source lines 67-123) printed as flattened text whose rows wrap over
several lines.

Data
----
``bonfils2017_papers``
    The table, one row per paper: paper, country, year, study location,
    design, theoretical approach and the review's reading of the paper in
    Nilsen's taxonomy (label and detail), each with the line it starts on,
    plus columns parsed by the documented rules below. The papers' aims are
    prose and are not stored. Cells longer than the project's limit on
    quoted wording are stored abridged, ``[...]`` marking the words left
    out; the first and last words and every word a rule reads are kept (a
    test rebuilds each full cell from the source and checks that the rules
    give the same answer on it).
``bonfils2017_framework``
    The review's analytical framework (line 53): four levels and the
    categories of factors at each.
``bonfils_review/screening_log.csv``
    Synthetic screening log reproducing the counts of lines 57 and 157
    (see :mod:`ipsresearch.synthetic.reviews`).

Rules
-----
:func:`design_category` and :func:`nilsen_categories` classify printed
cells mechanically. Where the rules cannot reproduce a count the text
states, the claim is an erratum that says so; no row is classified by hand.

References
----------
Bonfils IS, Hansen H, Dalum HS, Eplov LF. Scand J Disabil Res 2017;19:318-333
(review of the literature on IPS implementation).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pandas as pd

from ipsresearch import datasets, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.sources import SOURCES
from ipsresearch.studies._common import (
    Printed,
    claim_maker,
    codes,
    n_studies,
    printed,
    read_tables,
    study_dir,
)
from ipsresearch.synthesis.screening import PrismaFlow, prisma_flow
from ipsresearch.synthesis.study_table import country_code, fold, tally, year_range
from ipsresearch.validation import InputError, check_references

__all__ = [
    "CLAIMS",
    "DESIGN_RULES",
    "NILSEN_RULES",
    "BonfilsData",
    "design_category",
    "load",
    "nilsen_categories",
    "paper_key",
]

SOURCE = SOURCES["bonfils_review"].file
REPORT = "03-implementation-review"
KEY = "bonfils_review"

_INTERVIEW = ("interview",)
_OBSERVATION = ("observation",)
_DOCUMENTS = ("document", "records", "policies")

DESIGN_RULES = (
    ("interviews_with_observation_or_documents",
     "a design declared mixed-methods that mentions interviews and also observation or documents"),
    ("case_study", "mentions a case study"),
    ("interviews_with_observation_or_documents",
     "mentions interviews and also observation or documents (document, records, policies)"),
    ("survey", "mentions a survey (interviews beside it, at some sites, are secondary)"),
    ("interviews", "mentions interviews"),
    ("fidelity_assessment", "mentions fidelity"),
    ("observation", "mentions observation or ethnography"),
    ("review", "mentions a review"),
    ("other", "none of the above"),
)
"""Design classes in order of precedence, with the rule for each: the first that applies wins.

The paper does not say how it classed the designs (source 003 line 61). This
precedence is one plain reading of the printed cells: a design its authors
call mixed-methods is a combination even when one of its parts is a case
study, and a survey of every site is the design even when a few sites were
also interviewed. It gives the printed six case studies, five combined
designs and four interview designs; with the case study first and interviews
before surveys the same cells give 7, 4 and 5 (Markström et al. and
Socialstyrelsen move)."""

NILSEN_RULES = {
    "process_model": ("process",),
    "determinant_framework": ("determinant",),
    "classic_theories": ("classic theor",),
    "implementation_theory": ("implementation theory",),
    "evaluation_framework": ("evaluation",),
    "fidelity_study": ("fidelity",),
}
"""Category -> word stems; a paper is in a category if its interpretation cell
(label and detail) contains one of the stems. Nilsen's five categories of
theoretical approach (source 003 line 17), plus fidelity studies (line 61)."""


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def design_category(design: str) -> str:
    """Class of a printed study-design cell, by the first rule of :data:`DESIGN_RULES` that applies.

    Matching is case-insensitive on the cell as printed. The rule reads the
    whole cell: a declared mixed-methods design that includes case studies is
    a combined design, and a web survey with interviews at some sites is a survey.

    Examples
    --------
    >>> design_category("Single case study, and two clients’ path through the welfare system")
    'case_study'
    >>> design_category("Interviews, observation and document analysis")
    'interviews_with_observation_or_documents'
    >>> design_category("Semi-structured interviews")
    'interviews'
    >>> design_category("Fidelity study")
    'fidelity_assessment'
    >>> design_category("Review")
    'review'
    >>> design_category("Web-based survey, interviews at 3 IPS sites")
    'survey'
    """
    t = str(design).casefold()
    combined = _has(t, _INTERVIEW) and (_has(t, _OBSERVATION) or _has(t, _DOCUMENTS))
    if "mixed-method" in t and combined:
        return "interviews_with_observation_or_documents"
    if "case stud" in t:
        return "case_study"
    if combined:
        return "interviews_with_observation_or_documents"
    if "survey" in t:
        return "survey"
    if _has(t, _INTERVIEW):
        return "interviews"
    if "fidelity" in t:
        return "fidelity_assessment"
    if _has(t, _OBSERVATION) or "ethnograph" in t:
        return "observation"
    if "review" in t:
        return "review"
    return "other"


def nilsen_categories(interpretation: str) -> dict[str, bool]:
    """Categories of the review's interpretation cell, by the stems of :data:`NILSEN_RULES`.

    Parameters
    ----------
    interpretation : str
        Label and detail of the "our interpretation using Nilsen's taxonomy"
        cell, as printed (joined with a space).

    Examples
    --------
    >>> c = nilsen_categories("Evaluation framework Process evaluation combined with determinant framework")
    >>> [k for k, v in c.items() if v]
    ['process_model', 'determinant_framework', 'evaluation_framework']
    """
    t = str(interpretation).casefold()
    return {name: _has(t, stems) for name, stems in NILSEN_RULES.items()}


def paper_key(paper: str, year: int) -> str:
    """Our key of a paper: the first author's name in lower-case letters, then the year.

    Examples
    --------
    >>> paper_key("van Erp et al.", 2007), paper_key("Social-styrelsen", 2014)
    ('vanerp2007', 'socialstyrelsen2014')
    >>> paper_key("Markström et al.", 2015)
    'markstrom2015'
    """
    name = re.split(r"\s+(?:et al\.?|and)\b", str(paper).strip(), maxsplit=1)[0]
    return re.sub(r"[^a-z]", "", fold(name)) + str(int(year))


# ------------------------------------------------------------------------ data


PAPERS = datasets.EXTRACTED["bonfils2017_papers"]
FRAMEWORK = datasets.EXTRACTED["bonfils2017_framework"]


@dataclass(frozen=True)
class BonfilsData:
    """Source 003's tables: ``papers``, ``framework``, the screening ``log`` and
    what the paper prints (``printed``: numbers and lists)."""

    papers: pd.DataFrame
    framework: pd.DataFrame
    log: pd.DataFrame
    printed: Printed | None = None

    @property
    def flow(self) -> PrismaFlow:
        """The screening flow counted from the log, by search."""
        return prisma_flow(self.log, by="search", validated=True)


def load(data_dir: str | os.PathLike | None = None) -> BonfilsData:
    """Load the table, the framework and the screening log of source 003.

    The log is read from ``<data_dir>/bonfils_review/screening_log.csv``
    (default: the shipped synthetic data); included records must name
    papers of the table.
    """
    path = study_dir(data_dir, KEY) / "screening_log.csv"
    log = read_tables(path.parent, {"screening_log": schemas.SCREENING_LOG})["screening_log"]
    papers = datasets.load("bonfils2017_papers")
    linked = log[log["study_id"].notna()]
    problems = check_references(linked, papers.rename(columns={"paper_id": "study_id"}),
                                key="study_id", child_source=str(path),
                                parent_source="bonfils2017_papers")
    if problems:
        raise InputError(problems, source=str(path))
    return BonfilsData(papers, datasets.load("bonfils2017_framework"), log, printed(KEY))


# ------------------------------------------------------------------------ recomputations


def _ids(papers: pd.DataFrame, flag: str) -> str:
    return ", ".join(sorted(papers.loc[papers[flag], "paper_id"]))


def _tt_spelling(d: BonfilsData) -> str:
    cells = d.papers["theory"].dropna()
    names = {c.split()[0] for c in cells if "thornicroft" in c.casefold()}
    return "; ".join(sorted(names))


def _top_reasons(d: BonfilsData, k: int = 2) -> str:
    r = d.flow.reasons.groupby("reason")["n"].sum().sort_values(ascending=False, kind="stable")
    return "; ".join(sorted(r.index[:k]))


THEORY_WORDS = ("theor", "model", "framework")
"""Stems by which a theoretical-approach cell names a theory, model or framework of
implementation (:func:`names_a_theory`)."""


def names_a_theory(cell) -> bool:
    """Whether a theoretical-approach cell names a theory, model or framework.

    The paper counts five studies that "describe a clear theoretical approach
    or model" (source 003 line 61); its table fills the column for six. This
    rule reads the cell for the words theory, model or framework; an entry
    that names only a method ("Ethnographic approach") does not count.

    Examples
    --------
    >>> names_a_theory("Implementation theory – six core elements for successful change")
    True
    >>> names_a_theory("Ethnographic approach"), names_a_theory(None)
    (False, False)
    """
    return isinstance(cell, str) and _has(cell.casefold(), THEORY_WORDS)


_DESIGN_RULE = ("pass under a documented rule (DESIGN_RULES): the paper does not say how it classed "
                "designs; filing the declared mixed-methods design of Markström et al. (line 100) as "
                "combined and Socialstyrelsen's web survey with interviews at 3 sites (line 118) as a "
                "survey gives the printed 6, 5 and 4; with the case study first and interviews "
                "before surveys the same cells give 7, 4 and 5")

# text lists of line 61, as our paper keys (names and years as printed there)
_FIDELITY_LIST = "boyce2008, cocks2009, killackey2008, knaeps2012, markstrom2015, marshall2008, " \
                 "shepherd2012, vanerp2007, waghorn2007"
_DETERMINANT_LIST = "bejerholm2011, boardman2013, killackey2008, knaeps2012, kostick2010, " \
                    "marshall2008, quimby2001, vanerp2007, waghorn2007"
_PROCESS_LIST = "becker2007, folkesson2014, markstrom2015, oldman2005, socialstyrelsen2014"


def _same_countries(d: BonfilsData) -> str:
    """The countries named again in the Discussion (line 159), as ISO codes."""
    return ", ".join(sorted({country_code(x.removeprefix("the ").removeprefix("The "))
                             for x in d.printed.items("countries_discussion")}))


def _claims() -> list[Claim]:
    c = claim_maker(KEY, SOURCE, REPORT)
    tr, ident, cal = "transcribed", "identity", "calibrated"

    def design(kind: str):
        return lambda d: n_studies(tally(d.papers, by="design_category"), "design_category", kind)

    def search(name: str, stage: str):
        return lambda d: d.flow.n(stage, group=name)

    def month(name: str):
        return lambda d: d.log.loc[d.log["search"] == name, "search_date"].max().strftime("%Y-%m")

    def listed(name: str):
        return lambda d: d.printed.count(name)

    def cited(id_, line, quantity, value, reference, **kw):
        return c(id_, line, quantity, value, None, basis="cited", reference=reference, **kw)

    return [
        # ---------------------------------------------------------------- the introduction
        cited("cited_unemployment", 3, "unemployment of people with severe mental disorder against "
              "people with none (OECD 2012)", "3–6 times", "OECD (2012), as cited on line 3",
              unit="text"),
        c("core_principles", 3, "core principles of IPS, numbered 1 to 8", 8, listed("principles"),
          basis=tr, printed="8. Time-Unlimited"),
        cited("cited_origin", 5, "decade the IPS model was developed (Drake, Bond and Becker 2012)",
              "1980s", "Drake, Bond and Becker (2012), as cited on line 5", unit="text"),
        cited("cited_people", 5, "people in the studies of the systematic review cited "
              "(Kinoshita et al. 2013)", 2259, "Kinoshita et al. (2013), as cited on line 5",
              note="the review's own abstract figures are in the ips_reviews table (issue 19); "
                   "comparing them is left to that table's claims"),
        cited("cited_studies", 5, "studies in the systematic review cited (Kinoshita et al. 2013)", 14,
              "Kinoshita et al. (2013), as cited on line 5", printed="14 studies"),
        c("rinaldi_themes", 9, "challenges to implementation in Rinaldi et al.'s review, as listed", 4,
          listed("rinaldi_themes"), basis=tr, printed="four themes"),
        c("fixsen_stages", 15, "stages of the implementation process (Fixsen et al.), as listed", 6,
          listed("fixsen_stages"), basis=tr, printed="six stages"),
        c("nilsen_taxonomy", 17, "categories of Nilsen's taxonomy, enumerated first to fifth", 5,
          listed("nilsen_approaches"), basis=tr, printed="five categories"),
        # ---------------------------------------------------------------- methods
        c("search_steps", 25, "steps of the search, first and second", 2, listed("search_steps"),
          basis=tr, printed="two steps", lines=(27,)),
        c("since_1996", 37, "every paper meets the criterion 'published 1996 or later'", True,
          lambda d: bool(year_range(d.papers)[0] >= 1996), unit="yes/no", basis=tr,
          printed="since and including 1996"),
        c("screening_stages", 45, "stages of the screening, numbered", 2, listed("screening_stages"),
          basis=tr, printed="two stages"),
        c("stage1_screeners", 45, "team members named as the stage-1 screeners", 2,
          listed("stage1_screeners"), basis=tr, printed="two of the four team members",
          note="ISB and HH"),
        c("framework_levels", 53, "analytical levels of the framework", 4,
          lambda d: int(d.framework["level"].nunique()), basis=tr,
          printed="four analytical levels"),
        c("reviewers", 53, "reviewers named for the pilot, quality and extraction", 3,
          listed("reviewers"), basis=tr, printed="Three reviewers"),
        # ---------------------------------------------------------------- the table and its text
        c("papers", 57, "papers included (rows of Table 1)", 21, lambda d: len(d.papers),
          lines=(61, 169), basis=tr),
        c("first_year", 61, "earliest publication year", 2001,
          lambda d: year_range(d.papers)[0], unit="year", basis=tr),
        c("last_year", 61, "latest publication year", 2015,
          lambda d: year_range(d.papers)[1], unit="year", basis=tr),
        c("countries", 61, "countries of the papers", None,
          lambda d: int(d.papers["country_code"].nunique()), lines=(159,), basis=tr, counted=7,
          note="line 61 names seven countries (counted by us); Boardman 2013 (line 77) prints none"),
        c("country_set", 61, "the countries themselves (ISO codes)", "AU, BE, CA, GB, NL, SE, US",
          lambda d: codes(d.papers["country_code"]), unit="text", lines=(159,), basis=tr,
          printed="USA, Australia, UK, Canada, Sweden, the Netherlands and Belgium",
          note="compared as ISO 3166 codes (the table prints 'Netherland')"),
        c("countries_repeated", 159, "the countries named again in the Discussion, against line 61's",
          "AU, BE, CA, GB, NL, SE, US", _same_countries, unit="text", basis=tr, lines=(61,),
          printed="USA, Australia, Canada, UK, Sweden, The Netherlands and Belgium"),
        c("after_first_search", 57,
          "papers published after the first search (2014 or later), i.e. found by the second",
          3, lambda d: int((d.papers["year"] >= 2014).sum()), lines=(27,), basis=tr,
          printed="3 were included",
          note="pass under a documented rule: the table has no search column; the three papers "
               "dated 2014-2015 are the only ones the October 2013 search could not have found"),
        c("case_study_designs", 61, "papers with a case-study design", 6, design("case_study"),
          basis=tr, printed="six studies", note=_DESIGN_RULE),
        c("combined_designs", 61,
          "papers combining interviews with observation or document analysis", 5,
          design("interviews_with_observation_or_documents"), basis=tr, printed="five studies",
          note=_DESIGN_RULE),
        c("interview_designs", 61, "papers based on interviews (alone)", 4,
          design("interviews"), basis=tr, printed="four studies", note=_DESIGN_RULE),
        c("theoretical_approach", 61, "papers whose theoretical-approach cell names a theory, model "
          "or framework", 5, lambda d: int(d.papers["theory"].map(names_a_theory).sum()),
          lines=(110,), basis=tr, printed="Five studies",
          note=("pass under a documented rule (names_a_theory): the column is filled for six "
                "papers; Quimby et al.'s entry, 'Ethnographic approach' (line 110), names a method, "
                "and the five left are the ones line 61 names")),
        c("tansella_thornicroft", 61, "papers using the Tansella and Thornicroft model", 2,
          lambda d: int(d.papers["theory"].fillna("").str.contains("Thornicroft").sum()),
          lines=(87, 112), basis=tr, printed="Two of these studies"),
        c("tt_spelling", 61, "spelling of the model's first author in the table", "Tansella",
          _tt_spelling, unit="text", lines=(87, 112), basis=tr,
          versus=((87, "Transella (Hasson et al.)"), (112, "Transella (Rinaldi et al.)")),
          erratum=("The text names the model's authors Tansella and Thornicroft (line 61); "
                   "both table rows that use it spell the name 'Transella' (lines 87 and 112).")),
        c("rinaldi_phases", 61, "phases of implementation in Rinaldi et al., as the table lists them",
          3, listed("rinaldi_phases"), basis=tr, printed="three phases", lines=(113,)),
        c("schneider_elements", 61, "core elements of Schneider and Akhta's theory, as the table "
          "gives them", 6, lambda d: d.printed.n("schneider_elements_table"), basis=ident,
          printed="six core elements", lines=(114,)),
        c("nilsen_categories_used", 17,
          "categories of Nilsen's five-part taxonomy used in the interpretation column", 5,
          lambda d: int(d.papers[["process_model", "determinant_framework", "classic_theories",
                                  "implementation_theory", "evaluation_framework"]]
                        .any().sum()), basis=tr, printed="five categories"),
        c("fidelity_papers", 61, "papers based on or including fidelity studies (paper keys)",
          _FIDELITY_LIST, lambda d: _ids(d.papers, "fidelity_study"), unit="text", basis=tr,
          note="rule: the interpretation cell mentions fidelity (NILSEN_RULES)"),
        c("determinant_papers", 61, "papers drawing on a determinant framework (paper keys)",
          _DETERMINANT_LIST, lambda d: _ids(d.papers, "determinant_framework"), unit="text",
          lines=(87, 100, 119), basis=tr,
          versus=((87, "Hasson et al.: determinant framework"),
                  (100, "Markström et al.: determinant framework"),
                  (119, "Socialstyrelsen: combined with determinant framework")),
          query=("Line 61 introduces its list of nine with 'some of these studies'. Read as "
                 "examples, it agrees: every listed paper carries a determinant label in the "
                 "table. Read as the complete set, the table labels three more (Hasson et al., "
                 "Markström et al., Socialstyrelsen); read as the papers that combine fidelity with "
                 "a determinant framework, four listed papers show no fidelity part (Bejerholm, "
                 "Boardman, Kostick, Quimby) and Markström et al., which has both, is missing.")),
        c("process_papers", 61, "papers taking a process-model approach (paper keys)",
          _PROCESS_LIST, lambda d: _ids(d.papers, "process_model"), unit="text",
          lines=(112,), basis=tr, versus=((112, "Rinaldi et al.: process model"),),
          query=("Line 61 introduces its list of five with 'some of these studies'. Read as "
                 "examples, it agrees: every listed paper carries a process label in the table. "
                 "Read as the complete set, Rinaldi et al., labelled a process model (line 112), "
                 "is missing.")),
        c("becker_states", 73, "states of Becker et al.'s dissemination: study location against aim", 6,
          lambda d: d.printed.n("becker_states_aim"), basis=ident, printed="Six states"),
        c("menear_provinces", 163, "Canadian provinces in Menear et al., Discussion against the table", 3,
          lambda d: d.printed.n("menear_provinces_table"), basis=ident, printed="three provinces",
          lines=(106,)),
        c("oldman_period", 109, "years of the transformation Oldman et al. examine: interpretation "
          "against aim", 15, lambda d: d.printed.n("oldman_period_aim"), basis=ident,
          printed="15-years period", lines=(108,)),
        c("socialstyrelsen_sites", 118, "IPS sites of the Socialstyrelsen trial: location against "
          "the municipalities of its aim", 32,
          lambda d: d.printed.n("socialstyrelsen_municipalities"), basis=ident,
          printed="32 IPS sites"),
        c("waghorn_sites", 122, "sites and states of Waghorn et al.: location against aim",
          "7 sites, 4 states",
          lambda d: f"{d.printed.n('waghorn_sites_aim')} sites, {d.printed.n('waghorn_states_aim')} states",
          unit="text", basis=ident, printed="Seven sites in four states"),
        c("kostick_factors", 153, "principal factors in Kostick et al.: the first two and the two "
          "others", 4, lambda d: d.printed.n("kostick_first") + d.printed.n("kostick_other"),
          basis=ident, printed="four principal factors"),
        c("findings_sections", 169, "Findings sections that report the levels", None,
          lambda d: int(d.framework["findings_line"].nunique()), lines=(133, 141, 151), basis=tr,
          counted=3,
          note="the conclusion names three levels (counted by us); the group level (cooperation) "
               "is reported with the organisational level under one heading (line 141)"),
        # ---------------------------------------------------------------- screening
        c("records_search_1", 57, "records identified by the first search (2013)", 261,
          search("search_1", "identified"), basis=cal),
        c("records_search_2", 57, "records identified by the second search (April 2015)", 85,
          search("search_2", "identified"), basis=cal),
        c("screened", 157, "titles and abstracts screened: 261 + 85 (line 57)", 346,
          lambda d: d.printed.n("records_search_1") + d.printed.n("records_search_2"),
          basis=ident, lines=(57,)),
        c("included_search_1", 57, "papers included from the first search", 18,
          search("search_1", "included"), basis=cal, printed="Eighteen"),
        c("included_search_2", 57, "papers included from the second search", 3,
          search("search_2", "included"), basis=cal),
        c("included", 57, "papers included altogether: 18 + 3", 21,
          lambda d: d.printed.n("included_search_1") + d.printed.n("included_search_2"),
          lines=(169,), basis=ident, printed="Altogether 21"),
        c("reference_list_records", 57, "the first search included reference-list checking",
          True, lambda d: bool(((d.log["search"] == "search_1")
                                & (d.log["source"] == "reference_list")).any()),
          unit="yes/no", basis=cal, printed="reference list checking"),
        c("search_1_month", 27, "month of the first search", "2013-10", month("search_1"),
          unit="text", basis=cal, printed="October 2013"),
        c("search_2_month", 27, "month of the second search", "2015-04", month("search_2"),
          unit="text", lines=(57,), basis=cal, printed="April 2015"),
        c("main_exclusion_reasons", 57, "the two most frequent reasons for exclusion", None,
          _top_reasons, unit="text", basis=cal,
          counted="implementation not evaluated; not about IPS",
          note="line 57 gives the two reasons in words; the labels are ours"),
    ]


CLAIMS = ClaimSet(key=KEY, title="Review of 21 papers on IPS implementation (source 003)",
                  load=load, claims=_claims)

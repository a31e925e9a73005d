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
from ipsresearch.studies._common import claim_maker, codes, n_studies, study_dir
from ipsresearch.synthesis.screening import PrismaFlow, prisma_flow
from ipsresearch.synthesis.study_table import fold, tally, year_range
from ipsresearch.validation import InputError, check_references, read_csv

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
    ("case_study", "mentions a case study"),
    ("interviews_with_observation_or_documents",
     "mentions interviews and also observation or documents (document, records, policies)"),
    ("interviews", "mentions interviews"),
    ("fidelity_assessment", "mentions fidelity"),
    ("observation", "mentions observation or ethnography"),
    ("survey", "mentions a survey"),
    ("review", "mentions a review"),
    ("other", "none of the above"),
)
"""Design classes in order of precedence, with the rule for each: the first that applies wins."""

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
    whole cell, so a mixed design that includes case studies counts as a
    case study, and interviews beside a web survey count as interviews.

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
    """
    t = str(design).casefold()
    if "case stud" in t:
        return "case_study"
    if _has(t, _INTERVIEW) and (_has(t, _OBSERVATION) or _has(t, _DOCUMENTS)):
        return "interviews_with_observation_or_documents"
    if _has(t, _INTERVIEW):
        return "interviews"
    if "fidelity" in t:
        return "fidelity_assessment"
    if _has(t, _OBSERVATION) or "ethnograph" in t:
        return "observation"
    if "survey" in t:
        return "survey"
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
    """Source 003's tables: ``papers``, ``framework`` and the screening ``log``."""

    papers: pd.DataFrame
    framework: pd.DataFrame
    log: pd.DataFrame

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
    log = read_csv(path, schemas.SCREENING_LOG)
    papers = datasets.load("bonfils2017_papers")
    linked = log[log["study_id"].notna()]
    problems = check_references(linked, papers.rename(columns={"paper_id": "study_id"}),
                                key="study_id", child_source=str(path),
                                parent_source="bonfils2017_papers")
    if problems:
        raise InputError(problems, source=str(path))
    return BonfilsData(papers, datasets.load("bonfils2017_framework"), log)


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


_AMBIGUOUS = ("Ambiguous: the text does not say how it classed the designs. By the rule "
              "design_category (first match: case study; interviews with observation or "
              "documents; interviews; ...) the table's cells give 7 case studies, 4 combined "
              "designs and 5 interview designs. Counting Markström et al.'s mixed-methods "
              "design (which includes case studies at 3 sites) as combined, and "
              "Socialstyrelsen's web survey with interviews as a survey, would give the "
              "printed 6, 5 and 4, but the printed cells do not support one reading over the "
              "other.")

# text lists of line 61, as our paper keys (names and years as printed there)
_FIDELITY_LIST = "boyce2008, cocks2009, killackey2008, knaeps2012, markstrom2015, marshall2008, " \
                 "shepherd2012, vanerp2007, waghorn2007"
_DETERMINANT_LIST = "bejerholm2011, boardman2013, killackey2008, knaeps2012, kostick2010, " \
                    "marshall2008, quimby2001, vanerp2007, waghorn2007"
_PROCESS_LIST = "becker2007, folkesson2014, markstrom2015, oldman2005, socialstyrelsen2014"


def _claims() -> list[Claim]:
    c = claim_maker(KEY, SOURCE, REPORT)

    def design(kind: str):
        return lambda d: n_studies(tally(d.papers, by="design_category"), "design_category", kind)

    def search(name: str, stage: str):
        return lambda d: d.flow.n(stage, group=name)

    def month(name: str):
        return lambda d: d.log.loc[d.log["search"] == name, "search_date"].max().strftime("%Y-%m")

    return [
        # ---------------------------------------------------------------- the table
        c("papers", 57, "papers included (rows of Table 1)", 21, lambda d: len(d.papers),
          lines=(61, 169)),
        c("first_year", 61, "earliest publication year", 2001,
          lambda d: year_range(d.papers)[0], unit="year"),
        c("last_year", 61, "latest publication year", 2015,
          lambda d: year_range(d.papers)[1], unit="year"),
        c("countries", 61, "countries of the papers", 7,
          lambda d: int(d.papers["country_code"].nunique()), lines=(159,),
          note="Boardman 2013 (line 77) prints no country"),
        c("country_set", 61, "the countries themselves (ISO codes)", "AU, BE, CA, GB, NL, SE, US",
          lambda d: codes(d.papers["country_code"]), unit="text", lines=(159,),
          note="printed as USA, Australia, UK, Canada, Sweden, the Netherlands and Belgium; "
               "compared as ISO 3166 codes (the table prints 'Netherland')"),
        c("since_1996", 37, "every paper meets the criterion 'published 1996 or later'", True,
          lambda d: bool(year_range(d.papers)[0] >= 1996), unit="yes/no"),
        c("after_first_search", 57,
          "papers published after the first search (2014 or later), i.e. found by the second",
          3, lambda d: int((d.papers["year"] >= 2014).sum()), lines=(27,),
          note="the table has no search column; the three papers dated 2014-2015 are the "
               "only ones the October 2013 search could not have found"),
        c("case_study_designs", 61, "papers with a case-study design", 6, design("case_study"),
          erratum=_AMBIGUOUS),
        c("combined_designs", 61,
          "papers combining interviews with observation or document analysis", 5,
          design("interviews_with_observation_or_documents"), erratum=_AMBIGUOUS),
        c("interview_designs", 61, "papers based on interviews (alone)", 4,
          design("interviews"), erratum=_AMBIGUOUS),
        c("theoretical_approach", 61, "papers with a theoretical approach in the table", 5,
          lambda d: int(d.papers["theory"].notna().sum()), lines=(110,),
          erratum=("Line 61 counts five studies with a clear theoretical approach and names "
                   "them (Hasson, Rinaldi, Schneider and Akhta, Menear, Markström), but the "
                   "table's theoretical-approach column is filled for six papers: Quimby et "
                   "al. also has one ('Ethnographic approach', line 110).")),
        c("tansella_thornicroft", 61, "papers using the Tansella and Thornicroft model", 2,
          lambda d: int(d.papers["theory"].fillna("").str.contains("Thornicroft").sum()),
          lines=(87, 112)),
        c("tt_spelling", 61, "spelling of the model's first author in the table", "Tansella",
          _tt_spelling, unit="text", lines=(87, 112),
          erratum=("The text names the model's authors Tansella and Thornicroft (line 61); "
                   "both table rows that use it spell the name 'Transella' (lines 87 and 112).")),
        c("nilsen_categories_used", 17,
          "categories of Nilsen's five-part taxonomy used in the interpretation column", 5,
          lambda d: int(d.papers[["process_model", "determinant_framework", "classic_theories",
                                  "implementation_theory", "evaluation_framework"]]
                        .any().sum())),
        c("fidelity_papers", 61, "papers based on or including fidelity studies (paper keys)",
          _FIDELITY_LIST, lambda d: _ids(d.papers, "fidelity_study"), unit="text",
          note="rule: the interpretation cell mentions fidelity (NILSEN_RULES)"),
        c("determinant_papers", 61, "papers drawing on a determinant framework (paper keys)",
          _DETERMINANT_LIST, lambda d: _ids(d.papers, "determinant_framework"), unit="text",
          lines=(87, 100, 119),
          erratum=("Line 61 lists nine papers for the determinant-framework approach; the "
                   "table's interpretation column names a determinant framework for three "
                   "more: Hasson et al. (lines 87-88), Markström et al. (line 100) and "
                   "Socialstyrelsen (line 119). Read as the list of papers that combine "
                   "fidelity with a determinant framework, it fits no better: it includes four "
                   "papers whose interpretation has no fidelity part (Bejerholm, Boardman, "
                   "Kostick, Quimby) and leaves out Markström et al., which has both.")),
        c("process_papers", 61, "papers taking a process-model approach (paper keys)",
          _PROCESS_LIST, lambda d: _ids(d.papers, "process_model"), unit="text",
          lines=(112,),
          erratum=("Line 61 lists five papers for the process-model approach; the table "
                   "also labels Rinaldi et al. a process model (line 112), which the list "
                   "leaves out.")),
        c("individual_level_half", 153,
          "'half of the papers' is a whole number of the included papers", True,
          lambda d: bool(len(d.papers) % 2 == 0), unit="yes/no", lines=(57,),
          erratum=("Line 153 says half of the papers report individual-level factors, but "
                   "there are 21 papers (line 57): half is 10.5, so the share is 10 or 11 "
                   "of 21 (48% or 52%), not exactly half.")),
        c("framework_levels", 53, "analytical levels of the framework", 4,
          lambda d: int(d.framework["level"].nunique())),
        c("findings_sections", 169, "Findings sections that report the levels", 3,
          lambda d: int(d.framework["findings_line"].nunique()), lines=(133, 141, 151),
          note="the group level (cooperation) is reported with the organisational level "
               "under one heading (line 141), so four levels give three sections"),
        # ---------------------------------------------------------------- screening
        c("records_search_1", 57, "records identified by the first search (2013)", 261,
          search("search_1", "identified")),
        c("records_search_2", 57, "records identified by the second search (April 2015)", 85,
          search("search_2", "identified")),
        c("screened", 157, "titles and abstracts screened", 346,
          lambda d: d.flow.n("screened")),
        c("included_search_1", 57, "papers included from the first search", 18,
          search("search_1", "included")),
        c("included_search_2", 57, "papers included from the second search", 3,
          search("search_2", "included")),
        c("included", 57, "papers included altogether", 21, lambda d: d.flow.n("included"),
          lines=(169,)),
        c("reference_list_records", 57, "the first search included reference-list checking",
          True, lambda d: bool(((d.log["search"] == "search_1")
                                & (d.log["source"] == "reference_list")).any()),
          unit="yes/no"),
        c("search_1_month", 27, "month of the first search", "2013-10", month("search_1"),
          unit="text"),
        c("search_2_month", 27, "month of the second search", "2015-04", month("search_2"),
          unit="text", lines=(57,)),
        c("main_exclusion_reasons", 57, "the two most frequent reasons for exclusion",
          "implementation not evaluated; not about IPS", _top_reasons, unit="text",
          note="the log's reason labels are ours; line 57 gives the two reasons in words"),
    ]


CLAIMS = ClaimSet(key=KEY, title="Review of 21 papers on IPS implementation (source 003)",
                  load=load, claims=_claims)

"""Source 001: meta-ethnography of 17 qualitative IPS studies (Moen, Walseth & Larsen 2021).

Data
----
``moen2021_studies``
    Table 1 of the paper (source lines 80-97), one row per included study:
    every cell as printed plus parsed columns (country code, kind of
    method, sample counts per role, fidelity label, score range and
    IPS-25 bands). Parsed columns are derived from the printed cells by
    :func:`parse_table`; a test re-derives them and re-reads every printed
    cell on its source line.
``moen2021_references``
    The paper's reference list (lines 192-248): number, first author, year.
``moen2021/screening_log.csv``
    Synthetic record-level screening log (see
    :mod:`ipsresearch.synthetic.reviews`) whose counts give the flow the
    paper describes on lines 55-57.

Claims
------
What the paper states about its 17 studies is recomputed from Table 1 and
the reference list (``transcribed``: these checks can catch a text that
disagrees with its own table), its arithmetic from the numbers it prints
(``identity``: 478 + 49 against 519, 40 - 1 against 39), and the screening
flow from the synthetic log (``calibrated``: a demonstration of the flow
functions, since the log was generated to contain the printed counts).
Where two printed statements disagree the claim is an erratum that names
both lines and values; where the paper admits two readings it is a query
that names the reading under which it agrees. The fidelity bands of line 68
(the 73 gap) belong to :mod:`ipsresearch.studies.fidelity_claims`, the
cited 40 per cent to :mod:`ipsresearch.studies.job_retention` and the key
metaphors of lines 109-111 to :mod:`ipsresearch.studies.moen2021_metaphors`.

References
----------
Moen EÅ, Walseth LT, Larsen IB. Scand J Caring Sci 2021;35:343-352
(meta-ethnography of qualitative studies of IPS participation).
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch import datasets, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.fidelity import IPS25_BANDS, MIN_TOTAL, classify, make_bands
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
from ipsresearch.synthesis.study_table import (
    country_code,
    fold,
    participants_by_role,
    tally,
    year_range,
)
from ipsresearch.validation import (
    InputError,
    Problem,
    Schema,
    check_references,
    read_text,
    validate,
)

__all__ = [
    "CLAIMS",
    "PRINTED_COLUMNS",
    "ROLES",
    "UNITS",
    "MoenData",
    "aim_names_difficulties",
    "load",
    "match_references",
    "parse_fidelity",
    "parse_method",
    "parse_sample",
    "parse_table",
    "read_studies",
]

SOURCE = SOURCES["moen2021"].file
REPORT = "02-meta-ethnography"
KEY = "moen2021"

ROLES: dict[str, str] = {
    "work_applicants": "n_work_applicants",
    "employment_specialists": "n_employment_specialists",
    "social_workers": "n_social_workers",
    "clinicians": "n_clinicians",
}
"""The four actor groups of the review (line 76) -> count column of the study table."""

UNITS: dict[str, str] = {"units": "n_units"}
"""Non-person units in a sample (sites, teams); kept apart from people."""

_SAMPLE_CODES = {"wa": "n_work_applicants", "es": "n_employment_specialists",
                 "sw": "n_social_workers", "c": "n_clinicians", "unit": "n_units", "units": "n_units"}
_SAMPLE_ITEM = re.compile(r"^(\d+)\s*([A-Za-z]+)$")

PRINTED_COLUMNS = ["study_id", "source_line", "author", "year", "country", "method", "sample",
                   "aim", "part_of_rct", "fidelity"]
"""Columns holding Table 1's cells as printed (plus our key and the line)."""

AIM_DIFFICULTY_WORDS = ("challeng", "barrier", "dilemma")
"""Word stems by which :func:`aim_names_difficulties` recognises an aim about difficulties."""


# ------------------------------------------------------------------------ parsing


def parse_sample(cell: str) -> dict[str, int]:
    """Counts per role in a sample cell such as ``"15 WA, 3 ES, 3 SW, 10 C,"``.

    Codes follow Table 1's legend: WA work applicants, ES employment
    specialists, SW social workers, C clinicians; ``units`` are not people
    and are counted apart. A trailing comma (as printed once) is ignored.

    Returns
    -------
    dict
        ``n_work_applicants, n_employment_specialists, n_social_workers,
        n_clinicians, n_units`` (0 where a role is not listed).

    Raises
    ------
    ValueError
        A part of the cell is not ``<number> <code>`` with a known code,
        or a code repeats.

    Examples
    --------
    >>> parse_sample("7 units, 3ES")
    {'n_work_applicants': 0, 'n_employment_specialists': 3, 'n_social_workers': 0, 'n_clinicians': 0, 'n_units': 7}
    >>> parse_sample("12 WA")["n_work_applicants"]
    12
    """
    out = dict.fromkeys([*ROLES.values(), "n_units"], 0)
    seen: set[str] = set()
    parts = [p.strip() for p in str(cell).split(",")]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if not parts or any(p == "" for p in parts):
        raise ValueError(f"sample {cell!r} has an empty part")
    for part in parts:
        m = _SAMPLE_ITEM.match(part)
        code = fold(m.group(2)) if m else None
        if m is None or code not in _SAMPLE_CODES:
            raise ValueError(f"sample part {part!r} is not a count followed by "
                             f"WA, ES, SW, C or units")
        column = _SAMPLE_CODES[code]
        if column in seen:
            raise ValueError(f"sample {cell!r} lists {m.group(2)} twice")
        seen.add(column)
        out[column] = int(m.group(1))
    return out


_METHOD_SPLIT = re.compile(r"^(.*?\b(?:interview|study|questions|ethnography))\b\s*(.*)$",
                           re.IGNORECASE)


def parse_method(cell: str) -> tuple[str, str, str | None]:
    """Kind of study, data collection and analysis in a method cell.

    Rules (applied to the printed text, case-insensitive):

    * kind: ``case_study`` if the cell mentions a case study, else
      ``ethnography`` if it mentions ethnography, else ``survey`` if it
      mentions a survey, else ``interview`` if it mentions an interview;
    * the data collection is the text up to and including the first of the
      words *interview*, *study*, *questions* or *ethnography*; the rest,
      if any, is the analysis approach.

    Raises
    ------
    ValueError
        None of the rules applies.

    Examples
    --------
    >>> parse_method("Semi-structured interview Content analysis")
    ('interview', 'Semi-structured interview', 'Content analysis')
    >>> parse_method("Open-ended survey with open-ended questions")
    ('survey', 'Open-ended survey with open-ended questions', None)
    """
    text = re.sub(r"\s+", " ", str(cell)).strip()
    low = text.casefold()
    if "case stud" in low:
        kind = "case_study"
    elif "ethnograph" in low:
        kind = "ethnography"
    elif "survey" in low:
        kind = "survey"
    elif "interview" in low:
        kind = "interview"
    else:
        raise ValueError(f"method {cell!r} names no case study, ethnography, survey or interview")
    m = _METHOD_SPLIT.match(text)
    if m is None:
        raise ValueError(f"method {cell!r} has no recognisable data collection")
    analysis = m.group(2).strip() or None
    return kind, m.group(1).strip(), analysis


def _band_of_word(word: str, bands: pd.DataFrame) -> str | None:
    key = fold(word).replace("_", " ")
    for name in bands["band"]:
        if fold(name).replace("_", " ") == key:
            return str(name)
    return None


def parse_fidelity(cell: str | None, *, bands: pd.DataFrame | None = None) -> dict[str, object]:
    """Label, score range and bands of a fidelity cell such as ``"Good–Exemplary (110–117)"``.

    Parameters
    ----------
    cell : str or None
        The cell as printed; blank means the study gave no fidelity.
    bands : pandas.DataFrame, optional
        Band table (default :data:`ipsresearch.fidelity.IPS25_BANDS`).

    Returns
    -------
    dict
        ``fidelity_label``: the text before the first parenthesis;
        ``fidelity_label_bands``: the bands the label names, from its first
        to its last named band, ``;``-separated (``None`` when a word of the
        label is not a band name, e.g. "High");
        ``fidelity_min`` and ``fidelity_max``: the lowest and highest number
        printed in the cell, whatever their order or grouping;
        ``fidelity_bands``: the bands that totals from ``fidelity_min`` to
        ``fidelity_max`` fall in, by :func:`ipsresearch.fidelity.classify`.

    Examples
    --------
    >>> parse_fidelity("Good–Exemplary (110–117)")["fidelity_bands"]
    'good;exemplary'
    >>> r = parse_fidelity("High (73–67) (75)")
    >>> r["fidelity_label_bands"], r["fidelity_min"], r["fidelity_max"], r["fidelity_bands"]
    (None, 67, 75, 'not_ips;fair')
    >>> parse_fidelity("Fair–Good")["fidelity_label_bands"]
    'fair;good'
    """
    b = IPS25_BANDS if bands is None else bands
    empty: dict[str, object] = {"fidelity_label": None, "fidelity_label_bands": None,
                                "fidelity_min": None, "fidelity_max": None, "fidelity_bands": None}
    if cell is None or pd.isna(cell) or not str(cell).strip():
        return empty
    text = re.sub(r"\s+", " ", str(cell)).strip()
    label = text.split("(", 1)[0].strip()
    numbers = [int(n) for n in re.findall(r"\d+", text[len(label):])]
    words = [w for w in re.split(r"\s*[–-]\s*", label) if w]
    named = [_band_of_word(w, b) for w in words]
    label_bands = None
    if named and all(n is not None for n in named):
        order = list(b["band"])
        lo, hi = sorted(order.index(n) for n in (named[0], named[-1]))
        label_bands = ";".join(order[lo:hi + 1])
    out = {**empty, "fidelity_label": label or None, "fidelity_label_bands": label_bands}
    if numbers:
        lo, hi = min(numbers), max(numbers)
        got = classify(np.arange(lo, hi + 1), bands=b)
        spanned = [str(n) for n in dict.fromkeys(got) if n is not None]
        out.update(fidelity_min=lo, fidelity_max=hi, fidelity_bands=";".join(spanned) or None)
    return out


def aim_names_difficulties(aims) -> pd.Series:
    """Whether each aim is about difficulties: it names a challenge, barrier or dilemma.

    The rule is the word stems in :data:`AIM_DIFFICULTY_WORDS`, matched
    case-insensitively in the aim as printed.

    Examples
    --------
    >>> aim_names_difficulties(["Identify initial barriers", "Support and process in IPS"]).tolist()
    [True, False]
    """
    s = pd.Series(aims, dtype="string").fillna("").str.casefold()
    return s.apply(lambda a: any(w in a for w in AIM_DIFFICULTY_WORDS)).astype(bool)


def _printed_schema() -> Schema:
    cols = [c for c in schemas.MOEN2021_STUDIES.columns if c.name in PRINTED_COLUMNS]
    return Schema(schemas.MOEN2021_STUDIES.name, cols, key=("study_id",),
                  description=schemas.MOEN2021_STUDIES.description)


def parse_table(printed: pd.DataFrame, *, source: str = "moen2021_studies") -> pd.DataFrame:
    """Derive the parsed columns of a Table-1-like frame from its printed cells.

    Parameters
    ----------
    printed : pandas.DataFrame
        At least :data:`PRINTED_COLUMNS` (other columns are ignored and rebuilt).
    source : str
        Name used in error messages (a file name, for instance).

    Returns
    -------
    pandas.DataFrame
        All columns of :data:`ipsresearch.schemas.MOEN2021_STUDIES`, in
        schema order, validated.

    Raises
    ------
    ipsresearch.validation.InputError
        Listing every cell that breaks the schema or cannot be parsed, with
        its row (header = row 1), column and value.
    """
    missing = [c for c in PRINTED_COLUMNS if c not in printed.columns]
    if missing:
        raise InputError([Problem(source, 1, c, "column is missing",
                                  f"the columns {', '.join(PRINTED_COLUMNS)}") for c in missing])
    base = validate(printed[PRINTED_COLUMNS], _printed_schema(), source=source)
    problems: list[Problem] = []
    rows = []
    for i, r in base.iterrows():
        row: dict[str, object] = {}
        spreadsheet_row = int(i) + 2
        try:
            row["country_code"] = country_code(r["country"])
        except KeyError as exc:
            problems.append(Problem(source, spreadsheet_row, "country", str(exc.args[0])))
        try:
            kind, collection, analysis = parse_method(r["method"])
            row.update(method_type=kind, data_collection=collection, analysis=analysis)
        except ValueError as exc:
            problems.append(Problem(source, spreadsheet_row, "method", str(exc),
                                    "a case study, ethnography, survey or interview"))
        try:
            row.update(parse_sample(r["sample"]))
        except ValueError as exc:
            problems.append(Problem(source, spreadsheet_row, "sample", str(exc),
                                    "counts such as '17 WA, 3 ES, 7 units'"))
        row.update(parse_fidelity(r["fidelity"]))
        rows.append(row)
    if problems:
        raise InputError(problems, source=source)
    parsed = pd.DataFrame(rows, index=base.index)
    full = base.join(parsed)
    return validate(full[schemas.MOEN2021_STUDIES.names], schemas.MOEN2021_STUDIES, source=source)


def read_studies(path: str | os.PathLike) -> pd.DataFrame:
    """Read a study table with Table 1's printed columns and derive the parsed ones.

    This is the entry point for a review team's own extraction sheet laid
    out like source 001's Table 1 (see :data:`PRINTED_COLUMNS`).
    """
    text = read_text(path, what="a CSV file of studies")
    frame = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
    return parse_table(frame.where(frame != "", None), source=str(path))


# ------------------------------------------------------------------------ data


STUDIES = datasets.EXTRACTED["moen2021_studies"]
REFERENCES = datasets.EXTRACTED["moen2021_references"]


@dataclass(frozen=True)
class MoenData:
    """Source 001's tables.

    Attributes
    ----------
    studies : pandas.DataFrame
        Table 1 (``moen2021_studies``).
    references : pandas.DataFrame
        The reference list (``moen2021_references``).
    log : pandas.DataFrame
        The screening log (synthetic unless a user's directory holds one).
    printed : Printed or None
        What the paper prints (numbers and lists), for the identity claims.
    """

    studies: pd.DataFrame
    references: pd.DataFrame
    log: pd.DataFrame
    printed: Printed | None = None

    @property
    def flow(self) -> PrismaFlow:
        """The screening flow counted from the log, by search."""
        return prisma_flow(self.log, by="search", validated=True)

    def roles(self, *, by: str | list[str] | None = None) -> pd.DataFrame:
        """Participants and studies per actor group (see :func:`participants_by_role`)."""
        return participants_by_role(self.studies, roles=ROLES, by=by)


def load(data_dir: str | os.PathLike | None = None) -> MoenData:
    """Load Table 1, the reference list and the screening log of source 001.

    The log is read from ``<data_dir>/moen2021/screening_log.csv`` (default:
    the shipped synthetic data); its included records must name studies of
    Table 1.
    """
    path = study_dir(data_dir, KEY) / "screening_log.csv"
    log = read_tables(path.parent, {"screening_log": schemas.SCREENING_LOG})["screening_log"]
    studies = datasets.load("moen2021_studies")
    problems = check_references(log[log["study_id"].notna()], studies, key="study_id",
                                child_source=str(path), parent_source="moen2021_studies")
    if problems:
        raise InputError(problems, source=str(path))
    return MoenData(studies, datasets.load("moen2021_references"), log, printed(KEY))


def match_references(studies: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Reference entries of each study, matched on first author's surname and year.

    Surnames are compared without case or accents (Table 1 prints "Lexen",
    the list "Lexén"). A study with several candidate entries (two papers by
    the same first author in one year) gets one row per candidate.

    Returns
    -------
    pandas.DataFrame
        ``study_id, ref_number`` with ``ref_number`` missing (``<NA>``)
        for a study that has no entry.
    """
    def surname(text: pd.Series) -> pd.Series:
        return text.astype(str).map(lambda s: fold(re.split(r"[ ,]", s.strip(), maxsplit=1)[0]))

    left = pd.DataFrame({"study_id": studies["study_id"], "_name": surname(studies["author"]),
                         "_year": studies["year"].astype(int)})
    right = pd.DataFrame({"ref_number": references["ref_number"].astype("Int64"),
                          "_name": surname(references["first_author"]),
                          "_year": references["year"].astype(int)})
    out = left.merge(right, on=["_name", "_year"], how="left")
    return out[["study_id", "ref_number"]].astype({"ref_number": "Int64"})


# ------------------------------------------------------------------------ recomputations


def _role_studies(d: MoenData, role: str, *, where: pd.Series | None = None) -> int:
    s = d.studies if where is None else d.studies[where]
    t = participants_by_role(s, roles=ROLES)
    return int(t.loc[t["role"] == role, "n_studies"].iloc[0])


def _cited_with_role(d: MoenData, ref_numbers: tuple[int, ...], column: str) -> int:
    links = match_references(d.studies, d.references)
    ids = links.loc[links["ref_number"].isin(ref_numbers), "study_id"].unique()
    cited = d.studies[d.studies["study_id"].isin(ids)]
    return int((cited[column] > 0).sum())


def _groups_covered(d: MoenData, kinds: tuple[str, ...]) -> int:
    """Actor groups listed in the samples of the studies of ``kinds``, taken together."""
    chosen = d.studies[d.studies["method_type"].isin(kinds)]
    return int((participants_by_role(chosen, roles=ROLES)["n_studies"] > 0).sum())


def printed_bands(p: Printed) -> pd.DataFrame:
    """The IPS-25 bands exactly as line 68 prints them, built from the printed edges.

    "Not IPS" is below the printed 73 (so it ends at 72) and starts at the
    scale's minimum; the other bands are the printed ranges.
    """
    return make_bands({"not_ips": (MIN_TOTAL, p.n("not_ips_below") - 1),
                       "fair": (p.n("fair_low"), p.n("fair_high")),
                       "good": (p.n("good_low"), p.n("good_high")),
                       "exemplary": (p.n("exemplary_low"), p.n("exemplary_high"))})


_BAND_WORDS = {"not_ips": "Not IPS", "fair": "Fair", "good": "Good", "exemplary": "Exemplary"}


def _label_of_scores(d: MoenData, study_id: str) -> str:
    """The fidelity label line 68's bands give the scores printed in a Table 1 cell, written
    as the table writes labels (one band, or the lowest and highest joined by a dash)."""
    cell = d.studies.set_index("study_id").loc[study_id, "fidelity"]
    scores = [int(x) for x in re.findall(r"\d+", str(cell))]
    bands = printed_bands(d.printed)
    got = [b for b in dict.fromkeys(classify(sorted(scores), bands=bands)) if b is not None]
    names = [_BAND_WORDS[b] for b in got]
    return names[0] if len(names) == 1 else f"{names[0]}–{names[-1]}" if names else "no band"


def _surname(text: str) -> str:
    return fold(re.split(r"[ ,]", str(text).strip(), maxsplit=1)[0])


def _named_citations_matching(d: MoenData) -> int:
    """Named in-text citations whose first surname is the first author of the numbered entry."""
    refs = d.references.set_index("ref_number")["first_author"].map(_surname)
    hits = 0
    for item in d.printed.items("named_citations"):
        number = int(re.search(r"\((\d+)\)", item).group(1))
        hits += int(number in refs.index and refs[number] == _surname(item))
    return hits


def _results_cite_included(d: MoenData) -> bool:
    """Every reference cited under a key metaphor is one of the Table 1 studies."""
    cited = set(datasets.load("moen2021_metaphor_citations")["reference"].astype(int))
    links = match_references(d.studies, d.references)
    return cited <= set(links["ref_number"].dropna().astype(int))


def _claims() -> list[Claim]:
    c = claim_maker(KEY, SOURCE, REPORT)
    tr, ident, cal = "transcribed", "identity", "calibrated"

    def method(kind: str):
        return lambda d: n_studies(tally(d.studies, by="method_type"), "method_type", kind)

    def role_total(column: str):
        return lambda d: int(d.studies[column].sum())

    rct = lambda d: n_studies(tally(d.studies, by="part_of_rct"), "part_of_rct", True)  # noqa: E731
    interview = lambda d: d.studies["method_type"] == "interview"  # noqa: E731
    survey = lambda d: d.studies["method_type"] == "survey"  # noqa: E731
    sample_note = "counted by us from the sample column of Table 1 (lines 81-97); the paper prints no total"

    return [
        # ---------------------------------------------------------------- Table 1 and its text
        c("studies", 15, "included studies (rows of Table 1)", 17, lambda d: len(d.studies),
          lines=(57, 78), basis=tr),
        c("first_year", 15, "earliest publication year in Table 1", 2007,
          lambda d: year_range(d.studies)[0], unit="year", lines=(95, 236), basis=tr,
          versus=((95, "Quimby et al. 2001"), (236, "reference 19 dated 2001")),
          erratum=("Line 15 gives the studies' years as 2007 to 2017, but Table 1 lists Quimby et "
                   "al. with the year 2001 (line 95; reference 19 on line 236 is also dated 2001), "
                   "so the span starts in 2001.")),
        c("last_year", 15, "latest publication year in Table 1", 2017,
          lambda d: year_range(d.studies)[1], unit="year", basis=tr),
        c("countries", 15, "countries of the included studies", None,
          lambda d: int(d.studies["country_code"].nunique()), basis=tr, counted=6,
          note="line 15 names six countries; counted by us"),
        c("country_set", 15, "the countries themselves (ISO codes)", "AU, CA, DK, GB, SE, US",
          lambda d: codes(d.studies["country_code"]), unit="text", basis=tr,
          printed="Sweden, USA, Canada, UK, Australia and Denmark",
          note="compared as ISO 3166 codes (Table 1 prints 'United Kingdom')"),
        c("core_principles", 39, "core principles of IPS listed, (i) to (viii)", 8,
          lambda d: d.printed.count("principles"), basis=tr, printed="eight core principles"),
        c("phases", 47, "phases of meta-ethnography presented as headings (Phase 1 to 7)", 7,
          lambda d: d.printed.count("phases"), basis=tr, printed="seven phases",
          lines=(49, 53, 74, 101, 107, 113, 117)),
        c("method_types", 61, "kinds of qualitative study in Table 1", 4,
          lambda d: int(d.studies["method_type"].nunique()), basis=tr, printed="four types"),
        c("method_types_sum", 61, "interview, case, survey and ethnographic studies added up "
          "(10 + 5 + 1 + 1)", 17,
          lambda d: sum(d.printed.n(k) for k in ("interview_studies", "case_studies",
                                                   "survey_studies", "ethnographies")),
          basis=ident, lines=(15, 68), note="line 15 gives the 17 studies"),
        c("interview_studies", 61, "interview studies (method cell names an interview)", 10,
          method("interview"), lines=(99,), basis=tr, printed="ten interview studies",
          note="kind of study by parse_method's rule; the focus-group study counts as interview"),
        c("case_studies", 61, "case studies", 5, method("case_study"), basis=tr,
          printed="five case studies"),
        c("survey_studies", 61, "studies with an open-ended survey", 1, method("survey"),
          lines=(68,), basis=tr, printed="one"),
        c("ethnographies", 68, "ethnographic studies", 1, method("ethnography"), basis=tr,
          printed="one ethnographical study"),
        c("rct_studies", 68, "studies drawn from an RCT (Part of RCT = Yes)", 8, rct, basis=tr,
          printed="Eight"),
        c("interview_wa", 99, "interview studies with work applicants in the sample", 9,
          lambda d: _role_studies(d, "work_applicants", where=interview(d)), basis=tr,
          printed="nine"),
        c("interview_es", 99, "interview studies with employment specialists in the sample", 1,
          lambda d: _role_studies(d, "employment_specialists", where=interview(d)), basis=tr,
          printed="One interview study"),
        c("survey_es", 99, "survey studies with employment specialists in the sample", 1,
          lambda d: _role_studies(d, "employment_specialists", where=survey(d)), basis=tr,
          printed="the survey study"),
        c("actor_groups", 76, "actor groups that appear in the samples of Table 1", 4,
          lambda d: int((d.roles()["n_studies"] > 0).sum()), lines=(13, 51), basis=tr,
          printed="four types of participants"),
        c("barrier_aims", 70, "studies whose aim is about challenges or barriers", 4,
          lambda d: int(aim_names_difficulties(d.studies["aim"]).sum()), basis=tr, printed="Four",
          note="pass under a documented rule: the aim names a challenge, barrier or dilemma "
               "(aim_names_difficulties); without 'dilemma' (Quimby et al.) the rule finds 3. "
               "The two studies cited for social workers (Bejerholm, Hasson) are among the 4, as "
               "line 70 says"),
        c("case_ethno_all_groups", 99,
          "actor groups the case studies and the ethnography cover together (their samples' union)",
          4, lambda d: _groups_covered(d, ("case_study", "ethnography")), basis=tr,
          printed="all four groups", lines=(83, 87, 89, 91, 94, 95),
          note="line 99 speaks of the case studies and the ethnography together; Hasson et al. "
               "(line 89) alone lists all four groups"),
        c("sw_sources_with_sw", 158,
          "studies the Results cite for social workers (refs 18, 28) whose sample lists them", None,
          lambda d: _cited_with_role(d, (18, 28), "n_social_workers"), lines=(105, 83, 89, 99),
          basis=tr, counted=2,
          versus=((83, "Bejerholm et al.: sample 7 units, 3 ES"), (89, "Hasson et al.: 3 SW")),
          query=("The social workers' findings cite Bejerholm et al. (ref 18) and Hasson et al. "
                 "(ref 28); Table 1's sample column lists social workers only for Hasson. Line 99 "
                 "says that the case studies, with the ethnography, report on every one of the four "
                 "actor groups, and Bejerholm et al. is a case study: read so, both cited studies report "
                 "on social workers and the count is 2.")),
        c("c_sources_with_c", 164,
          "studies the Results cite for clinicians (refs 19, 29) whose sample lists them", None,
          lambda d: _cited_with_role(d, (19, 29), "n_clinicians"), lines=(105, 87, 95, 99),
          basis=tr, counted=2,
          versus=((95, "Quimby et al.: sample 25 WA"), (87, "Crain et al.: sample 1 WA")),
          query=("The clinicians' findings come from Quimby et al. (ref 19, an ethnography) and "
                 "Crain et al. (ref 29, a case study), whose sample cells list work applicants "
                 "only. Read with line 99, by which the case studies and the ethnography between "
                 "them report on every actor group, both report on clinicians and the count is 2.")),
        c("studies_in_references", 57,
          "Table 1 studies with an entry in the reference list (first author and year)", 17,
          lambda d: int(match_references(d.studies, d.references)
                        .groupby("study_id")["ref_number"].count().gt(0).sum()),
          lines=(94, 192), basis=tr, printed="seventeen studies",
          versus=((94, "Nygren et al. 2016 in Table 1"),
                  (192, "no Nygren among the 31 entries of lines 192-248")),
          erratum=("The review included 17 studies, but Nygren et al. 2016 (Table 1, line 94) has "
                   "no entry in the reference list (31 entries, lines 192-248) and is never cited in "
                   "the text, so only 16 of the 17 can be traced.")),
        c("whitley_fidelity", 97,
          "fidelity label of Whitley et al. against the band line 68 gives its printed scores",
          "High", lambda d: _label_of_scores(d, "whitley2010"), unit="text", lines=(68,),
          basis=tr, printed="High (73–67) (75)",
          versus=((68, "bands exemplary 115-125, good 100-114, fair 74-99, not IPS below 73: "
                       "67 is not IPS, 73 in no band, 75 fair"),),
          erratum=("Whitley et al.'s fidelity cell reads 'High (73–67) (75)': 'High' is not one of "
                   "the bands defined on line 68, and on those bands the three scores fall in not "
                   "IPS (67), no band (73) and fair (75). Totals of at most 75 suggest the older "
                   "15-item scale (source 003 line 122 mentions such a scale), on which they would "
                   "be high.")),
        c("sample_work_applicants", 80, "work applicants over the 17 samples", None,
          role_total("n_work_applicants"), basis=tr, counted=223, note=sample_note),
        c("sample_employment_specialists", 80, "employment specialists over the 17 samples", None,
          role_total("n_employment_specialists"), basis=tr, counted=95, note=sample_note),
        c("sample_social_workers", 80, "social workers over the 17 samples", None,
          role_total("n_social_workers"), basis=tr, counted=3, note=sample_note),
        c("sample_clinicians", 80, "clinicians over the 17 samples", None,
          role_total("n_clinicians"), basis=tr, counted=10, note=sample_note),
        c("sample_persons", 80, "people over the 17 samples (the 7 units of Bejerholm et al. apart)",
          None, lambda d: int(d.studies[list(ROLES.values())].to_numpy().sum()), basis=tr,
          counted=331, note=sample_note),
        c("fidelity_reported", 68, "studies whose fidelity cell in Table 1 is filled", None,
          lambda d: int(d.studies["fidelity"].notna().sum()), basis=tr, counted=11,
          note="line 68 says fidelity was noted where a study gave it; counted by us"),
        c("index_studies", 105, "index studies named with a reference number whose entry has that "
          "first author", None,
          lambda d: sum(int(_surname(d.references.set_index("ref_number").loc[
              int(re.search(r"\((\d+)\)", it).group(1)), "first_author"]) == _surname(it))
              for it in d.printed.items("index_studies")),
          basis=tr, counted=4, note="Areberg (16), Whitley (17), Bejerholm (18), Quimby (19)"),
        c("named_citations", 45, "named in-text citations whose first author matches the numbered "
          "entry", None, _named_citations_matching, basis=tr, counted=13,
          lines=(105, 132, 134, 138, 142, 164, 174),
          note="the 13 distinct author-number pairs of lines 45-174; accents ignored"),
        c("results_cite_included", 132, "every reference cited under a key metaphor is a Table 1 "
          "study", None, _results_cite_included, basis=tr, counted=True, unit="yes/no",
          lines=(164,), note="16 references, all of them included studies; Nygren et al. is never cited"),
        c("screeners", 57, "the two people who screened and selected the articles are the first two "
          "authors", None,
          lambda d: {_surname(x) for x in d.printed.items("authors")[:2]}
          == {_surname(x) for x in d.printed.items("selected_articles")},
          basis=tr, counted=True, unit="yes/no", lines=(5, 215),
          note="line 57: first and second authors; line 5 lists the authors; line 215 names Moen "
               "and Walseth as the two who selected the articles"),
        # ---------------------------------------------------------------- screening
        c("records_search_1", 55, "records from the first search (to June 2018, deduplicated)",
          478, lambda d: d.flow.n("identified", group="search_1"), basis=cal),
        c("records_search_2", 55, "records added by the repeated search", 49,
          lambda d: d.flow.n("identified", group="search_2"), basis=cal),
        c("records_total", 55, "records from both searches together: 478 + 49", 519,
          lambda d: d.printed.n("records_search_1") + d.printed.n("records_search_2"),
          basis=ident, printed="519 altogether",
          versus=((55, "478 from the first search"), (55, "49 added by the repeated search")),
          erratum=("478 records from the first search plus 49 from the repeated search make "
                   "527, not the 519 stated on the same line. The screening log keeps the two "
                   "searches' records as printed, so its flow starts from 527.")),
        c("screened", 57, "records screened: the total of line 55, restated", 519,
          lambda d: d.printed.n("records_total"), basis=ident, printed="the 519 studies",
          lines=(55,), note="the same 519 as line 55; the slip in its sum is counted once, in "
                            "moen2021.records_total"),
        c("after_titles", 57, "records kept after titles and abstracts", 40,
          lambda d: d.flow.n("sought"), basis=cal),
        c("excluded_language", 57, "records excluded because the full text was in Czech", 1,
          lambda d: d.flow.excluded("sought"), basis=cal, printed="excluded one"),
        c("full_texts", 57, "full texts read: 40 kept - 1 in Czech", 39,
          lambda d: d.printed.n("after_titles") - d.printed.n("excluded_language"), basis=ident),
        c("included", 57, "studies included", 17, lambda d: d.flow.n("included"), basis=cal,
          printed="seventeen"),
        c("from_references", 57, "studies added from the included studies' reference lists", 0,
          lambda d: int((d.log["source"] == "reference_list").sum()), basis=cal,
          printed="did not suggest any new studies"),
        c("search_1_month", 55, "month the first search ran up to", "2018-06",
          lambda d: d.log.loc[d.log["search"] == "search_1", "search_date"].max()
          .strftime("%Y-%m"), unit="text", basis=cal, printed="June 2018"),
        c("search_2_date", 55, "date of the repeated search", "2018-12-05",
          lambda d: d.log.loc[d.log["search"] == "search_2", "search_date"].max()
          .strftime("%Y-%m-%d"), unit="text", basis=cal, printed="05.12.18"),
    ]


CLAIMS = ClaimSet(key=KEY, title="Meta-ethnography of 17 qualitative IPS studies (source 001)",
                  load=load, claims=_claims)

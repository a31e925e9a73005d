"""Synthetic screening logs of the two literature reviews (sources 001 and 003).

Neither review publishes its records, only the counts of its flow. Each log
here has one row per record found by a search, with the stage it reached
and why it went no further, laid out as :data:`ipsresearch.schemas.SCREENING_LOG`
so that :func:`ipsresearch.synthesis.prisma_flow` counts it exactly as it
would count a review team's own log.

Source 001 (Moen et al. 2021), published counts the log reproduces
--------------------------------------------------------------------
* line 55: the first search, run up to June 2018, gave 478 records after
  duplicates were removed; the repeated search of 5 December 2018 added 49.
  The paper's total of 519 is *not* imposed: the log holds 478 + 49 = 527
  records, and the claims register records the difference as an erratum.
* line 57: 40 records were kept after titles and abstracts, one of them
  could not be used because its full text was in Czech, 39 full texts were
  read and 17 studies were included; reference lists added none.

Source 003 (Bonfils et al. 2017), published counts
------------------------------------------------
* line 27: searches in October 2013 and April 2015.
* line 57: 261 records from the first search (databases and reference-list
  checking), 18 included; 85 records from the second search, 3 included;
  most exclusions were for not being about IPS or for mentioning IPS
  implementation without evaluating it.
* line 157: 346 titles and abstracts screened (= 261 + 85: no duplicates
  between the searches are reported, so none are generated).

Assumptions (not published; chosen to be plausible and written down here)
--------------------------------------------------------------------------
* Dates: source 001's first search is dated 2018-06-30 (the end of the month
  it ran up to); source 003's searches are dated the 15th of their months.
* Source 001: all 17 included studies come from the first search (every one
  was published by 2017, and the repeated search was run for studies from
  2018); 3 of the 40 records kept after titles and abstracts came from the
  repeated search, and all 22 full texts excluded were excluded for having
  no findings on how the four actor groups experience IPS (line 57's
  criterion). Title-and-abstract exclusions are split between "not a
  qualitative study" (75 %), "IPS mixed with other vocational methods"
  (16 %) and "not IPS for severe mental illness" (9 %), the grounds line 57
  says the reviewers weighed.
* Source 003: the papers published in 2014-2015 (three) are the second
  search's inclusions, the 18 published by 2013 the first's; 8 records of
  the first search came from reference lists, 3 of them included. Full
  texts excluded: 27 in the first search and 5 in the second. Reasons are
  split so that the two reasons of line 57 dominate; the other reasons are
  the review's eligibility criteria (lines 33-41): not a Western country,
  a language other than English or a Nordic one, published before 1996.
* Record order within a search, which records carry which reason and which
  included record is which study are drawn from a seeded generator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch import schemas
from ipsresearch.sources import SOURCES
from ipsresearch.synthetic import SyntheticTable, rng

__all__ = ["Block", "LogDesign", "bonfils_log", "moen_log", "screening_log", "tables"]

MOEN_SOURCE = SOURCES["moen2021"].file
BONFILS_SOURCE = SOURCES["bonfils_review"].file
MOEN_SEED = 20181205
BONFILS_SEED = 20150415


@dataclass(frozen=True)
class Block:
    """``n`` records of one search that stopped at ``stage`` for ``reason``."""

    search: str
    source: str
    stage: str
    reason: str | None
    n: int


@dataclass(frozen=True)
class LogDesign:
    """What a screening log must contain.

    Attributes
    ----------
    prefix : str
        Start of every record id.
    dates : dict
        Search -> date of the search.
    blocks : tuple of Block
        The records, as counts per search, source, stage and reason.
    included : dict
        Search -> study ids of the records it contributed to the review
        (one per included record of that search).
    """

    prefix: str
    dates: dict[str, dt.date]
    blocks: tuple[Block, ...]
    included: dict[str, tuple[str, ...]]


def screening_log(design: LogDesign, *, seed: int | np.random.Generator) -> pd.DataFrame:
    """Records of a screening log with exactly the counts of ``design``.

    Within each search the records are put in a random order (so record ids
    say nothing about the outcome) and the included records are matched to
    the search's study ids at random.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`ipsresearch.schemas.SCREENING_LOG`.

    Raises
    ------
    ValueError
        A search's number of included records differs from its study ids.

    Examples
    --------
    >>> d = LogDesign("X", {"s1": dt.date(2020, 1, 1)},
    ...               (Block("s1", "database", "screened", "off topic", 3),
    ...                Block("s1", "database", "included", None, 1)), {"s1": ("smith2019",)})
    >>> log = screening_log(d, seed=1)
    >>> log["stage_reached"].value_counts().to_dict()
    {'screened': 3, 'included': 1}
    """
    g = rng(seed)
    frames = []
    searches = list(dict.fromkeys(b.search for b in design.blocks))
    for k, search in enumerate(searches, start=1):
        blocks = [b for b in design.blocks if b.search == search]
        n = np.array([b.n for b in blocks])
        idx = np.repeat(np.arange(len(blocks)), n)
        idx = idx[g.permutation(len(idx))]
        frame = pd.DataFrame({
            "record_id": [f"{design.prefix}-S{k}-{i + 1:04d}" for i in range(len(idx))],
            "search": search,
            "search_date": pd.Timestamp(design.dates[search]),
            "source": np.array([b.source for b in blocks], dtype=object)[idx],
            "stage_reached": np.array([b.stage for b in blocks], dtype=object)[idx],
            "reason": np.array([b.reason for b in blocks], dtype=object)[idx],
        })
        studies = list(design.included.get(search, ()))
        incl = np.flatnonzero(frame["stage_reached"].to_numpy() == "included")
        if len(incl) != len(studies):
            raise ValueError(f"{search}: {len(incl)} included records but {len(studies)} study ids")
        frame["study_id"] = None
        frame.loc[incl, "study_id"] = np.array(studies, dtype=object)[g.permutation(len(studies))]
        frames.append(frame)
    log = pd.concat(frames, ignore_index=True)
    log["search_date"] = log["search_date"].astype("datetime64[ns]")
    return log[schemas.SCREENING_LOG.names]


# ------------------------------------------------------------------ source 001


def _moen_design() -> LogDesign:
    from ipsresearch import datasets

    studies = datasets.load("moen2021_studies")
    s1, s2, db = "search_1", "search_2", "database"
    no_qual, mixed, not_ips = ("not a qualitative study", "IPS mixed with other vocational methods",
                               "not IPS for severe mental illness")
    no_findings = "no findings on the actors' experiences of IPS"
    blocks = (
        Block(s1, db, "included", None, 17),
        Block(s1, db, "sought", "full text in Czech", 1),
        Block(s1, db, "assessed", no_findings, 19),
        Block(s1, db, "screened", no_qual, 330),
        Block(s1, db, "screened", mixed, 70),
        Block(s1, db, "screened", not_ips, 41),
        Block(s2, db, "assessed", no_findings, 3),
        Block(s2, db, "screened", no_qual, 35),
        Block(s2, db, "screened", mixed, 7),
        Block(s2, db, "screened", not_ips, 4),
    )
    return LogDesign("MOEN", {s1: dt.date(2018, 6, 30), s2: dt.date(2018, 12, 5)}, blocks,
                     {s1: tuple(studies["study_id"])})


def moen_log(*, seed: int | np.random.Generator = MOEN_SEED) -> pd.DataFrame:
    """Screening log of source 001: 478 + 49 records, 40 kept, 39 read, 17 included."""
    return screening_log(_moen_design(), seed=seed)


# ------------------------------------------------------------------ source 003


def _bonfils_design() -> LogDesign:
    from ipsresearch import datasets

    papers = datasets.load("bonfils2017_papers")
    s1, s2, db, refs = "search_1", "search_2", "database", "reference_list"
    not_ips, not_eval = "not about IPS", "implementation not evaluated"
    west, lang, old = ("not a Western country", "language not English or Nordic",
                       "published before 1996")
    blocks = (
        Block(s1, refs, "included", None, 3),
        Block(s1, refs, "assessed", not_eval, 5),
        Block(s1, db, "included", None, 15),
        Block(s1, db, "assessed", not_eval, 16),
        Block(s1, db, "assessed", not_ips, 6),
        Block(s1, db, "screened", not_ips, 150),
        Block(s1, db, "screened", not_eval, 50),
        Block(s1, db, "screened", west, 8),
        Block(s1, db, "screened", lang, 5),
        Block(s1, db, "screened", old, 3),
        Block(s2, db, "included", None, 3),
        Block(s2, db, "assessed", not_eval, 4),
        Block(s2, db, "assessed", not_ips, 1),
        Block(s2, db, "screened", not_ips, 55),
        Block(s2, db, "screened", not_eval, 18),
        Block(s2, db, "screened", west, 2),
        Block(s2, db, "screened", lang, 2),
    )
    early = tuple(papers.loc[papers["year"] <= 2013, "paper_id"])
    late = tuple(papers.loc[papers["year"] >= 2014, "paper_id"])
    return LogDesign("BONF", {s1: dt.date(2013, 10, 15), s2: dt.date(2015, 4, 15)}, blocks,
                     {s1: early, s2: late})


def bonfils_log(*, seed: int | np.random.Generator = BONFILS_SEED) -> pd.DataFrame:
    """Screening log of source 003: 261 + 85 records, 18 + 3 papers included."""
    return screening_log(_bonfils_design(), seed=seed)


def tables() -> list[SyntheticTable]:
    """The tables this module writes to ``data_synthetic/``."""
    gen = "ipsresearch.synthetic.reviews."
    return [
        SyntheticTable("moen2021/screening_log.csv", schemas.SCREENING_LOG, moen_log,
                       gen + "moen_log", MOEN_SEED, MOEN_SOURCE,
                       "Records of the meta-ethnography's two searches and the stage each reached"),
        SyntheticTable("bonfils_review/screening_log.csv", schemas.SCREENING_LOG, bonfils_log,
                       gen + "bonfils_log", BONFILS_SEED, BONFILS_SOURCE,
                       "Records of the implementation review's two searches and their screening"),
    ]

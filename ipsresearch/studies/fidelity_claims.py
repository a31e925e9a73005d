"""Fidelity claims of sources 000, 001, 002 and 004: the IPS-25 scale, its bands, and the reviews.

* Source 001 (lines 37 and 68) states the scale's constants: 25 items and
  the bands exemplary 115-125, good 100-114, fair 74-99 and "not IPS" below
  73. These are ``definition`` claims: the printed value is compared with
  the package's instrument table (:data:`ipsresearch.fidelity.ITEMS`,
  :data:`ipsresearch.fidelity.IPS25_BANDS`, from the IPS fidelity manual),
  so they can catch a paper that misstates the instrument and nothing else.
  The paper also contradicts itself there: "not IPS" ends below 73 and
  "fair" starts at 74, so 73 is in no band. That ``identity`` erratum
  (``not_ips_high``) compares the two printed edges with each other.
* Sources 000, 002 and 004 describe reviews and programmes (the Irish
  scale-up from 2018; 14 IPSNOR sites from 2013, each reviewed in its first
  year; five Finnish cases from 2021, two rounds each, grouped by
  robustness). No source prints any review's data, so these claims count the
  synthetic reviews of :mod:`ipsresearch.synthetic.fidelity`, generated to
  match: they are ``calibrated`` demonstrations of the review functions.

No source reports its own sites' fidelity scores, so no claim is about a
score: the distributions in the report are illustrative. Records are read
from ``<data_dir>/fidelity/reviews.csv`` and ``ratings.csv``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ipsresearch import fidelity, readers, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.paths import data_dir as resolve_data_dir
from ipsresearch.sources import SOURCES
from ipsresearch.studies._common import Printed, printed
from ipsresearch.validation import InputError, row_problems

__all__ = ["CLAIMS", "FidelityData", "load"]

REPORT = "04-fidelity"
SUBDIR = "fidelity"
S000 = SOURCES["irish_pilot"].file
S001 = SOURCES["moen2021"].file
S002 = SOURCES["ipsnor"].file
S004 = SOURCES["harkko2025"].file


@dataclass(frozen=True)
class FidelityData:
    """Validated fidelity records.

    Attributes
    ----------
    reviews : pandas.DataFrame
        One row per review (:data:`ipsresearch.schemas.FIDELITY_REVIEWS`).
    ratings : pandas.DataFrame
        Long-layout item ratings (:data:`ipsresearch.schemas.FIDELITY_RATINGS`).
    source : str
        Directory the records came from (for messages).
    printed : Printed or None
        What source 001 prints (the band edges of line 68), for the identity claim.
    """

    reviews: pd.DataFrame
    ratings: pd.DataFrame
    source: str = "fidelity"
    printed: Printed | None = None

    @cached_property
    def scores(self) -> pd.DataFrame:
        """:func:`ipsresearch.fidelity.score` of every review joined to the reviews table."""
        s = fidelity.score(self.ratings, source=f"{self.source}/ratings.csv")
        return s.merge(self.reviews, on="review_id", how="left", validate="one_to_one")

    def programme(self, name: str) -> pd.DataFrame:
        """Reviews of one programme (e.g. ``IPSNOR``)."""
        return self.reviews[self.reviews["programme"] == name]


def load(data_dir: str | os.PathLike | None = None) -> FidelityData:
    """Read ``reviews.csv`` and ``ratings.csv`` from ``<data_dir>/fidelity/`` (or ``data_dir``).

    Every rating must belong to a listed review and every review must be rated.

    Raises
    ------
    ipsresearch.validation.InputError
        A file breaks its schema, or the two files do not match.
    """
    root = resolve_data_dir(data_dir)
    d = root / SUBDIR if (root / SUBDIR).is_dir() else root
    folder = readers.Folder(d)
    reviews = folder.table("reviews", schemas.FIDELITY_REVIEWS)
    where = folder.candidates("ratings")
    ratings = None
    ratings_source = str(d / "ratings.csv")
    if not where:
        folder.table("ratings", schemas.FIDELITY_RATINGS)  # reports the missing file
    elif len(where) > 1:
        folder.table("ratings", schemas.FIDELITY_RATINGS)  # reports the table found twice
    else:
        path, sheet = where[0]
        ratings_source = str(path)
        try:
            ratings = fidelity.read_ratings(path, sheet=sheet)
        except InputError as exc:
            folder.problems += exc.problems
    if reviews is not None and ratings is not None:
        known = set(reviews["review_id"].dropna())
        rated = set(ratings["review_id"].astype(str))
        unlisted, unrated = sorted(rated - known), sorted(known - rated)
        listed_in = Path(folder.source_of("reviews")).name
        folder.problems += row_problems(
            range(len(unlisted)), lambda i: f"review {unlisted[i]} is rated but not listed in {listed_in}",
            source=ratings_source, rows=None, column="review_id",
            allowed="a review_id from reviews", more="reviews")
        folder.problems += row_problems(
            range(len(unrated)), lambda i: f"review {unrated[i]} has no ratings in {Path(ratings_source).name}",
            source=folder.source_of("reviews"), rows=None, column="review_id",
            allowed="25 ratings per review", more="reviews")
    folder.done()
    return FidelityData(reviews, ratings, str(d), printed("moen2021"))


# ---------------------------------------------------------------- recomputations

_ALL_TOTALS = np.arange(fidelity.MIN_TOTAL, fidelity.MAX_TOTAL + 1)


def _edge(band: str, which: str) -> int:
    """Lowest or highest total that :func:`fidelity.classify` puts in ``band``."""
    totals = _ALL_TOTALS[fidelity.classify(_ALL_TOTALS) == band]
    if len(totals) == 0:
        raise ValueError(f"no total is classified {band!r}")
    return int(totals.min() if which == "low" else totals.max())


def _start_year(d: FidelityData, programme: str) -> int:
    return int(pd.to_datetime(d.programme(programme)["start_date"]).min().year)


def _rounds_per_site(d: FidelityData, programme: str) -> int | str:
    counts = d.programme(programme).groupby("site")["round"].nunique().unique()
    return int(counts[0]) if len(counts) == 1 else f"{counts.min()} to {counts.max()}"


def _sites_in_group(d: FidelityData, programme: str, group: str) -> int:
    p = d.programme(programme)
    return int(p.loc[p["group"] == group, "site"].nunique())


def _claims() -> list[Claim]:
    def c(id_, source, line, quantity, published, compute, **kw) -> Claim:
        return Claim(f"fidelity.{id_}", source, line, quantity, published, compute, report=REPORT, **kw)

    dfn, cal = "definition", "calibrated"
    band_note = ("compared with the instrument: the lowest/highest of the totals 25-125 that "
                 "fidelity.classify (the manual's bands, IPS25_BANDS) puts in the band")
    return [
        c("ireland_start_year", S000, 17, "year the Irish national programme's sites started", 2018,
          lambda d: _start_year(d, "Ireland"), unit="year", basis=cal,
          note="earliest start date of the synthetic Irish reviews; the paper gives no site data"),
        c("items", S001, 37, "items of the IPS-25 scale", 25, lambda d: len(fidelity.ITEMS),
          lines=(68,), basis=dfn, printed="25-item",
          note="compared with the instrument's item table (fidelity.ITEMS)"),
        c("max_total", S001, 68, "highest possible total (all 25 items rated 5)", 125,
          lambda d: int(fidelity.score(fidelity.single_review(fill=5))["total"].iloc[0]),
          basis=dfn, printed="115-125", note="top of the exemplary band, scored by fidelity.score"),
        c("exemplary_low", S001, 68, "lowest total in the exemplary band", 115,
          lambda d: _edge("exemplary", "low"), note=band_note, basis=dfn),
        c("exemplary_high", S001, 68, "highest total in the exemplary band", 125,
          lambda d: _edge("exemplary", "high"), note=band_note, basis=dfn),
        c("good_low", S001, 68, "lowest total in the good band", 100,
          lambda d: _edge("good", "low"), note=band_note, basis=dfn),
        c("good_high", S001, 68, "highest total in the good band", 114,
          lambda d: _edge("good", "high"), note=band_note, basis=dfn),
        c("fair_low", S001, 68, "lowest total in the fair band", 74,
          lambda d: _edge("fair", "low"), note=band_note, basis=dfn),
        c("fair_high", S001, 68, "highest total in the fair band", 99,
          lambda d: _edge("fair", "high"), note=band_note, basis=dfn),
        c("not_ips_high", S001, 68, "highest total of 'not IPS', which must end just below fair "
          "(74 - 1)", 72, lambda d: d.printed.n("fair_low") - 1, basis="identity",
          printed="below 73", versus=((68, "fair 74-99"),),
          erratum=("Line 68 puts 'not IPS' below 73 and starts 'fair' at 74, so a total of exactly "
                   "73 falls in no band. The package follows the IPS fidelity review manual, which "
                   "counts 73 and below as not supported employment (fidelity.IPS25_BANDS); "
                   "fidelity.MOEN2021_BANDS keeps the printed bands, and "
                   "fidelity.band_gaps(fidelity.MOEN2021_BANDS) returns [73].")),
        c("ipsnor_sites", S002, 43, "IPSNOR sites with a fidelity review", 14,
          lambda d: int(d.programme("IPSNOR")["site"].nunique()), lines=(81,), basis=cal),
        c("ipsnor_start_year", S002, 43, "year the first IPS site of Northern Norway started", 2013,
          lambda d: _start_year(d, "IPSNOR"), unit="year", basis=cal, printed="Bodø in 2013"),
        c("ipsnor_sites_before_expansion", S002, 43, "IPSNOR sites started before the two years of "
          "growth (before 2018)", 4,
          lambda d: int((pd.to_datetime(d.programme("IPSNOR").drop_duplicates("site")["start_date"])
                         < "2018-01-01").sum()), basis=cal, printed="from four to 14 sites",
          note="'the last 2 years' read as the two years before the interviews of January 2020"),
        c("ipsnor_sites_2019", S002, 51, "most IPSNOR sites were established in 2019", True,
          lambda d: bool((pd.to_datetime(d.programme("IPSNOR").drop_duplicates("site")["start_date"])
                          .dt.year == 2019).mean() > 0.5), unit="yes/no", basis=cal,
          printed="most of these IPS sites were established in 2019"),
        c("ipsnor_first_year", S002, 81,
          "every IPSNOR site had its first fidelity review within 12 months of starting", True,
          lambda d: bool(fidelity.first_review(d.programme("IPSNOR"))["within"].all()),
          unit="yes/no", basis=cal, printed="within the first year",
          note="fidelity.first_review(within_months=12); start and review dates are synthetic, "
               "the source gives none"),
        c("finland_start_year", S004, 30, "year the Finnish demonstration project started", 2021,
          lambda d: _start_year(d, "Finland"), unit="year", basis=cal, printed="Between 2021"),
        c("finland_cases", S004, 114, "Finnish cases (regional pilots) with fidelity reviews", 5,
          lambda d: int(d.programme("Finland")["site"].nunique()), lines=(30,), basis=cal,
          printed="n = 5"),
        c("finland_rounds", S004, 78, "fidelity evaluations per Finnish case", 2,
          lambda d: _rounds_per_site(d, "Finland"), basis=cal, printed="two fidelity evaluations",
          note="the same number for every case, else the range is shown and the claim fails"),
        c("finland_more_robust", S004, 39, "cases with more robust sustainment strategies", 2,
          lambda d: _sites_in_group(d, "Finland", "more_robust"), basis=cal, printed="n = 2"),
        c("finland_less_robust", S004, 39, "cases with less robust sustainment strategies", 2,
          lambda d: _sites_in_group(d, "Finland", "less_robust"), basis=cal, printed="n = 2"),
        c("finland_mixed", S004, 39, "cases that fit both groups (robust commitment only)", 1,
          lambda d: _sites_in_group(d, "Finland", "mixed"), basis=cal, printed="One case"),
    ]


CLAIMS = ClaimSet(key="fidelity", title="IPS-25 fidelity: scale, bands and reviews (sources 000, 001, 002, 004)",
                  load=load, claims=_claims)

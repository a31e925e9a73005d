"""Fidelity claims of sources 001, 002 and 004: the IPS-25 scale, its bands, and the reviews.

What the sources state about fidelity, recomputed by the functions a user
calls on their own data (:mod:`ipsresearch.fidelity`):

* source 001 (lines 37 and 68): the scale has 25 items; the bands are
  exemplary 115-125, good 100-114, fair 74-99 and "not IPS" below 73. The
  last band is an erratum: read literally it ends at 72 while fair starts at
  74, so a total of 73 belongs to no band (see :mod:`ipsresearch.fidelity`).
* source 002 (lines 43 and 81): 14 IPSNOR sites, each reviewed within its
  first year.
* source 004 (lines 30, 39, 78 and 114): five cases, two with more robust and
  two with less robust sustainment strategies and one mixed; every unit
  had two fidelity evaluations.

No seed reports its own sites' fidelity scores, so no claim is about a
score: the distributions in the report are illustrative (see
:mod:`ipsresearch.synthetic.fidelity`). Records are read from
``<data_dir>/fidelity/reviews.csv`` and ``ratings.csv``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ipsresearch import fidelity, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.paths import data_dir as resolve_data_dir
from ipsresearch.sources import SOURCES
from ipsresearch.validation import InputError, read_csv, row_problems

__all__ = ["CLAIMS", "FidelityData", "load"]

REPORT = "04-fidelity"
SUBDIR = "fidelity"
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
    """

    reviews: pd.DataFrame
    ratings: pd.DataFrame
    source: str = "fidelity"

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
    reviews = read_csv(d / "reviews.csv", schemas.FIDELITY_REVIEWS)
    ratings_path = Path(d / "ratings.csv")
    ratings = fidelity.read_ratings(ratings_path)
    known = set(reviews["review_id"])
    rated = set(ratings["review_id"].astype(str))
    unlisted, unrated = sorted(rated - known), sorted(known - rated)
    problems = row_problems(range(len(unlisted)),
                            lambda i: f"review {unlisted[i]} is rated but not listed in reviews.csv",
                            source=str(ratings_path), rows=None, column="review_id",
                            allowed="a review_id from reviews.csv", more="reviews")
    problems += row_problems(range(len(unrated)),
                             lambda i: f"review {unrated[i]} has no ratings in ratings.csv",
                             source=str(d / "reviews.csv"), rows=None, column="review_id",
                             allowed="25 ratings per review", more="reviews")
    if problems:
        raise InputError(problems, source=str(d))
    return FidelityData(reviews, ratings, str(d))


# ---------------------------------------------------------------- recomputations

_ALL_TOTALS = np.arange(fidelity.MIN_TOTAL, fidelity.MAX_TOTAL + 1)


def _edge(band: str, which: str) -> int:
    """Lowest or highest total that :func:`fidelity.classify` puts in ``band``."""
    totals = _ALL_TOTALS[fidelity.classify(_ALL_TOTALS) == band]
    if len(totals) == 0:
        raise ValueError(f"no total is classified {band!r}")
    return int(totals.min() if which == "low" else totals.max())


def _items_per_review(d: FidelityData) -> int | str:
    counts = d.scores["items_rated"].unique()
    return int(counts[0]) if len(counts) == 1 else f"{counts.min()} to {counts.max()}"


def _rounds_per_site(d: FidelityData, programme: str) -> int | str:
    counts = d.programme(programme).groupby("site")["round"].nunique().unique()
    return int(counts[0]) if len(counts) == 1 else f"{counts.min()} to {counts.max()}"


def _sites_in_group(d: FidelityData, programme: str, group: str) -> int:
    p = d.programme(programme)
    return int(p.loc[p["group"] == group, "site"].nunique())


def _claims() -> list[Claim]:
    def c(id_, source, line, quantity, published, compute, **kw) -> Claim:
        return Claim(f"fidelity.{id_}", source, line, quantity, published, compute, report=REPORT, **kw)

    band_note = "lowest/highest of the totals 25-125 that fidelity.classify puts in the band"
    return [
        c("items", S001, 37, "items rated in every fidelity review", 25,
          lambda d: _items_per_review(d), lines=(68,),
          note="fidelity.score counts the items rated per review; a review lacking one is an error"),
        c("max_total", S001, 68, "highest possible total (all 25 items rated 5)", 125,
          lambda d: int(fidelity.score(fidelity.single_review(fill=5))["total"].iloc[0]),
          note="top of the exemplary band"),
        c("exemplary_low", S001, 68, "lowest total in the exemplary band", 115,
          lambda d: _edge("exemplary", "low"), note=band_note),
        c("exemplary_high", S001, 68, "highest total in the exemplary band", 125,
          lambda d: _edge("exemplary", "high"), note=band_note),
        c("good_low", S001, 68, "lowest total in the good band", 100,
          lambda d: _edge("good", "low"), note=band_note),
        c("good_high", S001, 68, "highest total in the good band", 114,
          lambda d: _edge("good", "high"), note=band_note),
        c("fair_low", S001, 68, "lowest total in the fair band", 74,
          lambda d: _edge("fair", "low"), note=band_note),
        c("fair_high", S001, 68, "highest total in the fair band", 99,
          lambda d: _edge("fair", "high"), note=band_note),
        c("not_ips_high", S001, 68, "highest total in the not-IPS band (printed: below 73)", 72,
          lambda d: _edge("not_ips", "high"),
          erratum=("Seed 001 line 68 puts 'not IPS' below 73 and starts 'fair' at 74, so a total "
                   "of exactly 73 falls in no band. The package follows the IPS fidelity review "
                   "manual, which counts 73 and below as not supported employment: 73 is classified "
                   "not IPS. fidelity.SEED_001_BANDS keeps the printed bands; "
                   "fidelity.band_gaps(SEED_001_BANDS) returns [73].")),
        c("ipsnor_sites", S002, 43, "IPSNOR sites with a fidelity review", 14,
          lambda d: int(d.programme("IPSNOR")["site"].nunique()), lines=(81,)),
        c("ipsnor_first_year", S002, 81,
          "every IPSNOR site had its first fidelity review within 12 months of starting", True,
          lambda d: bool(fidelity.first_review(d.programme("IPSNOR"))["within"].all()),
          unit="yes/no", note="fidelity.first_review(within_months=12); start and review dates "
                              "are synthetic, the seed gives none"),
        c("finland_cases", S004, 114, "Finnish cases (regional pilots) with fidelity reviews", 5,
          lambda d: int(d.programme("Finland")["site"].nunique()), lines=(30,)),
        c("finland_rounds", S004, 78, "fidelity evaluations per Finnish case", 2,
          lambda d: _rounds_per_site(d, "Finland"),
          note="the same number for every case, else the range is shown and the claim fails"),
        c("finland_more_robust", S004, 39, "cases with more robust sustainment strategies", 2,
          lambda d: _sites_in_group(d, "Finland", "more_robust")),
        c("finland_less_robust", S004, 39, "cases with less robust sustainment strategies", 2,
          lambda d: _sites_in_group(d, "Finland", "less_robust")),
        c("finland_mixed", S004, 39, "cases that fit both groups (robust commitment only)", 1,
          lambda d: _sites_in_group(d, "Finland", "mixed")),
    ]


CLAIMS = ClaimSet(key="fidelity", title="IPS-25 fidelity: scale, bands and reviews (sources 001, 002, 004)",
                  load=load, claims=_claims)

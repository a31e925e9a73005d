"""IPS-25 fidelity: the scale, scoring, bands and what programmes' scores look like.

The IPS Fidelity Scale (IPS-25) has 25 items in three sections (Staffing
``S1``-``S3``, Organization ``O1``-``O8``, Services ``SE1``-``SE14``), each
rated 1 to 5, so a review's total lies between 25 and 125 (source 001, lines 37
and 68). :data:`ITEMS` is the scale as data; :func:`score` turns a review's
ratings (long or wide layout) into section subtotals, a total and a band;
the remaining functions summarise many reviews: band distributions with
intervals, section and item profiles, time to the first review and the change
between evaluation rounds with a paired test.

Bands are data (a small table with inclusive ``low`` and ``high`` totals),
never a chain of ifs, and every function that assigns bands takes
``bands=`` to override the cut-offs (read by :func:`resolve_bands`).

The functions live in three modules, one per concern, and are used from
here (``from ipsresearch import fidelity; fidelity.score(...)``):

* :mod:`~ipsresearch.fidelity.scale`: the items, sections and bands;
* :mod:`~ipsresearch.fidelity.ratings`: reading, checking and scoring ratings;
* :mod:`~ipsresearch.fidelity.summaries`: what many reviews look like.

The 73 gap
----------
Source 001 (line 68) prints the bands as exemplary 115-125, good 100-114,
fair 74-99 and "not IPS" *below* 73, which leaves a total of exactly 73 in no
band. The scale's own manual (Becker et al., IPS Supported Employment
Fidelity Review Manual) counts 73 and below as not supported employment, so
:data:`IPS25_BANDS` assigns 25-73 to ``not_ips``. The bands exactly as that
paper (Moen, Walseth & Larsen 2021) prints them are kept as
:data:`MOEN2021_BANDS` so that the gap can be shown and recorded as an
erratum in the claims register.

Examples
--------
>>> from ipsresearch import fidelity
>>> review = fidelity.single_review({"S1": 5, "O1": 2}, fill=4, review_id="site-a")
>>> fidelity.score(review)[["review_id", "total", "band"]]
  review_id  total band
0    site-a     99 fair
"""

from __future__ import annotations

import warnings
from typing import Any

from ipsresearch.fidelity.ratings import (
    read_ratings,
    score,
    single_review,
    template_path,
    to_long,
    to_wide,
    with_changes,
)
from ipsresearch.fidelity.scale import (
    IPS25_BANDS,
    ITEM_CODES,
    ITEMS,
    MAX_TOTAL,
    MIN_TOTAL,
    MOEN2021_BANDS,
    SECTIONS,
    band_gaps,
    classify,
    make_bands,
    resolve_bands,
)
from ipsresearch.fidelity.summaries import (
    RoundChange,
    band_distribution,
    band_margins,
    band_mentions,
    first_review,
    round_change,
    section_scores,
)

__all__ = [
    "IPS25_BANDS",
    "ITEMS",
    "ITEM_CODES",
    "MAX_TOTAL",
    "MIN_TOTAL",
    "MOEN2021_BANDS",
    "SECTIONS",
    "RoundChange",
    "band_distribution",
    "band_gaps",
    "band_margins",
    "band_mentions",
    "classify",
    "first_review",
    "make_bands",
    "read_ratings",
    "resolve_bands",
    "round_change",
    "score",
    "section_scores",
    "single_review",
    "template_path",
    "to_long",
    "to_wide",
    "with_changes",
]

_DEPRECATED = {"SEED_001_BANDS": "MOEN2021_BANDS"}
"""Old public name -> new name; the old ones work for one more release, with a warning."""


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(f"ipsresearch.fidelity.{name} is deprecated and will be removed in the next "
                      f"release; use ipsresearch.fidelity.{new} (\"seed\" now means only a random "
                      f"seed)", DeprecationWarning, stacklevel=2)
        return globals()[new]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

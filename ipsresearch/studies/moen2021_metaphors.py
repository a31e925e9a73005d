"""Source 001: the key metaphors of the meta-ethnography, per actor group.

The method section counts the key metaphors it arrived at for each group of
actors (lines 109-111); the results present them as headings (lines 123-164)
and Table 2 shows the two for employment specialists (line 130). These
claims recount the headings transcribed in ``moen2021_metaphors.csv``
(``transcribed``). The coded segments in
``data_synthetic/moen2021_metaphors/`` (one segment per primary study cited
under a metaphor; see :mod:`ipsresearch.synthetic.qualitative`) are loaded
for the report's figures. The other
claims of source 001 (the 17 studies, screening, fidelity) belong to the
literature-review claim set (:mod:`ipsresearch.studies.moen2021`), including the
four groups of actors (line 76).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ipsresearch import datasets, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.sources import SOURCES
from ipsresearch.studies._common import QUALITATIVE_REPORT, claim_maker, read_tables, study_dir

__all__ = ["CLAIMS", "MetaphorData", "load"]

SOURCE = SOURCES["moen2021"].file
SUBDIR = "moen2021_metaphors"


@dataclass(frozen=True)
class MetaphorData:
    """Coded segments of the meta-ethnography and the extracted metaphor tables."""

    segments: pd.DataFrame
    metaphors: pd.DataFrame
    citations: pd.DataFrame


def load(data_dir: str | os.PathLike | None = None) -> MetaphorData:
    """Load ``moen2021_metaphors/coded_segments.csv`` from a directory laid out like
    ``data_synthetic/`` (default: the shipped data)."""
    d = study_dir(data_dir, SUBDIR)
    return MetaphorData(segments=read_tables(d, {"coded_segments": schemas.SEGMENTS})["coded_segments"],
                        metaphors=datasets.load("moen2021_metaphors"),
                        citations=datasets.load("moen2021_metaphor_citations"))


def _metaphors(d: MetaphorData, role: str) -> int:
    """Key metaphors the results present for one group (headings in ``moen2021_metaphors``)."""
    return int(d.metaphors.loc[d.metaphors["role"] == role, "theme"].nunique())


def _claims() -> list[Claim]:
    c = claim_maker("moen2021_metaphors", SOURCE, QUALITATIVE_REPORT)
    tr = "transcribed"

    return [
        c("work_applicants", 109, "key metaphors for work applicants (headings in the results)", 5,
          lambda d: _metaphors(d, "work_applicant"), lines=(111, 125, 134, 138, 144, 146), basis=tr,
          printed="five key"),
        c("employment_specialists", 109, "key metaphors for employment specialists", None,
          lambda d: _metaphors(d, "employment_specialist"), lines=(130, 150, 154), basis=tr,
          counted=2, note="line 109 names two (teamwork, culture brokers); the results and Table 2 "
                          "(line 130) present the same two"),
        c("social_workers", 111, "key metaphors for social workers", 1,
          lambda d: _metaphors(d, "social_worker"), lines=(158,), basis=tr, printed="one of social workers"),
        c("clinicians", 111, "key metaphors for clinicians", 2,
          lambda d: _metaphors(d, "clinician"), lines=(164,), basis=tr, printed="two of clinicians",
          versus=((164, "one heading: uncertain whether work was a stressor or a way to recover"),),
          query=("The method counts two key metaphors for clinicians; the results present them "
                 "under one heading (line 164) that sets two opposed views side by side, work as a "
                 "stressor and work as a way to recover. Reading those two views as the two "
                 "metaphors agrees.")),
    ]


CLAIMS = ClaimSet(key="moen2021_metaphors",
                  title="Meta-ethnography of 17 qualitative IPS studies: key metaphors (source 001)",
                  load=load, claims=_claims)

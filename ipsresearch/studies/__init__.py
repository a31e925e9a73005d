"""The five source studies and the claims each one makes.

Each module in this package declares the claims of one study (or one topic
of it) as a :class:`ipsresearch.claims.ClaimSet` named ``CLAIMS``, together
with the loader of the data the claims are recomputed from. The register is
the concatenation of the modules listed in :data:`MODULES`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ipsresearch.claims import ClaimSet

__all__ = ["MODULES", "SEEDS", "Seed", "claim_sets"]


@dataclass(frozen=True)
class Seed:
    """A source paper: its seed file and a short citation."""

    file: str
    key: str
    citation: str
    doi: str = ""


SEEDS: dict[str, Seed] = {
    s.file: s
    for s in (
        Seed("000_489456de6ed42f85.txt", "irish_pilot",
             "Irish IPS pilot 2015-2017 and national scale-up: focus groups with "
             "employment specialists and OT managers"),
        Seed("001_8f0d05ae2c2ca9ec.txt", "moen2021",
             "Moen, Walseth & Larsen, Scand J Caring Sci 2021;35:343-352 "
             "(meta-ethnography of 17 qualitative IPS studies)"),
        Seed("002_0bad34d9be664c44.txt", "ipsnor",
             "Moe, Brinchmann, Rasmussen et al., BMC Psychiatry 2021;21:632 "
             "(IPSNOR: employment specialists in Northern Norway)", "10.1186/s12888-021-03644-x"),
        Seed("003_be757564e9da0080.txt", "bonfils_review",
             "Bonfils, Hansen, Dalum & Eplov, Scand J Disabil Res 2017;19:318-333 "
             "(review of 21 papers on IPS implementation)"),
        Seed("004_11a173a4c9c5b2ea.txt", "harkko2025",
             "Harkko, Nordquist & Kouvonen, BMC Health Serv Res 2025 "
             "(leadership and sustainment of IPS in five Finnish cases)", "10.1186/s12913-025-12495-1"),
    )
}
"""The five seed papers by file name."""

MODULES: list[str] = [
    "ipsresearch.studies.irish_pilot",
    "ipsresearch.studies.moen2021",
    "ipsresearch.studies.fidelity_claims",
    "ipsresearch.studies.job_retention",
    "ipsresearch.studies.irish_qualitative",
    "ipsresearch.studies.moen2021_metaphors",
    "ipsresearch.studies.ipsnor",
    "ipsresearch.studies.bonfils_review",
    "ipsresearch.studies.harkko2025",
]
"""Modules whose ``CLAIMS`` make up the register, in display order."""


def claim_sets() -> list[ClaimSet]:
    """Every registered :class:`~ipsresearch.claims.ClaimSet`, in order."""
    return [importlib.import_module(m).CLAIMS for m in MODULES]

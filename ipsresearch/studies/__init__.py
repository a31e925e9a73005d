"""The five source studies, the claims each one makes, and the default register.

Each module in this package declares the claims of one study (or one topic
of it) as a :class:`ipsresearch.claims.ClaimSet` named ``CLAIMS``, together
with the loader of the data the claims are recomputed from. The register is
the concatenation of the modules listed in :data:`MODULES`; :func:`verify`
recomputes it. The papers themselves are declared in :mod:`ipsresearch.sources`.

Examples
--------
>>> from ipsresearch import studies
>>> results = studies.verify(sets=["irish_pilot"])
>>> {r.id: r.status for r in results}["irish_pilot.placed"]
'pass'
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ipsresearch import claims
from ipsresearch.claims import ClaimResult, ClaimSet

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LEFT_OUT", "MODULES", "claim_sets", "left_out", "verify"]

LEFT_OUT = Path(__file__).with_name("left_out.csv")
"""What the register leaves out of the five papers and of the trials' printed statistics, and why (``source, lines, item, as_printed,
reason``); the audit behind it is ``docs/register-audit.md``."""

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
    "ipsresearch.studies.ips_trial_statistics",
]
"""Modules whose ``CLAIMS`` make up the register, in display order."""


def claim_sets() -> list[ClaimSet]:
    """Every registered :class:`~ipsresearch.claims.ClaimSet`, in order."""
    return [importlib.import_module(m).CLAIMS for m in MODULES]


def verify(
    *,
    data_dir: str | os.PathLike | None = None,
    sets: Iterable[str] | None = None,
) -> list[ClaimResult]:
    """Recompute every claim of the register (or of some claim sets).

    Parameters
    ----------
    data_dir : path-like, optional
        A directory laid out like ``data_synthetic/``; ``None`` uses the shipped data.
    sets : iterable of str, optional
        Keys of the claim sets to evaluate, e.g. ``["irish_pilot"]`` (default: all).

    Returns
    -------
    list of ClaimResult
        In registration order.

    See Also
    --------
    ipsresearch.claims.verify : the same for claim sets given explicitly.
    """
    return claims.verify(claim_sets=claim_sets(), data_dir=data_dir, sets=sets)


def left_out() -> pd.DataFrame:
    """The numbers and structures of the papers that are not claims, and why.

    Returns
    -------
    pandas.DataFrame
        ``source`` (study key, or ``ips_trials`` for the rows of
        ``ips_rct_statistics.csv``), ``lines`` (as text: one line, a range or a
        list), ``item``, ``as_printed`` and ``reason``, one row per item in
        the order of the papers.

    Examples
    --------
    >>> table = left_out()
    >>> list(table.columns)
    ['source', 'lines', 'item', 'as_printed', 'reason']
    >>> set(table["source"]) <= {"irish_pilot", "moen2021", "ipsnor", "bonfils_review", "harkko2025",
    ...                          "ips_trials"}
    True
    """
    import pandas as pd

    return pd.read_csv(LEFT_OUT, dtype=str, keep_default_na=False)


def __getattr__(name: str):
    """``Seed`` and ``SEEDS``, the old names of :mod:`ipsresearch.sources`, for one release."""
    if name in ("Seed", "SEEDS"):
        from ipsresearch import sources
        from ipsresearch._deprecation import warn_moved

        warn_moved(f"ipsresearch.studies.{name}", "ipsresearch.sources.Source" if name == "Seed"
                   else "ipsresearch.sources.SOURCES (keyed by study: SOURCES[key].file)")
        if name == "Seed":
            return sources.Source
        return {s.file: s for s in sources.SOURCES.values()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

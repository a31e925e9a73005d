"""Every path the package uses, anchored at the package, never absolute.

The project keeps generated synthetic data in ``data_synthetic/`` and reports
in ``reports/`` at the repository root (the directory holding
``pyproject.toml``). The source papers live in ``../shared/seeds/`` beside
the repository when the project is checked out for development.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""Directory of the installed ``ipsresearch`` package."""

ROOT = PACKAGE_DIR.parent
"""Repository root when the package is used from a checkout (editable install)."""

DATASETS_DIR = PACKAGE_DIR / "datasets"
"""Extracted tables shipped with the package (what the papers print)."""

DATA_SYNTHETIC = ROOT / "data_synthetic"
"""Generated synthetic records, committed and regenerable byte for byte."""

NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"


def seeds_dir() -> Path:
    """Directory of the source papers as plain text.

    ``IPSRESEARCH_SEEDS`` overrides the default ``<root>/../shared/seeds``.
    The directory may be absent (an installed package); callers that need it
    must check ``exists()``.
    """
    env = os.environ.get("IPSRESEARCH_SEEDS")
    return Path(env) if env else ROOT.parent / "shared" / "seeds"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Resolve the directory of synthetic or user data.

    Parameters
    ----------
    path : str or path-like, optional
        A user's directory of CSVs in the documented schemas. ``None`` means
        the shipped ``data_synthetic/``.
    """
    return DATA_SYNTHETIC if path is None else Path(path)

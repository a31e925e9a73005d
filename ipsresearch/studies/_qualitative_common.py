"""Helpers shared by the claim sets of the qualitative studies (seeds 000, 001, 002, 004)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ipsresearch.paths import data_dir as resolve_data_dir
from ipsresearch.validation import Schema, read_csv

REPORT = "08-qualitative-studies"
"""Notebook stem of the report that shows these claims."""

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def month(value) -> str:
    """``Month YYYY`` of a date, in English whatever the locale (e.g. ``February 2018``)."""
    ts = pd.Timestamp(value)
    return f"{_MONTHS[ts.month - 1]} {ts.year}"


def only(values) -> object:
    """The single distinct value of ``values``; a description of the spread when there are several."""
    distinct = pd.unique(pd.Series(values).dropna())
    if len(distinct) == 1:
        v = distinct[0]
        return v.item() if hasattr(v, "item") else v
    return f"{len(distinct)} different values ({', '.join(map(str, sorted(distinct)[:5]))})"


def study_dir(data_dir: str | os.PathLike | None, subdir: str, marker: str) -> Path:
    """``<data_dir>/<subdir>`` when it exists, else ``data_dir`` itself if it holds ``marker``."""
    root = resolve_data_dir(data_dir)
    if (root / subdir).is_dir() or not (root / marker).exists():
        return root / subdir
    return root


def read_optional(path: Path, schema: Schema) -> pd.DataFrame | None:
    """Read ``path`` when it exists (validated), else ``None``."""
    return read_csv(path, schema) if path.exists() else None

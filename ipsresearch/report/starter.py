"""Empty templates for a programme's data folder (``ipsresearch init DIR``).

The tables a programme keeps, laid out as the loaders read them, each with its
header and no records: ``participants`` and ``job_spells`` (reports 01 and 05),
the fidelity ``reviews`` and ``ratings`` (report 04; ratings in the long layout,
with ``round`` and ``rater``, and a wide one whose headers are the item codes
and names as printed on the score sheet), a data dictionary generated from the
schemas and an ``ipsresearch.toml`` with the reading settings commented out.
The long ratings template lists the 25 items with their names and leaves the
review, round, rater and rating blank: a template scored by mistake is an
error, never a plausible total.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from ipsresearch import schemas
from ipsresearch.paths import write_bytes
from ipsresearch.validation import InputError, Problem, check_choice

__all__ = ["FORMATS", "planned_files", "write_starter"]

FORMATS = ("csv", "xlsx")
"""``csv``: one file per table; ``xlsx``: one workbook with a sheet per table."""

SETTINGS = """\
# Settings for reading the tables in this folder (ipsresearch.readers).
# Uncomment a line to set it; by default both are decided from the files, and every decision is
# reported. The order of day and month is never guessed: when no date has a day above 12 it must
# be set here.
# dates = "day-first"      # or "month-first", "iso", "auto"
# encoding = "cp1252"      # or "utf-8", "utf-16", "auto"
"""

_TABLES = {"participants": schemas.PARTICIPANTS, "job_spells": schemas.JOB_SPELLS,
           "reviews": schemas.FIDELITY_REVIEWS}


def _long_ratings() -> pd.DataFrame:
    from ipsresearch.fidelity import ITEMS

    n = len(ITEMS)
    return pd.DataFrame({"review_id": [""] * n, "round": [""] * n, "rater": [""] * n,
                         "item": ITEMS["item"].to_list(), "item_name": ITEMS["name"].to_list(),
                         "rating": [""] * n})


def _wide_ratings() -> pd.DataFrame:
    from ipsresearch.fidelity import ITEMS

    headers = [f"{code} {name}" for code, name in zip(ITEMS["item"], ITEMS["name"], strict=True)]
    return pd.DataFrame(columns=["review_id", "round", "rater", *headers])


def _sheets() -> dict[str, pd.DataFrame]:
    """Table name -> empty template (the long ratings with the item rows)."""
    out = {name: pd.DataFrame(columns=schema.names) for name, schema in _TABLES.items()}
    out["ratings"] = _long_ratings()
    out["ratings_wide"] = _wide_ratings()
    return out


def planned_files(folder: str | os.PathLike, *, format: str = "csv") -> list[Path]:
    """The files :func:`write_starter` writes into ``folder``."""
    check_choice("format", format, FORMATS)
    d = Path(folder)
    if format == "xlsx":
        return [d / "programme.xlsx", d / "ipsresearch.toml"]
    return [d / "participants.csv", d / "job_spells.csv", d / "fidelity" / "reviews.csv",
            d / "fidelity" / "ratings.csv", d / "fidelity" / "ratings_wide.csv",
            d / "data_dictionary.csv", d / "ipsresearch.toml"]


def write_starter(folder: str | os.PathLike, *, format: str = "csv") -> list[Path]:
    """Write empty templates into ``folder``; refuse when any of the files already exists.

    Parameters
    ----------
    folder : path-like
        Created when absent.
    format : {"csv", "xlsx"}
        One CSV per table (fidelity files under ``fidelity/``), or one workbook
        ``programme.xlsx`` with a sheet per table and a ``data dictionary`` sheet.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ipsresearch.validation.InputError
        ``folder`` is a file, or a file to be written exists (nothing is written then).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> [p.name for p in write_starter(d)][:3]
    ['participants.csv', 'job_spells.csv', 'reviews.csv']
    >>> write_starter(d)
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 7 problems in ...:
      - .../participants.csv: exists already; nothing was written (allowed: a folder without these files)
    ...
    """
    files = planned_files(folder, format=format)
    d = Path(folder)
    if d.exists() and not d.is_dir():
        raise InputError([Problem(str(d), None, None, "is a file, not a folder", "a new or empty folder")])
    there = [p for p in files if p.exists() or p.is_symlink()]
    if there:
        raise InputError([Problem(str(p), None, None, "exists already; nothing was written",
                                  "a folder without these files") for p in there], source=str(d))
    sheets = _sheets()
    dictionary = schemas.data_dictionary(["participants", "job_spells", "fidelity_reviews",
                                          "fidelity_ratings", "fidelity_ratings_wide"])
    if format == "csv":
        targets = {files[0]: sheets["participants"], files[1]: sheets["job_spells"],
                   files[2]: sheets["reviews"], files[3]: sheets["ratings"],
                   files[4]: sheets["ratings_wide"], files[5]: dictionary}
        for path, frame in targets.items():
            write_bytes(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    else:
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as book:
            for name, frame in sheets.items():
                frame.to_excel(book, sheet_name=name, index=False)
            dictionary.to_excel(book, sheet_name="data dictionary", index=False)
        write_bytes(files[0], buffer.getvalue())
    write_bytes(files[-1], SETTINGS.encode("utf-8"))
    return files

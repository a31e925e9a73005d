"""Summaries of a review's table of included studies.

A literature review prints one row per included study: who wrote it, when,
where, with which method and which sample. These functions count such a
table the same way whether it is the table of a published review (see
:mod:`ipsresearch.studies.moen2021` and :mod:`ipsresearch.studies.bonfils_review`)
or the extraction sheet of a user's own review. Results are tidy frames of
numbers; wording and percentages are left to :mod:`ipsresearch.report.tables`.

Examples
--------
>>> import pandas as pd
>>> from ipsresearch.synthesis import tally
>>> studies = pd.DataFrame({"study_id": ["a", "b", "c"], "country": ["SE", "US", "SE"]})
>>> tally(studies, by="country")
  country  n_studies     share
0      SE          2  0.666667
1      US          1  0.333333
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ipsresearch.validation import check_frame

__all__ = [
    "COUNTRY_CODES",
    "country_code",
    "decade",
    "fold",
    "participants_by_role",
    "tally",
    "year_range",
]

COUNTRY_CODES: dict[str, str] = {
    "australia": "AU",
    "belgium": "BE",
    "canada": "CA",
    "denmark": "DK",
    "england": "GB",
    "finland": "FI",
    "germany": "DE",
    "ireland": "IE",
    "netherland": "NL",
    "netherlands": "NL",
    "the netherlands": "NL",
    "new zealand": "NZ",
    "norway": "NO",
    "sweden": "SE",
    "uk": "GB",
    "united kingdom": "GB",
    "united states": "US",
    "us": "US",
    "usa": "US",
}
"""Country names as review tables print them -> ISO 3166-1 alpha-2 code.

England is mapped to the United Kingdom (``GB``) because reviews count
countries, not nations of the UK. Extend the mapping for other names."""


def _require(studies: pd.DataFrame, columns: Sequence[str]) -> None:
    """TypeError for anything but a DataFrame; KeyError naming the missing columns and those
    the table has."""
    check_frame(studies, "studies")
    missing = [c for c in columns if c not in studies.columns]
    if missing:
        raise KeyError(f"no column {', '.join(map(repr, missing))}; "
                       f"columns: {', '.join(map(str, studies.columns))}")


def fold(text: str) -> str:
    """Lower case without accents or surrounding space, for matching names.

    Examples
    --------
    >>> fold("  Lexén ")
    'lexen'
    >>> fold("Markström")
    'markstrom'
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip().casefold()


def country_code(name: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name as printed (``None`` for a blank).

    Raises
    ------
    KeyError
        The name is not in :data:`COUNTRY_CODES`; the message lists the known names.

    Examples
    --------
    >>> country_code("United Kingdom"), country_code("Netherland"), country_code(None)
    ('GB', 'NL', None)
    """
    if pd.isna(name):
        return None
    key = re.sub(r"\s+", " ", fold(name))
    if not key:
        return None
    if key not in COUNTRY_CODES:
        raise KeyError(f"unknown country {name!r}; known: {', '.join(sorted(COUNTRY_CODES))}")
    return COUNTRY_CODES[key]


def decade(years) -> pd.Series:
    """Decade label of each year, e.g. ``"2000s"`` for 2001 (vectorised).

    Examples
    --------
    >>> decade([2001, 2010, 2017]).tolist()
    ['2000s', '2010s', '2010s']
    """
    y = pd.Series(years).astype("Int64")
    return ((y // 10) * 10).astype("string") + "s"


def year_range(studies: pd.DataFrame, *, year: str = "year") -> tuple[int, int]:
    """First and last publication year in a table of studies.

    Examples
    --------
    >>> import pandas as pd
    >>> year_range(pd.DataFrame({"year": [2013, 2001, 2017]}))
    (2001, 2017)
    """
    _require(studies, [year])
    y = pd.to_numeric(studies[year], errors="coerce").dropna()
    if y.empty:
        raise ValueError(f"column {year!r} holds no years")
    return int(y.min()), int(y.max())


def tally(
    studies: pd.DataFrame,
    *,
    by: str | Sequence[str],
    split: str | None = None,
    id_column: str | None = None,
    dropna: bool = False,
) -> pd.DataFrame:
    """Number of studies per value of one or more columns.

    Parameters
    ----------
    studies : pandas.DataFrame
        One row per study.
    by : str or sequence of str
        Columns to group by (one name or several): results are given per group. Here: the columns to count by.
    split : str, optional
        Separator of multi-valued cells (e.g. ``";"`` for ``"good;exemplary"``):
        a study is counted once under each of its values, so counts may sum
        to more than the number of studies. Only with a single ``by`` column.
    id_column : str, optional
        Count distinct values of this column instead of rows.
    dropna : bool
        Drop studies whose ``by`` value is blank (default: keep them as a
        group with a missing key).

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>..., n_studies, share``; ``share`` is ``n_studies`` over
        the number of studies in the table (all rows, or distinct ids).
        Sorted by descending ``n_studies`` then by the ``by`` values.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"bands": ["good;exemplary", "fair", None]})
    >>> tally(t, by="bands", split=";", dropna=True)
           bands  n_studies     share
    0  exemplary          1  0.333333
    1       fair          1  0.333333
    2       good          1  0.333333
    """
    cols = [by] if isinstance(by, str) else list(by)
    _require(studies, cols + ([id_column] if id_column else []))
    if split is not None and len(cols) != 1:
        raise ValueError("split works with a single `by` column")
    frame = studies[cols + ([id_column] if id_column else [])].copy()
    total = frame[id_column].nunique() if id_column else len(frame)
    if split is not None:
        col = cols[0]
        frame[col] = frame[col].astype("string").str.split(split)
        frame = frame.explode(col)
        frame[col] = frame[col].str.strip()
        frame.loc[frame[col] == "", col] = pd.NA
    if dropna:
        frame = frame.dropna(subset=cols)
    grouped = frame.groupby(cols, dropna=False, sort=True)
    counts = grouped[id_column].nunique() if id_column else grouped.size()
    out = counts.rename("n_studies").reset_index()
    out["n_studies"] = out["n_studies"].astype(np.int64)
    out["share"] = out["n_studies"] / total if total else np.nan
    out = out.sort_values(["n_studies", *cols], ascending=[False, *[True] * len(cols)],
                          kind="stable", na_position="last")
    return out.reset_index(drop=True)


def participants_by_role(
    studies: pd.DataFrame,
    *,
    roles: Mapping[str, str],
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Participants and studies per role, optionally within groups of studies.

    Parameters
    ----------
    studies : pandas.DataFrame
        One row per study with one count column per role (blank or 0 when a
        study has no participants in that role).
    roles : mapping
        Role name -> count column, e.g. ``{"clinicians": "n_clinicians"}``.
        Non-person units (sites, teams) belong in a separate mapping so they
        are never added to people.
    by : str or sequence of str, optional
        Columns to group by (one name or several): results are given per group. Studies are grouped first, e.g. by ``"country"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>..., role, n_studies, participants``: the studies with
        at least one participant in the role and the sum of their counts.
        Roles keep the order of ``roles``; every role appears in every group.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"n_wa": [17, 0, 5], "n_es": [0, 22, 3]})
    >>> participants_by_role(s, roles={"work_applicants": "n_wa",
    ...                                "employment_specialists": "n_es"})
                         role  n_studies  participants
    0         work_applicants          2            22
    1  employment_specialists          2            25
    """
    cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _require(studies, [*roles.values(), *cols])
    counts = studies[list(roles.values())].apply(pd.to_numeric, errors="coerce").fillna(0)
    counts.columns = list(roles)
    long = counts.join(studies[cols]) if cols else counts
    long = long.melt(id_vars=cols, var_name="role", value_name="n")
    long["role"] = pd.Categorical(long["role"], categories=list(roles), ordered=True)
    long["has"] = long["n"] > 0
    out = (long.groupby([*cols, "role"], observed=False, dropna=False)
           .agg(n_studies=("has", "sum"), participants=("n", "sum")).reset_index())
    out["role"] = out["role"].astype(str)
    out["n_studies"] = out["n_studies"].astype(np.int64)
    out["participants"] = out["participants"].astype(np.int64)
    return out

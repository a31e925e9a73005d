"""One validation layer for every table the package reads.

A table's schema is declared once (see :mod:`ipsresearch.schemas`) and used
both by the CSV loaders and by the public analysis functions. Validation
never stops at the first problem: it collects every problem it can find and
raises one :class:`InputError` whose message lists them all, each naming the
file, the row as a spreadsheet user counts it (header = row 1), the column,
the offending value and what is allowed.

Why not pandera? Its reports are good but built for DataFrames, not files:
the problems users actually bring (wrong encoding, a byte-order mark,
semicolon delimiters, an empty file, impossible dates such as 2017-02-30)
happen before a DataFrame exists. A small declarative layer covers both the
file and the frame with one message format and no extra dependency.

Examples
--------
>>> import pandas as pd
>>> from ipsresearch.validation import Column, Schema, validate
>>> schema = Schema("ratings", [Column("item", "str"), Column("rating", "int", min=1, max=5)])
>>> validate(pd.DataFrame({"item": ["S1"], "rating": [6]}), schema)
Traceback (most recent call last):
...
ipsresearch.validation.InputError: 1 problem in ratings:
  - ratings row 2, column `rating`: 6 is outside 1..5 (allowed: integers 1 to 5)
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Column",
    "InputError",
    "Problem",
    "RowCheck",
    "Schema",
    "UnknownColumnWarning",
    "read_csv",
    "read_text",
    "validate",
]

MAX_PER_COLUMN = 25
"""At most this many problems are listed per column and check; the rest are counted."""

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UnknownColumnWarning(UserWarning):
    """A table holds a column its schema does not know; it is kept, unchecked."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input table.

    Attributes
    ----------
    source : str
        File name, or the table name when the input was a DataFrame.
    row : int or None
        Row as counted in a spreadsheet (header = row 1), ``None`` for a
        problem with the whole file or a whole column.
    column : str or None
        Column name, ``None`` when the problem is not about one column.
    message : str
        What is wrong, including the offending value.
    allowed : str
        What would be accepted instead.
    """

    source: str
    row: int | None
    column: str | None
    message: str
    allowed: str = ""

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f"{',' if self.row is not None else ''} column `{self.column}`"
        text = f"{where}: {self.message}"
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text


class InputError(ValueError):
    """An input table breaks its schema. ``problems`` lists every problem found.

    Commands print the message and exit with status 2; nothing is written.
    """

    def __init__(self, problems: Sequence[Problem], *, source: str | None = None):
        self.problems = list(problems)
        self.source = source or (self.problems[0].source if self.problems else "input")
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.source}:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    def __str__(self) -> str:  # keep the full list even when re-raised
        return self._message()


@dataclass(frozen=True)
class Column:
    """Declaration of one column.

    Parameters
    ----------
    name : str
        Column name (snake_case).
    kind : {"str", "int", "float", "bool", "date"}
        Type after parsing. ``date`` means ISO ``YYYY-MM-DD`` text or datetime values.
    required : bool
        The column must be present.
    nullable : bool
        Blank cells are allowed (they become ``NA`` / ``NaT``).
    min, max : float, optional
        Inclusive bounds for ``int`` and ``float`` columns.
    allowed : sequence of str, optional
        The only values a ``str`` column may hold.
    unique : bool
        Values must not repeat.
    description : str
        One line for the data dictionary and ``datapackage.json``.
    """

    name: str
    kind: str = "str"
    required: bool = True
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    unique: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in {"str", "int", "float", "bool", "date"}:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.allowed is not None and not isinstance(self.allowed, tuple):
            object.__setattr__(self, "allowed", tuple(self.allowed))

    def describe_allowed(self) -> str:
        """Plain-language description of what this column accepts."""
        if self.kind == "int":
            if self.min is not None and self.max is not None:
                text = f"integers {_fmt(self.min)} to {_fmt(self.max)}"
            elif self.min is not None:
                text = f"integers >= {_fmt(self.min)}"
            else:
                text = "integers"
        elif self.kind == "float":
            if self.min is not None and self.max is not None:
                text = f"numbers {_fmt(self.min)} to {_fmt(self.max)}"
            elif self.min is not None:
                text = f"numbers >= {_fmt(self.min)}"
            else:
                text = "numbers"
        elif self.kind == "bool":
            text = "true/false, yes/no or 1/0"
        elif self.kind == "date":
            text = "dates as YYYY-MM-DD"
        elif self.allowed is not None:
            text = "one of " + ", ".join(self.allowed)
        else:
            text = "non-empty text"
        if self.nullable:
            text += ", or blank"
        return text


@dataclass(frozen=True)
class RowCheck:
    """A check across columns of one row, e.g. a job must not end before it starts.

    Parameters
    ----------
    columns : tuple of str
        Columns the check reads; it is skipped when any is missing or unparseable.
    bad : callable
        ``bad(frame) -> boolean Series`` marking the rows that fail.
    message : callable
        ``message(row) -> str`` describing the failure for one row (a Series).
    column : str
        Column named in the message.
    allowed : str
        What would be accepted.
    """

    columns: tuple[str, ...]
    bad: Callable[[pd.DataFrame], pd.Series]
    message: Callable[[pd.Series], str]
    column: str
    allowed: str = ""


@dataclass(frozen=True)
class Schema:
    """A table's declaration: its columns, key and row checks.

    Parameters
    ----------
    name : str
        Table name, used in messages when the input is a DataFrame.
    columns : sequence of Column
    key : tuple of str, optional
        Columns whose combination must be unique (e.g. ``("review_id", "item")``).
    checks : sequence of RowCheck
    description : str
    """

    name: str
    columns: Sequence[Column]
    key: tuple[str, ...] = ()
    checks: Sequence[RowCheck] = field(default_factory=tuple)
    description: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_frictionless(self) -> dict[str, Any]:
        """Table Schema (Frictionless Data) for ``datapackage.json``."""
        kinds = {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
                 "date": "date"}
        fields = []
        for c in self.columns:
            f: dict[str, Any] = {"name": c.name, "type": kinds[c.kind]}
            if c.description:
                f["description"] = c.description
            cons: dict[str, Any] = {}
            if c.required and not c.nullable:
                cons["required"] = True
            if c.unique:
                cons["unique"] = True
            if c.min is not None:
                cons["minimum"] = _fmt_num(c.min)
            if c.max is not None:
                cons["maximum"] = _fmt_num(c.max)
            if c.allowed is not None:
                cons["enum"] = list(c.allowed)
            if cons:
                f["constraints"] = cons
            if c.kind == "bool":
                f["trueValues"] = ["true"]
                f["falseValues"] = ["false"]
            fields.append(f)
        out: dict[str, Any] = {"fields": fields, "missingValues": [""]}
        if self.key:
            out["primaryKey"] = list(self.key)
        return out


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _fmt_num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if value.strip() != value or value == "" else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- files


def read_text(path: str | os.PathLike, *, what: str = "a CSV file") -> str:
    """Read a text file as UTF-8, with a message naming the file on any problem.

    A UTF-8 byte-order mark (as Excel writes) is removed. Bytes that are not
    UTF-8 are reported with the row they sit on.

    Raises
    ------
    InputError
        The path does not exist, is a directory, is empty or is not UTF-8.
    """
    p = Path(path)
    src = str(path)
    if not p.exists():
        raise InputError([Problem(src, None, None, "file does not exist", f"a path to {what}")])
    if p.is_dir():
        raise InputError([Problem(src, None, None, "is a directory", f"a path to {what}")])
    raw = p.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise InputError([Problem(
            src, row, None,
            f"byte 0x{byte} at offset {exc.start} is not UTF-8 text",
            "UTF-8 encoded text; in Excel choose 'CSV UTF-8 (Comma delimited)'",
        )]) from None
    if not text.strip():
        raise InputError([Problem(src, None, None, "file is empty", f"{what} with a header row")])
    return text


def read_csv(
    path: str | os.PathLike,
    schema: Schema,
    *,
    source: str | None = None,
) -> pd.DataFrame:
    """Read a CSV file and validate it against ``schema``.

    Parameters
    ----------
    path : str or path-like
        A comma-separated UTF-8 file with a header row.
    schema : Schema
        The table's declaration.
    source : str, optional
        Name used in messages; defaults to the path as given.

    Returns
    -------
    pandas.DataFrame
        Typed table: the schema's columns in schema order, then any unknown
        columns (kept as text, with an :class:`UnknownColumnWarning`).

    Raises
    ------
    InputError
        Listing every problem found, each with file, row, column and value.
    """
    src = source or str(path)
    text = read_text(path, what=f"a CSV file of {schema.name}")
    first = text.splitlines()[0]
    if "," not in first and len(schema.names) > 1:
        for sep, label in ((";", "semicolon"), ("\t", "tab")):
            if sep in first:
                raise InputError([Problem(
                    src, 1, None,
                    f"the header is {label}-delimited: {first.strip()!r}",
                    "comma-separated values; re-save as CSV with commas "
                    f"(expected columns: {', '.join(schema.names)})",
                )])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        raise InputError([Problem(src, row, None,
                                  f"cannot be parsed as CSV ({str(exc).strip()})",
                                  "the same number of comma-separated fields on every row")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame) == 0:
        raise InputError([Problem(src, None, None, "has a header row but no data rows",
                                  f"one row per record below the header ({', '.join(schema.names)})")])
    return _validate(frame, schema, source=src)


# --------------------------------------------------------------------------- frames


def validate(data: pd.DataFrame, schema: Schema, *, source: str | None = None) -> pd.DataFrame:
    """Validate a DataFrame against ``schema`` and return a typed copy.

    Rows are reported as a spreadsheet would count them if the frame were
    saved as CSV (header = row 1, first record = row 2). The input is never
    modified.

    Parameters
    ----------
    data : pandas.DataFrame
    schema : Schema
    source : str, optional
        Name used in messages; defaults to the schema's name.

    Returns
    -------
    pandas.DataFrame
        A new frame with parsed columns and a fresh ``RangeIndex``.

    Raises
    ------
    InputError
        Listing every problem found.
    TypeError
        ``data`` is not a DataFrame.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{source or schema.name}: expected a pandas DataFrame, got {type(data).__name__}")
    return _validate(data, schema, source=source or schema.name)


def _validate(frame: pd.DataFrame, schema: Schema, *, source: str) -> pd.DataFrame:
    problems: list[Problem] = []
    if len(frame.columns) != len(set(frame.columns)):
        dups = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
        problems.append(Problem(source, 1, None, f"column names repeat: {', '.join(map(str, dups))}",
                                "each column name once"))
        raise InputError(problems, source=source)
    if len(frame) == 0:
        raise InputError([Problem(source, None, None, "has no rows", "at least one record")],
                         source=source)
    rows = np.arange(len(frame)) + 2
    present = set(frame.columns)
    out: dict[str, pd.Series] = {}
    for col in schema.columns:
        if col.name not in present:
            if col.required:
                problems.append(Problem(
                    source, None, col.name,
                    "required column is missing (columns found: "
                    + ", ".join(map(str, frame.columns)) + ")",
                    col.describe_allowed()))
            continue
        series, col_problems = _parse_column(frame[col.name], col, source, rows)
        problems.extend(col_problems)
        out[col.name] = series
    unknown = [c for c in frame.columns if c not in set(schema.names)]
    if unknown:
        warnings.warn(
            f"{source}: unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(str, unknown))} kept but not checked "
            f"(known columns: {', '.join(schema.names)})",
            UnknownColumnWarning, stacklevel=3)
        for c in unknown:
            out[str(c)] = frame[c].reset_index(drop=True)
    typed = pd.DataFrame(out)
    if len(typed.columns) == 0:
        typed = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    # uniqueness of single columns and the key
    parsed = set(typed.columns)
    for col in schema.columns:
        if col.unique and col.name in parsed:
            problems.extend(_duplicates(typed, (col.name,), source, rows))
    if schema.key and all(k in parsed for k in schema.key):
        if not (len(schema.key) == 1 and schema.column(schema.key[0]).unique):
            problems.extend(_duplicates(typed, schema.key, source, rows))
    for check in schema.checks:
        # cells that failed to parse are missing here, so a check never fires on them
        if not all(c in parsed for c in check.columns):
            continue
        bad = np.asarray(pd.Series(check.bad(typed)).fillna(False), dtype=bool)
        idx = np.flatnonzero(bad)
        for i in idx[:MAX_PER_COLUMN]:
            problems.append(Problem(source, int(rows[i]), check.column,
                                    check.message(typed.iloc[i]), check.allowed))
        if len(idx) > MAX_PER_COLUMN:
            problems.append(Problem(source, None, check.column,
                                    f"... and {len(idx) - MAX_PER_COLUMN} more rows with the same problem"))
    if problems:
        problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        raise InputError(problems, source=source)
    return typed


def _duplicates(typed: pd.DataFrame, key: tuple[str, ...], source: str, rows: np.ndarray) -> list[Problem]:
    dup = typed.duplicated(list(key), keep="first").to_numpy() & typed[list(key)].notna().all(axis=1).to_numpy()
    idx = np.flatnonzero(dup)
    problems = []
    first_seen = {}
    if len(idx):
        keys = typed[list(key)].astype(str).agg("|".join, axis=1).to_numpy()
        for i in range(len(keys)):
            first_seen.setdefault(keys[i], i)
        for i in idx[:MAX_PER_COLUMN]:
            shown = ", ".join(f"{k}={typed[k].iloc[i]}" for k in key) if len(key) > 1 else str(typed[key[0]].iloc[i])
            problems.append(Problem(
                source, int(rows[i]), ", ".join(key),
                f"{shown} repeats row {int(rows[first_seen[keys[i]]])}",
                "each value once" if len(key) == 1 else f"each combination of {', '.join(key)} once"))
        if len(idx) > MAX_PER_COLUMN:
            problems.append(Problem(source, None, ", ".join(key),
                                    f"... and {len(idx) - MAX_PER_COLUMN} more repeated rows"))
    return problems


def _blank(series: pd.Series) -> np.ndarray:
    s = series
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        txt = s.astype("string")
        return (txt.isna() | (txt.str.strip() == "")).to_numpy(dtype=bool)
    return s.isna().to_numpy()


def _parse_column(raw: pd.Series, col: Column, source: str, rows: np.ndarray) -> tuple[pd.Series, list[Problem]]:
    raw = raw.reset_index(drop=True)
    blank = _blank(raw)
    problems: list[Problem] = []
    allowed = col.describe_allowed()

    def report(mask: np.ndarray, describe: Callable[[Any], str]) -> None:
        idx = np.flatnonzero(mask)
        for i in idx[:MAX_PER_COLUMN]:
            problems.append(Problem(source, int(rows[i]), col.name, describe(raw.iloc[i]), allowed))
        if len(idx) > MAX_PER_COLUMN:
            problems.append(Problem(source, None, col.name,
                                    f"... and {len(idx) - MAX_PER_COLUMN} more rows with the same problem"))

    if not col.nullable:
        report(blank, lambda v: "is blank")

    if col.kind == "str":
        values = raw.astype("string").str.strip()
        values = values.mask(pd.Series(blank), pd.NA).rename(col.name)
        if col.allowed is not None:
            bad = ~blank & ~values.isin(col.allowed).fillna(False).to_numpy(dtype=bool)
            report(bad, lambda v: f"{_show(str(v).strip())} is not a recognised value")
        return values, problems

    if col.kind in {"int", "float"}:
        if pd.api.types.is_bool_dtype(raw.dtype):
            num = raw.astype(float)
        elif pd.api.types.is_numeric_dtype(raw.dtype):
            num = raw.astype(float)
        else:
            num = pd.to_numeric(raw.astype("string").str.strip(), errors="coerce").astype(float)
        num_arr = num.to_numpy(dtype=float)
        notnum = ~blank & np.isnan(num_arr)
        report(notnum, lambda v: f"{_show(v)} is not a number")
        ok = ~blank & ~notnum
        if col.kind == "int":
            frac = ok & (np.floor(num_arr) != num_arr)
            report(frac, lambda v: f"{_show(v)} is not a whole number")
            ok &= ~frac
        lo = col.min if col.min is not None else -np.inf
        hi = col.max if col.max is not None else np.inf
        with np.errstate(invalid="ignore"):
            out_of = ok & ((num_arr < lo) | (num_arr > hi))
        if col.min is not None and col.max is not None:
            report(out_of, lambda v: f"{_show(v)} is outside {_fmt(lo)}..{_fmt(hi)}")
        elif col.min is not None:
            report(out_of, lambda v: f"{_show(v)} is below {_fmt(lo)}")
        else:
            report(out_of, lambda v: f"{_show(v)} is above {_fmt(hi)}")
        if col.kind == "int":
            valid = ok & ~out_of
            if valid.all():
                return pd.Series(num_arr.astype(np.int64), name=col.name), problems
            res = pd.array(np.where(valid, num_arr, np.nan), dtype="Float64").astype("Int64")
            return pd.Series(res, name=col.name), problems
        return pd.Series(np.where(blank, np.nan, num_arr), name=col.name), problems

    if col.kind == "bool":
        if pd.api.types.is_bool_dtype(raw.dtype) and not blank.any():
            return raw.astype(bool).rename(col.name), problems
        txt = raw.astype("string").str.strip().str.lower()
        is_true = txt.isin(_TRUE).fillna(False).to_numpy(dtype=bool)
        is_false = txt.isin(_FALSE).fillna(False).to_numpy(dtype=bool)
        if pd.api.types.is_numeric_dtype(raw.dtype):
            is_true = raw.to_numpy() == 1
            is_false = raw.to_numpy() == 0
        bad = ~blank & ~is_true & ~is_false
        report(bad, lambda v: f"{_show(v)} is not true or false")
        if blank.any():
            res = pd.array([pd.NA if b else bool(t) for b, t in zip(blank, is_true, strict=True)],
                           dtype="boolean")
            return pd.Series(res, name=col.name), problems
        return pd.Series(is_true, name=col.name), problems

    # date
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return pd.Series(pd.to_datetime(raw).dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw,
                         name=col.name).astype("datetime64[ns]"), problems
    txt = raw.astype("string").str.strip()
    shape_ok = txt.str.match(_DATE_RE).fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(txt.where(pd.Series(shape_ok), None), format="%Y-%m-%d", errors="coerce")
    bad_shape = ~blank & ~shape_ok
    report(bad_shape, lambda v: f"{_show(v)} is not a date in YYYY-MM-DD form")
    impossible = ~blank & shape_ok & parsed.isna().to_numpy()
    report(impossible, lambda v: f"{_show(str(v).strip())} is not a calendar date")
    return pd.Series(parsed, name=col.name).astype("datetime64[ns]"), problems


def describe_schema(schema: Schema) -> pd.DataFrame:
    """Data dictionary of a schema as a tidy DataFrame.

    Returns
    -------
    pandas.DataFrame
        Columns ``column, kind, required, allowed, description``.

    Examples
    --------
    >>> from ipsresearch.schemas import PARTICIPANTS
    >>> describe_schema(PARTICIPANTS)["column"].tolist()[:2]
    ['participant_id', 'site']
    """
    return pd.DataFrame(
        {
            "column": [c.name for c in schema.columns],
            "kind": [c.kind for c in schema.columns],
            "required": [c.required for c in schema.columns],
            "allowed": [c.describe_allowed() for c in schema.columns],
            "description": [c.description for c in schema.columns],
        }
    )


def check_references(
    child: pd.DataFrame,
    parent: pd.DataFrame,
    *,
    key: str,
    child_source: str,
    parent_source: str,
) -> list[Problem]:
    """Rows of ``child`` whose ``key`` does not appear in ``parent``.

    Returns a list of problems (possibly empty) so that callers can combine
    them with other cross-table checks before raising one :class:`InputError`.
    """
    known = set(parent[key].astype(str))
    missing = ~child[key].astype(str).isin(known).to_numpy()
    idx = np.flatnonzero(missing)
    problems = [
        Problem(child_source, int(i) + 2, key,
                f"{child[key].iloc[i]} does not appear in {parent_source}",
                f"a {key} listed in {parent_source}")
        for i in idx[:MAX_PER_COLUMN]
    ]
    if len(idx) > MAX_PER_COLUMN:
        problems.append(Problem(child_source, None, key,
                                f"... and {len(idx) - MAX_PER_COLUMN} more rows with the same problem"))
    return problems


def as_list(x: str | Iterable[str] | None) -> list[str]:
    """Normalise a column name or sequence of names to a list."""
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)

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

import csv
import datetime as _dt
import difflib
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

from ipsresearch._arrays import key_codes, row_positions
from ipsresearch.paths import note_read

__all__ = [
    "Column",
    "InputError",
    "Problem",
    "ProblemCollector",
    "RowCheck",
    "Schema",
    "UnknownColumnWarning",
    "check_choice",
    "check_confidence",
    "check_frame",
    "check_table",
    "did_you_mean",
    "read_csv",
    "read_records",
    "read_text",
    "require_columns",
    "row_positions",
    "row_problems",
    "source_rows",
    "validate",
]

MAX_PER_COLUMN = 25
"""At most this many problems are listed per column and check; the rest are counted."""

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MIDNIGHT = r"(?:[ T]00:00(?::00(?:\.0+)?)?)?"
_ISO_RE = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}}){_MIDNIGHT}$")
_DMY_RE = re.compile(rf"^(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}){_MIDNIGHT}$")
"""A date written day and month first, in either order: ``14/03/2015``, ``14.03.2015``,
``3-14-2015``; a time of day of exactly midnight (an Excel date-time cell) may follow."""

DATE_ORDERS = ("iso", "day-first", "month-first")
"""How dates written as ``NN/NN/YYYY`` are read: not at all (``iso``: ISO dates only), day
first (14/03/2015) or month first (03/14/2015). ISO ``YYYY-MM-DD`` is read in every case;
:mod:`ipsresearch.readers` decides between the two orders from the data or a setting."""

DATE_RANGE = ("1677-09-22", "2262-04-11")
"""First and last date a table may hold (pandas' nanosecond timestamps)."""

OPEN_END = "9999-12-31"
"""Read as blank in an ``open_ended`` date column (a record still open)."""


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
    open_ended : bool
        A ``date`` column whose blank means "still running" (a job's end):
        ``9999-12-31``, the marker many registers use for an open record, is
        read as blank too. Any other date outside the range pandas holds
        (:data:`DATE_RANGE`) is a problem naming the file, row and column.
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
    open_ended: bool = False

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
            if self.open_ended:
                text += " (9999-12-31 counts as blank)"
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
    min_rows : int
        Fewest records a valid table holds: 1 for most tables; 0 where an
        empty table is a fact about the data (a programme whose participants
        have had no job yet has no job spells).
    """

    name: str
    columns: Sequence[Column]
    key: tuple[str, ...] = ()
    checks: Sequence[RowCheck] = field(default_factory=tuple)
    description: str = ""
    min_rows: int = 1

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


def require_columns(data: pd.DataFrame, columns: Iterable[str], *, source: str, allowed: str) -> None:
    """Raise one :class:`InputError` naming every column of ``columns`` that ``data`` lacks.

    For functions that read a few named columns of a table they do not
    otherwise validate (a :class:`Schema` reports missing columns itself).

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"site": ["a"]}), ["site", "total"], source="scores",
    ...                 allowed="a table of totals")
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 1 problem in scores:
      - scores column `total`: required column is missing (columns found: site) (allowed: a table of totals)
    """
    found = ", ".join(map(str, data.columns))
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        raise InputError([Problem(source, None, c, f"required column is missing (columns found: {found})",
                                  allowed) for c in missing], source=source)


def _reading_order(problem: Problem) -> tuple[bool, bool, int]:
    """Sort key: whole-file and whole-column problems first, then by row; "... and N more" last."""
    return problem.message.startswith("... and"), problem.row is not None, problem.row or 0


def row_problems(
    where: np.ndarray | Sequence[int],
    describe: Callable[[int], str],
    *,
    source: str,
    rows: np.ndarray | None,
    column: str | None,
    allowed: str = "",
    more: str = "rows with the same problem",
) -> list[Problem]:
    """One :class:`Problem` per offending record, at most :data:`MAX_PER_COLUMN`, then a count.

    Every check that reports records row by row goes through this, so that
    each message has the same shape and a file with 10^6 bad rows gives a
    short message.

    Parameters
    ----------
    where : boolean mask or sequence of int
        The offending records: a mask over the table, or their positions.
    describe : callable
        ``describe(position) -> str``: what is wrong with that record, with its value.
    source, column, allowed
        As :class:`Problem`.
    rows : numpy.ndarray of int, optional
        Spreadsheet row of each position (e.g. :func:`source_rows`); ``None``
        when the records have no row (the problem names the column only).
    more : str
        Words for the records beyond the first :data:`MAX_PER_COLUMN`.

    Examples
    --------
    >>> import numpy as np
    >>> ages = np.array([30, -1, 40, -5])
    >>> for p in row_problems(ages < 0, lambda i: f"{ages[i]} is below 0", source="people.csv",
    ...                       rows=np.arange(4) + 2, column="age", allowed="numbers >= 0"):
    ...     print(p)
    people.csv row 3, column `age`: -1 is below 0 (allowed: numbers >= 0)
    people.csv row 5, column `age`: -5 is below 0 (allowed: numbers >= 0)
    """
    where = np.asarray(where)
    idx = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64, copy=False)
    problems = [Problem(source, None if rows is None else int(rows[i]), column, describe(int(i)),
                        allowed)
                for i in idx[:MAX_PER_COLUMN]]
    if len(idx) > MAX_PER_COLUMN:
        problems.append(Problem(source, None, column,
                                f"... and {len(idx) - MAX_PER_COLUMN} more {more}"))
    return problems


class ProblemCollector:
    """Collects the problems of one input and raises them all at once.

    Checks that read a table their own way (a file in two layouts, a
    cross-table rule) report through this, so that their problems have the
    shape of :func:`validate`'s: every problem found, at most
    :data:`MAX_PER_COLUMN` per kind and then a count, whole-file and
    whole-column problems first, then by row, in one :class:`InputError`.

    Parameters
    ----------
    source : str
        File or table name, used in every problem.

    Attributes
    ----------
    problems : list of Problem
        What has been collected so far.

    Examples
    --------
    >>> import numpy as np
    >>> ratings = np.array([4, 7, 0])
    >>> found = ProblemCollector("ratings.csv")
    >>> rows = np.arange(3) + 2  # spreadsheet rows: the header is row 1
    >>> found.add(ratings > 5, lambda i: f"{ratings[i]} is above 5", rows=rows,
    ...           column="rating", allowed="integers 1 to 5")
    >>> found.add(ratings < 1, lambda i: f"{ratings[i]} is below 1", rows=rows,
    ...           column="rating", allowed="integers 1 to 5")
    >>> found.add_problem(None, None, "has no review_id column", "a review_id column")
    >>> found.raise_if_any()
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 3 problems in ratings.csv:
      - ratings.csv: has no review_id column (allowed: a review_id column)
      - ratings.csv row 3, column `rating`: 7 is above 5 (allowed: integers 1 to 5)
      - ratings.csv row 4, column `rating`: 0 is below 1 (allowed: integers 1 to 5)
    """

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(
        self,
        where: np.ndarray | Sequence[int],
        describe: Callable[[int], str],
        *,
        rows: np.ndarray | None,
        column: str | None,
        allowed: str = "",
        more: str = "rows with the same problem",
    ) -> None:
        """One problem per offending record (see :func:`row_problems`, which takes the same arguments)."""
        self.problems += row_problems(where, describe, source=self.source, rows=rows,
                                      column=column, allowed=allowed, more=more)

    def add_problem(self, row: int | None, column: str | None, message: str,
                    allowed: str = "") -> None:
        """One problem with the whole input (``row`` and ``column`` ``None``), a column or a cell."""
        self.problems.append(Problem(self.source, row, column, message, allowed))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Problems found by another check (e.g. :func:`check_references`)."""
        self.problems.extend(problems)

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self) -> None:
        """Raise one :class:`InputError` listing every problem, in reading order; else nothing."""
        if self.problems:
            raise InputError(sorted(self.problems, key=_reading_order), source=self.source)


# --------------------------------------------------------------------------- arguments
#
# Arguments other than tables are checked here, so that a wrong option reads
# the same from every function: the argument's name, the value given, what is
# wrong, and what is allowed (as seaborn's ``utils._check_argument`` does for
# its options, in this package's words).


def check_choice(name: str, value: Any, options: Iterable[Any], *, many: bool = False) -> Any:
    """Return ``value`` when it is one of ``options``; otherwise raise a :class:`ValueError`.

    Parameters
    ----------
    name : str
        The argument's name, as the caller spells it.
    value
        What the caller passed.
    options : iterable
        The allowed values, in the order the message lists them (the keys of
        a mapping will do).
    many : bool
        ``value`` is a name or a sequence of names, each of which must be
        one of ``options``; the message lists those that are not.

    Returns
    -------
    The value as given (with ``many``, as a list).

    Raises
    ------
    ValueError
        ``"<name> <value> not recognised; choose from <options>"``.

    Examples
    --------
    >>> check_choice("method", "wilson", ("wilson", "exact"))
    'wilson'
    >>> check_choice("method", "wald", ("wilson", "exact"))
    Traceback (most recent call last):
    ...
    ValueError: method 'wald' not recognised; choose from wilson, exact
    >>> check_choice("job_type", ["competitive", "paid_job"], ("competitive", "volunteer"), many=True)
    Traceback (most recent call last):
    ...
    ValueError: job_type ['paid_job'] not recognised; choose from competitive, volunteer
    """
    allowed = tuple(options)
    choose = f"choose from {', '.join(map(str, allowed))}"
    if many:
        values = [value] if isinstance(value, str) else list(value)
        unknown = [v for v in values if not _one_of(v, allowed)]
        if unknown:
            raise ValueError(f"{name} {unknown!r} not recognised; {choose}")
        return values
    if not _one_of(value, allowed):
        raise ValueError(f"{name} {value!r} not recognised; {choose}")
    return value


def _one_of(value: Any, allowed: tuple) -> bool:
    """``value in allowed``, except that text never equals a number and ``True`` never equals 1."""
    def same_kind(a: Any) -> bool:
        return (isinstance(value, str) == isinstance(a, str)
                and isinstance(value, bool | np.bool_) == isinstance(a, bool | np.bool_))

    try:
        return any(value is a or (same_kind(a) and bool(value == a)) for a in allowed)
    except (TypeError, ValueError):  # an array or another value without a plain truth value
        return False


def check_confidence(confidence: Any, *, name: str = "confidence") -> float:
    """Return a confidence level as a float, or raise naming the value and what is allowed.

    Parameters
    ----------
    confidence
        The level the caller passed: a number strictly between 0 and 1.
    name : str
        The argument's name, for the message.

    Raises
    ------
    TypeError
        Not a number (text such as ``"0.95"``, ``None``, ``True``).
    ValueError
        A number outside (0, 1), such as ``95`` for 95 per cent.

    Examples
    --------
    >>> check_confidence(0.9)
    0.9
    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    ValueError: confidence 95 must be between 0 and 1 (e.g. 0.95)
    >>> check_confidence("0.95")
    Traceback (most recent call last):
    ...
    TypeError: confidence '0.95' is text, not a number; give a number between 0 and 1 (e.g. 0.95)
    """
    if isinstance(confidence, bool | np.bool_) or not isinstance(confidence, int | float | np.number):
        kind = "text" if isinstance(confidence, str) else f"a {type(confidence).__name__}"
        raise TypeError(f"{name} {confidence!r} is {kind}, not a number; "
                        f"give a number between 0 and 1 (e.g. 0.95)")
    value = float(confidence)
    if not 0.0 < value < 1.0:  # also NaN
        raise ValueError(f"{name} {confidence} must be between 0 and 1 (e.g. 0.95)")
    return value


def check_frame(data: Any, name: str = "data") -> pd.DataFrame:
    """Return ``data`` when it is a :class:`pandas.DataFrame`; otherwise raise a :class:`TypeError`.

    Examples
    --------
    >>> check_frame([1, 2], "scores")
    Traceback (most recent call last):
    ...
    TypeError: scores must be a pandas DataFrame, got list
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    return data


# --------------------------------------------------------------------------- files


def read_text(path: str | os.PathLike, *, what: str = "a CSV file") -> str:
    """Read a text file as UTF-8, with a message naming the file on any problem.

    A UTF-8 byte-order mark (as Excel writes) is removed. Bytes that are not
    UTF-8 are reported with the row they sit on, every such row (up to
    :data:`MAX_PER_COLUMN`), and what the byte would be in Windows-1252, the
    usual encoding of a spreadsheet saved as plain "CSV".

    Raises
    ------
    InputError
        The path does not exist, is a directory, is empty or is not UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sites.csv"
    >>> _ = path.write_bytes(b"site\\nCaf\\xe9\\n")  # saved by Excel as plain CSV
    >>> read_text(path)
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 1 problem in .../sites.csv:
      - .../sites.csv row 2: byte 0xe9 ('é' in Windows-1252) is not UTF-8 text (allowed: ...)
    """
    p = Path(path)
    src = str(path)
    if not p.exists():
        parent = p.parent
        hint = "" if parent.is_dir() else f"; the folder {parent} does not exist either"
        raise InputError([Problem(src, None, None, f"file does not exist{hint}", f"a path to {what}")])
    if p.is_dir():
        raise InputError([Problem(src, None, None, "is a directory", f"a path to {what}")])
    note_read(p)  # for the provenance of a report: the files its analysis read
    try:
        raw = p.read_bytes()
    except PermissionError:
        raise InputError([Problem(src, None, None, "cannot be read (permission denied)",
                                  f"a readable path to {what}")]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(
            src, None, None, "is UTF-16 text (it starts with a UTF-16 byte-order mark)",
            "UTF-8 encoded text; in Excel choose 'CSV UTF-8 (Comma delimited)', "
            "not 'Unicode Text'")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(_encoding_problems(raw, src), source=src) from None
    if not text.strip():
        raise InputError([Problem(src, None, None, "file is empty", f"{what} with a header row")])
    return text


def _encoding_problems(raw: bytes, src: str) -> list[Problem]:
    """One problem per row holding bytes that are not UTF-8 (rows as a spreadsheet counts them)."""
    allowed = "UTF-8 encoded text; in Excel choose 'CSV UTF-8 (Comma delimited)'"
    problems: list[Problem] = []
    bad_rows = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_rows += 1
            if bad_rows > MAX_PER_COLUMN:
                continue
            byte = line[exc.start : exc.start + 1]
            try:
                guess = f" ({byte.decode('cp1252')!r} in Windows-1252)"
            except UnicodeDecodeError:
                guess = ""
            problems.append(Problem(src, number, None,
                                    f"byte 0x{byte.hex()}{guess} is not UTF-8 text", allowed))
    if bad_rows > MAX_PER_COLUMN:
        problems.append(Problem(src, None, None,
                                f"... and {bad_rows - MAX_PER_COLUMN} more rows that are not UTF-8"))
    return problems


def read_records(
    path: str | os.PathLike,
    *,
    what: str = "a CSV file",
    source: str | None = None,
    columns: str = "",
    allow_empty: bool = False,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a comma-separated file as text cells, with each record's spreadsheet row.

    This is the file half of :func:`read_csv`, for readers that check cells
    themselves (for instance IPS-25 ratings in two layouts). Every cell is
    a ``str`` with surrounding spaces kept; header names are stripped and
    may repeat (the caller decides whether that is an error).

    Rows are numbered as a spreadsheet shows them (header = row 1; a quoted
    cell spanning several lines is one row). Rows whose cells are all blank
    (Excel writes them below the data, as ``,,,``) are skipped without
    changing the numbers of the other rows; so are trailing empty cells
    beyond the header.

    Parameters
    ----------
    path : str or path-like
    what : str
        Words for the expected file in messages, e.g. ``"a CSV file of participants"``.
    source : str, optional
        Name used in messages; defaults to the path as given.
    columns : str
        The expected columns in words, for the messages about a header that
        is not comma-separated and a file without data rows.
    allow_empty : bool
        Accept a file with a header and no data rows (a table whose schema
        has ``min_rows=0``).

    Returns
    -------
    frame : pandas.DataFrame
        One column per header cell, one row per non-blank record.
    rows : numpy.ndarray of int
        Spreadsheet row of each record of ``frame``.

    Raises
    ------
    InputError
        The file cannot be read as text (see :func:`read_text`), its header
        is semicolon- or tab-delimited, it has an unterminated quote, holds
        values beyond the header's columns, or has no header or no data rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ratings.csv"
    >>> _ = path.write_text("review_id;item;rating\\nR1;S1;4\\n")  # Excel in a comma-decimal locale
    >>> read_records(path, source="ratings.csv", columns="review_id, item, rating")
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 1 problem in ratings.csv:
      - ratings.csv row 1: the header is semicolon-delimited: 'review_id;item;rating' (allowed: ...)
    """
    src = source or str(path)
    text = read_text(path, what=what)
    hint = f" (expected columns: {columns})" if columns else ""
    first = next(line for line in text.splitlines() if line.strip())
    if "," not in first:
        for sep, label in ((";", "semicolon"), ("\t", "tab")):
            if sep in first:
                raise InputError([Problem(src, 1, None, f"the header is {label}-delimited: {first.strip()!r}",
                                          f"comma-separated values; re-save as CSV with commas{hint}")])
    frame, rows = _records(text, src, what)
    if len(frame) == 0 and not allow_empty:
        raise InputError([Problem(src, None, None, "has a header row but no data rows",
                                  "one row per record below the header" + (f" ({columns})" if columns else ""))])
    return frame, rows


def _records(text: str, src: str, what: str, *, delimiter: str = ",") -> tuple[pd.DataFrame, np.ndarray]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    records: list[list[str]] = []
    rows: list[int] = []
    header: list[str] | None = None
    header_row = 0
    number = 0
    problems: list[Problem] = []
    extra_rows = 0
    try:
        width = 0
        for number, record in enumerate(reader, start=1):
            if not "".join(record).strip():  # a blank row, or Excel's ",,,"
                continue
            if header is None:
                header, header_row, width = [c.strip() for c in record], number, len(record)
                continue
            if len(record) == width:
                records.append(record)
                rows.append(number)
                continue
            if len(record) > len(header):
                if any(c.strip() for c in record[len(header):]):
                    extra_rows += 1
                    if extra_rows <= MAX_PER_COLUMN:
                        last = next(i for i in range(len(record) - 1, -1, -1) if record[i].strip())
                        problems.append(Problem(
                            src, number, None,
                            f"has {last + 1} values but the header names {len(header)} columns "
                            f"(value {last + 1} is {_show(record[last])})",
                            "one value per header column; put quotes around a value that "
                            "contains a comma"))
                record = record[: len(header)]
            elif len(record) < len(header):
                record = record + [""] * (len(header) - len(record))
            records.append(record)
            rows.append(number)
    except csv.Error as exc:
        what_failed = ("a quote (\") opened on this row is never closed"
                       if "end of data" in str(exc) else f"cannot be parsed as CSV ({exc})")
        raise InputError([Problem(src, number + 1, None, what_failed,
                                  "comma-separated values; a value with a quote (\") must be "
                                  "quoted as a whole, with inner quotes doubled")]) from None
    if header is None:
        raise InputError([Problem(src, None, None, "file is empty", f"{what} with a header row")])
    if extra_rows > MAX_PER_COLUMN:
        problems.append(Problem(src, None, None,
                                f"... and {extra_rows - MAX_PER_COLUMN} more rows with too many values"))
    # columns without a name: dropped when empty (Excel's trailing columns), an error otherwise
    unnamed = [j for j, name in enumerate(header) if name == ""]
    for j in unnamed:
        filled = [i for i, r in enumerate(records) if r[j].strip()]
        if filled:
            i = filled[0]
            problems.append(Problem(src, header_row, None,
                                    f"column {j + 1} has values (e.g. {_show(records[i][j])} on row "
                                    f"{rows[i]}) but no name in the header",
                                    "a name in the header for every column that holds values"))
    if problems:
        raise InputError(problems, source=src)
    if unnamed:
        keep = [j for j in range(len(header)) if j not in set(unnamed)]
        header = [header[j] for j in keep]
        records = [[r[j] for j in keep] for r in records]
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else \
        pd.DataFrame(columns=header, dtype=object)
    return frame, np.asarray(rows, dtype=np.int64)


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
    frame, rows = read_records(path, what=f"a CSV file of {schema.name}", source=src,
                               columns=", ".join(schema.names), allow_empty=schema.min_rows == 0)
    return _validate(frame, schema, source=src, rows=rows)


def source_rows(frame: pd.DataFrame) -> np.ndarray:
    """Spreadsheet row of each record of a frame returned by :func:`read_csv`.

    Row 2 is the first record below the header, unless the file had blank
    rows, which are skipped but still counted. For any other frame the rows
    are those it would have if saved as CSV (``2, 3, ...``). Cross-table
    checks (:func:`check_references`) use this to name the right row.

    Examples
    --------
    >>> import pandas as pd
    >>> source_rows(pd.DataFrame({"a": [1, 2]})).tolist()
    [2, 3]
    """
    rows = np.arange(len(frame), dtype=np.int64) + 2
    layout = frame.attrs.get("source_rows")
    if not (isinstance(layout, tuple) and len(layout) == 2 and layout[0] == len(frame)):
        return rows
    runs = [(0, 2), *layout[1]]  # runs of consecutive rows: (position, row at that position)
    starts = np.array([r[0] for r in runs], dtype=np.int64)
    first = np.array([r[1] for r in runs], dtype=np.int64)
    lengths = np.diff(np.append(starts, len(frame)))
    return np.repeat(first - starts, lengths) + np.arange(len(frame), dtype=np.int64)


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


def _validate(frame: pd.DataFrame, schema: Schema, *, source: str,
              rows: np.ndarray | None = None, decimal: str = ".", dates: str = "iso") -> pd.DataFrame:
    typed, problems = check_table(frame, schema, source=source, rows=rows, decimal=decimal,
                                  dates=dates)
    if problems:
        raise InputError(problems, source=source)
    return typed


def check_table(frame: pd.DataFrame, schema: Schema, *, source: str,
                rows: np.ndarray | None = None, decimal: str = ".", dates: str = "iso",
                ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check a table of raw cells against ``schema``; return the typed table and every problem.

    The collecting half of :func:`validate`, for readers that report the
    problems of several files at once (:class:`ipsresearch.readers.Folder`).
    Cells that break their column's rules are missing in the typed table, so
    checks between tables can still run on the rest. The typed table is
    ``None`` when the table as a whole cannot be read: repeated column names,
    no rows, or a required column missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells as read (text, numbers, dates, categories).
    schema : Schema
    source : str
        File or table name used in messages.
    rows : numpy.ndarray of int, optional
        Spreadsheet row of each record (default ``2, 3, ...``).
    decimal : {".", ","}
        Decimal mark of numbers written as text (a comma in files that use
        semicolons between values).
    dates : {"iso", "day-first", "month-first"}
        How ``NN/NN/YYYY`` dates are read (:data:`DATE_ORDERS`).

    Returns
    -------
    typed : pandas.DataFrame or None
    problems : list of Problem
        In reading order.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch.schemas import PARTICIPANTS
    >>> raw = pd.DataFrame({"participant_id": ["P1", "P2"], "site": ["Bodø", "Bodø"],
    ...                     "enrolment_date": ["14.03.2021", "02.04.2021"],
    ...                     "follow_up_end": ["31.12.2023", "31.13.2023"]})
    >>> typed, problems = check_table(raw, PARTICIPANTS, source="people.csv", dates="day-first")
    >>> typed["enrolment_date"].dt.strftime("%Y-%m-%d").tolist()
    ['2021-03-14', '2021-04-02']
    >>> print(problems[0])
    people.csv row 3, column `follow_up_end`: 31.13.2023 is not a calendar date (allowed: dates as YYYY-MM-DD)
    """
    check_choice("decimal", decimal, (".", ","))
    check_choice("dates", dates, DATE_ORDERS)
    problems: list[Problem] = []
    if len(frame.columns) != len(set(frame.columns)):
        dups = sorted({str(c) for c in frame.columns if list(frame.columns).count(c) > 1})
        problems.append(Problem(source, 1, None, f"column names repeat: {', '.join(dups)}",
                                "each column name once"))
        return None, problems
    if len(frame) < schema.min_rows:
        return None, [Problem(source, None, None, "has no rows", "at least one record")]
    default_rows = rows is None or np.array_equal(rows, np.arange(len(frame)) + 2)
    rows = np.arange(len(frame)) + 2 if rows is None else np.asarray(rows, dtype=np.int64)
    present = set(frame.columns)
    out: dict[str, pd.Series] = {}
    for col in schema.columns:
        if col.name not in present:
            if col.required:
                problems.append(Problem(
                    source, None, col.name,
                    "required column is missing" + _near_miss(col.name, frame.columns, schema)
                    + " (columns found: " + ", ".join(map(str, frame.columns)) + ")",
                    col.describe_allowed()))
            continue
        series, col_problems = _parse_column(frame[col.name], col, source, rows, decimal=decimal,
                                             dates=dates)
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
    typed = pd.DataFrame(out, copy=False)  # the parsed columns as they are, not stacked
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
        problems.extend(row_problems(bad, lambda i, check=check: check.message(typed.iloc[i]),
                                     source=source, rows=rows, column=check.column,
                                     allowed=check.allowed))
    if not default_rows:
        # compact, so that pandas' copying of attrs stays cheap: (length, runs of consecutive rows)
        starts = np.flatnonzero(np.diff(rows, prepend=1) != 1)
        typed.attrs["source_rows"] = (len(rows), tuple((int(i), int(rows[i])) for i in starts))
    missing = any(c.required and c.name not in present for c in schema.columns)
    return (None if missing else typed), sorted(problems, key=_reading_order)


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """``"; did you mean competitive?"`` when ``value`` is close to exactly one of ``options``.

    Close means equal once case, spaces, hyphens and underscores are ignored
    (``Competitive``, ``S 1``, ``work-trial``), or a near spelling
    (:func:`difflib.get_close_matches`, cutoff 0.8); otherwise ``""``.

    Examples
    --------
    >>> did_you_mean("Competitive", ["competitive", "sheltered"])
    '; did you mean competitive?'
    >>> did_you_mean("S 1", ["S1", "S2", "O1"])
    '; did you mean S1?'
    >>> did_you_mean("full-time", ["competitive", "sheltered"])
    ''
    """
    options = [str(o) for o in options]

    def squash(text: str) -> str:
        return re.sub(r"[\s_-]+", "", text).casefold()

    text = str(value).strip()
    same = [o for o in options if squash(o) == squash(text)]
    if len(same) == 1:
        return f"; did you mean {same[0]}?"
    close = difflib.get_close_matches(text, options, n=2, cutoff=0.8)
    if len(close) == 1 or (close and len(text) > 3):
        return f"; did you mean {close[0]}?"
    return ""


def _near_miss(name: str, columns: Iterable[Any], schema: Schema) -> str:
    """``; found `Site` (names are case-sensitive)`` when a column differs only a little."""
    found = [str(c) for c in columns if str(c) not in set(schema.names)]
    same_case = [c for c in found if c.strip().lower() == name.lower()]
    if same_case:
        return f"; found `{same_case[0]}` (column names are case-sensitive, no spaces)"
    close = difflib.get_close_matches(name, found, n=1, cutoff=0.75)
    if close:
        return f"; found `{close[0]}`, a misspelling?"
    return ""


def _duplicates(typed: pd.DataFrame, key: tuple[str, ...], source: str, rows: np.ndarray) -> list[Problem]:
    codes = key_codes(typed, key)
    order = np.argsort(codes, kind="stable")  # equal keys: first occurrence first
    sorted_codes = codes[order]
    repeat = np.r_[False, sorted_codes[1:] == sorted_codes[:-1]] & (sorted_codes >= 0)
    dup = np.zeros(len(codes), dtype=bool)
    dup[order[repeat]] = True
    if not dup.any():
        return []
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    first_of = np.empty(len(codes), dtype=np.int64)
    first_of[order] = order[starts[np.searchsorted(starts, np.arange(len(codes)), side="right") - 1]]

    def describe(i: int) -> str:
        shown = ", ".join(f"{k}={typed[k].iloc[i]}" for k in key) if len(key) > 1 else str(typed[key[0]].iloc[i])
        return f"{shown} repeats row {int(rows[first_of[i]])}"

    return row_problems(dup, describe, source=source, rows=rows, column=", ".join(key),
                        allowed="each value once" if len(key) == 1 else
                        f"each combination of {', '.join(key)} once", more="repeated rows")


def _blank(series: pd.Series) -> np.ndarray:
    s = series
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        txt = s.astype("string")
        return (txt.isna() | (txt.str.strip() == "")).to_numpy(dtype=bool)
    return s.isna().to_numpy()


def _reporter(problems: list[Problem], raw: pd.Series, col: Column, source: str,
              rows: np.ndarray) -> Callable[[np.ndarray, Callable[[Any], str]], None]:
    """``report(mask, describe)``: add a problem for each flagged row of ``raw`` to ``problems``,
    described from the row's raw value."""
    allowed = col.describe_allowed()

    def report(mask: np.ndarray, describe: Callable[[Any], str]) -> None:
        problems.extend(row_problems(mask, lambda i: describe(raw.iloc[i]), source=source,
                                     rows=rows, column=col.name, allowed=allowed))

    return report


def _parse_column(raw: pd.Series, col: Column, source: str, rows: np.ndarray, *,
                  decimal: str = ".", dates: str = "iso") -> tuple[pd.Series, list[Problem]]:
    raw = raw.reset_index(drop=True)
    if col.kind == "str" and isinstance(raw.dtype, pd.CategoricalDtype):
        return _parse_categorical(raw, col, source, rows)
    if col.kind != "str" and isinstance(raw.dtype, pd.CategoricalDtype):
        raw = raw.astype(object)  # labelled numbers or dates (SPSS, Stata): check the values
    # text is stripped once; blank cells are read from the stripped text (one pass, not two)
    stripped = raw.astype("string").str.strip() if col.kind == "str" else None
    blank = _blank(raw) if stripped is None else \
        (stripped.isna() | (stripped == "")).to_numpy(dtype=bool)
    problems: list[Problem] = []
    report = _reporter(problems, raw, col, source, rows)

    if not col.nullable:
        report(blank, lambda v: "is blank")

    if col.kind == "str":
        values = stripped
        if blank.any():
            values = values.mask(pd.Series(blank), pd.NA)
        values = values.rename(col.name)
        if col.allowed is not None:
            bad = ~blank & ~values.isin(col.allowed).fillna(False).to_numpy(dtype=bool)
            report(bad, lambda v: f"{_show(str(v).strip())} is not a recognised value"
                   + did_you_mean(str(v), col.allowed))
        return values, problems

    if col.kind in {"int", "float"}:
        if pd.api.types.is_bool_dtype(raw.dtype):
            num = raw.astype(float)
        elif pd.api.types.is_numeric_dtype(raw.dtype):
            num = raw.astype(float)
        else:
            txt = raw.astype("string").str.strip()
            if decimal == ",":
                txt = txt.str.replace(",", ".", regex=False)
            num = pd.to_numeric(txt, errors="coerce").astype(float)
        num_arr = num.to_numpy(dtype=float)
        notnum = ~blank & np.isnan(num_arr)
        report(notnum, lambda v: f"{_show(v)} is not a number" + (
            " (use a point as the decimal mark)" if decimal == "." and
            re.fullmatch(r"\s*-?\d+,\d+\s*", str(v)) else ""))
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
        if getattr(raw.dt, "tz", None) is not None:
            raw = raw.dt.tz_localize(None)
        if raw.dtype == np.dtype("datetime64[ns]"):
            return raw.rename(col.name), problems
        raw = raw.astype(object)  # another unit (dates far from today may not fit ns): as text below
    if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):
        # date, datetime or Timestamp objects (Excel, SPSS, Stata cells), possibly mixed with text
        is_dt = np.fromiter((isinstance(v, _dt.date) and not pd.isna(v) for v in raw), dtype=bool,
                            count=len(raw))
        if is_dt.any():
            raw = raw.copy()
            raw[is_dt] = [_date_text(v) for v in raw[is_dt]]
            report = _reporter(problems, raw, col, source, rows)  # messages show the date
    txt = raw.astype("string").str.strip()
    iso = txt.str.extract(_ISO_RE)
    shape_ok = iso[0].notna().to_numpy(dtype=bool)
    ymd = iso
    if dates != "iso":
        dmy = txt.str.extract(_DMY_RE)
        is_dmy = dmy[0].notna().to_numpy(dtype=bool) & ~shape_ok
        if is_dmy.any():
            day, month = (dmy[0], dmy[2]) if dates == "day-first" else (dmy[2], dmy[0])
            pick = pd.Series(is_dmy)
            ymd = pd.DataFrame({0: iso[0].mask(pick, dmy[3]),
                                1: iso[1].mask(pick, month.str.zfill(2)),
                                2: iso[2].mask(pick, day.str.zfill(2))})
            shape_ok = shape_ok | is_dmy
    bad_shape = ~blank & ~shape_ok
    order = "" if dates == "iso" else (" or DD/MM/YYYY" if dates == "day-first" else " or MM/DD/YYYY")
    report(bad_shape, lambda v: f"{_show(v)} is not a date in YYYY-MM-DD{order} form" + (
        " (leave out the time of day)" if re.match(r"\s*\d{1,4}[-./]\d{1,2}[-./]\d{1,4}[ T]\d",
                                                   str(v)) else ""))
    iso_text = (ymd[0] + "-" + ymd[1] + "-" + ymd[2]).where(pd.Series(shape_ok), None)
    open_end = np.zeros(len(txt), dtype=bool)
    if col.open_ended:
        open_end = (iso_text == OPEN_END).fillna(False).to_numpy(dtype=bool)
        iso_text = iso_text.mask(pd.Series(open_end), None)
    in_range = ((iso_text >= DATE_RANGE[0]) & (iso_text <= DATE_RANGE[1])).fillna(False).to_numpy(bool)
    outside = shape_ok & ~open_end & ~in_range
    report(outside, lambda v: f"{_show(str(v).strip())} is outside the dates a table can hold "
                              f"({DATE_RANGE[0]} to {DATE_RANGE[1]})"
           + (f"; a blank {col.name} means still running" if col.nullable else ""))
    keep = shape_ok & ~outside
    parsed = pd.to_datetime(iso_text.where(pd.Series(keep), None), format="%Y-%m-%d", errors="coerce")
    impossible = keep & parsed.isna().to_numpy() & ~open_end
    report(impossible, lambda v: f"{_show(str(v).strip())} is not a calendar date")
    return pd.Series(parsed, name=col.name).astype("datetime64[ns]"), problems


def _date_text(value: _dt.date) -> str:
    """``YYYY-MM-DD`` of a date or date-time cell (the time of day is dropped)."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _parse_categorical(raw: pd.Series, col: Column, source: str, rows: np.ndarray
                       ) -> tuple[pd.Series, list[Problem]]:
    """A ``str`` column held as a pandas Categorical (as Parquet dictionary columns load):
    the checks of :func:`_parse_column` on the few distinct values, not on every row.

    The result stays categorical, its categories stripped of surrounding
    space (values that differ only by such space become one category) and
    unused ones dropped; blank cells become missing.
    """
    codes = raw.cat.codes.to_numpy()
    cats = pd.Series(raw.cat.categories, dtype=object).astype("string").str.strip()
    cat_blank = (cats.isna() | (cats == "")).to_numpy(dtype=bool)
    missing = codes < 0
    safe = np.where(missing, 0, codes)
    blank = missing | (cat_blank[safe] if cats.size else missing)
    problems: list[Problem] = []
    report = _reporter(problems, raw, col, source, rows)

    if not col.nullable:
        report(blank, lambda v: "is blank")
    if col.allowed is not None and cats.size:
        cat_bad = ~cat_blank & ~cats.isin(col.allowed).fillna(False).to_numpy(dtype=bool)
        report(~blank & cat_bad[safe],
               lambda v: f"{_show(str(v).strip())} is not a recognised value"
               + did_you_mean(str(v), col.allowed))
    # stripped categories, each once, in the order of the originals; blank ones dropped
    used = np.bincount(safe[~blank], minlength=cats.size) > 0 if cats.size else np.zeros(0, bool)
    keep = used & ~cat_blank
    new_code, uniques = pd.factorize(cats[keep].to_numpy(dtype=object))
    remap = np.full(cats.size + 1, -1, dtype=np.int64)  # last slot: missing
    remap[np.flatnonzero(keep)] = new_code
    values = pd.Categorical.from_codes(remap[np.where(blank, cats.size, codes)],
                                       categories=pd.Index(uniques))
    return pd.Series(values, name=col.name), problems


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
    missing = row_positions(parent[key], child[key]) < 0
    return row_problems(missing, lambda i: f"{child[key].iloc[i]} does not appear in {parent_source}",
                        source=child_source, rows=source_rows(child), column=key,
                        allowed=f"a {key} listed in {parent_source}")

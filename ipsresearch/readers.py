"""Reading tables as sites export them: CSV, Excel workbooks, SPSS and Stata files.

A programme's records arrive in whatever its software writes: CSV with
commas or, in Nordic and German settings, semicolons and decimal commas;
UTF-8 with or without a byte-order mark, UTF-16 or Windows-1252 text;
ISO dates, day-first dates (14/03/2015, 14.03.2015) or Excel date-time
cells; ``.xlsx`` workbooks with one sheet per table or one file per table;
SPSS ``.sav`` and Stata ``.dta`` files whose value labels name categories.
This module reads all of them with well-kept libraries (pandas' CSV parser,
openpyxl, pyreadstat) into one shape, a table of raw cells with the row
each record has in a spreadsheet, and hands it to
:func:`ipsresearch.validation.check_table`, so that a table is held to the
same schema whatever file it came from.

What the libraries do not decide is decided here, and said: which encoding
(detected from the bytes, or set), which delimiter (sniffed by
:class:`csv.Sniffer` among comma, semicolon and tab), which decimal mark
(a comma when values are separated by semicolons) and which order of day
and month. That order is never guessed: it is day-first only when some
date in the file has a number above 12 in the first place, month-first
only when one has it in the second, and otherwise it must be set
(``dates = "day-first"`` in the folder's ``ipsresearch.toml``, or
``dates="day-first"`` in Python). :attr:`Table.notes` records each decision.

A folder is read through :class:`Folder`, which finds each table in any of
the formats (``participants.csv``, ``participants.xlsx``, a sheet
``participants`` of a workbook, ``participants.sav``, ...), reads every
file even when an earlier one had problems, runs the checks between tables
on what could be read, and raises one :class:`~ipsresearch.validation.InputError`
listing every problem of every file.

Only regular files are opened (a device such as ``/dev/zero`` or a named
pipe is refused before anything is read) and at most :data:`MAX_BYTES`.

Examples
--------
>>> import tempfile, pathlib
>>> from ipsresearch.schemas import PARTICIPANTS
>>> path = pathlib.Path(tempfile.mkdtemp()) / "participants.csv"
>>> _ = path.write_bytes("participant_id;site;enrolment_date;follow_up_end\\n"
...                      "T01;Tromsø;14.03.2021;31.12.2023\\n".encode("cp1252"))
>>> table = read_table(path, PARTICIPANTS)
>>> table[["site", "enrolment_date"]]
     site enrolment_date
0  Tromsø     2021-03-14
>>> for note in table.attrs["read"]["notes"]:
...     print(note)
encoding Windows-1252 (the bytes are not UTF-8)
values separated by semicolons, decimal comma
dates read day first: 14.03.2021 (row 2, column enrolment_date) can only be read that way
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import stat
import tomllib
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipsresearch.paths import note_read, probing
from ipsresearch.validation import (
    DATE_ORDERS,
    MAX_PER_COLUMN,
    InputError,
    Problem,
    Schema,
    UnknownColumnWarning,
    _reading_order,
    _records,
    _show,
    check_choice,
    check_table,
    did_you_mean,
)

__all__ = [
    "DATES",
    "ENCODINGS",
    "FORMATS",
    "MAX_BYTES",
    "SETTINGS_FILE",
    "Folder",
    "Table",
    "check_file",
    "empty_table",
    "read_frame",
    "read_settings",
    "read_table",
]

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".sav": "sav", ".zsav": "sav", ".dta": "dta"}
"""File name endings read, and the reader each one goes to."""

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252")
"""Text encodings of CSV files: ``auto`` detects UTF-8 (with or without a byte-order
mark), UTF-16 with a byte-order mark and Windows-1252; the others force one."""

DATES = ("auto", *DATE_ORDERS)
"""Order of day and month in ``NN/NN/YYYY`` dates: ``auto`` decides from the data
(a number above 12) or asks for a setting; see :data:`ipsresearch.validation.DATE_ORDERS`."""

MAX_BYTES = 4 * 2**30
"""Largest file read (4 GiB); a larger one is refused, naming the limit."""

SETTINGS_FILE = "ipsresearch.toml"
"""Optional file in a data folder: ``encoding`` and ``dates`` for every table in it."""

_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with a byte-order mark",
                   "utf-16": "UTF-16 with a byte-order mark", "utf-16-le": "UTF-16 (little-endian)",
                   "utf-16-be": "UTF-16 (big-endian)", "cp1252": "Windows-1252"}
_CHUNK = 1 << 20
_DMY = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-]\d{4}(?:[ T]00:00(?::00)?)?\s*$")
_SETTING_HELP = (f"set the order: dates = \"day-first\" or \"month-first\" in {SETTINGS_FILE} in "
                 "the data folder (or dates= in Python)")


@dataclass
class Table:
    """A table as read from one file: raw cells, their spreadsheet rows and how it was read.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per header cell (names stripped), cells as the file holds
        them: text for CSV, numbers, text and date-times for workbooks,
        labelled categories for SPSS and Stata.
    rows : numpy.ndarray of int
        Spreadsheet row of each record (header = row 1; blank rows skipped
        but counted). For ``.sav`` and ``.dta`` files, case *k* is row *k* + 1.
    source : str
        Name used in messages: the path, plus ``, sheet NAME`` for a sheet.
    format : str
        ``csv``, ``xlsx``, ``sav`` or ``dta``.
    decimal : str
        Decimal mark of numbers written as text.
    notes : list of str
        What was decided while reading (encoding, delimiter, date order).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    format: str
    decimal: str = "."
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ files


def check_file(path: str | os.PathLike, *, what: str = "a data file",
               source: str | None = None) -> Path:
    """Return ``path`` when it is a regular file that can be read; else raise naming it.

    A symbolic link is followed; what it points to must be a regular file
    too. Devices (``/dev/zero``), named pipes, sockets and directories are
    refused without opening them, so that reading can neither block nor
    run without end; so is a file larger than :data:`MAX_BYTES`.

    Raises
    ------
    ipsresearch.validation.InputError

    Examples
    --------
    >>> check_file("/dev/zero")
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 1 problem in /dev/zero:
      - /dev/zero: is a character device, not a regular file (allowed: a data file saved as a regular file)
    """
    p = Path(path)
    src = source or str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        parent = p.parent
        hint = "" if parent.is_dir() else f"; the folder {parent} does not exist either"
        raise InputError([Problem(src, None, None, f"file does not exist{hint}",
                                  f"a path to {what}")]) from None
    except PermissionError:
        raise InputError([Problem(src, None, None, "cannot be read (permission denied)",
                                  f"a readable path to {what}")]) from None
    except OSError as exc:
        raise InputError([Problem(src, None, None, f"cannot be read ({exc.strerror})",
                                  f"a path to {what}")]) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(src, None, None, "is a directory", f"a path to {what}")])
    if not stat.S_ISREG(st.st_mode):
        kind = ("a character device" if stat.S_ISCHR(st.st_mode) else
                "a block device" if stat.S_ISBLK(st.st_mode) else
                "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
        raise InputError([Problem(src, None, None, f"is {kind}, not a regular file",
                                  f"{what} saved as a regular file")])
    if st.st_size > MAX_BYTES:
        raise InputError([Problem(src, None, None,
                                  f"is {st.st_size / 2**30:.1f} GiB, more than the "
                                  f"{MAX_BYTES / 2**30:.0f} GiB read at most",
                                  f"{what} below {MAX_BYTES / 2**30:.0f} GiB (split it by year "
                                  "or site)")])
    if not os.access(p, os.R_OK):
        raise InputError([Problem(src, None, None, "cannot be read (permission denied)",
                                  f"a readable path to {what}")])
    return p


def _format(path: Path, src: str) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head.startswith(b"PK\x03\x04"):
            return "xlsx"
        return "csv"
    return fmt


# ---------------------------------------------------------------------- encoding


def _looks_utf16(head: bytes) -> str | None:
    """``"le"`` or ``"be"`` when text without a byte-order mark has a zero in every other byte."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    if zeros_odd > 0.6 * len(odd) and zeros_even < 0.1 * len(even):
        return "le"
    if zeros_even > 0.6 * len(even) and zeros_odd < 0.1 * len(odd):
        return "be"
    return None


def _line_of(path: Path, offset: int) -> int:
    """Line (1-based) holding byte ``offset``: counts line breaks before it, in chunks."""
    lines, done = 1, 0
    with open(path, "rb") as fh:
        while done < offset:
            block = fh.read(min(_CHUNK, offset - done))
            if not block:
                break
            lines += block.count(b"\n")
            done += len(block)
    return lines


def _detect_encoding(path: Path, src: str, encoding: str, what: str) -> tuple[str, list[str]]:
    """The encoding to read ``path`` with and a note saying why; problems raise.

    Reads the file once in chunks of 1 MiB: the whole file must decode, so
    that a Windows-1252 byte on the last row is not read as UTF-8 garbage.
    """
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise InputError([Problem(src, None, None, "file is empty", f"{what} with a header row")])
    if encoding != "auto":
        return encoding, [f"encoding {_ENCODING_NAMES.get(encoding, encoding)} (as set)"]
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", ["encoding UTF-16 (byte-order mark)"]
    order = _looks_utf16(head)
    if order is not None:
        raise InputError([Problem(
            src, None, None,
            f"is UTF-16 text without a byte-order mark (every other byte is zero, {order}-endian)",
            "UTF-8, Windows-1252 or UTF-16 with a byte-order mark (in Excel: 'CSV UTF-8'); or set "
            f"encoding = \"utf-16-{order}\"")])
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_CHUNK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                break
            if not block:
                return "utf-8", []
            offset += len(block)
    # not UTF-8: Windows-1252 when every byte is defined there
    undefined = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
    with open(path, "rb") as fh:
        pos = 0
        while block := fh.read(_CHUNK):
            m = undefined.search(block)
            if m:
                at = pos + m.start()
                raise InputError([Problem(
                    src, _line_of(path, at), None,
                    f"byte 0x{block[m.start()]:02x} is neither UTF-8 nor Windows-1252 text "
                    f"(first byte that is not UTF-8: line {_line_of(path, bad)})",
                    "UTF-8 text (in Excel: 'CSV UTF-8'), Windows-1252 or UTF-16; or set encoding")])
            pos += len(block)
    return "cp1252", ["encoding Windows-1252 (the bytes are not UTF-8)"]


# ---------------------------------------------------------------------- readers


def _nul_problems(frame: pd.DataFrame, rows: np.ndarray, src: str) -> list[Problem]:
    """A problem for every cell holding a NUL character (binary data, or UTF-16 read as bytes)."""
    problems: list[Problem] = []
    for j, col in enumerate(frame.columns):
        values = frame.iloc[:, j]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        has = values.astype("string").str.contains("\x00", regex=False).fillna(False)
        where = np.flatnonzero(has.to_numpy(dtype=bool))
        for i in where[:MAX_PER_COLUMN]:
            shown = str(values.iloc[i]).replace("\x00", "\\x00")
            problems.append(Problem(src, int(rows[i]), str(col),
                                    f"{shown[:40]!r} holds a NUL byte (\\x00)",
                                    "text without NUL bytes; save the file again as CSV or a "
                                    "workbook"))
        if len(where) > MAX_PER_COLUMN:
            problems.append(Problem(src, None, str(col),
                                    f"... and {len(where) - MAX_PER_COLUMN} more cells with NUL bytes"))
    return problems


def _sniff(sample: str) -> str:
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    text = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t").delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(path: Path, src: str, *, encoding: str, what: str) -> Table:
    enc, notes = _detect_encoding(path, src, encoding, what)
    with open(path, encoding=enc, errors="replace", newline="") as fh:
        sample = fh.read(64 * 1024)
    sep = _sniff(sample)
    decimal = "," if sep == ";" else "."
    if sep != ",":
        notes.append(f"values separated by {_DELIMITERS[sep]}"
                     + (", decimal comma" if decimal == "," else ""))
    try:
        raw = pd.read_csv(path, sep=sep, header=None, dtype=str, keep_default_na=False,
                          na_filter=False, skip_blank_lines=False, encoding=enc,
                          encoding_errors="strict", engine="c", quotechar='"', doublequote=True)
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError):
        # a ragged row or a broken quote: the line-by-line reader names every such row
        with open(path, encoding=enc, newline="") as fh:
            text = fh.read()
        frame, rows = _records(text, src, what, delimiter=sep)
        return Table(frame, rows, src, "csv", decimal, notes)
    except pd.errors.EmptyDataError:
        raise InputError([Problem(src, None, None, "file is empty", f"{what} with a header row")]) from None
    return _from_grid(raw, src, "csv", decimal, notes, what)


def _from_grid(raw: pd.DataFrame, src: str, fmt: str, decimal: str, notes: list[str],
               what: str) -> Table:
    """Header and records from a grid of cells whose position ``i`` is spreadsheet row ``i + 1``."""
    def blank_rows(grid: pd.DataFrame) -> np.ndarray:
        empty = np.ones(len(grid), dtype=bool)
        for c in grid.columns:
            col = grid[c]
            if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
                txt = col.astype("string").str.strip()
                empty &= (txt.isna() | (txt == "")).to_numpy(dtype=bool)
            else:
                empty &= col.isna().to_numpy(dtype=bool)
        return empty

    empty = blank_rows(raw)
    filled = np.flatnonzero(~empty)
    if len(filled) == 0:
        raise InputError([Problem(src, None, None, "file is empty", f"{what} with a header row")])
    h = int(filled[0])
    header = ["" if pd.isna(v) else str(v).strip() for v in raw.iloc[h].tolist()]
    body = raw.iloc[h + 1:]
    keep = ~empty[h + 1:]
    rows = np.flatnonzero(keep).astype(np.int64) + h + 2
    body = body[keep]
    # columns without a name: dropped when empty (trailing columns), a problem otherwise
    problems = []
    named = []
    for j, name in enumerate(header):
        if name:
            named.append(j)
            continue
        col = body.iloc[:, j]
        txt = col.astype("string").str.strip()
        has = ~(txt.isna() | (txt == "")).to_numpy(dtype=bool)
        if has.any():
            i = int(np.flatnonzero(has)[0])
            problems.append(Problem(src, h + 1, None,
                                    f"column {j + 1} has values (e.g. {_show(col.iloc[i])} on row "
                                    f"{rows[i]}) but no name in the header",
                                    "a name in the header for every column that holds values"))
    if problems:
        raise InputError(problems, source=src)
    frame = body.iloc[:, named].reset_index(drop=True)
    frame.columns = [header[j] for j in named]
    return Table(frame, rows, src, fmt, decimal, notes)


def _sheet_names(path: Path, src: str) -> list[str]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or password-protected workbook
        raise InputError([Problem(src, None, None,
                                  f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                                  "an .xlsx workbook saved by Excel or LibreOffice")]) from None
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _read_xlsx(path: Path, src: str, *, sheet: str | None, table: str | None, what: str) -> Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError([Problem(src, None, None,
                                  f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                                  "an .xlsx workbook saved by Excel or LibreOffice")]) from None
    try:
        names = list(wb.sheetnames)
        if sheet is None:
            wanted = [n for n in names if table is not None and n.strip().casefold() == table.casefold()]
            data = [n for n in names if not _is_dictionary(n)]
            if wanted:
                sheet = wanted[0]
            elif len(data) == 1:
                sheet = data[0]
            else:
                raise InputError([Problem(src, None, None,
                                          f"has {len(names)} sheets ({', '.join(names)}) and none "
                                          f"is named {table or 'after the table'}",
                                          "one sheet, or a sheet named after the table")])
        elif sheet not in names:
            raise InputError([Problem(src, None, None, f"has no sheet {sheet!r}"
                                      + did_you_mean(sheet, names),
                                      "one of " + ", ".join(names))])
        ws = wb[sheet]
        shown = src if len(names) == 1 else f"{src}, sheet {sheet}"
        grid = list(ws.iter_rows(min_row=1, values_only=True))
    finally:
        wb.close()
    width = max((len(r) for r in grid), default=0)
    raw = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in grid], dtype=object)
    if raw.empty:
        raise InputError([Problem(shown, None, None, "sheet is empty", f"{what} with a header row")])
    return _from_grid(raw, shown, "xlsx", ".", [], what)


def _is_dictionary(sheet: str) -> bool:
    return sheet.strip().casefold().replace("_", " ") in {"data dictionary", "dictionary", "readme"}


def _read_stats(path: Path, src: str, fmt: str) -> Table:
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    note_read(path)  # pyreadstat reads it from C: tell a report's provenance (issue 20)
    try:
        frame, meta = reader(str(path), apply_value_formats=True, formats_as_category=True)
    except Exception as exc:
        kind = "an SPSS .sav" if fmt == "sav" else "a Stata .dta"
        raise InputError([Problem(src, None, None,
                                  f"cannot be read as {kind} file ({type(exc).__name__}: "
                                  f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})",
                                  f"{kind} file saved by the program")]) from None
    notes = []
    labelled = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if labelled:
        notes.append("value labels used for " + ", ".join(map(str, labelled)))
    frame.columns = [str(c).strip() for c in frame.columns]
    rows = np.arange(len(frame), dtype=np.int64) + 2
    return Table(frame.reset_index(drop=True), rows, src, fmt, ".", notes)


def read_frame(
    path: str | os.PathLike,
    *,
    source: str | None = None,
    what: str = "a data file",
    encoding: str = "auto",
    sheet: str | None = None,
    table: str | None = None,
    allow_empty: bool = False,
    columns: str = "",
) -> Table:
    """Read one file's cells and rows, in any format of :data:`FORMATS`; nothing is checked yet.

    The file half of :func:`read_table`, for readers that check cells
    themselves (IPS-25 ratings in two layouts).

    Parameters
    ----------
    path : path-like
        A ``.csv`` (``.txt``, ``.tsv``), ``.xlsx``, ``.sav`` or ``.dta`` file;
        a file with another ending is read as CSV unless it is a workbook.
    source : str, optional
        Name used in messages; default the path as given.
    what : str
        The expected file in words, for messages.
    encoding : str
        One of :data:`ENCODINGS` (CSV only).
    sheet : str, optional
        Sheet of a workbook; default the sheet named like ``table``, or the
        only sheet that is not a data dictionary.
    table : str, optional
        Name of the table sought (to pick a workbook's sheet).
    allow_empty : bool
        A header without data rows is a table with no records, not a problem.
    columns : str
        The expected columns in words, for the message about a file without data rows.

    Returns
    -------
    Table

    Raises
    ------
    ipsresearch.validation.InputError
        The file is not a regular readable file, is empty, is in an encoding
        that cannot be told, holds NUL bytes, a ragged row, an unterminated
        quote, values under a column without a name, or no data rows.
    """
    check_choice("encoding", encoding, ENCODINGS)
    src = source or str(path)
    p = check_file(path, what=what, source=src)
    fmt = _format(p, src)
    if fmt == "csv":
        t = _read_csv(p, src, encoding=encoding, what=what)
    elif fmt == "xlsx":
        t = _read_xlsx(p, src, sheet=sheet, table=table, what=what)
    else:
        t = _read_stats(p, src, fmt)
    problems = _nul_problems(t.frame, t.rows, t.source)
    if problems:
        raise InputError(problems, source=t.source)
    if len(t.frame) == 0 and not allow_empty:
        raise InputError([Problem(t.source, None, None, "has a header row but no data rows",
                                  "one row per record below the header"
                                  + (f" ({columns})" if columns else ""))])
    return t


# ------------------------------------------------------------------------ dates


def _date_order(table: Table, schema: Schema, dates: str) -> tuple[str, list[Problem]]:
    """The order to read ``NN/NN/YYYY`` dates in, decided from every date column of the file."""
    if dates != "auto":
        return dates, []
    cols = [c.name for c in schema.columns if c.kind == "date" and c.name in table.frame.columns]
    evidence: dict[str, tuple[str, int, str] | None] = {"day-first": None, "month-first": None}
    ambiguous: tuple[str, int, str] | None = None
    for name in cols:
        values = table.frame[name]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        txt = values.astype("string")
        parts = txt.str.extract(_DMY)
        has = parts[0].notna().to_numpy(dtype=bool)
        if not has.any():
            continue
        first = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float)
        second = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float)
        for order, big in (("day-first", first > 12), ("month-first", second > 12)):
            hit = np.flatnonzero(has & big & (first <= 31) & (second <= 31))
            if len(hit) and evidence[order] is None:
                i = int(hit[0])
                evidence[order] = (str(txt.iloc[i]).strip(), int(table.rows[i]), name)
        if ambiguous is None:
            i = int(np.flatnonzero(has)[0])
            ambiguous = (str(txt.iloc[i]).strip(), int(table.rows[i]), name)
    day, month = evidence["day-first"], evidence["month-first"]
    if day and month:
        return "iso", [Problem(
            table.source, None, None,
            f"dates are written in both orders: {day[0]} (row {day[1]}, column {day[2]}) is day "
            f"first, {month[0]} (row {month[1]}, column {month[2]}) is month first",
            "one order of day and month in a file (ISO YYYY-MM-DD is safest)")]
    if day or month:
        order, (value, row, name) = ("day-first", day) if day else ("month-first", month)
        table.notes.append(f"dates read {'day' if day else 'month'} first: {value} (row {row}, "
                           f"column {name}) can only be read that way")
        return order, []
    if ambiguous:
        value, row, name = ambiguous
        return "iso", [Problem(
            table.source, row, name,
            f"{value} could be day-first or month-first, and no date in the file has a day above "
            "12 to tell", _SETTING_HELP)]
    return "iso", []


def empty_table(schema: Schema) -> pd.DataFrame:
    """A typed table of ``schema`` with no records (e.g. a programme with no job spells yet).

    Examples
    --------
    >>> from ipsresearch.schemas import JOB_SPELLS
    >>> empty_table(JOB_SPELLS).dtypes["start_date"]
    dtype('<M8[ns]')
    """
    kinds = {"str": object, "int": np.int64, "float": float, "bool": bool, "date": "datetime64[ns]"}
    return pd.DataFrame({c.name: pd.Series([], dtype=kinds[c.kind]) for c in schema.columns})


def _checked(table: Table, schema: Schema, dates: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    if len(table.frame) == 0:
        names = set(map(str, table.frame.columns))
        missing = [c.name for c in schema.columns if c.required and c.name not in names]
        if missing:
            return None, [Problem(table.source, 1, c, "required column is missing (columns found: "
                                  + ", ".join(map(str, table.frame.columns)) + ")",
                                  schema.column(c).describe_allowed()) for c in missing]
        return empty_table(schema), []
    order, problems = _date_order(table, schema, dates)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnknownColumnWarning)
        typed, more = check_table(table.frame, schema, source=table.source, rows=table.rows,
                                  decimal=table.decimal, dates=order)
    for w in caught:
        if issubclass(w.category, UnknownColumnWarning):
            unknown = [str(c) for c in table.frame.columns if str(c) not in set(schema.names)]
            table.notes.append(f"column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                               "not used (kept, not checked)")
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if typed is not None:
        typed.attrs["read"] = {"source": table.source, "format": table.format,
                               "notes": list(table.notes)}
    return typed, sorted(problems + more, key=_reading_order)


def read_table(
    path: str | os.PathLike,
    schema: Schema,
    *,
    source: str | None = None,
    encoding: str = "auto",
    dates: str = "auto",
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read one file in any format of :data:`FORMATS` and check it against ``schema``.

    Parameters
    ----------
    path : path-like
    schema : Schema
    source : str, optional
        Name used in messages; default the path as given.
    encoding : str
        One of :data:`ENCODINGS` (CSV only; default: detected).
    dates : {"auto", "iso", "day-first", "month-first"}
        Order of day and month in ``NN/NN/YYYY`` dates (default: decided from
        the data, never guessed).
    sheet : str, optional
        Sheet of a workbook (default: the one named like the schema's table,
        or the only sheet).

    Returns
    -------
    pandas.DataFrame
        Typed table, as :func:`ipsresearch.validation.validate` returns;
        ``attrs["read"]["notes"]`` says how the file was read.

    Raises
    ------
    ipsresearch.validation.InputError
        Listing every problem of the file.
    """
    check_choice("dates", dates, DATES)
    src = source or str(path)
    table = read_frame(path, source=src, what=f"a file of {schema.name}", encoding=encoding,
                       sheet=sheet, table=schema.name, columns=", ".join(schema.names))
    typed, problems = _checked(table, schema, dates)
    if problems:
        raise InputError(problems, source=table.source)
    for note in table.notes:
        if note.endswith("not used (kept, not checked)"):
            warnings.warn(f"{table.source}: {note}", UnknownColumnWarning, stacklevel=2)
    return typed


# ----------------------------------------------------------------------- folders


def read_settings(folder: str | os.PathLike) -> tuple[dict[str, str], list[Problem]]:
    """``encoding`` and ``dates`` from the folder's :data:`SETTINGS_FILE` (empty when absent).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "ipsresearch.toml").write_text('dates = "day-first"\\n')
    >>> read_settings(d)
    ({'dates': 'day-first'}, [])
    """
    path = Path(folder) / SETTINGS_FILE
    if not path.is_file():
        return {}, []
    src = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [Problem(src, None, None, f"cannot be read as TOML ({exc})",
                            'lines such as dates = "day-first"')]
    data = data.get("read", data)
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        options = {"encoding": ENCODINGS, "dates": DATES}.get(key)
        if options is None:
            problems.append(Problem(src, None, key, "is not a setting" + did_you_mean(key, ["encoding", "dates"]),
                                    "encoding, dates"))
        elif value not in options:
            problems.append(Problem(src, None, key, f"{value!r} is not recognised"
                                    + did_you_mean(str(value), options), ", ".join(options)))
        else:
            out[key] = value
    return out, problems


class Folder:
    """A data folder read table by table, every problem of every file kept for one message.

    Parameters
    ----------
    path : path-like
        The folder.
    encoding, dates : str, optional
        As :func:`read_table`; default the folder's :data:`SETTINGS_FILE`,
        else ``auto``.

    Attributes
    ----------
    problems : list of Problem
    read : dict
        Per table name: the file read and the notes of how (see :attr:`Table.notes`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ipsresearch import schemas
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "participants.csv").write_text("participant_id,site,enrolment_date,follow_up_end\\n"
    ...                                         "P1,Bodø,2021-03-01,2021-02-01\\n")
    >>> _ = (d / "job_spells.csv").write_text("spell_id,participant_id,start_date,end_date,job_type,paid\\n"
    ...                                       "J1,P1,2021-04-01,,Competitive,yes\\n")
    >>> folder = Folder(d)
    >>> people = folder.table("participants", schemas.PARTICIPANTS)
    >>> spells = folder.table("job_spells", schemas.JOB_SPELLS)
    >>> folder.done()
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 2 problems in ...:
      - .../job_spells.csv row 2, column `job_type`: Competitive is not a recognised value; did you mean competitive? (allowed: ...)
      - .../participants.csv row 2, column `follow_up_end`: follow-up ends 2021-02-01, before enrolment on 2021-03-01 (allowed: ...)
    """

    def __init__(self, path: str | os.PathLike, *, encoding: str | None = None,
                 dates: str | None = None) -> None:
        self.path = Path(path)
        self.source = str(path)
        self.problems: list[Problem] = []
        self.read: dict[str, dict[str, Any]] = {}
        settings, problems = read_settings(self.path) if self.path.is_dir() else ({}, [])
        self.problems += problems
        self.encoding = check_choice("encoding", encoding, ENCODINGS) if encoding else \
            settings.get("encoding", "auto")
        self.dates = check_choice("dates", dates, DATES) if dates else settings.get("dates", "auto")
        self._sheets: dict[Path, list[str]] = {}

    # -------------------------------------------------------------- finding
    def _workbooks(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir()
                      if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith("~$")
                      and p.is_file())

    def _sheets_of(self, book: Path) -> list[str]:
        if book not in self._sheets:
            try:
                with probing():  # looking for a table's sheet is not reading the workbook
                    self._sheets[book] = _sheet_names(book, str(book))
            except InputError as exc:
                self.problems += exc.problems
                self._sheets[book] = []
        return self._sheets[book]

    def candidates(self, name: str) -> list[tuple[Path, str | None]]:
        """Every ``(file, sheet)`` in the folder that could hold table ``name``."""
        found: list[tuple[Path, str | None]] = []
        if self.path.is_dir():
            for p in sorted(self.path.iterdir()):
                if p.stem.casefold() == name.casefold() and p.suffix.lower() in FORMATS:
                    found.append((p, None))
        for book in self._workbooks():
            if book.stem.casefold() == name.casefold():
                continue
            for sheet in self._sheets_of(book):
                if sheet.strip().casefold() == name.casefold():
                    found.append((book, sheet))
        return found

    def exists(self, name: str) -> bool:
        """Whether the folder holds table ``name`` in some format."""
        return bool(self.candidates(name))

    def _missing(self, name: str, schema: Schema) -> Problem:
        src = str(self.path / f"{name}.csv")
        if not self.path.exists():
            hint = f"; the folder {self.path} does not exist either"
        else:
            files = [p.name for p in self.path.iterdir()] if self.path.is_dir() else []
            near = did_you_mean(f"{name}.csv", files) or did_you_mean(name, [Path(f).stem for f in files])
            hint = (f" (nor {name}.xlsx, .sav, .dta or a sheet named {name} in a workbook here)"
                    + near)
        return Problem(src, None, None, f"file does not exist{hint}",
                       f"a path to a CSV file of {schema.name} (or .xlsx, .sav, .dta)")

    # -------------------------------------------------------------- reading
    def table(self, name: str, schema: Schema, *, required: bool = True,
              allow_empty: bool = False) -> pd.DataFrame | None:
        """Read and check table ``name``; ``None`` when it is absent or cannot be read.

        Problems are kept, not raised: call :meth:`done` after the last table.
        Cells that break a rule are missing in the returned table, so checks
        between tables (:meth:`check`) still run on the rest. With
        ``allow_empty``, a file with a header and no rows is a table with no
        records (:func:`empty_table`).
        """
        found = self.candidates(name)
        if not found:
            if required:
                self.problems.append(self._missing(name, schema))
            return None
        if len(found) > 1:
            where = [str(p) + (f" (sheet {s})" if s else "") for p, s in found]
            self.problems.append(Problem(str(self.path), None, None,
                                         f"table {name} is in {len(found)} places: {', '.join(where)}",
                                         "one file or sheet per table; remove the others"))
            return None
        path, sheet = found[0]
        src = str(path) if sheet is None else str(path)
        try:
            raw = read_frame(path, source=src, what=f"a file of {schema.name}",
                             encoding=self.encoding, sheet=sheet, table=name,
                             allow_empty=allow_empty, columns=", ".join(schema.names))
        except InputError as exc:
            self.problems += exc.problems
            return None
        typed, problems = _checked(raw, schema, self.dates)
        self.problems += problems
        self.read[name] = {"path": str(path), "sheet": sheet, "source": raw.source,
                           "format": raw.format, "notes": list(raw.notes)}
        return typed

    def source_of(self, name: str) -> str:
        """Name of the file (and sheet) table ``name`` was read from, for messages."""
        info = self.read.get(name)
        return info["source"] if info else str(self.path / f"{name}.csv")

    def check(self, rule: Callable[..., Any], *frames: pd.DataFrame | None, **kw: Any) -> None:
        """Run a check between tables (it raises :class:`InputError`) and keep its problems.

        Skipped when a table is missing or could not be read as a whole.
        """
        if any(f is None for f in frames):
            return
        try:
            rule(*frames, **kw)
        except InputError as exc:
            self.problems += exc.problems

    def done(self) -> None:
        """Raise one :class:`InputError` listing every problem of every table; else nothing.

        Without problems, each table holding columns its schema does not know
        gives one :class:`~ipsresearch.validation.UnknownColumnWarning`.
        """
        if self.problems:
            unique = list(dict.fromkeys(self.problems))
            raise InputError(sorted(unique, key=_file_order), source=self.source)
        for info in self.read.values():
            for note in info["notes"]:
                if note.endswith("not used (kept, not checked)"):
                    warnings.warn(f"{info['source']}: {note}", UnknownColumnWarning, stacklevel=3)

    @property
    def notes(self) -> list[str]:
        """How each table was read: ``participants.csv: encoding Windows-1252``, ..."""
        return [f"{info['source']}: {note}" for info in self.read.values() for note in info["notes"]]


def _file_order(problem: Problem) -> tuple[str, bool, bool, int]:
    return (problem.source, *_reading_order(problem))


def tables_in(folder: str | os.PathLike, names: Iterable[str]) -> list[str]:
    """The names of ``names`` that ``folder`` holds in some format."""
    f = Folder(folder)
    return [n for n in names if f.exists(n)]

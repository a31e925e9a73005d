"""IPS-25 fidelity: the scale, scoring, bands and what programmes' scores look like.

The IPS Fidelity Scale (IPS-25) has 25 items in three sections (Staffing
``S1``-``S3``, Organization ``O1``-``O8``, Services ``SE1``-``SE14``), each
rated 1 to 5, so a review's total lies between 25 and 125 (seed 001, lines 37
and 68). :data:`ITEMS` is the scale as data; :func:`score` turns a review's
ratings (long or wide layout) into section subtotals, a total and a band;
the remaining functions summarise many reviews: band distributions with
intervals, section and item profiles, time to the first review and the change
between evaluation rounds with a paired test.

Bands are data (a small table with inclusive ``low`` and ``high`` totals),
never a chain of ifs, and every function that assigns bands takes
``bands=`` to override the cut-offs.

The 73 gap
----------
Seed 001 (line 68) prints the bands as exemplary 115-125, good 100-114,
fair 74-99 and "not IPS" *below* 73, which leaves a total of exactly 73 in no
band. The scale's own manual (Becker et al., IPS Supported Employment
Fidelity Review Manual) counts 73 and below as not supported employment, so
:data:`IPS25_BANDS` assigns 25-73 to ``not_ips``. The bands exactly as seed
001 prints them are kept as :data:`SEED_001_BANDS` so that the gap can be
shown and recorded as an erratum in the claims register.

Examples
--------
>>> from ipsresearch import fidelity
>>> review = fidelity.single_review({"S1": 5, "O1": 2}, fill=4, review_id="site-a")
>>> fidelity.score(review)[["review_id", "total", "band"]]
  review_id  total band
0    site-a     99 fair
"""

from __future__ import annotations

import html
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipsresearch.schemas import IPS25_ITEM_CODES
from ipsresearch.validation import (
    InputError,
    Problem,
    UnknownColumnWarning,
    _reading_order,
    _show,
    as_list,
    read_records,
    require_columns,
    row_problems,
)

__all__ = [
    "IPS25_BANDS",
    "ITEMS",
    "ITEM_CODES",
    "MAX_TOTAL",
    "MIN_TOTAL",
    "SECTIONS",
    "SEED_001_BANDS",
    "RoundChange",
    "band_distribution",
    "band_gaps",
    "band_margins",
    "band_mentions",
    "classify",
    "first_review",
    "make_bands",
    "read_ratings",
    "round_change",
    "score",
    "section_scores",
    "single_review",
    "template_path",
    "to_long",
    "to_wide",
    "with_changes",
]

MIN_TOTAL = 25
MAX_TOTAL = 125

SECTIONS: tuple[str, ...] = ("staffing", "organization", "services")
"""The scale's three sections, in order; also the names of the subtotal columns."""

ITEM_CODES: tuple[str, ...] = IPS25_ITEM_CODES
"""``S1``-``S3``, ``O1``-``O8``, ``SE1``-``SE14`` in the scale's order."""

_NAMES = {
    "staffing": [
        "Caseload size",
        "Vocational services staff",
        "Vocational generalists",
    ],
    "organization": [
        "Integration of rehabilitation with mental health treatment through team assignment",
        "Integration of rehabilitation with mental health treatment through frequent team member contact",
        "Collaboration between employment specialists and vocational rehabilitation counselors",
        "Vocational unit",
        "Role of employment supervisor",
        "Zero exclusion criteria",
        "Agency focus on competitive employment",
        "Executive team support for supported employment",
    ],
    "services": [
        "Work incentives planning",
        "Disclosure",
        "Ongoing, work-based vocational assessment",
        "Rapid search for competitive job",
        "Individualized job search",
        "Job development: frequent employer contact",
        "Job development: quality of employer contact",
        "Diversity of job types",
        "Diversity of employers",
        "Competitive jobs",
        "Individualized follow-along supports",
        "Time-unlimited follow-along supports",
        "Community-based services",
        "Assertive engagement and outreach by integrated treatment team",
    ],
}

ITEMS = pd.DataFrame({
    "item": list(ITEM_CODES),
    "section": [sec for sec in SECTIONS for _ in _NAMES[sec]],
    "position": np.arange(1, len(ITEM_CODES) + 1, dtype=np.int64),
    "name": [name for sec in SECTIONS for name in _NAMES[sec]],
})
"""The 25 items: ``item`` (code), ``section``, ``position`` (1-25) and ``name``."""

_SECTION_OF = ITEMS["section"].map({s: i for i, s in enumerate(SECTIONS)}).to_numpy()
_N_ITEMS = len(ITEM_CODES)
_CODE_INDEX = {c: i for i, c in enumerate(ITEM_CODES)}
_ITEM_LIKE = re.compile(r"^(S|O|SE)\d+$", re.IGNORECASE)
_ALLOWED_ITEMS = "an IPS-25 item code: S1-S3, O1-O8 or SE1-SE14"
_ALLOWED_RATING = "integers 1 to 5"
_OPTIONAL_KEYS = ("round", "rater")



def make_bands(cutoffs: dict[str, tuple[int, int]], labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Build a band table from inclusive ``(low, high)`` totals.

    Parameters
    ----------
    cutoffs : dict
        Band name -> ``(low, high)``, both inclusive, e.g. ``{"good": (100, 114)}``.
    labels : dict, optional
        Band name -> display label.

    Returns
    -------
    pandas.DataFrame
        Columns ``band, label, low, high``, ordered from the lowest band up.

    Raises
    ------
    ValueError
        A band with ``low > high`` or two bands that overlap.

    Examples
    --------
    >>> make_bands({"low": (25, 80), "high": (81, 125)})
      band label  low  high
    0  low   low   25    80
    1 high  high   81   125
    """
    labels = labels or {}
    rows = sorted(((lo, hi, name) for name, (lo, hi) in cutoffs.items()))
    for lo, hi, name in rows:
        if lo > hi:
            raise ValueError(f"band {name!r}: low {lo} is above high {hi}")
    for (lo1, hi1, n1), (lo2, _, n2) in zip(rows, rows[1:], strict=False):
        if lo2 <= hi1:
            raise ValueError(f"bands {n1!r} ({lo1}-{hi1}) and {n2!r} (from {lo2}) overlap")
    return pd.DataFrame({
        "band": [n for _, _, n in rows],
        "label": [labels.get(n, n) for _, _, n in rows],
        "low": np.array([lo for lo, _, _ in rows], dtype=np.int64),
        "high": np.array([hi for _, hi, _ in rows], dtype=np.int64),
    })


_LABELS = {"not_ips": "Not IPS (not supported employment)", "fair": "Fair fidelity",
           "good": "Good fidelity", "exemplary": "Exemplary fidelity"}

IPS25_BANDS = make_bands(
    {"not_ips": (25, 73), "fair": (74, 99), "good": (100, 114), "exemplary": (115, 125)}, _LABELS)
"""The bands this package uses: the manual's cut-offs, 73 and below = not IPS."""

SEED_001_BANDS = make_bands(
    {"not_ips": (25, 72), "fair": (74, 99), "good": (100, 114), "exemplary": (115, 125)}, _LABELS)
"""The bands as seed 001 line 68 prints them ("below 73" = 72 and below), leaving 73 unassigned."""


def classify(totals, *, bands: pd.DataFrame | None = None) -> np.ndarray:
    """Band name of each total (vectorised).

    Parameters
    ----------
    totals : array-like of int
        Fidelity totals.
    bands : pandas.DataFrame, optional
        Band table as from :func:`make_bands`; default :data:`IPS25_BANDS`.

    Returns
    -------
    numpy.ndarray of object
        Band names; ``None`` where a total falls in no band (or is missing).

    Examples
    --------
    >>> classify([25, 73, 74, 99, 100, 114, 115, 125]).tolist()
    ['not_ips', 'not_ips', 'fair', 'fair', 'good', 'good', 'exemplary', 'exemplary']
    >>> classify([73], bands=SEED_001_BANDS).tolist()
    [None]
    """
    b = IPS25_BANDS if bands is None else bands
    t = np.asarray(pd.to_numeric(pd.Series(np.ravel(totals)), errors="coerce"), dtype=float)
    lows = b["low"].to_numpy(dtype=float)
    highs = b["high"].to_numpy(dtype=float)
    idx = np.searchsorted(lows, t, side="right") - 1
    ok = (idx >= 0) & ~np.isnan(t)
    safe = np.clip(idx, 0, len(b) - 1)
    ok &= t <= highs[safe]
    names = b["band"].to_numpy(dtype=object)
    return np.where(ok, names[safe], None)


def band_gaps(bands: pd.DataFrame | None = None, *, low: int = MIN_TOTAL, high: int = MAX_TOTAL) -> list[int]:
    """Totals between ``low`` and ``high`` that fall in no band.

    Examples
    --------
    >>> band_gaps(SEED_001_BANDS)
    [73]
    >>> band_gaps(IPS25_BANDS)
    []
    """
    totals = np.arange(low, high + 1)
    return [int(t) for t, b in zip(totals, classify(totals, bands=bands), strict=True) if b is None]


# --------------------------------------------------------------------------- scoring


def _resolve_bands(bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None) -> pd.DataFrame:
    if bands is None:
        return IPS25_BANDS
    if isinstance(bands, pd.DataFrame):
        missing = [c for c in ("band", "low", "high") if c not in bands.columns]
        if missing:
            raise ValueError(f"band table lacks columns {missing}; build it with make_bands()")
        out = bands.sort_values("low", kind="stable").reset_index(drop=True)
        if "label" not in out.columns:
            out = out.assign(label=out["band"])
        return out
    if isinstance(bands, Mapping):
        labels = {k: v for k, v in _LABELS.items() if k in bands}
        return make_bands(dict(bands), labels)
    raise TypeError(f"bands must be a band table or a mapping of band -> (low, high), "
                    f"got {type(bands).__name__}")


@dataclass
class _Cells:
    """Ratings after checking: one entry per rated cell, and one row per review."""

    keys: pd.DataFrame  # one row per review (scoring unit), first-appearance order
    unit: np.ndarray    # per cell: row of ``keys``
    code: np.ndarray    # per cell: item index 0..24
    value: np.ndarray   # per cell: rating 1..5


class _Collector:
    """Collects problems, at most MAX_PER_COLUMN of each kind, then counts the rest."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(self, mask: np.ndarray, rows: np.ndarray, column: str | None, describe, allowed: str) -> None:
        self.problems += row_problems(mask, describe, source=self.source, rows=rows, column=column,
                                      allowed=allowed)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(sorted(self.problems, key=_reading_order), source=self.source)


def _text(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Stripped text of each cell and a mask of blank cells (work done once per distinct value)."""
    codes, uniq = pd.factorize(series.reset_index(drop=True), use_na_sentinel=True)
    utxt = pd.Series(uniq, dtype=object).astype("string").str.strip().fillna("")
    utxt = np.append(utxt.to_numpy(dtype=object), "")  # code -1 (missing) -> ""
    txt = utxt[codes]
    return txt, txt == ""


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Numeric value of each cell (NaN if not a number) and a mask of blank cells."""
    s = series.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        return np.full(len(s), np.nan), s.isna().to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(s.dtype):
        num = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return num, np.isnan(num)
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniq, dtype=object)
    is_bool = u.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
    txt = u.astype("string").str.strip().fillna("")
    unum = pd.to_numeric(txt.mask(txt == "", None), errors="coerce")
    unum = unum.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    unum[is_bool] = np.nan
    ublank = np.append((txt == "").to_numpy(dtype=bool), True)
    unum = np.append(unum, np.nan)
    return unum[codes], ublank[codes]


def _check_values(col: _Collector, raw: np.ndarray, num: np.ndarray, blank: np.ndarray,
                  rows: np.ndarray, columns: Sequence[str] | str, label) -> np.ndarray:
    """Report blank, non-numeric, fractional and out-of-range ratings; return the valid mask."""
    cols = np.asarray([columns] * len(raw) if isinstance(columns, str) else columns, dtype=object)
    notnum = ~blank & np.isnan(num)
    with np.errstate(invalid="ignore"):
        frac = ~blank & ~notnum & (np.floor(num) != num)
        out = ~blank & ~notnum & ~frac & ((num < 1) | (num > 5))
    for mask, text in ((blank, lambda i: "rating is blank"),
                       (notnum, lambda i: f"{_show(raw[i])} is not a number"),
                       (frac, lambda i: f"{_show(raw[i])} is not a whole number"),
                       (out, lambda i: f"{_show(raw[i])} is outside 1..5")):
        for column in dict.fromkeys(cols[mask]):
            sub = mask & (cols == column)
            col.add(sub, rows, column, lambda i, text=text: f"{label(i)}: {text(i)}", _ALLOWED_RATING)
    return ~(blank | notnum | frac | out)


def _unit_ids(key_text: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Group id of each row (first-appearance order) and the first row of each group."""
    if len(key_text) == 1:
        ids, _ = pd.factorize(pd.Series(key_text[0], dtype=object), sort=False)
    else:
        frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(key_text)})
        ids = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    ids = np.asarray(ids, dtype=np.int64)
    _, first = np.unique(ids, return_index=True)
    return ids, first


def _key_columns(frame: pd.DataFrame, review: str) -> list[str]:
    return [review, *(c for c in _OPTIONAL_KEYS if c in frame.columns)]


def _parse_keys(frame: pd.DataFrame, keys: list[str], rows: np.ndarray, col: _Collector,
                item_text: np.ndarray | None = None):
    """Check the review, round and rater columns; return key text per row and validity."""
    review = keys[0]
    texts, ok = [], np.ones(len(frame), dtype=bool)
    rid, blank = _text(frame[review])
    where = (lambda i: f" (item {item_text[i]})") if item_text is not None else (lambda i: "")
    col.add(blank, rows, review, lambda i: f"review_id is blank{where(i)}",
            "an identifier for every review")
    ok &= ~blank
    texts.append(rid)
    round_num = None
    if "round" in keys:
        raw = frame["round"].reset_index(drop=True).to_numpy(dtype=object)
        num, rblank = _numbers(frame["round"])
        with np.errstate(invalid="ignore"):
            bad = rblank | np.isnan(num) | (np.floor(num) != num) | (num < 1)
        col.add(bad, rows, "round",
                lambda i: f"review {rid[i]}: round {_show(raw[i]) if not rblank[i] else 'is blank'}"
                          + ("" if rblank[i] else " is not a whole number of at least 1"),
                "whole numbers 1, 2, ...")
        ok &= ~bad
        round_num = num
        codes, uniq = pd.factorize(np.where(bad, -1.0, num))
        shown = np.array(["" if v < 0 else str(int(v)) for v in uniq], dtype=object)
        texts.append(shown[codes])
    if "rater" in keys:
        rtext, rblank = _text(frame["rater"])
        col.add(rblank, rows, "rater", lambda i: f"review {rid[i]}: rater is blank",
                "the rater's name or initials on every row (or no rater column)")
        ok &= ~rblank
        texts.append(rtext)
    return texts, ok, round_num


def _labels(keys: list[str], texts: list[np.ndarray]):
    def label(i: int) -> str:
        text = f"review {texts[0][i]}"
        extra = [f"{k} {t[i]}" for k, t in zip(keys[1:], texts[1:], strict=True)]
        return text + (f" ({', '.join(extra)})" if extra else "")
    return label


def _key_frame(frame: pd.DataFrame, keys: list[str], first: np.ndarray, round_num) -> pd.DataFrame:
    out = {}
    for k in keys:
        if k == "round":
            out[k] = round_num[first].astype(np.int64)
        else:
            v = frame[k].reset_index(drop=True).iloc[first].reset_index(drop=True)
            if v.dtype == object or pd.api.types.is_string_dtype(v.dtype):
                v = v.astype("string").str.strip().astype(object)
            out[k] = v.to_numpy()
    return pd.DataFrame(out)


def _check_long(frame: pd.DataFrame, rows: np.ndarray, src: str, *, review: str, item: str,
                rating: str) -> _Cells:
    require_columns(frame, (review, item, rating), source=src,
                    allowed="long layout: review_id, item, rating (optional rater, round)")
    col = _Collector(src)
    keys = _key_columns(frame, review)
    known = {review, item, rating, *keys, "item_name"}
    unknown = [str(c) for c in frame.columns if c not in known]
    if unknown:
        warnings.warn(f"{src}: column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                      "ignored when scoring", UnknownColumnWarning, stacklevel=4)
    item_raw, item_blank = _text(frame[item])
    ucodes, uniq = pd.factorize(item_raw)
    code = np.array([_CODE_INDEX.get(str(u).upper(), -1) for u in uniq] + [-1],
                    dtype=np.int64)[ucodes]
    texts, key_ok, round_num = _parse_keys(frame, keys, rows, col, item_text=item_raw)
    label = _labels(keys, texts)
    col.add(item_blank, rows, item, lambda i: f"{label(i)}: item is blank", _ALLOWED_ITEMS)
    unknown_item = ~item_blank & (code < 0)
    col.add(unknown_item, rows, item,
            lambda i: f"{label(i)}: {_show(item_raw[i])} is not an IPS-25 item code", _ALLOWED_ITEMS)
    shown_item = np.where(code >= 0, np.asarray(ITEM_CODES, dtype=object)[np.maximum(code, 0)],
                          np.where(item_blank, "(blank)", item_raw))
    value_raw = frame[rating].reset_index(drop=True).to_numpy(dtype=object)
    num, blank = _numbers(frame[rating])
    valid = _check_values(col, value_raw, num, blank, rows, rating,
                          lambda i: f"{label(i)}, item {shown_item[i]}")
    # units are formed from rows whose review key is usable
    ids, first = _unit_ids([np.where(key_ok, t, "") for t in texts])
    # duplicated items within a review
    usable = key_ok & (code >= 0)
    cell = np.where(usable, ids * _N_ITEMS + code, -1)
    order = np.flatnonzero(usable)
    dup = np.zeros(len(frame), dtype=bool)
    first_row_of_cell = {}
    if len(order):
        ser = pd.Series(cell[order])
        dmask = ser.duplicated(keep="first").to_numpy()
        dup[order[dmask]] = True
        if dmask.any():
            firsts = ser[~ser.duplicated(keep="first")]
            first_row_of_cell = dict(zip(firsts.to_numpy(), order[firsts.index.to_numpy()], strict=True))
    col.add(dup, rows, item,
            lambda i: (f"{label(i)}, item {shown_item[i]}: rated again ({_show(value_raw[i])}; first "
                       f"rated {_show(value_raw[first_row_of_cell[cell[i]]])} on row "
                       f"{int(rows[first_row_of_cell[cell[i]]])})"),
            "each item once per review")
    # items not rated at all
    present = np.zeros((len(first), _N_ITEMS), dtype=bool)
    present[ids[usable], code[usable]] = True
    unit_ok = np.zeros(len(first), dtype=bool)
    unit_ok[ids[key_ok]] = True
    lacking = unit_ok & ~present.all(axis=1)

    def not_rated(u: int) -> str:
        absent = [ITEM_CODES[j] for j in np.flatnonzero(~present[u])]
        return f"{label(int(first[u]))}: {len(absent)} of {_N_ITEMS} items not rated ({', '.join(absent)})"

    col.problems += row_problems(lacking, not_rated, source=src, rows=None, column=item,
                                 allowed="all 25 items rated for every review; totals are never prorated",
                                 more="reviews with items not rated")
    col.raise_if_any()
    ok = valid & usable
    return _Cells(_key_frame(frame, keys, first, round_num), ids[ok], code[ok],
                  num[ok].astype(np.int64))


def _check_wide(frame: pd.DataFrame, rows: np.ndarray, src: str, *, review: str) -> _Cells:
    col = _Collector(src)
    names = [str(c).strip() for c in frame.columns]
    if review not in names:
        col.problems.append(Problem(src, None, review, "required column is missing (columns found: "
                                    + ", ".join(names) + ")",
                                    "wide layout: review_id and one column per item code"))
    item_cols: dict[str, list[int]] = {}
    unknown_items, others = [], []
    for j, name in enumerate(names):
        up = name.upper()
        if up in _CODE_INDEX:
            item_cols.setdefault(up, []).append(j)
        elif _ITEM_LIKE.match(name):
            unknown_items.append(name)
        elif name not in {review, *_OPTIONAL_KEYS}:
            others.append(name)
    for name in unknown_items:
        col.problems.append(Problem(src, 1, name, f"{name} is not an IPS-25 item code", _ALLOWED_ITEMS))
    for code, js in item_cols.items():
        if len(js) > 1:
            col.problems.append(Problem(src, 1, code, f"item {code} has {len(js)} columns",
                                        "one column per item"))
    absent = [c for c in ITEM_CODES if c not in item_cols]
    if absent:
        col.problems.append(Problem(
            src, 1, None,
            f"no column for item{'s' if len(absent) > 1 else ''} {', '.join(absent)}, "
            f"so no review has {'them' if len(absent) > 1 else 'it'} rated",
            "one column per IPS-25 item, S1-S3, O1-O8 and SE1-SE14; totals are never prorated"))
    repeated_keys = [k for k in (review, *_OPTIONAL_KEYS) if names.count(k) > 1]
    for k in repeated_keys:
        col.problems.append(Problem(src, 1, k, f"column {k} appears {names.count(k)} times",
                                    "each column once"))
    col.raise_if_any()
    if others:
        warnings.warn(f"{src}: column{'s' if len(others) > 1 else ''} {', '.join(others)} "
                      "ignored when scoring", UnknownColumnWarning, stacklevel=4)
    frame = frame.set_axis(names, axis=1)
    keys = _key_columns(frame, review)
    texts, key_ok, round_num = _parse_keys(frame, keys, rows, col)
    label = _labels(keys, texts)
    ids, first = _unit_ids([np.where(key_ok, t, "") for t in texts])
    dup = key_ok & pd.Series(ids).duplicated(keep="first").to_numpy()
    first_row = rows[first]
    col.add(dup, rows, review, lambda i: f"{label(i)} appears again (first on row {int(first_row[ids[i]])})",
            "one row per review")
    n = len(frame)
    cols_idx = [item_cols[c][0] for c in ITEM_CODES]
    block = frame.iloc[:, cols_idx]
    raw = block.to_numpy(dtype=object).ravel()  # row-major: review by review
    nums, blanks = zip(*(_numbers(block.iloc[:, j]) for j in range(_N_ITEMS)), strict=True)
    num = np.column_stack(nums).ravel()
    blank = np.column_stack(blanks).ravel()
    cell_rows = np.repeat(rows, _N_ITEMS)
    cell_code = np.tile(np.arange(_N_ITEMS), n)
    cell_src = np.repeat(np.arange(n), _N_ITEMS)
    codes = np.asarray(ITEM_CODES, dtype=object)
    valid = _check_values(col, raw, num, blank, cell_rows, codes[cell_code],
                          lambda i: f"{label(int(cell_src[i]))}, item {codes[cell_code[i]]}")
    col.raise_if_any()
    keep = np.repeat(key_ok & ~dup, _N_ITEMS) & valid
    return _Cells(_key_frame(frame, keys, first, round_num), ids[cell_src[keep]],
                  cell_code[keep], num[keep].astype(np.int64))


def _layout(frame: pd.DataFrame, layout: str, src: str, *, item: str, rating: str) -> str:
    if layout not in {"auto", "long", "wide"}:
        raise ValueError(f"layout {layout!r} not recognised; choose from auto, long, wide")
    if layout != "auto":
        return layout
    names = [str(c).strip() for c in frame.columns]
    is_long = item in names and rating in names
    is_wide = any(n.upper() in _CODE_INDEX for n in names)
    if is_long and not is_wide:
        return "long"
    if is_wide and not is_long:
        return "wide"
    what = "both an item and a rating column and item-code columns" if is_long else \
        "neither item and rating columns nor item-code columns"
    raise InputError([Problem(src, 1, None, f"cannot tell the layout: the header has {what} "
                              f"(columns found: {', '.join(names)})",
                              "long (review_id, item, rating) or wide (review_id, S1 ... SE14)")])


def _cells(ratings, *, layout: str, review: str, item: str, rating: str,
           source: str | None) -> _Cells:
    if isinstance(ratings, str | os.PathLike):
        src = source or str(ratings)
        frame, rows = read_records(ratings, what="a CSV file of IPS-25 ratings", source=src,
                                   columns="review_id, item, rating (long layout) or review_id, "
                                           "S1 ... SE14 (wide layout)")
    elif isinstance(ratings, pd.DataFrame):
        src = source or "ratings"
        if len(ratings) == 0:
            raise InputError([Problem(src, None, None, "has no rows", "at least one review")])
        frame, rows = ratings, np.arange(len(ratings), dtype=np.int64) + 2
    else:
        raise TypeError(f"ratings must be a pandas DataFrame or a path to a CSV file, "
                        f"got {type(ratings).__name__}")
    kind = _layout(frame, layout, src, item=item, rating=rating)
    if kind == "long":
        if len(set(map(str, frame.columns))) != len(frame.columns):
            dups = sorted({str(c) for c in frame.columns if list(map(str, frame.columns)).count(str(c)) > 1})
            raise InputError([Problem(src, 1, None, f"column names repeat: {', '.join(dups)}",
                                      "each column name once")])
        frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1)
        return _check_long(frame, rows, src, review=review, item=item, rating=rating)
    return _check_wide(frame, rows, src, review=review)


def _matrix(cells: _Cells) -> np.ndarray:
    mat = np.zeros((len(cells.keys), _N_ITEMS), dtype=np.int64)
    mat[cells.unit, cells.code] = cells.value
    return mat


def score(
    ratings: pd.DataFrame | str | os.PathLike,
    *,
    layout: str = "auto",
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
    review: str = "review_id",
    item: str = "item",
    rating: str = "rating",
    source: str | None = None,
) -> pd.DataFrame:
    """Score IPS-25 reviews: section subtotals, total, items rated and band.

    Parameters
    ----------
    ratings : pandas.DataFrame or path to a CSV file
        Either the **long** layout, one row per review and item with columns
        ``review_id, item, rating`` (optionally ``rater`` and ``round``, and
        an ignored ``item_name``), or the **wide** layout, one row per review
        with ``review_id`` and one column per item code ``S1`` ... ``SE14``
        (optionally ``rater`` and ``round``). Item codes are matched without
        regard to case or surrounding spaces.
    layout : {"auto", "long", "wide"}
        ``auto`` reads the layout from the header.
    bands : band table or mapping, optional
        Cut-offs: a table from :func:`make_bands` or a mapping such as
        ``{"low": (25, 99), "high": (100, 125)}``. Default :data:`IPS25_BANDS`.
    review, item, rating : str
        Column names of the review identifier, item code and rating.
    source : str, optional
        Name used in error messages (default: the file name, or ``ratings``).

    Returns
    -------
    pandas.DataFrame
        One row per review in order of first appearance: ``review_id`` (and
        ``round``, ``rater`` when present: each combination is scored as its
        own review), ``staffing``, ``organization``, ``services`` (section
        subtotals), ``total``, ``items_rated`` and ``band`` (``None`` where the
        total falls in no band of ``bands``).

    Raises
    ------
    ipsresearch.validation.InputError
        Listing every problem found: a rating that is blank, not a number, not
        a whole number or outside 1..5; an unknown or blank item code; an item
        rated twice in one review; a review lacking items (totals are never
        prorated); a blank review identifier. Each message names the review,
        the item and the value, and the file row (header = row 1) and column.

    Notes
    -----
    Vectorised: reviews are numbered with :func:`pandas.factorize` and
    ratings placed in a review-by-item integer matrix; checks and messages
    work on whole columns. ``benchmarks/fidelity_score.py`` timed 20,000
    reviews (500,000 rows) at 0.26 s in the long layout, 0.07 s wide and
    0.48 s from a CSV file (2-core machine, load about 1.4).

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"review_id": ["all-5", "all-1"],
    ...                      **{code: [5, 1] for code in ITEM_CODES}})
    >>> score(wide)
      review_id  staffing  organization  services  total  items_rated       band
    0     all-5        15            40        70    125           25  exemplary
    1     all-1         3             8        14     25           25    not_ips
    >>> score(single_review({"S1": 6}, fill=3, review_id="r1"))
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 1 problem in ratings:
      - ratings row 2, column `rating`: review r1, item S1: 6 is outside 1..5 (allowed: integers 1 to 5)
    """
    table = _resolve_bands(bands)
    cells = _cells(ratings, layout=layout, review=review, item=item, rating=rating, source=source)
    mat = _matrix(cells)
    out = cells.keys.copy()
    for k, sec in enumerate(SECTIONS):
        out[sec] = mat[:, _SECTION_OF == k].sum(axis=1)
    out["total"] = mat.sum(axis=1)
    out["items_rated"] = np.bincount(cells.unit, minlength=len(out)).astype(np.int64)
    out["band"] = pd.Series(classify(out["total"].to_numpy(), bands=table), dtype=object)
    return out


def read_ratings(path: str | os.PathLike, *, layout: str = "auto") -> pd.DataFrame:
    """Read and check a ratings file (either layout); return it in the long layout.

    Returns
    -------
    pandas.DataFrame
        ``review_id`` (and ``round``, ``rater`` when present), ``item``, ``rating``,
        one row per review and item in the scale's item order.

    Raises
    ------
    ipsresearch.validation.InputError
        As :func:`score`, naming the file row of each problem.

    Examples
    --------
    >>> long = read_ratings(template_path())
    >>> long.shape
    (25, 3)
    """
    return to_long(path, layout=layout)


def to_long(ratings, *, layout: str = "auto", review: str = "review_id", item: str = "item",
            rating: str = "rating") -> pd.DataFrame:
    """Checked ratings in the long layout (``review_id, [round, rater,] item, rating``).

    Examples
    --------
    >>> wide = to_wide(single_review(fill=4, review_id="x"))
    >>> to_long(wide).head(2)
      review_id item  rating
    0         x   S1       4
    1         x   S2       4
    """
    cells = _cells(ratings, layout=layout, review=review, item=item, rating=rating, source=None)
    mat = _matrix(cells)
    n = len(cells.keys)
    out = cells.keys.iloc[np.repeat(np.arange(n), _N_ITEMS)].reset_index(drop=True)
    out[item] = np.tile(np.asarray(ITEM_CODES, dtype=object), n)
    out[rating] = mat.ravel()
    return out


def to_wide(ratings, *, layout: str = "auto", review: str = "review_id", item: str = "item",
            rating: str = "rating") -> pd.DataFrame:
    """Checked ratings in the wide layout: one row per review, columns ``S1`` ... ``SE14``.

    This is also the item-by-review matrix behind a heatmap.

    Examples
    --------
    >>> to_wide(single_review({"SE14": 1}, fill=5, review_id="x"))[["review_id", "S1", "SE14"]]
      review_id  S1  SE14
    0         x   5     1
    """
    cells = _cells(ratings, layout=layout, review=review, item=item, rating=rating, source=None)
    items = pd.DataFrame(_matrix(cells), columns=list(ITEM_CODES))
    return pd.concat([cells.keys, items], axis=1)


def single_review(
    ratings: Mapping[str, Any] | None = None,
    *,
    fill: int | None = None,
    review_id: str = "review",
) -> pd.DataFrame:
    """Long-layout ratings of one review from a mapping of item code to rating.

    Parameters
    ----------
    ratings : mapping, optional
        Item code -> rating, e.g. ``{"S1": 5, "O1": 2}``.
    fill : int, optional
        Rating given to every item not in ``ratings``. Without it, items not
        in ``ratings`` are left out and :func:`score` reports them missing.
    review_id : str

    Returns
    -------
    pandas.DataFrame
        ``review_id, item, rating`` in the scale's item order, then any codes
        of ``ratings`` that are not IPS-25 items (so that :func:`score`
        reports them).

    Examples
    --------
    >>> single_review({"S2": 2}, fill=4)["rating"].tolist()[:3]
    [4, 2, 4]
    """
    given = dict(ratings or {})
    codes = [c for c in ITEM_CODES if c in given or fill is not None]
    codes += [c for c in given if c not in _CODE_INDEX]
    values = [given.get(c, fill) for c in codes]
    return pd.DataFrame({"review_id": [review_id] * len(codes), "item": codes,
                         "rating": pd.Series(values, dtype=object).infer_objects()})


def with_changes(
    ratings: pd.DataFrame,
    changes: Mapping[str, Any],
    *,
    item: str = "item",
    rating: str = "rating",
) -> pd.DataFrame:
    """A copy of long-layout ratings in which the items of ``changes`` get new ratings.

    For teaching "what if" questions: the changed copy is scored by
    :func:`score` like any other ratings, so a change to an invalid rating
    is reported there.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long layout (``review_id, item, rating``); every review in it is changed.
    changes : mapping
        Item code -> new rating, e.g. ``{"O2": 5}``.
    item, rating : str
        Column names.

    Raises
    ------
    ValueError
        A key of ``changes`` is not an IPS-25 item code.

    Examples
    --------
    >>> r = single_review(fill=4, review_id="x")
    >>> score(with_changes(r, {"O1": 2, "O2": 2}))[["total", "band"]]
       total band
    0     96 fair
    """
    unknown = [c for c in changes if str(c).strip().upper() not in _CODE_INDEX]
    if unknown:
        raise ValueError(f"changes name unknown item codes {unknown}; use S1-S3, O1-O8 or SE1-SE14")
    wanted = {str(k).strip().upper(): v for k, v in changes.items()}
    codes = ratings[item].astype("string").str.strip().str.upper()
    new = codes.map(wanted)
    out = ratings.copy()
    hit = new.notna().to_numpy(dtype=bool)
    if hit.any():
        out[rating] = out[rating].astype(object)
        out.loc[hit, rating] = new[hit].to_numpy(dtype=object)
        out[rating] = out[rating].infer_objects()
    return out


def template_path() -> Path:
    """The ratings template shipped with the package (long layout, one example review).

    Examples
    --------
    >>> template_path().name
    'fidelity_ratings_template.csv'
    """
    from ipsresearch.paths import DATASETS_DIR

    return DATASETS_DIR / "fidelity_ratings_template.csv"


# --------------------------------------------------------------------------- many reviews


def band_distribution(
    scores: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    total: str = "total",
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How many reviews fall in each band, with a confidence interval for each share.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per review with a numeric ``total`` column (e.g. from :func:`score`).
    by : str or sequence of str, optional
        Grouping columns, e.g. ``"programme"``.
    total : str
        Column holding the totals; they are classified anew with ``bands``.
    bands : band table or mapping, optional
        Default :data:`IPS25_BANDS`.
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        Interval for each share, as :func:`ipsresearch.outcomes.placement_rate`.
    confidence : float

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``band``, ``label``, ``low``, ``high``, ``n``
        (reviews in the group), ``count``, ``share``, ``ci_low``, ``ci_high``,
        ``method``, ``confidence``: one row per group and band, bands from the
        lowest up, zero counts included. Totals in no band (possible only
        with ``bands`` that leave gaps) get a row with band ``unassigned``.

    Notes
    -----
    Each share is the proportion of the group's reviews in that band; the
    interval is computed by :func:`ipsresearch.outcomes.placement_rate` (that
    is, ``statsmodels.stats.proportion.proportion_confint``), one band at a time.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"total": [73, 74, 100, 120]})
    >>> band_distribution(s, method="exact")[["band", "count", "share"]]
            band  count  share
    0    not_ips      1   0.25
    1       fair      1   0.25
    2       good      1   0.25
    3  exemplary      1   0.25
    >>> band_distribution(s, bands=SEED_001_BANDS)["band"].tolist()[-1]
    'unassigned'
    """
    from ipsresearch.outcomes import placement_rate

    table = _resolve_bands(bands)
    groups = as_list(by)
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a pandas DataFrame, got {type(scores).__name__}")
    require_columns(scores, [total, *groups], source="scores",
                    allowed="a table of totals such as fidelity.score() returns")
    assigned = pd.Series(classify(scores[total].to_numpy(), bands=table), index=scores.index)
    data = scores[groups].astype("string") if groups else pd.DataFrame(index=scores.index)
    names = list(table["band"])
    if assigned.isna().any():
        names.append("unassigned")
        assigned = assigned.fillna("unassigned")
    parts = []
    for b in names:
        flag = data.assign(_in_band=(assigned == b).to_numpy())
        rate = placement_rate(flag, outcome="_in_band", by=groups or None, method=method,
                              confidence=confidence)
        parts.append(rate.assign(band=b))
    out = pd.concat(parts, ignore_index=True)
    meta = table.set_index("band")[["label", "low", "high"]]
    out["label"] = out["band"].map(meta["label"]).fillna("In no band")
    out["low"] = out["band"].map(meta["low"]).astype("Int64")
    out["high"] = out["band"].map(meta["high"]).astype("Int64")
    out = out.rename(columns={"events": "count", "rate": "share"})
    out["_order"] = out["band"].map({b: i for i, b in enumerate(names)})
    out = out.sort_values([*groups, "_order"], kind="stable").reset_index(drop=True)
    cols = [*groups, "band", "label", "low", "high", "n", "count", "share", "ci_low", "ci_high",
            "method", "confidence"]
    return out[cols]


def band_mentions(
    data: pd.DataFrame,
    *,
    column: str,
    sep: str = ";",
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How many rows name each band, when a row may name several (e.g. "good;exemplary").

    Literature tables report fidelity as a band or a span of bands
    ("Good-Exemplary"); such a row counts once in every band it names. Rows
    with a blank cell report no fidelity and are counted apart.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        Column of band names joined by ``sep`` (blank: not reported).
    sep : str
    bands : band table or mapping, optional
        Gives the order and the labels (default :data:`IPS25_BANDS`).
    method, confidence
        Interval for each share, as :func:`ipsresearch.outcomes.placement_rate`.

    Returns
    -------
    pandas.DataFrame
        ``band``, ``label``, ``n`` (rows naming at least one band), ``count``
        (rows naming this band), ``share``, ``ci_low``, ``ci_high``,
        ``method``, ``confidence``, ``not_reported`` (rows with a blank
        cell). Counts add up to more than ``n`` when rows span bands.

    Raises
    ------
    ValueError
        A cell names a band that ``bands`` does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"bands": ["good;exemplary", "fair", None, "good"]})
    >>> band_mentions(t, column="bands")[["band", "n", "count", "not_reported"]]
            band  n  count  not_reported
    0    not_ips  3      0             1
    1       fair  3      1             1
    2       good  3      2             1
    3  exemplary  3      1             1
    """
    from ipsresearch.outcomes import placement_rate

    table = _resolve_bands(bands)
    cells = data[column].astype("string").str.strip()
    reported = cells.notna() & (cells != "")
    named = cells[reported].str.split(sep)
    unknown = sorted({b.strip() for parts in named for b in parts} - set(table["band"]))
    if unknown:
        raise ValueError(f"{column}: band(s) {', '.join(unknown)} not in the band table "
                         f"({', '.join(table['band'])})")
    rows = []
    for b in table["band"]:
        flag = pd.DataFrame({"_in": named.map(lambda parts, b=b: b in [p.strip() for p in parts])
                             .to_numpy(dtype=bool)})
        rows.append(placement_rate(flag, outcome="_in", method=method, confidence=confidence)
                    .assign(band=b))
    out = pd.concat(rows, ignore_index=True).rename(columns={"events": "count", "rate": "share"})
    out["label"] = out["band"].map(table.set_index("band")["label"])
    out["not_reported"] = int((~reported).sum())
    return out[["band", "label", "n", "count", "share", "ci_low", "ci_high", "method", "confidence",
                "not_reported"]]


def band_margins(
    totals,
    *,
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """How far each total is from the band above and the band below.

    Parameters
    ----------
    totals : array-like of int
    bands : band table or mapping, optional

    Returns
    -------
    pandas.DataFrame
        ``total``, ``band``, ``next_band`` and ``points_up`` (points to gain to
        reach it), ``previous_band`` and ``points_down`` (points to lose to
        fall into it); missing at the top and bottom bands.

    Examples
    --------
    >>> band_margins([99, 100])
       total  band next_band  points_up previous_band  points_down
    0     99  fair      good          1       not_ips           26
    1    100  good exemplary         15          fair            1
    """
    table = _resolve_bands(bands)
    t = np.asarray(np.ravel(totals), dtype=np.int64)
    band = classify(t, bands=table)
    names = table["band"].to_numpy(dtype=object)
    lows = table["low"].to_numpy()
    highs = table["high"].to_numpy()
    pos = {b: i for i, b in enumerate(names)}
    idx = np.array([pos.get(b, -1) for b in band])
    nxt = np.where((idx >= 0) & (idx + 1 < len(names)), idx + 1, -1)
    prv = np.where(idx > 0, idx - 1, -1)
    out = pd.DataFrame({"total": t, "band": pd.Series(band, dtype=object)})
    out["next_band"] = pd.Series(np.where(nxt >= 0, names[np.maximum(nxt, 0)], None), dtype=object)
    out["points_up"] = pd.array(np.where(nxt >= 0, lows[np.maximum(nxt, 0)] - t, 0), dtype="Int64")
    out.loc[nxt < 0, "points_up"] = pd.NA
    out["previous_band"] = pd.Series(np.where(prv >= 0, names[np.maximum(prv, 0)], None), dtype=object)
    out["points_down"] = pd.array(np.where(prv >= 0, t - highs[np.maximum(prv, 0)], 0), dtype="Int64")
    out.loc[prv < 0, "points_down"] = pd.NA
    return out


def section_scores(scores: pd.DataFrame, *, keep: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Section subtotals of each review in long form, with the mean rating per item.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`score` (columns ``staffing``, ``organization``, ``services``).
    keep : str or sequence of str, optional
        Columns carried over (default: every column that is not a score column).

    Returns
    -------
    pandas.DataFrame
        The ``keep`` columns, then ``section``, ``items`` (items in the
        section), ``subtotal`` and ``mean_rating`` (subtotal / items, on the
        1-5 scale so that sections of different length compare).

    Examples
    --------
    >>> s = score(single_review({"S1": 1}, fill=5, review_id="x"))
    >>> section_scores(s)[["section", "subtotal", "mean_rating"]]
            section  subtotal  mean_rating
    0      staffing        11     3.666667
    1  organization        40     5.000000
    2      services        70     5.000000
    """
    score_cols = {*SECTIONS, "total", "items_rated", "band"}
    cols = as_list(keep) if keep is not None else [c for c in scores.columns if c not in score_cols]
    sizes = ITEMS["section"].value_counts()
    long = scores.melt(id_vars=cols, value_vars=list(SECTIONS), var_name="section",
                       value_name="subtotal")
    long["items"] = long["section"].map(sizes).astype(np.int64)
    long["mean_rating"] = long["subtotal"] / long["items"]
    return long[[*cols, "section", "items", "subtotal", "mean_rating"]]


def first_review(
    reviews: pd.DataFrame,
    *,
    site: str | Sequence[str] = "site",
    start: str = "start_date",
    date: str = "review_date",
    within_months: int = 12,
) -> pd.DataFrame:
    """Time from each site's start to its first fidelity review.

    Parameters
    ----------
    reviews : pandas.DataFrame
        One row per review with the site, the site's start date and the review
        date (e.g. :data:`ipsresearch.schemas.FIDELITY_REVIEWS`).
    site : str or sequence of str
        Column(s) identifying a site (e.g. ``["programme", "site"]``).
    start, date : str
        Columns of the start date and review date.
    within_months : int
        The window: a review is within it when it falls before the same day
        ``within_months`` calendar months after the start.

    Returns
    -------
    pandas.DataFrame
        One row per site: the ``site`` columns, ``start_date``,
        ``first_review_date``, ``days_to_first_review``, ``reviews`` (number
        of reviews of the site) and ``within`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"site": ["a", "a", "b"],
    ...     "start_date": pd.to_datetime(["2019-01-15"] * 2 + ["2019-03-01"]),
    ...     "review_date": pd.to_datetime(["2020-06-01", "2019-11-20", "2020-03-01"])})
    >>> first_review(r)[["site", "days_to_first_review", "reviews", "within"]]
      site  days_to_first_review  reviews  within
    0    a                   309        2    True
    1    b                   366        1   False
    """
    keys = as_list(site)
    require_columns(reviews, [*keys, start, date], source="reviews",
                    allowed="one row per review with the site, start date and review date")
    d = reviews[[*keys, start, date]].copy()
    d[start] = pd.to_datetime(d[start])
    d[date] = pd.to_datetime(d[date])
    g = d.groupby(keys, sort=True, observed=True)
    out = g.agg(start_date=(start, "min"), first_review_date=(date, "min"),
                reviews=(date, "size")).reset_index()
    out["days_to_first_review"] = (out["first_review_date"] - out["start_date"]).dt.days.astype(np.int64)
    limit = out["start_date"] + pd.DateOffset(months=within_months)
    out["within"] = (out["first_review_date"] < limit).to_numpy(dtype=bool)
    out["reviews"] = out["reviews"].astype(np.int64)
    return out[[*keys, "start_date", "first_review_date", "days_to_first_review", "reviews", "within"]]


@dataclass(frozen=True)
class RoundChange:
    """Change in fidelity between two evaluation rounds of the same sites.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per site reviewed in both rounds: the ``unit`` column(s),
        ``first``, ``second``, ``change`` (second minus first), ``band_first``
        and ``band_second``.
    tests : pandas.DataFrame
        One row per test: ``test`` (``wilcoxon`` or ``paired_t``), ``n``
        (pairs used), ``statistic``, ``p_value``, ``estimate`` (Hodges-Lehmann
        median of the Walsh averages for Wilcoxon, mean change for t),
        ``ci_low``, ``ci_high`` (t only), ``min_p_value`` (the smallest p the
        exact Wilcoxon test can give with this many non-zero changes),
        ``alternative``, ``method``.
    value : str
        The column compared (e.g. ``total``).
    rounds : tuple of int
    """

    pairs: pd.DataFrame
    tests: pd.DataFrame
    value: str
    rounds: tuple[int, int]

    def to_frame(self) -> pd.DataFrame:
        """The tests as a tidy DataFrame (one row per test)."""
        return self.tests.copy()

    def transitions(self) -> pd.DataFrame:
        """Cross-table of band in the first round (rows) by band in the second (columns)."""
        return pd.crosstab(self.pairs["band_first"], self.pairs["band_second"])

    def _repr_html_(self) -> str:
        first, second = self.rounds
        head = (f"<p>Change in <code>{html.escape(self.value)}</code> from round {first} to round "
                f"{second}: {len(self.pairs)} pairs, mean change "
                f"{self.pairs['change'].mean():.2f}, median {self.pairs['change'].median():.1f}.</p>")
        return head + self.pairs.to_html(index=False) + self.tests.to_html(index=False)


def round_change(
    scores: pd.DataFrame,
    *,
    unit: str | Sequence[str] = "site",
    round: str = "round",
    value: str = "total",
    first: int = 1,
    second: int = 2,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
) -> RoundChange:
    """Paired comparison of two evaluation rounds of the same sites.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per review with the ``unit`` column(s), ``round`` and ``value``.
    unit : str or sequence of str
        What is paired across rounds (a site, team or case).
    round : str
        Column of the evaluation round.
    value : str
        Column compared, e.g. ``total`` or a section subtotal.
    first, second : int
        The rounds compared; ``change`` is ``second - first``.
    alternative : {"two-sided", "less", "greater"}
        As in SciPy: ``greater`` tests whether the second round scores higher.
    confidence : float
        Level of the paired-t interval for the mean change.
    bands : band table or mapping, optional
        Used for ``band_first`` and ``band_second`` when ``value`` is ``total``.

    Returns
    -------
    RoundChange

    Notes
    -----
    Two paired tests from :mod:`scipy.stats` are reported side by side:

    * ``wilcoxon`` (:func:`scipy.stats.wilcoxon`): the signed-rank test. It
      is the primary test here because totals are sums of ordinal ratings and
      the number of sites is small, so a normal model for the changes cannot
      be checked. It is exact (all sign patterns enumerated) when there are
      no ties or zero changes, and a permutation test over all sign patterns
      when there are (zero changes are dropped, Wilcoxon's convention).
      With *n* non-zero changes no two-sided p-value can fall below
      ``2 / 2**n`` (0.0625 for five sites): five sites cannot show a
      "significant" change at the 5 % level whatever the data.
    * ``paired_t`` (:func:`scipy.stats.ttest_rel`): gives the mean change and
      its confidence interval, which the rank test does not.

    Sites reviewed in only one of the two rounds are left out of the pairs.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"site": list("abcde") * 2, "round": [1] * 5 + [2] * 5,
    ...                   "total": [80, 85, 90, 95, 70, 88, 97, 91, 104, 75]})
    >>> rc = round_change(s)
    >>> rc.tests[["test", "n", "p_value", "min_p_value"]]
           test  n   p_value  min_p_value
    0  wilcoxon  5  0.062500       0.0625
    1  paired_t  5  0.020092          NaN
    """
    from scipy import stats

    if alternative not in {"two-sided", "less", "greater"}:
        raise ValueError(f"alternative {alternative!r} not recognised; "
                         "choose from two-sided, less, greater")
    keys = as_list(unit)
    require_columns(scores, [*keys, round, value], source="scores",
                    allowed="one row per review with unit, round and value columns")
    d = scores[[*keys, round, value]]
    a = d[d[round] == first].drop(columns=round).rename(columns={value: "first"})
    b = d[d[round] == second].drop(columns=round).rename(columns={value: "second"})
    for name, part in ((first, a), (second, b)):
        if part.duplicated(keys).any():
            dup = part.loc[part.duplicated(keys), keys].iloc[0].tolist()
            raise InputError([Problem("scores", None, ", ".join(keys),
                                      f"{dup} has more than one review in round {name}",
                                      "one review per unit and round")])
    pairs = a.merge(b, on=keys, how="inner").sort_values(keys, kind="stable").reset_index(drop=True)
    if len(pairs) < 2:
        raise ValueError(f"round_change needs at least two units reviewed in rounds {first} and "
                         f"{second}; found {len(pairs)}")
    pairs["change"] = pairs["second"] - pairs["first"]
    table = _resolve_bands(bands)
    if value == "total":
        pairs["band_first"] = pd.Series(classify(pairs["first"].to_numpy(), bands=table), dtype=object)
        pairs["band_second"] = pd.Series(classify(pairs["second"].to_numpy(), bands=table),
                                         dtype=object)
    diff = pairs["change"].to_numpy(dtype=float)
    nonzero = diff[diff != 0]
    n_nz = len(nonzero)
    rows = []
    if n_nz == 0:
        rows.append(dict(test="wilcoxon", n=0, statistic=np.nan, p_value=1.0, estimate=0.0,
                         method="no non-zero changes"))
    else:
        ties = len(np.unique(np.abs(nonzero))) < n_nz
        zeros = n_nz < len(diff)
        if ties or zeros:
            w = stats.wilcoxon(nonzero, alternative=alternative,
                               method=stats.PermutationMethod(n_resamples=np.inf))
            method = "exact permutation (ties or zero changes)"
        else:
            w = stats.wilcoxon(diff, alternative=alternative, method="exact")
            method = "exact"
        walsh = (nonzero[:, None] + nonzero[None, :]) / 2
        hl = float(np.median(walsh[np.triu_indices(n_nz)]))
        rows.append(dict(test="wilcoxon", n=n_nz, statistic=float(w.statistic),
                         p_value=float(w.pvalue), estimate=hl, method=method))
    tt = stats.ttest_rel(pairs["second"].to_numpy(dtype=float), pairs["first"].to_numpy(dtype=float),
                         alternative=alternative)
    ci = tt.confidence_interval(confidence_level=confidence)
    rows.append(dict(test="paired_t", n=len(diff), statistic=float(tt.statistic),
                     p_value=float(tt.pvalue), estimate=float(diff.mean()),
                     ci_low=float(ci.low), ci_high=float(ci.high), method="Student t on changes"))
    tests = pd.DataFrame(rows, columns=["test", "n", "statistic", "p_value", "estimate", "ci_low",
                                        "ci_high", "method"])
    tests["n"] = tests["n"].astype(np.int64)
    tests["min_p_value"] = [(2.0 if alternative == "two-sided" else 1.0) / 2.0 ** max(n_nz, 0)
                            if n_nz else np.nan, np.nan]
    tests.loc[tests["min_p_value"] > 1, "min_p_value"] = 1.0
    tests["alternative"] = alternative
    tests["confidence"] = confidence
    tests = tests[["test", "n", "statistic", "p_value", "estimate", "ci_low", "ci_high",
                   "min_p_value", "alternative", "confidence", "method"]]
    return RoundChange(pairs=pairs, tests=tests, value=value, rounds=(first, second))

"""The IPS-25 scale as data: its items and sections, and the bands of its total.

The IPS Fidelity Scale (IPS-25) has 25 items in three sections (Staffing
``S1``-``S3``, Organization ``O1``-``O8``, Services ``SE1``-``SE14``), each
rated 1 to 5, so a review's total lies between 25 and 125 (source 001, lines 37
and 68). :data:`ITEMS` is the scale as data. Bands are data too (a small
table with inclusive ``low`` and ``high`` totals, from :func:`make_bands`),
never a chain of ifs; :func:`classify` assigns them, :func:`band_gaps` finds
totals no band covers and :func:`resolve_bands` turns what a user passes as
``bands=`` into a band table.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ipsresearch.schemas import IPS25_ITEM_CODES

__all__ = [
    "IPS25_BANDS",
    "ITEMS",
    "ITEM_CODES",
    "MAX_TOTAL",
    "MIN_TOTAL",
    "MOEN2021_BANDS",
    "SECTIONS",
    "band_gaps",
    "classify",
    "make_bands",
    "resolve_bands",
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


MOEN2021_BANDS = make_bands(
    {"not_ips": (25, 72), "fair": (74, 99), "good": (100, 114), "exemplary": (115, 125)}, _LABELS)
"""The bands as Moen, Walseth & Larsen (2021; source 001 line 68) print them ("below 73" = 72
and below), leaving 73 unassigned. Formerly ``SEED_001_BANDS``, a name that still works for
one release with a :class:`DeprecationWarning` ("seed" now means only a random seed)."""


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
    >>> classify([73], bands=MOEN2021_BANDS).tolist()
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
    >>> band_gaps(MOEN2021_BANDS)
    [73]
    >>> band_gaps(IPS25_BANDS)
    []
    """
    totals = np.arange(low, high + 1)
    return [int(t) for t, b in zip(totals, classify(totals, bands=bands), strict=True) if b is None]


def resolve_bands(bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """The band table for what a caller passes as ``bands=``.

    Every function of :mod:`ipsresearch.fidelity` (and every fidelity
    figure) that takes ``bands=`` reads it through this, so that the three
    spellings mean the same everywhere.

    Parameters
    ----------
    bands : band table, mapping or None
        ``None`` for :data:`IPS25_BANDS`; a table with columns ``band, low,
        high`` (and optionally ``label``, e.g. from :func:`make_bands`); or a
        mapping of band name to inclusive ``(low, high)`` totals.

    Returns
    -------
    pandas.DataFrame
        Columns ``band, label, low, high``, from the lowest band up.

    Raises
    ------
    ValueError
        A table without the ``band``, ``low`` or ``high`` column, or (for a
        mapping) bands that overlap or have ``low`` above ``high``.
    TypeError
        Anything else.

    Examples
    --------
    >>> resolve_bands({"high": (100, 125), "low": (25, 99)})[["band", "low", "high"]]
       band  low  high
    0   low   25    99
    1  high  100   125
    """
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

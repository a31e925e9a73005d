"""IPS-25 fidelity: bands of the total score.

The IPS Fidelity Scale has 25 items rated 1 to 5, so a total lies between
25 and 125. Programmes are judged by the band their total falls in. Bands
are data (a small table with inclusive ``low`` and ``high`` totals), never a
chain of ifs, and can be overridden.

The 73 gap
----------
Seed 001 (line 68) prints the bands as exemplary 115-125, good 100-114,
fair 74-99 and "not IPS" *below* 73, which leaves a total of exactly 73 in no
band. The scale's own manual (Becker et al., IPS Supported Employment
Fidelity Review Manual) counts 73 and below as not supported employment, so
:data:`IPS25_BANDS` assigns 25-73 to ``not_ips``. The bands exactly as seed
001 prints them are kept as :data:`SEED_001_BANDS` so that the gap can be
shown and recorded as an erratum in the claims register.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "IPS25_BANDS",
    "MAX_TOTAL",
    "MIN_TOTAL",
    "SEED_001_BANDS",
    "band_gaps",
    "classify",
    "make_bands",
]

MIN_TOTAL = 25
MAX_TOTAL = 125


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

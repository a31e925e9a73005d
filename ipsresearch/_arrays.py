"""Vectorised array kernels shared by the validation layer and the analysis modules.

This module is private (as seaborn's ``_statistics``): its names may change
without notice. It holds the join and grouping kernels that make the
package linear in the number of records: :func:`row_positions` (which row of
one table each record of another belongs to, with a binary search over
sorted fixed-width identifiers and a byte view of Arrow text), and the
grouping kernels :func:`sorted_factorize`, :func:`group_codes`,
:func:`group_index` and :func:`group_rows`. It imports only numpy and pandas
(pyarrow lazily), nothing from the package.

Benchmarks (``benchmarks/scale.py``, 2-core machine) keep their figures in
the Notes of the functions they measure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "BLOCK",
    "as_list",
    "factor_codes",
    "fixed_bytes",
    "group_codes",
    "group_index",
    "group_rows",
    "key_codes",
    "number_view",
    "row_positions",
    "sorted_factorize",
    "sorted_positions",
]

BLOCK = 1 << 16
"""Rows per block of the blocked passes: a block's arrays stay in the processor's cache, so
the time per row is the same at 10^6 and 10^7 rows."""


def as_list(x: str | Iterable[str] | None) -> list[str]:
    """Normalise a column name or sequence of names to a list."""
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


# --------------------------------------------------------------------------- joins


def row_positions(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """Position in ``keys`` of each element of ``values``; -1 where it is absent.

    Both are compared as text; when a key repeats, the first position is
    given. Vectorised (one :func:`pandas.factorize` over both), so joining
    10^6 job spells to their participants takes a fraction of a second.

    Examples
    --------
    >>> import pandas as pd
    >>> row_positions(pd.Series(["a", "b", "c"]), pd.Series(["c", "x", "a", "c"])).tolist()
    [2, -1, 0, 2]
    """
    kb, vb = fixed_bytes(pd.Series(keys)), fixed_bytes(pd.Series(values))
    if kb is not None and vb is not None and kb.dtype == vb.dtype:
        pos = sorted_positions(kb, vb)
        if pos is not None:
            return pos
    both = pd.concat([pd.Series(keys).astype(str), pd.Series(values).astype(str)],
                     ignore_index=True)
    codes = factor_codes(both)
    n = len(keys)
    first = np.full(int(codes.max()) + 1 if len(codes) else 0, -1, dtype=np.int64)
    first[codes[:n][::-1]] = np.arange(n, dtype=np.int64)[::-1]  # the first occurrence wins
    return first[codes[n:]]


def sorted_positions(keys: np.ndarray, values: np.ndarray) -> np.ndarray | None:
    """:func:`row_positions` for fixed-width text keys that are sorted and distinct (as
    registries keep their identifiers): binary search, no hashing; ``None`` when the keys
    are not sorted.

    Keys and values are turned into integers of the same order when they fit
    in eight bytes after their common prefix (:func:`number_view`), then
    searched block by block; a block of sorted values searches only the
    stretch of keys it can fall in, so the search stays in cache too.
    """
    as_number = number_view(keys, values)
    kn = np.empty(len(keys), dtype=np.uint64 if as_number else keys.dtype)
    for a in range(0, len(keys), BLOCK):  # converted, then checked sorted and distinct
        kn[a:a + BLOCK] = as_number(keys[a:a + BLOCK]) if as_number else keys[a:a + BLOCK]
        k = kn[max(a - 1, 0):a + BLOCK]  # one key of overlap: the block edge is checked too
        if not bool((k[1:] > k[:-1]).all()):
            return None
    out = np.empty(len(values), dtype=np.int64)
    last = len(kn) - 1
    for a in range(0, len(values), BLOCK):  # over blocks of 65,536 values, not over rows
        v = as_number(values[a:a + BLOCK]) if as_number else values[a:a + BLOCK]
        if bool((v[1:] >= v[:-1]).all()):
            lo = int(np.searchsorted(kn, v[0]))
            hi = int(np.searchsorted(kn, v[-1], side="right"))
            pos = lo + np.searchsorted(kn[lo:hi], v)
        else:
            pos = np.searchsorted(kn, v)
        np.minimum(pos, last, out=pos)
        out[a:a + BLOCK] = np.where(kn[pos] == v, pos, -1)
    return out


def number_view(keys: np.ndarray, values: np.ndarray) -> Callable[[np.ndarray], np.ndarray] | None:
    """A function turning fixed-width text into big-endian integers of the same order, when
    every key and value shares a prefix after which at most 8 bytes remain; else ``None``.
    The prefix is the one the first and last key share."""
    width = keys.dtype.itemsize
    if not len(keys):
        return None
    first, last = keys[:1].view(np.uint8), keys[-1:].view(np.uint8)
    differ = np.flatnonzero(first != last)
    common = int(differ[0]) if differ.size else width
    if width - common > 8:
        return None
    if common:
        for arr in (keys, values):
            for a in range(0, len(arr), BLOCK):
                mat = arr[a:a + BLOCK].view(np.uint8).reshape(-1, width)
                if not (mat[:, :common] == first[:common]).all():
                    return None

    def number(a: np.ndarray) -> np.ndarray:
        mat = a.view(np.uint8).reshape(-1, width)
        out = np.zeros((len(a), 8), dtype=np.uint8)
        out[:, : width - common] = mat[:, :common - 1 if common else None:-1]  # bytes reversed:
        return out.view("<u8").ravel()  # the little-endian number of the big-endian text

    return number


def key_codes(typed: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray:
    """One integer per distinct key (-1 where a key cell is missing), vectorised.

    Factorizing each column and then the integer combinations avoids hashing
    strings row by row, which is slow for Arrow-backed text at 10^6 rows.
    """
    parts = [factor_codes(typed[k]) for k in key]
    if len(parts) == 1:
        return parts[0]
    codes = pd.DataFrame({i: c for i, c in enumerate(parts)}).groupby(
        list(range(len(parts))), sort=False).ngroup().to_numpy()
    return np.where(np.any(np.stack(parts) < 0, axis=0), -1, codes)


def factor_codes(values: pd.Series) -> np.ndarray:
    """:func:`pandas.factorize` codes of ``values`` (-1 for missing): equal values, equal codes.

    Identifiers in registries are usually kept sorted and of one width
    (``P0000001``); such values are all distinct, which one pass over their
    bytes shows, and need no hashing.
    """
    fixed = fixed_bytes(values)
    if fixed is not None and bool((fixed[1:] > fixed[:-1]).all()):
        return np.arange(len(fixed), dtype=np.int64)
    return pd.factorize(values, use_na_sentinel=True)[0]


def fixed_bytes(values: pd.Series) -> np.ndarray | None:
    """Arrow-backed text whose values all have the same length in bytes, without missing
    values, as a one-dimensional numpy bytes array (``S<width>``) sharing Arrow's memory;
    ``None`` for any other input. Comparing these arrays compares the text."""
    import pyarrow as pa

    data = getattr(values.array, "_pa_array", None)
    if data is None or len(values) == 0 or data.null_count:
        return None
    if pa.types.is_large_string(data.type):
        offset_type = np.int64
    elif pa.types.is_string(data.type):
        offset_type = np.int32
    else:
        return None
    arr = data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data
    offsets = np.frombuffer(arr.buffers()[1], dtype=offset_type)[arr.offset: arr.offset + len(arr) + 1]
    width = int(offsets[1] - offsets[0])
    if width < 1 or int(offsets[-1] - offsets[0]) != width * len(arr):
        return None
    if not (np.diff(offsets) == width).all():
        return None
    raw = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0]: offsets[-1]]
    return raw.view(f"S{width}")


# --------------------------------------------------------------------------- groups


def sorted_factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize(values, sort=True)``, sorting only the distinct values
    (twice as fast for 10^7 rows of a few thousand sites). A Categorical (as
    Parquet dictionary columns load) is not hashed at all: its codes are
    renumbered in the order of its categories, leaving out unused ones."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        if codes.size and codes.min() >= 0:
            cats = np.asarray(values.cat.categories, dtype=object)
            used = np.flatnonzero(np.bincount(codes, minlength=cats.size))
            order = used[np.argsort(cats[used], kind="stable")]
            rank = np.full(cats.size, -1, dtype=np.int64)
            rank[order] = np.arange(order.size)
            return rank[codes], cats[order]
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[codes], uniques[order]


def group_codes(frame: pd.DataFrame, groups: list[str]) -> tuple[list[tuple], np.ndarray]:
    """Group labels (sorted) and each row's group number, vectorised.

    Examples
    --------
    >>> import pandas as pd
    >>> labels, codes = group_codes(pd.DataFrame({"site": ["b", "a", "b"]}), ["site"])
    >>> labels, codes.tolist()
    ([('a',), ('b',)], [1, 0, 1])
    """
    # integer codes per column, combined into one code per group
    parts = [sorted_factorize(frame[g]) for g in groups]
    sizes = [len(u) for _, u in parts]
    if len(parts) > 1:
        flat = np.ravel_multi_index([c for c, _ in parts], sizes)
        present, codes = np.unique(flat, return_inverse=True)
        combos = np.unravel_index(present, sizes)
    else:
        codes = parts[0][0]
        combos = (np.arange(sizes[0]),)
    labels = [tuple(parts[j][1][combos[j][k]] for j in range(len(parts)))
              for k in range(len(combos[0]))]
    return labels, codes


def group_index(frame: pd.DataFrame, groups: list[str]
                ) -> tuple[list[tuple], np.ndarray, np.ndarray]:
    """Group labels (sorted), the rows in group order and each group's bounds in it."""
    labels, codes = group_codes(frame, groups)
    # a stable sort by group; numpy radix-sorts 16-bit integers in linear time
    small = len(labels) <= np.iinfo(np.uint16).max
    order = np.argsort(codes.astype(np.uint16) if small else codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(labels)))]
    return labels, order, bounds


def group_rows(frame: pd.DataFrame, by: Sequence[str], labels: Sequence[str]) -> pd.DataFrame:
    """The rows of ``frame`` whose ``by`` columns hold ``labels`` (all rows when ``by`` is empty)."""
    mask = np.ones(len(frame), dtype=bool)
    for col, value in zip(by, labels, strict=True):
        mask &= (frame[col] == value).to_numpy(dtype=bool)
    return frame[mask] if len(by) else frame

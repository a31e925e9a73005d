"""Seeded, byte-reproducible synthetic records and their data package.

Every table written to ``data_synthetic/`` is declared here once, as a
:class:`SyntheticTable`: its path, its schema (from :mod:`ipsresearch.schemas`),
the seeded function that generates it and the study it stands in for. Each
generator module documents its assumptions next to the code.

``ipsresearch data`` calls :func:`write_all`, which rewrites only the files
whose bytes would change, and ``ipsresearch data --check`` calls
:func:`check_all`, which reports the files that differ without writing.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch import __version__
from ipsresearch.paths import SYNTHETIC_PACKAGE
from ipsresearch.sources import by_file
from ipsresearch.validation import Schema

__all__ = ["SyntheticTable", "TABLES", "to_csv_bytes", "write_all", "check_all", "datapackage",
           "simulate_trials"]


def __getattr__(name: str):
    """Lazy re-exports: ``simulate_trials`` loads its module on first use (PEP 562)."""
    if name == "simulate_trials":
        from ipsresearch.synthetic.trials import simulate_trials

        return simulate_trials
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class SyntheticTable:
    """One generated table.

    Attributes
    ----------
    path : str
        Path relative to the data directory, e.g. ``irish_pilot/participants.csv``.
    schema : Schema
    generate : callable
        ``generate() -> DataFrame``, deterministic.
    generator : str
        Dotted name of the generating function.
    seed : int
    source : str
        File name of the source paper whose published counts the table
        reproduces (``SOURCES[key].file``, see :mod:`ipsresearch.sources`).
    description : str
    """

    path: str
    schema: Schema
    generate: Callable[[], pd.DataFrame]
    generator: str
    seed: int
    source: str
    description: str

    @property
    def name(self) -> str:
        """Resource name: the path without extension, ``/`` replaced by ``_``."""
        return self.path.removesuffix(".csv").replace("/", "_")


PROVIDERS: list[str] = [
    "ipsresearch.synthetic.irish_pilot:tables",
    "ipsresearch.synthetic.fidelity:tables",
    "ipsresearch.synthetic.qualitative:tables",
    "ipsresearch.synthetic.reviews:tables",
]
"""``module:function`` of every generator module; the function returns its
:class:`SyntheticTable` list. A new generator module adds one line here."""


def _all_tables() -> list[SyntheticTable]:
    out: list[SyntheticTable] = []
    for name in PROVIDERS:
        mod, func = name.split(":")
        out.extend(getattr(importlib.import_module(mod), func)())
    paths = [t.path for t in out]
    if len(paths) != len(set(paths)):
        raise RuntimeError(f"duplicate synthetic table paths: {paths}")
    return out


class _Tables:
    """Lazy, ordered mapping of table name to :class:`SyntheticTable`."""

    @functools.cached_property
    def _items(self) -> dict[str, SyntheticTable]:
        return {t.name: t for t in _all_tables()}

    def __getitem__(self, name: str) -> SyntheticTable:
        return self._items[name]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def values(self):
        return self._items.values()

    def keys(self):
        return self._items.keys()


TABLES = _Tables()
"""Every synthetic table, by resource name (e.g. ``irish_pilot_participants``)."""


def to_csv_bytes(frame: pd.DataFrame, schema: Schema | None = None) -> bytes:
    """Serialise a table as deterministic CSV bytes.

    Dates as ``YYYY-MM-DD``, booleans as ``true``/``false``, missing values
    as empty cells, ``\\n`` line endings, UTF-8 without byte-order mark, and
    floats in their shortest round-trip form. Locale, working directory and
    ``PYTHONHASHSEED`` do not affect the result.
    """
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[col] = s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), "")
        elif pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
            out[col] = s.map(lambda v: "" if pd.isna(v) else ("true" if v else "false")).astype(object)
        elif pd.api.types.is_float_dtype(s.dtype):
            out[col] = s.map(lambda v: "" if pd.isna(v) else _float_text(v)).astype(object)
        else:
            out[col] = s.astype(object).where(s.notna(), "")
    if schema is not None:
        missing = [c for c in schema.names if c not in out.columns and schema.column(c).required]
        if missing:
            raise ValueError(f"table lacks required columns {missing}")
    text = out.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def _float_text(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_all(tables: Iterable[SyntheticTable] | None = None) -> dict[str, bytes]:
    """Generate every table and the data package in memory.

    Returns
    -------
    dict
        Relative path -> bytes, including ``datapackage.json``.
    """
    tables = list(tables if tables is not None else TABLES.values())
    files: dict[str, bytes] = {}
    for t in tables:
        files[t.path] = to_csv_bytes(t.generate(), t.schema)
    files["datapackage.json"] = datapackage(tables, files)
    return files


def datapackage(tables: Iterable[SyntheticTable], files: dict[str, bytes]) -> bytes:
    """Frictionless Data Package describing ``files`` (deterministic JSON bytes)."""
    resources = []
    for t in tables:
        data = files[t.path]
        resources.append({
            "name": t.name,
            "path": t.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{_sha256(data)}",
            "description": t.description,
            "sources": [{"title": by_file(t.source).citation, "path": f"../shared/seeds/{t.source}"}],
            "schema": t.schema.to_frictionless(),
            "ipsresearch": {"generator": t.generator, "seed": t.seed, "schema": t.schema.name},
        })
    package = {
        "profile": "tabular-data-package",
        "name": SYNTHETIC_PACKAGE,
        "title": "Synthetic records reproducing the published counts of five IPS studies",
        "description": ("Generated by ipsresearch; regenerate with `ipsresearch data`. "
                        "Every unpublished detail is an assumption documented in the generator."),
        "licenses": [{"name": "CC0-1.0", "title": "CC0 1.0"}],
        "ipsresearch": {"version": __version__},
        "resources": resources,
    }
    return (json.dumps(package, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8")


def write_all(out_dir: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """Write every synthetic table and ``datapackage.json``.

    A file is rewritten only when its bytes would change, atomically
    (:func:`ipsresearch.paths.write_bytes`), so an interrupted run never
    leaves a truncated file.

    Parameters
    ----------
    out_dir : path-like, optional
        Defaults to the project's ``data_synthetic/``.

    Returns
    -------
    list of (path, status)
        ``status`` is ``"written"``, ``"updated"`` or ``"unchanged"``.
    """
    from ipsresearch.paths import data_dir, write_bytes

    root = data_dir(out_dir)
    files = render_all()  # everything is generated before anything is written
    report = []
    for rel, data in files.items():
        existed = (root / rel).exists()
        if not write_bytes(root / rel, data):
            report.append((rel, "unchanged"))
        else:
            report.append((rel, "updated" if existed else "written"))
    return report


def check_all(out_dir: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """Compare the files on disk with a fresh generation, writing nothing.

    Returns
    -------
    list of (path, status)
        ``status`` is ``"same"``, ``"differs"`` or ``"missing"``.
    """
    from ipsresearch.paths import data_dir

    root = data_dir(out_dir)
    out = []
    for rel, data in render_all().items():
        target = root / rel
        if not target.exists():
            out.append((rel, "missing"))
        elif target.read_bytes() != data:
            out.append((rel, "differs"))
        else:
            out.append((rel, "same"))
    return out


def rng(seed: int | np.random.Generator) -> np.random.Generator:
    """A numpy Generator from an int seed or an existing Generator (no global state)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

"""Helpers shared by the claim sets of the study modules: where their files are, what the papers
print (:class:`Printed`), and small counts."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ipsresearch import datasets, readers
from ipsresearch.claims import Claim
from ipsresearch.paths import data_dir as resolve_data_dir
from ipsresearch.validation import Schema

QUALITATIVE_REPORT = "08-qualitative-studies"
"""Notebook stem of the report that shows the claims of the qualitative studies."""

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def study_dir(data_dir: str | os.PathLike | None, subdir: str) -> Path:
    """Folder of one study's files: ``<data_dir>/<subdir>`` when it exists, else ``data_dir`` itself.

    ``data_dir`` is laid out like ``data_synthetic/`` (one folder per study;
    ``None`` means the shipped data), or is a user's folder holding one
    study's files directly.
    """
    root = resolve_data_dir(data_dir)
    return root / subdir if (root / subdir).is_dir() else root


def read_optional(path: Path, schema: Schema) -> pd.DataFrame | None:
    """Read the table ``path`` names (its stem, in any format :mod:`ipsresearch.readers` reads)
    when the folder holds it, validated; else ``None``."""
    return read_tables(path.parent, {}, {path.stem: schema})[path.stem]


def read_tables(folder: str | os.PathLike, required: dict[str, Schema],
                optional: dict[str, Schema] | None = None) -> dict[str, pd.DataFrame | None]:
    """Read tables of a study's folder, each in any format :mod:`ipsresearch.readers` reads.

    Every problem of every table is raised at once (one
    :class:`~ipsresearch.validation.InputError`); an optional table that is
    absent is ``None``.
    """
    found = readers.Folder(folder)
    out = {name: found.table(name, schema) for name, schema in required.items()}
    out.update({name: found.table(name, schema, required=False)
                for name, schema in (optional or {}).items()})
    found.done()
    return out


def claim_maker(prefix: str, source: str, report: str) -> Callable[..., Claim]:
    """``c(id, line, quantity, published, compute, **kw)``: a :class:`Claim` of one study,
    with id ``<prefix>.<id>``, source file ``source`` and report ``report``."""
    def c(id_: str, line: int, quantity: str, published: Any, compute: Callable[[Any], Any],
          **kw: Any) -> Claim:
        return Claim(f"{prefix}.{id_}", source, line, quantity, published, compute,
                     report=report, **kw)

    return c


@dataclass(frozen=True)
class Printed:
    """Numbers and list items one paper prints, from the extracted tables
    ``printed_numbers`` and ``printed_lists`` (each row with its line).

    The identity claims combine these numbers (``n``) and the transcribed
    claims count these lists (``items``); a claim never reads the number it
    is checked against.

    Examples
    --------
    >>> p = printed("moen2021")
    >>> p.n("records_search_1") + p.n("records_search_2")
    527
    >>> p.items("index_studies")[0]
    'Areberg, Björkman (16)'
    """

    source: str
    numbers: pd.DataFrame
    lists: pd.DataFrame

    def n(self, name: str) -> int | float:
        """The number ``name`` (an int when it is whole)."""
        hit = self.numbers.loc[self.numbers["name"] == name, "value"]
        if len(hit) != 1:
            raise KeyError(f"{self.source} prints no number named {name!r}; known: "
                           f"{', '.join(self.numbers['name'])}")
        value = float(hit.iloc[0])
        return int(value) if value.is_integer() else value

    def items(self, name: str) -> list[str]:
        """The items of list ``name``, in order."""
        rows = self.lists[self.lists["list"] == name].sort_values("position")
        if rows.empty:
            raise KeyError(f"{self.source} prints no list named {name!r}; known: "
                           f"{', '.join(dict.fromkeys(self.lists['list']))}")
        return rows["item"].tolist()

    def count(self, name: str) -> int:
        """How many items list ``name`` has."""
        return len(self.items(name))


def printed(source: str) -> Printed:
    """What the paper with study key ``source`` prints (see :class:`Printed`)."""
    numbers = datasets.load("printed_numbers")
    lists = datasets.load("printed_lists")
    return Printed(source, numbers[numbers["source"] == source].reset_index(drop=True),
                   lists[lists["source"] == source].reset_index(drop=True))


def count(frame: pd.DataFrame, column: str, value: Any) -> int:
    """Rows of ``frame`` whose ``column`` equals ``value``."""
    return int((frame[column] == value).sum())


def flow_count(roster: pd.DataFrame, stage: str) -> int:
    """People of a roster who reached ``stage`` of :func:`ipsresearch.qualitative.sample_flow`."""
    from ipsresearch.qualitative import sample_flow

    flow = sample_flow(roster, by=None)
    return int(flow.loc[flow["stage"] == stage, "events"].iloc[0])


def n_studies(table: pd.DataFrame, column: str, value: Any) -> int:
    """``n_studies`` of the row of a :func:`ipsresearch.synthesis.tally` table where
    ``column`` equals ``value`` (0 when there is none)."""
    hit = table.loc[table[column] == value, "n_studies"]
    return int(hit.iloc[0]) if len(hit) else 0


def codes(series: pd.Series) -> str:
    """The distinct values of ``series``, sorted and comma-separated (e.g. ISO country codes)."""
    return ", ".join(sorted(series.dropna().unique()))


def month(value) -> str:
    """``Month YYYY`` of a date, in English whatever the locale (e.g. ``February 2018``)."""
    ts = pd.Timestamp(value)
    return f"{_MONTHS[ts.month - 1]} {ts.year}"


def only(values) -> object:
    """The single distinct value of ``values``; a description of the spread when there are several."""
    distinct = pd.unique(pd.Series(values).dropna())
    if len(distinct) == 1:
        v = distinct[0]
        return v.item() if hasattr(v, "item") else v
    return f"{len(distinct)} different values ({', '.join(map(str, sorted(distinct)[:5]))})"

"""The claims register: every published number beside the recomputed one.

A :class:`Claim` is declared once, in the module of the study it belongs to
(:mod:`ipsresearch.studies`): an id, the source paper's file and line, what is
counted, the value as printed, a tolerance and the function that recomputes
it from records. :func:`verify` evaluates the claims of the claim sets it is
given on the shipped synthetic and extracted data (or on a user's data
directory) and returns one :class:`ClaimResult` per claim;
:func:`ipsresearch.studies.verify` does so for the whole register.

This module is the model only: it imports nothing from the rest of the
package (the studies import it), and the claims table's HTML is in
:mod:`ipsresearch.report.tables`.

Basis: how a claim can fail
---------------------------
Every claim says what its recomputation uses (:data:`BASES`):

``transcribed``
    data transcribed from the paper itself (its tables, lists, headings,
    reference list, quotation tags); it can catch a table or list that
    disagrees with the text.
``identity``
    arithmetic between numbers the paper prints (478 + 49 against 519, a
    share against "the majority", a number restated on another line); it
    can catch a sum that does not add up.
``definition``
    a constant of an instrument (the IPS-25 items and bands) compared with
    the instrument's own table; it can catch a paper that misstates the
    instrument, and nothing else.
``calibrated``
    synthetic records generated so that counting them gives the published
    aggregate; it demonstrates that the analysis code counts what the paper
    counted and verifies nothing about the paper.
``cited``
    a figure the paper takes from other work, shown with that work's
    reference; it is not recomputed from unrelated data.

Statuses
--------
``pass``
    The recomputed value agrees with the reference value (what the paper
    prints, or where it prints no number, what the package counted from its
    text) within the tolerance. A count that depends on a classification the
    paper does not state passes under the rule written in the claim's note.
``fail``
    It does not, and no erratum or query explains why: the data or the code is wrong.
``erratum``
    Two statements printed in the paper cannot both be true (a sum and its
    parts, a table and its text, a band that leaves a score unassigned). The
    claim names both lines and both values (``versus``); the status is
    ``erratum`` only while the recomputed value still differs from the
    reference value. If they ever agree the erratum no longer holds and the
    claim fails, so that a stale erratum cannot hide.
``query``
    The paper admits more than one reading, and under the reading the
    package computes the value differs; the claim says which reading would
    agree (``query``) and names the lines involved. Like an erratum it holds
    only while the difference is there.
``unchecked``
    A cited figure for which the package holds none of the cited work's
    data (``compute`` is ``None``); it is shown with its source, never as a pass.

A recomputation never reads the published value: ``compute`` receives only
the study's data. ``published`` is always something the paper prints; a
number the package counted from the text is kept apart in ``counted``.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

__all__ = ["BASES", "STATUSES", "Claim", "ClaimResult", "ClaimSet", "evaluate", "results_frame", "verify"]

Value = int | float | str | bool

BASES: dict[str, str] = {
    "transcribed": "recomputed from data transcribed from the paper itself (its tables, lists, "
                   "headings, reference list, quotation tags): it can catch a table or list that "
                   "disagrees with the text",
    "identity": "arithmetic between numbers the paper prints (a sum, a difference, a share, a number "
                "restated on another line): it can catch a sum that does not add up",
    "definition": "a constant of an instrument (the IPS-25 items and bands) compared with the "
                  "instrument's own table: it can catch a paper that misstates the instrument",
    "calibrated": "counted from synthetic records generated to match the published figure: it "
                  "demonstrates the analysis on records and verifies nothing about the paper",
    "cited": "a figure the paper takes from other work, shown with that work's reference and not "
             "recomputed from unrelated data",
}
"""The vocabulary of :attr:`Claim.basis`: what a claim's recomputation uses, and what it can catch."""

STATUSES: dict[str, str] = {
    "pass": "the recomputed value agrees with what the paper prints (or, where it prints no number, "
            "with the package's count from its text)",
    "fail": "it does not, and nothing explains why: the data or the code is wrong",
    "erratum": "two statements printed in the paper cannot both be true; both lines and values are shown",
    "query": "the paper admits more than one reading; the reading under which it would agree is named",
    "unchecked": "a cited figure the package holds no data for; shown with its source",
}
"""The vocabulary of :attr:`ClaimResult.status`."""


@dataclass(frozen=True)
class Claim:
    """One number (or short fact) a paper states.

    Parameters
    ----------
    id : str
        Stable identifier, ``<study>.<what>``, e.g. ``irish_pilot.placed``.
    source : str
        File name of the source paper, ``SOURCES[key].file`` (see :mod:`ipsresearch.sources`);
        for a paper the package holds no text of, the extracted table that transcribes what
        it prints, row by row with its address (``ips_rct_statistics.csv``, the trials' reports).
    line : int
        Line of the source paper that states the value (1-based); in an extracted table,
        the line of the row that transcribes it.
    quantity : str
        What is counted, in a few plain words of our own.
    published : int, float, str, bool or None
        The value as the paper prints it (a percentage as printed, e.g. 40),
        in a form that can be compared; ``None`` when the paper prints no
        number for the quantity (then ``counted`` holds the package's count).
    compute : callable or None
        ``compute(data) -> value``: recomputes the quantity from the study's
        data; never sees ``published``. ``None`` only for a ``cited`` figure
        the package holds no data for (status ``unchecked``).
    basis : str
        What the recomputation uses, one of :data:`BASES` (required).
    tolerance : float
        Largest absolute difference that still agrees (0 for counts).
    report : str
        Stem of the notebook whose report shows the claim, e.g. ``01-placement``.
    erratum : str, optional
        The contradiction between two printed statements; requires ``versus``.
    query : str, optional
        The reading or rule under which the paper would agree; requires ``versus``.
    lines : tuple of int
        Other lines of the source involved (the contradicting table row, for instance).
    unit : str
        ``count``, ``percent``, ``minutes``, ``year``, ... for display.
    note : str
        Definition, rule or assumption a reader needs (e.g. the rule a count passes under).
    counted : int, float, str, bool or None
        Where the paper prints no number: the value the package counted from
        its text, labelled as such and never shown as printed.
    printed : str
        The figure or words exactly as printed, where they differ from the
        display of ``published`` (``"seventeen"``, ``"05.12.18"``, ``"below 73"``).
    versus : tuple of (int, str)
        For an erratum or query: the other printed statement(s), as
        ``(line, what it says)``, shown beside the claim's own line and value.
    reference : str
        For a ``cited`` figure: the work it comes from, as the paper cites it.

    Raises
    ------
    ValueError
        An unknown basis; neither or both of ``published`` and ``counted``;
        an erratum or query without ``versus``; a missing ``compute`` on a
        claim that is not cited; a cited claim without its reference.
    """

    id: str
    source: str
    line: int
    quantity: str
    published: Value | None
    compute: Callable[[Any], Value] | None = field(repr=False)
    basis: str = ""
    tolerance: float = 0.0
    report: str = ""
    erratum: str | None = None
    query: str | None = None
    lines: tuple[int, ...] = ()
    unit: str = "count"
    note: str = ""
    counted: Value | None = None
    printed: str = ""
    versus: tuple[tuple[int, str], ...] = ()
    reference: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.basis not in BASES:
            problems.append(f"basis {self.basis!r} is not one of {', '.join(BASES)}")
        if (self.published is None) == (self.counted is None):
            problems.append("give exactly one of published (printed) and counted (counted from the text)")
        if self.erratum and self.query:
            problems.append("a claim is an erratum or a query, not both")
        if (self.erratum or self.query) and not self.versus:
            problems.append("an erratum or query names the other printed statement(s) in versus")
        if self.compute is None and self.basis != "cited":
            problems.append("only a cited figure may have no compute")
        if self.basis == "cited" and not self.reference:
            problems.append("a cited figure names the work it comes from in reference")
        if problems:
            raise ValueError(f"claim {self.id}: " + "; ".join(problems))


_RESULT_ORDER = ("id", "source", "line", "lines", "quantity", "basis", "published", "printed",
                 "counted", "computed", "tolerance", "unit", "status", "erratum", "query", "versus",
                 "reference", "note", "report", "error")


@dataclass(frozen=True)
class ClaimResult:
    """A claim after recomputation; ``status`` is one of :data:`STATUSES`.

    The fields are those of :class:`Claim` (without ``compute``) plus
    ``computed`` (the recomputed value, ``None`` when nothing was computed),
    ``status`` and ``error`` (the exception a failed recomputation raised).
    """

    id: str
    source: str
    line: int
    quantity: str
    published: Value | None
    computed: Value | None
    tolerance: float
    status: str
    report: str
    unit: str
    note: str
    erratum: str | None
    lines: tuple[int, ...]
    error: str | None = None
    basis: str = ""
    counted: Value | None = None
    printed: str = ""
    query: str | None = None
    versus: tuple[tuple[int, str], ...] = ()
    reference: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain types only (lists, dicts), in a stable order, for JSON.

        ``versus`` becomes a list of ``{"line": ..., "says": ...}``.
        """
        d = asdict(self)
        d["lines"] = list(self.lines)
        d["versus"] = [{"line": line, "says": says} for line, says in self.versus]
        return {k: d[k] for k in _RESULT_ORDER}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClaimResult:
        """The inverse of :meth:`to_dict` (e.g. for results read back from a manifest)."""
        fields = {**d, "lines": tuple(d.get("lines", ())),
                  "versus": tuple((v["line"], v["says"]) for v in d.get("versus", ()))}
        return cls(**{k: v for k, v in fields.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ClaimSet:
    """The claims of one study (or one topic of a study) and how to load its data.

    Parameters
    ----------
    key : str
        Short name, e.g. ``irish_pilot``.
    title : str
    load : callable
        ``load(data_dir) -> data``; ``data_dir`` is the root of a directory
        laid out like ``data_synthetic/`` (``None`` for the shipped data).
    claims : callable
        ``claims() -> list[Claim]``.
    reads_data_dir : bool
        ``False`` when ``load`` ignores ``data_dir`` because its tables ship
        with the package (the trial statistics): a user's data directory
        neither feeds such a set nor is checked for its files.
    """

    key: str
    title: str
    load: Callable[[Any], Any]
    claims: Callable[[], list[Claim]]
    reads_data_dir: bool = True


def _agrees(computed: Value, published: Value, tolerance: float) -> bool:
    if isinstance(published, bool) or isinstance(computed, bool):
        return bool(computed) == bool(published)
    if isinstance(published, str) or isinstance(computed, str):
        return str(computed).strip().casefold() == str(published).strip().casefold()
    c, p = float(computed), float(published)
    if math.isnan(c):
        return False
    return abs(c - p) <= tolerance + 1e-12 * max(1.0, abs(p))


def _plain(value: Any) -> Value:
    """numpy scalars -> Python scalars, so results serialise to JSON."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def evaluate(claim: Claim, data: Any) -> ClaimResult:
    """Recompute one claim from ``data`` and decide its status (see the module notes).

    An exception inside ``compute`` makes the claim ``fail`` with the error
    recorded, so that one broken claim does not hide the others. A cited
    claim without ``compute`` is ``unchecked``.
    """
    error = None
    computed: Value | None = None
    if claim.compute is None:
        status = "unchecked"
    else:
        reference = claim.published if claim.published is not None else claim.counted
        try:
            computed = _plain(claim.compute(data))
            agrees = _agrees(computed, reference, claim.tolerance)
        except Exception as exc:  # report, do not crash the register
            computed, agrees = None, False
            error = f"{type(exc).__name__}: {exc}"
            if not str(exc):
                error += " " + traceback.format_exc(limit=2)
        if error is not None:
            status = "fail"
        elif claim.erratum or claim.query:
            # a contradiction or an alternative reading holds only while the difference is there
            status = "fail" if agrees else ("erratum" if claim.erratum else "query")
        else:
            status = "pass" if agrees else "fail"
    return ClaimResult(
        id=claim.id, source=claim.source, line=claim.line, quantity=claim.quantity,
        published=claim.published, computed=computed, tolerance=claim.tolerance,
        status=status, report=claim.report, unit=claim.unit, note=claim.note,
        erratum=claim.erratum, lines=tuple(claim.lines), error=error, basis=claim.basis,
        counted=claim.counted, printed=claim.printed, query=claim.query,
        versus=tuple((int(line), str(says)) for line, says in claim.versus),
        reference=claim.reference,
    )


def verify(
    *,
    claim_sets: Iterable[ClaimSet] | None = None,
    data_dir: Any = None,
    sets: Iterable[str] | None = None,
) -> list[ClaimResult]:
    """Recompute the claims of the given claim sets.

    The default register (every study's claims) is
    :func:`ipsresearch.studies.verify`; this function evaluates the claim sets
    it is given, so that the claims model depends on no study.

    Parameters
    ----------
    claim_sets : iterable of ClaimSet
        The claim sets to evaluate, in order. Leaving it out is deprecated
        (it evaluates the whole register, as :func:`ipsresearch.studies.verify`
        does, and will be an error in the next release).
    data_dir : path-like, optional
        A directory laid out like ``data_synthetic/``, passed to each set's
        ``load``; ``None`` uses the shipped data.
    sets : iterable of str, optional
        Keys of the claim sets to evaluate (default: all of ``claim_sets``).

    Returns
    -------
    list of ClaimResult
        In the order of ``claim_sets``, then of each set's claims.

    Raises
    ------
    ValueError
        Two claims share an id.

    Examples
    --------
    >>> answer = ClaimSet("demo", "A demonstration", load=lambda data_dir: {"n": 6},
    ...                   claims=lambda: [Claim("demo.n", "paper.txt", 1, "count", 6, lambda d: d["n"],
    ...                                         basis="transcribed")])
    >>> [(r.id, r.computed, r.status) for r in verify(claim_sets=[answer])]
    [('demo.n', 6, 'pass')]
    """
    if claim_sets is None:
        import importlib
        import warnings

        warnings.warn("claims.verify() without claim_sets is deprecated and will be an error in the "
                      "next release; use ipsresearch.studies.verify(data_dir=..., sets=...)",
                      DeprecationWarning, stacklevel=2)
        # Deprecated forward, kept one release: the register lives in ipsresearch.studies,
        # a layer above this model, so it is looked up by name at call time only.
        return importlib.import_module("ipsresearch.studies").verify(data_dir=data_dir, sets=sets)
    wanted = set(sets) if sets is not None else None
    results: list[ClaimResult] = []
    seen: set[str] = set()
    for cs in claim_sets:
        if wanted is not None and cs.key not in wanted:
            continue
        data = cs.load(data_dir)
        for claim in cs.claims():
            if claim.id in seen:
                raise ValueError(f"duplicate claim id {claim.id!r}")
            seen.add(claim.id)
            results.append(evaluate(claim, data))
    return results


def results_frame(results: Iterable[ClaimResult]) -> pd.DataFrame:
    """Claim results as a tidy DataFrame (one row per claim).

    Columns: ``id, source, line, lines, quantity, basis, published, printed,
    counted, computed, tolerance, unit, status, erratum, query, versus,
    reference, note, report, error``.
    """
    rows = [r.to_dict() for r in results]
    return pd.DataFrame(rows, columns=list(_RESULT_ORDER))

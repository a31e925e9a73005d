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

Statuses
--------
``pass``
    The recomputed value agrees with the printed one within the tolerance.
``fail``
    It does not, and no erratum explains why: the data or the code is wrong.
``erratum``
    The paper contradicts itself (a sum that does not add up, a table that
    disagrees with its text, a band that leaves a score unassigned). The
    claim records the explanation and the lines involved, and the status is
    ``erratum`` only while the recomputed value still differs from the
    printed one; if they ever agree the erratum no longer holds and the
    claim fails, so that a stale erratum cannot hide.

A recomputation never reads the published value: ``compute`` receives only
the study's data.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Claim", "ClaimResult", "ClaimSet", "evaluate", "verify", "results_frame"]

Value = int | float | str | bool


@dataclass(frozen=True)
class Claim:
    """One number (or short fact) a paper states.

    Parameters
    ----------
    id : str
        Stable identifier, ``<study>.<what>``, e.g. ``irish_pilot.placed``.
    source : str
        File name of the source paper, ``SOURCES[key].file`` (see :mod:`ipsresearch.sources`).
    line : int
        Line of the source paper that states the value (1-based).
    quantity : str
        What is counted, in a few plain words of our own.
    published : int, float, str or bool
        The value as the paper prints it (a percentage as printed, e.g. 40).
    compute : callable
        ``compute(data) -> value``: recomputes the quantity from the study's
        records; never sees ``published``.
    tolerance : float
        Largest absolute difference that still agrees (0 for counts).
    report : str
        Stem of the notebook whose report shows the claim, e.g. ``01-irish-pilot``.
    erratum : str, optional
        Why the paper's value cannot be reproduced from its own data or text.
    lines : tuple of int
        Other lines of the source involved (the contradicting table row, for instance).
    unit : str
        ``count``, ``percent``, ``minutes``, ``year``, ... for display.
    note : str
        Definition or assumption a reader needs (e.g. how "stay in work" is defined).
    """

    id: str
    source: str
    line: int
    quantity: str
    published: Value
    compute: Callable[[Any], Value] = field(repr=False)
    tolerance: float = 0.0
    report: str = ""
    erratum: str | None = None
    lines: tuple[int, ...] = ()
    unit: str = "count"
    note: str = ""


@dataclass(frozen=True)
class ClaimResult:
    """A claim after recomputation. ``status`` is ``pass``, ``fail`` or ``erratum``."""

    id: str
    source: str
    line: int
    quantity: str
    published: Value
    computed: Value | None
    tolerance: float
    status: str
    report: str
    unit: str
    note: str
    erratum: str | None
    lines: tuple[int, ...]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lines"] = list(self.lines)
        return d


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
    """

    key: str
    title: str
    load: Callable[[Any], Any]
    claims: Callable[[], list[Claim]]


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
    """Recompute one claim from ``data`` and decide its status.

    An exception inside ``compute`` makes the claim ``fail`` with the error
    recorded, so that one broken claim does not hide the others.
    """
    error = None
    try:
        computed = _plain(claim.compute(data))
        agrees = _agrees(computed, claim.published, claim.tolerance)
    except Exception as exc:  # report, do not crash the register
        computed, agrees = None, False
        error = f"{type(exc).__name__}: {exc}"
        if not str(exc):
            error += " " + traceback.format_exc(limit=2)
    if error is not None:
        status = "fail"
    elif claim.erratum:
        status = "fail" if agrees else "erratum"
    else:
        status = "pass" if agrees else "fail"
    return ClaimResult(
        id=claim.id, source=claim.source, line=claim.line, quantity=claim.quantity,
        published=claim.published, computed=computed, tolerance=claim.tolerance,
        status=status, report=claim.report, unit=claim.unit, note=claim.note,
        erratum=claim.erratum, lines=tuple(claim.lines), error=error,
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
    ...                   claims=lambda: [Claim("demo.n", "paper.txt", 1, "count", 6, lambda d: d["n"])])
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

    Columns: ``id, source, line, quantity, published, computed, tolerance,
    status, report, unit, note, erratum, lines, error``.
    """
    rows = [r.to_dict() for r in results]
    cols = list(ClaimResult.__dataclass_fields__)
    return pd.DataFrame(rows, columns=cols)

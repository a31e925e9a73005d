"""What a notebook's parameters may be, declared in its ``parameters`` cell and checked before a build.

A notebook says what each parameter accepts with a string annotation, in the
words numpydoc uses for types, so that the declaration is read (with
:mod:`ast`, without running the notebook) by the builder and by a person in
JupyterLab alike (papermill reads annotations the same way)::

    data_dir: "folder or None" = None
    method: "{'wilson', 'exact', 'jeffreys'}" = "wilson"
    confidence: "float in (0, 1)" = 0.95
    trials_csv: "trial_arms CSV file or None" = None
    changes: "dict of item to int in [1, 5]" = {"O2": 4}

A declaration is one or more alternatives joined by ``or``; an alternative is

``None``, ``True``, ``False``, a number or a quoted string
    exactly that value;
``{a, b, ...}``
    one of these values (a Python set literal);
``bool``, ``str``
    any boolean; any non-empty text;
``int`` or ``float``, optionally ``in (a, b)`` (round brackets exclude an end, square ones include it) or ``>= a``, ``> a``, ``<= a``, ``< a``
    a whole number; any finite number (a whole number will do);
``folder``, ``file``, ``<table> CSV file``
    the path of an existing folder; of an existing regular file; of a CSV
    file that reads cleanly as the table of that name in
    :data:`ipsresearch.schemas.SCHEMAS`;
``item``
    an IPS-25 item code (``S1``-``S3``, ``O1``-``O8``, ``SE1``-``SE14``; case and spaces ignored);
``IPS-25 bands``
    fidelity bands as :func:`ipsresearch.fidelity.resolve_bands` accepts them;
``tuple of X``, ``dict of X to Y``
    a tuple (or list) whose every element is an ``X``; a dict whose keys are
    ``X`` and values ``Y`` (``X`` and ``Y`` single alternatives).

:func:`check_parameters` checks the values given to a build (``--param``)
against the declarations of the notebooks selected
(:func:`ipsresearch.report.provenance.parameter_declarations` reads them), and reports every
problem at once, each naming the parameter, the value and what is allowed, so
that the command exits with status 2 before any kernel starts or any file is
written. A parameter a notebook does not declare is not checked.
"""

from __future__ import annotations

import ast
import math
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["OptionError", "Spec", "SpecError", "check_parameters", "check_value", "parse_spec"]


class SpecError(ValueError):
    """A declaration in a parameters cell that this module cannot read (a notebook's error)."""


class OptionError(ValueError):
    """A bad option of a build (``only``, ``notebooks_dir``, ``out_dir``, ...): nothing has run.

    ``option`` is the keyword of :func:`ipsresearch.report.build.build`; the
    command line shows its own name for it (``--notebooks`` for ``notebooks_dir``).
    """

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        self.message = message
        super().__init__(f"{option} {message}")


@dataclass(frozen=True)
class _Alt:
    kind: str  # literal, choice, bool, str, int, float, folder, file, csv, item, bands, tuple, dict
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    table: str = ""
    inner: tuple[_Alt, ...] = ()


@dataclass(frozen=True)
class Spec:
    """A parsed declaration: its text (what messages show as allowed) and its alternatives."""

    text: str
    alternatives: tuple[_Alt, ...]


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^(int|float)(?:\s+in\s+([(\[])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([)\]])"
                    rf"|\s*(>=|>|<=|<)\s*({_NUMBER}))?$")


def _split(text: str, word: str) -> list[str]:
    """Split at `` word `` outside brackets and quotes."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    token = f" {word} "
    while i < len(text):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(token, i):
            parts.append(text[start:i])
            i += len(token)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _alternative(text: str) -> _Alt:
    text = text.strip()
    if text in ("bool", "str", "folder", "file", "item"):
        return _Alt(text)
    if text == "IPS-25 bands":
        return _Alt("bands")
    m = re.fullmatch(r"(\w+) CSV file", text)
    if m:
        return _Alt("csv", table=m.group(1))
    if text.startswith("tuple of "):
        return _Alt("tuple", inner=(_alternative(text[len("tuple of "):]),))
    if text.startswith("dict of "):
        key_value = _split(text[len("dict of "):], "to")
        if len(key_value) != 2:
            raise SpecError(f"{text!r}: write 'dict of KEY to VALUE'")
        return _Alt("dict", inner=(_alternative(key_value[0]), _alternative(key_value[1])))
    m = _RANGE.match(text)
    if m:
        kind, open_, a, b, close, op, bound = m.groups()
        if open_:
            return _Alt(kind, low=float(a), high=float(b), low_open=open_ == "(", high_open=close == ")")
        if op:
            value = float(bound)
            if op.startswith(">"):
                return _Alt(kind, low=value, low_open=op == ">")
            return _Alt(kind, high=value, high_open=op == "<")
        return _Alt(kind)
    try:
        literal = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise SpecError(f"{text!r} is not a type this builder reads (see ipsresearch.report.parameters)"
                        ) from None
    if isinstance(literal, set):  # members in the order they are written (a set forgets it)
        return _Alt("choice", values=tuple(ast.literal_eval(e)
                                           for e in ast.parse(text, mode="eval").body.elts))
    return _Alt("literal", values=(literal,))


def parse_spec(text: str) -> Spec:
    """Parse a declaration.

    Examples
    --------
    >>> parse_spec("float in (0, 1)").alternatives[0].high
    1.0
    >>> [a.kind for a in parse_spec("trial_arms CSV file or None").alternatives]
    ['csv', 'literal']
    """
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"{text!r}: an empty declaration")
    return Spec(text.strip(), tuple(_alternative(part) for part in _split(text.strip(), "or")))


# --------------------------------------------------------------------------- checking values


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _range_text(alt: _Alt) -> str:
    if alt.low is not None and alt.high is not None:
        return f"{'(' if alt.low_open else '['}{alt.low:g}, {alt.high:g}{')' if alt.high_open else ']'}"
    if alt.low is not None:
        return f"{'>' if alt.low_open else '>='} {alt.low:g}"
    return f"{'<' if alt.high_open else '<='} {alt.high:g}"


def _regular_file(value: Any) -> str | None:
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        return f"{_show(value)} is not a file name"
    path = Path(value).expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"{value} does not exist"
    except OSError as exc:
        return f"{value} cannot be read ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return f"{value} is a folder, not a file"
    if not stat.S_ISREG(mode):
        return f"{value} is not a regular file (a device, pipe or socket)"
    return None


def _why(alt: _Alt, value: Any) -> str | None:
    """Why ``value`` is not this alternative (``None`` when it is)."""
    kind = alt.kind
    if kind == "literal":
        lit = alt.values[0]
        return None if type(value) is type(lit) and value == lit else f"{_show(value)} is not {lit!r}"
    if kind == "choice":
        if any(type(value) is type(v) and value == v for v in alt.values):
            return None
        return f"{_show(value)} is not one of {', '.join(map(_show, alt.values))}"
    if kind == "bool":
        return None if isinstance(value, bool) else f"{_show(value)} is not True or False"
    if kind == "str":
        return None if isinstance(value, str) and value.strip() else f"{_show(value)} is not a non-empty text"
    if kind in ("int", "float"):
        if isinstance(value, str):
            return f"{_show(value)} is text, not a number"
        if not _is_number(value):
            return f"{_show(value)} is not a number"
        if kind == "float" and not math.isfinite(value):
            return f"{_show(value)} is not a finite number"
        if kind == "int" and not isinstance(value, int):
            return f"{_show(value)} is not a whole number"
        lo_bad = alt.low is not None and (value <= alt.low if alt.low_open else value < alt.low)
        hi_bad = alt.high is not None and (value >= alt.high if alt.high_open else value > alt.high)
        return f"{_show(value)} is outside {_range_text(alt)}" if lo_bad or hi_bad else None
    if kind == "folder":
        if not isinstance(value, str | os.PathLike) or not str(value).strip():
            return f"{_show(value)} is not a folder name" if not isinstance(value, str) else "is empty"
        path = Path(value).expanduser()
        if not path.exists():
            return f"{value} does not exist"
        return None if path.is_dir() else f"{value} is not a folder"
    if kind == "file":
        return _regular_file(value)
    if kind == "csv":
        why = _regular_file(value)
        if why is not None:
            return why
        from ipsresearch.schemas import SCHEMAS
        from ipsresearch.validation import InputError, read_csv

        try:
            read_csv(Path(value).expanduser(), SCHEMAS[alt.table])
        except InputError as exc:
            return "; ".join(str(p) for p in exc.problems)
        return None
    if kind == "item":
        from ipsresearch.schemas import IPS25_ITEM_CODES

        ok = isinstance(value, str) and value.strip().upper() in IPS25_ITEM_CODES
        return None if ok else f"{_show(value)} is not an IPS-25 item code (S1-S3, O1-O8, SE1-SE14)"
    if kind == "bands":
        from ipsresearch.fidelity import resolve_bands

        try:
            resolve_bands(value)
        except (TypeError, ValueError, KeyError) as exc:
            return f"{_show(value)}: {exc}"
        return None
    if kind == "tuple":
        if not isinstance(value, tuple | list):
            return f"{_show(value)} is not a tuple"
        for element in value:
            why = _why(alt.inner[0], element)
            if why is not None:
                return f"element {why}"
        return None
    if kind == "dict":
        if not isinstance(value, Mapping):
            return f"{_show(value)} is not a dict"
        for k, v in value.items():
            why = _why(alt.inner[0], k)
            if why is not None:
                return f"key {why}"
            why = _why(alt.inner[1], v)
            if why is not None:
                return f"value of {_show(k)}: {why}"
        return None
    raise SpecError(f"unknown kind {kind!r}")  # pragma: no cover


_FAMILY = {"literal": None, "choice": None, "bool": (bool,), "str": (str,), "int": (int, float),
           "float": (int, float), "folder": (str, os.PathLike), "file": (str, os.PathLike),
           "csv": (str, os.PathLike), "item": (str,), "bands": (dict, list, tuple),
           "tuple": (tuple, list), "dict": (dict,)}


def check_value(value: Any, spec: Spec | str) -> str | None:
    """``None`` when ``value`` is allowed by ``spec``; otherwise what is wrong with it.

    Examples
    --------
    >>> check_value(2, "float in (0, 1)")
    '2 is outside (0, 1)'
    >>> check_value("bogus", "{'wilson', 'exact'}")
    "'bogus' is not one of 'wilson', 'exact'"
    >>> check_value(None, "folder or None") is None
    True
    """
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    reasons = []
    for alt in spec.alternatives:
        why = _why(alt, value)
        if why is None:
            return None
        family = _FAMILY[alt.kind]
        same_type = family is None or (isinstance(value, family) and not (
            isinstance(value, bool) and bool not in family))
        reasons.append((same_type and alt.kind not in ("literal", "choice"), why))
    close = [why for near, why in reasons if near]
    if len(close) == 1:
        return close[0]
    if len(spec.alternatives) == 1:
        return reasons[0][1]
    return f"{_show(value)} is not allowed"


def check_parameters(params: Mapping[str, Any], notebooks: Iterable[Any]) -> None:
    """Check the values of a build's parameters against the selected notebooks' declarations.

    Parameters
    ----------
    params : mapping
        Name -> value, as :func:`ipsresearch.report.build.parse_param` makes them.
    notebooks : iterable of NotebookInfo
        The selected notebooks (:func:`ipsresearch.report.provenance.read_notebook_info`).

    Raises
    ------
    ipsresearch.validation.InputError
        Every value a notebook's declaration does not allow, each as
        ``parameter NAME: what is wrong (allowed: declaration, as NOTEBOOK declares)``,
        and every declaration that cannot be read.
    """
    problems: list[tuple[str, str, str]] = []  # (source, message, allowed)
    for name, value in params.items():
        by_spec: dict[str, list[str]] = {}
        for info in notebooks:
            text = info.declarations.get(name)
            if text is not None:
                by_spec.setdefault(text, []).append(info.path.name)
        for text, names in by_spec.items():
            try:
                why = check_value(value, parse_spec(text))
            except SpecError as exc:
                problems.append((f"{', '.join(names)}", f"parameters cell: {name}: {exc}",
                                 "a declaration as ipsresearch.report.parameters describes"))
                continue
            if why is not None:
                problems.append((f"parameter {name}", why, f"{text}, as {', '.join(names)} declare"
                                 + ("s" if len(names) == 1 else "")))
    if problems:
        from ipsresearch.validation import InputError, Problem

        raise InputError([Problem(src, None, None, msg, allowed) for src, msg, allowed in problems],
                         source="the build's parameters")

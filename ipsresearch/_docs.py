"""The one place where the shared parameters of public functions are described (private).

Many public functions take the same few parameters: ``confidence`` (the level
of every interval), ``method`` (the interval of a proportion), ``by`` (the
grouping columns) and ``ax`` (where a figure is drawn). Each is described here
once, and ``tests/test_docstrings.py`` checks that every public function's
numpydoc entry for such a parameter has this type and begins with this text
(a function may add a sentence of its own after it, e.g. its default).

seaborn keeps such text in one place too (``_docstrings.DocstringComponents``)
and formats it into the docstrings at import. That does not fit cleanly here:
numpydoc option sets (``{"wilson", "exact"}``), the f-strings of doctests and
the R calls quoted in Notes (``binom.test(x, n)$conf.int``) would all need
escaping, and the docstrings would no longer read as written in the source.
So the docstrings stay literal and this module is what they are checked
against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PARAMS", "Param", "parameters"]


@dataclass(frozen=True)
class Param:
    """The shared description of one parameter.

    Attributes
    ----------
    type : str
        The numpydoc type as written after ``name :``; functions whose type
        starts with it must describe the parameter with :attr:`text`.
    text : str
        The first sentence(s) of the description.
    """

    type: str
    text: str


PARAMS: dict[str, Param] = {
    "confidence": Param(
        "float",
        "Confidence level, between 0 and 1 (0.95 for 95 per cent)."),
    "method": Param(
        '{"wilson", "exact", "jeffreys", "agresti_coull", "normal"}',
        "Interval for each proportion (see :data:`ipsresearch.outcomes.CI_METHODS`): "
        "``wilson`` is R's ``prop.test(correct = FALSE)``, ``exact`` (Clopper-Pearson) "
        "R's ``binom.test``."),
    "by": Param(
        "str or sequence of str",
        "Columns to group by (one name or several): results are given per group."),
    "ax": Param(
        "matplotlib.axes.Axes, optional",
        "Axes to draw on; without it, a new figure. The Axes drawn on is returned."),
}
"""Parameter name -> its shared type and description."""

_SECTION = re.compile(r"^\s*([A-Z][A-Za-z ]+)\n\s*-{3,}\s*$", re.M)


def parameters(doc: str | None) -> dict[str, tuple[str, str]]:
    """The entries of a numpydoc ``Parameters`` section: name -> (type, description).

    A line ``a, b : int`` describes both ``a`` and ``b``. Descriptions are
    joined into one line.

    Examples
    --------
    >>> parameters('''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     confidence : float
    ...         Confidence level, between 0 and 1
    ...         (0.95 for 95 per cent).
    ...     by, ax
    ...         As usual.
    ...
    ...     Returns
    ...     -------
    ...     None
    ...     ''')["confidence"]
    ('float', 'Confidence level, between 0 and 1 (0.95 for 95 per cent).')
    """
    if not doc:
        return {}
    heads = list(_SECTION.finditer(doc))
    for k, head in enumerate(heads):
        if head.group(1).strip() != "Parameters":
            continue
        end = heads[k + 1].start() if k + 1 < len(heads) else len(doc)
        lines = [ln for ln in doc[head.end():end].splitlines() if ln.strip()]
        if not lines:
            return {}
        base = min(len(ln) - len(ln.lstrip()) for ln in lines)
        out: dict[str, tuple[str, list[str]]] = {}
        words: list[str] = []
        for ln in lines:
            if len(ln) - len(ln.lstrip()) == base:
                names, _, kind = ln.strip().partition(" : ")
                words = []
                for name in names.split(","):
                    out[name.strip()] = (kind.strip(), words)
            else:
                words.append(ln.strip())
        return {name: (kind, " ".join(text)) for name, (kind, text) in out.items()}
    return {}

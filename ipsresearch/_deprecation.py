"""Warnings for names and modules that moved, kept one release behind a ``DeprecationWarning``.

Standard library only, so that a shim anywhere in the package can use it
without importing anything else.
"""

from __future__ import annotations

import sys
import warnings

__all__ = ["warn_moved"]


def _outside_importlib(frame) -> bool:
    name = frame.f_code.co_filename
    return not (name.startswith("<frozen importlib") or "importlib/_bootstrap" in name)


def warn_moved(old: str, new: str) -> None:
    """Warn that ``old`` is deprecated in favour of ``new``, naming the line that used ``old``.

    Called by a shim module at import time or by a module ``__getattr__``.
    The warning is attributed to the first caller outside the import
    machinery, so that Python's default filters show it where the deprecated
    path is written (in ``__main__``, a notebook cell) instead of hiding it
    in ``importlib``.

    Parameters
    ----------
    old, new : str
        Dotted paths, e.g. ``"ipsresearch.fidelity_figures"`` and
        ``"ipsresearch.figures"``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_moved("ipsresearch.old", "ipsresearch.new")
    >>> str(caught[0].message)
    'ipsresearch.old is deprecated and will be removed in the next release; use ipsresearch.new'
    """
    level, frame = 3, sys._getframe(2)  # 1 is this function, 2 the shim, 3 the shim's caller
    while frame is not None and not _outside_importlib(frame):
        level, frame = level + 1, frame.f_back
    warnings.warn(f"{old} is deprecated and will be removed in the next release; use {new}",
                  DeprecationWarning, stacklevel=level)

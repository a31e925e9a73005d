"""Deprecated: the trial explorer is in :mod:`ipsresearch.explore.trials` (this path goes in the next release).

Each name still works for one release and warns (``DeprecationWarning``) where
it is used. A presentation-layer shim kept beside the computation modules for one release:
importing :mod:`ipsresearch.synthesis` does not import it, and importing it
imports nothing until a name is used.
"""

from ipsresearch._deprecation import warn_moved

_MOVED = ("TrialExplorer",)
"""Names that moved, each forwarded by :func:`__getattr__`."""

__all__ = list(_MOVED)


def __getattr__(name: str):
    if name in _MOVED:
        warn_moved(f"ipsresearch.synthesis.explore.{name}", f"ipsresearch.explore.trials.{name}")
        from ipsresearch.explore import trials

        return getattr(trials, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Deprecated: the fidelity classroom widgets are in :mod:`ipsresearch.explore.fidelity` (this path goes in the next release).

Each name still works for one release and warns (``DeprecationWarning``) where
it is used.
"""

from ipsresearch._deprecation import warn_moved

_MOVED = ("FidelityExplorer", "summary_text")
"""Names that moved, each forwarded by :func:`__getattr__`."""

__all__ = list(_MOVED)


def __getattr__(name: str):
    if name in _MOVED:
        warn_moved(f"ipsresearch.fidelity_classroom.{name}", f"ipsresearch.explore.fidelity.{name}")
        from ipsresearch.explore import fidelity

        return getattr(fidelity, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

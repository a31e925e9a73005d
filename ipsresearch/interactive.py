"""Deprecated: the widget helpers are in :mod:`ipsresearch.explore` (this path goes in the next release).

Each name still works for one release and warns (``DeprecationWarning``) where
it is used.
"""

from ipsresearch._deprecation import warn_moved

_MOVED = ("ENV_VAR", "Explorer", "live_frontend", "use_widgets")
"""Names that moved, each forwarded by :func:`__getattr__`."""

__all__ = list(_MOVED)


def __getattr__(name: str):
    if name in _MOVED:
        warn_moved(f"ipsresearch.interactive.{name}", f"ipsresearch.explore.{name}")
        from ipsresearch import explore

        return getattr(explore, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

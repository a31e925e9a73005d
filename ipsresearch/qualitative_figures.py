"""Deprecated: the qualitative figures are in :mod:`ipsresearch.figures` (this path goes in the next release).

Each name still works for one release and warns (``DeprecationWarning``) where
it is used.
"""

from ipsresearch._deprecation import warn_moved

_MOVED = ("plot_attributions", "plot_cooccurrence", "plot_theme_by_role")
"""Names that moved, each forwarded by :func:`__getattr__`."""

__all__ = list(_MOVED)


def __getattr__(name: str):
    if name in _MOVED:
        warn_moved(f"ipsresearch.qualitative_figures.{name}", f"ipsresearch.figures.{name}")
        from ipsresearch import figures

        return getattr(figures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

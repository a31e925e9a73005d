"""Deprecated: the fidelity figures are in :mod:`ipsresearch.figures` (this path goes in the next release).

Each name still works for one release and warns (``DeprecationWarning``) where
it is used.
"""

from ipsresearch._deprecation import warn_moved

_MOVED = (
    "BAND_COLOURS",
    "plot_band_distribution",
    "plot_band_scale",
    "plot_item_heatmap",
    "plot_round_change",
    "plot_section_profile",
)
"""Names that moved, each forwarded by :func:`__getattr__`."""

__all__ = list(_MOVED)


def __getattr__(name: str):
    if name in _MOVED:
        warn_moved(f"ipsresearch.fidelity_figures.{name}", f"ipsresearch.figures.{name}")
        from ipsresearch import figures

        return getattr(figures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

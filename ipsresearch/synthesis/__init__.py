"""Evidence synthesis: screening flows of literature reviews and meta-analysis of trials.

The public functions live in submodules and are re-exported here, so that
``ipsresearch.synthesis.prisma_flow`` and ``ipsresearch.synthesis.meta_analysis``
are the documented entry points. This package computes only: its figures are
in :mod:`ipsresearch.figures` (``plot_forest``, ``plot_funnel``, ``plot_prisma``,
``plot_tally``) and its widgets in :mod:`ipsresearch.explore`.
"""

from __future__ import annotations

from ipsresearch._deprecation import warn_moved
from ipsresearch.synthesis.arms import MisreadTotals, arms_from_2x2, misread_totals
from ipsresearch.synthesis.heterogeneity import q_profile, tau2_estimate
from ipsresearch.synthesis.meta import (
    MetaAnalysisResult,
    effect_sizes,
    egger_test,
    leave_one_out,
    meta_analysis,
)
from ipsresearch.synthesis.meta_regression import MetaRegressionResult, meta_regression
from ipsresearch.synthesis.power import trial_size
from ipsresearch.synthesis.screening import PrismaFlow, prisma_flow
from ipsresearch.synthesis.study_table import (
    country_code,
    decade,
    participants_by_role,
    tally,
    year_range,
)
from ipsresearch.synthesis.subgroups import SubgroupResult, subgroup_analysis

__all__: list[str] = [
    "MetaAnalysisResult",
    "MetaRegressionResult",
    "MisreadTotals",
    "SubgroupResult",
    "arms_from_2x2",
    "misread_totals",
    "subgroup_analysis",
    "effect_sizes",
    "egger_test",
    "leave_one_out",
    "meta_regression",
    "q_profile",
    "tau2_estimate",
    "meta_analysis",
    "trial_size",
    "PrismaFlow",
    "country_code",
    "decade",
    "participants_by_role",
    "prisma_flow",
    "tally",
    "year_range",
]

_MOVED = {"forest_plot": "plot_forest", "funnel_plot": "plot_funnel", "plot_prisma": "plot_prisma"}
"""Figures that lived here in 0.1.0, and their names in :mod:`ipsresearch.figures`."""


def __getattr__(name: str):
    """The figures that moved to :mod:`ipsresearch.figures`, for one release, with a warning.

    The import below runs only when a deprecated name is asked for: importing
    this package never imports matplotlib.
    """
    if name in _MOVED:
        warn_moved(f"ipsresearch.synthesis.{name}", f"ipsresearch.figures.{_MOVED[name]}")
        from ipsresearch import figures  # deprecated path only: see the docstring

        return getattr(figures, _MOVED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

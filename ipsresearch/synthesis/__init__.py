"""Evidence synthesis: screening flows of literature reviews and meta-analysis of trials.

The public functions live in submodules and are re-exported here, so that
``ipsresearch.synthesis.prisma_flow`` and ``ipsresearch.synthesis.meta_analysis``
are the documented entry points.
"""

from __future__ import annotations

from ipsresearch.synthesis.meta import MetaAnalysisResult, effect_sizes, meta_analysis
from ipsresearch.synthesis.plots import forest_plot, funnel_plot
from ipsresearch.synthesis.power import trial_size
from ipsresearch.synthesis.screening import PrismaFlow, plot_prisma, prisma_flow
from ipsresearch.synthesis.study_table import (
    country_code,
    decade,
    participants_by_role,
    tally,
    year_range,
)

__all__: list[str] = [
    "MetaAnalysisResult",
    "effect_sizes",
    "forest_plot",
    "funnel_plot",
    "meta_analysis",
    "trial_size",
    "PrismaFlow",
    "country_code",
    "decade",
    "participants_by_role",
    "plot_prisma",
    "prisma_flow",
    "tally",
    "year_range",
]

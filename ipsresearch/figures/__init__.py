"""Every figure of the package: a computed result in, an optional Axes, the Axes back.

This is the one import route for notebooks::

    from ipsresearch import figures
    ax = figures.plot_rates(rates, label="site")

Every figure is a ``plot_*`` function that takes the result of an analysis
function first (never typed-in numbers), everything else keyword-only, an
optional ``ax`` to draw on (a new figure is created when it is not given,
``figsize`` sets its size) and returns the ``Axes`` it drew on. The house
style (colours, hidden spines) is applied once, by :mod:`ipsresearch.figures._style`;
:func:`panels` lays out several Axes side by side for the ``ax`` arguments.
Each function also records in words what it drew (what is plotted, how many
groups, the headline values); :func:`description` reads it back, and
:func:`ipsresearch.report.tables.show_figure` turns it into the alt text of
the figure in a report page.

=============================  ===========================================================
figure                         drawn from
=============================  ===========================================================
:func:`plot_rates`             :func:`ipsresearch.outcomes.placement_rate` (and other rate tables)
:func:`plot_survival`          :class:`ipsresearch.outcomes.SurvivalResult` (Kaplan-Meier)
:func:`plot_spells`            :func:`ipsresearch.outcomes.spell_timeline` (swimmer plot)
:func:`plot_band_scale`        :func:`ipsresearch.fidelity.score`
:func:`plot_band_distribution` :func:`ipsresearch.fidelity.band_distribution`
:func:`plot_item_heatmap`      :func:`ipsresearch.fidelity.to_wide`
:func:`plot_section_profile`   :func:`ipsresearch.fidelity.section_scores`
:func:`plot_round_change`      :func:`ipsresearch.fidelity.round_change`
:func:`plot_cooccurrence`      :func:`ipsresearch.qualitative.cooccurrence`
:func:`plot_attributions`      :func:`ipsresearch.qualitative.attributions`
:func:`plot_theme_by_role`     :func:`ipsresearch.qualitative.theme_by_role`
:func:`plot_forest`            :func:`ipsresearch.synthesis.meta_analysis`
:func:`plot_funnel`            :func:`ipsresearch.synthesis.meta_analysis`
:func:`plot_prisma`            :func:`ipsresearch.synthesis.prisma_flow`
:func:`plot_tally`             :func:`ipsresearch.synthesis.tally`
:func:`plot_roles`             :func:`ipsresearch.synthesis.participants_by_role`
:func:`plot_flags`             a review table's yes/no columns
=============================  ===========================================================
"""

from __future__ import annotations

from ipsresearch.figures._style import (
    BAND_COLOURS,
    BAR_COLOUR,
    PAIR_COLOURS,
    PALETTE,
    ROLE_COLOURS,
    description,
    panels,
    role_colours,
)
from ipsresearch.figures.fidelity import (
    plot_band_distribution,
    plot_band_scale,
    plot_item_heatmap,
    plot_round_change,
    plot_section_profile,
)
from ipsresearch.figures.outcomes import plot_rates, plot_spells, plot_survival
from ipsresearch.figures.qualitative import plot_attributions, plot_cooccurrence, plot_theme_by_role
from ipsresearch.figures.synthesis import (
    plot_flags,
    plot_forest,
    plot_funnel,
    plot_prisma,
    plot_roles,
    plot_tally,
)

__all__ = [
    "BAND_COLOURS",
    "BAR_COLOUR",
    "PAIR_COLOURS",
    "PALETTE",
    "ROLE_COLOURS",
    "description",
    "panels",
    "plot_attributions",
    "plot_band_distribution",
    "plot_band_scale",
    "plot_cooccurrence",
    "plot_flags",
    "plot_forest",
    "plot_funnel",
    "plot_item_heatmap",
    "plot_prisma",
    "plot_rates",
    "plot_roles",
    "plot_round_change",
    "plot_section_profile",
    "plot_spells",
    "plot_survival",
    "plot_tally",
    "plot_theme_by_role",
    "role_colours",
]

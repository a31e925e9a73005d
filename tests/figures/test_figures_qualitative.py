"""Qualitative figures draw what the tables hold, and a role keeps its colour across figures."""

from __future__ import annotations

from numpy.testing import assert_allclose

from ipsresearch import figures, qualitative
from ipsresearch.studies import irish_qualitative


def test_figures_draw_what_the_tables_hold():
    data = irish_qualitative.load()
    cooc = qualitative.cooccurrence(data.segments, unit=["role", "respondent"])
    ax = figures.plot_cooccurrence(cooc)
    shown = ax.images[0].get_array()
    assert_allclose(shown, cooc.pivot(index="code_a", columns="code_b", values="units").to_numpy())
    assert len(ax.texts) == shown.size  # every cell annotated
    assert len(ax.figure.axes) == 2  # the heatmap and its colour bar
    table = qualitative.attributions(data.segments)
    ax = figures.plot_attributions(table, labels=irish_qualitative.LABELS)
    widths = [p.get_width() for p in ax.patches[:len(table)]]
    assert widths == table["attributions"].tolist()
    cross = qualitative.theme_by_role(data.segments, quoted_only=True)
    ax = figures.plot_theme_by_role(cross)
    assert sum(p.get_width() for p in ax.patches) == cross["segments"].sum()
    # a role keeps its colour from figure to figure, whichever other roles a figure shows
    by_role = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    ot_only = qualitative.attributions(data.segments[data.segments["role"] == "ot_manager"])
    ax = figures.plot_attributions(ot_only)
    assert ax.patches[0].get_facecolor() == by_role["ot_manager"].patches[0].get_facecolor()


def test_role_colours_come_from_the_one_style_table():
    colours = figures.role_colours(["clinician", "employment_specialist", "somebody_else"])
    assert colours["employment_specialist"] == figures.ROLE_COLOURS[0]
    assert colours["clinician"] == figures.ROLE_COLOURS[9]
    assert colours["somebody_else"] == figures.ROLE_COLOURS[0]  # first after the ten roles wraps

"""Synthesis figures draw the numbers of the results they are given: forest, funnel, PRISMA and review tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Polygon
from numpy.testing import assert_allclose

from ipsresearch import figures, schemas, synthesis
from ipsresearch.studies import bonfils_review, moen2021
from ipsresearch.synthesis import meta_analysis, prisma_flow
from ipsresearch.synthetic import reviews

REF = Path(__file__).parents[1] / "reference"


@pytest.fixture
def zero() -> pd.DataFrame:
    return pd.read_csv(REF / "meta_trials_zero.csv")


# ------------------------------------------------------------------ forest and funnel plots


def _squares(ax):
    return ax.collections[1]  # hlines first, then the scatter of study squares


def test_forest_plot_marks_are_the_results_numbers(zero):
    res = meta_analysis(zero, measure="RR", method="REML")
    ax = figures.plot_forest(res)
    inc = res.studies["included"].to_numpy()
    offsets = _squares(ax).get_offsets()
    assert_allclose(offsets[:, 0], res.studies.loc[inc, "estimate"], rtol=1e-12)
    # square area grows with weight: the biggest study has the biggest square
    sizes = _squares(ax).get_sizes()
    assert np.argmax(sizes) == np.argmax(res.studies.loc[inc, "weight"].to_numpy())
    segments = ax.collections[0].get_segments()
    assert_allclose([s[:, 0] for s in segments],
                    res.studies.loc[inc, ["ci_low", "ci_high"]].to_numpy(), rtol=1e-12)
    diamond = [p for p in ax.patches if isinstance(p, Polygon)][0].get_xy()
    assert_allclose(sorted(set(np.round(diamond[:, 0], 12))),
                    np.round([res.ci_low, res.estimate, res.ci_high], 12))
    pi = ax.collections[2].get_segments()[0][:, 0]
    assert_allclose(pi, [res.pi_low, res.pi_high], rtol=1e-12)
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Trial Z1  0/20 vs 3/22" and labels[-1].startswith("Pooled")
    texts = [t.get_text() for t in ax.texts]
    assert "not pooled (no events)" in texts  # the double-zero trial is listed but not drawn


def test_forest_plot_names_each_studys_source_and_marks_highlighted_ones():
    trials = pd.read_csv(REF / "meta_trials.csv")
    res = meta_analysis(trials, method="REML")
    names = res.studies["study"].tolist()
    sources = {name: f"source of {name}" for name in names}
    ax = figures.plot_forest(res, sources=sources, highlight=names[:2], highlight_label="inferred counts")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert all(label.endswith(f"\nsource of {name}") for label, name in zip(labels, names, strict=False))
    faces = [to_hex(c) for c in _squares(ax).get_facecolors()]
    assert faces[:2] == ["#ffffff", "#ffffff"] and set(faces[2:]) == {"#1f4e79"}
    styles = ax.collections[0].get_linestyles()
    assert styles[0] != styles[2]  # dashed interval for a highlighted study
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["inferred counts"]
    with pytest.raises(ValueError, match="sources has no entry for"):
        figures.plot_forest(res, sources={names[0]: "x"})
    with pytest.raises(ValueError, match="highlight names nobody"):
        figures.plot_forest(res, highlight=["nobody"])


def test_fixed_effect_forest_has_no_prediction_interval():
    trials = pd.read_csv(REF / "meta_trials.csv")
    ax = figures.plot_forest(meta_analysis(trials, method="FE"))
    assert len(ax.collections) == 2  # CI lines and squares only


def test_proportion_forest_with_a_reference():
    props = pd.read_csv(REF / "meta_proportions.csv")
    res = meta_analysis(props, measure="PLO")
    ax = figures.plot_forest(res, reference=0.5, reference_label="pilot", reference_band=(0.4, 0.6))
    assert ax.get_xscale() == "linear"
    assert any(t.get_text().strip() == "pilot" for t in ax.texts)
    assert any(line.get_xdata()[0] == 0.5 for line in ax.lines)


def test_funnel_plot_points_are_effects_and_standard_errors(zero):
    res = meta_analysis(zero, measure="OR", method="FE")
    ax = figures.plot_funnel(res)
    inc = res.studies["included"].to_numpy()
    pts = ax.collections[-1].get_offsets()
    assert_allclose(pts[:, 0], res.studies.loc[inc, "effect"], rtol=1e-12)
    assert_allclose(pts[:, 1], np.sqrt(res.studies.loc[inc, "variance"]), rtol=1e-12)
    assert ax.yaxis_inverted()
    assert ax.get_xlabel() == "log odds ratio"


# ------------------------------------------------------------------ the PRISMA diagram reads the counts


def small_log() -> pd.DataFrame:
    return pd.DataFrame({
        "record_id": [f"r{i}" for i in range(1, 9)],
        "search": ["s1"] * 5 + ["s2"] * 3,
        "search_date": ["2020-01-31"] * 5 + ["2020-06-30"] * 3,
        "source": ["database"] * 7 + ["reference_list"],
        "stage_reached": ["identified", "screened", "screened", "sought", "included",
                          "screened", "assessed", "included"],
        "reason": ["duplicate", "off topic", "off topic", "full text in Czech", None,
                   "not qualitative", "no findings", None],
        "study_id": [None, None, None, None, "a2019", None, None, "b2020"],
    })


def drawn_numbers(ax) -> list[int]:
    return [int(n) for t in ax.texts for n in re.findall(r"\(n = (\d+)\)", t.get_text())]


def test_diagram_shows_the_counted_numbers_and_follows_a_change():
    log = reviews.moen_log()
    flow = prisma_flow(log, by="search")
    shown = drawn_numbers(figures.plot_prisma(flow))
    for stage in schemas.SCREENING_STAGES:
        assert flow.n(stage) in shown
    assert flow.n("identified", group="search_1") in shown
    assert flow.n("identified", group="search_2") in shown
    assert flow.excluded("sought") in shown
    changed = log.copy()
    i = changed.index[changed["stage_reached"] == "included"][0]
    changed.loc[i, ["stage_reached", "reason", "study_id"]] = ["assessed", "no findings", None]
    shown2 = drawn_numbers(figures.plot_prisma(prisma_flow(changed, by="search")))
    assert flow.n("included") in shown and flow.n("included") - 1 in shown2
    assert shown != shown2


def test_diagram_without_groups_merges_identification():
    ax = figures.plot_prisma(prisma_flow(reviews.bonfils_log()))
    text = " ".join(t.get_text() for t in ax.texts)
    assert "Records identified" not in text  # no duplicates: identified == screened
    assert "(n = 346)" in text and "(n = 21)" in text


def test_diagram_with_duplicates_draws_the_identification_stage():
    flow = prisma_flow(small_log(), by="search")
    ax = figures.plot_prisma(flow, group_labels={"s1": "First", "s2": "Second"})
    text = " ".join(t.get_text() for t in ax.texts)
    assert "Records from all searches\n(n = 8)" in text
    assert "Duplicates removed (n = 1)" in text and "duplicate: 1" in text
    assert "First: records identified\n(n = 5)" in text
    assert not ax.axison  # a diagram, no axes


# ------------------------------------------------------------------ a review's table of studies


def test_tally_bars_are_the_counts_largest_on_top():
    studies = moen2021.load().studies
    by_country = synthesis.tally(studies, by="country")
    axes = figures.panels(3, figsize=(11, 3.2), tight=True)
    ax = figures.plot_tally(by_country, title="Country", ax=axes[0])
    assert ax is axes[0]
    assert [p.get_width() for p in ax.patches] == by_country["n_studies"].tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == by_country["country"].tolist()
    assert ax.yaxis_inverted()  # first row (the largest count) on top
    assert ax.get_xlabel() == "studies" and ax.get_title() == "Country"
    assert {to_hex(p.get_facecolor()) for p in ax.patches} == {figures.BAR_COLOUR}
    assert ax.figure.get_layout_engine() is not None


def test_tally_labels_a_blank_value_and_draws_years_upright():
    papers = bonfils_review.load().papers
    by_country = synthesis.tally(papers, by="country_code")
    ax = figures.plot_tally(by_country, unit="papers")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "not printed" and by_country["country_code"].isna().iloc[-1]
    by_year = synthesis.tally(papers, by="year")
    ax = figures.plot_tally(by_year, orient="v", unit="papers")
    assert sorted((p.get_x() + p.get_width() / 2, p.get_height()) for p in ax.patches) == \
        sorted(zip(by_year["year"].astype(float), by_year["n_studies"].astype(float), strict=True))
    first, last = int(by_year["year"].min()), int(by_year["year"].max())
    assert ax.get_xticks().tolist() == list(range(first, last + 1, 2))  # 2001..2015, every 2nd year
    assert ax.get_yticks().tolist() == list(range(0, int(by_year["n_studies"].max()) + 1))
    assert ax.get_ylabel() == "papers"
    with pytest.raises(ValueError, match="orient 'x' not recognised"):
        figures.plot_tally(by_year, orient="x")


def test_roles_grouped_and_stacked():
    data = moen2021.load()
    by_rct = data.roles(by="part_of_rct")
    ax = figures.plot_roles(by_rct, by="part_of_rct", order=moen2021.ROLES, legend_title="part of an RCT")
    assert [t.get_text() for t in ax.get_yticklabels()] == list(moen2021.ROLES)
    expected = [by_rct.set_index(["part_of_rct", "role"]).loc[(rct, role), "participants"]
                for rct in (False, True) for role in moen2021.ROLES]
    assert [p.get_width() for p in ax.patches] == expected  # pandas draws one group after the other
    assert ax.get_legend().get_title().get_text() == "part of an RCT"
    assert [to_hex(p.get_facecolor()) for p in ax.patches[::4]] == list(figures.PAIR_COLOURS)
    assert ax.yaxis_inverted()
    by_country = data.roles(by="country")
    ax = figures.plot_roles(by_country, by="country", order=moen2021.ROLES, stacked=True)
    totals = by_country.groupby("country")["participants"].sum()
    n = len(totals)
    drawn = np.add.reduce([[p.get_width() for p in ax.patches[k * n:(k + 1) * n]]
                           for k in range(len(moen2021.ROLES))])
    assert drawn.tolist() == totals.tolist()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(moen2021.ROLES)
    assert ax.get_ylabel() == "country" and ax.get_xlabel() == "participants"


def test_flags_grid_is_the_yes_no_columns():
    papers = bonfils_review.load().papers
    flags = ["process_model", "determinant_framework", "fidelity_study"]
    ax = figures.plot_flags(papers, columns=flags, label="paper_id", title="Categories")
    assert (np.asarray(ax.images[0].get_array()) == papers[flags].astype(int).to_numpy()).all()
    assert [t.get_text() for t in ax.get_yticklabels()] == papers["paper_id"].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["process model", "determinant framework",
                                                             "fidelity study"]
    assert ax.figure.get_size_inches().tolist() == [8.0, 0.2 * len(papers) + 1.3]

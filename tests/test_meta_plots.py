"""Forest and funnel plots draw the numbers of the result they are given."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Polygon
from numpy.testing import assert_allclose

from ipsresearch.synthesis import forest_plot, funnel_plot, meta_analysis

REF = Path(__file__).parent / "reference"


@pytest.fixture
def zero() -> pd.DataFrame:
    return pd.read_csv(REF / "meta_trials_zero.csv")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _squares(ax):
    return ax.collections[1]  # hlines first, then the scatter of study squares


def test_forest_plot_marks_are_the_results_numbers(zero):
    res = meta_analysis(zero, measure="RR", method="REML")
    ax = forest_plot(res)
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


def test_fixed_effect_forest_has_no_prediction_interval():
    trials = pd.read_csv(REF / "meta_trials.csv")
    ax = forest_plot(meta_analysis(trials, method="FE"))
    assert len(ax.collections) == 2  # CI lines and squares only


def test_proportion_forest_with_a_reference():
    props = pd.read_csv(REF / "meta_proportions.csv")
    res = meta_analysis(props, measure="PLO")
    ax = forest_plot(res, reference=0.5, reference_label="pilot", reference_band=(0.4, 0.6))
    assert ax.get_xscale() == "linear"
    assert any(t.get_text().strip() == "pilot" for t in ax.texts)
    assert any(line.get_xdata()[0] == 0.5 for line in ax.lines)


def test_funnel_plot_points_are_effects_and_standard_errors(zero):
    res = meta_analysis(zero, measure="OR", method="FE")
    ax = funnel_plot(res)
    inc = res.studies["included"].to_numpy()
    pts = ax.collections[-1].get_offsets()
    assert_allclose(pts[:, 0], res.studies.loc[inc, "effect"], rtol=1e-12)
    assert_allclose(pts[:, 1], np.sqrt(res.studies.loc[inc, "variance"]), rtol=1e-12)
    assert ax.yaxis_inverted()
    assert ax.get_xlabel() == "log odds ratio"

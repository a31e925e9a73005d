"""Fidelity figures draw the scores, shares and ratings they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from numpy.testing import assert_allclose

from ipsresearch import fidelity, figures
from ipsresearch.fidelity import ITEM_CODES
from ipsresearch.synthetic import fidelity as synth


def review_with_total(total: int, review_id: str = "r") -> pd.DataFrame:
    """Long ratings of one review whose ratings add up to ``total`` (25..125)."""
    extra = total - 25
    ratings = []
    for _ in ITEM_CODES:
        step = min(4, extra)
        ratings.append(1 + step)
        extra -= step
    return pd.DataFrame({"review_id": review_id, "item": list(ITEM_CODES), "rating": ratings})


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    return fidelity.score(pd.concat([review_with_total(t, f"r{t}") for t in (60, 99, 118)]))


def test_band_scale_places_each_review_at_its_total(scores):
    ax = figures.plot_band_scale(scores)
    xy = ax.collections[0].get_offsets()
    assert xy[:, 0].tolist() == [60, 99, 118]
    where = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks(), strict=True))
    assert where["r60"] > where["r99"] > where["r118"]  # the first review on top
    assert xy[:, 1].tolist() == [where["r60"], where["r99"], where["r118"]]
    # each dot has its band's colour, and each band of the table is shaded and named
    colours = [to_hex(c) for c in ax.collections[0].get_facecolors()]
    assert colours == [figures.BAND_COLOURS[b] for b in ("not_ips", "fair", "exemplary")]
    assert len(ax.patches) == len(fidelity.IPS25_BANDS)
    assert [t.get_text() for t in ax.texts[:4]] == ["not ips", "fair", "good", "exemplary"]
    assert [t.get_text() for t in ax.texts[4:]] == ["60", "99", "118"]


def test_band_scale_size_and_custom_bands(scores):
    ax = figures.plot_band_scale(scores, bands={"low": (25, 99), "high": (100, 125)},
                                 figsize=(7.5, 1.8))
    assert ax.figure.get_size_inches().tolist() == [7.5, 1.8]
    assert len(ax.patches) == 2 and [t.get_text() for t in ax.texts[:2]] == ["low", "high"]


def test_band_distribution_draws_each_share_and_interval():
    reviews = pd.concat([review_with_total(t, f"r{i}") for i, t in enumerate((60, 90, 95, 110))])
    s = fidelity.score(reviews).assign(programme=["A", "A", "B", "B"])
    dist = fidelity.band_distribution(s, by="programme")
    ax = figures.plot_band_distribution(dist, by="programme")
    points = [c.lines[0] for c in ax.containers]  # one error bar per programme
    assert len(points) == 2
    for line, g in zip(points, ["A", "B"], strict=True):
        part = dist[dist["programme"] == g]
        assert_allclose(np.asarray(line.get_xdata(), float), part["share"].to_numpy(float))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A (n = 2)", "B (n = 2)"]
    where = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks(), strict=True))
    assert sorted(where, key=where.get, reverse=True) == ["not ips", "fair", "good", "exemplary"]


def test_heatmap_cells_are_the_ratings():
    w = fidelity.to_wide(synth.simulate_ratings(3, seed=2))
    ax = figures.plot_item_heatmap(w)
    cells = np.asarray(ax.collections[0].get_array()).reshape(3, 25)
    assert (cells == w[list(ITEM_CODES)].to_numpy()).all()
    assert [t.get_text() for t in ax.texts[-3:]] == list(fidelity.SECTIONS)


def test_section_profile_marks_each_mean():
    reviews = pd.concat([review_with_total(t, f"r{t}") for t in (60, 99)])
    sections = fidelity.section_scores(fidelity.score(reviews)).assign(programme="P")
    ax = figures.plot_section_profile(sections)
    means = [c.get_offsets()[0, 1] for c in ax.collections if c.get_offsets().shape[0] == 1]
    expected = sections.groupby("section", sort=False)["mean_rating"].mean()
    assert_allclose(means, expected.reindex(fidelity.SECTIONS).to_numpy())


def test_round_change_draws_one_line_per_site():
    plan = (("a", 1, 70), ("a", 2, 90), ("b", 1, 100), ("b", 2, 95), ("c", 1, 80), ("c", 2, 80))
    s = fidelity.score(pd.concat([review_with_total(t, f"{site}-{rnd}") for site, rnd, t in plan]))
    s = s.assign(site=[p[0] for p in plan], round=[p[1] for p in plan])
    change = fidelity.round_change(s, unit="site")
    ax = figures.plot_round_change(change)
    assert [ln.get_ydata().tolist() for ln in ax.lines] == [[70, 90], [100, 95], [80, 80]]
    assert [to_hex(ln.get_color()) for ln in ax.lines] == ["#1f4e79", "#b00020", "#666666"]
    assert [t.get_text() for t in ax.texts if t.get_text()[0] in "abc"] == ["a (+20)", "b (-5)", "c (+0)"]

"""Figures of outcomes draw the numbers of the results they are given: rates, Kaplan-Meier, spells."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ipsresearch import figures, outcomes
from ipsresearch.studies import irish_pilot


@pytest.fixture(scope="module")
def pilot():
    return irish_pilot.load()


def test_rates_figure_draws_each_rate_with_its_interval(pilot):
    rates = outcomes.placement_rate(pilot.employed, outcome="employed", by="site", overall=True)
    overall = float(rates.loc[rates["site"] == "All", "rate"].iloc[0])
    ax = figures.plot_rates(rates, label="site", reference=overall, reference_label="all sites")
    points = ax.lines[0]
    assert_allclose(np.asarray(points.get_xdata(), float), rates["rate"].to_numpy(float))
    # one interval segment per row, from ci_low to ci_high, first row on top
    segments = ax.collections[0].get_segments()
    assert_allclose([s[:, 0] for s in segments], rates[["ci_low", "ci_high"]].to_numpy())
    assert list(points.get_ydata()) == list(range(len(rates)))[::-1]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[::-1] == [f"{s} ({e}/{n})" for s, e, n in
                            zip(rates["site"], rates["events"], rates["n"], strict=True)][::-1]
    reference = [ln for ln in ax.lines if ln.get_label() == "all sites"]
    assert len(reference) == 1 and reference[0].get_xdata()[0] == overall
    assert ax.get_xlabel() == "share with the outcome (95% wilson interval)"
    assert not ax.spines["top"].get_visible() and ax.spines["left"].get_visible()


def test_km_figure_draws_the_curve_band_and_number_at_risk(pilot):
    jobs = outcomes.job_tenure(pilot.participants, pilot.spells, validated=True)
    km = outcomes.kaplan_meier(jobs)
    ax = figures.plot_survival(km, risk_times=[0, 90, 365])
    line = ax.lines[0]
    assert_allclose(line.get_ydata()[1:-1], km.curve["survival"])
    assert_allclose(line.get_xdata()[1:-1], km.curve["time"])
    texts = [t.get_text() for t in ax.texts]
    expected = km.number_at_risk([0, 90, 365])["n_at_risk"].astype(str).tolist()
    assert expected[0] == str(len(jobs)) and all(e in texts for e in expected)
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() >= km.curve["ci_low"].min() - 1e-12


def test_km_figure_complement_and_overall(pilot):
    r = outcomes.time_to_first_job(pilot.participants, pilot.spells, by="site", overall=True,
                                   validated=True)
    ax = figures.plot_survival(r, complement=True, bands=False)
    all_line = ax.lines[[i for i, ln in enumerate(ax.lines) if ln.get_label().startswith("All")][0]]
    s = r.curve[r.curve["site"] == "All"]["survival"].to_numpy()
    assert_allclose(all_line.get_ydata()[1:-1], 1 - s)
    assert not ax.collections  # no bands drawn


def test_km_figure_marks_the_horizons_and_draws_on_a_given_panel(pilot):
    jobs = outcomes.job_tenure(pilot.participants, pilot.spells, validated=True)
    km = outcomes.kaplan_meier(jobs)
    axes = figures.panels(2, figsize=(8, 3), sharey=True)
    ax = figures.plot_survival(km, horizons=(90, 180, 365), ax=axes[1])
    assert ax is axes[1] and not axes[0].lines
    dotted = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert [ln.get_xdata()[0] for ln in dotted] == [90, 180, 365]
    assert ax.figure.get_size_inches().tolist() == [8.0, 3.0]


def test_km_figure_of_a_registry_draws_a_few_hundred_censoring_ticks_at_censored_times():
    import pandas as pd

    rng = np.random.default_rng(16)
    days = rng.integers(1, 2000, 50_000)
    ended = rng.random(50_000) < 0.3
    km = outcomes.kaplan_meier(pd.DataFrame({"days": days, "ended": ended}))
    ax = figures.plot_survival(km, bands=False)
    ticks = [ln for ln in ax.lines if ln.get_marker() == "|"]
    assert len(ticks) == 1
    drawn = np.asarray(ticks[0].get_xdata(), dtype=float)
    assert 50 <= drawn.size <= figures.outcomes.CENSOR_MARK_BINS  # not one per censored record
    assert set(drawn) <= set(days[~ended].astype(float))  # each tick at a censored time
    gaps = np.diff(np.sort(drawn))
    assert gaps.max() < 2 * days.max() / figures.outcomes.CENSOR_MARK_BINS  # spread over the axis
    # the curve: at most CURVE_STEPS steps, each a point of the estimate, its last one included
    line = ax.lines[0]
    x, y = np.asarray(line.get_xdata(), float)[1:-1], np.asarray(line.get_ydata(), float)[1:-1]
    assert len(km.curve) > figures.outcomes.CURVE_STEPS >= len(x) > 0.9 * figures.outcomes.CURVE_STEPS
    on_curve = km.curve.set_index("time")["survival"]
    assert_allclose(on_curve.loc[x].to_numpy(), y)
    assert x[-1] == km.curve["time"].iloc[-1]


def test_swimmer_plot_has_one_lane_per_participant_and_a_bar_per_spell(pilot):
    tl = outcomes.spell_timeline(pilot.participants, pilot.spells, validated=True)
    assert tl["participant_id"].nunique() == 65
    assert tl["spell_id"].notna().sum() == len(pilot.spells)
    ax = figures.plot_spells(tl)
    assert len(ax.collections[0].get_segments()) == 65  # follow-up lanes
    assert len(ax.patches) == len(pilot.spells)
    first = tl.drop_duplicates("participant_id")["first_job_day"]
    assert first.notna().sum() == 33
    widths = sorted(p.get_width() for p in ax.patches)
    spells = tl.dropna(subset=["start_day"])
    assert_allclose(widths, np.sort((spells["end_day"] - spells["start_day"] + 1).to_numpy(float)))
    assert not ax.spines["left"].get_visible()

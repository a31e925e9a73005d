"""Arm totals read as counts without the outcome: the pitfall computed, and the input that refuses it.

``synthesis.misread_totals`` must give exactly what a 2 x 2 tool gives when
handed the totals (checked against metafor's ``escalc(ai, bi = n1i, ...)``
in tests/test_ips_trials.py); here its defining arithmetic is checked for
any counts, and ``synthesis.arms_from_2x2`` (the package's only entry for
counts without the outcome) must refuse every form of the slip it can see,
all problems at once, naming column and row.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from ipsresearch.synthesis import (
    arms_from_2x2,
    meta_analysis,
    meta_regression,
    misread_totals,
    subgroup_analysis,
)
from ipsresearch.validation import InputError

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRIALS = pd.DataFrame({
    "study": ["A", "B", "C"],
    "events_treatment": [85, 13, 27], "n_treatment": [156, 20, 46],
    "events_control": [43, 2, 14], "n_control": [156, 21, 54]})


@st.composite
def arm_pairs(draw):
    """Two arms with no zero cell (a zero cell would bring the continuity correction in)."""
    n1 = draw(st.integers(min_value=2, max_value=500))
    n2 = draw(st.integers(min_value=2, max_value=500))
    a = draw(st.integers(min_value=1, max_value=n1 - 1))
    c = draw(st.integers(min_value=1, max_value=n2 - 1))
    return a, n1, c, n2


# ------------------------------------------------------------------ the pitfall, computed


@SETTINGS
@given(arm_pairs())
def test_each_misread_ratio_keeps_its_side_of_one_and_shrinks_towards_it(pair):
    a, n1, c, n2 = pair
    trial = pd.DataFrame({"study": ["T"], "events_treatment": [a], "n_treatment": [n1],
                          "events_control": [c], "n_control": [n2]})
    both = misread_totals(trial, method="FE")
    p1, p2 = a / n1, c / n2
    rr, rr_bad = both.correct.estimate, both.misread.estimate
    # the defining arithmetic: rates become events / (events + n), so RR is scaled by (1 + p2) / (1 + p1)
    assert_allclose(rr_bad, (a / (a + n1)) / (c / (c + n2)), rtol=1e-12)
    assert_allclose(rr_bad, rr * (1 + p2) / (1 + p1), rtol=1e-12)
    assert math.copysign(1, math.log(rr_bad)) == math.copysign(1, math.log(rr)) or math.isclose(rr, 1)
    assert abs(math.log(rr_bad)) <= abs(math.log(rr)) + 1e-12


@SETTINGS
@given(arm_pairs())
def test_the_misread_odds_ratio_is_the_true_risk_ratio(pair):
    a, n1, c, n2 = pair
    trial = pd.DataFrame({"study": ["T"], "events_treatment": [a], "n_treatment": [n1],
                          "events_control": [c], "n_control": [n2]})
    odds = misread_totals(trial, measure="OR", method="FE")
    assert_allclose(odds.misread.estimate, (a / n1) / (c / n2), rtol=1e-12)


def test_misread_table_shows_both_readings_side_by_side():
    rows = misread_totals(TRIALS, method="REML").to_frame()
    assert rows["row"].tolist() == ["study", "study", "study", "pooled"]
    assert rows.loc[0, "rate_treatment"] == pytest.approx(85 / 156)
    assert rows.loc[0, "rate_treatment_misread"] == pytest.approx(85 / 241)
    assert rows.loc[0, "rate_control_misread"] == pytest.approx(43 / 199)
    assert math.isnan(rows.loc[3, "rate_treatment"])
    assert rows.loc[3, "n_treatment"] == 222  # the pooled row sums the arms as given


def test_misread_needs_a_two_arm_measure_and_leaves_the_input_alone():
    before = TRIALS.copy()
    misread_totals(TRIALS)
    pd.testing.assert_frame_equal(TRIALS, before)
    with pytest.raises(ValueError, match="measure 'PLO' not recognised; choose from RR, OR, RD"):
        misread_totals(TRIALS, measure="PLO")


# ------------------------------------------------------------------ the input that refuses it


def _cells():
    return pd.DataFrame({"study": ["A", "B"], "yes_ips": [85, 13], "no_ips": [71, 7],
                         "yes_tvr": [43, 2], "no_tvr": [113, 19]})


def test_cells_become_events_and_totals():
    arms = arms_from_2x2(_cells(), events_treatment="yes_ips", no_event_treatment="no_ips",
                         events_control="yes_tvr", no_event_control="no_tvr")
    assert arms.to_dict("list") == {"study": ["A", "B"], "events_treatment": [85, 13],
                                    "n_treatment": [156, 20], "events_control": [43, 2], "n_control": [156, 21]}
    assert meta_analysis(arms).k == 2


def test_the_count_arguments_must_be_named():
    with pytest.raises(TypeError, match="missing 4 required keyword-only arguments"):
        arms_from_2x2(_cells())
    with pytest.raises(TypeError, match="positional argument"):
        arms_from_2x2(_cells(), "yes_ips", "no_ips", "yes_tvr", "no_tvr")


def test_an_arm_total_column_given_as_without_the_outcome_is_refused():
    with pytest.raises(InputError) as err:
        arms_from_2x2(TRIALS, events_treatment="events_treatment", no_event_treatment="n_treatment",
                      events_control="events_control", no_event_control="n_control")
    text = str(err.value)
    assert "2 problems in data" in text
    assert "column `n_treatment`: given as the count without the outcome, but `n_treatment` is the name " \
           "of an arm total" in text
    assert "every ratio would shrink towards 1" in text


def test_a_column_equal_to_the_totals_is_refused_row_by_row_with_the_other_problems():
    data = _cells().assign(total_ips=[156, 20], n_control=[156, 21])
    data.loc[1, "no_tvr"] = -1
    with pytest.raises(InputError) as err:
        arms_from_2x2(data, events_treatment="yes_ips", no_event_treatment="total_ips",
                      events_control="yes_tvr", no_event_control="no_tvr", n_treatment="total_ips")
    text = str(err.value)
    # the totals column named as both: refused by name; the negative count in the same message
    assert "`total_ips` is the name of an arm total" in text
    assert "data row 3, column `no_tvr`: -1 is below 0" in text
    data = _cells().assign(n_treatment=[156, 20], total_ips=[156, 20])
    with pytest.raises(InputError) as err:
        arms_from_2x2(data, events_treatment="yes_ips", no_event_treatment="total_ips",
                      events_control="yes_tvr", no_event_control="no_tvr")
    text = str(err.value)
    assert ("data row 2, column `total_ips`: total_ips = 156 equals the arm total `n_treatment` although "
            "85 had the outcome: the total was given where the count without the outcome belongs") in text
    assert "data row 3, column `total_ips`: total_ips = 20 equals the arm total" in text


def test_cells_that_do_not_add_up_to_the_totals_are_refused():
    data = _cells().assign(n_treatment=[156, 21])
    with pytest.raises(InputError, match=r"data row 3, column `no_ips`: yes_ips 13 \+ no_ips 7 = 20, "
                                         r"but the arm total `n_treatment` is 21"):
        arms_from_2x2(data, events_treatment="yes_ips", no_event_treatment="no_ips",
                      events_control="yes_tvr", no_event_control="no_tvr")


def test_one_column_cannot_be_events_and_without():
    with pytest.raises(InputError, match="column `yes_ips`: given both as the events and as the count"):
        arms_from_2x2(_cells(), events_treatment="yes_ips", no_event_treatment="yes_ips",
                      events_control="yes_tvr", no_event_control="no_tvr")


def test_no_events_anywhere_is_not_mistaken_for_the_slip():
    # with no events the count without the outcome IS the arm total: nothing to refuse
    data = pd.DataFrame({"study": ["A"], "yes": [0], "no": [20], "yes_c": [3], "no_c": [17],
                         "n_treatment": [20], "n_control": [20]})
    arms = arms_from_2x2(data, events_treatment="yes", no_event_treatment="no",
                         events_control="yes_c", no_event_control="no_c")
    assert arms["n_treatment"].tolist() == [20]


# ------------------------------------------------------------------ subgroups


def _regions():
    return TRIALS.assign(region=["Europe", "Asia-Pacific", "Europe"])


def test_each_subgroup_is_its_own_meta_analysis_and_the_test_is_the_meta_regression():
    data = pd.concat([_regions(), TRIALS.assign(study=["D", "E", "F"], region=["Asia-Pacific"] * 3)],
                     ignore_index=True)
    res = subgroup_analysis(data, by="region", method="REML", test="knha")
    groups = res.to_frame().set_index("region")
    for level in ("Asia-Pacific", "Europe"):
        alone = meta_analysis(data[data["region"] == level], method="REML", test="knha")
        assert groups.loc[level, "estimate"] == alone.estimate
        assert groups.loc[level, "k"] == alone.k
    reg = meta_regression(data, moderators="region", method="REML", test="knha")
    assert res.summary()["qm_p"].iloc[0] == reg.qm_p


def test_a_single_study_group_cannot_have_a_knapp_hartung_interval():
    with pytest.raises(ValueError, match="group\\(s\\) Asia-Pacific of 'region' hold a single study"):
        subgroup_analysis(_regions(), by="region", test="knha")
    assert subgroup_analysis(_regions(), by="region", test="z").to_frame()["k"].tolist() == [1, 2]


def test_a_missing_grouping_column_is_named():
    with pytest.raises(InputError, match="column `country`: grouping column is missing"):
        subgroup_analysis(TRIALS, by="country")

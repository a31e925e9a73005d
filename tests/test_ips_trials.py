"""The real IPS trials as notebook 06 pools them (issue 19, items 3 and 4).

The selection (``studies.ips_trials.select_trials``) must account for every
report of ``ips_rcts`` exactly once, keep inferred counts out of everything
but the labelled what-if set, and pool a trial once. The pooled estimates,
Q-profile intervals, subgroup fits, meta-regressions and the totals pitfall
are compared with metafor 3.8-1, run by ``tests/reference/ips_trials.R`` on
the same CSV with the sets built in R from the table's own columns.
Tolerance 1e-6 absolute, as for metafor's data sets (tests/test_meta_peers.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from ipsresearch import datasets
from ipsresearch.studies import ips_trials
from ipsresearch.synthesis import meta_analysis, meta_regression, misread_totals, subgroup_analysis
from ipsresearch.validation import InputError
from tests.reference import ips_trials_values as R

TOL = 1e-6
SCENARIO_KEYS = {"PRIMARY": "primary", "SENSITIVITY": "primary + sensitivity",
                 "WHAT_IF": "primary + sensitivity + what-if"}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return datasets.load("ips_rcts")


def _selection(key: str) -> ips_trials.TrialSelection:
    sets, what_if = ips_trials.SCENARIOS[SCENARIO_KEYS[key]]
    return ips_trials.select_trials(sets=sets, what_if=what_if)


# ------------------------------------------------------------------ the selection


@pytest.mark.parametrize("key", SCENARIO_KEYS)
def test_every_report_is_pooled_or_listed_with_a_reason_exactly_once(table, key):
    chosen = _selection(key)
    pooled_reports = [r for reports in chosen.pooled["reports"] for r in reports.split("; ")]
    accounted = pooled_reports + chosen.excluded["study"].tolist()
    assert sorted(accounted) == sorted(table["study"])  # each report once, none lost
    assert chosen.excluded["reason"].str.len().gt(20).all()
    assert chosen.pooled["trial"].is_unique  # a trial is pooled once


@pytest.mark.parametrize("key", SCENARIO_KEYS)
def test_pooled_trials_are_the_ones_metafor_was_given(key):
    chosen = _selection(key)
    assert sorted(chosen.pooled["trial"]) == sorted(getattr(R, f"{key}_TRIALS"))


def test_inferred_counts_enter_only_the_labelled_what_if_set(table):
    for key in ("PRIMARY", "SENSITIVITY"):
        pooled = _selection(key).pooled
        assert (pooled["counts"] == "settled").all()
        settled = table.set_index("study").loc[pooled["study"]]
        assert_allclose(pooled[["events_treatment", "n_treatment", "events_control", "n_control"]]
                        .to_numpy(float),
                        settled[["events_ips", "n_ips", "events_control", "n_control"]].to_numpy(float))
    wide = _selection("WHAT_IF").pooled
    inferred = wide[wide["counts"] != "settled"]
    assert set(inferred["counts"]) == {"inferred (what-if)"}
    assert set(inferred["analysis_set"]) == {"what-if"}
    rows = table[table["trial"].isin(inferred["trial"])]
    assert set(rows["confidence"]) == {"low"} and set(rows["analysis_set"]) == {"none"}


def test_a_shared_ips_arm_is_counted_once_and_the_control_arms_combined(table):
    wide = _selection("WHAT_IF").pooled
    mueser = wide[wide["trial"] == "hartford_mueser_2004"].iloc[0]
    rows = table[table["trial"] == "hartford_mueser_2004"]
    assert mueser["n_treatment"] == rows["inferred_n_ips"].iloc[0] == rows["inferred_n_ips"].iloc[1]
    assert mueser["events_control"] == rows["inferred_events_control"].sum()
    assert mueser["n_control"] == rows["inferred_n_control"].sum()
    assert mueser["reports"].count(";") == 1


def test_two_rows_of_one_trial_with_different_ips_arms_are_refused(table):
    bad = table.copy()
    bad.loc[bad["study"] == "Mueser 2004 (vs PSR)", "inferred_n_ips"] = 70
    with pytest.raises(ValueError, match="hartford_mueser_2004.*IPS arms differ"):
        ips_trials.select_trials(bad, sets=["primary"], what_if=True)


def test_unsettled_rows_are_listed_with_the_ratio_of_their_printed_rates(table):
    out = ips_trials.select_trials(sets=["primary", "sensitivity"]).excluded.set_index("study")
    lehman = out.loc["Lehman 2002"]
    assert lehman["pct_ips_stated"] == "27" and lehman["pct_control_stated"] == "7"
    assert lehman["printed_ratio"] == pytest.approx(27 / 7)
    assert "Arm sizes not stated" in lehman["reason"]
    assert math.isnan(out.loc["Drake 1996", "printed_ratio"])  # no rates printed
    assert "what-if" in out.loc["Wong 2008", "reason"]  # its inferred counts are named, not used


def test_a_table_that_breaks_the_schema_or_an_unknown_set_is_refused(table):
    with pytest.raises(ValueError, match="sets \\['main'\\] not recognised; choose from primary, sensitivity"):
        ips_trials.select_trials(sets=["main"])
    bad = table.copy()
    bad.loc[0, "analysis_set"] = "pooled"
    with pytest.raises(InputError, match="trials row 2, column `analysis_set`"):
        ips_trials.select_trials(bad)


def test_the_selection_does_not_modify_its_input(table):
    before = table.copy()
    ips_trials.select_trials(table, sets=["primary", "sensitivity"], what_if=True)
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(("url", "label"), [
    ("https://pubmed.ncbi.nlm.nih.gov/17905167/?dopt=Abstract", "pubmed.ncbi.nlm.nih.gov 17905167"),
    ("http://47.251.13.51:8081/18182544", "47.251.13.51:8081 18182544"),
    ("http://ps.psychiatryonline.org/doi/full/10.1176/appi.ps.202000926",
     "ps.psychiatryonline.org doi:10.1176/appi.ps.202000926"),
    ("https://oem.bmj.com/content/74/10/717", "oem.bmj.com"),
    (None, "no address"),
    ("", "no address"),
])
def test_source_label_names_host_and_identifier(url, label):
    assert ips_trials.source_label(url) == label


# ------------------------------------------------------------------ against metafor


def _check(fit, ref):
    assert_allclose(math.log(fit.estimate), ref["b"], atol=TOL)
    assert_allclose(fit.se, ref["se"], atol=TOL)
    assert_allclose(np.log([fit.ci_low, fit.ci_high]), [ref["ci_lb"], ref["ci_ub"]], atol=TOL)
    assert_allclose(np.log([fit.pi_low, fit.pi_high]), [ref["pi_lb"], ref["pi_ub"]], atol=TOL)
    assert_allclose(fit.tau2, ref["tau2"], atol=TOL)
    assert_allclose(fit.i2, ref["I2"], atol=TOL)
    assert_allclose(fit.q, ref["QE"], atol=TOL)
    assert_allclose(fit.p_value, ref["pval"], atol=TOL)


@pytest.mark.parametrize("key", SCENARIO_KEYS)
@pytest.mark.parametrize("test", ["z", "knha"])
def test_pooled_risk_ratio_matches_metafor(key, test):
    rows = ips_trials.pooled_scenarios(tests=[test]).set_index("scenario")
    fit = meta_analysis(_selection(key).pooled, method="REML", test=test)
    _check(fit, getattr(R, f"{key}_REML_{test.upper()}"))
    assert rows.loc[SCENARIO_KEYS[key], "estimate"] == fit.estimate
    if test == "knha":
        assert fit.df == getattr(R, f"{key}_REML_KNHA")["df"]


@pytest.mark.parametrize("key", SCENARIO_KEYS)
def test_q_profile_intervals_match_confint(key):
    h = meta_analysis(_selection(key).pooled, method="REML").heterogeneity().set_index("quantity")
    ref = getattr(R, f"{key}_QPROFILE")
    for ours, theirs in (("tau2", "tau2"), ("i2", "I2"), ("h2", "H2")):
        assert_allclose(h.loc[ours, ["estimate", "ci_low", "ci_high"]].to_numpy(float), ref[theirs],
                        atol=TOL)


@pytest.mark.parametrize("key", SCENARIO_KEYS)
@pytest.mark.parametrize(("column", "ref_name"), [("region", "REGION"), ("control_category", "CONTROL")])
def test_moderator_tests_match_metafor(key, column, ref_name):
    pooled = _selection(key).pooled
    name = f"{key}_MODS_{ref_name}"
    if not hasattr(R, name):
        pytest.skip("one level only in this set")
    ref = getattr(R, name)
    fit = meta_regression(pooled, moderators=column, method="REML", test="knha")
    assert_allclose(fit.to_frame()["estimate"], ref["b"], atol=TOL)
    assert_allclose(fit.to_frame()["se"], ref["se"], atol=TOL)
    assert_allclose([fit.qm, fit.qm_p, fit.tau2, fit.qe], [ref["QM"], ref["QMp"], ref["tau2"], ref["QE"]],
                    atol=TOL)
    assert [fit.qm_df, fit.k - fit.p] == ref["QMdf"]


@pytest.mark.parametrize("key", SCENARIO_KEYS)
def test_subgroups_by_region_match_metafor_subsets(key):
    res = subgroup_analysis(_selection(key).pooled, by="region", method="REML", test="knha")
    for level, fit in res.fits.items():
        _check(fit, getattr(R, f"{key}_REGION_{level.upper().replace('-', '_')}"))
    assert_allclose(res.summary()["qm"].iloc[0], getattr(R, f"{key}_MODS_REGION")["QM"], atol=TOL)


@pytest.mark.parametrize("key", SCENARIO_KEYS)
def test_totals_read_as_non_events_match_escalc_given_totals_for_bi_and_di(key):
    ref = getattr(R, f"{key}_MISREAD")
    pooled = _selection(key).pooled
    both = misread_totals(pooled, method="REML", test="knha")
    _check(both.misread, ref)
    in_r_order = [getattr(R, f"{key}_TRIALS").index(t) for t in pooled["trial"]]
    assert_allclose(both.misread.studies["effect"], np.asarray(ref["yi"])[in_r_order], atol=1e-12)
    assert both.misread.estimate < both.correct.estimate

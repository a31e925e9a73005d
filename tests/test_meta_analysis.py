"""Meta-analysis of binary outcomes against R metafor 3.8-1 (tests/reference/meta_*.R)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from pandas.testing import assert_frame_equal

from ipsresearch.synthesis import effect_sizes, meta_analysis
from ipsresearch.synthesis.heterogeneity import tau2_score
from ipsresearch.synthesis.meta import (
    MEASURES,
    ift_proportion,
    reml_tau2,
    restricted_loglik,
)
from ipsresearch.validation import InputError
from tests.reference import meta_or_rd_values as ROR
from tests.reference import meta_prop_values as RP
from tests.reference import meta_rr_values as RR
from tests.reference import meta_zero_values as RZ
from tests.reference.meta_prop_values import PFT_STUDIES

REF = Path(__file__).parent / "reference"
TOL = 1e-6  # the bar; most quantities agree to 1e-9 or better


@pytest.fixture(scope="module")
def trials() -> pd.DataFrame:
    return pd.read_csv(REF / "meta_trials.csv")


@pytest.fixture(scope="module")
def zero() -> pd.DataFrame:
    return pd.read_csv(REF / "meta_trials_zero.csv")


@pytest.fixture(scope="module")
def props() -> pd.DataFrame:
    return pd.read_csv(REF / "meta_proportions.csv")


def check_fit(res, ref: dict, *, weights=None, log=True) -> None:
    """Pooled numbers of ``res`` against one block of R output."""
    assert_allclose(res.effect, ref["b"], atol=TOL, rtol=0)
    assert_allclose(res.se, ref["se"], atol=TOL, rtol=0)
    assert_allclose(res.tau2, ref.get("tau2", 0.0), atol=TOL, rtol=0)
    assert_allclose(res.i2, ref["I2"], atol=TOL, rtol=0)
    assert_allclose(res.q, ref["QE"], atol=TOL, rtol=0)
    assert_allclose(res.q_p, ref["QEp"], atol=TOL, rtol=0)
    back = np.exp if log else (lambda x: x)
    assert_allclose([res.ci_low, res.ci_high], back([ref["ci_lb"], ref["ci_ub"]]), atol=TOL, rtol=0)
    if "pi_lb" in ref:
        assert_allclose([res.pi_low, res.pi_high], back([ref["pi_lb"], ref["pi_ub"]]),
                        atol=TOL, rtol=0)
    if "zval" in ref:
        assert_allclose([res.z, res.p_value], [ref["zval"], ref["pval"]], atol=TOL, rtol=0)
    if "H2" in ref:
        assert_allclose(res.h2, ref["H2"], atol=TOL, rtol=0)
    w = res.studies["weight"].to_numpy() if weights is None else weights
    assert_allclose(w, np.atleast_1d(ref["weights"]), atol=TOL, rtol=0)


# ------------------------------------------------------------------ risk ratio (the Done-when set)


def test_effect_sizes_match_escalc(trials):
    es = effect_sizes(trials, measure="RR")
    assert_allclose(es["effect"], RR.ESCALC["yi"], rtol=1e-12)
    assert_allclose(es["variance"], RR.ESCALC["vi"], rtol=1e-12)
    assert not es["corrected"].any() and es["included"].all()


@pytest.mark.parametrize("method", ["FE", "DL", "REML", "PM"])
def test_risk_ratio_matches_metafor_rma(trials, method):
    res = meta_analysis(trials, measure="RR", method=method)
    check_fit(res, getattr(RR, method))
    assert res.k == 7 and res.q_df == 6
    assert_allclose(res.estimate, np.exp(getattr(RR, method)["b"]), rtol=TOL)


def test_risk_ratio_mantel_haenszel_matches_rma_mh(trials):
    res = meta_analysis(trials, measure="RR", method="MH")
    check_fit(res, RR.MH)
    assert res.tau2 == 0.0 and (res.pi_low, res.pi_high) == (res.ci_low, res.ci_high)


def test_confidence_level_reaches_intervals(trials):
    check_fit(meta_analysis(trials, measure="RR", method="REML", confidence=0.9), RR.REML_90)


def test_reml_maximises_the_restricted_likelihood(trials):
    es = effect_sizes(trials)
    y, v = es["effect"].to_numpy(), es["variance"].to_numpy()
    tau2 = reml_tau2(y, v)
    # the value metafor reports for the fit, and a root of the score equation
    assert_allclose(restricted_loglik(tau2, y, v), RR.REML_LOGLIK["loglik"], atol=1e-10)
    assert abs(tau2_score(tau2, y, v, method="REML")) < 1e-10
    grid = np.linspace(0.0, 1.0, 2001)
    assert restricted_loglik(tau2, y, v) >= max(restricted_loglik(t, y, v) for t in grid)


def test_reml_is_zero_when_the_likelihood_falls_from_the_boundary():
    y = np.array([0.50, 0.51, 0.49, 0.50])
    v = np.array([0.04, 0.05, 0.03, 0.06])
    assert tau2_score(0.0, y, v, method="REML") < 0
    assert reml_tau2(y, v) == 0.0
    for method in ("DL", "PM"):
        d = pd.DataFrame({"study": list("ABCD"), "events": [50, 51, 49, 50], "n": [100] * 4})
        assert meta_analysis(d, measure="PLO", method=method).tau2 == 0.0


# ------------------------------------------------------------------ odds ratio, risk difference


@pytest.mark.parametrize("measure", ["OR", "RD"])
@pytest.mark.parametrize("method", ["FE", "DL", "REML", "PM"])
def test_odds_ratio_and_risk_difference_match_metafor(trials, measure, method):
    es = effect_sizes(trials, measure=measure)
    ref_es = getattr(ROR, f"{measure}_ESCALC")
    assert_allclose(es["effect"], ref_es["yi"], rtol=1e-12)
    assert_allclose(es["variance"], ref_es["vi"], rtol=1e-12)
    check_fit(meta_analysis(trials, measure=measure, method=method),
              getattr(ROR, f"{measure}_{method}"), log=measure == "OR")


def test_odds_ratio_mantel_haenszel_matches_rma_mh(trials):
    check_fit(meta_analysis(trials, measure="OR", method="MH"), ROR.OR_MH)


# ------------------------------------------------------------------ single proportions


@pytest.mark.parametrize("method", ["FE", "DL", "REML"])
def test_logit_proportion_matches_metafor(props, method):
    ref = getattr(RP, f"PLO_{method}")
    es = effect_sizes(props, measure="PLO")
    assert_allclose(es["effect"], RP.PLO_ESCALC["yi"], rtol=1e-12)
    assert_allclose(es["variance"], RP.PLO_ESCALC["vi"], rtol=1e-12)
    res = meta_analysis(props, measure="PLO", method=method)
    assert_allclose([res.effect, res.se, res.tau2, res.i2, res.q],
                    [ref["b"], ref["se"], ref["tau2"], ref["I2"], ref["QE"]], atol=TOL, rtol=0)
    assert_allclose([res.estimate, res.ci_low, res.ci_high, res.pi_low, res.pi_high],
                    [ref["pred"], ref["pred_ci_lb"], ref["pred_ci_ub"], ref["pred_pi_lb"],
                     ref["pred_pi_ub"]], atol=TOL, rtol=0)


def test_freeman_tukey_matches_metafor_with_harmonic_mean_back_transform(props):
    ref = RP.PFT_REML
    es = effect_sizes(props, measure="PFT")
    assert_allclose(es["effect"], RP.PFT_ESCALC["yi"], rtol=1e-12)
    assert_allclose(es["variance"], RP.PFT_ESCALC["vi"], rtol=1e-12)
    res = meta_analysis(props, measure="PFT", method="REML")
    assert_allclose([res.effect, res.se, res.tau2, res.i2, res.q],
                    [ref["b"], ref["se"], ref["tau2"], ref["I2"], ref["QE"]], atol=TOL, rtol=0)
    assert_allclose([res.estimate, res.ci_low, res.ci_high, res.pi_low, res.pi_high],
                    [ref["pred"], ref["pred_ci_lb"], ref["pred_ci_ub"], ref["pred_pi_lb"],
                     ref["pred_pi_ub"]], atol=TOL, rtol=0)
    # each study back-transformed with its own n: its observed proportion, metafor's interval
    assert_allclose(res.studies["estimate"], PFT_STUDIES["yi"], rtol=1e-12)
    assert_allclose(res.studies["ci_low"], PFT_STUDIES["ci_lb"], atol=1e-10)
    assert_allclose(res.studies["ci_high"], PFT_STUDIES["ci_ub"], atol=1e-10)


def test_freeman_tukey_inverse_is_exact_at_the_studys_own_n():
    n = np.array([5, 12, 60, 333])
    for x in (0, 1, 3, 5):
        t = 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))
        assert_allclose(ift_proportion(t, n), x / n, atol=1e-12)
    assert ift_proportion(10.0, 50) == 1.0 and ift_proportion(-1.0, 50) == 0.0


@pytest.mark.parametrize("measure", ["PLO", "PFT"])
def test_proportion_with_no_events(props, measure):
    z = pd.concat([props, pd.DataFrame({"study": ["Arm Z"], "events": [0], "n": [12]})],
                  ignore_index=True)
    ref = getattr(RP, f"{measure}_ZERO_REML")
    es = effect_sizes(z, measure=measure)
    assert_allclose(es["effect"], ref["yi"], rtol=1e-12)
    assert_allclose(es["variance"], ref["vi"], rtol=1e-12)
    # 1/2 added to events and non-events for the logit only
    assert es["corrected"].tolist() == [False] * 7 + [measure == "PLO"]
    res = meta_analysis(z, measure=measure)
    assert_allclose([res.effect, res.tau2], [ref["b"], ref["tau2"]], atol=TOL, rtol=0)
    if measure == "PFT":
        assert_allclose(res.estimate, ref["pred"], atol=TOL)
        assert res.studies["estimate"].iloc[-1] == 0.0


# ------------------------------------------------------------------ zero cells, one study


@pytest.mark.parametrize("measure", ["RR", "OR"])
def test_zero_cells_are_corrected_and_double_zero_studies_left_out(zero, measure):
    ref = getattr(RZ, f"{measure}_REML")
    res = meta_analysis(zero, measure=measure, method="REML")
    s = res.studies
    assert s["included"].tolist() == [True, False, True, True, True, True]
    assert s["corrected"].tolist() == [True, True, False, True, False, True]
    assert_allclose(s["effect"], ref["yi"], rtol=1e-12)  # NaN where metafor has NA
    assert_allclose(s["variance"], ref["vi"], rtol=1e-12)
    assert res.k == 5
    check_fit(res, ref, weights=s.loc[s["included"], "weight"].to_numpy(), log=True)
    assert s.loc[~s["included"], "weight"].tolist() == [0.0]


@pytest.mark.parametrize("measure", ["RR", "OR"])
def test_mantel_haenszel_with_zero_cells(zero, measure):
    ref = getattr(RZ, f"{measure}_MH")
    res = meta_analysis(zero, measure=measure, method="MH")
    assert_allclose([res.effect, res.se, res.i2, res.q, res.q_p],
                    [ref["b"], ref["se"], ref["I2"], ref["QE"], ref["QEp"]], atol=TOL, rtol=0)
    assert_allclose(res.studies["weight"], ref["weights"], atol=TOL)


def test_risk_difference_keeps_double_zero_studies(zero):
    ref = RZ.RD_REML
    res = meta_analysis(zero, measure="RD", method="REML")
    assert res.studies["included"].all() and res.k == 6
    assert_allclose(res.studies["effect"], ref["yi"], rtol=1e-12)
    check_fit(res, ref, log=False)


def test_double_zero_studies_can_be_kept(zero):
    res = meta_analysis(zero, measure="RR", drop_double_zero=False)
    assert res.k == 6 and res.studies["included"].all()


def test_correction_leaves_studies_without_zero_cells_alone(trials, zero):
    # statsmodels' own float zero_correction shifts every study; ours must not
    for measure in ("RR", "OR", "RD"):
        a = effect_sizes(trials, measure=measure, correction=0.5)["effect"]
        b = effect_sizes(trials, measure=measure, correction=0.0)["effect"]
        assert_allclose(a, b, rtol=0, atol=0)
    es = effect_sizes(zero, measure="RR", correction=0.25)
    a, n1, c, n2 = 0 + 0.25, 20 + 0.5, 3 + 0.25, 22 + 0.5  # Trial Z1
    assert_allclose(es["effect"].iloc[0], np.log((a / n1) / (c / n2)), rtol=1e-13)


def test_no_correction_with_a_zero_cell_names_the_study(zero):
    # a risk ratio survives an arm where everyone had the outcome (Z6); an odds ratio does not
    with pytest.raises(ValueError, match=r"risk ratio of Trial Z1, Trial Z4 cannot be computed"):
        meta_analysis(zero, measure="RR", correction=0)
    with pytest.raises(ValueError, match=r"odds ratio of Trial Z1, Trial Z4, Trial Z6 cannot"):
        meta_analysis(zero, measure="OR", correction=0)


def test_every_study_without_events_is_an_error(zero):
    none = zero.iloc[[1, 1]].assign(study=["X", "Y"])
    for measure in ("RR", "OR"):
        with pytest.raises(InputError, match="no study can be pooled.*no events"):
            meta_analysis(none, measure=measure)
    res = meta_analysis(none, measure="RD")
    assert res.k == 2 and res.tau2 == 0.0


@pytest.mark.parametrize("method", ["FE", "MH", "DL", "REML", "PM"])
def test_one_study_is_that_study(trials, method):
    one = trials.iloc[[0]]
    res = meta_analysis(one, measure="RR", method=method)
    ref = RZ.ONE_STUDY_REML  # metafor: tau2 0, I2 0, H2 1, Q 0 on 0 df with p 1
    assert res.k == 1 and res.q_df == 0
    assert_allclose([res.effect, res.se, res.tau2, res.i2, res.h2, res.q, res.q_p],
                    [ref["b"], ref["se"], ref["tau2"], ref["I2"], ref["H2"], ref["QE"], ref["QEp"]],
                    atol=TOL, rtol=0)
    assert_allclose([res.ci_low, res.ci_high, res.pi_low, res.pi_high],
                    np.exp([ref["ci_lb"], ref["ci_ub"], ref["pi_lb"], ref["pi_ub"]]), rtol=1e-9)
    assert res.studies["weight"].tolist() == [100.0]


# ------------------------------------------------------------------ invariants


SUMMARY_CASES = [("RR", m) for m in ("FE", "MH", "DL", "REML", "PM")] + \
    [("OR", "MH"), ("OR", "REML"), ("RD", "PM"), ("RD", "REML")]


@pytest.mark.parametrize(("measure", "method"), SUMMARY_CASES)
def test_reordering_studies_changes_no_pooled_number(trials, zero, measure, method):
    data = pd.concat([trials, zero], ignore_index=True)
    base = meta_analysis(data, measure=measure, method=method)
    rng = np.random.default_rng(7)
    for _ in range(5):
        shuffled = data.iloc[rng.permutation(len(data))]
        res = meta_analysis(shuffled, measure=measure, method=method)
        assert_frame_equal(res.summary(), base.summary(), check_exact=True)
        per_study = res.studies.set_index("study").loc[base.studies["study"]].reset_index()
        assert_frame_equal(per_study, base.studies, check_exact=True)


@pytest.mark.parametrize("measure", ["PLO", "PFT"])
def test_reordering_proportions_changes_no_pooled_number(props, measure):
    base = meta_analysis(props, measure=measure).summary()
    for perm in itertools.islice(itertools.permutations(range(len(props))), 1, 40, 7):
        assert_frame_equal(meta_analysis(props.iloc[list(perm)], measure=measure).summary(), base,
                           check_exact=True)


@pytest.mark.parametrize(("measure", "method"), SUMMARY_CASES)
def test_intervals_nest_and_weights_sum_to_100(trials, measure, method):
    res = meta_analysis(trials, measure=measure, method=method)
    assert res.pi_low <= res.ci_low <= res.estimate <= res.ci_high <= res.pi_high
    assert_allclose(res.studies["weight"].sum(), 100.0, rtol=1e-12)
    s = res.studies
    assert ((s["ci_low"] <= s["estimate"]) & (s["estimate"] <= s["ci_high"])).all()


def test_input_is_not_modified(trials):
    before = trials.copy()
    meta_analysis(trials, measure="OR", method="MH")
    assert_frame_equal(trials, before)


def test_column_names_are_keywords(trials):
    renamed = trials.rename(columns={"study": "trial", "events_treatment": "ips_jobs",
                                     "n_treatment": "ips_n", "events_control": "tau_jobs",
                                     "n_control": "tau_n"})
    res = meta_analysis(renamed, study="trial", events_treatment="ips_jobs", n_treatment="ips_n",
                        events_control="tau_jobs", n_control="tau_n")
    assert_frame_equal(res.summary(), meta_analysis(trials).summary(), check_exact=True)
    unlabelled = meta_analysis(trials.drop(columns="study"), study=None)
    assert unlabelled.studies["study"].tolist()[:2] == ["study 1", "study 2"]


def test_to_frame_has_study_rows_then_the_pooled_row(trials):
    res = meta_analysis(trials)
    f = res.to_frame()
    assert f["row"].tolist() == ["study"] * 7 + ["pooled"]
    pooled = f.iloc[-1]
    assert pooled["estimate"] == res.estimate and pooled["pi_high"] == res.pi_high
    assert pooled["n_treatment"] == trials["n_treatment"].sum()
    assert f["se"].iloc[:7].tolist() == np.sqrt(res.studies["variance"]).tolist()
    assert set(res.summary().columns) >= {"estimate", "ci_low", "ci_high", "pi_low", "pi_high",
                                          "se", "tau2", "i2", "q"}


def test_html_shows_the_pooled_result_and_escapes_names(trials):
    t = trials.assign(study=trials["study"].replace({"Trial A": "<b>A & co</b>"}))
    res = meta_analysis(t)
    page = res._repr_html_()
    assert f"{res.estimate:.3f}" in page and "&lt;b&gt;A &amp; co&lt;/b&gt;" in page
    assert "<b>A" not in page
    assert "REML" in page


# ------------------------------------------------------------------ bad input


def test_more_events_than_participants_names_the_study(trials):
    bad = trials.copy()
    bad.loc[1, "events_treatment"] = 120
    with pytest.raises(InputError, match=r"row 3, column `events_treatment`: study Trial B: "
                                         r"120 events among 102 participants in the treatment arm"):
        meta_analysis(bad)


def test_every_count_problem_is_listed(trials):
    bad = trials.copy().astype({"n_control": object})
    bad.loc[0, "n_control"] = "many"
    bad.loc[2, "events_control"] = -1
    with pytest.raises(InputError) as info:
        meta_analysis(bad, source="trials.csv")
    text = str(info.value)
    assert "trials.csv row 2, column `n_control`: many is not a number" in text
    assert "trials.csv row 4, column `events_control`: -1 is below 0" in text


def test_missing_column_is_reported(trials):
    with pytest.raises(InputError, match="column `n_control`: required column is missing"):
        meta_analysis(trials.drop(columns="n_control"))


def test_proportion_with_too_many_events(props):
    bad = props.assign(events=props["events"].where(props.index != 0, 61))
    with pytest.raises(InputError, match=r"study Arm A: 61 events among 60 participants \(allowed"):
        meta_analysis(bad, measure="PLO")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"measure": "HR"}, "measure 'HR' not recognised; choose from RR, OR, RD, PLO, PFT, PR, MD, SMD, GEN"),
    ({"method": "XX"}, "method 'XX' not recognised"),
    ({"measure": "PLO", "method": "MH"}, "MH.*is for measure RR, OR or RD"),
    ({"confidence": 95}, "confidence 95 must be between 0 and 1"),
    ({"correction": -0.5}, "correction -0.5 must be a number >= 0"),
])
def test_bad_options(trials, kwargs, message):
    with pytest.raises(ValueError, match=message):
        meta_analysis(trials, **kwargs)


def test_measures_are_metafor_codes():
    assert list(MEASURES) == ["RR", "OR", "RD", "PLO", "PFT", "PR", "MD", "SMD", "GEN"]

"""Survival estimates on R's survival data sets against survival 3.5-3 (tests/reference/survival_peers.R).

Kaplan-Meier quantiles with R's rule (issue 17 item 2), restricted mean survival time, Nelson-Aalen,
log-rank observed and expected counts (also stratified) and Cox models. Tolerances: 1e-10 for
closed forms (RMST, Nelson-Aalen, log-rank, quantiles are exact times); 1e-6 for Cox models,
which both sides fit iteratively (coxph stops at a relative change of 1e-9 in the log likelihood).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from ipsresearch import outcomes
from tests.reference import survival_peers_values as R

REF = Path(__file__).parent / "reference"
TOL = 1e-10
COX_TOL = 1e-6

# data set: (file, duration, event, group, R's factor levels of the group)
DATA = {
    "AML": ("aml", "time", "status", "x", ["Maintained", "Nonmaintained"]),
    "LUNG": ("lung", "time", "dead", "sex", ["1", "2"]),
    "VETERAN": ("veteran", "time", "status", "trt", ["1", "2"]),
    "OVARIAN": ("ovarian", "futime", "fustat", "rx", ["1", "2"]),
    "COLON": ("colon", "time", "status", "rx", ["Obs", "Lev", "Lev+5FU"]),
}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"survival_{name}.csv")


def _by_levels(frame: pd.DataFrame, col: str, levels: list[str]) -> pd.DataFrame:
    return frame.assign(**{col: frame[col].astype(str)}).set_index(col).loc[levels].reset_index()


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("which", ["ALL", "GROUPS"])
def test_kaplan_meier_quantiles_match_quantile_survfit(name, which):
    file, t, e, g, levels = DATA[name]
    ref = getattr(R, f"{name}_QUANTILES_{which}")
    km = outcomes.kaplan_meier(_read(file), duration=t, event=e, by=None if which == "ALL" else g,
                               quantiles=(0.25, 0.5, 0.75))
    q = km.quantiles
    if which == "GROUPS":
        q = q.assign(**{g: q[g].astype(str)})
        q = pd.concat([q[q[g] == lv] for lv in levels], ignore_index=True)
    for ours, theirs in (("time", "quantile"), ("ci_low", "lower"), ("ci_high", "upper")):
        got = q[ours].to_numpy(float)
        want = np.asarray(ref[theirs], dtype=float)
        # convention: an upper limit the band never reaches is inf here, NA in R
        never = np.isinf(got) & np.isnan(want)
        assert_allclose(got[~never], want[~never], atol=TOL, err_msg=ours)


def test_veteran_treatment_2_median_is_the_midpoint_of_the_exact_half():
    # issue 17 item 2: S(52) is 0.5 in exact arithmetic and 0.4999999999999999 in floating point
    d = _read("veteran")
    km = outcomes.kaplan_meier(d[d["trt"] == 2], duration="time", event="status", quantiles=(0.5,))
    curve = km.curve
    s52 = float(curve.loc[curve["time"] == 52, "survival"].iloc[0])
    assert s52 != 0.5 and abs(s52 - 0.5) < 1e-15
    assert km.quantiles["time"].iloc[0] == 52.5 == R.VETERAN_QUANTILES_GROUPS["quantile"][4]


@pytest.mark.parametrize("name", list(DATA))
def test_restricted_mean_matches_survfit_rmean(name):
    file, t, e, g, levels = DATA[name]
    ref = getattr(R, f"{name}_RMST")
    d = _read(file)
    r = _by_levels(outcomes.restricted_mean(d, horizon=ref["tau"], duration=t, event=e, by=g), g, levels)
    assert_allclose(r["rmst"], ref["rmean"], atol=TOL * 1000, rtol=1e-12)
    assert_allclose(r["std_err"], ref["se"], atol=TOL * 1000, rtol=1e-12)
    assert (r["ci_low"] < r["rmst"]).all() and (r["rmst"] < r["ci_high"]).all()
    diff = outcomes.rmst_difference(d, horizon=ref["tau"], duration=t, event=e, by=g,
                                    reference=levels[0])
    first = diff[diff["group"] == levels[1]].iloc[0]
    assert_allclose([first["difference"], first["std_err"]], [ref["diff"], ref["diff_se"]],
                    atol=1e-9, rtol=1e-12)
    assert_allclose(first["z"], first["difference"] / first["std_err"], rtol=1e-14)


@pytest.mark.parametrize("name", list(DATA))
def test_nelson_aalen_matches_survfit_ctype_1(name):
    file, t, e, *_ = DATA[name]
    ref = getattr(R, f"{name}_NELSON_AALEN")
    na = outcomes.nelson_aalen(_read(file), duration=t, event=e)
    events = np.asarray(ref["n_event"]) > 0  # survfit also lists censoring times
    assert_allclose(na["time"], np.asarray(ref["time"])[events], atol=0)
    assert_allclose(na["cumulative_hazard"], np.asarray(ref["cumhaz"])[events], atol=TOL)
    assert_allclose(na["std_err"], np.asarray(ref["std_chaz"])[events], atol=TOL)


@pytest.mark.parametrize("name", list(DATA))
def test_logrank_counts_match_survdiff(name):
    file, t, e, g, levels = DATA[name]
    ref = getattr(R, f"{name}_LOGRANK")
    r = outcomes.logrank_counts(_read(file), by=g, duration=t, event=e)
    r = _by_levels(r.rename(columns={"group": g}), g, levels)
    assert_allclose(r["observed"], ref["obs"], atol=0)
    assert_allclose(r["expected"], ref["exp"], atol=1e-9)
    assert_allclose(r["statistic"].iloc[0], ref["chisq"], atol=1e-9)
    assert_allclose(r["p_value"].iloc[0], ref["p"], atol=1e-10)
    assert_allclose(r["observed"].sum(), r["expected"].sum(), rtol=1e-12)  # O and E balance
    same = outcomes.logrank(_read(file), by=g, duration=t, event=e)
    assert_allclose(same["statistic"].iloc[0], r["statistic"].iloc[0], rtol=1e-14)


STRATA = {
    "VETERAN_TRT_BY_CELLTYPE": ("veteran", "trt", "celltype", "time", "status", None),
    "LUNG_SEX_BY_ECOG": ("lung", "sex", "ph.ecog", "time", "dead", "ph.ecog"),
    "COLON_RX_BY_SEX": ("colon", "rx", "sex", "time", "status", None),
}


@pytest.mark.parametrize("key", list(STRATA))
def test_stratified_logrank_matches_survdiff_strata(key):
    file, g, s, t, e, dropna = STRATA[key]
    d = _read(file)
    if dropna:
        d = d[d[dropna].notna()]
    ref = getattr(R, f"STRATIFIED_{key}")
    r = outcomes.logrank_counts(d, by=g, strata=s, duration=t, event=e)
    levels = [lv for lv in DATA[file.upper()][4]] if file == "colon" else sorted(r["group"])
    r = r.set_index("group").loc[levels]
    assert_allclose(r["observed"], ref["obs"], atol=0)
    assert_allclose(r["expected"], ref["exp"], atol=1e-9)
    assert_allclose(r["statistic"].iloc[0], ref["chisq"], atol=1e-9)
    assert_allclose(r["p_value"].iloc[0], ref["p"], atol=1e-10)
    assert (r["strata"] == s).all()


def _colon() -> pd.DataFrame:
    d = _read("colon")
    return d.assign(rx=pd.Categorical(d["rx"], ["Obs", "Lev", "Lev+5FU"]))  # R's level order


COX = {
    "AML_X": (lambda: _read("aml"), {"covariates": "x", "duration": "time", "event": "status"}),
    "VETERAN_TRT_KARNO_AGE": (lambda: _read("veteran"), {"covariates": ["trt", "karno", "age"],
                              "categorical": "trt", "duration": "time", "event": "status"}),
    "LUNG_SEX_AGE": (lambda: _read("lung"), {"covariates": ["sex", "age"], "duration": "time",
                                             "event": "dead"}),
    "OVARIAN_RX_AGE": (lambda: _read("ovarian"), {"covariates": ["rx", "age"], "duration": "futime",
                                                  "event": "fustat"}),
    "COLON_RX": (_colon, {"covariates": "rx", "duration": "time", "event": "status"}),
    "VETERAN_TRT_STRATA_CELLTYPE": (lambda: _read("veteran"), {
        "covariates": "trt", "categorical": "trt", "strata": "celltype", "duration": "time",
        "event": "status"}),
}


@pytest.mark.parametrize("ties", ["breslow", "efron"])
@pytest.mark.parametrize("key", list(COX))
def test_cox_regression_matches_coxph(key, ties):
    load, kwargs = COX[key]
    ref = getattr(R, f"COX_{key}_{ties.upper()}")
    fit = outcomes.cox_regression(load(), ties=ties, **kwargs)
    c = fit.to_frame()
    for ours, theirs in (("coef", "coef"), ("std_err", "se"), ("z", "z"), ("p_value", "p"),
                         ("hazard_ratio", "hr"), ("ci_low", "hr_lower"), ("ci_high", "hr_upper")):
        assert_allclose(c[ours], np.atleast_1d(ref[theirs]), atol=COX_TOL, err_msg=ours)
    assert_allclose(fit.loglik, ref["loglik"], atol=COX_TOL)
    assert (fit.n, fit.events) == (ref["n"], ref["nevent"])


def test_cox_and_rmst_fail_loudly():
    d = _read("aml")
    with pytest.raises(ValueError, match="ties 'exact' not recognised"):
        outcomes.cox_regression(d, covariates="x", duration="time", event="status", ties="exact")
    with pytest.raises(Exception, match="column `site`: column is missing"):
        outcomes.cox_regression(d, covariates="site", duration="time", event="status")
    blank = d.astype({"x": object})
    blank.loc[2, "x"] = None
    with pytest.raises(Exception, match="row 4, column `x`: blank covariate value"):
        outcomes.cox_regression(blank, covariates="x", duration="time", event="status")
    with pytest.raises(ValueError, match="collinear"):
        outcomes.cox_regression(d.assign(x2=d["time"] * 0 + 1.0, x3=2.0), covariates=["x2", "x3"],
                                duration="time", event="status")
    with pytest.raises(ValueError, match="horizon 200 lies beyond the longest observed time in group"):
        outcomes.restricted_mean(d, horizon=200, duration="time", event="status", by="x")
    with pytest.raises(ValueError, match="reference 'Other' is not a group of `x`"):
        outcomes.rmst_difference(d, horizon=40, duration="time", event="status", by="x",
                                 reference="Other")
    with pytest.raises(ValueError, match="horizon -1 must be a positive number"):
        outcomes.restricted_mean(d, horizon=-1, duration="time", event="status")

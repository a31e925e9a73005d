"""Size of a new trial, against base R (tests/reference/meta_power.R)."""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.power import NormalIndPower

from ipsresearch.synthesis import trial_size
from tests.reference import meta_power_values as R


@pytest.mark.parametrize("ref", [R.N_CONTROL_RATIO_1, R.N_CONTROL_RATIO_2], ids=["1:1", "2:1"])
def test_matches_root_of_the_power_function_in_r(ref):
    ratio = 1.0 if ref is R.N_CONTROL_RATIO_1 else 2.0
    t = trial_size(p_control=ref["p_control"], risk_ratio=ref["risk_ratio"], ratio=ratio)
    assert_allclose(t["n_control_exact"], ref["n_control"], rtol=1e-6)


def test_rounded_sizes_reach_the_power():
    t = trial_size(p_control=0.25, risk_ratio=[2.0, 1.5, 1.25, 0.5], ratio=1.5)
    assert (t["n_control"] >= t["n_control_exact"]).all()
    assert (t["n_total"] == t["n_control"] + t["n_treatment"]).all()
    for _, r in t.iterrows():
        achieved = NormalIndPower().power(r["effect_size"], nobs1=r["n_control"], alpha=0.05,
                                          ratio=1.5)
        assert achieved >= 0.8
    assert t["n_control"].iloc[0] < t["n_control"].iloc[1] < t["n_control"].iloc[2]


@pytest.mark.filterwarnings("ignore:trial_size\\(alpha=\\) is deprecated:DeprecationWarning")
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"p_control": 0.0, "risk_ratio": 2}, "p_control 0.0 must be between 0 and 1"),
    ({"p_control": 0.6, "risk_ratio": 2}, "treatment share of 1.2"),
    ({"p_control": 0.3, "risk_ratio": 1}, "must differ from 1"),
    ({"p_control": 0.3, "risk_ratio": 2, "power": 80}, "power 80 must be between 0 and 1"),
    ({"p_control": 0.3, "risk_ratio": 2, "alpha": 0}, "alpha 0 must be between 0 and 1"),
    ({"p_control": 0.3, "risk_ratio": 2, "ratio": 0}, "ratio 0 must be positive"),
    ({"p_control": 0.3, "risk_ratio": 2, "alternative": "larger"},
     "alternative 'larger' not recognised; choose from two-sided, greater, less"),
    ({"p_control": 0.3, "risk_ratio": 0.5, "alternative": "greater"},
     "risk_ratio 0.5 lies on the other side of 1 than alternative='greater'"),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        trial_size(**kwargs)


def test_one_sided_trials_are_smaller_and_match_statsmodels():
    two = trial_size(p_control=0.25, risk_ratio=[2.0, 0.5])
    greater = trial_size(p_control=0.25, risk_ratio=2.0, alternative="greater")
    less = trial_size(p_control=0.25, risk_ratio=0.5, alternative="less")
    assert greater["n_control_exact"].iloc[0] < two["n_control_exact"].iloc[0]
    assert less["n_control_exact"].iloc[0] < two["n_control_exact"].iloc[1]
    expected = NormalIndPower().solve_power(greater["effect_size"].iloc[0], alpha=0.05, power=0.8,
                                            alternative="larger")
    assert_allclose(greater["n_control_exact"].iloc[0], expected, rtol=1e-12)


def test_confidence_is_the_level_and_alpha_is_deprecated_for_a_release():
    new = trial_size(p_control=0.25, risk_ratio=2.0, confidence=0.9)
    with pytest.warns(DeprecationWarning, match=r"trial_size\(alpha=\) is deprecated.*confidence"):
        old = trial_size(p_control=0.25, risk_ratio=2.0, alpha=0.1)
    assert_allclose(old["n_control_exact"], new["n_control_exact"], rtol=1e-12)
    assert old["confidence"].iloc[0] == new["confidence"].iloc[0] == 0.9
    assert "alpha" not in new.columns
    expected = NormalIndPower().solve_power(new["effect_size"].iloc[0], alpha=0.1, power=0.8)
    assert_allclose(new["n_control_exact"].iloc[0], expected, rtol=1e-12)
    with pytest.raises(TypeError, match=r"^confidence '0\.95' is text, not a number"):
        trial_size(p_control=0.25, risk_ratio=2.0, confidence="0.95")

"""simulate_trials: seeded, schema-valid, and recovering its planted parameters."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from ipsresearch import schemas
from ipsresearch.synthesis import meta_analysis
from ipsresearch.synthetic import simulate_trials
from ipsresearch.validation import validate


def test_same_seed_same_table_and_generators_accepted():
    a = simulate_trials(27, seed=11)
    assert_frame_equal(a, simulate_trials(27, seed=11))
    assert not a.equals(simulate_trials(27, seed=12))
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    assert_frame_equal(simulate_trials(9, seed=g1), simulate_trials(9, seed=g2))


def test_table_follows_the_trial_arms_schema():
    t = simulate_trials(40, n_per_arm=(10, 500), p_control=(0.1, 0.3), seed=3)
    typed = validate(t, schemas.TRIAL_ARMS)
    assert typed.columns.tolist() == schemas.TRIAL_ARMS.names
    assert t["study"].iloc[0] == "Trial 01" and t["study"].is_unique
    assert t["n_treatment"].between(10, 500).all()
    assert (t["n_treatment"] == t["n_control"]).all()
    assert t["true_p_control"].between(0.1, 0.3).all()
    assert t["n_treatment"].nunique() > 20  # sizes vary


def test_fixed_size_and_rate():
    t = simulate_trials(5, n_per_arm=80, p_control=0.3, heterogeneity=0.0, risk_ratio=1.5, seed=1)
    assert t["n_treatment"].tolist() == [80] * 5
    np.testing.assert_allclose(t["true_risk_ratio"], 1.5, rtol=1e-12)
    np.testing.assert_allclose(t["true_p_control"], 0.3)


def test_random_effects_recover_the_planted_effect_and_heterogeneity():
    # many large trials: REML should find log(risk_ratio) and tau^2 = heterogeneity^2
    t = simulate_trials(1500, n_per_arm=1500, p_control=0.25, risk_ratio=2.0, heterogeneity=0.2,
                        seed=2024)
    res = meta_analysis(t, measure="RR", method="REML")
    assert abs(res.effect - np.log(2.0)) < 0.015  # se of the mean log RR is about 0.2 / sqrt(1500)
    assert abs(res.tau2 - 0.04) < 0.005
    control = meta_analysis(t, measure="PLO", events="events_control", n="n_control")
    assert abs(control.estimate - 0.25) < 0.005 and control.tau2 < 1e-3


def test_no_heterogeneity_gives_small_i2_on_average():
    i2 = [meta_analysis(simulate_trials(27, heterogeneity=0.0, seed=s)).i2 for s in range(30)]
    assert np.mean(i2) < 15  # I2 is truncated at 0, so its mean is a little above 0
    big = [meta_analysis(simulate_trials(27, heterogeneity=0.6, seed=s)).i2 for s in range(10)]
    assert min(big) > 50


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"k": 0}, "k 0 must be a whole number of trials >= 1"),
    ({"k": 2.5}, "k 2.5 must be a whole number"),
    ({"n_per_arm": (50, 20)}, r"n_per_arm \(50, 20\) must be a whole number .* low <= high"),
    ({"n_per_arm": 0}, r"n_per_arm 0 must be a whole number from 1 to 10\*\*7"),
    ({"n_per_arm": (1, 2, 3)}, r"n_per_arm \(1, 2, 3\) must be"),
    ({"p_control": 1.2}, "p_control 1.2 must be a number strictly between 0 and 1"),
    ({"p_control": "a"}, "p_control 'a' must be a number"),
    ({"risk_ratio": -1}, "risk_ratio -1 must be a positive number"),
    ({"p_control": 0.6, "risk_ratio": 2.0}, "reaches a job rate of 1 or more"),
    ({"heterogeneity": -0.1}, "heterogeneity -0.1 must be a number >= 0"),
])
def test_bad_settings(kwargs, message):
    args = {"k": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate_trials(args.pop("k"), **args)


def test_importing_synthetic_does_not_import_the_simulator():
    code = ("import sys, ipsresearch.synthetic as s; assert 'ipsresearch.synthetic.trials' not in "
            "sys.modules; s.simulate_trials; assert 'ipsresearch.synthetic.trials' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        import ipsresearch.synthetic as s

        s.nope  # noqa: B018


def test_simulated_counts_are_plain_integers():
    t = simulate_trials(3, seed=0)
    assert all(pd.api.types.is_integer_dtype(t[c]) for c in
               ("events_treatment", "n_treatment", "events_control", "n_control"))

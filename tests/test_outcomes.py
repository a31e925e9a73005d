"""Placement outcome and rate: reference values from R, definitions, invariants, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from ipsresearch import outcomes
from ipsresearch.studies import irish_pilot
from ipsresearch.validation import InputError
from tests.reference import proportions as ref


def _rate(events: int, n: int, **kw) -> pd.Series:
    d = pd.DataFrame({"y": [True] * events + [False] * (n - events)})
    return outcomes.placement_rate(d, outcome="y", **kw).iloc[0]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("exact", ref.EXACT_33_65),
        ("wilson", ref.WILSON_33_65),
        ("jeffreys", ref.JEFFREYS_33_65),
        ("agresti_coull", ref.AGRESTI_COULL_33_65),
    ],
)
def test_intervals_match_r(method, expected):
    r = _rate(33, 65, method=method)
    # 1e-10: both sides evaluate closed forms or beta quantiles in double precision
    assert_allclose([r["ci_low"], r["ci_high"]], expected, rtol=0, atol=1e-10)
    assert r["n"] == 65 and r["events"] == 33
    assert r["rate"] == pytest.approx(33 / 65, abs=1e-15)


def test_confidence_level_is_used():
    r = _rate(33, 65, method="exact", confidence=0.90)
    assert_allclose([r["ci_low"], r["ci_high"]], ref.EXACT_33_65_90, atol=1e-10)


@pytest.mark.parametrize(("method", "expected"), [("exact", ref.EXACT_0_12), ("wilson", ref.WILSON_0_12)])
def test_zero_events(method, expected):
    r = _rate(0, 12, method=method)
    assert_allclose([r["ci_low"], r["ci_high"]], expected, atol=1e-10)


def test_by_site_and_overall_rows():
    data = irish_pilot.load()
    rates = outcomes.placement_rate(data.employed, outcome="employed", by="site", overall=True)
    assert list(rates.columns[:3]) == ["site", "n", "events"]
    assert rates["site"].tolist()[-1] == "All"
    body = rates.iloc[:-1]
    assert body["n"].sum() == rates["n"].iloc[-1]
    assert body["events"].sum() == rates["events"].iloc[-1]
    assert (rates["ci_low"] <= rates["rate"]).all() and (rates["rate"] <= rates["ci_high"]).all()


def test_accepts_zero_one_outcome_and_does_not_mutate():
    d = pd.DataFrame({"y": [1, 0, 1, 1], "g": ["a", "a", "b", "b"]})
    before = d.copy()
    r = outcomes.placement_rate(d, outcome="y", by="g")
    pd.testing.assert_frame_equal(d, before)
    assert r["events"].tolist() == [1, 2]


def test_outcome_column_errors_name_row_and_value():
    d = pd.DataFrame({"y": [1, 0, 2, None]})
    with pytest.raises(InputError) as err:
        outcomes.placement_rate(d, outcome="y")
    msg = str(err.value)
    assert "data row 4, column `y`: 2 is not true or false" in msg
    assert "data row 5, column `y`: is blank" in msg


def test_missing_outcome_column():
    with pytest.raises(InputError, match=r"column `employed`: required column is missing"):
        outcomes.placement_rate(pd.DataFrame({"y": [1]}), outcome="employed")


def test_bad_method_and_confidence():
    d = pd.DataFrame({"y": [1, 0]})
    with pytest.raises(ValueError, match="method 'wald' not recognised; choose from wilson"):
        outcomes.placement_rate(d, outcome="y", method="wald")
    with pytest.raises(ValueError, match="confidence 95 must be between 0 and 1"):
        outcomes.placement_rate(d, outcome="y", confidence=95)


def test_definitions_differ_and_nest():
    data = irish_pilot.load()
    strict = outcomes.ever_employed(data.participants, data.spells)["employed"]
    paid_any = outcomes.ever_employed(data.participants, data.spells, job_type=None)["employed"]
    any_work = outcomes.ever_employed(data.participants, data.spells, job_type=None, paid=None)["employed"]
    # every paid competitive job is paid work, and all paid work is work
    assert (~strict | paid_any).all() and (~paid_any | any_work).all()
    # the shipped data make the definition matter
    assert strict.sum() < paid_any.sum() < any_work.sum()


def test_ever_employed_counts_only_spells_within_follow_up():
    people = pd.DataFrame({"participant_id": ["a"], "site": ["X"],
                           "enrolment_date": ["2015-01-01"], "follow_up_end": ["2015-12-31"]})
    jobs = pd.DataFrame({"spell_id": ["1"], "participant_id": ["a"], "start_date": ["2016-02-01"],
                         "end_date": [""], "job_type": ["competitive"], "paid": ["true"]})
    with pytest.raises(InputError, match="spell 1 starts 2016-02-01, after follow-up of participant a"):
        outcomes.ever_employed(people, jobs)


def test_ever_employed_unknown_job_type():
    data = irish_pilot.load()
    with pytest.raises(ValueError, match="job_type \\['paid_job'\\] not recognised"):
        outcomes.ever_employed(data.participants, data.spells, job_type="paid_job")


def test_rate_is_counted_from_records(data_copy):
    """Changing one record changes the recomputed count (the claim is not copied)."""
    spells_path = data_copy / "irish_pilot" / "job_spells.csv"
    spells = pd.read_csv(spells_path, dtype=str, keep_default_na=False)
    comp = spells[(spells["job_type"] == "competitive") & (spells["paid"] == "true")]
    only_one = comp["participant_id"].value_counts()
    person = only_one[only_one == 1].index[0]
    spells.loc[(spells["participant_id"] == person) & (spells["job_type"] == "competitive"), "paid"] = "false"
    spells.to_csv(spells_path, index=False)
    data = irish_pilot.load(data_copy)
    assert int(data.employed["employed"].sum()) == 32


def test_interval_contains_estimate_random():
    rng = np.random.default_rng(5)
    for _ in range(50):
        n = int(rng.integers(1, 200))
        k = int(rng.integers(0, n + 1))
        for m in outcomes.CI_METHODS:
            r = _rate(k, n, method=m)
            assert 0 <= r["ci_low"] <= r["rate"] <= r["ci_high"] <= 1

"""Time to first job, job tenure and retention: R reference values, invariants, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ipsresearch import outcomes
from ipsresearch.studies import irish_pilot
from ipsresearch.synthetic.cohort import (
    CohortDesign,
    share_retained_at,
    share_working_by,
    simulate_cohort,
)
from ipsresearch.validation import InputError
from tests.reference import survival_values as R

DATA = Path(__file__).parent / "reference" / "survival_data.csv"
TOL = 1e-8  # the bar; both sides are double-precision closed forms on the same counts


@pytest.fixture(scope="module")
def ref_data() -> pd.DataFrame:
    return pd.read_csv(DATA, dtype={"days": float, "ended": str, "site": str})


# ------------------------------------------------------------------ against R survival 3.5-3


@pytest.mark.parametrize(("transform", "key"), [("log-log", "LOGLOG"), ("log", "LOG"), ("plain", "PLAIN")])
def test_curve_matches_r(ref_data, transform, key):
    km = outcomes.kaplan_meier(ref_data, ci_transform=transform)
    c = km.curve
    assert_array_equal(c["time"], R.TIME)
    assert_array_equal(c["n_at_risk"], R.N_RISK)
    assert_array_equal(c["events"], R.N_EVENT)
    assert_allclose(c["survival"], R.SURV, rtol=0, atol=TOL)
    assert_allclose(c["std_err"], R.STD_ERR, rtol=0, atol=TOL)
    assert_allclose(c["ci_low"], getattr(R, f"LOWER_{key}"), rtol=0, atol=TOL)
    assert_allclose(c["ci_high"], getattr(R, f"UPPER_{key}"), rtol=0, atol=TOL)


@pytest.mark.parametrize(("transform", "key"), [("log-log", "LOGLOG"), ("log", "LOG"), ("plain", "PLAIN")])
def test_quantiles_match_r(ref_data, transform, key):
    q = outcomes.kaplan_meier(ref_data, ci_transform=transform, quantiles=(0.25, 0.5)).quantiles
    assert_array_equal(q["time"], getattr(R, f"QUANTILE_{key}"))
    assert_array_equal(q["ci_low"], getattr(R, f"QUANTILE_LOWER_{key}"))
    assert_array_equal(q["ci_high"], getattr(R, f"QUANTILE_UPPER_{key}"))


def test_horizons_match_r(ref_data):
    r = outcomes.retention(ref_data, horizons=R.HORIZONS)
    assert_array_equal(r["horizon"], R.HORIZONS)
    assert_array_equal(r["n_at_risk"], R.HORIZON_N_RISK)
    assert_allclose(r["survival"], R.HORIZON_SURV, rtol=0, atol=TOL)
    assert_allclose(r["ci_low"], R.HORIZON_LOWER, rtol=0, atol=TOL)
    assert_allclose(r["ci_high"], R.HORIZON_UPPER, rtol=0, atol=TOL)
    assert set(r["ci_transform"]) == {"log-log"} and set(r["confidence"]) == {0.95}
    assert list(r.columns[:5]) == ["horizon", "n", "events", "n_at_risk", "survival"]


def test_confidence_level_matches_r(ref_data):
    r = outcomes.retention(ref_data, horizons=(90, 365), confidence=0.9)
    assert_allclose(r["ci_low"], R.HORIZON_LOWER_90, rtol=0, atol=TOL)
    assert_allclose(r["ci_high"], R.HORIZON_UPPER_90, rtol=0, atol=TOL)


def test_by_site_matches_r(ref_data):
    r = outcomes.retention(ref_data, horizons=(90, 365), by="site")
    assert r["site"].tolist() == ["A", "A", "B", "B", "C", "C"]
    assert_allclose(r["survival"], R.SITE_HORIZON_SURV, rtol=0, atol=TOL)
    assert_allclose(r["ci_low"], R.SITE_HORIZON_LOWER, rtol=0, atol=TOL)
    assert_allclose(r["ci_high"], R.SITE_HORIZON_UPPER, rtol=0, atol=TOL)


def test_by_site_with_overall_row(ref_data):
    r = outcomes.retention(ref_data, horizons=(90,), by="site", overall=True)
    assert r["site"].tolist() == ["A", "B", "C", "All"]
    assert r["n"].tolist() == [16, 14, 12, 42]
    assert_allclose(r["survival"].iloc[-1], R.HORIZON_SURV[1], atol=TOL)


def test_logrank_matches_r(ref_data):
    r = outcomes.logrank(ref_data, by="site")
    assert r.loc[0, "n_groups"] == 3 and r.loc[0, "df"] == 2 and r.loc[0, "n"] == 42
    assert r.loc[0, "events"] == sum(R.N_EVENT)
    assert_allclose(r.loc[0, "statistic"], R.LOGRANK_CHISQ[0], rtol=0, atol=TOL)
    assert_allclose(r.loc[0, "p_value"], R.LOGRANK_P[0], rtol=0, atol=TOL)
    two = outcomes.logrank(ref_data[ref_data["site"] != "C"], by="site")
    assert_allclose(two.loc[0, "statistic"], R.LOGRANK_AB_CHISQ[0], rtol=0, atol=TOL)


def test_docstring_examples_are_r_values():
    ex = pd.DataFrame({"days": [30, 60, 60, 200, 400, 500],
                       "ended": [True, True, False, True, False, False]})
    r = outcomes.retention(ex, horizons=(365,), ci_transform="log").iloc[0]
    assert_allclose([r["survival"], r["ci_low"], r["ci_high"]], R.EXAMPLE_LOG_365, atol=TOL)
    lx = pd.DataFrame({"days": [5, 8, 12, 20, 3, 4, 6, 9], "ended": [1, 1, 0, 1, 1, 1, 1, 0],
                       "site": list("AAAABBBB")})
    assert_allclose(outcomes.logrank(lx, by="site")["statistic"], R.EXAMPLE_LOGRANK, atol=TOL)


def test_median_on_an_exact_half_is_the_midpoint_of_the_step_as_r():
    """S = 0.5 exactly on a step: R's quantile.survfit takes the midpoint of the step
    ((6 + 9) / 2 = 7.5 here; R 4.2.2 survival 3.5-3:
    quantile(survfit(Surv(c(5, 6, 6, 9), c(1, 1, 0, 1)) ~ 1), 0.5)$quantile is 7.5);
    statsmodels (SAS) would take the next event time, 9."""
    d = pd.DataFrame({"days": [5, 6, 6, 9], "ended": [1, 1, 0, 1]})
    q = outcomes.kaplan_meier(d, quantiles=(0.5,)).quantiles
    assert q["time"].iloc[0] == 7.5
    # flat at 0.5 to the end of follow-up: the midpoint to the last observed time, (6 + 10) / 2
    d = pd.DataFrame({"days": [5, 6, 8, 10], "ended": [1, 1, 0, 0]})
    assert outcomes.kaplan_meier(d, quantiles=(0.5,)).quantiles["time"].iloc[0] == 8.0


# ------------------------------------------------------------------ invariants


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.booleans()), min_size=1, max_size=60),
    st.sampled_from(outcomes.CI_TRANSFORMS),
    st.floats(0.5, 0.99),
)
def test_invariants(rows, transform, confidence):
    d = pd.DataFrame(rows, columns=["days", "ended"])
    km = outcomes.kaplan_meier(d, ci_transform=transform, confidence=confidence,
                               horizons=(0, 30, 90, 180, 365))
    c = km.curve
    assert np.all(np.diff(c["survival"]) <= 0)  # never increases
    for frame in (c, km.table.dropna(subset=["survival"])):
        assert np.all((frame["ci_low"] >= 0) & (frame["ci_high"] <= 1))
        assert np.all(frame["ci_low"] <= frame["survival"] + 1e-15)
        assert np.all(frame["survival"] <= frame["ci_high"] + 1e-15)
    t = km.table.dropna(subset=["survival"])
    assert np.all(np.diff(t["survival"]) <= 0)
    assert np.all(np.diff(t["n_at_risk"]) <= 0)
    q = km.quantiles.dropna(subset=["time", "ci_low"])  # no limits where the band is a point (S = 0)
    assert np.all(q["ci_low"] <= q["time"]) and np.all(q["time"] <= q["ci_high"])


def test_shuffling_rows_changes_nothing(ref_data):
    a = outcomes.kaplan_meier(ref_data, by="site")
    b = outcomes.kaplan_meier(ref_data.sample(frac=1.0, random_state=3), by="site")
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.curve, b.curve)


def test_input_is_not_mutated(ref_data):
    before = ref_data.copy()
    outcomes.kaplan_meier(ref_data, by="site", overall=True)
    outcomes.logrank(ref_data, by="site")
    pd.testing.assert_frame_equal(ref_data, before)


def test_all_censored_gives_survival_one_with_a_note():
    d = pd.DataFrame({"days": [10, 50, 200], "ended": [False, False, False]})
    km = outcomes.kaplan_meier(d, horizons=(30, 180))
    assert km.table["survival"].tolist() == [1.0, 1.0]
    assert km.table["ci_low"].tolist() == [1.0, 1.0] and km.table["ci_high"].tolist() == [1.0, 1.0]
    assert km.table["events"].tolist() == [0, 0]
    assert len(km.curve) == 0
    assert any("no events" in n and "all 3 times are censored" in n for n in km.notes)
    assert np.isnan(km.quantiles["time"]).all()


def test_one_row_works():
    ended = outcomes.kaplan_meier(pd.DataFrame({"days": [40], "ended": [True]}), horizons=(10, 40))
    assert ended.table["survival"].tolist() == [1.0, 0.0]
    assert ended.table["ci_low"].tolist() == [1.0, 0.0]  # degenerate intervals at S = 1 and S = 0
    censored = outcomes.retention(pd.DataFrame({"days": [40], "ended": [False]}), horizons=(10,))
    assert censored["survival"].tolist() == [1.0] and censored["n_at_risk"].tolist() == [1]


def test_horizon_beyond_follow_up_is_not_estimated():
    d = pd.DataFrame({"days": [10, 20, 30], "ended": [True, False, False]})
    km = outcomes.kaplan_meier(d, horizons=(30, 31))
    assert km.table["survival"].iloc[0] == pytest.approx(2 / 3)
    assert np.isnan(km.table["survival"].iloc[1]) and km.table["n_at_risk"].iloc[1] == 0
    assert any("horizon 31 lies beyond the longest observed time (30)" in n for n in km.notes)


def test_number_at_risk_table(ref_data):
    km = outcomes.kaplan_meier(ref_data, by="site")
    n = km.number_at_risk([0, 90, 365])
    assert n.columns.tolist() == ["site", "time", "n_at_risk"]
    for site, grp in ref_data.groupby("site"):
        got = n.loc[n["site"] == site, "n_at_risk"].tolist()
        assert got == [int((grp["days"] >= t).sum()) for t in (0, 90, 365)]


def test_overall_group_at_risk_and_subjects(ref_data):
    km = outcomes.kaplan_meier(ref_data, by="site", overall=True)
    assert km.overall and not outcomes.kaplan_meier(ref_data, by="site").overall
    n = km.number_at_risk([0, 90])
    assert n["site"].tolist() == ["A", "A", "B", "B", "C", "C", "All", "All"]
    assert n.loc[n["site"] == "All", "n_at_risk"].tolist() == [int((ref_data["days"] >= t).sum())
                                                               for t in (0, 90)]
    assert len(km.subjects(("All",))) == len(ref_data)
    assert km.subjects(("B",))["site"].unique().tolist() == ["B"]


# ------------------------------------------------------------------ errors


def test_bad_options():
    d = pd.DataFrame({"days": [1, 2], "ended": [True, False]})
    with pytest.raises(ValueError, match="ci_transform 'logit' not recognised; choose from log-log, log, plain"):
        outcomes.retention(d, ci_transform="logit")
    with pytest.raises(ValueError, match="confidence 95 must be between 0 and 1"):
        outcomes.retention(d, confidence=95)
    with pytest.raises(ValueError, match=r"horizons must be finite and >= 0"):
        outcomes.retention(d, horizons=(-1,))
    with pytest.raises(ValueError, match="logrank needs at least two groups in column `g`, found 1"):
        outcomes.logrank(d.assign(g="x"), by="g")


def test_bad_durations_name_row_and_value():
    d = pd.DataFrame({"days": [5, -2, None], "ended": ["yes", "no", "maybe"]})
    with pytest.raises(InputError) as err:
        outcomes.retention(d)
    msg = str(err.value)
    assert "data row 3, column `days`: -2 is below 0" in msg
    assert "data row 4, column `days`: is blank" in msg
    assert "data row 4, column `ended`: maybe is not true or false" in msg


def test_missing_duration_column():
    with pytest.raises(InputError, match=r"column `tenure`: required column is missing"):
        outcomes.retention(pd.DataFrame({"days": [1], "ended": [True]}), duration="tenure")


def _spells(**kw):
    base = {"spell_id": ["S1", "S2"], "start_date": ["2016-01-01", "2016-05-01"],
            "end_date": ["2016-03-01", ""]}
    base.update(kw)
    return pd.DataFrame(base)


def test_spell_ending_before_it_starts_is_rejected_by_name():
    jobs = _spells(end_date=["2015-12-01", ""])
    with pytest.raises(InputError, match=r"job_spells row 2, column `end_date`: spell S1 ends "
                                         r"2015-12-01, before it starts on 2016-01-01"):
        outcomes.spell_durations(jobs, follow_up_end="2017-12-31")
    pilot = irish_pilot.load()
    bad = pilot.spells.copy()
    i = bad.index[bad["end_date"].notna()][0]
    bad.loc[i, "end_date"] = bad.loc[i, "start_date"] - pd.Timedelta(days=3)
    with pytest.raises(InputError, match=rf"spell {bad.loc[i, 'spell_id']} ends .*, before it starts"):
        outcomes.job_tenure(pilot.participants, bad)


def test_spell_starting_after_follow_up_is_rejected_by_name():
    with pytest.raises(InputError, match=r"row 3, column `start_date`: spell S2 starts 2016-05-01, "
                                         r"after follow-up ended on 2016-04-30"):
        outcomes.spell_durations(_spells(), follow_up_end="2016-04-30")
    jobs = _spells(fu=["2017-01-01", "2016-04-01"])
    with pytest.raises(InputError, match=r"spell S2 starts 2016-05-01, after follow-up ended on 2016-04-01"):
        outcomes.spell_durations(jobs, follow_up_end="fu")
    with pytest.raises(ValueError, match="follow_up_end 'end' is neither a column of spells nor a date"):
        outcomes.spell_durations(_spells(), follow_up_end="end")


def test_spell_durations_counting_rules():
    jobs = pd.DataFrame({"spell_id": ["same_day", "ended", "running", "ends_after_fu"],
                         "start_date": ["2016-01-01", "2016-01-01", "2017-12-01", "2017-12-01"],
                         "end_date": ["2016-01-01", "2016-01-31", "", "2018-03-01"]})
    before = jobs.copy()
    out = outcomes.spell_durations(jobs, follow_up_end=dt.date(2017, 12, 31))
    assert out["days"].tolist() == [1, 31, 31, 31]
    assert out["ended"].tolist() == [True, True, False, False]
    pd.testing.assert_frame_equal(jobs, before)


# ------------------------------------------------------------------ cohort helpers


def _cohort():
    people = pd.DataFrame({"participant_id": ["a", "b", "c"], "site": ["X", "X", "Y"],
                           "enrolment_date": ["2016-01-01"] * 3,
                           "follow_up_end": ["2016-12-31", "2016-12-31", "2016-06-30"]})
    jobs = pd.DataFrame({
        "spell_id": ["1", "2", "3", "4", "5"],
        "participant_id": ["a", "a", "a", "b", "c"],
        "start_date": ["2016-02-01", "2016-02-15", "2016-06-01", "2016-03-01", "2016-01-10"],
        "end_date": ["2016-03-01", "2016-02-20", "", "2016-03-10", "2016-01-20"],
        "job_type": ["competitive", "competitive", "competitive", "volunteer", "competitive"],
        "paid": [True, True, True, False, True],
    })
    return people, jobs


def test_first_job_times_and_censoring():
    people, jobs = _cohort()
    t = outcomes.first_job_times(people, jobs)
    assert t["days"].tolist() == [31, 365, 9]
    assert t["found_job"].tolist() == [True, False, True]
    anywork = outcomes.first_job_times(people, jobs, job_type=None, paid=None)
    assert anywork["found_job"].tolist() == [True, True, True]


def test_time_to_first_job_share_working_is_one_minus_survival():
    pilot = irish_pilot.load()
    r = outcomes.time_to_first_job(pilot.participants, pilot.spells, by="site", overall=True,
                                   validated=True)
    t = r.table
    assert_allclose(t["share_working"], 1 - t["survival"])
    assert_allclose(t["share_working_ci_low"], 1 - t["ci_high"])
    assert (t["share_working_ci_low"] <= t["share_working"]).all()
    assert t["site"].iloc[-1] == "All" and t["n"].iloc[-1] == 65
    # by 2017-12-31 everyone was followed > 365 days, so 1 - S(365) is a plain share
    times = outcomes.first_job_times(pilot.participants, pilot.spells, validated=True)
    by_year = float(((times["days"] <= 365) & times["found_job"]).mean())
    all365 = t[(t["site"] == "All") & (t["horizon"] == 365)]["share_working"].iloc[0]
    assert all365 == pytest.approx(by_year, abs=1e-12)


def test_time_in_work_merges_overlaps_and_clips_to_follow_up():
    people, jobs = _cohort()
    w = outcomes.time_in_work(people, jobs)
    # a: Feb 1 - Mar 1 (30 days, job 2 inside it) + Jun 1 - Dec 31 (214 days)
    assert w["days_worked"].tolist() == [244.0, 0.0, 11.0]
    assert w["n_jobs"].tolist() == [3, 0, 1]
    assert w["follow_up_days"].tolist() == [366, 366, 182]
    assert_allclose(w["share_of_follow_up"], [244 / 366, 0, 11 / 182])
    assert w["days_after_first_job"].tolist() == [335.0, 0.0, 173.0]
    assert np.isnan(w["share_after_first_job"].iloc[1])


def test_in_work_at():
    people, jobs = _cohort()
    w = outcomes.in_work_at(people, jobs, days=200)  # c is followed only 181 days
    assert w["participant_id"].tolist() == ["a", "b"]
    assert w["in_work"].tolist() == [True, False]


def test_job_tenure_numbers_jobs_and_censors():
    people, jobs = _cohort()
    t = outcomes.job_tenure(people, jobs)
    assert t["spell_id"].tolist() == ["1", "2", "3", "5"]
    assert t["job_number"].tolist() == [1, 2, 3, 1]
    assert t["days"].tolist() == [30, 6, 214, 11]
    assert t["ended"].tolist() == [True, True, False, True]
    assert outcomes.job_tenure(people, jobs, first_only=True)["spell_id"].tolist() == ["1", "5"]


# ------------------------------------------------------------------ generator recovers its parameters

BIG = CohortDesign(
    n=100_000, sites=("A", "B", "C", "D"), enrol_start=dt.date(2015, 1, 1),
    enrol_end=dt.date(2017, 12, 31), follow_up_end=dt.date(2019, 12, 31),
    p_work=0.55, ttj_median_days=120, tenure_median_days=257, tenure_shape=0.8,
)


@pytest.fixture(scope="module")
def big():
    participants, spells = simulate_cohort(BIG, seed=5)
    return participants, spells


def test_generator_recovers_time_to_first_job(big):
    participants, spells = big
    r = outcomes.time_to_first_job(participants, spells, horizons=(30, 90, 180, 365, 730),
                                   validated=True)
    planted = share_working_by(BIG, r.table["horizon"].to_numpy())
    # KM standard errors here are < 0.0017; 0.008 is about 5 of them
    assert_allclose(r.table["share_working"], planted, atol=0.008)
    assert (r.table["share_working_ci_low"] <= planted + 0.003).all()
    # the 25th percentile of time to a first job among everyone: p_work * (1 - 0.5 ** (t / m)) = 0.25
    t25 = BIG.ttj_median_days * np.log2(1 / (1 - 0.25 / BIG.p_work))
    assert r.quantiles["time"].iloc[0] == pytest.approx(t25, abs=4)  # about 3 days of sampling error


def test_generator_recovers_job_retention(big):
    participants, spells = big
    jobs = outcomes.job_tenure(participants, spells, validated=True)
    assert 0.1 < 1 - jobs["ended"].mean() < 0.5  # enough censoring to matter
    r = outcomes.retention(jobs, horizons=(90, 180, 365, 730))
    planted = share_retained_at(BIG, r["horizon"].to_numpy())
    # about 70,000 jobs: KM standard errors < 0.0025; 0.01 is about 4 of them
    assert_allclose(r["survival"], planted, atol=0.01)
    assert planted[2] == pytest.approx(0.40, abs=0.005)  # the design plants 40 % at one year
    km = outcomes.kaplan_meier(jobs, quantiles=(0.5,))
    assert km.quantiles["time"].iloc[0] == pytest.approx(BIG.tenure_median_days, abs=8)


def test_a_curve_that_reached_zero_stays_zero_beyond_the_data():
    d = pd.DataFrame({"days": [10, 20, 30], "ended": [True, False, True]})
    km = outcomes.kaplan_meier(d, horizons=(30, 365))
    assert km.table["survival"].tolist() == [0.0, 0.0]
    assert km.notes == ()


def test_cohort_functions_do_not_mutate_their_inputs():
    pilot = irish_pilot.load()
    p0, s0 = pilot.participants.copy(), pilot.spells.copy()
    out = outcomes.ever_employed(pilot.participants, pilot.spells)
    out.loc[:, "site"] = "changed"  # writing to the result leaves the input alone
    outcomes.job_tenure(pilot.participants, pilot.spells)
    outcomes.time_in_work(pilot.participants, pilot.spells)
    outcomes.time_to_first_job(pilot.participants, pilot.spells, by="site")
    outcomes.spell_timeline(pilot.participants, pilot.spells)
    pd.testing.assert_frame_equal(pilot.participants, p0)
    pd.testing.assert_frame_equal(pilot.spells, s0)

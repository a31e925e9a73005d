"""Property-based tests (hypothesis): invariants that must hold for every input, not only the examples.

* every interval method of ``outcomes.placement_rate`` contains its estimate and stays in [0, 1];
* Kaplan-Meier survival never increases, stays in [0, 1] and inside its interval;
* IPS-25 totals stay in 25..125 and the band is the one whose cut-offs hold the total;
* a pooled meta-analysis does not depend on the order of the studies;
* validation never mutates its input, and a valid table survives any CSV dialect Excel writes.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from ipsresearch import fidelity, outcomes, schemas, synthesis
from ipsresearch.validation import InputError, UnknownColumnWarning, read_csv, source_rows, validate

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
confidences = st.floats(min_value=0.5, max_value=0.999, allow_nan=False)


# ---------------------------------------------------------------- proportions


@SETTINGS
@given(data=st.data(), method=st.sampled_from(sorted(outcomes.CI_METHODS)), confidence=confidences)
def test_placement_rate_interval_contains_estimate_and_stays_in_unit_interval(data, method, confidence):
    n = data.draw(st.integers(min_value=1, max_value=400), label="n")
    events = data.draw(st.integers(min_value=0, max_value=n), label="events")
    groups = data.draw(st.integers(min_value=1, max_value=3), label="groups")
    frame = pd.DataFrame({"placed": np.arange(n) < events, "site": [f"s{i % groups}" for i in range(n)]})
    rates = outcomes.placement_rate(frame, outcome="placed", by="site", overall=True,
                                    method=method, confidence=confidence)
    assert rates["n"].sum() == 2 * n and rates["events"].iloc[-1] == events
    rate, low, high = (rates[c].to_numpy() for c in ("rate", "ci_low", "ci_high"))
    np.testing.assert_allclose(rate, rates["events"] / rates["n"])
    assert np.all((0.0 <= low) & (low <= rate) & (rate <= high) & (high <= 1.0)), rates


# ---------------------------------------------------------------- survival


@SETTINGS
@given(times=st.lists(st.tuples(st.integers(min_value=0, max_value=1000), st.booleans()),
                      min_size=1, max_size=60),
       confidence=confidences, transform=st.sampled_from(outcomes.CI_TRANSFORMS))
def test_survival_never_increases_and_stays_inside_its_interval(times, confidence, transform):
    frame = pd.DataFrame(times, columns=["days", "ended"])
    result = outcomes.kaplan_meier(frame, horizons=(0, 30, 365, 2000), confidence=confidence,
                                   ci_transform=transform)
    s = result.curve["survival"].to_numpy()
    assert np.all(np.diff(s) <= 1e-12), s
    assert np.all((0.0 <= s) & (s <= 1.0))
    curve = result.curve.dropna(subset=["ci_low", "ci_high"])
    tol = 1e-12
    assert np.all(curve["ci_low"] <= curve["survival"] + tol) and np.all(curve["survival"] <= curve["ci_high"] + tol)
    assert np.all((curve["ci_low"] >= -tol) & (curve["ci_high"] <= 1 + tol))
    at = result.table["survival"].dropna().to_numpy()
    assert np.all(np.diff(at) <= 1e-12)
    if not frame["ended"].any():
        assert np.all(at == 1.0)


# ---------------------------------------------------------------- fidelity


ratings_st = st.fixed_dictionaries({code: st.integers(min_value=1, max_value=5) for code in fidelity.ITEM_CODES})


@SETTINGS
@given(reviews=st.lists(ratings_st, min_size=1, max_size=5),
       bands=st.sampled_from([fidelity.IPS25_BANDS, fidelity.MOEN2021_BANDS]))
def test_fidelity_total_in_range_with_the_band_its_cutoffs_give(reviews, bands):
    long = pd.concat([fidelity.single_review(r, review_id=f"r{i}") for i, r in enumerate(reviews)],
                     ignore_index=True)
    scores = fidelity.score(long, bands=bands)
    totals = scores["total"].to_numpy()
    assert totals.tolist() == [sum(r.values()) for r in reviews]
    assert np.all((25 <= totals) & (totals <= 125))
    assert (scores[["staffing", "organization", "services"]].sum(axis=1) == scores["total"]).all()
    for total, band in zip(totals, scores["band"], strict=True):
        holding = bands[(bands["low"] <= total) & (total <= bands["high"])]["band"].tolist()
        assert holding == ([] if band is None else [band]), (total, band)


# ---------------------------------------------------------------- meta-analysis


@st.composite
def trial_tables(draw):
    k = draw(st.integers(min_value=2, max_value=8))
    rows = []
    for i in range(k):
        n1, n2 = draw(st.integers(5, 300)), draw(st.integers(5, 300))
        rows.append({"study": f"trial {i}", "events_treatment": draw(st.integers(1, n1 - 1)),
                     "n_treatment": n1, "events_control": draw(st.integers(1, n2 - 1)),
                     "n_control": n2})
    return pd.DataFrame(rows)


@SETTINGS
@given(trials=trial_tables(), data=st.data(),
       measure=st.sampled_from(["RR", "OR", "RD"]), method=st.sampled_from(["REML", "DL", "FE", "PM"]))
def test_pooled_estimate_does_not_depend_on_study_order(trials, data, measure, method):
    order = data.draw(st.permutations(range(len(trials))), label="order")
    assume(list(order) != list(range(len(trials))))
    a = synthesis.meta_analysis(trials, measure=measure, method=method)
    b = synthesis.meta_analysis(trials.iloc[list(order)].reset_index(drop=True), measure=measure, method=method)
    for field in ("estimate", "ci_low", "ci_high", "tau2", "i2", "q"):
        np.testing.assert_allclose(getattr(b, field), getattr(a, field), rtol=1e-10, atol=1e-14, err_msg=field)
    per_study_a = a.studies.set_index("study").sort_index()
    per_study_b = b.studies.set_index("study").sort_index()
    np.testing.assert_allclose(per_study_b["weight"], per_study_a["weight"], rtol=1e-10)


# ---------------------------------------------------------------- validation


cells = st.one_of(st.none(), st.just(""), st.text(max_size=12), st.integers(-5, 3000),
                  st.floats(allow_nan=True, allow_infinity=True),
                  st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
                  st.sampled_from(["2017-02-30", "2016-02-29", "31/12/2016", " Site A ", "true"]))


@SETTINGS
@given(rows=st.lists(st.tuples(cells, cells, cells, cells, cells), min_size=1, max_size=8),
       names=st.permutations(["participant_id", "site", "enrolment_date", "follow_up_end", "notes"]))
def test_validation_never_mutates_its_input(rows, names):
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    before = frame.copy(deep=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownColumnWarning)
        try:
            validate(frame, schemas.PARTICIPANTS)
        except InputError as exc:
            assert exc.problems, "an InputError must list at least one problem"
    assert_frame_equal(frame, before)


site_names = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters='\n,"'),
                     min_size=1, max_size=20).filter(
    lambda s: s.strip() == s and s != "")


@SETTINGS
@given(sites=st.lists(site_names, min_size=1, max_size=10), data=st.data(),
       newline=st.sampled_from(["\n", "\r\n"]), bom=st.booleans(), blank_rows=st.booleans(),
       quote_all=st.booleans())
def test_a_valid_table_survives_every_csv_dialect(tmp_path_factory, sites, data, newline, bom,
                                                  blank_rows, quote_all):
    n = len(sites)
    frame = pd.DataFrame({"participant_id": [f"P{i}" for i in range(n)], "site": sites,
                          "enrolment_date": ["2015-01-31"] * n, "follow_up_end": ["2017-12-31"] * n})
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(frame.columns)
    for i, row in enumerate(frame.itertuples(index=False)):
        writer.writerow(row)
        if blank_rows and i % 2 == 0:
            buf.write(newline)
    if blank_rows:
        buf.write(",,," + newline)
    path = tmp_path_factory.mktemp("dialect") / "participants.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    loaded = read_csv(path, schemas.PARTICIPANTS)
    assert loaded["site"].tolist() == [s.strip() for s in sites]
    assert loaded["participant_id"].tolist() == frame["participant_id"].tolist()
    blanks_before = [(i + 1) // 2 if blank_rows else 0 for i in range(n)]  # one after every even record
    assert source_rows(loaded).tolist() == [2 + i + b for i, b in enumerate(blanks_before)]


@pytest.mark.parametrize("method", sorted(outcomes.CI_METHODS))
def test_interval_edges_zero_and_all_events(method):
    """The boundary cases hypothesis may miss: 0 of n and n of n, for small and large n."""
    for n in (1, 2, 65, 10_000):
        for events in (0, n):
            frame = pd.DataFrame({"placed": np.arange(n) < events})
            r = outcomes.placement_rate(frame, outcome="placed", method=method).iloc[0]
            assert 0.0 <= r["ci_low"] <= r["rate"] <= r["ci_high"] <= 1.0

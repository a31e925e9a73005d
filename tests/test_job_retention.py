"""Staying in work (source 001's cited figure), benchmarks, spell timelines and notebook 05 (figures: tests/figures)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from ipsresearch import datasets, outcomes
from ipsresearch.report.build import build
from ipsresearch.studies import irish_pilot, job_retention, verify
from ipsresearch.validation import InputError


@pytest.fixture(scope="module")
def pilot():
    return irish_pilot.load()


def test_the_cited_figure_is_shown_with_its_source_and_not_checked():
    [r] = verify(sets=["job_retention"])
    assert r.id == "job_retention.stay_in_work" and r.basis == "cited" and r.status == "unchecked"
    assert r.published == 40 and r.printed == "about 40 per cent" and r.computed is None
    assert r.source == "001_8f0d05ae2c2ca9ec.txt" and r.line == 31 and 196 in r.lines
    assert "Reme" in r.reference and r.unit == "percent" and r.report == "05-job-retention"
    assert "not checked" in r.note and "365 days" in r.note


def test_the_cited_figure_does_not_follow_the_synthetic_job_spells(data_copy):
    """Shortening every first job to 30 days changes stay_in_work, not the cited claim."""
    path = data_copy / "irish_pilot" / "job_spells.csv"
    spells = pd.read_csv(path, dtype=str, keep_default_na=False)
    start = pd.to_datetime(spells["start_date"])
    spells["end_date"] = (start + pd.Timedelta(days=29)).dt.strftime("%Y-%m-%d")
    spells.to_csv(path, index=False)
    [r] = verify(sets=["job_retention"], data_dir=data_copy)
    assert r.computed is None and r.status == "unchecked"
    pilot = irish_pilot.load(data_copy)
    share = job_retention.stay_in_work(pilot.participants, pilot.spells, validated=True)
    assert share["survival"].iloc[0] == 0.0


def test_stay_in_work_is_km_of_first_jobs(pilot):
    r = job_retention.stay_in_work(pilot.participants, pilot.spells, validated=True)
    first = outcomes.job_tenure(pilot.participants, pilot.spells, first_only=True, validated=True)
    assert len(first) == r["n"].iloc[0] == 33
    # without censoring before day 365 this would be a plain share; check the KM by hand-free route
    direct = outcomes.kaplan_meier(first, horizons=(365,)).table["survival"].iloc[0]
    assert r["survival"].iloc[0] == direct
    naive = float((first["days"] > 365).mean())  # counts censored short jobs as failures
    assert naive < direct


def test_benchmarks_have_sources_and_load_by_name():
    b = datasets.load("employment_benchmarks")
    assert b["benchmark_id"].is_unique and len(b) >= 5
    assert b["source"].str.len().min() > 20
    assert b["locator"].str.match(r"^(doi:10\.\d{4,}/\S+|\d{3}_[0-9a-f]{16}\.txt)$").all()
    seed_rows = b[b["locator"].str.endswith(".txt")]
    assert seed_rows["source_line"].notna().all()


def test_benchmark_lines_exist_in_the_seeds(sources):
    b = datasets.load("employment_benchmarks")
    for row in b[b["locator"].str.endswith(".txt")].itertuples():
        line = (sources / row.locator).read_text(encoding="utf-8").splitlines()[int(row.source_line) - 1]
        assert f"{row.value:g} per cent" in line


def test_benchmark_comparison_counts_the_programme(pilot):
    t = job_retention.benchmark_comparison(pilot.participants, pilot.spells, validated=True)
    got = dict(zip(t.loc[t["arm"] == "IPS", "measure"], t.loc[t["arm"] == "IPS", "programme"], strict=True))
    assert got["ever_employed"] == pytest.approx(100 * 33 / 65)
    at12 = outcomes.in_work_at(pilot.participants, pilot.spells, days=365, validated=True)
    assert got["in_work_at_12_months"] == pytest.approx(100 * at12["in_work"].mean())
    assert t.loc[t["arm"] == "control", "programme"].isna().all()
    assert t.loc[t["arm"] == "control", "programme_n"].isna().all()


def test_benchmark_table_is_validated():
    bad = datasets.load("employment_benchmarks").assign(measure="retention_forever")
    pilot = irish_pilot.load()
    with pytest.raises(InputError, match=r"benchmarks row 2, column `measure`: retention_forever is not a recognised value"):
        job_retention.benchmark_comparison(pilot.participants, pilot.spells, benchmarks=bad)


# ------------------------------------------------------------------ spell timelines


def test_timeline_days_are_relative_to_enrolment(pilot):
    tl = outcomes.spell_timeline(pilot.participants, pilot.spells, validated=True)
    spells = tl.dropna(subset=["start_day"])
    assert (spells["start_day"] >= 0).all()
    assert (spells["end_day"] <= spells["follow_up_days"]).all()
    assert (spells["end_day"] >= spells["start_day"]).all()
    comp = spells[spells["competitive"]]
    firsts = comp.groupby("participant_id")["start_day"].min()
    lanes = tl.drop_duplicates("participant_id").set_index("participant_id")["first_job_day"]
    assert_allclose(firsts.to_numpy(), lanes.reindex(firsts.index).to_numpy())
    # lanes are sorted by site, then by the day of the first job (never: last)
    order = tl.drop_duplicates("participant_id")
    assert order["site"].is_monotonic_increasing
    for _, lane in order.groupby("site"):
        assert lane["first_job_day"].fillna(np.inf).is_monotonic_increasing


@pytest.mark.slow
def test_notebook_05_renders_the_claim_and_figures(tmp_path):
    results = build(only=["05"], out_dir=tmp_path, log=lambda *_: None)
    assert [r.status for r in results] == ["built"], results[0].error[-2000:]
    page = (tmp_path / "05-job-retention.html").read_text(encoding="utf-8")
    assert "job_retention.stay_in_work" in page and "40.8" in page
    assert page.count("<img") >= 3 or page.count("image/png") >= 3
    assert "Traceback" not in page and "Warning" not in page

"""Synthetic data: byte-reproducible, described by datapackage.json, recovering planted parameters."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ipsresearch import synthetic
from ipsresearch.paths import DATA_SYNTHETIC
from ipsresearch.synthetic.cohort import (
    CohortDesign,
    share_retained_at,
    share_working_by,
    simulate_cohort,
)
from ipsresearch.synthetic.irish_pilot import pilot_cohort


def test_shipped_files_are_byte_identical_to_a_fresh_generation():
    report = synthetic.check_all()
    assert [r for r in report if r[1] != "same"] == []


def test_datapackage_hashes_and_schemas_match_files():
    pkg = json.loads((DATA_SYNTHETIC / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["profile"] == "tabular-data-package"
    for res in pkg["resources"]:
        data = (DATA_SYNTHETIC / res["path"]).read_bytes()
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert res["bytes"] == len(data)
        header = data.decode("utf-8").splitlines()[0].split(",")
        assert header == [f["name"] for f in res["schema"]["fields"]]
        assert res["ipsresearch"]["seed"] is not None and res["ipsresearch"]["generator"]


def test_generation_does_not_depend_on_hash_seed_cwd_or_locale(tmp_path):
    """`ipsresearch data` itself, run twice under different hash seeds, working directories,
    locales and time zones, writes byte-identical trees, identical to the shipped data."""
    trees = []
    settings = (("0", tmp_path, "C", "UTC"),
                ("12345", "/", "C.UTF-8", "Pacific/Auckland"),
                ("random", DATA_SYNTHETIC, "de_DE.UTF-8", "America/St_Johns"))  # locale not installed
    for i, (seed, cwd, lang, tz) in enumerate(settings):
        out = tmp_path / f"run{i}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": lang, "LANG": lang, "TZ": tz}
        subprocess.run([sys.executable, "-m", "ipsresearch.cli", "data", "--out", str(out)],
                       cwd=cwd, env=env, check=True, capture_output=True, text=True)
        trees.append({str(f.relative_to(out)): f.read_bytes() for f in sorted(out.rglob("*"))
                      if f.is_file()})
    assert trees[0] == trees[1] == trees[2]
    shipped = {str(f.relative_to(DATA_SYNTHETIC)): f.read_bytes()
               for f in sorted(DATA_SYNTHETIC.rglob("*")) if f.is_file()}
    assert trees[0] == shipped


def test_write_all_touches_nothing_when_unchanged(tmp_path):
    first = synthetic.write_all(tmp_path)
    assert {s for _, s in first} == {"written"}
    mtimes = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.csv")}
    second = synthetic.write_all(tmp_path)
    assert {s for _, s in second} == {"unchanged"}
    assert mtimes == {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.csv")}


def test_check_reports_a_changed_byte(tmp_path):
    synthetic.write_all(tmp_path)
    target = tmp_path / "irish_pilot" / "participants.csv"
    target.write_bytes(target.read_bytes().replace(b"Site A", b"Site Z", 1))
    report = dict(synthetic.check_all(tmp_path))
    assert report["irish_pilot/participants.csv"] == "differs"
    assert report["irish_pilot/job_spells.csv"] == "same"


def test_pilot_constraint_holds_for_other_seeds():
    for seed in (1, 2, 3):
        participants, spells = pilot_cohort(seed=seed)
        comp = spells[(spells["job_type"] == "competitive") & spells["paid"]]
        assert comp["participant_id"].nunique() == 33
        assert len(participants) == 65
        assert participants["site"].value_counts().sort_index().tolist() == [18, 17, 16, 14]


BIG = CohortDesign(
    n=100_000, sites=("A", "B", "C"), enrol_start=dt.date(2015, 1, 1),
    enrol_end=dt.date(2015, 1, 1), follow_up_end=dt.date(2025, 1, 1),
    p_work=0.6, ttj_median_days=100, tenure_median_days=200, tenure_shape=0.8,
)


@pytest.fixture(scope="module")
def big_cohort():
    return simulate_cohort(BIG, seed=2024)


def test_generator_recovers_time_to_first_job(big_cohort):
    participants, spells = big_cohort
    comp = spells[(spells["job_type"] == "competitive") & spells["paid"]]
    first = comp.groupby("participant_id")["start_date"].min()
    days = (first - participants.set_index("participant_id")["enrolment_date"].reindex(first.index)).dt.days
    for t in (30, 100, 365):
        observed = (days <= t).sum() / len(participants)
        # binomial SE at n = 1e5 is < 0.0016; 0.006 is about 4 SE
        assert observed == pytest.approx(float(share_working_by(BIG, t)), abs=0.006)


def test_generator_recovers_job_tenure(big_cohort):
    _, spells = big_cohort
    comp = spells[spells["job_type"] == "competitive"]
    first_jobs = comp.drop_duplicates("participant_id")  # no censoring before day 3000 here
    dur = (first_jobs["end_date"] - first_jobs["start_date"]).dt.days + 1
    for t in (90, 200, 365):
        observed = float((dur.fillna(10**6) > t).mean())
        assert observed == pytest.approx(float(share_retained_at(BIG, t)), abs=0.008)


def test_site_weights_and_sizes():
    d = CohortDesign(n=10, sites=("A", "B"), site_sizes=(7, 3), enrol_start=dt.date(2015, 1, 1),
                     enrol_end=dt.date(2015, 2, 1), follow_up_end=dt.date(2016, 1, 1))
    p, _ = simulate_cohort(d, seed=0)
    assert p["site"].value_counts().to_dict() == {"A": 7, "B": 3}
    with pytest.raises(ValueError, match="site_sizes sum to 10, not n=11"):
        CohortDesign(n=11, sites=("A", "B"), site_sizes=(7, 3), enrol_start=dt.date(2015, 1, 1),
                     enrol_end=dt.date(2015, 2, 1), follow_up_end=dt.date(2016, 1, 1))


def test_same_seed_same_records_different_seed_different_records():
    a = simulate_cohort(BIG.__class__(**{**BIG.__dict__, "n": 500}), seed=7)
    b = simulate_cohort(BIG.__class__(**{**BIG.__dict__, "n": 500}), seed=7)
    c = simulate_cohort(BIG.__class__(**{**BIG.__dict__, "n": 500}), seed=8)
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[1]["start_date"].equals(c[1]["start_date"])
    assert np.all(a[1]["end_date"].isna() | (a[1]["end_date"] >= a[1]["start_date"]))

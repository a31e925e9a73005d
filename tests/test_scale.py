"""Scale: generator at any size, Parquet and CSV, and analyses that agree with the small-data path."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.duration.survfunc import SurvfuncRight

from ipsresearch import fidelity, outcomes, schemas
from ipsresearch.cli import main
from ipsresearch.synthetic import scale
from ipsresearch.synthetic.cohort import share_retained_at, share_working_by
from ipsresearch.validation import read_csv, row_positions

N = 100_000  # 200 sites: big enough for many groups, small enough for a unit test


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale")
    files = scale.write(scale.generate(N, seed=11), out)
    return out, files


@pytest.fixture(scope="module")
def data(written):
    return scale.load(written[0])


def test_sizes_ids_and_files(written, data):
    out, files = written
    assert sorted(f.name for f in files) == sorted(
        [f"{t}.{x}" for t in scale.TABLES for x in ("parquet", "csv")] + ["datapackage.json"])
    p, s = data.participants, data.job_spells
    assert len(p) == N and p["site"].nunique() == N // scale.PARTICIPANTS_PER_SITE
    assert p["participant_id"].iloc[0] == "P000001" and p["participant_id"].is_unique
    assert s["spell_id"].is_unique and len(s) > 0.8 * N
    assert len(data.fidelity_reviews) == 2 * p["site"].nunique()
    assert len(data.fidelity_ratings) == 25 * len(data.fidelity_reviews)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["ipsresearch"]["seed"] for r in package["resources"]} == {11}
    assert {r["rows"] for r in package["resources"] if r["name"].startswith("participants")} == {N}
    assert not list(out.glob(".*.tmp"))


def test_same_seed_same_tables_other_seed_differs():
    a, b, c = scale.generate(3_000, seed=5), scale.generate(3_000, seed=5), scale.generate(3_000, seed=6)
    for name in scale.TABLES:
        assert getattr(a, name).equals(getattr(b, name))
    assert not a.job_spells.equals(c.job_spells)


def test_csv_and_parquet_hold_the_same_records(written, data):
    out, _ = written
    for name in ("participants", "job_spells"):
        from_csv = read_csv(out / f"{name}.csv", scale.TABLES[name])
        pd.testing.assert_frame_equal(from_csv, getattr(data, name), check_dtype=False)
    ratings = read_csv(out / "fidelity_ratings.csv", schemas.FIDELITY_RATINGS)
    assert ratings["rating"].between(1, 5).all() and len(ratings) == len(data.fidelity_ratings)


def test_generator_recovers_its_planted_parameters(data):
    d = scale.design(N)
    p, s = data.participants, data.job_spells
    first = outcomes.time_to_first_job(p, s, horizons=(90, 365), validated=True).table
    # 100,000 people: KM standard errors about 0.0017; 0.007 is 4 of them
    assert_allclose(first["share_working"], share_working_by(d, first["horizon"].to_numpy()), atol=0.007)
    jobs = outcomes.job_tenure(p, s, validated=True)
    r = outcomes.retention(jobs, horizons=(180, 365))
    assert_allclose(r["survival"], share_retained_at(d, r["horizon"].to_numpy()), atol=0.01)


# ------------------------------------------------------------------ scale agrees with small data


@pytest.fixture(scope="module")
def some_sites(data):
    rng = np.random.default_rng(0)
    return sorted(rng.choice(data.participants["site"].unique(), size=5, replace=False).tolist())


def _subset(data, sites):
    p = data.participants[data.participants["site"].isin(sites)].reset_index(drop=True)
    s = data.job_spells[data.job_spells["participant_id"].isin(p["participant_id"])]
    return p, s.reset_index(drop=True)


def test_placement_by_site_agrees_with_a_direct_count(data, some_sites):
    p, s = data.participants, data.job_spells
    rates = outcomes.placement_rate(outcomes.ever_employed(p, s, validated=True),
                                    outcome="employed", by="site").set_index("site")
    sp, ss = _subset(data, some_sites)
    comp = ss[(ss["job_type"] == "competitive") & ss["paid"]]
    direct = sp.assign(employed=sp["participant_id"].isin(set(comp["participant_id"])))
    direct = direct.groupby("site")["employed"].agg(["size", "sum"])
    for site in some_sites:
        assert rates.loc[site, "n"] == direct.loc[site, "size"]
        assert rates.loc[site, "events"] == direct.loc[site, "sum"]


def test_time_to_first_job_by_site_agrees_with_statsmodels_on_each_site(data, some_sites):
    p, s = data.participants, data.job_spells
    big = outcomes.time_to_first_job(p, s, by="site", horizons=(90, 365), validated=True)
    small_p, small_s = _subset(data, some_sites)
    small = outcomes.time_to_first_job(small_p, small_s, by="site", horizons=(90, 365))
    rows = big.table[big.table["site"].isin(some_sites)].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, small.table)  # same function, whole country vs five sites
    comp = small_s[(small_s["job_type"] == "competitive") & small_s["paid"]]
    first = comp.groupby("participant_id")["start_date"].min()
    for site in some_sites:
        people = small_p[small_p["site"] == site].set_index("participant_id")
        start = first.reindex(people.index)
        found = start.notna().to_numpy()
        days = np.where(found, (start - people["enrolment_date"]).dt.days,
                        (people["follow_up_end"] - people["enrolment_date"]).dt.days)
        sf = SurvfuncRight(days.astype(float), found.astype(float))
        for h in (90, 365):
            direct = sf.surv_prob[np.searchsorted(sf.surv_times, h, side="right") - 1]
            got = rows[(rows["site"] == site) & (rows["horizon"] == h)]["survival"].iloc[0]
            assert got == pytest.approx(direct, abs=1e-12)


def test_retention_by_site_agrees_with_the_small_path(data, some_sites):
    p, s = data.participants, data.job_spells
    big = outcomes.kaplan_meier(outcomes.job_tenure(p, s, validated=True), by="site",
                                quantiles=(0.5,))
    small_p, small_s = _subset(data, some_sites)
    small = outcomes.kaplan_meier(outcomes.job_tenure(small_p, small_s), by="site", quantiles=(0.5,))
    for part in ("table", "curve", "quantiles"):
        rows = getattr(big, part)
        rows = rows[rows["site"].isin(some_sites)].reset_index(drop=True)
        pd.testing.assert_frame_equal(rows, getattr(small, part))


def test_fidelity_scores_agree_with_a_direct_sum(data):
    scores = fidelity.score(data.fidelity_ratings)
    direct = data.fidelity_ratings.groupby("review_id")["rating"].sum()
    assert_allclose(scores.set_index("review_id")["total"].reindex(direct.index), direct)
    dist = fidelity.band_distribution(scores)
    assert dist["count"].sum() == len(scores)


def test_row_positions_join_matches_a_merge(data):
    p, s = data.participants, data.job_spells
    pos = row_positions(p["participant_id"], s["participant_id"])
    assert (pos >= 0).all()
    assert (p["participant_id"].to_numpy()[pos] == s["participant_id"].to_numpy()).all()


# ------------------------------------------------------------------ command line


def test_cli_writes_a_scale_cohort(tmp_path, capsys):
    assert main(["data", "--scale", "2e3", "--out", str(tmp_path), "--seed", "3"]) == 0
    assert "9 file(s) written" in capsys.readouterr().out
    loaded = scale.load(tmp_path)
    assert len(loaded.participants) == 2000
    assert loaded.participants.equals(scale.load(tmp_path).participants)


@pytest.mark.parametrize(("args", "message"), [
    (["data", "--scale", "0", "--out", "x"], "'0' is not a positive whole number"),
    (["data", "--scale", "1.5e0", "--out", "x"], "'1.5e0' is not a positive whole number"),
    (["data", "--scale", "100"], "--scale N writes a new cohort: give --out DIR"),
    (["data", "--seed", "4"], "--seed applies only with --scale N"),
])
def test_cli_scale_errors(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_load_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="participants.parquet does not exist"):
        scale.load(tmp_path)


# ------------------------------------------------------------------ vectorised validation helpers


@pytest.mark.parametrize("width", [3, 8, 9, 12, 16, 20])
def test_row_positions_fast_paths_agree_with_an_index_lookup(width):
    rng = np.random.default_rng(width)
    text = ["".join(chr(48 + x) for x in row) for row in rng.integers(0, 10, size=(30_000, width))]
    values = pd.Series(text, dtype="str")
    keys = pd.Series(sorted(set(text)), dtype="str")
    cases = [
        (keys, values),                                              # sorted keys, unsorted values
        (keys, pd.Series(sorted(text), dtype="str")),                # both sorted: blocked search
        (keys.iloc[::3].reset_index(drop=True), pd.Series(sorted(text), dtype="str")),  # misses
        (pd.Series(list(keys)[::-1], dtype="str"), values),          # unsorted keys: hashing
        (keys.astype(object), values.astype(object)),                # not Arrow text
    ]
    for k, v in cases:
        expected = pd.Index(k).get_indexer(v)
        assert (row_positions(k, v) == expected).all()


def test_duplicates_are_found_in_sorted_and_unsorted_identifiers():
    from ipsresearch.validation import Column, InputError, Schema, validate

    schema = Schema("t", [Column("id", "str", unique=True)])
    ids = [f"P{i:07d}" for i in range(50_000)]
    validate(pd.DataFrame({"id": pd.Series(ids, dtype="str")}), schema)  # sorted, distinct: fine
    for order in (ids[:100] + [ids[50]] + ids[100:], ids[::-1] + [ids[7]]):
        with pytest.raises(InputError, match=r"P0000050 repeats row 52|P0000007 repeats row"):
            validate(pd.DataFrame({"id": pd.Series(order, dtype="str")}), schema)


def test_job_tenure_sorts_unsorted_spells_and_keeps_file_order_on_ties():
    people = pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "X"],
                           "enrolment_date": ["2016-01-01"] * 2, "follow_up_end": ["2017-12-31"] * 2})
    jobs = pd.DataFrame({"spell_id": ["3", "1", "2", "4"], "participant_id": ["b", "a", "a", "a"],
                         "start_date": ["2016-03-01", "2017-03-01", "2016-02-01", "2016-02-01"],
                         "end_date": ["", "", "2016-08-31", "2016-02-10"],
                         "job_type": ["competitive"] * 4, "paid": [True] * 4})
    t = outcomes.job_tenure(people, jobs)
    assert t["spell_id"].tolist() == ["2", "4", "1", "3"]
    assert t["job_number"].tolist() == [1, 2, 3, 1]

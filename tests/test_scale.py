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
        parquet = getattr(data, name)
        categorical = [c for c in parquet.columns if isinstance(parquet[c].dtype, pd.CategoricalDtype)]
        assert categorical == {"participants": ["site"], "job_spells": ["job_type"]}[name]
        pd.testing.assert_frame_equal(from_csv, parquet.astype({c: from_csv[c].dtype for c in categorical}),
                                      check_dtype=False)
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
    (["data", "--scale", "0", "--out", "x"], "'0' is not a whole number from 1 to 100000000 (1e8)"),
    (["data", "--scale", "1.5e0", "--out", "x"], "'1.5e0' is not a whole number from 1 to 100000000 (1e8)"),
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


def test_row_positions_across_blocks_and_a_break_in_order_at_a_block_edge():
    from ipsresearch._arrays import BLOCK

    n = 2 * BLOCK + 500  # three blocks
    keys = [f"P{i:07d}" for i in range(0, 2 * n, 2)]  # sorted, distinct, every other number
    values = pd.Series(sorted([f"P{i:07d}" for i in range(0, 2 * n, 3)]), dtype="str")
    k = pd.Series(keys, dtype="str")
    assert (row_positions(k, values) == pd.Index(keys).get_indexer(values)).all()
    swapped = keys.copy()  # out of order exactly where the second block starts
    swapped[BLOCK - 1], swapped[BLOCK] = swapped[BLOCK], swapped[BLOCK - 1]
    k = pd.Series(swapped, dtype="str")
    assert (row_positions(k, values) == pd.Index(swapped).get_indexer(values)).all()
    other_prefix = pd.Series(["Q0000002", "P0000002"], dtype="str")  # shares no prefix with the keys
    assert row_positions(pd.Series(keys, dtype="str"), other_prefix).tolist() == [-1, 1]


# ------------------------------------------------------------------ categorical columns (Parquet dictionaries)


def _as_categorical(frame, column, extra=("UNUSED",)):
    """``column`` as a Categorical whose categories are out of order and include unused ones."""
    values = frame[column].astype(str)
    cats = list(extra) + sorted(set(values), reverse=True)
    return frame.assign(**{column: pd.Categorical(values, categories=cats)})


def test_categorical_sites_give_the_same_results_as_text(data):
    p = data.participants.astype({"site": "str"})
    s = data.job_spells.astype({"job_type": "str"})
    pc, sc = _as_categorical(p, "site"), _as_categorical(s, "job_type")
    a = outcomes.placement_rate(outcomes.ever_employed(p, s, validated=True), outcome="employed",
                                by="site", overall=True)
    for people, jobs in ((pc, s), (p, sc)):
        b = outcomes.placement_rate(outcomes.ever_employed(people, jobs), outcome="employed",
                                    by="site", overall=True)
        pd.testing.assert_frame_equal(a, b)
    a = outcomes.time_to_first_job(p, s, by="site", horizons=(90, 365), validated=True)
    b = outcomes.time_to_first_job(pc, sc, by="site", horizons=(90, 365))
    for part in ("table", "curve", "quantiles"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part))
    a = outcomes.kaplan_meier(outcomes.job_tenure(p, s), by="site", overall=True)
    b = outcomes.kaplan_meier(outcomes.job_tenure(pc, sc), by="site", overall=True)
    for part in ("table", "curve", "quantiles"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part))


def test_categorical_text_is_validated_like_text():
    from ipsresearch.validation import Column, InputError, Schema, validate

    schema = Schema("t", [Column("site", "str"), Column("kind", "str", allowed=("a", "b"))])
    text = pd.DataFrame({"site": ["X ", " X", "Y", "", "Z"], "kind": ["a", "b", "c", "a", None]})
    cat = text.astype("category")
    messages = []
    for frame in (text, cat):
        with pytest.raises(InputError) as err:
            validate(frame, schema)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "row 5, column `site`: is blank" in messages[1]
    assert "row 4, column `kind`: c is not a recognised value" in messages[1]
    assert "row 6, column `kind`: is blank" in messages[1]
    good = pd.DataFrame({"site": ["X ", " X", "Y"], "kind": ["a", "b", "a"]})
    typed = validate(good.astype("category"), schema)
    assert isinstance(typed["site"].dtype, pd.CategoricalDtype)
    assert typed["site"].tolist() == ["X", "X", "Y"] and list(typed["site"].cat.categories) == ["X", "Y"]
    assert typed["site"].astype(str).tolist() == validate(good, schema)["site"].tolist()


# ------------------------------------------------------------------ generator internals


def test_weighted_site_draw_is_numpys_choice_made_faster():
    from ipsresearch.synthetic.cohort import _weighted_choice

    for seed in range(12):
        rng = np.random.default_rng(seed)
        k = int(rng.integers(1, 25_000))
        w = rng.lognormal(0.0, 1.5, size=k)
        if seed % 3 == 0:  # sites that can never be drawn
            w[rng.integers(0, k, size=k // 3)] = 0.0
            w[-1] = 1.0
        expected = np.random.default_rng(seed + 100).choice(k, size=50_000, p=w / w.sum())
        got = _weighted_choice(np.random.default_rng(seed + 100), w, 50_000)
        assert (got == expected).all()


def test_blocked_draw_keeps_participants_and_spells_in_order():
    from ipsresearch.synthetic.cohort import BLOCK, draw_cohort

    d = scale.design(2 * BLOCK + 1234)
    c = draw_cohort(d, seed=4)
    assert (np.diff(c.enrolment.astype(np.int64)) >= 0).all()
    assert c.owner.min() >= 0 and c.owner.max() < d.n and c.owner.max() > 2 * BLOCK
    key = c.owner.astype(np.int64) * 100_000 + c.start.astype(np.int64)
    assert (np.diff(key) >= 0).all()  # by participant, then start, across block edges
    assert (c.start >= c.enrolment[c.owner]).all()
    again = draw_cohort(d, seed=4)
    assert (again.start == c.start).all() and (again.site_idx == c.site_idx).all()


def test_kaplan_meier_in_batches_equals_one_group_at_a_time():
    from ipsresearch.outcomes.survival import GROUP_BATCH

    rng = np.random.default_rng(8)
    n = 2 * GROUP_BATCH + 777  # three batches of groups
    group = rng.integers(0, 300, size=n)
    days = np.ceil(rng.exponential(200.0, size=n))
    ended = rng.random(n) < 0.6
    ended[group == 17] = False  # a group with no events
    frame = pd.DataFrame({"days": days, "ended": ended, "g": [f"G{x:03d}" for x in group]})
    frame.loc[frame["g"] == "G042", "days"] = np.minimum(frame.loc[frame["g"] == "G042", "days"], 50)
    qs = (0.25, 0.5)
    big = outcomes.kaplan_meier(frame, by="g", horizons=(30, 180, 365), quantiles=qs)
    assert any("G017" in note for note in big.notes) and any("G042" in note for note in big.notes)
    for label in ("G000", "G017", "G042", "G150", "G299"):
        one = frame[frame["g"] == label].reset_index(drop=True)
        small = outcomes.kaplan_meier(one, by="g", horizons=(30, 180, 365), quantiles=qs)
        for part in ("table", "curve", "quantiles"):
            rows = getattr(big, part)
            pd.testing.assert_frame_equal(rows[rows["g"] == label].reset_index(drop=True),
                                          getattr(small, part))
        sf = SurvfuncRight(one["days"].to_numpy(), one["ended"].to_numpy(dtype=float))
        q = big.quantiles[big.quantiles["g"] == label]["time"].to_numpy()
        assert_allclose(q, [sf.quantile(x) for x in qs], equal_nan=True)


def test_scale_benchmark_prints_a_pipeline_line_and_ratios_per_size(tmp_path):
    import re
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "scale.py"
    out = subprocess.run([sys.executable, str(script), "--sizes", "1e3,2e3", "--repeat", "2",
                          "--out", str(tmp_path), "--json", str(tmp_path / "runs.json")],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    lines = out.splitlines()
    pipeline = [i for i, line in enumerate(lines) if line.startswith("pipeline ")]
    assert [lines[i].split(":")[0] for i in pipeline] == ["pipeline 1000", "pipeline 2000"]
    assert all(re.fullmatch(r"pipeline \d+: \d+\.\d s, \d+ MiB peak", lines[i]) for i in pipeline)
    assert pipeline[-1] == len(lines) - 1  # the size's last line
    assert "time ratio 2000 / 1000:" in out and "MALLOC_MMAP_MAX_=0" in lines[0]
    runs = json.loads((tmp_path / "runs.json").read_text(encoding="utf-8"))
    assert [r["n"] for r in runs] == [1000, 2000]
    for r in runs:
        assert set(r["steps"]) == {"generate", "load", "placement_by_site", "time_to_first_job_by_site",
                                   "retention_by_site", "fidelity_bands"}
        assert all(len(s["all_seconds"]) == 2 for s in r["steps"].values())
        assert r["check"]["km_groups"] == r["sites"] == r["n"] // 500

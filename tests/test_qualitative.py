"""Qualitative studies: agreement, sample flows, who is quoted, generators and claims."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from pandas.testing import assert_frame_equal
from statsmodels.stats import inter_rater

from ipsresearch import datasets, qualitative, schemas
from ipsresearch.studies import harkko2025, ipsnor, irish_qualitative, moen2021_metaphors, verify
from ipsresearch.synthetic import qualitative as gen
from ipsresearch.synthetic import to_csv_bytes
from ipsresearch.synthetic.irish_pilot import focus_group_roster
from ipsresearch.validation import InputError, validate
from tests.reference import kappa as ref

SETS = ["irish_qualitative", "moen2021_metaphors", "ipsnor", "harkko2025"]
ERRATA = {"harkko2025.participant_4_role", "ipsnor.named_citations"}
QUERIES = {"moen2021_metaphors.clinicians"}


def _long(r1, r2, names=("DS", "NL")) -> pd.DataFrame:
    n = len(r1)
    return pd.DataFrame({"segment_id": np.repeat([f"s{i}" for i in range(n)], 2),
                         "coder": list(names) * n,
                         "code": [c for pair in zip(r1, r2, strict=True) for c in pair]})


def _from_table(table) -> pd.DataFrame:
    cats = ["a", "b"]
    r1, r2 = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            r1 += [cats[i]] * count
            r2 += [cats[j]] * count
    return _long(r1, r2)


# --------------------------------------------------------------------------- kappa


def test_cohen_kappa_hand_checked_2x2():
    # DS\NL   a   b
    #   a    20   5    observed agreement p_o = (20 + 15) / 50 = 0.70
    #   b    10  15    DS marginals 25/25, NL marginals 30/20
    # chance p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50, kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    res = qualitative.cohen_kappa(_from_table(ref.TABLE_22))
    assert_allclose([res.kappa, res.observed_agreement, res.expected_agreement], [0.4, 0.7, 0.5],
                    rtol=1e-12)
    # standard error and interval from base R (Fleiss, Cohen & Everitt 1969)
    assert_allclose([res.kappa, res.std_error, res.observed_agreement, res.expected_agreement,
                     res.ci_low, res.ci_high], ref.COHEN_22, rtol=1e-10)
    assert res.table.to_numpy().tolist() == [list(r) for r in ref.TABLE_22]
    assert res.n_items == 50 and res.raters == ("DS", "NL")


def test_cohen_kappa_agrees_with_statsmodels_and_r_on_60_items():
    codings = _long(ref.RATER_1, ref.RATER_2, names=("A", "B"))
    res = qualitative.cohen_kappa(codings)
    table = pd.crosstab(list(ref.RATER_1), list(ref.RATER_2)).to_numpy()
    direct = inter_rater.cohens_kappa(table)
    assert_allclose([res.kappa, res.std_error], [direct.kappa, direct.std_kappa], rtol=1e-12)
    assert_allclose([res.kappa, res.std_error, res.observed_agreement, res.expected_agreement,
                     res.ci_low, res.ci_high], ref.COHEN_60, rtol=1e-10)
    assert res.ci_low < res.kappa < res.ci_high


def test_fleiss_kappa_agrees_with_statsmodels_and_r():
    rows = [(f"p{i}", f"r{j}", str(code)) for i, ratings in enumerate(ref.DIAGNOSES)
            for j, code in enumerate(ratings)]
    codings = pd.DataFrame(rows, columns=["segment_id", "coder", "code"])
    res = qualitative.fleiss_kappa(codings)
    counts, _ = inter_rater.aggregate_raters(np.asarray(ref.DIAGNOSES))
    assert_allclose(res.kappa, inter_rater.fleiss_kappa(counts), rtol=1e-12)
    assert_allclose([res.kappa, res.observed_agreement, res.expected_agreement], ref.FLEISS_30,
                    rtol=1e-10)
    # kappa is (p_o - p_e) / (1 - p_e) with the reported parts
    assert_allclose(res.kappa, (res.observed_agreement - res.expected_agreement)
                    / (1 - res.expected_agreement), rtol=1e-12)
    assert (res.n_items, res.n_raters, res.n_categories) == (30, 6, 5)
    # the standard error is the one under kappa = 0 (irr's kappam.fleiss): a test, no interval
    from tests.reference import agreement_values as irr
    assert_allclose([res.kappa, res.z, res.p_value, res.std_error],
                    [irr.FLEISS_DIAGNOSES[k] for k in ("kappa", "z", "p_value", "se")], atol=1e-10)
    assert np.isnan(res.ci_low) and np.isnan(res.ci_high)


def test_kappa_invariant_to_relabelling_rater_order_and_item_order():
    codings = _long(ref.RATER_1, ref.RATER_2, names=("A", "B"))
    base = qualitative.cohen_kappa(codings).kappa
    relabel = codings.assign(code=codings["code"].map({"A": "z", "B": "y", "C": "x", "D": "w"}))
    shuffled = codings.sample(frac=1.0, random_state=3)
    renamed = codings.assign(coder=codings["coder"].map({"A": "B", "B": "A"}))
    for variant in (relabel, shuffled, renamed):
        assert_allclose(qualitative.cohen_kappa(variant).kappa, base, rtol=1e-12)
    perfect = _long(ref.RATER_1, ref.RATER_1)
    assert qualitative.cohen_kappa(perfect).kappa == pytest.approx(1.0)
    assert qualitative.fleiss_kappa(perfect).kappa == pytest.approx(1.0)


def test_fleiss_with_two_raters_is_scotts_pi():
    codings = _long(ref.RATER_1, ref.RATER_2)
    table = pd.crosstab(list(ref.RATER_1), list(ref.RATER_2)).to_numpy() / 60
    pooled = (table.sum(axis=0) + table.sum(axis=1)) / 2
    pi = (np.trace(table) - (pooled**2).sum()) / (1 - (pooled**2).sum())
    assert_allclose(qualitative.fleiss_kappa(codings).kappa, pi, rtol=1e-12)


def test_randolph_uses_uniform_chance():
    codings = _long(ref.RATER_1, ref.RATER_2)
    res = qualitative.fleiss_kappa(codings, method="randolph")
    assert res.expected_agreement == pytest.approx(0.25)
    assert_allclose(res.kappa, (res.observed_agreement - 0.25) / 0.75, rtol=1e-12)


def test_kappa_input_errors_name_row_column_and_value():
    codings = _long("ab", "ab")
    twice = pd.concat([codings, codings.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match=r"codings row 6, column `segment_id, coder`: "
                                         r"segment_id=s0, coder=DS repeats row 2"):
        qualitative.cohen_kappa(twice)
    missing = codings.drop(index=3)
    with pytest.raises(InputError, match=r"codings row 4, column `segment_id`: s1 is not coded by NL "
                                         r"\(allowed: every item coded by every rater"):
        qualitative.cohen_kappa(missing)
    assert qualitative.cohen_kappa(missing, incomplete="drop").n_items == 1
    blank = codings.assign(code=["a", "", "b", "b"])
    with pytest.raises(InputError, match=r"codings row 3, column `code`: is blank"):
        qualitative.cohen_kappa(blank)
    three = pd.concat([codings, codings[codings["coder"] == "DS"].assign(coder="XX")], ignore_index=True)
    with pytest.raises(ValueError, match=r"two coders \(column `coder`\); the codings hold 3 coders .*pairwise_kappa"):
        qualitative.cohen_kappa(three)
    with pytest.raises(ValueError, match=r"coder QQ not found in column `coder`"):
        qualitative.cohen_kappa(three, raters=("DS", "QQ"))
    # a pair out of three raters: the row named is the table's, not the pair's subset's
    gap = pd.DataFrame({"segment_id": ["s1", "s1", "s1", "s2", "s2"],
                        "coder": ["A", "B", "C", "A", "C"], "code": list("aabbb")})
    with pytest.raises(InputError, match=r"codings row 5, column `segment_id`: s2 is not coded by B"):
        qualitative.cohen_kappa(gap, raters=("A", "B"))
    with pytest.raises(ValueError, match="incomplete='sometimes' not recognised"):
        qualitative.cohen_kappa(codings, incomplete="sometimes")
    before = codings.copy()
    qualitative.cohen_kappa(codings)
    assert_frame_equal(codings, before)


def test_pairwise_kappa_covers_every_pair_and_matches_cohen():
    data = ipsnor.load()
    pairs = qualitative.pairwise_kappa(data.codings)
    coders = sorted(data.codings["coder"].unique())
    assert list(zip(pairs["rater_a"], pairs["rater_b"], strict=True)) == list(
        itertools.combinations(coders, 2))
    one = qualitative.cohen_kappa(data.codings, raters=(coders[0], coders[1]))
    assert pairs["kappa"].iloc[0] == pytest.approx(one.kappa)


def test_multi_coding_recovers_the_planted_kappa_at_large_n():
    themes = ["t1", "t2", "t3", "t4"]
    shares = np.array([0.4, 0.3, 0.2, 0.1])
    segments = pd.DataFrame({"segment_id": [f"s{i}" for i in range(20000)],
                             "theme": np.repeat(themes, (shares * 20000).astype(int))})
    codings = gen.multi_coding(segments, coders=("A", "B", "C"), n_items=20000, accuracy=0.8, seed=5)
    planted = gen.expected_kappa(shares, 0.8)
    assert qualitative.fleiss_kappa(codings).kappa == pytest.approx(planted, abs=0.01)
    assert qualitative.cohen_kappa(codings, raters=("A", "B")).kappa == pytest.approx(planted, abs=0.015)


def test_agreement_result_frame_and_html():
    res = qualitative.cohen_kappa(_from_table(ref.TABLE_22))
    frame = res.to_frame()
    assert frame.loc[0, "kappa"] == pytest.approx(0.4) and frame.loc[0, "n_items"] == 50
    page = res._repr_html_()
    assert "0.400" in page and "<table" in page


# --------------------------------------------------------------------------- samples and quoting


def test_sample_flow_of_the_irish_roster_matches_r():
    roster, _ = focus_group_roster()
    flow = qualitative.sample_flow(roster)
    es = flow[(flow["role"] == "employment_specialist") & (flow["stage"] == "took_part")].iloc[0]
    ot = flow[(flow["role"] == "ot_manager") & (flow["stage"] == "took_part")].iloc[0]
    assert (es["events"], es["n"], ot["events"], ot["n"]) == (17, 24, 11, 17)
    assert_allclose([es["ci_low"], es["ci_high"]], ref.WILSON_17_24, rtol=1e-9)
    assert_allclose([ot["ci_low"], ot["ci_high"]], ref.WILSON_11_17, rtol=1e-9)
    # took part + did not = invited, for each role; intervals contain the estimate
    wide = flow.pivot(index="role", columns="stage", values="events")
    assert (wide["took_part"] + wide["did_not_take_part"] == wide["invited"]).all()
    assert ((flow["ci_low"] <= flow["rate"]) & (flow["rate"] <= flow["ci_high"])).all()
    assert list(flow["stage"].iloc[:4]) == list(qualitative.STAGES)


def test_sample_flow_exact_interval_and_overall_rows():
    data = harkko2025.load()
    flow = qualitative.sample_flow(data.roster, by="role", method="exact", overall=True)
    total = flow[(flow["role"] == "All") & (flow["stage"] == "took_part")].iloc[0]
    assert (total["events"], total["n"]) == (29, 37)
    assert_allclose([total["ci_low"], total["ci_high"]], ref.EXACT_29_37, rtol=1e-9)
    assert flow["role"].iloc[-1] == "All"


def test_sample_flow_reports_bad_flags_and_leaves_input_alone():
    roster, _ = focus_group_roster()
    before = roster.copy()
    qualitative.sample_flow(roster)
    assert_frame_equal(roster, before)
    bad = roster.astype({"took_part": object})
    bad.loc[3, "took_part"] = "maybe"
    with pytest.raises(InputError, match=r"roster row 5, column `took_part`: maybe is not true or false"):
        qualitative.sample_flow(bad)
    with pytest.raises(InputError, match=r"column `invited`: required column is missing"):
        qualitative.sample_flow(roster.drop(columns="invited"))


def test_quoted_counts_per_theme_equal_the_extracted_attributions():
    data = irish_qualitative.load()
    cross = qualitative.theme_by_role(data.segments, quoted_only=True)
    printed = data.attributions.groupby(["theme", "role"]).size()
    got = cross.set_index(["theme", "role"])["segments"]
    assert_allclose(got.reindex(printed.index).to_numpy(), printed.to_numpy())
    assert got.sum() == len(data.attributions)
    shares = cross.groupby("theme")["share_of_theme"].sum()
    assert_allclose(shares.to_numpy(), 1.0)
    every = qualitative.theme_by_role(data.segments)
    assert every["segments"].sum() == len(data.segments)


def test_attributions_and_coverage_of_source_000():
    data = irish_qualitative.load()
    table = qualitative.attributions(data.segments)
    printed = data.attributions.groupby(["role", "respondent"]).size()
    got = table.set_index(["role", "respondent"])["attributions"]
    assert got.sort_index().to_dict() == printed.sort_index().to_dict()
    assert table["share"].sum() == pytest.approx(1.0)
    cov = qualitative.coverage(data.segments, data.roster).set_index("role")
    assert (cov.loc["employment_specialist", ["events", "n"]].tolist(),
            cov.loc["ot_manager", ["events", "n"]].tolist()) == ([8, 17], [8, 11])
    overall = qualitative.coverage(data.segments, data.roster, by=None).iloc[0]
    assert_allclose([overall["ci_low"], overall["ci_high"]], ref.WILSON_16_28, rtol=1e-9)


def test_coverage_names_a_quoted_code_missing_from_the_roster():
    data = irish_qualitative.load()
    seg = data.segments.copy()
    row = int(np.flatnonzero(seg["quoted"].to_numpy() & (seg["role"] == "ot_manager").to_numpy())[0])
    seg.loc[row, "respondent"] = "R12"
    with pytest.raises(InputError, match=rf"segments row {row + 2}, column `respondent`: R12 \(ot_manager\) "
                                         r"is not a participant in the roster \(allowed: .*R1, R2, R3"):
        qualitative.coverage(seg, data.roster)


def test_quoted_only_needs_a_quoted_column():
    seg = pd.DataFrame({"respondent": ["a"], "role": ["clinician"], "theme": ["t"]})
    with pytest.raises(InputError, match=r"column `quoted`: required column is missing"):
        qualitative.attributions(seg)
    assert qualitative.attributions(seg, quoted_only=False)["attributions"].tolist() == [1]


def test_cooccurrence_is_symmetric_with_counts_on_the_diagonal():
    data = harkko2025.load()
    cooc = qualitative.cooccurrence(data.segments, code="sub_theme", unit=["role", "respondent"])
    m = cooc.pivot(index="code_a", columns="code_b", values="units")
    assert (m.to_numpy() == m.to_numpy().T).all()
    per_code = (data.segments.dropna(subset=["sub_theme"])
                .groupby("sub_theme")[["role", "respondent"]].apply(lambda g: len(g.drop_duplicates())))
    assert np.diag(m.to_numpy()).tolist() == per_code.reindex(m.index).tolist()
    assert ((cooc["jaccard"] >= 0) & (cooc["jaccard"] <= 1)).all()


def test_themes_summary_counts_sub_themes_and_quotations():
    data = harkko2025.load()
    summary = qualitative.themes_summary(data.segments).set_index("theme")
    assert summary["sub_themes"].to_dict() == {"Collaborative": 2, "Proactive": 2, "Visionary": 2}
    assert summary["quoted"].sum() == len(data.attributions)


# --------------------------------------------------------------------------- generators


def _recount(segments: pd.DataFrame) -> dict:
    q = segments[segments["quoted"]]
    return q.groupby(["theme", q["sub_theme"].fillna("-"), q["source_line"].astype(int)]).size().to_dict()


def _printed(attr: pd.DataFrame) -> dict:
    return attr.groupby(["theme", attr["sub_theme"].fillna("-"), "source_line"]).size().to_dict()


@pytest.mark.parametrize("study", ["irish_pilot", "ipsnor", "harkko2025"])
def test_segments_reproduce_the_printed_attributions_whatever_the_seed(study):
    attr_name, theme_name = gen.STUDY_TABLES[study]
    attr, structure = datasets.load(attr_name), datasets.load(theme_name)
    shipped = gen.coded_segments(study)
    for seed in (1, 2, 3):
        seg = gen.coded_segments(study, seed=seed)
        validate(seg, schemas.SEGMENTS)
        assert _recount(seg) == _printed(attr)
        cells = {(t, s or "-") for t, s in gen._cells(structure)}
        assert cells <= set(zip(seg["theme"], seg["sub_theme"].fillna("-"), strict=True))
        assert not seg.drop(columns="text").equals(shipped.drop(columns="text"))


def test_rosters_keep_every_published_count_whatever_the_seed():
    for seed in (11, 12, 13):
        roster, groups, documents = gen.ipsnor_roster(seed=seed)
        took = roster[roster["took_part"]]
        assert (len(roster), roster["site"].nunique(), (roster["role"] == "supervisor").sum()) == (45, 14, 11)
        assert (roster["age"].min(), roster["age"].max()) == (25, 55)
        assert took["gender"].value_counts().to_dict() == {"female": 21, "male": 12}
        assert roster["gender"].value_counts().to_dict() == {"female": 25, "male": 20}
        assert documents["pages"].sum() == 180
        assert roster.groupby("site").size().isin([2, 3]).mean() > 0.5
        assert (groups["kind"] == "seminar_group").sum() == 8
        roster, interviews, cases = gen.harkko_roster(seed=seed)
        took = roster[roster["took_part"]]
        assert took["role"].value_counts().to_dict() == {
            "site_leader": 11, "frontline_worker": 8, "project_manager": 6, "outside_expert": 4}
        assert np.median(interviews["duration_min"]) == 72
        assert (interviews["duration_min"].min(), interviews["duration_min"].max()) == (48, 120)
        joined = took.merge(interviews, on="group_id")
        assert joined["setting"].value_counts().to_dict() == {"online": 15, "workplace": 14}
        sizes = took["group_id"].value_counts()
        assert {1, 2, 3} <= set(sizes)
        robust = cases.set_index("case_id")["robustness"]
        site = took.set_index("respondent_code")["site"]
        assert robust[site["Participant 4"]] == robust[site["Participant 7"]] == "more_robust"


def _write(directory, frames: dict[str, pd.DataFrame]) -> None:
    for rel, frame in frames.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(to_csv_bytes(frame))


def test_claims_hold_on_records_generated_with_other_seeds(tmp_path):
    seed = 99
    ie_roster, ie_groups = focus_group_roster()
    no = gen.ipsnor_roster(seed=seed)
    fi = gen.harkko_roster(seed=seed)
    _write(tmp_path, {
        "irish_pilot/focus_group_roster.csv": ie_roster,
        "irish_qualitative/coded_segments.csv": gen.coded_segments("irish_pilot", seed=seed),
        "ipsnor/roster.csv": no[0], "ipsnor/focus_groups.csv": no[1], "ipsnor/documents.csv": no[2],
        "ipsnor/coded_segments.csv": gen.coded_segments("ipsnor", seed=seed, roster=no[0]),
        "harkko2025/roster.csv": fi[0], "harkko2025/interviews.csv": fi[1],
        "harkko2025/cases.csv": fi[2],
        "harkko2025/coded_segments.csv": gen.coded_segments("harkko2025", seed=seed, roster=fi[0]),
        "moen2021_metaphors/coded_segments.csv": gen.metaphor_segments(seed=seed),
    })
    results = verify(data_dir=tmp_path, sets=SETS)
    assert {r.id: r.status for r in results} == {r.id: r.status for r in verify(sets=SETS)}


# --------------------------------------------------------------------------- claims


def test_claims_pass_or_are_the_recorded_errata_and_queries():
    results = verify(sets=SETS)
    per_set = pd.Series([r.id.split(".")[0] for r in results]).value_counts().to_dict()
    assert per_set == {"irish_qualitative": 13, "moen2021_metaphors": 4, "ipsnor": 46, "harkko2025": 52}
    status = {r.id: r.status for r in results}
    assert {k for k, v in status.items() if v == "erratum"} == ERRATA
    assert {k for k, v in status.items() if v == "query"} == QUERIES
    assert all(v in ("pass", "unchecked") for k, v in status.items() if k not in ERRATA | QUERIES)
    assert all(r.status == "unchecked" for r in results if r.basis == "cited")
    assert all(r.report == "08-qualitative-studies" for r in results)


def test_a_lost_quotation_or_a_stray_code_makes_claims_fail(data_copy):
    path = data_copy / "irish_qualitative" / "coded_segments.csv"
    seg = pd.read_csv(path, dtype=str, keep_default_na=False)
    quoted = seg.index[(seg["quoted"] == "true") & (seg["theme"] == "The context")]
    seg.drop(index=quoted[0]).to_csv(path, index=False)
    status = {r.id: r for r in verify(data_dir=data_copy, sets=["irish_qualitative"])}
    assert status["irish_qualitative.attributions_context"].status == "fail"
    assert status["irish_qualitative.attributions_context"].computed == 13
    seg = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = seg.index[(seg["quoted"] == "true") & (seg["role"] == "employment_specialist")][0]
    seg.loc[row, "respondent"] = "R18"  # 17 ES took part: R18 cannot exist
    seg.to_csv(path, index=False)
    status = {r.id: r for r in verify(data_dir=data_copy, sets=["irish_qualitative"])}
    assert status["irish_qualitative.quoted_in_roster"].status == "fail"
    assert "R18 (employment_specialist) is not a participant" in status[
        "irish_qualitative.quoted_in_roster"].error


def test_a_calibrated_count_follows_the_segments_but_the_metaphor_query_follows_the_paper(data_copy):
    """The metaphor counts are transcribed from the paper's headings: changing the synthetic
    segments leaves the query in place; the segments only feed the calibrated counts."""
    path = data_copy / "moen2021_metaphors" / "coded_segments.csv"
    seg = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = seg.index[seg["role"] == "clinician"][0]
    seg.loc[i, "theme"] = "a second clinicians' metaphor"
    seg.to_csv(path, index=False)
    [r] = [r for r in verify(data_dir=data_copy, sets=["moen2021_metaphors"])
           if r.id == "moen2021_metaphors.clinicians"]
    assert r.basis == "transcribed" and r.computed == 1 and r.status == "query"


def test_every_extracted_table_loads_by_name():
    names = datasets.names()
    assert {n for pair in gen.STUDY_TABLES.values() for n in pair} <= set(datasets.EXTRACTED)
    assert set(datasets.EXTRACTED) <= set(names)
    for name, table in datasets.EXTRACTED.items():
        frame = datasets.load(name)
        # a table printed in one of the source papers gives the line of every row
        assert len(frame) and (not table.source or "source_line" in frame.columns), name
    with pytest.raises(KeyError, match="valid names: .*harkko2025_attributions"):
        datasets.load("harkko2025_attribution")


def test_segment_schema_names_a_bad_role():
    seg = gen.coded_segments("harkko2025").head(3).copy()
    seg.loc[1, "role"] = "nurse"
    with pytest.raises(InputError, match=r"row 3, column `role`: nurse is not a recognised value "
                                         r"\(allowed: one of employment_specialist"):
        validate(seg, schemas.SEGMENTS)


# --------------------------------------------------------------------------- the papers


SOURCE_FILES = {"irish_pilot": "000_489456de6ed42f85.txt", "moen2021": "001_8f0d05ae2c2ca9ec.txt",
              "ipsnor": "002_0bad34d9be664c44.txt", "harkko2025": "004_11a173a4c9c5b2ea.txt"}
WORD = re.compile(r"[a-z0-9]+")


def _lines(sources, study) -> list[str]:
    return (sources / SOURCE_FILES[study]).read_text(encoding="utf-8").split("\n")


def test_source_000_attributions_are_on_their_lines_and_complete(sources):
    lines = _lines(sources, "irish_pilot")
    attr = datasets.load("irish_qualitative_attributions")
    for a in attr.itertuples():
        labels = re.findall(r"\((IPS ES|OT Manager) (R\d+)\)", lines[a.source_line - 1])
        assert labels[a.position - 1] == (a.label, a.respondent), a
    pattern = re.compile(r"\((?:IPS ES|OT Manager) R\d+\)")
    printed = {i + 1: len(pattern.findall(t)) for i, t in enumerate(lines) if pattern.search(t)}
    assert attr.groupby("source_line").size().to_dict() == printed


def test_source_004_participant_tags_and_roles_are_on_their_lines(sources):
    lines = _lines(sources, "harkko2025")
    attr = datasets.load("harkko2025_attributions")
    for a in attr.itertuples():
        assert f"[{a.respondent}]" in lines[a.source_line - 1], a
        if isinstance(a.role_as_printed, str):
            assert a.role_as_printed in lines[a.role_line - 1].lower(), a
            assert a.role_line <= a.source_line
    tags = [(i + 1, m) for i, t in enumerate(lines) for m in re.findall(r"\[(Participant \d+)\]", t)]
    assert sorted(tags) == sorted(zip(attr["source_line"], attr["respondent"], strict=True))


def test_source_002_quotations_are_on_their_lines_and_complete(sources):
    lines = _lines(sources, "ipsnor")
    quotes = datasets.load("ipsnor_quotations")
    per_line = quotes.groupby("source_line").size()
    for line, n in per_line.items():
        marks = lines[line - 1].count("\u201c")
        if marks:
            assert marks == n, line
        else:  # a quotation set as its own paragraph, introduced by a colon
            assert n == 1 and lines[line - 3].rstrip().endswith(":"), line
    results = range(67, 131)
    quoted_lines = {i for i in results if "\u201c" in lines[i - 1]}
    assert quoted_lines <= set(per_line.index)


@pytest.mark.parametrize("name", ["irish_qualitative_themes", "ipsnor_themes", "harkko2025_themes",
                                  "moen2021_metaphors"])
def test_theme_labels_use_the_words_of_their_headings(sources, name):
    for t in datasets.load(name).itertuples():
        label = t.sub_theme if isinstance(t.sub_theme, str) else t.theme
        heading = set(WORD.findall(_lines(sources, t.study)[t.source_line - 1].lower()))
        assert set(WORD.findall(label.lower())) <= heading, (name, label)
        if not pd.isna(t.table_line):
            row = set(WORD.findall(_lines(sources, t.study)[int(t.table_line) - 1].lower()))
            assert set(WORD.findall(label.lower())) <= row, (name, label, t.table_line)


def test_source_001_citations_are_on_their_lines(sources):
    lines = _lines(sources, "moen2021")
    for c in datasets.load("moen2021_metaphor_citations").itertuples():
        cited = {int(n) for grp in re.findall(r"\((\d+(?:\s*,\s*\d+)*)\)", lines[c.source_line - 1])
                 for n in grp.split(",")}
        assert c.reference in cited, c
        entry = lines[c.reference_line - 1]
        assert entry.lstrip().startswith(f"- {c.reference} {c.first_author}") and str(c.year) in entry


def test_metaphor_segments_cover_every_extracted_metaphor_and_cited_study():
    data = moen2021_metaphors.load()
    got = data.segments.groupby("role")["theme"].unique().map(sorted).to_dict()
    printed = data.metaphors.groupby("role")["theme"].unique().map(sorted).to_dict()
    assert got == printed
    table = qualitative.attributions(data.segments)
    assert len(table) == data.citations["reference"].nunique() == 16
    cover = qualitative.theme_by_role(data.segments, quoted_only=True)
    assert cover["segments"].sum() == len(data.citations)

"""IPS-25 fidelity: scale, scoring, bands, bad input, analyses, synthetic reviews, claims, CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from itertools import product

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.proportion import proportion_confint

from ipsresearch import fidelity, schemas
from ipsresearch.cli import main
from ipsresearch.fidelity import ITEM_CODES
from ipsresearch.studies import fidelity_claims, verify
from ipsresearch.synthetic import fidelity as synth
from ipsresearch.validation import InputError, UnknownColumnWarning
from tests.reference import fidelity_paired as ref


def review_with_total(total: int, review_id: str = "r") -> pd.DataFrame:
    """Long ratings of one review whose ratings add up to ``total`` (25..125)."""
    extra = total - 25
    ratings = []
    for _ in ITEM_CODES:
        step = min(4, extra)
        ratings.append(1 + step)
        extra -= step
    return pd.DataFrame({"review_id": review_id, "item": list(ITEM_CODES), "rating": ratings})


def wide(**overrides) -> pd.DataFrame:
    base = {"review_id": ["R1"], **{c: [3] for c in ITEM_CODES}}
    base.update(overrides)
    return pd.DataFrame(base)


def message(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


# ------------------------------------------------------------------ the scale


def test_scale_has_25_items_in_three_sections_in_the_issue_order():
    assert fidelity.ITEMS["item"].tolist() == list(ITEM_CODES) == list(schemas.IPS25_ITEM_CODES)
    assert ITEM_CODES[:4] == ("S1", "S2", "S3", "O1") and ITEM_CODES[-1] == "SE14"
    assert fidelity.ITEMS["section"].value_counts().to_dict() == {"services": 14, "organization": 8,
                                                                 "staffing": 3}
    names = dict(zip(fidelity.ITEMS["item"], fidelity.ITEMS["name"], strict=True))
    assert names["S1"] == "Caseload size"
    assert names["O6"] == "Zero exclusion criteria"
    assert names["SE4"] == "Rapid search for competitive job"
    assert names["SE14"].startswith("Assertive engagement and outreach")
    assert fidelity.ITEMS["position"].tolist() == list(range(1, 26))


# ------------------------------------------------------------------ totals and bands


def test_all_fives_is_125_exemplary_and_all_ones_is_25_not_ips():
    s = fidelity.score(pd.concat([review_with_total(125, "five"), review_with_total(25, "one")]))
    assert s["total"].tolist() == [125, 25]
    assert s["band"].tolist() == ["exemplary", "not_ips"]
    assert s[["staffing", "organization", "services"]].iloc[0].tolist() == [15, 40, 70]
    assert s[["staffing", "organization", "services"]].iloc[1].tolist() == [3, 8, 14]
    assert s["items_rated"].tolist() == [25, 25]


@pytest.mark.parametrize(("total", "band"), [
    (25, "not_ips"), (72, "not_ips"), (73, "not_ips"), (74, "fair"), (99, "fair"), (100, "good"),
    (114, "good"), (115, "exemplary"), (125, "exemplary"),
])
def test_every_cutoff_lands_in_the_documented_band(total, band):
    s = fidelity.score(review_with_total(total))
    assert int(s["total"].iloc[0]) == total
    assert s["band"].iloc[0] == band


def test_every_total_from_25_to_125_has_exactly_one_band():
    totals = np.arange(25, 126)
    bands = fidelity.classify(totals)
    assert all(b is not None for b in bands)
    table = fidelity.IPS25_BANDS
    for t, b in zip(totals, bands, strict=True):
        row = table[table["band"] == b].iloc[0]
        assert row["low"] <= t <= row["high"]


def test_source_001_printed_bands_leave_73_unassigned():
    assert fidelity.band_gaps(fidelity.MOEN2021_BANDS) == [73]
    s = fidelity.score(review_with_total(73), bands=fidelity.MOEN2021_BANDS)
    assert s["band"].iloc[0] is None


def test_cutoffs_can_be_overridden_with_a_mapping_or_a_table():
    two = pd.concat([review_with_total(99, "a"), review_with_total(100, "b")])
    custom = {"low": (25, 99), "high": (100, 125)}
    assert fidelity.score(two, bands=custom)["band"].tolist() == ["low", "high"]
    table = fidelity.make_bands({"below": (25, 104), "above": (105, 125)})
    assert fidelity.score(two, bands=table)["band"].tolist() == ["below", "below"]
    with pytest.raises(ValueError, match="overlap"):
        fidelity.score(two, bands={"a": (25, 100), "b": (100, 125)})


def test_long_and_wide_layouts_agree_and_row_order_does_not_matter():
    long = synth.reviews()[1]
    a = fidelity.score(long)
    b = fidelity.score(fidelity.to_wide(long))
    pd.testing.assert_frame_equal(a, b)
    shuffled = long.sample(frac=1.0, random_state=np.random.RandomState(7))
    c = fidelity.score(shuffled).set_index("review_id").loc[a["review_id"]].reset_index()
    pd.testing.assert_frame_equal(a, c)


def test_totals_equal_the_sum_of_ratings_for_many_reviews():
    long = synth.simulate_ratings(20_000, seed=11)
    s = fidelity.score(long)
    expected = long.groupby("review_id", sort=False)["rating"].sum().to_numpy()
    assert len(s) == 20_000
    assert (s["total"].to_numpy() == expected).all()
    assert (s[["staffing", "organization", "services"]].sum(axis=1) == s["total"]).all()


def test_round_and_rater_columns_make_separate_reviews():
    a = review_with_total(90, "site-1").assign(round=1, rater="AB")
    b = review_with_total(110, "site-1").assign(round=2, rater="AB")
    c = review_with_total(100, "site-1").assign(round=2, rater="CD")
    s = fidelity.score(pd.concat([a, b, c]))
    assert s[["review_id", "round", "rater", "total"]].values.tolist() == [
        ["site-1", 1, "AB", 90], ["site-1", 2, "AB", 110], ["site-1", 2, "CD", 100]]


def test_item_codes_are_matched_without_case_or_spaces():
    r = review_with_total(100)
    r["item"] = [f" {c.lower()} " for c in r["item"]]
    assert int(fidelity.score(r)["total"].iloc[0]) == 100


def test_score_does_not_modify_its_input():
    r = review_with_total(88)
    r.loc[3, "item"] = " o1 "
    before = r.copy()
    fidelity.score(r)
    pd.testing.assert_frame_equal(r, before)


def test_extra_columns_are_ignored_with_a_warning_and_item_name_silently():
    r = review_with_total(88).assign(item_name="x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fidelity.score(r)
    with pytest.warns(UnknownColumnWarning, match="column notes ignored when scoring"):
        fidelity.score(r.assign(notes="n"))


# ------------------------------------------------------------------ bad input, exact messages

ALLOWED_RATING = "(allowed: integers 1 to 5)"


def bad_long(value) -> pd.DataFrame:
    r = review_with_total(75, "R7")
    r["rating"] = r["rating"].astype(object)
    r.loc[12, "rating"] = value  # item SE2, spreadsheet row 14
    return r


@pytest.mark.parametrize(("value", "text"), [
    (6, "6 is outside 1..5"),
    (0, "0 is outside 1..5"),
    (3.5, "3.5 is not a whole number"),
    ("3.5", "3.5 is not a whole number"),
    ("", "rating is blank"),
    (None, "rating is blank"),
    ("four", "four is not a number"),
])
def test_bad_rating_names_review_item_value_row_and_column(value, text):
    with pytest.raises(InputError) as exc:
        fidelity.score(bad_long(value))
    assert message(exc) == [
        f"ratings row 14, column `rating`: review R7, item SE2: {text} {ALLOWED_RATING}"]


def test_unknown_item_code():
    r = review_with_total(75, "R7")
    r.loc[4, "item"] = "O9"
    with pytest.raises(InputError) as exc:
        fidelity.score(r)
    assert message(exc) == [
        "ratings column `item`: review R7: 1 of 25 items not rated (O2) (allowed: all 25 items "
        "rated for every review; totals are never prorated)",
        "ratings row 6, column `item`: review R7: O9 is not an IPS-25 item code "
        "(allowed: an IPS-25 item code: S1-S3, O1-O8 or SE1-SE14)",
    ]


def test_duplicated_item():
    r = pd.concat([review_with_total(75, "R7"),
                   pd.DataFrame({"review_id": ["R7"], "item": ["SE5"], "rating": [4]})],
                  ignore_index=True)
    with pytest.raises(InputError) as exc:
        fidelity.score(r)
    assert message(exc) == [
        "ratings row 27, column `item`: review R7, item SE5: rated again (4; first rated 1 on "
        "row 17) (allowed: each item once per review)"]


def test_missing_items_are_an_error_not_prorated():
    r = review_with_total(75, "R7").drop(index=[0, 24])
    with pytest.raises(InputError) as exc:
        fidelity.score(r)
    assert message(exc) == [
        "ratings column `item`: review R7: 2 of 25 items not rated (S1, SE14) (allowed: all 25 "
        "items rated for every review; totals are never prorated)"]


def test_blank_item_and_blank_review_id():
    r = review_with_total(75, "R7")
    r.loc[1, "item"] = " "
    r.loc[2, "review_id"] = ""
    with pytest.raises(InputError) as exc:
        fidelity.score(r)
    got = message(exc)
    assert "ratings row 3, column `item`: review R7: item is blank (allowed: an IPS-25 item code: " \
           "S1-S3, O1-O8 or SE1-SE14)" in got
    assert "ratings row 4, column `review_id`: review_id is blank (item S3) (allowed: an " \
           "identifier for every review)" in got


def test_bad_round():
    r = review_with_total(75, "R7").assign(round=1)
    r["round"] = r["round"].astype(object)
    r.loc[0, "round"] = "first"
    with pytest.raises(InputError) as exc:
        fidelity.score(r)
    assert message(exc)[-1] == ("ratings row 2, column `round`: review R7: round first is not a whole "
                                "number from 1 to 1000 (allowed: whole numbers from 1 to 1000)")


def test_every_problem_is_listed_not_only_the_first():
    r = review_with_total(75, "R7")
    r["rating"] = r["rating"].astype(object)
    r.loc[[0, 5, 10], "rating"] = [9, "x", 2.5]
    with pytest.raises(InputError, match=r"^3 problems in ratings:") as exc:
        fidelity.score(r)
    rows = [p.row for p in exc.value.problems]
    assert rows == [2, 7, 12]


def test_wide_layout_errors():
    with pytest.raises(InputError) as exc:
        fidelity.score(wide(SE3=[6]))
    assert message(exc) == [
        f"ratings row 2, column `SE3`: review R1, item SE3: 6 is outside 1..5 {ALLOWED_RATING}"]
    with pytest.raises(InputError) as exc:
        fidelity.score(wide().drop(columns=["O4", "SE7"]))
    assert message(exc) == [
        "ratings row 1: no column for items O4, SE7, so no review has them rated (allowed: one "
        "column per IPS-25 item, S1-S3, O1-O8 and SE1-SE14; totals are never prorated)"]
    with pytest.raises(InputError) as exc:
        fidelity.score(wide(SE15=[3]))
    assert message(exc) == [
        "ratings row 1, column `SE15`: SE15 is not an IPS-25 item code (allowed: an IPS-25 item "
        "code: S1-S3, O1-O8 or SE1-SE14)"]
    with pytest.raises(InputError) as exc:
        fidelity.score(pd.concat([wide(), wide()], ignore_index=True))
    assert message(exc) == [
        "ratings row 3, column `review_id`: review R1 appears again (first on row 2) (allowed: one "
        "row per review)"]


def test_csv_errors_name_the_file_and_its_rows(tmp_path):
    path = tmp_path / "ratings.csv"
    r = review_with_total(75, "R7")
    text = r.to_csv(index=False, lineterminator="\n").replace("R7,SE2,3\n", "R7,SE2,3.5\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        fidelity.score(path)
    assert message(exc) == [
        f"{path} row 14, column `rating`: review R7, item SE2: 3.5 is not a whole number "
        f"{ALLOWED_RATING}"]
    # a blank line keeps the spreadsheet's row numbers
    lines = text.splitlines()
    path.write_text("\n".join([*lines[:3], "", *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        fidelity.score(path)
    assert exc.value.problems[0].row == 15


def test_csv_with_a_repeated_item_column(tmp_path):
    path = tmp_path / "wide.csv"
    w = wide()
    header = ",".join([*w.columns, "S1"])
    row = ",".join([*map(str, w.iloc[0].tolist()), "4"])
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        fidelity.score(path)
    assert message(exc) == [f"{path} row 1, column `S1`: item S1 has 2 columns (allowed: one column "
                            "per item)"]


def test_csv_file_level_errors(tmp_path):
    semi = tmp_path / "semi.csv"
    semi.write_text("review_id;item;rating\nR1;S1;3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"review R1: 24 of 25 items not rated"):
        fidelity.score(semi)  # semicolons are read; the review is incomplete
    with pytest.raises(InputError, match="file does not exist"):
        fidelity.score(tmp_path / "nope.csv")
    header_only = tmp_path / "empty.csv"
    header_only.write_text("review_id,item,rating\n", encoding="utf-8")
    with pytest.raises(InputError, match="has a header row but no data rows"):
        fidelity.score(header_only)


def test_csv_row_with_more_values_than_the_header(tmp_path):
    path = tmp_path / "ratings.csv"
    text = review_with_total(75, "R7").to_csv(index=False, lineterminator="\n")
    path.write_text(text.replace("R7,S3,", "R7,S3,4,"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        fidelity.score(path)
    assert message(exc) == [
        f"{path} row 4: has 4 values but the header names 3 columns (value 4 is 5) (allowed: one "
        "value per header column; put quotes around a value that contains a comma)"]


def test_analyses_name_a_missing_column():
    scores = fidelity.score(review_with_total(80))
    with pytest.raises(InputError, match=r"scores column `programme`: required column is missing "
                                         r"\(columns found: review_id, staffing"):
        fidelity.band_distribution(scores, by="programme")
    with pytest.raises(InputError) as exc:
        fidelity.round_change(scores)
    assert [p.column for p in exc.value.problems] == ["site", "round"]
    with pytest.raises(InputError, match=r"reviews column `review_date`: required column is missing"):
        fidelity.first_review(pd.DataFrame({"site": ["a"], "start_date": ["2019-01-01"]}))


def test_layout_that_cannot_be_told():
    with pytest.raises(InputError, match="cannot tell the layout: the header has neither"):
        fidelity.score(pd.DataFrame({"review_id": ["a"], "score": [3]}))
    with pytest.raises(ValueError, match="layout 'tall' not recognised"):
        fidelity.score(review_with_total(80), layout="tall")


# ------------------------------------------------------------------ analyses


def test_band_distribution_counts_shares_and_r_intervals():
    scores = pd.DataFrame({"programme": ["P"] * 14, "total": [90] * 8 + [105] * 6})
    for method, reference in (("wilson", ref.WILSON_OF_14), ("exact", ref.EXACT_OF_14)):
        d = fidelity.band_distribution(scores, by="programme", method=method)
        assert d["band"].tolist() == ["not_ips", "fair", "good", "exemplary"]
        assert d["count"].tolist() == [0, 8, 6, 0] and (d["n"] == 14).all()
        assert_allclose(d["share"].sum(), 1.0)
        for count, (lo, hi) in reference.items():
            row = d[d["count"] == count].iloc[0]
            # R values printed to 15 significant digits
            assert_allclose([row["ci_low"], row["ci_high"]], [lo, hi], rtol=1e-9, atol=1e-12)
        assert ((d["ci_low"] <= d["share"]) & (d["share"] <= d["ci_high"])).all()


def test_band_distribution_per_group_matches_statsmodels_directly():
    s = fidelity_claims.load().scores
    d = fidelity.band_distribution(s, by="programme", confidence=0.9)
    for (prog, band), row in d.set_index(["programme", "band"]).iterrows():
        n = int((s["programme"] == prog).sum())
        k = int(((s["programme"] == prog) & (s["band"] == band)).sum())
        assert (row["n"], row["count"]) == (n, k)
        lo, hi = proportion_confint(k, n, alpha=0.1, method="wilson")
        assert_allclose([row["ci_low"], row["ci_high"]], [max(lo, 0), min(hi, 1)], atol=1e-12)
    assert d.groupby("programme")["count"].sum().to_dict() == s["programme"].value_counts().to_dict()


def test_band_margins():
    m = fidelity.band_margins([25, 73, 74, 114, 125])
    assert m["points_up"].tolist() == [49, 1, 26, 1, pd.NA]
    assert m["points_down"].tolist() == [pd.NA, pd.NA, 1, 15, 11]
    assert m["next_band"].tolist() == ["fair", "fair", "good", "exemplary", None]


def test_section_scores_add_up_to_the_total():
    s = fidelity_claims.load().scores
    sec = fidelity.section_scores(s)
    back = sec.groupby("review_id")["subtotal"].sum()
    assert (back.loc[s["review_id"]].to_numpy() == s["total"].to_numpy()).all()
    assert_allclose(sec["mean_rating"], sec["subtotal"] / sec["items"])
    assert sec["mean_rating"].between(1, 5).all()


def test_first_review_window_boundary():
    r = pd.DataFrame({"site": ["a", "b", "c"],
                      "start_date": pd.to_datetime(["2019-01-15"] * 3),
                      "review_date": pd.to_datetime(["2020-01-14", "2020-01-15", "2019-01-15"])})
    f = fidelity.first_review(r)
    assert f["within"].tolist() == [True, False, True]
    assert f["days_to_first_review"].tolist() == [364, 365, 0]


def pairs_frame(first, second) -> pd.DataFrame:
    n = len(first)
    return pd.DataFrame({"site": [f"s{i:02d}" for i in range(n)] * 2, "round": [1] * n + [2] * n,
                         "total": [*first, *second]})


@pytest.mark.parametrize("which", ["A", "B"])
def test_round_change_matches_r(which):
    first, second = getattr(ref, f"FIRST_{which}"), getattr(ref, f"SECOND_{which}")
    rc = fidelity.round_change(pairs_frame(first, second))
    w = rc.tests.set_index("test").loc["wilcoxon"]
    t = rc.tests.set_index("test").loc["paired_t"]
    v, p = getattr(ref, f"WILCOX_{which}")
    n = len(first)
    # SciPy reports min(T+, T-) for a two-sided test; R reports V = T+
    assert w["statistic"] == min(v, n * (n + 1) / 2 - v)
    assert_allclose(w["p_value"], p, rtol=1e-9)
    tstat, tp, lo, hi, mean = getattr(ref, f"TTEST_{which}")
    assert_allclose([t["statistic"], t["p_value"], t["ci_low"], t["ci_high"], t["estimate"]],
                    [tstat, tp, lo, hi, mean], rtol=1e-9)


def test_round_change_alternative_confidence_and_minimum_p():
    rc = fidelity.round_change(pairs_frame(ref.FIRST_A, ref.SECOND_A), alternative="greater",
                               confidence=0.9)
    w = rc.tests.set_index("test").loc["wilcoxon"]
    assert_allclose(w["p_value"], ref.WILCOX_A_GREATER[1], rtol=1e-12)
    assert w["min_p_value"] == 1 / 32
    t = fidelity.round_change(pairs_frame(ref.FIRST_A, ref.SECOND_A), confidence=0.9)
    tt = t.tests.set_index("test").loc["paired_t"]
    assert_allclose([tt["ci_low"], tt["ci_high"]], ref.TTEST_A_90, rtol=1e-9)
    assert t.tests.set_index("test").loc["wilcoxon", "min_p_value"] == 0.0625
    # the smallest p five sites can give: every change positive
    best = fidelity.round_change(pairs_frame([80] * 5, [81, 82, 83, 84, 85]))
    assert best.tests.set_index("test").loc["wilcoxon", "p_value"] == pytest.approx(0.0625)


def test_round_change_with_ties_is_an_exact_permutation_test():
    first = [80, 80, 80, 80, 80, 80]
    second = [83, 83, 78, 85, 80, 86]  # changes 3, 3, -2, 5, 0, 6: ties and a zero
    rc = fidelity.round_change(pairs_frame(first, second))
    w = rc.tests.set_index("test").loc["wilcoxon"]
    # brute force over all 2^5 sign patterns of the non-zero changes (zero dropped)
    d = np.array([3, 3, -2, 5, 6])
    ranks = pd.Series(np.abs(d)).rank().to_numpy()
    observed = ranks[d > 0].sum()
    mid = ranks.sum() / 2
    stats = [sum(r for r, s in zip(ranks, signs, strict=True) if s) for signs in
             product([0, 1], repeat=len(d))]
    p = np.mean([abs(s - mid) >= abs(observed - mid) - 1e-9 for s in stats])
    assert w["n"] == 5 and "permutation" in w["method"]
    assert_allclose(w["p_value"], p, rtol=1e-12)


def test_round_change_pairs_only_sites_in_both_rounds_and_rejects_duplicates():
    s = pairs_frame(ref.FIRST_A, ref.SECOND_A)
    extra = pd.DataFrame({"site": ["lonely"], "round": [1], "total": [50]})
    rc = fidelity.round_change(pd.concat([s, extra]))
    assert len(rc.pairs) == 5 and "lonely" not in set(rc.pairs["site"])
    assert rc.pairs["band_first"].tolist() == fidelity.classify(ref.FIRST_A).tolist()
    dup = pd.concat([s, s.iloc[[0]]])
    with pytest.raises(InputError, match="has more than one review in round 1"):
        fidelity.round_change(dup)
    with pytest.raises(ValueError, match="at least two units"):
        fidelity.round_change(s.iloc[[0, 5]])


# ------------------------------------------------------------------ synthetic reviews


def test_synthetic_reviews_reproduce_the_published_design():
    revs, ratings = synth.reviews()
    assert revs.groupby("programme")["site"].nunique().to_dict() == {
        "Finland": 5, "IPSNOR": 14, "Ireland": 17}
    fi = revs[revs["programme"] == "Finland"]
    assert fi.groupby("site")["round"].apply(sorted).tolist() == [[1, 2]] * 5
    assert fi.drop_duplicates("site")["group"].value_counts().to_dict() == {
        "more_robust": 2, "less_robust": 2, "mixed": 1}
    no = revs[revs["programme"] == "IPSNOR"]
    assert fidelity.first_review(no)["within"].all()
    assert (no["start_date"].dt.year < 2018).sum() == 4  # four sites before the expansion
    assert no["start_date"].min() == pd.Timestamp("2013-03-01")
    assert (fi["review_date"] < pd.Timestamp("2023-05-01")).all()  # before the interviews
    assert len(ratings) == 25 * len(revs)


def test_finnish_cases_match_the_interview_records():
    from ipsresearch import datasets

    if "harkko2025_cases" not in datasets.names():
        pytest.skip("the interview records of source 004 are not generated in this tree")
    cases = datasets.load("harkko2025_cases").set_index("case_id")
    revs, _ = synth.reviews()
    fi = revs[revs["programme"] == "Finland"].drop_duplicates("site").set_index("site")
    assert sorted(fi.index) == sorted(cases.index)
    assert fi["group"].to_dict() == cases["robustness"].to_dict()
    pes = {c: org != "psychiatric_services" for c, org in cases["organisation"].items()}
    assert {c: p for c, (_, p) in synth.FINNISH_CASES.items()} == pes


def test_simulated_ratings_recover_the_planted_item_means():
    level, sd = 3.6, 0.7
    long = synth.simulate_ratings(40_000, level=level, level_sd=0.0, item_sd=sd, seed=5)
    observed = long.groupby("item")["rating"].mean().reindex(ITEM_CODES).to_numpy()
    effect = np.array([synth.ITEM_EFFECT[c] for c in ITEM_CODES])
    expected = synth.expected_rating(level + effect, sd)
    # SD of a rating is below 1, so the SE of a mean of 40,000 is below 0.005; 0.02 is 4 SE
    assert_allclose(observed, expected, atol=0.02)


def test_simulated_ratings_are_seeded():
    a = synth.simulate_ratings(50, seed=np.random.default_rng(3))
    b = synth.simulate_ratings(50, seed=3)
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------ claims


def test_fidelity_claims_pass_and_the_73_erratum_holds():
    results = {r.id: r for r in verify(sets=["fidelity"])}
    assert {r.status for r in results.values()} == {"pass", "erratum"}
    gap = results["fidelity.not_ips_high"]
    assert gap.status == "erratum" and (gap.published, gap.computed) == (72, 73)
    for key in ("items", "ipsnor_sites", "ipsnor_first_year", "finland_cases", "finland_rounds",
                "finland_more_robust", "finland_less_robust", "finland_mixed", "exemplary_low",
                "good_low", "fair_low", "fair_high"):
        assert results[f"fidelity.{key}"].status == "pass", key


def test_changed_records_make_fidelity_claims_fail(data_copy):
    d = data_copy / "fidelity"
    revs = pd.read_csv(d / "reviews.csv", dtype=str, keep_default_na=False)
    ratings = pd.read_csv(d / "ratings.csv", dtype=str, keep_default_na=False)
    # one Finnish case loses its second round; one IPSNOR site is first reviewed late
    gone = "FI-A-R2"
    revs = revs[revs["review_id"] != gone]
    ratings = ratings[ratings["review_id"] != gone]
    late = revs["site"] == "NO-05"
    revs.loc[late, "review_date"] = (pd.to_datetime(revs.loc[late, "start_date"])
                                     + pd.DateOffset(months=13)).dt.strftime("%Y-%m-%d")
    revs.to_csv(d / "reviews.csv", index=False)
    ratings.to_csv(d / "ratings.csv", index=False)
    results = {r.id: r for r in verify(data_dir=data_copy, sets=["fidelity"])}
    assert results["fidelity.finland_rounds"].status == "fail"
    assert results["fidelity.finland_rounds"].computed == "1 to 2"
    assert results["fidelity.ipsnor_first_year"].status == "fail"
    assert results["fidelity.finland_cases"].status == "pass"


def test_loader_rejects_ratings_of_unlisted_reviews(data_copy):
    d = data_copy / "fidelity"
    revs = pd.read_csv(d / "reviews.csv", dtype=str, keep_default_na=False)
    revs[revs["review_id"] != "IE-03-R1"].to_csv(d / "reviews.csv", index=False)
    with pytest.raises(InputError, match="review IE-03-R1 is rated but not listed in reviews.csv"):
        fidelity_claims.load(data_copy)


# ------------------------------------------------------------------ template and CLI


def test_template_ships_and_scores():
    s = fidelity.score(fidelity.template_path())
    assert s["items_rated"].tolist() == [25] and s["band"].iloc[0] in set(fidelity.IPS25_BANDS["band"])
    long = fidelity.read_ratings(fidelity.template_path())
    assert long.columns.tolist() == ["review_id", "item", "rating"]


def test_cli_prints_totals_and_bands(capsys):
    assert main(["fidelity", str(fidelity.template_path())]) == 0
    out = capsys.readouterr().out
    assert re.search(r"my-site-2024\s+14\s+30\s+54\s+98\s+25\s+fair", out)
    assert "1 review(s) scored: 1 fair" in out


def test_cli_json_has_review_id_total_and_band(capsys, tmp_path):
    path = tmp_path / "w.csv"
    pd.concat([fidelity.to_wide(review_with_total(t, f"r{t}")) for t in (73, 100)]).to_csv(
        path, index=False)
    assert main(["fidelity", str(path), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["review_id"], i["total"], i["band"]) for i in items] == [
        ("r73", 73, "not_ips"), ("r100", 100, "good")]


def test_cli_template_round_trips(capsys):
    assert main(["fidelity", "--template"]) == 0
    assert capsys.readouterr().out == fidelity.template_path().read_text(encoding="utf-8")


def test_cli_bad_file_exits_2_with_the_message(tmp_path):
    path = tmp_path / "bad.csv"
    bad = review_with_total(80, "R1")
    bad.loc[4, "rating"] = 7
    bad.to_csv(path, index=False)
    r = subprocess.run([sys.executable, "-m", "ipsresearch.cli", "fidelity", str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (f"ipsresearch: error: {path} row 6, column `rating`: review R1, "
                                f"item O2: 7 is outside 1..5 {ALLOWED_RATING}")


def test_band_mentions_counts_spanning_cells_in_every_band_they_name():
    t = pd.DataFrame({"bands": ["good;exemplary", "fair", "", None, "good"]})
    m = fidelity.band_mentions(t, column="bands")
    assert m.set_index("band")["count"].to_dict() == {"not_ips": 0, "fair": 1, "good": 2, "exemplary": 1}
    assert (m["n"] == 3).all() and (m["not_reported"] == 2).all()
    with pytest.raises(ValueError, match="band\\(s\\) high not in the band table"):
        fidelity.band_mentions(pd.DataFrame({"bands": ["high"]}), column="bands")


def test_with_changes_rescoring_and_unknown_items():
    r = review_with_total(97, "x")
    changed = fidelity.with_changes(r, {"se14": 4, "SE13": 4})
    assert int(fidelity.score(changed)["total"].iloc[0]) == 97 + 3 + 3
    assert r["rating"].tolist() == review_with_total(97, "x")["rating"].tolist()  # input untouched
    with pytest.raises(ValueError, match="^changes: unknown item code 'X1'; choose from S1, S2"):
        fidelity.with_changes(r, {"X1": 3})
    with pytest.raises(InputError, match="review x, item SE14: 9 is outside 1..5"):
        fidelity.score(fidelity.with_changes(r, {"SE14": 9}))

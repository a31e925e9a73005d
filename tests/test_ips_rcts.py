"""The IPS randomised trials as an extracted dataset (issue 19).

Every count in ``ips_rcts.csv`` is checked against the figures its row
stores as printed (arm sizes, percentages, counts): a count derived from a
percentage must be the only whole number that percentage fits, rounded as
printed; a printed count must agree with its printed percentage or the
disagreement must be recorded; an empty count must be one the rule cannot
settle. Rows without settled counts must stay out of every pooled set, and
the few inferences beyond the rule are recomputed from the stored figures.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest
from scipy import stats

from ipsresearch import datasets, schemas
from ipsresearch.paths import DATASETS_DIR
from ipsresearch.validation import InputError, read_csv

ARMS = ("ips", "control")
POOLED = ("primary", "sensitivity")
PRIMARY_OUTCOMES = {"competitive_employment_ever", "employment_ever_unspecified"}


def fits(k: int, n: int, printed: str) -> bool:
    """Does ``k`` of ``n`` round to the percentage as printed (half a unit of its last decimal)?

    The boundary is included, so both round-half-up and round-half-even readings pass.
    """
    pct = Decimal(printed)
    exponent = pct.as_tuple().exponent
    half = Decimal(5) * Decimal(10) ** (min(exponent, 0) - 1)
    return abs(Decimal(100 * k) / Decimal(n) - pct) <= half


def whole_numbers(n: int, printed: str) -> list[int]:
    """Every count of ``n`` that the printed percentage fits."""
    return [k for k in range(n + 1) if fits(k, n, printed)]


def test_fits_follows_the_printed_decimals():
    assert whole_numbers(46, "70") == [32]        # 32/46 = 69.6%
    assert whole_numbers(46, "29") == []          # 13/46 = 28.3%, 14/46 = 30.4%
    assert whole_numbers(156, "28") == [43, 44]   # 27.6% and 28.2% both print as 28%
    assert whole_numbers(156, "27.6") == [43]     # one decimal settles it
    assert fits(1, 8, "12.5") and fits(1, 8, "13") and fits(1, 8, "12")  # 12.5% exactly: both ways


@pytest.fixture(scope="module")
def trials() -> pd.DataFrame:
    return datasets.load("ips_rcts")


@pytest.fixture(scope="module")
def statistics() -> pd.DataFrame:
    return datasets.load("ips_rct_statistics")


@pytest.fixture(scope="module")
def reviews() -> pd.DataFrame:
    return datasets.load("ips_reviews")


def _int(v) -> int | None:
    return None if pd.isna(v) else int(v)


# ------------------------------------------------------------------ (a) the schema


def test_tables_load_by_name_and_match_their_schemas(trials, statistics, reviews):
    for name, frame, schema in [("ips_rcts", trials, schemas.IPS_RCTS),
                                ("ips_rct_statistics", statistics, schemas.IPS_RCT_STATISTICS),
                                ("ips_reviews", reviews, schemas.IPS_REVIEWS)]:
        assert list(frame.columns) == schema.names, name
        assert len(frame) > 0, name
        direct = read_csv(DATASETS_DIR / f"{name}.csv", schema)
        pd.testing.assert_frame_equal(frame, direct)
    assert {"ips_rcts", "ips_rct_statistics", "ips_reviews"} <= set(datasets.names())


def test_schema_names_file_row_and_column_of_bad_counts(tmp_path, trials):
    bad = trials.copy()
    i = bad.index[bad["study"] == "Burns 2007 (EQOLISE)"][0]
    bad.loc[i, "events_ips"] = 200                      # more events than the 156 in the arm
    j = bad.index[bad["study"] == "Bond 2007"][0]
    bad.loc[j, "analysis_set"] = "primary"              # a row without counts put into a pooled set
    path = tmp_path / "ips_rcts.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        read_csv(path, schemas.IPS_RCTS)
    text = str(info.value)
    assert f"row {i + 2}" in text and "events_ips" in text and "200 IPS events among 156" in text
    assert f"row {j + 2}" in text and "analysis_set" in text and "Bond 2007" in text


# ------------------------------------------------------------------ (b) counts against printed figures


def test_counts_from_percentages_are_the_only_whole_number_that_fits(trials):
    derived = 0
    for _, r in trials.iterrows():
        for arm in ARMS:
            if r[f"basis_{arm}"] != "percent_of_stated_n":
                continue
            derived += 1
            n, printed = _int(r[f"n_{arm}_stated"]), r[f"pct_{arm}_stated"]
            assert n is not None and pd.notna(printed), (r.study, arm)
            assert _int(r[f"n_{arm}"]) == n, (r.study, arm, "denominator is the printed arm size")
            assert whole_numbers(n, printed) == [_int(r[f"events_{arm}"])], (r.study, arm, printed, n)
            assert pd.notna(r["arithmetic"]) and f"of {n}" in r["arithmetic"], r.study
    assert derived >= 10


def test_printed_counts_agree_with_their_printed_percentages_or_say_why_not(trials):
    checked = 0
    for _, r in trials.iterrows():
        for arm in ARMS:
            if r[f"basis_{arm}"] != "stated":
                continue
            k, n = _int(r[f"events_{arm}"]), _int(r[f"n_{arm}"])
            assert (k, n) == (_int(r[f"events_{arm}_stated"]), _int(r[f"n_{arm}_stated"])), r.study
            printed = r[f"pct_{arm}_stated"]
            if pd.isna(printed):
                continue
            checked += 1
            if not fits(k, n, printed):
                # Burns 2007: 85/156 = 54.49% printed as 55%; the row must say so, with both figures
                assert pd.notna(r["discrepancy"]), (r.study, arm)
                assert f"{printed}%" in r["discrepancy"] and f"{k}/{n}" in r["discrepancy"], r.study
    assert checked >= 8


def test_empty_counts_are_ones_the_rule_cannot_settle(trials):
    for _, r in trials.iterrows():
        for arm in ARMS:
            if r[f"basis_{arm}"] != "none":
                assert pd.notna(r[f"events_{arm}"]) and pd.notna(r[f"n_{arm}"]), (r.study, arm)
                continue
            assert pd.isna(r[f"events_{arm}"]) and pd.isna(r[f"n_{arm}"]), (r.study, arm)
            assert pd.isna(r[f"events_{arm}_stated"]), (r.study, arm, "a printed count would settle it")
            n, printed = _int(r[f"n_{arm}_stated"]), r[f"pct_{arm}_stated"]
            if n is not None and pd.notna(printed):
                assert len(whole_numbers(n, printed)) != 1, (r.study, arm, "the rule settles this count")
                assert pd.notna(r["arithmetic"]), (r.study, "say why no whole number fits")


def test_inferred_counts_reproduce_the_printed_percentages(trials):
    inferred = trials[trials["inferred_n_ips"].notna()]
    assert len(inferred) >= 3
    for _, r in inferred.iterrows():
        assert pd.notna(r["inference"]), r.study
        for arm in ARMS:
            k, n = _int(r[f"inferred_events_{arm}"]), _int(r[f"inferred_n_{arm}"])
            assert k is not None and n is not None, (r.study, arm)
            assert fits(k, n, r[f"pct_{arm}_stated"]), (r.study, arm)
            if r[f"basis_{arm}"] != "none":   # a settled arm is carried over unchanged
                assert (k, n) == (_int(r[f"events_{arm}"]), _int(r[f"n_{arm}"])), (r.study, arm)


def _percent(statistics, trial, arm, outcome_word) -> str:
    rows = statistics[(statistics["trial"] == trial) & (statistics["statistic"] == "percent")
                      & (statistics["arm"] == arm) & statistics["outcome"].str.contains(outcome_word)]
    assert len(rows) == 1, (trial, arm, outcome_word)
    return rows["value_as_printed"].iloc[0].rstrip("%")


def test_drake_1999_only_74_makes_every_printed_ips_percentage_whole(trials, statistics):
    r = trials.set_index("study").loc["Drake 1999"]
    printed = [r["pct_ips_stated"], _percent(statistics, "dc_drake_1999", "ips", "20 hours"),
               _percent(statistics, "dc_drake_1999", "ips", "sheltered")]
    sizes = [n for n in range(1, int(r["n_ips_stated"]) + 1) if all(whole_numbers(n, p) for p in printed)]
    assert sizes == [int(r["inferred_n_ips"])] == [74]
    assert whole_numbers(74, r["pct_ips_stated"]) == [int(r["inferred_events_ips"])]


def test_mueser_2004_arm_sizes_follow_from_the_total_and_six_percentages(trials, statistics):
    rows = trials[trials["trial"] == "hartford_mueser_2004"].set_index("study")
    psr, ss = rows.loc["Mueser 2004 (vs PSR)"], rows.loc["Mueser 2004 (vs standard services)"]
    total = int(psr["n_total_stated"])
    paid = {a: _percent(statistics, "hartford_mueser_2004", a, "paid")
            for a in ("ips", "psr", "standard_services")}
    printed = {"ips": [psr["pct_ips_stated"], paid["ips"]],
               "psr": [psr["pct_control_stated"], paid["psr"]],
               "ss": [ss["pct_control_stated"], paid["standard_services"]]}

    def ok(n, arm):
        return all(whole_numbers(n, p) for p in printed[arm])

    splits = [(a, b, total - a - b) for a in range(1, total) if ok(a, "ips")
              for b in range(1, total - a) if ok(b, "psr") and ok(total - a - b, "ss")]
    assert splits == [(int(psr["inferred_n_ips"]), int(psr["inferred_n_control"]), int(ss["inferred_n_control"]))]
    competitive_only = [(a, b) for a in range(1, total) if whole_numbers(a, printed["ips"][0])
                        for b in range(1, total - a) if whole_numbers(b, printed["psr"][0])
                        and whole_numbers(total - a - b, printed["ss"][0])]
    assert len(competitive_only) == 7          # the note's "7 splits fit"
    assert psr["inferred_events_ips"] == ss["inferred_events_ips"]   # one shared IPS arm


def _woolf(a, n1, c, n2):
    b, d = n1 - a, n2 - c
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = stats.norm.ppf(0.975)
    return math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se)


def test_wong_2008_control_table_is_the_only_one_matching_the_printed_odds_ratio(trials, statistics):
    r = trials.set_index("study").loc["Wong 2008"]
    [odds] = statistics.loc[(statistics["trial"] == "hk_wong_2008") & (statistics["statistic"] == "odds_ratio"),
                            "value"]
    hits = []
    for n1 in range(30, int(r["n_ips_stated"]) + 1):
        for a in whole_numbers(n1, r["pct_ips_stated"]):
            for n2 in range(30, int(r["n_control_stated"]) + 1):
                for c in whole_numbers(n2, r["pct_control_stated"]):
                    if round(_woolf(a, n1, c, n2)[0], 2) == odds:
                        hits.append((a, n1, c, n2))
    assert hits == [(int(r["inferred_events_ips"]), int(r["inferred_n_ips"]),
                     int(r["inferred_events_control"]), int(r["inferred_n_control"]))]
    low = _woolf(*hits[0])[1]
    assert round(low, 2) == 2.29 and "2.29" in r["analysis_reason"]   # printed 2.28: hence not settled


def test_statements_that_counts_reproduce_printed_statistics_hold(trials, statistics):
    t = trials.set_index("study")

    def printed(trial, statistic, outcome_word=""):
        s = statistics[(statistics["trial"] == trial) & (statistics["statistic"] == statistic)
                       & statistics["outcome"].str.contains(outcome_word)]
        assert len(s) == 1, (trial, statistic)
        return s.iloc[0]

    def arms(study):
        r = t.loc[study]
        return int(r.events_ips), int(r.n_ips), int(r.events_control), int(r.n_control)

    a, n1, c, n2 = arms("Burns 2007 (EQOLISE)")
    p1, p2 = a / n1, c / n2
    half = stats.norm.ppf(0.975) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    rd = printed("eqolise", "risk_difference")
    assert [round(100 * x, 1) for x in (p1 - p2, p1 - p2 - half, p1 - p2 + half)] == \
        [rd.value, rd.ci_low, rd.ci_high]

    a, n1, c, n2 = arms("Davis 2012")
    chi2 = stats.chi2_contingency([[a, n1 - a], [c, n2 - c]], correction=False)[0]
    assert round(chi2, 2) == printed("tuscaloosa_davis_2012", "chi_squared").value
    assert round(1 / (a / n1 - c / n2), 2) == printed("tuscaloosa_davis_2012", "number_needed_to_treat").value

    a, n1, c, n2 = arms("VA primary-care IPS trial (NCT02400736)")
    assert round(_woolf(a, n1, c, n2)[0], 2) == printed("va_pact", "odds_ratio").value
    p = stats.chi2_contingency([[a, n1 - a], [c, n2 - c]], correction=False)[1]
    assert round(p, 2) == printed("va_pact", "p_value").value

    a, n1, c, n2 = arms("Gold 2006")
    phi = math.sqrt(stats.chi2_contingency([[a, n1 - a], [c, n2 - c]], correction=False)[0] / (n1 + n2))
    assert round(phi, 2) == printed("sc_gold_2006", "effect_size").value

    a, n1, c, n2 = arms("Cook 2005 (EIDP)")
    chi2 = stats.chi2_contingency([[a, n1 - a], [c, n2 - c]], correction=False)[0]
    assert round(chi2, 2) == printed("eidp", "chi_squared", "competitive").value


# ------------------------------------------------------------------ (c) pooling only with settled counts


def _settled(r) -> bool:
    return all(pd.notna(r[f"{what}_{arm}"]) for what in ("n", "events") for arm in ARMS)


def test_rows_without_settled_counts_are_excluded_from_pooling_with_a_reason(trials):
    unsettled = trials[~trials.apply(_settled, axis=1)]
    assert len(unsettled) >= 15
    assert (unsettled["analysis_set"] == "none").all()
    assert unsettled["analysis_reason"].str.strip().str.len().gt(20).all()
    pooled = trials[trials["analysis_set"].isin(POOLED)]
    assert pooled.apply(_settled, axis=1).all()
    assert trials["analysis_reason"].notna().all()


def test_inferred_counts_never_enter_a_pooled_set(trials):
    inferred = trials[trials["inferred_n_ips"].notna() | trials["inferred_n_control"].notna()]
    assert (inferred["analysis_set"] == "none").all()
    assert (inferred["confidence"] == "low").all()


# ------------------------------------------------------------------ (d) internal consistency


def test_counts_never_exceed_their_arms(trials):
    for prefix in ("", "inferred_"):
        for arm in ARMS:
            e, n = trials[f"{prefix}events_{arm}"], trials[f"{prefix}n_{arm}"]
            both = e.notna() & n.notna()
            assert (e[both] >= 0).all() and (e[both] <= n[both]).all()
    for arm in ARMS:
        stated = trials[[f"n_{arm}_stated", "n_total_stated"]].dropna()
        assert (stated[f"n_{arm}_stated"] <= stated["n_total_stated"]).all()


def test_confidence_follows_from_how_the_counts_were_established(trials):
    for _, r in trials.iterrows():
        bases = {r.basis_ips, r.basis_control}
        if bases == {"stated"}:
            expected = "high"
        elif "none" not in bases:
            expected = "medium"
        elif pd.notna(r.inferred_n_ips) and pd.notna(r.inferred_n_control):
            expected = "low"
        else:
            expected = "unavailable"
        assert r.confidence == expected, r.study


def test_analysis_sets_follow_their_rules(trials):
    primary = trials[trials["analysis_set"] == "primary"]
    assert len(primary) >= 4
    assert primary["confidence"].isin(["high", "medium"]).all()
    assert primary["smi"].all()
    assert primary["outcome_category"].isin(PRIMARY_OUTCOMES).all()
    assert (primary["verification"] == "verified").all()
    sensitivity = trials[trials["analysis_set"] == "sensitivity"]
    assert sensitivity["confidence"].isin(["high", "medium"]).all()
    pooled = trials[trials["analysis_set"].isin(POOLED)]
    assert not pooled["trial"].duplicated().any(), "a trial enters the pooled analyses once"


def test_every_row_names_its_source(trials):
    for _, r in trials.iterrows():
        assert pd.notna(r.source_location), r.study
        if pd.isna(r.source_url):
            assert pd.notna(r.notes) and "no address" in r.notes.lower(), r.study
        else:
            assert r.source_url.startswith("http"), r.study
        for url in ([] if pd.isna(r.other_sources) else r.other_sources.split(" ; ")):
            assert url.startswith("http"), (r.study, url)


def test_statistics_and_reviews_refer_to_known_trials(trials, statistics, reviews):
    studies = dict(zip(trials["study"], trials["trial"], strict=True))
    for _, s in statistics.iterrows():
        key = s.study if s.study in studies else s.study.split(" (")[0]
        assert s.trial in set(trials["trial"]), s.study
        if key in studies:
            assert studies[key] == s.trial, s.study
        assert (pd.isna(s.ci_low) or s.ci_low <= s.value <= s.ci_high), s.study
    keys = set(trials["trial"])
    for _, r in reviews.dropna(subset=["included_trials"]).iterrows():
        assert set(r.included_trials.split(" ; ")) <= keys, r.review
        assert pd.notna(r.included_trials_basis), r.review


def test_recorded_discrepancies_hold(trials, statistics):
    """The queries the table records are arithmetic facts about the printed figures."""
    t = trials.set_index("study")
    burns = t.loc["Burns 2007 (EQOLISE)"]
    assert not fits(85, 156, burns.pct_ips_stated) and fits(85, 156, "54.5")

    # Lehman 2002: an odds ratio of 27% vs 7% stays below the printed 5.58 across the rounding intervals
    def odds(p1, p2):
        return (p1 / (1 - p1)) / (p2 / (1 - p2))
    low, high = odds(0.265, 0.075), odds(0.275, 0.065)
    assert round(low, 1) == 4.4 and round(high, 1) == 5.5
    [printed] = statistics.loc[(statistics["trial"] == "baltimore_lehman_2002")
                               & (statistics["statistic"] == "odds_ratio")
                               & statistics["outcome"].str.startswith("competitive"), "value"]
    assert printed > high

    # Howard 2010: 13% against 7% is a ratio of about 1.9, not the printed 1.35
    [rr] = statistics.loc[(statistics["trial"] == "swan") & (statistics["statistic"] == "risk_ratio"), "value"]
    assert round(13 / 7, 1) == 1.9 and rr == 1.35

    # crude odds ratios of the printed counts differ from the printed ones (adjusted models, probably)
    for study, crude in [("Hellstrom 2017 (IPS-MA)", (1.32, 0.85, 2.05)), ("Davis 2018 (VIP-STAR)", (2.08, 1.43, 3.02))]:
        r = t.loc[study]
        got = _woolf(int(r.events_ips), int(r.n_ips), int(r.events_control), int(r.n_control))
        assert tuple(round(x, 2) for x in got) == crude, study
        assert all(f"{x:.2f}" in r.discrepancy for x in crude), study

    # Oshima 2014: p = .022 is neither chi-square without correction nor Fisher's exact test
    r = t.loc["Oshima 2014"]
    table = [[int(r.events_ips), int(r.n_ips - r.events_ips)], [int(r.events_control), int(r.n_control - r.events_control)]]
    assert round(stats.chi2_contingency(table, correction=False)[1], 3) == 0.020
    assert round(stats.fisher_exact(table)[1], 3) == 0.029


def test_justice_trial_counts_are_the_only_split_matching_the_reviews_risk_ratio(trials, statistics):
    r = trials.set_index("study").loc["IPS for justice-involved people (ps.201400510)"]
    rr = statistics[(statistics["trial"] == "justice_ips") & (statistics["statistic"] == "risk_ratio")].iloc[0]
    total, z = int(r.n_total_stated), stats.norm.ppf(0.975)
    hits = []
    for n1 in range(1, total):
        n2 = total - n1
        for a in whole_numbers(n1, r.pct_ips_stated):
            for c in whole_numbers(n2, r.pct_control_stated):
                if c and round((a / n1) / (c / n2), 2) == rr.value:
                    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
                    log_rr = math.log((a / n1) / (c / n2))
                    hits.append((a, n1, c, n2, round(math.exp(log_rr - z * se), 2), round(math.exp(log_rr + z * se), 2)))
    assert hits == [(int(r.inferred_events_ips), int(r.inferred_n_ips), int(r.inferred_events_control),
                     int(r.inferred_n_control), rr.ci_low, rr.ci_high)]

"""The IPS trials' own published statistics in the claims register (issue 19, item 2): each one
recomputed from the trial table's counts, never from the printed value; tolerances set by the
printed rounding; the differences kept as queries only while they are there."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from ipsresearch import datasets
from ipsresearch.claims import evaluate
from ipsresearch.cli import main
from ipsresearch.paths import DATASETS_DIR
from ipsresearch.studies import ips_trial_statistics, left_out, verify

PASS = {
    "burns_risk_difference", "burns_risk_difference_low", "burns_risk_difference_high",
    "burns_ips_percent", "burns_control_percent", "lehman_any_work_odds_ratio", "gold_p",
    "gold_effect_size", "killackey2008_p", "davis2012_nnt", "davis2012_chi_squared", "davis2012_p",
    "davis2012_times_more_likely", "davis2012_review_risk_ratio", "davis2012_review_risk_ratio_low",
    "davis2012_review_risk_ratio_high", "bejerholm_risk_difference", "hellstrom_p_from_interval",
    "killackey2019_p", "cook_chi_squared", "cook_p", "davis2018_p", "va_pact_odds_ratio", "va_pact_p",
}
QUERY = {
    "burns_ips_percent_lancet", "lehman_competitive_odds_ratio", "swan_risk_ratio", "oshima_p",
    "hellstrom_odds_ratio", "hellstrom_odds_ratio_low", "hellstrom_odds_ratio_high", "hellstrom_p",
    "davis2018_odds_ratio", "davis2018_odds_ratio_low", "davis2018_odds_ratio_high",
}


def _results(**kw) -> dict[str, object]:
    return {r.id.removeprefix("ips_trials."): r for r in verify(sets=["ips_trials"], **kw)}


def _patch(monkeypatch, name: str, edit) -> None:
    """Serve the extracted table ``name`` through ``edit(frame) -> frame`` (a copy)."""
    original = datasets.load

    def fake(table, **kw):
        frame = original(table, **kw)
        return edit(frame.copy()) if table == name else frame

    monkeypatch.setattr(datasets, "load", fake)


def test_every_printed_statistic_that_can_be_recomputed_passes_or_is_a_query():
    results = _results()
    assert {i for i, r in results.items() if r.status == "pass"} == PASS
    assert {i for i, r in results.items() if r.status == "query"} == QUERY
    assert {r.basis for r in results.values()} == {"transcribed", "identity"}
    for r in results.values():
        assert r.source == ips_trial_statistics.SOURCE and r.report == "06-evidence-for-ips"
        assert f"Read at {r.quantity.split(':')[0]}: " in r.note  # the report and where in it
        if r.status == "query":  # the conflicting values, side by side
            assert r.query and r.versus and r.computed != r.published


def test_the_known_differences_carry_the_values_that_conflict():
    r = _results()
    assert round(r["burns_ips_percent_lancet"].computed, 2) == 54.49  # printed 55
    assert round(r["lehman_competitive_odds_ratio"].computed, 2) == 4.91  # printed 5.58
    assert round(r["swan_risk_ratio"].computed, 2) == 1.86  # printed 1.35
    assert round(r["oshima_p"].computed, 3) == 0.020  # printed .022
    assert [round(r[f"hellstrom_odds_ratio{s}"].computed, 2) for s in ("", "_low", "_high")] == [1.32, 0.85, 2.05]
    assert [round(r[f"davis2018_odds_ratio{s}"].computed, 2) for s in ("", "_low", "_high")] == [2.08, 1.43, 3.02]
    for claim in ("lehman_competitive_odds_ratio", "oshima_p", "hellstrom_odds_ratio"):
        assert re.search(r"\d", r[claim].query), claim


def test_a_claim_never_reads_its_own_printed_value():
    """Moving the value and interval of a claim's own row of ips_rct_statistics, or the trial
    table's printed percentages of the Lancet's 55%, changes no recomputation."""
    data = ips_trial_statistics.load()
    claims = ips_trial_statistics.CLAIMS.claims()
    before = {c.id: evaluate(c, data).computed for c in claims}
    for c in claims:
        stats = data["statistics"].copy()
        for col in ("value", "ci_low", "ci_high"):
            stats.loc[stats.index[c.line - 2], col] = stats[col].iloc[c.line - 2] + 1000
        assert evaluate(c, {**data, "statistics": stats}).computed == before[c.id], c.id
    trials = data["trials"].copy()
    trials.loc[trials["trial"] == "eqolise", ["pct_ips_stated", "pct_control_stated"]] = "99"
    lancet = next(c for c in claims if c.id == "ips_trials.burns_ips_percent_lancet")
    assert evaluate(lancet, {**data, "trials": trials}).computed == before[lancet.id]


def test_a_changed_count_fails_the_passes_and_ends_a_query(monkeypatch):
    """86 IPS participants in work instead of 85: Burns' difference no longer agrees, and the 55% of
    the Lancet abstract would agree (86/156 = 55.1%), so its query fails rather than hide."""
    def one_more(frame):
        frame.loc[frame["trial"] == "eqolise", "events_ips"] = 86
        return frame

    _patch(monkeypatch, "ips_rcts", one_more)
    r = _results()
    assert r["burns_risk_difference"].status == "fail" and round(r["burns_risk_difference"].computed, 1) == 27.6
    assert r["burns_ips_percent"].status == "fail"
    assert r["burns_ips_percent_lancet"].status == "fail"  # a stale query cannot hide
    assert r["davis2012_chi_squared"].status == "pass"  # other trials untouched


def test_a_statistic_of_a_trial_without_settled_counts_fails_loudly(monkeypatch):
    def no_control(frame):
        frame.loc[frame["trial"] == "ips_ma", "events_control"] = pd.NA
        return frame

    _patch(monkeypatch, "ips_rcts", no_control)
    r = _results()["hellstrom_odds_ratio"]
    assert r.status == "fail" and "settles no count for both arms" in r.error


def _decimals(text: str) -> int:
    numbers = re.findall(r"\d*\.?\d+", text)
    last = numbers[-1] if numbers else ""
    return len(last.split(".")[1]) if "." in last else 0


def test_tolerances_are_set_by_the_printed_rounding():
    """A recomputation from counts agrees within half a unit of the printed figure's last digit;
    one from printed percentages may need more (what their rounding can move), never less."""
    for claim_id, r in _results().items():
        if not isinstance(r.published, float | int) or isinstance(r.published, bool):
            assert r.tolerance == 0, claim_id  # '< 0.001' is compared as printed
            continue
        half_unit = 0.5 * 10 ** -_decimals(r.printed or repr(r.published))
        if r.basis == "transcribed":
            assert r.tolerance == pytest.approx(half_unit), claim_id
        else:
            assert r.tolerance >= half_unit, claim_id


def test_left_out_rows_and_claims_cover_the_whole_table():
    """Every row of ips_rct_statistics is a claim's line, an input named by a claim, or left out."""
    lines = len((DATASETS_DIR / "ips_rct_statistics.csv").read_text(encoding="utf-8").splitlines())
    covered = set()
    for r in verify(sets=["ips_trials"]):
        covered |= {r.line, *r.lines}
    for _, row in left_out().query("source == 'ips_trials'").iterrows():
        for part in row["lines"].split(", "):
            a, _, b = part.partition("-")
            covered |= set(range(int(a), int(b or a) + 1))
        assert row["reason"], row["lines"]
    assert covered == set(range(2, lines + 1))


def test_verify_json_carries_the_trial_claims_and_ignores_a_users_data_dir(tmp_path, capsys):
    """The trial tables ship with the package: a user's folder neither feeds nor is checked for them."""
    assert main(["verify", "--json", "--only", "ips_trials", "--data-dir", str(tmp_path)]) == 0
    items = json.loads(capsys.readouterr().out)
    assert {i["id"].removeprefix("ips_trials.") for i in items} == PASS | QUERY
    burns = next(i for i in items if i["id"] == "ips_trials.burns_risk_difference")
    assert burns["source"] == "ips_rct_statistics.csv" and burns["line"] == 2 and burns["basis"] == "transcribed"

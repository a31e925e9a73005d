"""The claims register: bases, statuses, errata and queries, recomputation from data."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from ipsresearch import claims, studies
from ipsresearch.claims import (
    BASES,
    STATUSES,
    Claim,
    ClaimResult,
    ClaimSet,
    evaluate,
    results_frame,
)
from ipsresearch.sources import SOURCES, by_file
from ipsresearch.studies import verify


def _claim(published, compute, **kw) -> Claim:
    kw.setdefault("basis", "transcribed")
    return Claim("t.x", "000_x.txt", 1, "something", published, compute, **kw)


def test_no_registered_claim_fails_and_every_one_has_a_basis():
    results = verify()
    bad = [(r.id, r.published, r.computed, r.error) for r in results if r.status == "fail"]
    assert bad == []
    ids = [r.id for r in results]
    assert len(ids) == len(set(ids))
    assert {r.basis for r in results} == set(BASES)  # every basis is in use
    assert {r.status for r in results} == set(STATUSES) - {"fail"}


def test_the_register_keeps_every_genuine_contradiction_and_no_misreading():
    status = {r.id: r.status for r in verify()}
    errata = {i for i, s in status.items() if s == "erratum"}
    assert errata == {
        "moen2021.first_year",               # 2007 against 2001
        "moen2021.records_total",            # 478 + 49 against 519
        "moen2021.studies_in_references",    # Nygren 2016 has no reference
        "moen2021.whitley_fidelity",         # 'High' for scores in not IPS / fair
        "fidelity.not_ips_high",             # the gap at 73
        "bonfils_review.tt_spelling",        # Tansella / Transella
        "harkko2025.participant_4_role",     # employment specialist / nursing director
        "ipsnor.named_citations",            # Fixen / Fixsen
    }
    assert {i for i, s in status.items() if s == "query"} == {
        "moen2021.sw_sources_with_sw", "moen2021.c_sources_with_c", "moen2021_metaphors.clinicians",
        "bonfils_review.determinant_papers", "bonfils_review.process_papers",
        # the trials' reports: what their counts or printed percentages give differs from what they print
        "ips_trials.burns_ips_percent_lancet",       # 85/156 = 54.49%, printed 55%
        "ips_trials.lehman_competitive_odds_ratio",  # 27% vs 7% give at most 5.46, printed 5.58
        "ips_trials.swan_risk_ratio",                # 13% vs 7% give 1.67-2.08, printed 1.35
        "ips_trials.oshima_p",                       # 8/18 vs 2/19: 0.020, 0.029 or 0.051, printed .022
        "ips_trials.hellstrom_odds_ratio", "ips_trials.hellstrom_odds_ratio_low",
        "ips_trials.hellstrom_odds_ratio_high", "ips_trials.hellstrom_p",  # crude 1.32, printed 1.34
        "ips_trials.davis2018_odds_ratio", "ips_trials.davis2018_odds_ratio_low",
        "ips_trials.davis2018_odds_ratio_high"}      # crude 2.08, printed 2.14
    for misreading in ("moen2021.case_ethno_all_groups", "ipsnor.every_theme_has_subthemes",
                       "bonfils_review.case_study_designs", "bonfils_review.combined_designs",
                       "bonfils_review.interview_designs", "bonfils_review.theoretical_approach",
                       "moen2021.screened"):
        assert status[misreading] == "pass", misreading
    assert "bonfils_review.individual_level_half" not in status  # no data: left out


def test_every_erratum_and_query_shows_the_other_statement_and_why():
    for r in verify():
        if r.status in ("erratum", "query"):
            assert r.versus and all(line >= 1 and says for line, says in r.versus), r.id
            assert (r.erratum or r.query), r.id


def test_published_is_printed_and_counted_values_are_kept_apart():
    for r in verify():
        assert (r.published is None) != (r.counted is None), r.id
        if r.published is None:
            assert r.note or r.query or r.erratum, r.id  # a count of ours says how it was made


def test_cited_figures_are_unchecked_and_name_their_source():
    cited = [r for r in verify() if r.basis == "cited"]
    assert cited and all(r.status == "unchecked" and r.computed is None and r.reference for r in cited)
    stay = next(r for r in cited if r.id == "job_retention.stay_in_work")
    assert stay.published == 40 and "Reme" in stay.reference


def test_calibrated_claims_count_synthetic_records(data_copy):
    """A calibrated claim follows the synthetic records: it demonstrates, it does not check the paper."""
    before = {r.id: r for r in verify(sets=["harkko2025"])}
    assert before["harkko2025.targeted"].basis == "calibrated"
    path = data_copy / "harkko2025" / "roster.csv"
    roster = pd.read_csv(path, dtype=str, keep_default_na=False)
    roster[roster["took_part"] == "true"].to_csv(path, index=False)  # drop who declined
    after = {r.id: r for r in verify(data_dir=data_copy, sets=["harkko2025"])}
    assert after["harkko2025.targeted"].status == "fail" and after["harkko2025.targeted"].computed == 29
    # the identity claim on the paper's own numbers is untouched by the records
    assert after["harkko2025.sample_attrition"].status == "pass"


def test_every_claim_names_a_source_file_and_line(sources):
    """A source paper's text, or for the trials' reports (no text held) the extracted table
    that transcribes them row by row with each report's address."""
    from ipsresearch.paths import DATASETS_DIR

    files = {s.file for s in SOURCES.values()}
    lines = {name: (sources / name).read_text(encoding="utf-8").splitlines() for name in files}
    lines["ips_rct_statistics.csv"] = (DATASETS_DIR / "ips_rct_statistics.csv").read_text(
        encoding="utf-8").splitlines()
    for r in verify():
        assert r.source in lines, r.id
        assert r.source in files or r.id.startswith("ips_trials."), r.id
        for n in (r.line, *r.lines):  # every cited line exists and holds text
            assert 1 <= n <= len(lines[r.source]) and lines[r.source][n - 1].strip(), (r.id, n)
        assert r.quantity and r.report


def test_status_rules():
    assert evaluate(_claim(3, lambda d: 3), None).status == "pass"
    assert evaluate(_claim(None, lambda d: 3, counted=3), None).status == "pass"
    assert evaluate(_claim(None, lambda d: 4, counted=3), None).status == "fail"
    assert evaluate(_claim(3, lambda d: 4), None).status == "fail"
    assert evaluate(_claim(0.40, lambda d: 0.43, tolerance=0.05), None).status == "pass"
    assert evaluate(_claim(0.40, lambda d: 0.46, tolerance=0.05), None).status == "fail"
    # an erratum, and a query, hold only while the values still differ
    other = ((55, "478 + 49"),)
    assert evaluate(_claim(519, lambda d: 527, erratum="sum", versus=other), None).status == "erratum"
    assert evaluate(_claim(519, lambda d: 519, erratum="sum", versus=other), None).status == "fail"
    assert evaluate(_claim(2, lambda d: 1, query="read so", versus=other), None).status == "query"
    assert evaluate(_claim(2, lambda d: 2, query="read so", versus=other), None).status == "fail"
    # a cited figure without data is unchecked, never a pass
    cited = evaluate(_claim(40, None, basis="cited", reference="ref 5"), None)
    assert cited.status == "unchecked" and cited.computed is None
    assert evaluate(_claim("Sweden", lambda d: "sweden"), None).status == "pass"
    assert evaluate(_claim(True, lambda d: False), None).status == "fail"


@pytest.mark.parametrize(("kw", "message"), [
    ({"basis": "verified"}, "basis 'verified' is not one of transcribed"),
    ({"basis": ""}, "basis '' is not one of"),
    ({"counted": 3}, "exactly one of published"),
    ({"erratum": "x"}, "names the other printed statement"),
    ({"erratum": "x", "query": "y", "versus": ((1, "a"),)}, "an erratum or a query, not both"),
    ({"basis": "cited"}, "names the work it comes from"),
])
def test_a_claim_that_does_not_say_how_it_can_fail_is_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        _claim(3, lambda d: 3, **kw)
    with pytest.raises(ValueError, match="only a cited figure may have no compute"):
        _claim(3, None)


def test_results_round_trip_through_json_with_their_basis():
    for r in verify(sets=["moen2021", "ipsnor"]):
        d = r.to_dict()
        assert d["basis"] in BASES and list(d)[:6] == ["id", "source", "line", "lines", "quantity", "basis"]
        assert ClaimResult.from_dict(d) == r


def test_a_compute_error_is_a_fail_with_the_error_recorded():
    r = evaluate(_claim(3, lambda d: 1 / 0), None)
    assert r.status == "fail" and r.computed is None
    assert r.error.startswith("ZeroDivisionError")


def test_compute_never_sees_the_published_value():
    seen = []
    cs = ClaimSet("t", "test", load=lambda d: {"records": [1, 2, 3]},
                  claims=lambda: [_claim(3, lambda d: seen.append(d) or len(d["records"]))])
    [r] = claims.verify(claim_sets=[cs])
    assert r.status == "pass" and seen == [{"records": [1, 2, 3]}]


def test_changed_records_make_the_pilot_claim_fail(data_copy):
    path = data_copy / "irish_pilot" / "participants.csv"
    people = pd.read_csv(path, dtype=str, keep_default_na=False)
    people.iloc[:-1].to_csv(path, index=False)  # drop one participant (and keep their spells out)
    spells_path = data_copy / "irish_pilot" / "job_spells.csv"
    spells = pd.read_csv(spells_path, dtype=str, keep_default_na=False)
    spells[spells["participant_id"] != people["participant_id"].iloc[-1]].to_csv(spells_path, index=False)
    status = {r.id: r for r in verify(data_dir=data_copy, sets=["irish_pilot"])}
    assert status["irish_pilot.participants"].status == "fail"
    assert status["irish_pilot.participants"].computed == 64


def test_results_frame_columns():
    frame = results_frame(verify(sets=["irish_pilot"]))
    for col in ("id", "source", "line", "quantity", "basis", "published", "counted", "computed",
                "tolerance", "status", "versus"):
        assert col in frame.columns


def test_claims_verify_without_claim_sets_is_deprecated_and_forwards():
    with pytest.warns(DeprecationWarning, match="studies.verify"):
        old = claims.verify(sets=["irish_pilot"])
    assert [r.to_dict() for r in old] == [r.to_dict() for r in verify(sets=["irish_pilot"])]


def test_claims_verify_filters_the_given_sets_and_rejects_duplicate_ids():
    a = ClaimSet("a", "A", load=lambda d: 1, claims=lambda: [_claim(1, lambda d: d)])
    b = ClaimSet("b", "B", load=lambda d: 2, claims=lambda: [_claim(2, lambda d: d)])
    assert [r.computed for r in claims.verify(claim_sets=[a, b], sets=["b"])] == [2]
    with pytest.raises(ValueError, match="duplicate claim id 't.x'"):
        claims.verify(claim_sets=[a, b])


def test_claim_set_keys_and_sources_are_declared_once():
    """Every study's claims cite its own source; each source's key is a claim set."""
    sets = {cs.key: cs for cs in studies.claim_sets()}
    assert set(SOURCES) <= set(sets)
    for key, source in SOURCES.items():
        assert {c.source for c in sets[key].claims()} == {source.file}, key
        assert all(c.id.startswith(f"{key}.") for c in sets[key].claims())
        assert by_file(source.file) is source
    with pytest.raises(KeyError, match="unknown source file 'x.txt'; sources: 000_"):
        by_file("x.txt")


def test_old_names_of_the_sources_warn_and_forward():
    with pytest.warns(DeprecationWarning, match="ipsresearch.sources"):
        old = studies.SEEDS
    assert old == {s.file: s for s in SOURCES.values()}
    with pytest.warns(DeprecationWarning):
        assert studies.Seed is type(SOURCES["moen2021"])


def test_the_claims_model_imports_nothing_from_the_package():
    code = ("import sys, ipsresearch.claims; "
            "print(sorted(m for m in sys.modules if m.startswith('ipsresearch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['ipsresearch',", "'ipsresearch.claims']"]

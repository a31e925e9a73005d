"""The claims register: statuses, errata semantics, recomputation from records."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from ipsresearch import claims, studies
from ipsresearch.claims import Claim, ClaimSet, evaluate, results_frame
from ipsresearch.sources import SOURCES, by_file
from ipsresearch.studies import verify


def _claim(published, compute, **kw) -> Claim:
    return Claim("t.x", "000_x.txt", 1, "something", published, compute, **kw)


def test_every_registered_claim_passes_or_is_an_erratum():
    results = verify()
    bad = [(r.id, r.published, r.computed, r.error) for r in results if r.status == "fail"]
    assert bad == []
    ids = [r.id for r in results]
    assert len(ids) == len(set(ids))


def test_every_claim_names_a_source_file_and_line(sources):
    files = {s.file for s in SOURCES.values()}
    lines = {name: (sources / name).read_text(encoding="utf-8").splitlines() for name in files}
    for r in verify():
        assert r.source in files, r.id
        for n in (r.line, *r.lines):  # every cited line exists and holds text
            assert 1 <= n <= len(lines[r.source]) and lines[r.source][n - 1].strip(), (r.id, n)
        assert r.quantity and r.report


def test_status_rules():
    assert evaluate(_claim(3, lambda d: 3), None).status == "pass"
    assert evaluate(_claim(3, lambda d: 4), None).status == "fail"
    assert evaluate(_claim(0.40, lambda d: 0.43, tolerance=0.05), None).status == "pass"
    assert evaluate(_claim(0.40, lambda d: 0.46, tolerance=0.05), None).status == "fail"
    # an erratum holds only while the values still differ
    assert evaluate(_claim(519, lambda d: 527, erratum="sum"), None).status == "erratum"
    assert evaluate(_claim(519, lambda d: 519, erratum="sum"), None).status == "fail"
    assert evaluate(_claim("Sweden", lambda d: "sweden"), None).status == "pass"
    assert evaluate(_claim(True, lambda d: False), None).status == "fail"


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
    for col in ("id", "source", "line", "quantity", "published", "computed", "tolerance", "status"):
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

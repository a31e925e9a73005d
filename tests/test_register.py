"""The claims register's own data: printed numbers, printed lists and reference lists, each on its
line; the audit document and the list of what is left out agree with the register."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ipsresearch import datasets, studies
from ipsresearch.paths import DATASETS_DIR, ROOT
from ipsresearch.sources import SOURCES
from ipsresearch.studies import verify
from ipsresearch.synthesis.study_table import fold

WORDS = {"zero": 0, "none": 0, "one": 1, "an": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5,
         "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
         "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
         "nineteen": 19, "twenty": 20, "thirty-three": 33}


def raw(name: str) -> pd.DataFrame:
    return pd.read_csv(DATASETS_DIR / f"{name}.csv", dtype=str, keep_default_na=False)


def first_number(text: str) -> float:
    """The first number in ``text``, in figures (``463,000``) or in words (``Eighteen``)."""
    for token in re.findall(r"[A-Za-z-]+|\d[\d,]*(?:\.\d+)?", text):
        if token[0].isdigit():
            return float(token.replace(",", ""))
        if token.casefold() in WORDS:
            return float(WORDS[token.casefold()])
    raise ValueError(f"no number in {text!r}")


@pytest.fixture
def source_text(sources):
    """Lines of each source paper, by study key."""
    return {s.key: (sources / s.file).read_text(encoding="utf-8").splitlines() for s in SOURCES.values()}


def test_printed_numbers_are_on_their_lines(source_text):
    table = raw("printed_numbers")
    assert not table.duplicated(["source", "name"]).any()
    for r in table.itertuples():
        line = source_text[r.source][int(r.source_line) - 1]
        assert r.as_printed in line, (r.source, r.name)
        if not r.note:  # a plain figure: the value is the first number of what is printed
            assert first_number(r.as_printed) == float(r.value), (r.source, r.name)
        else:  # the note says how; the value is still one of the numbers printed there
            digits = re.findall(r"\d+", r.as_printed)
            spelled = [float(v) for k, v in WORDS.items() if re.search(rf"\b{k}\b", r.as_printed, re.I)]
            # an abbreviated page range: 158–73 ends on 173, 283–5 on 285
            ends = [float(digits[0][: len(digits[0]) - len(d)] + d) for d in digits[1:2]]
            assert float(r.value) in [float(d) for d in digits] + spelled + ends, (r.source, r.name)


def test_printed_lists_are_on_their_lines_and_numbered_from_one(source_text):
    table = raw("printed_lists")
    for r in table.itertuples():
        assert r.item in source_text[r.source][int(r.source_line) - 1], (r.source, r.list, r.item)
    for (_, _), group in table.groupby(["source", "list"]):
        assert group["position"].astype(int).tolist() == list(range(1, len(group) + 1))


@pytest.mark.parametrize(("name", "key", "entry"), [
    ("ipsnor_references", "ipsnor", r"^\s+(\d+)\.\s+"),
    ("harkko2025_references", "harkko2025", r"^- (\d+)\."),
])
def test_reference_lists_are_on_their_lines_and_complete(source_text, name, key, entry):
    lines = source_text[key]
    refs = raw(name)
    assert refs["ref_number"].astype(int).tolist() == list(range(1, len(refs) + 1))
    for r in refs.itertuples():
        text = lines[int(r.source_line) - 1]
        m = re.match(entry, text)
        assert m and int(m.group(1)) == int(r.ref_number), r
        assert text[m.end():].lstrip().startswith(r.first_author), r
        for cell in (r.year, r.journal):
            assert cell in text, r
    numbered = [i for i, t in enumerate(lines, start=1) if re.match(entry, t) and i > 140]
    assert numbered == refs["source_line"].astype(int).tolist()


# ---------------------------------------------------------------- what a claim prints and reads


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def test_every_published_value_is_printed_on_its_line(source_text):
    """``published`` is something the paper prints: its words (``printed``) or the value itself
    appear on the claim's line; a number the package counted is in ``counted`` instead. A list
    value (paper keys such as ``vanerp2007``, or numbers) is printed item by item."""
    from ipsresearch.sources import by_file

    number_words = {v: k for k, v in WORDS.items() if k not in ("an", "a", "none", "zero")}
    statistics = (DATASETS_DIR / "ips_rct_statistics.csv").read_text(encoding="utf-8").splitlines()
    for r in verify():
        if r.published is None:
            continue
        if r.source == "ips_rct_statistics.csv":  # the trials' reports, as the table transcribes them
            text = statistics[r.line - 1]
        else:
            text = source_text[by_file(r.source).key][r.line - 1]
        if r.printed:
            assert r.printed in text, (r.id, r.printed)
            continue
        value = r.published
        if isinstance(value, str) and ", " in value:
            for part in value.split(", "):
                name, year = re.fullmatch(r"([^\d]*)(\d*)", part).groups()
                assert _compact(name) in _compact(text) and year in text, (r.id, part)
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        candidates = {str(value)}
        if isinstance(value, int) and not isinstance(value, bool):
            candidates |= {f"{value:,}", number_words.get(value, "")} - {""}
        assert any(c.casefold() in text.casefold() for c in candidates), (r.id, r.published, r.line)


def _with_printed_number(monkeypatch, source: str, name: str, value: float) -> None:
    original = datasets.load

    def fake(table, **kw):
        frame = original(table, **kw)
        if table == "printed_numbers":
            frame = frame.copy()
            frame.loc[(frame["source"] == source) & (frame["name"] == name), "value"] = value
        return frame

    monkeypatch.setattr(datasets, "load", fake)


def test_identity_claims_never_read_the_number_they_are_checked_against(monkeypatch):
    """Changing the printed number a claim states leaves its recomputation unchanged."""
    numbers = datasets.load("printed_numbers")
    by_key = {s.file: s.key for s in SOURCES.values()}
    before = {r.id: r for r in verify()}
    checked = 0
    for r in before.values():
        if r.basis != "identity" or isinstance(r.published, bool) or not isinstance(r.published, int | float):
            continue
        if r.source not in by_key:  # the trials' statistics: tests/test_ips_trial_statistics.py
            continue
        own = numbers[(numbers["source"] == by_key[r.source]) & (numbers["source_line"] == r.line)
                      & (numbers["value"] == float(r.published))]
        said = r.printed or str(r.published)  # the claim's own words, case as printed
        own = own.loc[own["as_printed"].map(lambda a, said=said: said in a or a in said).astype(bool)]
        for name in own["name"]:
            with monkeypatch.context() as m:
                _with_printed_number(m, by_key[r.source], name, float(r.published) + 1000)
                after = {x.id: x for x in verify(sets=[r.id.split(".")[0]])}
            assert after[r.id].computed == r.computed, (r.id, name)
            checked += 1
    assert checked  # the guard did meet numbers printed on a claim's own line


def test_an_erratum_disappears_when_the_printed_numbers_agree(monkeypatch):
    assert {r.id: r.status for r in verify(sets=["moen2021"])}["moen2021.records_total"] == "erratum"
    _with_printed_number(monkeypatch, "moen2021", "records_search_2", 41)  # 478 + 41 = 519
    r = {r.id: r for r in verify(sets=["moen2021"])}["moen2021.records_total"]
    assert r.computed == 519 and r.status == "fail"  # a stale erratum cannot hide


def test_the_band_gap_erratum_disappears_when_the_printed_edges_meet(monkeypatch):
    _with_printed_number(monkeypatch, "moen2021", "fair_low", 73)
    r = {r.id: r for r in verify(sets=["fidelity"])}["fidelity.not_ips_high"]
    assert r.computed == 72 and r.status == "fail"


def test_the_whitley_erratum_can_pass_on_other_data(monkeypatch):
    original = datasets.load

    def fake(name, **kw):
        frame = original(name, **kw)
        if name == "moen2021_studies":
            frame = frame.copy()
            frame.loc[frame["study_id"] == "whitley2010", "fidelity"] = "High (116)"
        return frame

    monkeypatch.setattr(datasets, "load", fake)
    r = {r.id: r for r in verify(sets=["moen2021"])}["moen2021.whitley_fidelity"]
    assert r.computed == "Exemplary" and r.status == "erratum"  # 'High' is still no band
    frame_fake = fake

    def fair(name, **kw):
        frame = frame_fake(name, **kw)
        if name == "moen2021_studies":
            frame.loc[frame["study_id"] == "whitley2010", "fidelity"] = "High (75)"
        return frame

    monkeypatch.setattr(datasets, "load", fair)
    assert {r.id: r for r in verify(sets=["moen2021"])}["moen2021.whitley_fidelity"].computed == "Fair"


def test_a_query_holds_only_while_the_reading_differs(monkeypatch):
    original = datasets.load

    def fake(name, **kw):
        frame = original(name, **kw)
        if name == "moen2021_metaphors":  # a second heading for clinicians
            extra = frame[frame["role"] == "clinician"].assign(theme="Work as a way to recover")
            frame = pd.concat([frame, extra], ignore_index=True)
        return frame

    assert {r.id: r.status for r in verify(sets=["moen2021_metaphors"])}[
        "moen2021_metaphors.clinicians"] == "query"
    monkeypatch.setattr(datasets, "load", fake)
    r = {r.id: r for r in verify(sets=["moen2021_metaphors"])}["moen2021_metaphors.clinicians"]
    assert r.computed == 2 and r.status == "fail"


def test_a_transcribed_claim_fails_when_a_printed_list_changes(monkeypatch):
    original = datasets.load

    def fake(name, **kw):
        frame = original(name, **kw)
        if name == "printed_lists":
            frame = frame[~((frame["source"] == "bonfils_review") & (frame["list"] == "fixsen_stages")
                            & (frame["position"] == 6))]
        return frame

    monkeypatch.setattr(datasets, "load", fake)
    r = {r.id: r for r in verify(sets=["bonfils_review"])}["bonfils_review.fixsen_stages"]
    assert r.computed == 5 and r.status == "fail"


# ---------------------------------------------------------------- the audit and what is left out


AUDIT = ROOT / "docs" / "register-audit.md"


def _inventory() -> list[list[str]]:
    """Rows of the audit's per-paper inventory tables: [paper number, line, item, as printed,
    claim or left out, basis]."""
    rows, paper = [], None
    for line in AUDIT.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^## Source (\d{3})", line)
        if m:
            paper = m.group(1)
        elif line.startswith("## Trial reports"):  # the trials' statistics, claim set ips_trials
            paper = "ips_trials"
        elif line.startswith("## "):
            paper = None
        elif paper and line.startswith("| ") and not line.startswith(("| line |", "|---")):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            if len(cells) == 5:
                rows.append([paper, *cells])
    return rows


def test_the_audit_names_every_claim_of_the_register_and_no_other():
    ids = {r.id for r in verify()}
    named = set(re.findall(r"`([a-z0-9_]+\.[a-z0-9_]+)`", AUDIT.read_text(encoding="utf-8")))
    named -= {"bonfils_review.individual_level_half"}  # removed, and said so
    named = {n for n in named if not n.endswith((".txt", ".csv", ".py"))}
    assert named == ids
    inventoried = {i for row in _inventory() for i in re.findall(r"`([a-z0-9_]+\.[a-z0-9_]+)`", row[4])}
    assert ids <= inventoried  # each claim sits in a paper's inventory


def test_left_out_lists_exactly_the_audits_left_out_rows():
    number = {s.number: s.key for s in SOURCES.values()} | {"ips_trials": "ips_trials"}
    audit = [[number[r[0]], r[1], r[2], r[3], re.sub(r"^left out:\s*", "", r[4])]
             for r in _inventory() if r[4].startswith("left out")]
    table = studies.left_out()
    assert table.values.tolist() == audit
    assert (table["reason"] != "").all()


def test_the_readme_states_the_registers_current_counts():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    results = verify()
    by_basis = {b: sum(r.basis == b for r in results) for b in ("transcribed", "identity", "definition",
                                                               "calibrated", "cited")}
    by_status = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "erratum", "query",
                                                                 "unchecked")}
    assert f"{len(results)} claims:" in text
    for basis, n in by_basis.items():
        assert re.search(rf"\| `{basis}` \|.*\| {n} \|", text), basis
    for status, n in by_status.items():
        assert f"`{status}` ({n})" in text, status

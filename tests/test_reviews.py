"""The two literature reviews as data (sources 001 and 003): extraction, parsing, claims, errata."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ipsresearch import datasets, schemas
from ipsresearch.paths import DATASETS_DIR
from ipsresearch.studies import bonfils_review, moen2021, verify
from ipsresearch.synthesis import participants_by_role, tally
from ipsresearch.synthetic import to_csv_bytes
from ipsresearch.validation import InputError

MOEN = "001_8f0d05ae2c2ca9ec.txt"
BONFILS = "003_be757564e9da0080.txt"
SEP = " [...] "


def raw(name: str) -> pd.DataFrame:
    """A shipped extracted table exactly as stored (text; a blank cell is "")."""
    return pd.read_csv(DATASETS_DIR / f"{name}.csv", dtype=str, keep_default_na=False)


def source_lines(sources, name: str) -> list[str]:
    return (sources / name).read_text(encoding="utf-8").splitlines()


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------- source 001: every cell on its line


def test_moen_table_cells_are_the_tab_fields_of_their_line(sources):
    lines = source_lines(sources, MOEN)
    assert lines[79].split("\t")[0] == "Author"  # the header the columns follow (line 80)
    table = raw("moen2021_studies")
    assert len(table) == 17
    printed = ["author", "year", "country", "method", "sample", "part_of_rct", "aim", "fidelity"]
    for _, row in table.iterrows():
        fields = lines[int(row["source_line"]) - 1].split("\t")
        fields += [""] * (8 - len(fields))
        assert [row[c] or "" for c in printed] == fields, row["study_id"]
    assert sorted(table["source_line"].astype(int)) == list(range(81, 98))


def test_moen_references_on_their_lines(sources):
    lines = source_lines(sources, MOEN)
    refs = raw("moen2021_references")
    assert refs["ref_number"].astype(int).tolist() == list(range(1, 32))
    for _, r in refs.iterrows():
        start = lines[int(r["source_line"]) - 1]
        assert re.match(rf"^\s*-\s+{r['ref_number']}\s+{re.escape(r['first_author'])}\b", start), r
        assert r["year"] in lines[int(r["year_line"]) - 1], r


# ---------------------------------------------------------------- source 003: every cell on its line

CELLS = {"location": "location_line", "design": "design_line", "theory": "theory_line",
         "interpretation": "interpretation_line", "interpretation_detail": "detail_line"}


def _locate(lines: list[str], cell: str, line: int) -> str:
    """Check that ``cell`` (fragments joined by [...]) starts on ``line``; return the full cell."""
    text = norm(" ".join(lines[line - 1: line + 4]))
    first = norm(lines[line - 1])
    frags = cell.split(SEP)
    start = text.find(frags[0])
    assert 0 <= start < len(first), f"{frags[0]!r} does not start on line {line}"
    pos = start
    for frag in frags:
        found = text.find(frag, pos)
        assert found >= 0, f"{frag!r} not found after {frags[0]!r} from line {line}"
        if frag is not frags[0]:
            assert found > pos, f"[...] in {cell!r} leaves nothing out before {frag!r}"
        pos = found + len(frag)
    return text[start:pos]


def test_bonfils_cells_start_on_their_cited_lines(sources):
    lines = source_lines(sources, BONFILS)
    papers = raw("bonfils2017_papers")
    assert len(papers) == 21
    starts = sorted(papers["source_line"].astype(int))
    for _, p in papers.iterrows():
        line = lines[int(p["source_line"]) - 1]
        country = f" {p['country']} " if p["country"] else " \xa0 "  # a blank cell is ' NBSP '
        assert line.startswith(f"{p['paper']}{country}{p['year']} "), p["paper_id"]
        for cell, col in CELLS.items():
            assert (p[cell] == "") == (p[col] == ""), (p["paper_id"], cell)
            if p[cell]:
                _locate(lines, p[cell], int(p[col]))
        # blank cells: the row's text has one NBSP marker per blank country, location, theory
        nxt = [s for s in starts if s > int(p["source_line"])]
        block = "\n".join(lines[int(p["source_line"]) - 1:(nxt[0] if nxt else 124) - 1])
        blanks = sum(p[c] == "" for c in ("country", "location", "theory"))
        assert block.count("\xa0") == blanks, p["paper_id"]


def test_bonfils_rules_give_the_same_answer_on_the_full_printed_cells(sources):
    """Abridged cells keep every word the rules read."""
    lines = source_lines(sources, BONFILS)
    papers = raw("bonfils2017_papers")
    abridged = 0
    for _, p in papers.iterrows():
        design = _locate(lines, p["design"], int(p["design_line"]))
        label = _locate(lines, p["interpretation"], int(p["interpretation_line"]))
        detail = _locate(lines, p["interpretation_detail"], int(p["detail_line"]))
        abridged += sum(SEP in p[c] for c in CELLS)
        assert bonfils_review.design_category(design) == p["design_category"], p["paper_id"]
        flags = bonfils_review.nilsen_categories(f"{label} {detail}")
        stored = {k: p[k] == "true" for k in flags}
        assert flags == stored, p["paper_id"]
    assert abridged > 0  # the test above did exercise abridged cells


def test_bonfils_framework_on_line_53(sources):
    lines = source_lines(sources, BONFILS)
    frame = raw("bonfils2017_framework")
    heading = {"1": "Contextual", "2": "organization", "3": "cooperation", "4": "Individual"}
    for _, r in frame.iterrows():
        text = lines[int(r["source_line"]) - 1]
        assert r["factor"] in text and f"({r['level']}) " in text and f"{r['level_name']} level" in text
        assert heading[r["level"]] in lines[int(r["findings_line"]) - 1]


# ------------------------------------------------------------------ parsed columns are derived, not typed


def test_moen_parsed_columns_rederive_byte_for_byte():
    stored = raw("moen2021_studies")
    rebuilt = moen2021.parse_table(stored[moen2021.PRINTED_COLUMNS])
    out = rebuilt.copy()
    out["part_of_rct"] = out["part_of_rct"].map({True: "Yes", False: "No"})
    data = to_csv_bytes(out, schemas.MOEN2021_STUDIES)
    assert data == (DATASETS_DIR / "moen2021_studies.csv").read_bytes()


def test_bonfils_parsed_columns_rederive():
    papers = datasets.load("bonfils2017_papers")
    for _, p in papers.iterrows():
        assert p["paper_id"] == bonfils_review.paper_key(p["paper"], p["year"])
        assert p["design_category"] == bonfils_review.design_category(p["design"])
        flags = bonfils_review.nilsen_categories(f"{p['interpretation']} {p['interpretation_detail']}")
        assert all(p[k] == v for k, v in flags.items()), p["paper_id"]
    from ipsresearch.synthesis import country_code

    assert papers["country"].map(country_code).fillna("-").tolist() == \
        papers["country_code"].fillna("-").tolist()


def test_datasets_load_by_name_and_lists_valid_names():
    studies = datasets.load("moen2021_studies")
    assert len(studies) == 17 and studies["part_of_rct"].dtype == bool
    assert {"fidelity_label", "fidelity_min", "fidelity_max"} <= set(studies.columns)
    with pytest.raises(KeyError, match="valid names: .*bonfils2017_papers.*moen2021_studies"):
        datasets.load("moen2021_studys")


# ------------------------------------------------------------------ parsers


def test_parse_sample_counts_roles_and_keeps_units_apart():
    assert moen2021.parse_sample("15 WA, 3 ES, 3 SW, 10 C,") == {
        "n_work_applicants": 15, "n_employment_specialists": 3, "n_social_workers": 3,
        "n_clinicians": 10, "n_units": 0}
    assert moen2021.parse_sample("7 units, 3ES")["n_units"] == 7
    with pytest.raises(ValueError, match="'12 nurses' is not a count followed by WA, ES, SW, C"):
        moen2021.parse_sample("3 WA, 12 nurses")
    with pytest.raises(ValueError, match="lists WA twice"):
        moen2021.parse_sample("3 WA, 4 WA")
    with pytest.raises(ValueError, match="has an empty part"):
        moen2021.parse_sample("3 WA,, 2 ES")


def test_parse_method_rules():
    assert moen2021.parse_method("Case study Content analysis") == ("case_study", "Case study",
                                                                     "Content analysis")
    assert moen2021.parse_method("Focus group interview") == ("interview", "Focus group interview",
                                                               None)
    assert moen2021.parse_method("Ethnography")[0] == "ethnography"
    with pytest.raises(ValueError, match="names no case study, ethnography, survey or interview"):
        moen2021.parse_method("Document analysis")


def test_parse_fidelity_cells():
    r = moen2021.parse_fidelity("Exemplary (115–117)")
    assert (r["fidelity_label"], r["fidelity_min"], r["fidelity_max"]) == ("Exemplary", 115, 117)
    assert r["fidelity_label_bands"] == r["fidelity_bands"] == "exemplary"
    assert moen2021.parse_fidelity("Good–exemplary (100–125)")["fidelity_label_bands"] == \
        "good;exemplary"
    assert moen2021.parse_fidelity("Fair (97)")["fidelity_bands"] == "fair"
    assert moen2021.parse_fidelity(None)["fidelity_label"] is None
    # the odd cell: a label that is no band, a descending range and an extra score
    odd = moen2021.parse_fidelity("High (73–67) (75)")
    assert odd["fidelity_label"] == "High" and odd["fidelity_label_bands"] is None
    assert (odd["fidelity_min"], odd["fidelity_max"]) == (67, 75)
    assert odd["fidelity_bands"] == "not_ips;fair"


def test_parse_table_reports_every_bad_cell_with_row_and_column():
    printed = raw("moen2021_studies")[moen2021.PRINTED_COLUMNS].copy()
    printed.loc[2, "sample"] = "7 teams"
    printed.loc[5, "country"] = "Atlantis"
    printed.loc[6, "year"] = "twenty"
    before = printed.copy()
    with pytest.raises(InputError) as err:
        moen2021.parse_table(printed, source="my_table.csv")
    assert "my_table.csv row 8, column `year`: twenty is not a number" in str(err.value)
    printed.loc[6, "year"] = "2009"
    with pytest.raises(InputError) as err:
        moen2021.parse_table(printed, source="my_table.csv")
    msg = str(err.value)
    assert "my_table.csv row 4, column `sample`: sample part '7 teams'" in msg
    assert "my_table.csv row 7, column `country`: unknown country 'Atlantis'" in msg
    before.loc[6, "year"] = "2009"
    pd.testing.assert_frame_equal(printed, before)  # input never modified


def test_parse_table_names_missing_columns():
    with pytest.raises(InputError, match="my.csv row 1, column `fidelity`: column is missing"):
        moen2021.parse_table(raw("moen2021_studies").drop(columns="fidelity"), source="my.csv")


def test_read_studies_on_a_users_file(tmp_path):
    path = tmp_path / "studies.csv"
    raw("moen2021_studies")[moen2021.PRINTED_COLUMNS].head(3).to_csv(path, index=False)
    table = moen2021.read_studies(path)
    assert table["n_work_applicants"].tolist() == [17, 38, 0]


def test_design_and_nilsen_rules():
    dc = bonfils_review.design_category
    # a declared mixed-methods design is combined even with case studies among its parts
    assert dc("Mixed-methods-design: interviews, document analysis, case studies") == \
        "interviews_with_observation_or_documents"
    assert dc("Case study; focus group interviews, document analysis") == "case_study"
    assert dc("Fidelity assessment, interviews and observations.") == \
        "interviews_with_observation_or_documents"
    assert dc("Web-based survey, interviews at 3 IPS sites") == "survey"
    assert dc("Telephone interviews with staff") == "interviews"
    assert dc("Web-based survey") == "survey"
    assert dc("Ethnographic observations") == "observation"
    assert dc("Something else") == "other"
    flags = bonfils_review.nilsen_categories("Classic Theories: two organizational approaches")
    assert [k for k, v in flags.items() if v] == ["classic_theories"]


def test_aim_rule():
    aims = moen2021.aim_names_difficulties(datasets.load("moen2021_studies")["aim"])
    studies = datasets.load("moen2021_studies")
    assert set(studies.loc[aims, "study_id"]) == {"bejerholm2011", "hasson2011", "nicholson2017",
                                                    "quimby2001"}


# ------------------------------------------------------------------ summaries from the rows


def test_role_totals_are_counted_from_the_rows():
    studies = datasets.load("moen2021_studies")
    roles = participants_by_role(studies, roles=moen2021.ROLES)
    expected = [int(studies[c].sum()) for c in moen2021.ROLES.values()]
    assert roles["participants"].tolist() == expected
    assert roles.set_index("role").loc["social_workers", "n_studies"] == 1
    # units are not people
    assert int(roles["participants"].sum()) == int(studies[list(moen2021.ROLES.values())].sum().sum())
    by_rct = participants_by_role(studies, roles=moen2021.ROLES, by="part_of_rct")
    assert by_rct.groupby("role", sort=False)["participants"].sum().tolist() == expected
    shuffled = studies.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(participants_by_role(shuffled, roles=moen2021.ROLES), roles)


def test_tallies_by_country_method_rct():
    studies = datasets.load("moen2021_studies")
    by_country = tally(studies, by="country_code")
    assert by_country["n_studies"].sum() == 17
    assert dict(zip(by_country["country_code"], by_country["n_studies"], strict=True)) == {
        "SE": 7, "US": 5, "CA": 2, "AU": 1, "DK": 1, "GB": 1}
    by_method = tally(studies, by="method_type")
    assert dict(zip(by_method["method_type"], by_method["n_studies"], strict=True)) == {
        "interview": 10, "case_study": 5, "ethnography": 1, "survey": 1}
    bands = tally(studies, by="fidelity_bands", split=";", dropna=True)
    assert bands.set_index("fidelity_bands")["n_studies"].to_dict() == {
        "good": 5, "exemplary": 6, "fair": 2, "not_ips": 1}
    np.testing.assert_allclose(by_country["share"].sum(), 1.0)
    with pytest.raises(KeyError, match="no column 'nation'"):
        tally(studies, by="nation")


def test_moen_reference_matching():
    d = moen2021.load()
    links = moen2021.match_references(d.studies, d.references)
    assert links.loc[links["ref_number"].isna(), "study_id"].tolist() == ["nygren2016"]
    lexen = links[links["study_id"].str.startswith("lexen")]
    assert sorted(lexen["ref_number"].astype(int)) == [22, 22, 23, 23]  # both candidates each


# ------------------------------------------------------------------ claims and errata


@pytest.fixture(scope="module")
def results():
    return {r.id: r for r in verify(sets=["moen2021", "bonfils_review"])}


def test_claims_pass_or_are_errata_or_queries_and_cite_their_source(results):
    assert results
    for r in results.values():
        assert r.status in {"pass", "erratum", "query", "unchecked"}, (r.id, r.published, r.computed, r.error)
        assert r.source == (MOEN if r.id.startswith("moen2021.") else BONFILS)


def test_expected_errata_and_queries(results):
    errata = {i for i, r in results.items() if r.status == "erratum"}
    assert errata == {
        "moen2021.first_year", "moen2021.studies_in_references", "moen2021.whitley_fidelity",
        "moen2021.records_total", "bonfils_review.tt_spelling",
    }
    queries = {i for i, r in results.items() if r.status == "query"}
    assert queries == {"moen2021.sw_sources_with_sw", "moen2021.c_sources_with_c",
                       "bonfils_review.determinant_papers", "bonfils_review.process_papers"}
    assert results["moen2021.records_total"].computed == 478 + 49
    assert results["moen2021.first_year"].computed == 2001
    assert results["moen2021.whitley_fidelity"].computed == "Not IPS–Fair"
    # the design counts and the theoretical approaches pass under the rules in their notes
    for claim in ("case_study_designs", "combined_designs", "interview_designs", "theoretical_approach"):
        r = results[f"bonfils_review.{claim}"]
        assert r.status == "pass" and "rule" in r.note, claim
    assert int(datasets.load("bonfils2017_papers")["theory"].notna().sum()) == 6


def test_a_claim_fails_when_a_table_cell_changes(monkeypatch):
    studies = datasets.load("moen2021_studies")
    changed = studies.copy()
    changed.loc[changed["study_id"] == "quimby2001", "year"] = 2007
    original = datasets.load

    def fake(name, **kw):
        return changed if name == "moen2021_studies" else original(name, **kw)

    monkeypatch.setattr(datasets, "load", fake)
    r = {x.id: x for x in verify(sets=["moen2021"])}
    # the erratum no longer holds once the table agrees with the text: it must fail, not pass
    assert r["moen2021.first_year"].computed == 2007
    assert r["moen2021.first_year"].status == "fail"

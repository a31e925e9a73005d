"""The round trip for a programme's folder: ``ipsresearch init``, fill in, ``ipsresearch check`` (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ipsresearch import fidelity, schemas
from ipsresearch.cli import main
from ipsresearch.paths import ROOT
from ipsresearch.studies import fidelity_claims

sys.path.insert(0, str(Path(__file__).parent))
import programmes

PEOPLE, SPELLS = programmes.cohort()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ipsresearch.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_init_writes_empty_templates_and_check_says_what_to_fill(tmp_path):
    folder = tmp_path / "mysite"
    r = run("init", str(folder))
    assert r.returncode == 0, r.stderr
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "data_dictionary.csv", "fidelity/ratings.csv", "fidelity/ratings_wide.csv",
        "fidelity/reviews.csv", "ipsresearch.toml", "job_spells.csv", "participants.csv"]
    assert (folder / "participants.csv").read_text() == ",".join(schemas.PARTICIPANTS.names) + "\n"
    wide = pd.read_csv(folder / "fidelity" / "ratings_wide.csv")
    assert len(wide) == 0 and "S1 Caseload size" in wide.columns
    long = pd.read_csv(folder / "fidelity" / "ratings.csv", dtype=str, keep_default_na=False)
    assert long["item"].tolist() == list(fidelity.ITEM_CODES)
    assert (long[["review_id", "round", "rater", "rating"]] == "").all().all()  # nothing to score
    r = run("check", str(folder))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[0] == f"ipsresearch: error: 3 problems in {folder}:"
    assert "fidelity/ratings.csv: no review is rated: every review_id and rating is blank" in r.stderr
    assert "participants.csv: has a header row but no data rows" in r.stderr


def test_init_never_overwrites(tmp_path):
    (tmp_path / "participants.csv").write_text("mine\n")
    r = run("init", str(tmp_path))
    assert r.returncode == 2
    assert f"{tmp_path}/participants.csv: exists already; nothing was written" in r.stderr
    assert (tmp_path / "participants.csv").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["participants.csv"]


def test_init_workbook_has_a_sheet_per_table_and_a_data_dictionary(tmp_path):
    assert main(["init", str(tmp_path), "--format", "xlsx"]) == 0
    book = openpyxl.load_workbook(tmp_path / "programme.xlsx", read_only=True)
    assert book.sheetnames == ["participants", "job_spells", "reviews", "ratings", "ratings_wide",
                               "data dictionary"]
    dictionary = pd.read_excel(tmp_path / "programme.xlsx", sheet_name="data dictionary")
    assert {"participants", "job_spells", "fidelity_ratings"} <= set(dictionary["table"])
    # filled in by a user, the workbook is read sheet by sheet
    with pd.ExcelWriter(tmp_path / "programme.xlsx", engine="openpyxl", mode="a",
                        if_sheet_exists="replace") as w:
        programmes._text(PEOPLE).to_excel(w, sheet_name="participants", index=False)
        programmes._text(SPELLS).to_excel(w, sheet_name="job_spells", index=False)
        book_reviews = pd.DataFrame({"review_id": ["R1"], "programme": ["Nord"], "site": ["Tromsø"],
                                     "start_date": ["2021-01-04"], "round": [1],
                                     "review_date": ["2021-11-02"]})
        book_reviews.to_excel(w, sheet_name="reviews", index=False)
        fidelity.single_review(fill=3, review_id="R1").to_excel(w, sheet_name="ratings", index=False)
    r = run("check", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "programme.xlsx, sheet participants: 31 rows" in r.stdout
    assert f"{tmp_path}: no problems found" in r.stdout
    assert fidelity_claims.load(tmp_path).scores["total"].tolist() == [75]


def test_check_a_clean_folder_says_how_it_was_read(tmp_path):
    programmes.export(PEOPLE, SPELLS, tmp_path, "semicolon")
    r = run("check", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert f"{tmp_path}/participants.csv: 31 rows" in r.stdout
    assert "values separated by semicolons, decimal comma" in r.stdout


def test_check_lists_every_problem_of_every_file_at_once(tmp_path):
    people = programmes._text(PEOPLE)
    people.loc[0, "follow_up_end"] = "31/02/2023"
    spells = programmes._text(SPELLS)
    spells.loc[2, "job_type"] = "Sheltered"
    spells.loc[4, "participant_id"] = "P404"
    people.to_csv(tmp_path / "participants.csv", index=False)
    spells.to_csv(tmp_path / "job_spells.csv", index=False)
    r = run("check", str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"ipsresearch: error: 3 problems in {tmp_path}:")
    assert "Sheltered is not a recognised value; did you mean sheltered?" in r.stderr
    assert "P404 does not appear in" in r.stderr
    assert "31/02/2023" in r.stderr


def test_check_only_the_tables_a_report_needs(tmp_path):
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    (tmp_path / "fidelity").mkdir()
    (tmp_path / "fidelity" / "reviews.csv").write_text("review_id\n")  # broken, but not read by 01
    assert run("check", str(tmp_path)).returncode == 2
    r = run("check", str(tmp_path), "--only", "01")
    assert r.returncode == 0, r.stderr
    assert "read without problems" in r.stdout


def test_check_an_empty_or_missing_folder(tmp_path):
    r = run("check", str(tmp_path))
    assert r.returncode == 2 and "holds no table this package reads" in r.stderr
    r = run("check", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "directory does not exist" in r.stderr


def test_the_data_dictionary_in_the_docs_is_generated_from_the_schemas():
    doc = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert doc == schemas.data_dictionary_markdown(), (
        "regenerate: python -c \"from ipsresearch import schemas; "
        "print(schemas.data_dictionary_markdown(), end='')\" > docs/data-dictionary.md")
    for name in schemas.SCHEMAS:
        assert f"## `{name}`" in doc


@pytest.mark.parametrize("table", ["participants", "job_spells"])
def test_data_dictionary_rows_follow_the_schema(table):
    d = schemas.data_dictionary([table])
    assert d["column"].tolist() == schemas.SCHEMAS[table].names
    with pytest.raises(ValueError, match="not recognised"):
        schemas.data_dictionary(["participant"])

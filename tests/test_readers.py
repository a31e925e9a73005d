"""Reading what sites export (issue 16) and the reader-level hardening cases (issue 20).

One small programme, drawn from a seed (``tests/programmes.py``), is exported in seven forms
(comma CSV, semicolon CSV with decimal commas, Windows-1252, day-first dates, .xlsx, .sav,
.dta); every form must give the same typed tables and the same analysis results.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipsresearch import fidelity, outcomes, readers, schemas
from ipsresearch.cli import main
from ipsresearch.studies import irish_pilot
from ipsresearch.validation import InputError, UnknownColumnWarning

sys.path.insert(0, str(Path(__file__).parent))
import programmes

PEOPLE, SPELLS = programmes.cohort()


def analyses(participants: pd.DataFrame, spells: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The results reports 01 and 05 show, from one programme's tables."""
    employed = outcomes.ever_employed(participants, spells, validated=True)
    first = outcomes.time_to_first_job(participants, spells, by="site", overall=True, validated=True)
    jobs = outcomes.job_tenure(participants, spells, validated=True)
    return {
        "rates": outcomes.placement_rate(employed, outcome="employed", by="site", overall=True),
        "first_job": first.table,
        "logrank": outcomes.logrank(first.data, by="site", event="found_job"),
        "tenure": outcomes.kaplan_meier(jobs, horizons=(90, 180, 365)).table,
        "time_in_work": outcomes.time_in_work(participants, spells, validated=True),
        "about": outcomes.describe_cohort(participants, spells, validated=True).summary(),
    }


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories (SPSS and Stata value labels) as their text, for comparison."""
    return frame.apply(lambda c: c.astype(str) if isinstance(c.dtype, pd.CategoricalDtype) else c)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("programme")
    return {form: programmes.export(PEOPLE, SPELLS, root / form, form) for form in programmes.FORMS}


@pytest.fixture(scope="module")
def reference(exported) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    people, spells = irish_pilot.load_cohort(exported["comma"])
    return people, spells, analyses(people, spells)


@pytest.mark.parametrize("form", programmes.FORMS[1:])
def test_every_export_form_gives_identical_tables_and_results(form, exported, reference):
    people, spells = irish_pilot.load_cohort(exported[form])
    ref_people, ref_spells, ref_results = reference
    pd.testing.assert_frame_equal(plain(people), ref_people, check_dtype=False)
    pd.testing.assert_frame_equal(plain(spells), ref_spells, check_dtype=False)
    results = analyses(people, spells)
    for name, expected in ref_results.items():
        pd.testing.assert_frame_equal(plain(results[name]), plain(expected), check_dtype=False,
                                      obj=f"{form}: {name}")


def test_the_seed_programme_is_what_the_reports_will_count(reference):
    people, spells, results = reference
    assert len(people) == 31 and set(people["site"]) == {"Tromsø", "Harstad"}
    assert results["about"]["participants"].item() == 31 and results["about"]["sites"].item() == 2
    assert spells["end_date"].isna().any() and (spells["hours_per_week"] % 1 != 0).any()


@pytest.mark.parametrize(("form", "said"), [
    ("semicolon", "values separated by semicolons, decimal comma"),
    ("cp1252", "encoding Windows-1252 (the bytes are not UTF-8)"),
    ("day_first", "dates read day first: "),
    ("sav", "value labels used for site"),
])
def test_each_decision_of_the_reader_is_said(form, said, exported):
    data = irish_pilot.load(exported[form])
    assert any(said in note for note in data.notes), data.notes
    assert data.synthetic is False


def test_day_first_needs_a_setting_when_the_data_cannot_tell(tmp_path):
    early = PEOPLE.assign(enrolment_date=pd.Timestamp("2021-03-05").date(),
                          follow_up_end=pd.Timestamp("2023-12-01").date())
    programmes.export(early, SPELLS.iloc[:0], tmp_path, "day_first")
    with pytest.raises(InputError, match=r"row 2, column `enrolment_date`: 05\.03\.2021 could be "
                                         r"day-first or month-first"):
        irish_pilot.load_cohort(tmp_path)
    people, _ = irish_pilot.load_cohort(tmp_path, dates="day-first")
    assert people["enrolment_date"].iloc[0] == pd.Timestamp("2021-03-05")
    (tmp_path / "ipsresearch.toml").write_text('dates = "month-first"\n', encoding="utf-8")
    people, _ = irish_pilot.load_cohort(tmp_path)
    assert people["enrolment_date"].iloc[0] == pd.Timestamp("2021-05-03")


def test_a_bad_setting_is_named(tmp_path):
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    (tmp_path / "ipsresearch.toml").write_text('dates = "dayfirst"\nencodng = "utf-8"\n')
    with pytest.raises(InputError) as exc:
        irish_pilot.load_cohort(tmp_path)
    text = str(exc.value)
    assert "ipsresearch.toml column `dates`: 'dayfirst' is not recognised; did you mean day-first?" in text
    assert "ipsresearch.toml column `encodng`: is not a setting; did you mean encoding?" in text


def test_one_workbook_per_table_and_a_table_in_two_places(tmp_path):
    import openpyxl

    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(list(PEOPLE.columns))
    for row in PEOPLE.itertuples(index=False):
        book.active.append(list(row))
    (tmp_path / "participants.csv").unlink()
    book.save(tmp_path / "participants.xlsx")
    people, _ = irish_pilot.load_cohort(tmp_path)
    assert len(people) == 31
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    with pytest.raises(InputError, match=r"table participants is in 2 places: .*participants\.csv, "
                                         r".*participants\.xlsx"):
        irish_pilot.load_cohort(tmp_path)


def test_a_folder_with_problems_in_several_files_gets_all_of_them_at_once(tmp_path):
    people = programmes._text(PEOPLE)
    people.loc[2, "enrolment_date"] = "2021-02-30"
    people.loc[4, "site"] = ""
    spells = programmes._text(SPELLS)
    spells.loc[0, "job_type"] = "Competitive"
    spells.loc[1, "participant_id"] = "P999"
    spells.loc[3, "start_date"] = "2019-01-01"  # before that participant enrolled
    spells.loc[5, "hours_per_week"] = "many"
    people.to_csv(tmp_path / "participants.csv", index=False)
    spells.to_csv(tmp_path / "job_spells.csv", index=False, sep=";")
    with pytest.raises(InputError) as exc:
        irish_pilot.load_cohort(tmp_path)
    lines = str(exc.value).splitlines()
    assert lines[0] == f"6 problems in {tmp_path}:"
    text = "\n".join(lines)
    for expected in (
        "participants.csv row 4, column `enrolment_date`: 2021-02-30 is not a calendar date",
        "participants.csv row 6, column `site`: is blank",
        "job_spells.csv row 2, column `job_type`: Competitive is not a recognised value; did you "
        "mean competitive?",
        "job_spells.csv row 3, column `participant_id`: P999 does not appear in",
        f"job_spells.csv row 5, column `start_date`: spell {SPELLS.loc[3, 'spell_id']} starts "
        "2019-01-01, before participant",
        "job_spells.csv row 7, column `hours_per_week`: many is not a number",
    ):
        assert expected in text, text


def test_a_missing_table_suggests_a_near_name(tmp_path):
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    (tmp_path / "job_spells.csv").rename(tmp_path / "jobspells.csv")
    with pytest.raises(InputError, match=r"job_spells\.csv: file does not exist \(nor job_spells\.xlsx, "
                                         r"\.sav, \.dta .*\); did you mean jobspells\.csv\?"):
        irish_pilot.load_cohort(tmp_path)


def test_a_programme_without_job_spells_reads_as_no_spells(tmp_path):
    programmes.export(PEOPLE, SPELLS.iloc[:0], tmp_path, "comma")
    people, spells = irish_pilot.load_cohort(tmp_path)
    assert len(people) == 31 and len(spells) == 0
    assert spells["start_date"].dtype == "datetime64[ns]"


def test_unused_columns_are_a_note_and_one_warning(tmp_path):
    programmes.export(PEOPLE.assign(notes="x", case_worker="y"), SPELLS, tmp_path, "comma")
    with pytest.warns(UnknownColumnWarning) as caught:
        data = irish_pilot.load(tmp_path)
    assert len(caught) == 1
    assert any("columns notes, case_worker not used (kept, not checked)" in n for n in data.notes)


# ------------------------------------------------------------------ issue 20: special files


def _elapsed(call) -> tuple[float, BaseException | None]:
    start = time.perf_counter()
    try:
        call()
    except BaseException as exc:
        return time.perf_counter() - start, exc
    return time.perf_counter() - start, None


def test_a_symlink_to_dev_zero_is_refused_within_a_second(tmp_path):
    """Issue 20: a data file linked to /dev/zero grew a build to 24 GB."""
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    (tmp_path / "job_spells.csv").unlink()
    (tmp_path / "job_spells.csv").symlink_to("/dev/zero")
    seconds, exc = _elapsed(lambda: irish_pilot.load_cohort(tmp_path))
    assert seconds < 1.0
    assert isinstance(exc, InputError)
    assert "job_spells.csv: is a character device, not a regular file" in str(exc)
    ratings = tmp_path / "ratings.csv"
    ratings.symlink_to("/dev/zero")
    seconds, exc = _elapsed(lambda: fidelity.score(ratings))
    assert seconds < 1.0 and "is a character device, not a regular file" in str(exc)


def test_a_fifo_is_refused_within_a_second(tmp_path):
    """Issue 20: a named pipe made every reader wait for ever."""
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    (tmp_path / "participants.csv").unlink()
    os.mkfifo(tmp_path / "participants.csv")
    seconds, exc = _elapsed(lambda: irish_pilot.load_cohort(tmp_path))
    assert seconds < 1.0
    assert "participants.csv: is a named pipe (FIFO), not a regular file" in str(exc)
    os.mkfifo(tmp_path / "ratings.csv")
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "ipsresearch.cli", "fidelity", str(tmp_path / "ratings.csv")],
                       capture_output=True, text=True, timeout=30)
    assert time.perf_counter() - start < 10  # a fresh interpreter; the read itself is refused at once
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "ratings.csv: is a named pipe (FIFO), not a regular file" in r.stderr


def test_a_file_larger_than_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "participants.csv"
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    monkeypatch.setattr(readers, "MAX_BYTES", 100)
    with pytest.raises(InputError, match=r"participants\.csv: is 0\.0 GiB, more than the 0 GiB read at most"):
        readers.read_table(path, schemas.PARTICIPANTS)


def test_dates_outside_what_pandas_holds_are_named_and_9999_means_still_running(tmp_path):
    """Issue 20: 9999-12-31 and 1600-01-01 gave 'Out of bounds nanosecond timestamp'."""
    spells = programmes._text(SPELLS)
    open_row = spells.index[spells["end_date"] == ""][0]
    spells.loc[open_row, "end_date"] = "9999-12-31"
    programmes.export(PEOPLE, SPELLS, tmp_path, "comma")
    spells.to_csv(tmp_path / "job_spells.csv", index=False)
    _, read = irish_pilot.load_cohort(tmp_path)
    assert pd.isna(read.loc[open_row, "end_date"])  # documented: 9999-12-31 is a job still running
    spells.loc[0, "start_date"] = "1600-01-01"
    spells.loc[1, "end_date"] = "2262-04-12"
    spells.to_csv(tmp_path / "job_spells.csv", index=False)
    with pytest.raises(InputError) as exc:
        irish_pilot.load_cohort(tmp_path)
    text = str(exc.value)
    assert ("job_spells.csv row 2, column `start_date`: 1600-01-01 is outside the dates a table can "
            "hold (1677-09-22 to 2262-04-11)") in text
    assert ("job_spells.csv row 3, column `end_date`: 2262-04-12 is outside the dates a table can "
            "hold (1677-09-22 to 2262-04-11); a blank end_date means still running") in text
    assert "Out of bounds" not in text


def test_far_dates_from_a_workbook_are_named_too(tmp_path):
    import datetime as dt

    spells = SPELLS.copy()
    spells["end_date"] = spells["end_date"].astype(object)
    spells.loc[0, "end_date"] = dt.date(9999, 12, 31)
    spells.loc[1, "start_date"] = dt.date(1600, 1, 1)
    programmes.export(PEOPLE, spells, tmp_path, "xlsx")
    with pytest.raises(InputError) as exc:
        irish_pilot.load_cohort(tmp_path)
    assert len(exc.value.problems) == 1
    assert "programme.xlsx, sheet job_spells row 3, column `start_date`: 1600-01-01 is outside" in str(exc.value)


def test_utf16_without_a_byte_order_mark_is_an_encoding_problem_and_can_be_set(tmp_path):
    """Issue 20: UTF-16 without a BOM was reported as a column problem."""
    text = programmes._text(PEOPLE).to_csv(index=False)
    path = tmp_path / "participants.csv"
    path.write_bytes(text.encode("utf-16-le"))
    with pytest.raises(InputError) as exc:
        readers.read_table(path, schemas.PARTICIPANTS)
    (problem,) = exc.value.problems
    assert problem.column is None and problem.row is None
    assert "is UTF-16 text without a byte-order mark" in problem.message
    assert 'encoding = "utf-16-le"' in problem.allowed
    people = readers.read_table(path, schemas.PARTICIPANTS, encoding="utf-16-le")
    assert people["site"].tolist() == PEOPLE["site"].tolist()
    path.write_bytes(text.encode("utf-16"))  # with a byte-order mark: detected
    assert len(readers.read_table(path, schemas.PARTICIPANTS)) == 31


def test_nul_bytes_are_refused_with_file_row_and_column(tmp_path):
    """Issue 20: NUL bytes were accepted into the HTML."""
    people = programmes._text(PEOPLE)
    people.loc[6, "participant_id"] = "P0\x0007"
    path = tmp_path / "participants.csv"
    people.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        readers.read_table(path, schemas.PARTICIPANTS)
    (problem,) = exc.value.problems
    assert (problem.row, problem.column) == (8, "participant_id")
    assert "\x00" not in str(exc.value)


def test_a_binary_file_is_not_read_as_text(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError) as exc:
        readers.read_table(path, schemas.PARTICIPANTS)
    assert len(str(exc.value).splitlines()) < 30


# ------------------------------------------------------------------ fidelity files


def _wide_as_printed() -> pd.DataFrame:
    names = fidelity.ITEMS.set_index("item")["name"]
    ratings = {f"{c} {names[c]}": [3, 4] for c in fidelity.ITEM_CODES}
    return pd.DataFrame({"review_id": ["A-1", "B-1"], "round": [1, 1], "rater": ["KL", "KL"],
                         **ratings})


def test_fidelity_reads_wide_headers_as_printed_on_the_score_sheet(tmp_path):
    path = tmp_path / "ratings.csv"
    _wide_as_printed().to_csv(path, index=False, sep=";")
    scores = fidelity.score(path)
    assert scores["total"].tolist() == [75, 100]


def test_fidelity_reads_a_workbook_through_the_command(tmp_path, capsys):
    path = tmp_path / "ratings.xlsx"
    _wide_as_printed().to_excel(path, index=False, sheet_name="ratings")
    assert main(["fidelity", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 review(s) scored" in out


def test_a_near_miss_item_code_gets_a_suggestion(tmp_path):
    long = fidelity.single_review(fill=3, review_id="r1")
    long["item"] = long["item"].replace({"S1": "S 1"})
    path = tmp_path / "ratings.csv"
    long.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"review r1: S 1 is not an IPS-25 item code; did you mean S1\?"):
        fidelity.score(path)


def test_warnings_are_not_raised_for_a_clean_export(exported):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for form in programmes.FORMS:
            irish_pilot.load(exported[form])


def test_each_value_of_the_reader_options_is_checked():
    with pytest.raises(ValueError, match="dates 'dmy' not recognised; choose from auto, iso, day-first, month-first"):
        readers.read_table("x.csv", schemas.PARTICIPANTS, dates="dmy")
    with pytest.raises(ValueError, match="encoding 'latin9' not recognised"):
        readers.read_frame("x.csv", encoding="latin9")


def test_empty_table_has_the_schema_types():
    empty = readers.empty_table(schemas.JOB_SPELLS)
    assert list(empty.columns) == schemas.JOB_SPELLS.names and len(empty) == 0
    assert np.dtype(empty["paid"].dtype) == np.dtype(bool)

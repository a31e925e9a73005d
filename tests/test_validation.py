"""The validation layer itself: message format, every problem listed, rows as a spreadsheet counts them.

Bad-input cases for each table are in ``test_bad_input.py``; this file tests
the mechanics every table relies on.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from ipsresearch import schemas
from ipsresearch.validation import (
    MAX_PER_COLUMN,
    Column,
    InputError,
    Problem,
    ProblemCollector,
    Schema,
    UnknownColumnWarning,
    check_choice,
    check_confidence,
    check_frame,
    check_references,
    read_csv,
    read_records,
    source_rows,
    validate,
)

HEADER = "participant_id,site,enrolment_date,follow_up_end\n"
LINE = re.compile(r"^  - (?P<src>.+?)(?: row (?P<row>\d+))?(?:,? column `(?P<col>[^`]+)`)?: "
                  r"(?P<what>.+?)(?: \(allowed: (?P<allowed>.+)\))?$")


def write(tmp_path, text: str | bytes, name: str = "participants.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def problems_of(exc: pytest.ExceptionInfo) -> list[dict]:
    """Parse every problem line of an InputError message into its parts."""
    lines = str(exc.value).splitlines()
    assert re.match(r"^\d+ problems? in .+:$", lines[0]), lines[0]
    parsed = [LINE.match(line) for line in lines[1:]]
    assert all(parsed), lines
    return [m.groupdict() for m in parsed]


def test_message_format_names_source_row_column_value_and_allowed(tmp_path):
    path = write(tmp_path, HEADER + "P1,A,2015-01-01,2016-01-01\nP2,B,2015-13-01,2016-01-01\n")
    with pytest.raises(InputError) as exc:
        read_csv(path, schemas.PARTICIPANTS)
    (p,) = problems_of(exc)
    assert p == {"src": str(path), "row": "3", "col": "enrolment_date",
                 "what": "2015-13-01 is not a calendar date", "allowed": "dates as YYYY-MM-DD"}
    assert exc.value.problems == [Problem(str(path), 3, "enrolment_date",
                                          "2015-13-01 is not a calendar date", "dates as YYYY-MM-DD")]


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    path = write(tmp_path, HEADER
                 + "P1,A,2015-01-01,2016-01-01\n"
                 + "P1,,2015-02-30,soon\n"          # duplicate id, blank site, two bad dates
                 + "P3,C,2016-01-01,2015-01-01\n")  # follow-up before enrolment
    with pytest.raises(InputError, match=r"^5 problems in ") as exc:
        read_csv(path, schemas.PARTICIPANTS)
    found = {(p["row"], p["col"]) for p in problems_of(exc)}
    assert found == {("3", "participant_id"), ("3", "site"), ("3", "enrolment_date"),
                     ("3", "follow_up_end"), ("4", "follow_up_end")}


def test_problems_are_capped_per_column_and_the_rest_counted(tmp_path):
    n = MAX_PER_COLUMN + 7
    body = "".join(f"P{i},A,2015-01-0x,2016-01-01\n" for i in range(n))
    with pytest.raises(InputError) as exc:
        read_csv(write(tmp_path, HEADER + body), schemas.PARTICIPANTS)
    assert len(exc.value.problems) == MAX_PER_COLUMN + 1
    assert exc.value.problems[-1].message == "... and 7 more rows with the same problem"
    assert [p.row for p in exc.value.problems[:-1]] == list(range(2, MAX_PER_COLUMN + 2))


def test_rows_count_blank_rows_and_multiline_cells_as_a_spreadsheet_does(tmp_path):
    text = (HEADER
            + "P1,A,2015-01-01,2016-01-01\n"
            + "\n"                                   # row 3: blank, skipped but counted
            + ',,,\n'                                # row 4: Excel's empty row
            + 'P2,"Site\nwith a line break",2015-01-01,2016-01-01\n'  # row 5, two lines
            + "P3,C,2015-01-01,2014-01-01\n")       # row 6
    path = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        read_csv(path, schemas.PARTICIPANTS)
    (p,) = problems_of(exc)
    assert (p["row"], p["col"]) == ("6", "follow_up_end")
    ok = write(tmp_path, text.replace("2014-01-01", "2017-01-01"), "ok.csv")
    frame = read_csv(ok, schemas.PARTICIPANTS)
    assert frame["participant_id"].tolist() == ["P1", "P2", "P3"]
    assert source_rows(frame).tolist() == [2, 5, 6]
    assert frame["site"].iloc[1] == "Site\nwith a line break"


def test_cross_table_checks_name_the_file_row_after_blank_rows(tmp_path):
    people = read_csv(write(tmp_path, HEADER + "P1,A,2015-01-01,2016-01-01\n"), schemas.PARTICIPANTS)
    spells_text = ("spell_id,participant_id,start_date,end_date,job_type,paid\n"
                   "S1,P1,2015-03-01,,competitive,true\n\n\n"
                   "S2,P9,2015-03-01,,competitive,true\n"
                   "S3,P1,2014-03-01,,competitive,true\n")
    spells = read_csv(write(tmp_path, spells_text, "job_spells.csv"), schemas.JOB_SPELLS)
    assert [p.row for p in check_references(spells, people, key="participant_id",
                                            child_source="s", parent_source="p")] == [5]
    with pytest.raises(InputError) as exc:
        schemas.check_cohort(people, spells)
    assert sorted(p.row for p in exc.value.problems) == [5, 6]


def test_trailing_commas_and_empty_unnamed_columns_are_ignored(tmp_path):
    path = write(tmp_path, "participant_id,site,enrolment_date,follow_up_end,,\n"
                           "P1,A,2015-01-01,2016-01-01,,\nP2,B,2015-01-01,2016-01-01,\n")
    frame = read_csv(path, schemas.PARTICIPANTS)
    assert list(frame.columns) == schemas.PARTICIPANTS.names and len(frame) == 2


def test_unknown_columns_are_kept_with_a_warning_naming_them(tmp_path):
    path = write(tmp_path, HEADER.strip() + ",notes\nP1,A,2015-01-01,2016-01-01,moved <away>\n")
    with pytest.warns(UnknownColumnWarning, match=r"unknown column notes kept but not checked"):
        frame = read_csv(path, schemas.PARTICIPANTS)
    assert frame["notes"].tolist() == ["moved <away>"]


def test_known_columns_raise_no_warning(tmp_path):
    path = write(tmp_path, HEADER + "P1,A,2015-01-01,2016-01-01\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_csv(path, schemas.PARTICIPANTS)


def test_missing_column_suggests_the_near_miss(tmp_path):
    path = write(tmp_path, "participant_id,Site,enrolment_date,follow_up_end\nP1,A,2015-01-01,2016-01-01\n")
    with (pytest.raises(InputError, match=r"column `site`: required column is missing; found `Site` "
                                          r"\(column names are case-sensitive"),
          pytest.warns(UnknownColumnWarning, match="unknown column Site")):
        read_csv(path, schemas.PARTICIPANTS)
    path = write(tmp_path, "participant_id,site,enrolment_date,folow_up_end\nP1,A,2015-01-01,2016-01-01\n")
    with (pytest.raises(InputError, match=r"found `folow_up_end`, a misspelling\?"),
          pytest.warns(UnknownColumnWarning, match="unknown column folow_up_end")):
        read_csv(path, schemas.PARTICIPANTS)


def test_read_records_returns_text_cells_and_rows(tmp_path):
    path = write(tmp_path, "\ufeffa, b ,c\n 1 ,x,\n\n2,y,z\n", "t.csv")
    frame, rows = read_records(path)
    assert list(frame.columns) == ["a", "b", "c"]
    assert frame.values.tolist() == [[" 1 ", "x", ""], ["2", "y", "z"]]
    assert rows.tolist() == [2, 4]


def test_validate_accepts_typed_frames_and_date_objects():
    import datetime as dt

    frame = pd.DataFrame({
        "participant_id": [1, 2, 3], "site": ["A", "B", "C"],
        "enrolment_date": [pd.Timestamp("2015-01-01"), dt.date(2015, 2, 1), "2015-03-01"],
        "follow_up_end": pd.to_datetime(["2017-01-01"] * 3),
    })
    typed = validate(frame, schemas.PARTICIPANTS)
    assert typed["enrolment_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2015-01-01", "2015-02-01", "2015-03-01"]
    assert typed["participant_id"].tolist() == ["1", "2", "3"]


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"participant_id": ["a", "a"], "site": ["X", None],
                  "enrolment_date": ["2015-01-01", "2015-02-30"], "follow_up_end": ["2016-01-01"] * 2}),
    pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "Y"],
                  "enrolment_date": pd.to_datetime(["2015-01-01", "2015-02-01"]),
                  "follow_up_end": [pd.Timestamp("2016-01-01"), pd.NaT], "extra": [1, 2]},
                 index=[10, 3]),
])
def test_validate_never_mutates_its_input(frame):
    before = frame.copy(deep=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownColumnWarning)
        try:
            validate(frame, schemas.PARTICIPANTS)
        except InputError:
            pass
    assert_frame_equal(frame, before)


def test_validate_rejects_non_frames_and_empty_frames():
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got list"):
        validate([1, 2], schemas.PARTICIPANTS)
    with pytest.raises(InputError, match=r"participants: has no rows \(allowed: at least one record\)"):
        validate(pd.DataFrame(columns=schemas.PARTICIPANTS.names), schemas.PARTICIPANTS)


def test_number_and_bool_columns():
    schema = Schema("t", [Column("n", "int", min=0), Column("x", "float", nullable=True),
                          Column("b", "bool")])
    frame = pd.DataFrame({"n": ["1", " 2 ", "-1", "2.5", "many"],
                          "x": ["1.5", "", "7,5", "1e3", "nan"],
                          "b": ["yes", "No", "1", "F", "maybe"]})
    with pytest.raises(InputError) as exc:
        validate(frame, schema)
    messages = {(p.row, p.column): p.message for p in exc.value.problems}
    assert messages == {
        (4, "n"): "-1 is below 0",
        (4, "x"): "7,5 is not a number (use a point as the decimal mark)",
        (5, "n"): "2.5 is not a whole number",
        (6, "n"): "many is not a number",
        (6, "x"): "nan is not a number",
        (6, "b"): "maybe is not true or false",
    }
    typed = validate(frame.iloc[:2], schema)
    assert typed["n"].tolist() == [1, 2] and typed["b"].tolist() == [True, False]
    assert np.isnan(typed["x"].iloc[1])


def test_input_error_keeps_every_problem_when_reraised():
    problems = [Problem("f.csv", 2, "a", "bad"), Problem("f.csv", None, None, "worse", "better")]
    err = InputError(problems)
    assert str(err) == ("2 problems in f.csv:\n  - f.csv row 2, column `a`: bad\n"
                        "  - f.csv: worse (allowed: better)")
    assert err.problems == problems and isinstance(err, ValueError)


# ------------------------------------------------------------------ collecting problems, checking arguments


def test_problem_collector_lists_everything_in_reading_order_and_caps_each_kind():
    found = ProblemCollector("ratings.csv")
    assert len(found) == 0
    found.raise_if_any()  # nothing collected: nothing raised
    values = np.arange(MAX_PER_COLUMN + 7)
    found.add(values >= 0, lambda i: f"{values[i]} is wrong", rows=values + 2, column="rating",
              allowed="something else", more="ratings that are wrong")
    found.add_problem(None, "review_id", "required column is missing", "a review_id column")
    found.extend([Problem("ratings.csv", 1, None, "header problem")])
    assert len(found) == MAX_PER_COLUMN + 3
    with pytest.raises(InputError) as exc:
        found.raise_if_any()
    parsed = problems_of(exc)
    assert parsed[0]["col"] == "review_id" and parsed[0]["row"] is None  # whole column first
    assert [p["row"] for p in parsed[1:3]] == ["1", "2"]  # then by row
    assert parsed[-1]["what"] == "... and 7 more ratings that are wrong"
    assert exc.value.source == "ratings.csv"
    assert {p["src"] for p in parsed} == {"ratings.csv"}


@pytest.mark.parametrize(("value", "options", "message"), [
    ("wald", ("wilson", "exact"), r"^method 'wald' not recognised; choose from wilson, exact$"),
    (None, ("wilson", "exact"), r"^method None not recognised; choose from wilson, exact$"),
    (1, (True, False, "auto"), r"^method 1 not recognised; choose from True, False, auto$"),
    ("1", {1: "a", 2: "b"}, r"^method '1' not recognised; choose from 1, 2$"),
    (["wilson"], ("wilson",), r"^method \['wilson'\] not recognised; choose from wilson$"),
])
def test_check_choice_names_the_argument_the_value_and_the_choices(value, options, message):
    with pytest.raises(ValueError, match=message):
        check_choice("method", value, options)


def test_check_choice_returns_the_value_and_checks_each_of_many():
    assert check_choice("method", "exact", ("wilson", "exact")) == "exact"
    assert check_choice("widgets", True, (True, False, "auto")) is True
    assert check_choice("job_type", "competitive", ("competitive", "other"), many=True) == ["competitive"]
    assert check_choice("job_type", [], ("competitive",), many=True) == []
    with pytest.raises(ValueError, match=r"^job_type \['paid', 'unpaid'\] not recognised; "
                                         r"choose from competitive, other$"):
        check_choice("job_type", ["competitive", "paid", "unpaid"], ("competitive", "other"),
                     many=True)


@pytest.mark.parametrize(("value", "error", "message"), [
    (95, ValueError, r"^confidence 95 must be between 0 and 1 \(e\.g\. 0\.95\)$"),
    (0, ValueError, r"^confidence 0 must be between 0 and 1"),
    (1.0, ValueError, r"^confidence 1\.0 must be between 0 and 1"),
    (float("nan"), ValueError, r"^confidence nan must be between 0 and 1"),
    ("0.95", TypeError, r"^confidence '0\.95' is text, not a number; give a number between 0 "
                        r"and 1 \(e\.g\. 0\.95\)$"),
    (None, TypeError, r"^confidence None is a NoneType, not a number"),
    (True, TypeError, r"^confidence True is a bool, not a number"),
    ([0.95], TypeError, r"^confidence \[0\.95\] is a list, not a number"),
])
def test_check_confidence_says_what_is_wrong_and_what_is_allowed(value, error, message):
    with pytest.raises(error, match=message):
        check_confidence(value)


def test_check_confidence_accepts_numbers_between_0_and_1():
    assert check_confidence(0.9) == 0.9
    assert check_confidence(np.float32(0.5)) == 0.5
    assert isinstance(check_confidence(np.float64(0.99)), float)
    with pytest.raises(ValueError, match="^level 2 must be between 0 and 1"):
        check_confidence(2, name="level")


def test_check_frame():
    frame = pd.DataFrame({"a": [1]})
    assert check_frame(frame) is frame
    with pytest.raises(TypeError, match="^scores must be a pandas DataFrame, got dict$"):
        check_frame({"a": [1]}, "scores")
    with pytest.raises(TypeError, match="^data must be a pandas DataFrame, got Series$"):
        check_frame(frame["a"])

"""Bad input across every table: each case asserts the message a user would read.

A researcher's own export (a spreadsheet saved as CSV by hand) reaches the
package through the loaders (``irish_pilot.load_cohort``, ``fidelity.score``,
``moen2021.read_studies``, ``validation.read_csv``) or as a DataFrame passed
to a public function. Every case below must raise :class:`InputError` whose
message names the file (or table), the row as a spreadsheet counts it
(header = row 1), the column, the offending value and what is allowed, or,
for the few inputs that are not errors, behave as documented.
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipsresearch import fidelity, outcomes, qualitative, schemas, synthesis
from ipsresearch.paths import DATA_SYNTHETIC, DATASETS_DIR
from ipsresearch.studies import irish_pilot, moen2021
from ipsresearch.validation import InputError, UnknownColumnWarning, read_csv

# A tiny cohort that passes validation; each case breaks one thing in it.
PEOPLE = ("participant_id,site,enrolment_date,follow_up_end\n"
          "P1,Site A,2015-03-01,2017-12-31\n"
          "P2,Site A,2015-04-01,2017-12-31\n"
          "P3,Site B,2016-01-15,2017-12-31\n")
SPELLS = ("spell_id,participant_id,start_date,end_date,job_type,paid,hours_per_week\n"
          "S1,P1,2015-06-01,2016-01-31,competitive,true,20\n"
          "S2,P2,2015-09-01,,volunteer,false,\n"
          "S3,P3,2016-05-01,,competitive,true,12.5\n")
LINE = re.compile(r"^  - .+?(?: row \d+)?(?:,? column `[^`]+`)?: .+$")


def cohort(tmp_path: Path, people: str | bytes = PEOPLE, spells: str | bytes = SPELLS) -> Path:
    d = tmp_path / "cohort"
    d.mkdir(exist_ok=True)
    for name, text in (("participants.csv", people), ("job_spells.csv", spells)):
        (d / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return d


def load_cohort(tmp_path: Path, **kw) -> Callable[[], object]:
    d = cohort(tmp_path, **kw)
    return lambda: irish_pilot.load_cohort(d)


def replace_line(text: str, n: int, new: str) -> str:
    """``text`` with its ``n``-th line (1 = header) replaced."""
    lines = text.splitlines()
    lines[n - 1] = new
    return "\n".join(lines) + "\n"


def shipped(path: str) -> pd.DataFrame:
    return pd.read_csv(DATA_SYNTHETIC / path, dtype=str, keep_default_na=False)


def to_file(tmp_path: Path, frame: pd.DataFrame, name: str) -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def ratings_file(tmp_path: Path, row: int, column: str, value: str) -> Path:
    """The shipped ratings with one cell (spreadsheet row ``row``) changed."""
    frame = shipped("fidelity/ratings.csv")
    frame.loc[row - 2, column] = value
    return to_file(tmp_path, frame, "ratings.csv")


TRIALS = pd.DataFrame({"study": ["Drake 1999", "Lehman 2002", "Bond 2007"],
                       "events_treatment": [40, 27, 25], "n_treatment": [76, 113, 50],
                       "events_control": [7, 8, 9], "n_control": [76, 106, 50]})


def trials(**changes) -> pd.DataFrame:
    t = TRIALS.copy()
    for (row, col), value in changes.get("cells", {}).items():
        t[col] = t[col].astype(object)
        t.loc[row, col] = value
    return t


def screening(row: int, column: str, value: str) -> pd.DataFrame:
    log = shipped("moen2021/screening_log.csv")
    log.loc[row - 2, column] = value
    return log


def studies_file(tmp_path: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    printed = pd.read_csv(DATASETS_DIR / "moen2021_studies.csv", dtype=str,
                          keep_default_na=False)[moen2021.PRINTED_COLUMNS]
    return to_file(tmp_path, edit(printed), "studies.csv")


def set_cell(frame: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[row - 2, column] = value
    return frame


@dataclass(frozen=True)
class Case:
    id: str
    run: Callable[[Path], Callable[[], object]]
    expected: tuple[str, ...]  # regexes, each must match the message


def case(id_: str, run, *expected: str) -> Case:
    return Case(id_, run, expected)


CASES = [
    # ------------------------------------------------------------ participants (CSV)
    case("participants: missing required column",
         lambda t: load_cohort(t, people=PEOPLE.replace(",follow_up_end", "").replace(",2017-12-31", "")),
         r"participants\.csv column `follow_up_end`: required column is missing \(columns found: "
         r"participant_id, site, enrolment_date\) \(allowed: dates as YYYY-MM-DD\)"),
    case("participants: empty file", lambda t: load_cohort(t, people=""),
         r"participants\.csv: file is empty \(allowed: a file of participants with a header row\)"),
    case("participants: header only", lambda t: load_cohort(t, people=PEOPLE.splitlines()[0] + "\n"),
         r"participants\.csv: has a header row but no data rows \(allowed: one row per record below "
         r"the header \(participant_id, site, enrolment_date, follow_up_end\)\)"),
    case("participants: duplicate id",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 4, "P2,Site B,2016-01-15,2017-12-31")),
         r"participants\.csv row 4, column `participant_id`: P2 repeats row 3 \(allowed: each value once\)"),
    case("participants: impossible date 2017-02-30",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 3, "P2,Site A,2017-02-30,2017-12-31")),
         r"participants\.csv row 3, column `enrolment_date`: 2017-02-30 is not a calendar date "
         r"\(allowed: dates as YYYY-MM-DD\)"),
    case("participants: unparseable date",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 2, "P1,Site A,01/03/2015,2017-12-31")),
         r"participants\.csv row 2, column `enrolment_date`: 01/03/2015 is not a date in YYYY-MM-DD form"),
    case("participants: date with a time of day",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 2, "P1,Site A,2015-03-01 13:45,2017-12-31")),
         r"row 2, column `enrolment_date`: 2015-03-01 13:45 is not a date in YYYY-MM-DD form "
         r"\(leave out the time of day\)"),
    case("participants: day and month order cannot be told",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 2, "P1,Site A,01/03/2015,2017-12-31")),
         r"participants\.csv row 2, column `enrolment_date`: 01/03/2015 could be day-first or "
         r"month-first, and no date in the file has a day above 12 to tell \(allowed: set the order: "
         r"dates = \"day-first\" or \"month-first\""),
    case("participants: both orders of day and month in one file (#16)",
         lambda t: load_cohort(t, people=replace_line(replace_line(PEOPLE, 2, "P1,Site A,14/03/2015,2017-12-31"),
                                                      3, "P2,Site A,03/14/2015,2017-12-31")),
         r"participants\.csv: dates are written in both orders: 14/03/2015 \(row 2, column "
         r"enrolment_date\) is day first, 03/14/2015 \(row 3, column enrolment_date\) is month first"),
    case("participants: a date outside what pandas holds (#20)",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 3, "P2,Site A,1600-01-01,2017-12-31")),
         r"participants\.csv row 3, column `enrolment_date`: 1600-01-01 is outside the dates a table can "
         r"hold \(1677-09-22 to 2262-04-11\)"),
    case("participants: 9999-12-31 where blank is not allowed (#20)",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 4, "P3,Site B,2016-01-15,9999-12-31")),
         r"participants\.csv row 4, column `follow_up_end`: 9999-12-31 is outside the dates a table can "
         r"hold"),
    case("participants: follow-up ends before enrolment",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 4, "P3,Site B,2016-01-15,2015-12-31")),
         r"participants\.csv row 4, column `follow_up_end`: follow-up ends 2015-12-31, before "
         r"enrolment on 2016-01-15 \(allowed: a follow-up end on or after the enrolment date\)"),
    case("participants: blank required cell",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 3, "P2,,2015-04-01,2017-12-31")),
         r"participants\.csv row 3, column `site`: is blank \(allowed: non-empty text\)"),
    case("participants: bytes neither UTF-8 nor Windows-1252",
         lambda t: load_cohort(t, people=PEOPLE.replace("Site B", "Sit\u00e9 B").encode("cp1252") + b"\x81\n"),
         r"participants\.csv row 5: byte 0x81 is neither UTF-8 nor Windows-1252 text \(first byte that "
         r"is not UTF-8: line 4\)"),
    case("participants: UTF-16 without a byte-order mark (#20)",
         lambda t: load_cohort(t, people=PEOPLE.encode("utf-16-le")),
         r"participants\.csv: is UTF-16 text without a byte-order mark \(every other byte is zero, "
         r"le-endian\) \(allowed: UTF-8, Windows-1252 or UTF-16 with a byte-order mark"),
    case("participants: NUL bytes (#20)",
         lambda t: load_cohort(t, people=PEOPLE.replace("Site B", "Site\x00B")),
         r"participants\.csv row 4, column `site`: 'Site\\\\x00B' holds a NUL byte \(\\x00\) \(allowed: "
         r"text without NUL bytes"),
    case("participants: path does not exist", lambda t: (lambda: irish_pilot.load_cohort(t / "nowhere")),
         r"nowhere/participants\.csv: file does not exist; the folder .*nowhere does not exist either "
         r"\(allowed: a path to a CSV file of participants"),
    case("participants: path is a directory",
         lambda t: (lambda: (cohort(t) / "d.csv").mkdir() or read_csv(t / "cohort" / "d.csv",
                                                                       schemas.PARTICIPANTS)),
         r"d\.csv: is a directory \(allowed: a path to a CSV file of participants\)"),
    case("participants: a row with more values than the header",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 3, "P2,Site A,Dublin,2015-04-01,2017-12-31")),
         r"participants\.csv row 3: has 5 values but the header names 4 columns \(value 5 is "
         r"2017-12-31\) \(allowed: one value per header column; put quotes around a value"),
    case("participants: a quote that is never closed",
         lambda t: load_cohort(t, people=replace_line(PEOPLE, 3, 'P2,"Site A,2015-04-01,2017-12-31')),
         r"participants\.csv row 3: a quote \(\"\) opened on this row is never closed"),
    case("participants: repeated column name",
         lambda t: load_cohort(t, people=PEOPLE.replace("site,", "site,site,", 1)),
         r"participants\.csv row 1: column names repeat: site \(allowed: each column name once\)"),
    case("participants: values under a column without a name",
         lambda t: load_cohort(t, people=PEOPLE.replace("site,", "site,,", 1).replace("Site A,", "Site A,x,")),
         r"participants\.csv row 1: column 3 has values \(e\.g\. x on row 2\) but no name in the header"),
    # ------------------------------------------------------------ job spells (CSV)
    case("job spells: end before start",
         lambda t: load_cohort(t, spells=replace_line(SPELLS, 2, "S1,P1,2015-06-01,2015-05-31,competitive,true,20")),
         r"job_spells\.csv row 2, column `end_date`: spell S1 ends 2015-05-31, before it starts on "
         r"2015-06-01 \(allowed: an end date on or after the start date, or blank for a job still running\)"),
    case("job spells: start before enrolment",
         lambda t: load_cohort(t, spells=replace_line(SPELLS, 4, "S3,P3,2015-12-01,,competitive,true,12.5")),
         r"job_spells\.csv row 4, column `start_date`: spell S3 starts 2015-12-01, before participant "
         r"P3 enrolled on 2016-01-15 \(allowed: a start date on or after the participant's enrolment date\)"),
    case("job spells: start after follow-up",
         lambda t: load_cohort(t, spells=replace_line(SPELLS, 3, "S2,P2,2018-02-01,,volunteer,false,")),
         r"job_spells\.csv row 3, column `start_date`: spell S2 starts 2018-02-01, after follow-up of "
         r"participant P2 ended on 2017-12-31"),
    case("job spells: unknown participant",
         lambda t: load_cohort(t, spells=replace_line(SPELLS, 3, "S2,P9,2015-09-01,,volunteer,false,")),
         r"job_spells\.csv row 3, column `participant_id`: P9 does not appear in .*participants\.csv "
         r"\(allowed: a participant_id listed in"),
    case("job spells: job type not recognised",
         lambda t: load_cohort(t, spells=SPELLS.replace("volunteer", "full-time")),
         r"job_spells\.csv row 3, column `job_type`: full-time is not a recognised value \(allowed: one of "
         r"competitive, sheltered, volunteer, work_trial, other\)"),
    case("job spells: wrong type (paid)", lambda t: load_cohort(t, spells=SPELLS.replace("false", "unpaid")),
         r"job_spells\.csv row 3, column `paid`: unpaid is not true or false \(allowed: true/false, "
         r"yes/no or 1/0\)"),
    case("job spells: wrong type (hours)", lambda t: load_cohort(t, spells=SPELLS.replace(",20\n", ",twenty\n")),
         r"job_spells\.csv row 2, column `hours_per_week`: twenty is not a number \(allowed: numbers 0 "
         r"to 80, or blank\)"),
    case("job spells: hours out of range", lambda t: load_cohort(t, spells=SPELLS.replace(",20\n", ",168\n")),
         r"job_spells\.csv row 2, column `hours_per_week`: 168 is outside 0\.\.80"),
    case("job spells: decimal comma", lambda t: load_cohort(t, spells=SPELLS.replace(",12.5\n", ',"12,5"\n')),
         r"job_spells\.csv row 4, column `hours_per_week`: 12,5 is not a number \(use a point as the "
         r"decimal mark\)"),
    # ------------------------------------------------------------ cohort as DataFrames
    case("DataFrame spells: end before start (ever_employed)",
         lambda t: (lambda: outcomes.ever_employed(
             pd.read_csv(cohort(t) / "participants.csv"),
             set_cell(pd.read_csv(cohort(t) / "job_spells.csv", dtype=str), 3, "end_date", "2015-01-01"))),
         r"job_spells row 3, column `end_date`: spell S2 ends 2015-01-01, before it starts on 2015-09-01"),
    case("DataFrame spells: start before enrolment (ever_employed)",
         lambda t: (lambda: outcomes.ever_employed(
             pd.read_csv(cohort(t) / "participants.csv"),
             set_cell(pd.read_csv(cohort(t) / "job_spells.csv", dtype=str), 2, "start_date", "2015-01-01"))),
         r"job_spells row 2, column `start_date`: spell S1 starts 2015-01-01, before participant P1 "
         r"enrolled on 2015-03-01"),
    case("DataFrame spells: impossible date (spell_durations)",
         lambda t: (lambda: outcomes.spell_durations(
             pd.DataFrame({"spell_id": ["S1"], "start_date": ["2017-02-30"], "end_date": [""]}),
             follow_up_end="2017-12-31")),
         r"job_spells row 2, column `start_date`: 2017-02-30 is not a calendar date"),
    case("DataFrame outcome: not true or false (placement_rate)",
         lambda t: (lambda: outcomes.placement_rate(pd.DataFrame({"placed": [True, "sometimes"]}),
                                                   outcome="placed")),
         r"data row 3, column `placed`: sometimes is not true or false"),
    # ------------------------------------------------------------ fidelity ratings
    case("ratings: 0", lambda t: (lambda: fidelity.score(ratings_file(t, 6, "rating", "0"))),
         r"ratings\.csv row 6, column `rating`: review NO-01-R1, item O2: 0 is outside 1\.\.5 "
         r"\(allowed: integers 1 to 5\)"),
    case("ratings: 6", lambda t: (lambda: fidelity.score(ratings_file(t, 6, "rating", "6"))),
         r"ratings\.csv row 6, column `rating`: review NO-01-R1, item O2: 6 is outside 1\.\.5"),
    case("ratings: 3.5", lambda t: (lambda: fidelity.score(ratings_file(t, 6, "rating", "3.5"))),
         r"ratings\.csv row 6, column `rating`: review NO-01-R1, item O2: 3\.5 is not a whole number"),
    case("ratings: blank", lambda t: (lambda: fidelity.score(ratings_file(t, 6, "rating", ""))),
         r"ratings\.csv row 6, column `rating`: review NO-01-R1, item O2: rating is blank"),
    case("ratings: unknown item code", lambda t: (lambda: fidelity.score(ratings_file(t, 6, "item", "SE15"))),
         r"ratings\.csv row 6, column `item`: review NO-01-R1: SE15 is not an IPS-25 item code",
         r"review NO-01-R1: 1 of 25 items not rated \(O2\) \(allowed: all 25 items rated for every "
         r"review; totals are never prorated\)"),
    case("ratings: item rated twice", lambda t: (lambda: fidelity.score(ratings_file(t, 6, "item", "O1"))),
         r"ratings\.csv row 6, column `item`: review NO-01-R1, item O1: rated again"),
    case("ratings (wide, DataFrame): 6",
         lambda t: (lambda: fidelity.score(pd.DataFrame({"review_id": ["r1"], "S1": [6],
                                                         **{c: [3] for c in fidelity.ITEM_CODES[1:]}}))),
         r"ratings row 2, column `S1`: .*6 is outside 1\.\.5"),
    case("fidelity reviews: review before the site started",
         lambda t: (lambda: read_csv(to_file(t, set_cell(shipped("fidelity/reviews.csv"), 2, "review_date",
                                                         "2012-01-01"), "reviews.csv"),
                                     schemas.FIDELITY_REVIEWS)),
         r"reviews\.csv row 2, column `review_date`: review NO-01-R1 is dated 2012-01-01, before site "
         r"NO-01 started on 2013-03-01"),
    # ------------------------------------------------------------ trial arms (meta-analysis)
    case("trial arms: events greater than total",
         lambda t: (lambda: synthesis.meta_analysis(trials(cells={(1, "events_control"): 120}))),
         r"data row 3, column `events_control`: study Lehman 2002: 120 events among 106 participants in "
         r"the control arm \(allowed: events between 0 and the number in `n_control`\)"),
    case("trial arms: negative count",
         lambda t: (lambda: synthesis.meta_analysis(trials(cells={(0, "events_treatment"): -4}))),
         r"data row 2, column `events_treatment`: -4 is below 0 \(allowed: integers >= 0\)"),
    case("trial arms: count not a whole number",
         lambda t: (lambda: synthesis.meta_analysis(trials(cells={(2, "n_treatment"): 50.5}))),
         r"data row 4, column `n_treatment`: 50\.5 is not a whole number"),
    case("trial arms: repeated study",
         lambda t: (lambda: synthesis.meta_analysis(trials(cells={(2, "study"): "Drake 1999"}))),
         r"data row 4, column `study`: Drake 1999 repeats row 2"),
    case("trial arms: no trials", lambda t: (lambda: synthesis.meta_analysis(TRIALS.iloc[:0])),
         r"data: has no rows \(allowed: at least one record\)"),
    case("trial arms (CSV): events greater than total",
         lambda t: (lambda: read_csv(to_file(t, trials(cells={(0, "events_treatment"): 80}), "arms.csv"),
                                     schemas.TRIAL_ARMS)),
         r"arms\.csv row 2, column `events_treatment`: study Drake 1999: 80 events among 76 participants "
         r"in the treatment arm"),
    # ------------------------------------------------------------ survival
    case("survival: negative duration",
         lambda t: (lambda: outcomes.kaplan_meier(pd.DataFrame({"days": [30, -2], "ended": [True, False]}))),
         r"data row 3, column `days`: -2 is below 0 \(allowed: numbers >= 0\)"),
    case("survival: event not true or false",
         lambda t: (lambda: outcomes.kaplan_meier(pd.DataFrame({"days": [30, 2], "ended": ["yes", "left"]}))),
         r"data row 3, column `ended`: left is not true or false"),
    # ------------------------------------------------------------ screening logs
    case("screening log: unknown stage",
         lambda t: (lambda: synthesis.prisma_flow(screening(2, "stage_reached", "eligible"))),
         r"screening log row 2, column `stage_reached`: eligible is not a recognised value \(allowed: one "
         r"of identified, screened, sought, assessed, included\)"),
    case("screening log: excluded without a reason",
         lambda t: (lambda: synthesis.prisma_flow(screening(2, "reason", ""))),
         r"screening log row 2, column `reason`: record MOEN-S1-0001 stopped at screened without a reason"),
    case("screening log: repeated record id",
         lambda t: (lambda: synthesis.prisma_flow(screening(3, "record_id", "MOEN-S1-0001"))),
         r"screening log row 3, column `record_id`: MOEN-S1-0001 repeats row 2"),
    case("screening log (CSV): impossible search date",
         lambda t: (lambda: read_csv(to_file(t, screening(5, "search_date", "2018-02-30"), "log.csv"),
                                     schemas.SCREENING_LOG)),
         r"log\.csv row 5, column `search_date`: 2018-02-30 is not a calendar date"),
    # ------------------------------------------------------------ study tables
    case("study table: year typed with a letter",
         lambda t: (lambda: moen2021.read_studies(studies_file(t, lambda f: set_cell(f, 4, "year", "20l3")))),
         r"studies\.csv row 4, column `year`: 20l3 is not a number \(allowed: integers 1900 to 2100\)"),
    case("study table: missing column",
         lambda t: (lambda: moen2021.read_studies(studies_file(t, lambda f: f.drop(columns="country")))),
         r"studies\.csv row 1, column `country`: column is missing"),
    case("study table: sample cell that is not a count",
         lambda t: (lambda: moen2021.read_studies(studies_file(
             t, lambda f: set_cell(f, 5, "sample", "lots of people")))),
         r"studies\.csv row 5, column `sample`: sample part 'lots of people' is not a count"),
    # ------------------------------------------------------------ qualitative: segments, codings, rosters
    case("coded segments (CSV): role not recognised",
         lambda t: (lambda: read_csv(to_file(t, set_cell(shipped("irish_qualitative/coded_segments.csv"), 2,
                                                         "role", "nurse"), "segments.csv"), schemas.SEGMENTS)),
         r"segments\.csv row 2, column `role`: nurse is not a recognised value \(allowed: one of "
         r"employment_specialist, ot_manager"),
    case("coded segments: blank theme",
         lambda t: (lambda: qualitative.themes_summary(
             set_cell(shipped("irish_qualitative/coded_segments.csv"), 3, "theme", " "))),
         r"segments row 3, column `theme`: is blank \(allowed: non-empty text\)"),
    case("codings: a coder codes a segment twice",
         lambda t: (lambda: qualitative.cohen_kappa(pd.concat(
             [shipped("irish_qualitative/double_coding.csv")] * 2, ignore_index=True))),
         r"codings row \d+, column `segment_id, coder`: segment_id=IE-S0003, coder=DS repeats row 2"),
    case("roster (CSV): took part without a group",
         lambda t: (lambda: read_csv(to_file(t, set_cell(shipped("irish_pilot/focus_group_roster.csv"), 3,
                                                         "group_id", ""), "roster.csv"), schemas.ROSTER)),
         r"roster\.csv row 3, column `group_id`: IE-ES02 took part but has no group_id"),
]


def test_at_least_thirty_distinct_cases():
    assert len({c.id for c in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_message(c: Case, tmp_path):
    call = c.run(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a bad-input case must not also warn
        with pytest.raises(InputError) as exc:
            call()
    message = str(exc.value)
    lines = message.splitlines()
    assert re.match(r"^\d+ problems? in .+:$", lines[0]), message
    assert len(lines) == 1 + len(exc.value.problems), message
    assert all(LINE.match(line) for line in lines[1:]), message
    for pattern in c.expected:
        assert re.search(pattern, message), f"{pattern!r} not found in:\n{message}"


# ---------------------------------------------------------------- inputs that are not errors


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    d = cohort(tmp_path, people=b"\xef\xbb\xbf" + PEOPLE.encode(), spells=b"\xef\xbb\xbf" + SPELLS.encode())
    people, spells = irish_pilot.load_cohort(d)
    assert list(people.columns) == schemas.PARTICIPANTS.names
    assert people["participant_id"].tolist() == ["P1", "P2", "P3"]
    assert spells["spell_id"].tolist() == ["S1", "S2", "S3"]


def test_windows_line_endings_and_spaces_around_values_are_accepted(tmp_path):
    people = PEOPLE.replace(",", " , ").replace("\n", "\r\n")
    loaded, _ = irish_pilot.load_cohort(cohort(tmp_path, people=people))
    assert loaded["site"].tolist() == ["Site A", "Site A", "Site B"]


def test_unknown_column_is_a_warning_not_an_error(tmp_path):
    people = PEOPLE.replace("follow_up_end\n", "follow_up_end,notes\n", 1)
    with pytest.warns(UnknownColumnWarning, match=r"participants\.csv: column notes not used \(kept, "
                                                  r"not checked\)"):
        loaded, _ = irish_pilot.load_cohort(cohort(tmp_path, people=people))
    assert "notes" in loaded.columns and len(loaded) == 3


def test_single_study_meta_analysis_returns_that_study(tmp_path):
    one = TRIALS.iloc[:1]
    result = synthesis.meta_analysis(one, measure="RR")
    assert result.k == 1
    np.testing.assert_allclose(result.estimate, (40 / 76) / (7 / 76), rtol=1e-12)
    assert (result.tau2, result.q, result.q_df, result.i2) == (0.0, 0.0, 0, 0.0)
    assert "of 1 study" in result._repr_html_()


def test_all_censored_spells_keep_survival_at_one_with_a_note():
    spells = pd.DataFrame({"days": [30, 200, 400], "ended": [False, False, False]})
    result = outcomes.kaplan_meier(spells, horizons=(90, 180))
    assert result.table["events"].eq(0).all()
    assert result.table["survival"].tolist() == [1.0, 1.0]
    assert result.table["ci_low"].tolist() == [1.0, 1.0] and len(result.curve) == 0  # no event times
    assert any("no events: all 3 times are censored" in note for note in result.notes)


def test_shipped_data_passes_every_loader(tmp_path):
    """The cases above must fail because of the one edit they make, not because the base is bad."""
    irish_pilot.load_cohort(cohort(tmp_path))
    fidelity.score(DATA_SYNTHETIC / "fidelity" / "ratings.csv")
    synthesis.meta_analysis(TRIALS)
    synthesis.prisma_flow(shipped("moen2021/screening_log.csv"))
    moen2021.read_studies(studies_file(tmp_path, lambda f: f))
    qualitative.themes_summary(shipped("irish_qualitative/coded_segments.csv"))
    qualitative.cohen_kappa(shipped("irish_qualitative/double_coding.csv"))
    for sub, schema in (("irish_pilot/focus_group_roster.csv", schemas.ROSTER),
                        ("fidelity/reviews.csv", schemas.FIDELITY_REVIEWS),
                        ("moen2021/screening_log.csv", schemas.SCREENING_LOG),
                        ("irish_qualitative/coded_segments.csv", schemas.SEGMENTS)):
        read_csv(DATA_SYNTHETIC / sub, schema)
    read_csv(to_file(tmp_path, TRIALS, "arms.csv"), schemas.TRIAL_ARMS)
    shutil.rmtree(tmp_path / "cohort")


# ------------------------------------------------------------------ the confidence level, everywhere

_ROSTER = pd.DataFrame({"role": ["es"] * 3, "eligible": [True] * 3, "invited": [True] * 3,
                        "took_part": [True, True, False], "respondent_code": ["R1", "R2", "R3"]})
_CODINGS = pd.DataFrame({"segment_id": [1, 1, 2, 2, 3, 3], "coder": ["A", "B"] * 3,
                         "code": ["x", "x", "y", "x", "y", "y"]})
_ROUNDS = pd.DataFrame({"site": list("abc") * 2, "round": [1] * 3 + [2] * 3,
                        "total": [80, 85, 90, 88, 97, 91]})
_DURATIONS = pd.DataFrame({"days": [30.0, 60.0, 90.0], "ended": [True, False, True]})
CONFIDENCE_TAKERS = {
    "outcomes.placement_rate": lambda c: outcomes.placement_rate(
        pd.DataFrame({"placed": [True, False]}), outcome="placed", confidence=c),
    "outcomes.kaplan_meier": lambda c: outcomes.kaplan_meier(_DURATIONS, confidence=c),
    "outcomes.retention": lambda c: outcomes.retention(_DURATIONS, confidence=c),
    "outcomes.survival_interval": lambda c: outcomes.survival_interval([0.5], [0.1], confidence=c),
    "outcomes.time_to_first_job": lambda c: outcomes.time_to_first_job(
        *irish_pilot.load_cohort(DATA_SYNTHETIC / "irish_pilot"), confidence=c),
    "fidelity.band_distribution": lambda c: fidelity.band_distribution(
        pd.DataFrame({"total": [80, 110]}), confidence=c),
    "fidelity.band_mentions": lambda c: fidelity.band_mentions(
        pd.DataFrame({"b": ["good", "fair"]}), column="b", confidence=c),
    "fidelity.round_change": lambda c: fidelity.round_change(_ROUNDS, confidence=c),
    "qualitative.sample_flow": lambda c: qualitative.sample_flow(_ROSTER, confidence=c),
    "qualitative.coverage": lambda c: qualitative.coverage(
        pd.DataFrame({"respondent": ["R1"], "role": ["es"], "quoted": [True]}), _ROSTER,
        confidence=c),
    "qualitative.cohen_kappa": lambda c: qualitative.cohen_kappa(_CODINGS, confidence=c),
    "qualitative.pairwise_kappa": lambda c: qualitative.pairwise_kappa(_CODINGS, confidence=c),
    "synthesis.trial_size": lambda c: synthesis.trial_size(p_control=0.25, risk_ratio=2.0,
                                                           confidence=c),
}


@pytest.mark.parametrize("name", sorted(CONFIDENCE_TAKERS))
def test_confidence_given_as_text_or_as_a_percentage_is_named_with_what_is_allowed(name):
    call = CONFIDENCE_TAKERS[name]
    call(0.9)  # the data are fine: only the level is wrong below
    with pytest.raises(TypeError, match=r"^confidence '0\.95' is text, not a number; "
                                        r"give a number between 0 and 1 \(e\.g\. 0\.95\)$"):
        call("0.95")
    with pytest.raises(ValueError, match=r"^confidence 95 must be between 0 and 1 \(e\.g\. 0\.95\)$"):
        call(95)


TABLE_TAKERS = {
    "outcomes.placement_rate": lambda x: outcomes.placement_rate(x, outcome="placed"),
    "outcomes.kaplan_meier": lambda x: outcomes.kaplan_meier(x),
    "outcomes.logrank": lambda x: outcomes.logrank(x, by="site"),
    "outcomes.spell_durations": lambda x: outcomes.spell_durations(x, follow_up_end="2017-12-31"),
    "fidelity.band_distribution": lambda x: fidelity.band_distribution(x),
    "fidelity.band_mentions": lambda x: fidelity.band_mentions(x, column="bands"),
    "fidelity.section_scores": lambda x: fidelity.section_scores(x),
    "fidelity.first_review": lambda x: fidelity.first_review(x),
    "fidelity.round_change": lambda x: fidelity.round_change(x),
    "qualitative.sample_flow": lambda x: qualitative.sample_flow(x),
    "qualitative.themes_summary": lambda x: qualitative.themes_summary(x),
    "synthesis.tally": lambda x: synthesis.tally(x, by="country"),
    "synthesis.year_range": lambda x: synthesis.year_range(x),
    "synthesis.participants_by_role": lambda x: synthesis.participants_by_role(
        x, roles={"work_applicants": "n_wa"}),
}


@pytest.mark.parametrize("name", sorted(TABLE_TAKERS))
def test_a_table_that_is_not_a_dataframe_is_named_with_its_type(name):
    with pytest.raises(TypeError, match=r"^\w+ must be a pandas DataFrame, got list$"):
        TABLE_TAKERS[name]([{"site": "a"}])

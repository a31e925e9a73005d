"""Values at the edges of the Python API (issue 20, cases 7 and 8).

Each case once gave a traceback, a wrapped integer or silence; each now gives a
message naming the file, row, column or argument and what is allowed, or, for a
programme whose participants have had no job, an analysis.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipsresearch import fidelity, outcomes, qualitative, synthesis
from ipsresearch.paths import DATA_SYNTHETIC
from ipsresearch.studies import irish_pilot
from ipsresearch.validation import InputError

CLI = [sys.executable, "-m", "ipsresearch.cli"]


# --------------------------------------------------------------------------- fidelity rounds


def _ratings_with_rounds(path: Path, rounds: dict[int, str]) -> Path:
    """The shipped ratings with a ``round`` column: 1 everywhere but on the given rows."""
    lines = (DATA_SYNTHETIC / "fidelity" / "ratings.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",round"]
    for row, line in enumerate(lines[1:], start=2):
        out.append(f"{line},{rounds.get(row, '1')}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["inf", "1e30", "-inf", "1001"])
def test_a_round_too_large_or_infinite_is_named_with_the_allowed_range(tmp_path, value):
    path = _ratings_with_rounds(tmp_path / "ratings.csv", {3: value})
    with pytest.raises(InputError) as exc:
        fidelity.score(path)
    text = str(exc.value)
    assert f"{path} row 3, column `round`: review NO-01-R1: round {value} is not a whole number " \
           "from 1 to 1000 (allowed: whole numbers from 1 to 1000)" in text
    assert "OverflowError" not in text and "-9223372036854775808" not in text


def test_a_huge_round_on_the_command_line_exits_2_without_a_traceback(tmp_path):
    path = _ratings_with_rounds(tmp_path / "ratings.csv", {3: "inf", 4: "1e30"})
    r = subprocess.run([*CLI, "fidelity", str(path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert f"{path} row 3, column `round`" in r.stderr and f"{path} row 4, column `round`" in r.stderr
    assert "-9223372036854775808" not in r.stderr


def test_the_largest_allowed_round_is_scored():
    r = fidelity.single_review(fill=4).assign(round=fidelity.ratings.MAX_ROUND)
    assert fidelity.score(r)["round"].tolist() == [1000]


# --------------------------------------------------------------------------- fidelity items


def test_single_review_refuses_an_unknown_item_naming_the_valid_ones():
    with pytest.raises(ValueError) as exc:
        fidelity.single_review({"S9": 3})
    assert str(exc.value) == ("ratings: unknown item code 'S9'; choose from "
                              + ", ".join(fidelity.ITEMS["item"]))


def test_single_review_matches_codes_like_score_and_refuses_an_item_given_twice():
    r = fidelity.single_review({" s1 ": 2}, fill=4)
    assert r.loc[r["item"] == "S1", "rating"].tolist() == [2] and len(r) == 25
    with pytest.raises(ValueError, match=r"^ratings: item 's1' given twice"):
        fidelity.single_review({"S1": 2, "s1": 3})
    with pytest.raises(ValueError, match=r"^changes: unknown item codes 'X1', 'S0'; choose from S1,"):
        fidelity.with_changes(r, {"X1": 2, "S0": 1})


# --------------------------------------------------------------------------- other arguments


def test_confidence_given_as_text_is_named_in_placement_rate():
    employed = pd.DataFrame({"employed": [True, False, True]})
    with pytest.raises(TypeError, match=r"^confidence '0\.95' is text, not a number; give a number "
                                        r"between 0 and 1 \(e\.g\. 0\.95\)$"):
        outcomes.placement_rate(employed, outcome="employed", confidence="0.95")


def test_tally_by_an_absent_column_names_it_and_the_columns_there_are():
    studies = pd.DataFrame({"country": ["NO", "SE"], "year": [2019, 2020]})
    with pytest.raises(KeyError) as exc:
        synthesis.tally(studies, by="nation")
    assert exc.value.args[0] == "no column 'nation'; columns: country, year"


def test_cohen_kappa_with_one_coder_says_coder():
    codings = pd.DataFrame({"segment_id": [1, 2, 3], "coder": ["DS"] * 3, "code": ["a", "b", "a"]})
    with pytest.raises(ValueError) as exc:
        qualitative.cohen_kappa(codings)
    assert str(exc.value).startswith("Cohen's kappa compares two coders (column `coder`); the codings "
                                     "hold 1 coder (DS).")
    with pytest.raises(ValueError, match=r"^coder XX not found in column `coder`; coders present: DS"):
        qualitative.cohen_kappa(codings, raters=("DS", "XX"))
    for agreement in (qualitative.fleiss_kappa, qualitative.krippendorff_alpha):
        with pytest.raises(ValueError, match=r"^agreement needs at least two coders \(column `coder`\); "
                                             r"the codings hold 1 \(DS\)$"):
            agreement(codings)


# --------------------------------------------------------------------------- no job spells at all


@pytest.fixture
def no_jobs(tmp_path: Path) -> Path:
    """The shipped pilot's participants with a job_spells.csv that holds only its header."""
    d = tmp_path / "no-jobs"
    d.mkdir()
    src = DATA_SYNTHETIC / "irish_pilot"
    (d / "participants.csv").write_bytes((src / "participants.csv").read_bytes())
    header = (src / "job_spells.csv").read_text(encoding="utf-8").splitlines()[0]
    (d / "job_spells.csv").write_text(header + "\n", encoding="utf-8")
    return d


def test_a_programme_without_job_spells_can_be_analysed(no_jobs):
    participants, spells = irish_pilot.load_cohort(no_jobs)
    n = len(participants)
    assert len(spells) == 0 and n == 65
    employed = outcomes.ever_employed(participants, spells)
    assert not employed["employed"].any()
    rate = outcomes.placement_rate(employed, outcome="employed")
    assert rate[["n", "events", "rate"]].iloc[0].tolist() == [n, 0, 0.0]
    assert rate["ci_low"].iloc[0] == 0.0 and 0 < rate["ci_high"].iloc[0] < 0.1
    by_site = outcomes.placement_rate(employed, outcome="employed", by="site")
    assert by_site["events"].sum() == 0 and by_site["n"].sum() == n
    # time to the first job: nobody found one, so every curve stays flat at 1 (share working 0)
    first = outcomes.time_to_first_job(participants, spells, by="site")
    assert (first.table["survival"] == 1.0).all() and (first.table["events"] == 0).all()
    assert (first.table["share_working"] == 0.0).all()
    assert first.summary()["events"].iloc[0] == 0
    # no jobs to follow: an empty table with the usual columns
    jobs = outcomes.job_tenure(participants, spells)
    assert len(jobs) == 0
    assert list(jobs.columns) == ["spell_id", "participant_id", "site", "job_number", "start_date",
                                  "end_date", "days", "ended"]
    work = outcomes.time_in_work(participants, spells)
    assert len(work) == n and (work["days_worked"] == 0).all() and (work["n_jobs"] == 0).all()
    rmst = outcomes.restricted_mean(first.data, horizon=365, by="site", event="found_job")
    np.testing.assert_allclose(rmst["rmst"], 365.0)


def test_tests_that_need_an_event_say_so_when_nobody_found_a_job(no_jobs):
    participants, spells = irish_pilot.load_cohort(no_jobs)
    first = outcomes.time_to_first_job(participants, spells, by="site")
    for test in (outcomes.logrank, outcomes.logrank_counts):
        with pytest.raises(ValueError, match=r"^the log-rank test needs at least one event; column "
                                             r"`found_job` is false in all 65 rows"):
            test(first.data, by="site", event="found_job")
    with pytest.raises(ValueError, match="a Cox model needs at least one event"):
        outcomes.cox_regression(first.data, covariates="site", event="found_job")
    with pytest.raises(InputError, match=r"data: has no rows \(allowed: at least one record\)"):
        outcomes.retention(outcomes.job_tenure(participants, spells))


def test_other_tables_still_need_at_least_one_record(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_text("participant_id,site,enrolment_date,follow_up_end\n", encoding="utf-8")
    from ipsresearch import schemas
    from ipsresearch.validation import read_csv

    with pytest.raises(InputError, match=r"participants.csv: has a header row but no data rows"):
        read_csv(path, schemas.PARTICIPANTS)

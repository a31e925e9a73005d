"""Reports on a programme's own data describe that programme (issue 16).

Three programme folders, built once per session (reports 01 and 05 only): two sites exported
by Excel in a Norwegian locale (semicolons, decimal commas), twelve sites, and a programme in
which no one has had a job yet. No page may speak of the Irish pilot, call the records
synthetic, give a number of sites that is not the data's, or show a failed claim; the index
shows no claims register for them; warnings stay out of the pages.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest

from ipsresearch.report.build import build

sys.path.insert(0, str(Path(__file__).parent))
import programmes

pytestmark = pytest.mark.slow

SITES_12 = tuple(f"Team {c}" for c in "ABCDEFGHIJKL")
FOLDERS = {
    "two": dict(sites=("Tromsø", "Harstad"), people=31, form="semicolon"),
    "twelve": dict(sites=SITES_12, people=240, form="comma"),
    "no_jobs": dict(sites=("Bodø", "Narvik"), people=20, form="comma", spells=False),
}
WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve")


def visible_text(page: str) -> str:
    """What a reader sees, without the provenance footer (hashes of the package's files)."""
    page = re.sub(r"<footer class=\"ips-provenance\".*?</footer>", " ", page, flags=re.S)
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<img[^>]*>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="session")
def programme_reports(tmp_path_factory) -> dict[str, tuple[Path, object, dict]]:
    out = {}
    for name, spec in FOLDERS.items():
        spec = dict(spec)
        form = spec.pop("form")
        people, spells = programmes.cohort(**spec)
        data = programmes.export(people, spells, tmp_path_factory.mktemp(f"data-{name}") / name, form)
        pages = tmp_path_factory.mktemp(f"reports-{name}")
        report = build(only=["01", "05"], out_dir=pages, params={"data_dir": str(data)}, jobs=2,
                       log=lambda *_: None, progress=False)
        out[name] = (pages, report, {"sites": len(set(people["site"])), "people": len(people),
                                     "site_names": sorted(set(people["site"]))})
    return out


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_every_report_builds_on_a_programme_folder(programme_reports, name):
    _, report, _ = programme_reports[name]
    assert [(r.name, r.status) for r in report.results] == [("01-placement", "built"),
                                                            ("05-job-retention", "built")], \
        [r.error for r in report.results if r.error]


@pytest.mark.parametrize("name", sorted(FOLDERS))
@pytest.mark.parametrize("page", ["01-placement.html", "05-job-retention.html", "index.html"])
def test_no_page_speaks_of_the_pilot_or_of_synthetic_records(programme_reports, name, page):
    pages, _, _ = programme_reports[name]
    text = visible_text((pages / page).read_text(encoding="utf-8"))
    for forbidden in (r"(?i)\birish\b", r"(?i)\bireland\b", r"(?i)\bpilot\b", r"(?i)synthetic",
                      r"(?i)source 000"):
        assert not re.search(forbidden, text), (forbidden, re.search(f".{{80}}{forbidden}.{{80}}", text))


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_numbers_of_sites_and_people_are_the_data_s(programme_reports, name):
    pages, _, truth = programme_reports[name]
    for page in ("01-placement.html", "05-job-retention.html"):
        text = visible_text((pages / page).read_text(encoding="utf-8"))
        # number words before "site(s)", and figures before "sites" (a table's row number before
        # a column named site is not a count)
        said = [a or b for a, b in re.findall(rf"\b({'|'.join(WORDS)}) sites?\b|\b(\d[\d,]*) sites\b",
                                              text, flags=re.I)]
        assert said, f"{page} never says how many sites"
        number = WORDS[truth["sites"]] if truth["sites"] < len(WORDS) else f"{truth['sites']:,}"
        assert {s.lower() for s in said} == {number}, (page, said)
        assert f"{truth['people']} participants" in text
        for site in truth["site_names"][:8]:
            assert site in text


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_no_claim_is_checked_against_a_programme_and_none_fails(programme_reports, name):
    pages, _, _ = programme_reports[name]
    for page in ("01-placement.html", "05-job-retention.html", "index.html"):
        raw = (pages / page).read_text(encoding="utf-8")
        assert 'class="status-fail"' not in raw and 'class="ips-error"' not in raw
        assert "table class=\"claims\"" not in raw
    index = visible_text((pages / "index.html").read_text(encoding="utf-8"))
    assert "no published claim is checked here" in index
    assert "pass," not in index


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_warnings_and_package_paths_stay_out_of_the_pages(programme_reports, name):
    pages, _, _ = programme_reports[name]
    for page in ("01-placement.html", "05-job-retention.html"):
        raw = (pages / page).read_text(encoding="utf-8")
        text = visible_text(raw)
        assert "Warning" not in text and "Traceback" not in text
        assert "site-packages" not in raw and "/ipsresearch/" not in text


def test_the_reader_s_decisions_are_on_the_page(programme_reports):
    pages, _, _ = programme_reports["two"]
    text = visible_text((pages / "01-placement.html").read_text(encoding="utf-8"))
    assert "participants.csv: values separated by semicolons, decimal comma" in text
    assert "/tmp" not in text  # file names, never the folder they sit in


def test_twelve_sites_are_shown_with_the_smaller_ones_pooled_in_no_case(programme_reports):
    pages, _, _ = programme_reports["twelve"]
    text = visible_text((pages / "01-placement.html").read_text(encoding="utf-8"))
    assert "Team L" in text and "other sites (" not in text  # site_limit 12: all twelve shown


def test_a_programme_without_jobs_says_what_does_not_apply(programme_reports):
    pages, _, _ = programme_reports["no_jobs"]
    text = visible_text((pages / "05-job-retention.html").read_text(encoding="utf-8"))
    assert "No job spells are recorded" in text
    assert "does not apply to these data" in text
    one = visible_text((pages / "01-placement.html").read_text(encoding="utf-8"))
    assert "0 of 20" in one


def test_on_the_shipped_data_the_register_is_checked_and_lists_what_it_read(built_reports):
    import json

    out, _ = built_reports
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["claims"]["checked"] is True and manifest["claims"]["results"]
    assert any(k.endswith("participants.csv") for k in manifest["claims"]["data_files"]), \
        manifest["claims"]["data_files"]
    index = visible_text((out / "index.html").read_text(encoding="utf-8"))
    assert "no published claim is checked here" not in index

"""Strings from data are escaped wherever the package builds HTML, and no script from data runs.

A site, study, reason or code name is data a user controls. Every place that
turns results into HTML (pandas' ``to_html``, the ``_repr_html_`` of result
objects, the claims table, the builder's navigation, index and failure
pages) must show such a name as text. The browser test builds notebook 01
from data whose site name carries an ``<img onerror>`` and a ``<script>``
and shows, in headless Chromium, that neither runs and that the text is
displayed literally.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import offline_context

from ipsresearch import outcomes, qualitative, synthesis
from ipsresearch.claims import ClaimResult
from ipsresearch.report import tables

PAYLOAD = ('<img src=x onerror="window.__xss=1;alert(1)">'
           "<script>window.__xss=2;alert(2)</script>&amp;")
"""Markup that runs a script wherever a page inserts it unescaped; ``&amp;`` catches double escaping."""

RAW = re.compile(r"<img src=x|<script>window", re.I)


def assert_escaped(markup: str) -> None:
    """No live markup from the payload, and the payload's text is all there, escaped once."""
    assert not RAW.search(markup), markup[:2000]
    # quotes are escaped differently by pandas, html.escape and Jinja; the rest is the same everywhere
    assert "&lt;img src=x onerror=" in markup, markup[:2000]
    assert "&lt;script&gt;window.__xss=2;alert(2)&lt;/script&gt;&amp;amp;" in markup, markup[:2000]


# ---------------------------------------------------------------- every HTML producer, without a browser


def result(**kw) -> ClaimResult:
    base = dict(id="x.y", source="000.txt", line=1, quantity="q", published=1, computed=1,
                tolerance=0.0, status="pass", report="01-a", unit="count", note="", erratum=None,
                lines=(), basis="transcribed")
    return ClaimResult(**{**base, **kw})


@pytest.mark.parametrize("field", ["id", "quantity", "note", "erratum", "error", "published", "report",
                                   "printed", "counted", "query", "reference"])
def test_claims_table_escapes_every_field(field):
    r = result(**{field: PAYLOAD}, status="fail" if field == "error" else "pass")
    assert_escaped(tables.claims_html([r], link_reports=True))
    assert_escaped(tables.show_claims([r], title=PAYLOAD).data)
    if field in ("id", "erratum", "query", "published", "printed", "report"):
        assert_escaped(tables.conflicts_html([r], link_reports=True))


def test_meta_analysis_html_escapes_study_names():
    trials = pd.DataFrame({"study": [PAYLOAD, "B"], "events_treatment": [10, 12], "n_treatment": [20, 30],
                           "events_control": [5, 6], "n_control": [20, 30]})
    assert_escaped(synthesis.meta_analysis(trials)._repr_html_())


def test_subgroup_and_misread_html_escape_study_and_group_names():
    trials = pd.DataFrame({"study": [PAYLOAD, "B", "C", "D"], "events_treatment": [10, 12, 9, 14],
                           "n_treatment": [20, 30, 25, 30], "events_control": [5, 6, 4, 8],
                           "n_control": [20, 30, 25, 30], "group": [PAYLOAD, PAYLOAD, "x", "x"]})
    markup = synthesis.subgroup_analysis(trials, by="group")._repr_html_()
    assert not RAW.search(markup) and "&lt;img src=x onerror=" in markup
    assert_escaped(tables.format_misread(synthesis.misread_totals(trials).to_frame()).to_html())


def test_trial_tables_escape_study_sources_and_reasons():
    pooled = pd.DataFrame({"study": [PAYLOAD], "events_treatment": [1], "n_treatment": [2],
                           "events_control": [1], "n_control": [2], "counts": ["settled"],
                           "analysis_set": ["primary"], "region": ["Europe"], "control_category": ["x"],
                           "source_url": [PAYLOAD], "source_location": [PAYLOAD]})
    assert_escaped(tables.format_trials(pooled).to_html())
    excluded = pd.DataFrame({"study": [PAYLOAD], "analysis_set": ["none"], "confidence": ["low"],
                             "reason": [PAYLOAD], "pct_ips_stated": [None], "pct_control_stated": [None],
                             "printed_ratio": [float("nan")], "source_url": [PAYLOAD]})
    assert_escaped(tables.format_excluded_trials(excluded).to_html())


def test_prisma_flow_html_escapes_reasons_and_groups():
    log = pd.DataFrame({"record_id": ["r1", "r2", "r3"], "search": [PAYLOAD, PAYLOAD, "s2"],
                        "search_date": ["2020-01-01"] * 3, "source": ["database"] * 3,
                        "stage_reached": ["screened", "included", "assessed"],
                        "reason": [PAYLOAD, "", "other"]})
    assert_escaped(synthesis.prisma_flow(log, by="search")._repr_html_())


def test_survival_html_escapes_group_names():
    data = pd.DataFrame({"days": [10, 20, 30, 40], "ended": [True, False, True, True],
                         "site": [PAYLOAD, PAYLOAD, "B", "B"]})
    assert_escaped(outcomes.kaplan_meier(data, by="site", horizons=(15,))._repr_html_())


def test_agreement_html_escapes_codes_and_coders():
    codings = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3"],
                            "coder": [PAYLOAD, "B"] * 3,
                            "code": [PAYLOAD, PAYLOAD, "t2", "t2", PAYLOAD, "t2"]})
    assert_escaped(qualitative.cohen_kappa(codings)._repr_html_())


def test_display_tables_escape_labels():
    rates = outcomes.placement_rate(pd.DataFrame({"placed": [True, False, True], "site": [PAYLOAD] * 3}),
                                    outcome="placed", by="site")
    assert_escaped(tables.format_rates(rates, label="site").to_html())


def test_builder_navigation_index_and_failure_page_escape_titles_and_messages():
    from ipsresearch.report.render import NavItem, render_failed_page, render_index, render_nav

    nav = [NavItem("01-a", PAYLOAD)]
    assert not RAW.search(render_nav(nav, "01-a"))
    prov = {"report": {"notebook": "notebooks/01-a.ipynb", "notebook_sha256": "0"},
            "package": {"version": "0", "files": 1, "source_sha256": "0"}, "git": {"commit": None},
            "data": {"dir": PAYLOAD, "files": {PAYLOAD: "0"}, "sha256": "0"},
            "parameters": [{"name": "data_dir", "value": PAYLOAD, "injected": True}],
            "execution": {"kernel": "python3", "python": "3", "ipykernel": "6", "nbclient": "0",
                          "timeout": 1, "nbconvert": "7", "key": "0"},
            "mode": "reviewer mode", "environment": {"pandas": "3"},
            "build_time": {"source": "fixed", "utc": "2020-01-01T00:00:00Z"}}
    failed = render_failed_page(name="01-a", title=PAYLOAD, nav_items=nav, message=PAYLOAD,
                                traceback=PAYLOAD, failed_href="_failed/01-a.ipynb", prov=prov)
    assert_escaped(failed)
    page = render_index(
        nav_items=nav, reports=[{"name": "01-a", "title": PAYLOAD, "status": "failed", "note": PAYLOAD,
                                 "href": "01-a.html", "commit": None, "dirty": None, "build_time": None}],
        claims_table=tables.claims_html([result(quantity=PAYLOAD)]),
        conflicts_table=tables.conflicts_html([result(erratum=PAYLOAD, versus=((2, PAYLOAD),))]),
        headline=PAYLOAD, sources=[{"citation": PAYLOAD, "file": PAYLOAD, "doi": PAYLOAD}],
        bases=[(PAYLOAD, PAYLOAD)], statuses=[(PAYLOAD, PAYLOAD)],
        counts={"pass": 1, "erratum": 0, "fail": 0, "total": 1}, claims_error=PAYLOAD,
        package={"version": "0", "source_sha256": "0"}, data={"dir": PAYLOAD, "sha256": "0", "files": {}},
        notebooks_dir="notebooks/", written={"utc": "2020-01-01T00:00:00Z", "source": "fixed"})
    assert_escaped(page)


# ---------------------------------------------------------------- the built report in Chromium

@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    """Notebook 01 built from data whose site "Site A" is renamed to the payload."""
    from ipsresearch.paths import DATA_SYNTHETIC

    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(DATA_SYNTHETIC, data)
    path = data / "irish_pilot" / "participants.csv"
    people = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (people["site"] == "Site A").any()
    people["site"] = people["site"].replace("Site A", "Site A " + PAYLOAD)
    people.to_csv(path, index=False)
    out = root / "out"
    r = subprocess.run([sys.executable, "-m", "ipsresearch.cli", "build", "--only", "01",
                        "--param", f"data_dir={data}", "--out", str(out)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


@pytest.mark.slow
def test_hostile_site_name_is_escaped_in_the_page_source(hostile_report):
    page = (hostile_report / "01-placement.html").read_text(encoding="utf-8")
    assert_escaped(page)
    assert not RAW.search((hostile_report / "index.html").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.browser
def test_no_script_from_data_runs_in_chromium_and_the_text_is_shown(browser, hostile_report):
    for name in ("01-placement.html", "index.html"):
        context, requests = offline_context(browser)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
        page.goto((hostile_report / name).resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # an onerror handler would have fired by now
        state = page.evaluate("""() => ({
            xss: typeof window.__xss === 'undefined' ? null : window.__xss,
            imgX: Array.from(document.images).filter(i => i.getAttribute('src') === 'x').length,
            scripts: Array.from(document.scripts).filter(s => s.text.includes('__xss')).length,
            text: document.body.innerText,
        })""")
        context.close()
        assert dialogs == [], f"{name}: a dialog opened: {dialogs}"
        assert state["xss"] is None, f"{name}: a script from data ran ({state['xss']})"
        assert state["imgX"] == 0 and state["scripts"] == 0, name
        assert requests == [], f"{name}: network requests {requests}"
        if name == "01-placement.html":
            # the site label is shown literally, as text, in the rates table
            assert "Site A " + PAYLOAD in state["text"], state["text"][:3000]


@pytest.mark.browser
def test_payload_would_run_if_it_were_not_escaped(browser, tmp_path):
    """The check above can fail: the same payload inserted raw does run in Chromium."""
    page_path = tmp_path / "raw.html"
    page_path.write_text(f"<!doctype html><html><body><p>{PAYLOAD}</p></body></html>", encoding="utf-8")
    context, _ = offline_context(browser)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") in (1, 2)
    assert dialogs
    context.close()

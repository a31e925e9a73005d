"""The index's claims register grouped by paper, with a filter that needs no script (issue 18, item 4).

The grouping is checked against the register recomputed here (``studies.verify()``): one section per
source paper in ``SOURCES`` order, headed by the paper as researchers cite it, its counts by basis and status those of its
own claims. The filter (two labelled radio inputs and a CSS sibling selector) is checked in headless
Chromium: choosing "only problems" with the keyboard leaves exactly the claims that do not pass
visible, raises no console error, and print still shows every row.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest
from conftest import offline_context

from ipsresearch import studies
from ipsresearch.claims import STATUSES
from ipsresearch.report.render import css, number_captions
from ipsresearch.report.tables import claims_by_source, register_html
from ipsresearch.sources import SOURCES


@pytest.fixture(scope="module")
def results():
    return studies.verify()


@pytest.fixture(scope="module")
def register(results):
    return number_captions(register_html(results, link_reports=True))


def sections(markup: str) -> list[tuple[str, str, str]]:
    """``(id, heading, body)`` of each group of the register."""
    return re.findall(r'<section class="register-group"[^>]*><h4 id="([^"]+)">([^<]*)</h4>(.*?)</section>',
                      markup, flags=re.S)


def test_one_group_per_paper_in_order_with_its_own_counts(results, register):
    groups = sections(register)
    by_file = {s.file: s for s in SOURCES.values()}
    papers = [s for s in SOURCES.values() if any(r.source == s.file for r in results)]
    other = [r for r in results if r.source not in by_file]
    assert [g[0] for g in groups] == [f"claims-{s.key}" for s in papers] + (["claims-other"] if other else [])
    assert len(groups) >= 5
    for (anchor, heading, body), source in zip(groups, papers, strict=False):
        mine = [r for r in results if r.source == source.file]
        assert unescape(heading) == source.reference()
        # the counts table: its "all" row holds the group's count of each status, then the total
        counts = re.search(r'class="claims claims-counts">.*?<tr><td>all</td>(.*?)</tr>', body, flags=re.S)
        shown = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', counts.group(1))]
        tally = Counter(r.status for r in mine)
        assert shown == [tally[s] for s in STATUSES] + [len(mine)], anchor
        ids = re.findall(r'<tr class="status-[^"]+ basis-[^"]+"><td><a href="[^"]+">([^<]+)</a>', body)
        assert ids == [r.id for r in mine], anchor
    # the contents list links to every group, and every claim is in exactly one group
    assert re.findall(r'<li><a href="#(claims-[^"]+)">', register) == [g[0] for g in groups]
    assert sum(len(re.findall(r"<tr class=\"status-", g[2])) for g in groups) == len(results)
    assert len(re.findall(r"<caption>", register)) == 2 * len(groups)


def test_the_filter_is_two_labelled_radio_inputs_before_the_groups(register):
    inputs = re.findall(r'<input type="radio" name="register-filter" id="([^"]+)"', register)
    assert inputs == ["register-all", "register-problems"]
    for i in inputs:
        assert re.search(rf'<label for="{i}">[^<]+</label>', register)
    assert register.index("register-problems") < register.index('<div class="register-groups">')
    assert "<script" not in register


PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>register</title>'
        '<style>{css}</style></head><body class="ips-standalone"><main>{body}</main></body></html>')

VISIBLE = """() => Array.from(document.querySelectorAll('.register-groups table.claims tr'))
  .filter(r => r.querySelector('td.status') && r.checkVisibility()).map(r => r.cells[0].textContent.trim())"""


@pytest.mark.browser
def test_only_problems_hides_the_passing_rows_on_screen_not_in_print(browser, results, register, tmp_path):
    path = tmp_path / "index.html"
    path.write_text(PAGE.format(css=css(), body=register), encoding="utf-8")
    every = [r.id for _, _, group in claims_by_source(results) for r in group]
    problems = [r.id for _, _, group in claims_by_source(results) for r in group if r.status != "pass"]
    assert 0 < len(problems) < len(every) == len(results)
    context, requests = offline_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri(), wait_until="load")
        assert page.evaluate(VISIBLE) == every
        page.click('label[for="register-problems"]')
        assert page.evaluate(VISIBLE) == problems
        page.emulate_media(media="print")
        assert len(page.evaluate(VISIBLE)) == len(results)  # a printout keeps every claim
        page.emulate_media(media="screen")
        # with the keyboard: focus the checked radio, the arrow key moves the choice back to every claim
        page.focus("#register-problems")
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.getElementById('register-all').checked")
        assert len(page.evaluate(VISIBLE)) == len(results)
        page.keyboard.press("ArrowDown")
        assert page.evaluate(VISIBLE) == problems
    finally:
        context.close()
    assert errors == [] and requests == []

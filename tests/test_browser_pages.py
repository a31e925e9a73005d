"""Every built page as a reader's browser shows it (headless Chromium): no horizontal overflow at
1,280 and 800 pixels (a table may scroll inside its own box at 800, none at 1,280), every image
described specifically, every table and figure captioned, no raw value or repr in the visible
text, and every claim's status in the printed PDF.

``tests/test_pages.py`` reads the same pages as HTML; this module checks what only a browser
knows: layout (what overflows the viewport), visibility (text hidden by CSS is not read) and
print. The print check prints each page with a claims table to PDF under the print stylesheet
(Playwright's ``page.pdf``, A4 as the page's ``@page`` rule asks) and extracts the PDF's text with
``pdftotext -layout`` (poppler-utils; ``.ci/run`` installs it beside chromium; pypdf is not in the
lock): each claim's id must stand on a line of the PDF text with the claim's status as the claims
register (``manifest.json``) has it, so a status column cut off, hidden or wrapped away in print
fails. Under the print stylesheet at the width of an A4 page's text (186 mm, 703 CSS pixels) no
element may reach past the page either, so no other column is cut off. Every check is run on a crafted page with each defect, so each can fail.

Uses Debian's ``chromium`` through Playwright; skipped without them (or without pdftotext, for the
print check) on a developer's machine, failed in CI.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import IN_CI, offline_context

from tests.test_pages import BAD_TEXT, BAD_VALUES

pytestmark = pytest.mark.browser

WIDTHS = (1280, 800)
"""Viewport widths (CSS pixels) at which no page may scroll sideways."""

GENERIC_ALT = re.compile(
    r"(no description has been provided for this image|(an? |the )?(figure|image|img|plot|chart|graph|"
    r"picture|diagram|output|png|svg|matplotlib figure)( \d+)?)\.?", re.IGNORECASE)
"""Alt text that says an image is there but not what it shows."""

MIN_ALT_WORDS = 5

REPR_NONE = re.compile(r"[=:(\[{,]\s*None\b|\bNone\s*[,)\]}]")
"""``None`` as Python prints it inside a value (``x=None``, ``[None, 1]``); the word in prose is fine."""

FACTS = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const shown = e => e.checkVisibility({visibilityProperty: true});
  const scrolls = e => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX);
  // the outermost elements that reach past the viewport without a scrolling box around them
  const wide = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 0.5) continue;
    let p = e.parentElement, held = false;
    while (p && p !== document.body) { if (scrolls(p)) { held = true; break; } p = p.parentElement; }
    if (held || wide.some(w => w.contains(e))) continue;
    wide.push(e);
  }
  const label = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
      ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
      (e.tagName === 'TABLE' && e.caption ? ' "' + e.caption.textContent.trim().slice(0, 60) + '"' : '');
  const text = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, template, code, pre, kbd, samp') || !shown(el)) continue;
    text.push(n.data);
  }
  const bySrc = new Map();
  const images = Array.from(document.images).map(i => {
    const figure = i.closest('figure');
    const cap = figure && figure.querySelector('figcaption');
    return {alt: i.getAttribute('alt'), src: i.src, caption: cap ? cap.textContent.trim() : null};
  });
  const svgs = Array.from(document.querySelectorAll('svg')).filter(s => !s.parentElement.closest('svg')).map(s => {
    const figure = s.closest('figure'), cap = figure && figure.querySelector('figcaption');
    const title = s.querySelector(':scope > title');
    return {alt: s.getAttribute('aria-label') || (title ? title.textContent : null),
            src: 'svg:' + s.outerHTML.length + ':' + s.outerHTML.slice(-200),
            caption: cap ? cap.textContent.trim() : null};
  });
  return {
    scrollWidth: root.scrollWidth, clientWidth: width,
    wide: wide.map(e => label(e) + ' ' + Math.round(e.getBoundingClientRect().width) + ' px wide'),
    // tables that scroll sideways inside their own box (allowed on a narrow screen, not at 1,280)
    boxed: Array.from(document.querySelectorAll('table')).filter(t => {
      let p = t.parentElement; while (p && p !== document.body && !scrolls(p)) p = p.parentElement;
      return p && p !== document.body && t.getBoundingClientRect().width > p.clientWidth + 0.5;
    }).map(t => label(t) + ' ' + Math.round(t.getBoundingClientRect().width) + ' px wide'),
    text: text.join(' '),
    cells: Array.from(document.querySelectorAll('td, th')).filter(shown).map(c => c.innerText.trim()),
    images: images.concat(svgs),
    tables: Array.from(document.querySelectorAll('table')).map(t => t.caption ? t.caption.textContent.trim() : ''),
    figures: Array.from(document.querySelectorAll('figure')).map(f => {
      const cap = f.querySelector('figcaption'); return cap ? cap.textContent.trim() : '';
    }),
    claims: Array.from(document.querySelectorAll('table.claims tr')).filter(r => r.querySelector('td.status'))
      .map(r => r.cells[0].textContent.trim()),
  };
}"""


def _pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        if IN_CI:
            pytest.fail("pdftotext (poppler-utils) is required in CI (.ci/run installs it)")
        pytest.skip("pdftotext (poppler-utils) not installed")
    return path


def look(browser, path: Path, *, widths=WIDTHS) -> dict[int, dict]:
    """What Chromium shows of one page at each viewport width."""
    context, _ = offline_context(browser)
    page = context.new_page()
    try:
        facts = {}
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(path.resolve().as_uri(), wait_until="load", timeout=60_000)
            facts[width] = page.evaluate(FACTS)
        return facts
    finally:
        context.close()


def screen_problems(name: str, facts: dict[int, dict]) -> list[str]:
    """Everything on one page a reader would trip over on screen (empty when there is nothing)."""
    bad = []
    for width, f in facts.items():
        if f["scrollWidth"] > f["clientWidth"]:
            bad.append(f"{name}: overflows at {width} px: the page is {f['scrollWidth']} px wide "
                       f"({'; '.join(f['wide'][:3]) or 'no single element'})")
    bad += [f"{name}: a table scrolls sideways at {WIDTHS[0]} px: {t}"
            for t in facts.get(WIDTHS[0], {}).get("boxed", [])]
    f = facts[min(facts)]
    seen: dict[str, set[str]] = {}
    for img in f["images"]:
        alt = " ".join((img["alt"] or "").split())
        if not alt:
            bad.append(f"{name}: image without alt text: {img['src'][:40]}")
        elif GENERIC_ALT.fullmatch(alt) or len(alt.split()) < MIN_ALT_WORDS:
            bad.append(f"{name}: generic alt text: {alt!r}")
        else:
            seen.setdefault(alt, set()).add(img["src"])
        if not img["caption"]:
            bad.append(f"{name}: figure without a caption: {alt[:60]!r}")
    bad += [f"{name}: the same alt text on {len(s)} different figures: {alt[:60]!r}"
            for alt, s in seen.items() if len(s) > 1]
    bad += [f"{name}: table {i} has no caption" for i, c in enumerate(f["tables"], 1) if not c]
    bad += [f"{name}: figure {i} has no caption" for i, c in enumerate(f["figures"], 1) if not c]
    bad += [f"{name}: raw value in a cell: {c!r}" for c in f["cells"] if c in BAD_VALUES]
    text = " ".join(f["text"].split())
    bad += [f"{name}: raw text: ...{text[max(0, m.start() - 40):m.end() + 40]}..."
            for pattern in (BAD_TEXT, REPR_NONE) for m in pattern.finditer(text)]
    return bad


A4_TEXT_WIDTH = 703
"""CSS pixels across the text of an A4 page under the print stylesheet's margins (186 mm at 96/in)."""


def printed(browser, path: Path, pdf: Path) -> dict:
    """The page printed to PDF (print stylesheet, A4): its text as ``pdftotext -layout`` reads it
    back, the ids of the claims the page shows with a status, and its width under print media
    laid out as wide as an A4 page's text."""
    tool = _pdftotext()
    context, _ = offline_context(browser)
    page = context.new_page()
    try:
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=60_000)
        claims = page.evaluate(FACTS)["claims"]
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=False)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_TEXT_WIDTH, "height": 1000})
        layout = page.evaluate(FACTS)
    finally:
        context.close()
    txt = subprocess.run([tool, "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return {"text": txt, "claims": claims, "layout": layout}


def print_problems(name: str, printout: dict, status: dict[str, str]) -> list[str]:
    """Nothing wider than the printed page; each claim shown stands in the PDF text on a line
    with its register status."""
    text, claims, layout = printout["text"], printout["claims"], printout["layout"]
    bad = []
    if layout["scrollWidth"] > layout["clientWidth"]:
        bad.append(f"{name}: wider than an A4 page in print: {layout['scrollWidth']} px "
                   f"({'; '.join(layout['wide'][:3]) or 'no single element'})")
    lines = text.splitlines()
    for claim in dict.fromkeys(claims):
        want = status.get(claim)
        if want is None:
            bad.append(f"{name}: claim {claim} is not in the register")
            continue
        on = [line for line in lines if re.search(rf"(?<![\w.]){re.escape(claim)}(?![\w.])", line)]
        if not on:
            bad.append(f"{name}: claim {claim} is missing from the printed PDF")
        elif not any(re.search(rf"\b{re.escape(want)}\b", line) for line in on):
            bad.append(f"{name}: claim {claim}: its status {want!r} is not on its line in the printed PDF")
    return bad


def register_status(out: Path) -> dict[str, str]:
    """The status of every claim, as the builder recorded it in ``manifest.json``."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {r["id"]: r["status"] for r in manifest["claims"]["results"]}


# --------------------------------------------------------------------------- the project's pages


@pytest.mark.slow
def test_every_page_fits_the_screen_and_describes_what_it_shows(browser, built_reports):
    out, report = built_reports
    pages = sorted(out.glob("*.html"))
    assert len(pages) == len(report) + 1 and (out / "index.html") in pages
    bad, images, tables = [], 0, 0
    for path in pages:
        facts = look(browser, path)
        bad += screen_problems(path.name, facts)
        images += len(facts[WIDTHS[0]]["images"])
        tables += len(facts[WIDTHS[0]]["tables"])
    assert bad == []
    assert images >= 20 and tables >= 80  # the checks did look at the figures and tables


@pytest.mark.slow
def test_every_claims_table_prints_each_claims_status(browser, built_reports, tmp_path):
    out, _ = built_reports
    status = register_status(out)
    bad, shown = [], set()
    for path in sorted(out.glob("*.html")):
        printout = printed(browser, path, tmp_path / f"{path.stem}.pdf")
        bad += print_problems(path.name, printout, status)
        shown.update(printout["claims"])
    assert bad == []
    assert shown == set(status)  # the index shows every claim of the register, so each was printed


# --------------------------------------------------------------------------- the checks can fail

CRAFTED = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>defects</title>
<style>@media print { td.status { display: none; } }</style></head><body><main>
<div style="width: 2000px">a paragraph wider than any screen</div>
<div style="overflow-x: auto"><table style="width: 1500px"><caption>Wide</caption><tr><td>1</td></tr></table></div>
<figure><img alt="figure" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><figcaption>One</figcaption></figure>
<figure><img alt="" src="data:image/gif;base64,R0lGODlhAQABAIAAAAUEBA=="><figcaption>Two</figcaption></figure>
<figure><img alt="Bar chart of employment in 2 groups, 41 against 12 per cent"
  src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACw="><figcaption>Three</figcaption></figure>
<figure><img alt="Bar chart of employment in 2 groups, 41 against 12 per cent"
  src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yw="></figure>
<img alt="Kaplan-Meier curves of job tenure in 2 groups, median 20 weeks" src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAIBAAA7">
<figure><svg width="10" height="10"><rect width="10" height="10"/></svg></figure>
<table><tr><td>NaN</td><td>&lt;NA&gt;</td></tr></table>
<p>rate inf per year; count 19.0 Name: duration_min, dtype: float64; options(level=None)</p>
<table class="claims"><caption>Claims</caption>
<tr><th>id</th><th>status</th></tr>
<tr><td>a.one</td><td class="status">pass</td></tr>
<tr><td>a.two</td><td class="status">pass</td></tr>
<tr><td>a.three</td><td class="status">erratum</td></tr>
</table>
</main></body></html>
"""


def test_the_screen_checks_catch_each_defect(browser, tmp_path):
    path = tmp_path / "defects.html"
    path.write_text(CRAFTED, encoding="utf-8")
    bad = screen_problems("defects.html", look(browser, path))
    kinds = {re.sub(r"\d+", "N", b.split(": ")[1]) for b in bad}
    assert kinds == {
        "overflows at N px", "generic alt text", "image without alt text",
        "the same alt text on N different figures", "figure without a caption",
        "table N has no caption", "figure N has no caption", "raw value in a cell", "raw text",
        "a table scrolls sideways at N px"}, bad
    assert sum(b.split(": ")[1].startswith("overflows at") for b in bad) == 2  # at both widths
    raw = " ".join(b for b in bad if ": raw text: " in b)
    assert all(s in raw for s in ("NaN", "inf per year", "dtype: float64", "level=None")), raw
    assert sum(": figure without a caption: " in b for b in bad) == 3  # no figcaption, no figure, svg


def test_the_print_check_catches_a_status_lost_in_print(browser, tmp_path):
    path = tmp_path / "defects.html"
    path.write_text(CRAFTED, encoding="utf-8")
    printout = printed(browser, path, tmp_path / "defects.pdf")
    assert printout["claims"] == ["a.one", "a.two", "a.three"]
    # printed, but the status column is hidden in print
    assert "a.one" in printout["text"] and "pass" not in printout["text"]
    bad = print_problems("defects.html", printout, {"a.one": "pass", "a.three": "erratum"})
    assert bad == [
        "defects.html: wider than an A4 page in print: 2008 px (div 2000 px wide)",
        "defects.html: claim a.one: its status 'pass' is not on its line in the printed PDF",
        "defects.html: claim a.two is not in the register",
        "defects.html: claim a.three: its status 'erratum' is not on its line in the printed PDF"], bad
    # the table printed with its status column and nothing too wide: the check passes, and a
    # claim absent from the PDF is named
    path.write_text(CRAFTED.replace("td.status { display: none; }", "")
                    .replace('style="width: 2000px"', "").replace('style="width: 1500px"', ""),
                    encoding="utf-8")
    printout = printed(browser, path, tmp_path / "fixed.pdf")
    status = {"a.one": "pass", "a.two": "pass", "a.three": "erratum"}
    assert print_problems("fixed.html", printout, status) == []
    printout["claims"].append("a.four")
    assert print_problems("fixed.html", printout, {**status, "a.four": "fail"}) == [
        "fixed.html: claim a.four is missing from the printed PDF"]

"""Every built page reads as a report: no raw values or pandas reprs, every table and figure
captioned and numbered, every image described, one typeface.

Read from the HTML of the project's pages (the session's ``built_reports``), without a browser;
``tests/test_browser.py`` checks layout, overflow and print in headless Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

BAD_VALUES = {"nan", "NaN", "<NA>", "NaT", "None", "inf", "-inf", "−inf", "null"}
"""Whole cells that are a missing or infinite value shown raw."""

BAD_TEXT = re.compile(r"\bNaN\b|<NA>|\bNaT\b|(?<![\w.-])-?inf\b|\bdtype: |\bName: \w+, |"
                      r"\[\d+ rows x \d+ columns\]|<IPython\.|<ipsresearch\.|object at 0x")
"""Raw values and pandas or Python reprs anywhere in the visible text."""

GENERIC_ALT = {"", "no description has been provided for this image", "image", "figure", "png"}


class Page(HTMLParser):
    """What a reader sees: text (code and styles left out), cells, tables, images, captions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.cells: list[str] = []
        self.tables: list[dict] = []
        self.images: list[dict] = []
        self.numbers: list[str] = []
        self._cell: list[str] | None = None
        self._number: list[str] | None = None
        self._in_main = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            if tag == "img":
                self.images.append({"alt": attrs.get("alt"), "in_figure": "figure" in self.stack,
                                    "src": (attrs.get("src") or "")[:30]})
            return
        self.stack.append(tag)
        if tag == "main":
            self._in_main += 1
        if tag == "table":
            self.tables.append({"caption": "", "in_main": self._in_main > 0})
        if tag in ("td", "th"):
            self._cell = []
        if tag == "span" and "ips-number" in (attrs.get("class") or ""):
            self._number = []

    def handle_endtag(self, tag):
        if tag not in self.stack:
            return
        while self.stack and self.stack.pop() != tag:
            pass
        if tag == "main":
            self._in_main -= 1
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self._cell = None
        if tag == "span" and self._number is not None:
            self.numbers.append("".join(self._number).strip())
            self._number = None

    def handle_data(self, data):
        if any(t in ("style", "script", "code", "pre", "title") for t in self.stack):
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._number is not None:
            self._number.append(data)
        if "caption" in self.stack and self.tables:
            self.tables[-1]["caption"] += data


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def page_problems(name: str, page: Page) -> list[str]:
    """Everything on one page that is not yet fit for a reader (empty when it is)."""
    bad = [f"{name}: raw value in a cell: {c!r}" for c in page.cells if c in BAD_VALUES]
    text = " ".join(" ".join(page.text).split())
    bad += [f"{name}: raw text: ...{text[max(0, m.start() - 40):m.end() + 40]}..."
            for m in BAD_TEXT.finditer(text)]
    bad += [f"{name}: table {i} has no caption" for i, t in enumerate(page.tables, 1)
            if not t["caption"].strip()]
    for img in page.images:
        alt = (img["alt"] or "").strip()
        if alt.lower() in GENERIC_ALT or len(alt) < 40 or not re.search(r"\d", alt):
            bad.append(f"{name}: image without a specific description: alt={alt!r}")
        if not img["in_figure"]:
            bad.append(f"{name}: image outside a captioned figure: {img['src']}")
    for kind in ("Table", "Figure"):
        got = [n for n in page.numbers if n.startswith(kind)]
        want = [f"{kind} {i}." for i in range(1, len(got) + 1)]
        if got != want:
            bad.append(f"{name}: {kind.lower()} numbers {got} are not {want}")
    return bad


def test_the_checker_catches_what_it_is_for(tmp_path):
    path = tmp_path / "p.html"
    path.write_text(
        "<main><p>Seed 001 (line 3) says</p><table><tr><td>NaN</td><td>None</td></tr></table>"
        "<pre>dtype: int64</pre><p>count 19.0 Name: duration_min, dtype: float64</p>"
        "<img alt='No description has been provided for this image' src='x'>"
        '<span class="ips-number">Table 2.</span></main>', encoding="utf-8")
    kinds = {b.split(": ")[1] for b in page_problems("p", read_page(path))}
    assert kinds == {"raw value in a cell", "raw text",
                     "table 1 has no caption", "image without a specific description",
                     "image outside a captioned figure", "table numbers ['Table 2.'] are not ['Table 1.']"}


@pytest.mark.slow
def test_every_page_reads_as_a_report(built_reports):
    out, _ = built_reports
    pages = sorted(out.glob("*.html"))
    assert len(pages) >= 9
    bad = [b for path in pages for b in page_problems(path.name, read_page(path))]
    assert bad == []
    seen = {path.name: read_page(path) for path in pages}
    assert sum(len(p.images) for p in seen.values()) >= 20  # the check looked at the figures
    assert sum(len(p.tables) for p in seen.values()) >= 80
    assert all(re.search(r"--ips-font:", path.read_text(encoding="utf-8")) for path in pages)



@pytest.mark.slow
def test_no_page_calls_a_claim_verified(built_reports):
    """A count of synthetic records planted to match a paper is a demonstration (#15): no page
    calls anything "verified"; a page with calibrated claims says they are demonstrations."""
    out, _ = built_reports
    for path in sorted(out.glob("*.html")):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
        assert not re.search(r"\bverified\b", text, flags=re.I), path.name
        if re.search(r"\(calibrated\): [1-9]", text):
            assert "Demonstrations on synthetic records" in text, path.name


@pytest.mark.slow
def test_long_pages_have_a_contents_list_and_tables_and_figures_anchors(built_reports):
    out, _ = built_reports
    for path in sorted(out.glob("[0-9][0-9]-*.html")):
        html = path.read_text(encoding="utf-8")
        sections = len(re.findall(r"<h2 id=", html)) - html.count('<h2 id="contents">')
        assert (sections >= 3) == ('<nav class="ips-toc"' in html), path.name
        assert len(re.findall(r'id="(?:table|figure)-\d+"', html)) == len(
            re.findall(r'class="ips-number"', html)), path.name


def claim_link_problems(out: Path) -> tuple[list[str], int]:
    """Every link of the index to a claim must land on that claim's row (its anchor, once)."""
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"#]+\.html)#(claim-[^"]+)">([^<]+)</a>', index)
    pages: dict[str, str] = {}
    bad = []
    for page, anchor, text in links:
        if not (out / page).is_file():
            bad.append(f"{text}: {page} is missing")
            continue
        markup = pages.setdefault(page, (out / page).read_text(encoding="utf-8"))
        rows = re.findall(rf'<tr\b[^>]*\bid="{re.escape(anchor)}"[^>]*>\s*<td>([^<]*)</td>', markup)
        if anchor != f"claim-{text}" or rows != [text]:
            bad.append(f"{text}: {page}#{anchor} has rows {rows}")
    return bad, len({text for *_, text in links})


def test_the_claim_link_check_catches_a_link_that_misses(tmp_path):
    (tmp_path / "index.html").write_text(
        '<a href="01-a.html#claim-x.one">x.one</a><a href="01-a.html#claim-x.two">x.two</a>'
        '<a href="02-b.html#claim-x.three">x.three</a>', encoding="utf-8")
    (tmp_path / "01-a.html").write_text(
        '<tr class="status-pass" id="claim-x.one"><td>x.one</td></tr><tr id="claim-x.two"><td>x.one</td>',
        encoding="utf-8")
    bad, n = claim_link_problems(tmp_path)
    assert n == 3 and bad == ["x.two: 01-a.html#claim-x.two has rows ['x.one']", "x.three: 02-b.html is missing"]


@pytest.mark.slow
def test_every_claim_link_of_the_index_lands_on_the_claims_row(built_reports):
    out, _ = built_reports
    bad, linked = claim_link_problems(out)
    assert bad == []
    assert linked >= 200  # the register's claims that a report shows

"""HTML: report pages (nbconvert), navigation bar, provenance block, index.

Pages are self-contained and open from disk with the network off: figures
are embedded as base64 PNG by the kernel, the JupyterLab stylesheet is
inlined by nbconvert, and the template ``nbconvert-page.html.j2`` drops every
script the stock "lab" template would load from a CDN (require.js, MathJax,
mermaid) together with the JavaScript and widget outputs that would need
them. Mathematics in Markdown is therefore shown as its TeX source; the
notebooks write formulas in words or Unicode.

After nbconvert, :func:`finish_page` numbers the captions of the page's tables
and figures in order (``Table 1.``, ``Figure 1.``; each gets an anchor,
``#table-1``) and puts a contents list of the page's sections after its
introduction when it has three or more.

Everything that comes from data or from a notebook's name and title is
escaped: the navigation bar, provenance block, index and failure page are
rendered by a Jinja environment with autoescaping on, and the claims tables
come from :func:`ipsresearch.report.tables.claims_html`, which escapes.
"""

from __future__ import annotations

import copy
import functools
import html
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["NavItem", "PageRenderer", "finish_page", "for_display", "number_captions",
           "render_failed_page", "render_index", "render_nav", "render_provenance"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
GENERATOR = "ipsresearch report builder"

_HIDDEN_MIME = ("application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json",
                "application/javascript")


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation bar: a report page that exists."""

    name: str
    title: str

    @property
    def href(self) -> str:
        return f"{self.name}.html"

    @property
    def label(self) -> str:
        """Short label: the notebook's number and topic, e.g. ``01 placement``.

        Examples
        --------
        >>> NavItem("01-placement", "Placement rate").label
        '01 placement'
        """
        number, _, topic = self.name.partition("-")
        return f"{number} {topic.replace('-', ' ')}".strip()


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=False,
    )


@functools.cache
def css() -> str:
    """The stylesheet of the navigation bar, provenance block and index."""
    return (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")


_NUMBER = re.compile(r'<span class="ips-number">(Table|Figure)\.</span>')
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")
_CELL = re.compile(r'<div class="jp-Cell ')
MIN_SECTIONS = 3
"""A page with this many sections (``##`` headings) or more gets a contents list."""


def number_captions(page: str) -> str:
    """Number the caption placeholders of a page in order, tables and figures apart.

    Each caption of :func:`ipsresearch.report.tables.show_table` and
    :func:`~ipsresearch.report.tables.show_figure` starts with a placeholder
    (``Table.``); here it becomes ``Table 3.`` with the anchor ``table-3``.

    Examples
    --------
    >>> number_captions('<span class="ips-number">Table.</span> a <span class="ips-number">Figure.</span> '
    ...                 'b <span class="ips-number">Table.</span> c')  # doctest: +NORMALIZE_WHITESPACE
    '<span class="ips-number" id="table-1">Table 1.</span> a <span class="ips-number"
    id="figure-1">Figure 1.</span> b <span class="ips-number" id="table-2">Table 2.</span> c'
    """
    counts = {"Table": 0, "Figure": 0}

    def number(m: re.Match) -> str:
        kind = m.group(1)
        counts[kind] += 1
        return f'<span class="ips-number" id="{kind.lower()}-{counts[kind]}">{kind} {counts[kind]}.</span>'

    return _NUMBER.sub(number, page)


def contents(page: str) -> str:
    """The contents list of a page: a link to each ``<h2>`` (empty below :data:`MIN_SECTIONS`).

    Examples
    --------
    >>> toc = contents('<h2 id="a">First<a class="anchor-link" href="#a">¶</a></h2><h2 id="b">B &amp; c</h2>'
    ...                '<h2 id="c">C</h2>')
    >>> toc.count("<li>"), 'href="#b">B &amp; c</a>' in toc
    (3, True)
    """
    found = [(anchor, _TAG.sub("", re.sub(r'<a class="anchor-link".*?</a>', "", inner, flags=re.S)))
             for anchor, inner in _H2.findall(page)]
    found = [(a, t.strip()) for a, t in found if t.strip() and a != "contents"]
    if len(found) < MIN_SECTIONS:
        return ""
    items = "".join(f'<li><a href="#{html.escape(html.unescape(a), quote=True)}">{t}</a></li>'
                    for a, t in found)
    if 'id="provenance"' in page:
        items += '<li><a href="#provenance">Provenance</a></li>'
    return (f'<nav class="ips-toc" aria-labelledby="contents"><h2 id="contents">Contents</h2>'
            f"<ol>{items}</ol></nav>\n")


_CLAIM_ANCHOR = re.compile(r'(<tr\b[^>]*?)\s+id="(claim-[^"]*)"')


def unique_claim_anchors(page: str) -> str:
    """Keep each claim's anchor (``<tr id="claim-...">``) on its first row only.

    A page may show a claim twice (all the claims of a paper, then its errata);
    the index's link lands on the first.

    Examples
    --------
    >>> unique_claim_anchors('<tr id="claim-a.b" class="x"><tr id="claim-a.c"><tr class="y" id="claim-a.b">')
    '<tr id="claim-a.b" class="x"><tr id="claim-a.c"><tr class="y">'
    """
    seen: set[str] = set()

    def once(m: re.Match) -> str:
        if m.group(2) in seen:
            return m.group(1)
        seen.add(m.group(2))
        return m.group(0)

    return _CLAIM_ANCHOR.sub(once, page)


def finish_page(page: str) -> str:
    """A rendered report page with numbered captions, one anchor per claim and, when long, a
    contents list.

    The contents list goes before the page's second cell, after the title and introduction.
    """
    page = unique_claim_anchors(number_captions(page))
    toc = contents(page)
    if toc:
        cells = [m.start() for m in _CELL.finditer(page)]
        at = cells[1] if len(cells) > 1 else None
        if at is not None:
            page = page[:at] + toc + page[at:]
    return page


def render_nav(items: list[NavItem], current: str) -> str:
    """The navigation bar (escaped HTML); ``current`` is a report name or ``"index"``."""
    return str(_env().get_template("macros.html.j2").module.nav(items, current))


def render_provenance(prov: dict[str, Any]) -> str:
    """The provenance block at the end of a page (escaped HTML)."""
    return str(_env().get_template("macros.html.j2").module.provenance(prov))


def for_display(nb: Any, *, title: str) -> Any:
    """A copy of an executed notebook ready for rendering: :func:`without_live_outputs`,
    without what cells wrote to stderr (warnings, with the paths of the package's source,
    are for the terminal, where the builder summarises them once), with the page title set."""
    nb = without_live_outputs(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    return nb


def without_live_outputs(nb: Any) -> Any:
    """A copy of a notebook without widget views, widget state and JavaScript outputs.

    They need a live kernel or scripts from the network, their plain-text
    fallback is noise in a static page, and widget model ids are random (an
    executed notebook that kept them would differ between two builds).
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data is not None and any(m in data for m in _HIDDEN_MIME):
                is_widget = any(m.startswith("application/vnd.jupyter.widget") for m in data)
                for m in _HIDDEN_MIME:
                    data.pop(m, None)
                if is_widget or not data:
                    continue
            kept.append(out)
        cell.outputs = kept
    return nb


class PageRenderer:
    """Render executed notebooks with one nbconvert exporter (thread-safe).

    Parameters
    ----------
    with_code : bool
        Show code cells (teaching) or hide them (reviewer mode, the default).
    """

    def __init__(self, *, with_code: bool) -> None:
        self.with_code = with_code
        self._lock = threading.Lock()
        self._exporter = None

    def _make(self):
        from nbconvert import HTMLExporter

        return HTMLExporter(
            template_name="lab", template_file="nbconvert-page.html.j2",
            extra_template_paths=[str(TEMPLATES_DIR)],
            exclude_input=not self.with_code, exclude_input_prompt=True,
            exclude_output_prompt=True, embed_images=True,
        )

    def warm(self) -> None:
        """Import nbconvert and load the templates ahead of the first page."""
        import nbformat

        with self._lock:
            if self._exporter is None:
                self._exporter = self._make()
            self._exporter.from_notebook_node(  # compiles the templates, reads the stylesheets
                nbformat.v4.new_notebook(),
                resources={"metadata": {"name": "warm-up"},
                           "ips": {"nav": "", "provenance": "", "css": "", "generator": ""}})
        import ipsresearch.report.tables  # noqa: F401  (pandas and the claims table, for the index)

    def render(self, nb: Any, *, name: str, title: str, nav: str, provenance: str) -> str:
        """HTML of one report page."""
        shown = for_display(nb, title=title)
        resources = {"metadata": {"name": name},
                     "ips": {"nav": nav, "provenance": provenance, "css": css(),
                             "generator": GENERATOR}}
        with self._lock:
            if self._exporter is None:
                self._exporter = self._make()
            body, _ = self._exporter.from_notebook_node(shown, resources=resources)
        body = finish_page(body)
        return body if body.endswith("\n") else body + "\n"


def render_failed_page(*, name: str, title: str, nav_items: list[NavItem], message: str,
                       traceback: str, failed_href: str, prov: dict[str, Any]) -> str:
    """Page standing in for a report that failed and had no earlier good page."""
    return _env().get_template("failed.html.j2").render(
        name=name, title=title, nav_items=nav_items, message=message, traceback=traceback,
        failed_href=failed_href, prov=prov, css=css(), generator=GENERATOR)


def render_index(*, nav_items: list[NavItem], reports: list[dict[str, Any]], claims_table: str,
                 conflicts_table: str, counts: dict[str, Any], claims_error: str,
                 package: dict[str, Any], data: dict[str, Any], notebooks_dir: str,
                 written: dict[str, str], headline: str = "", counts_table: str = "",
                 left_out_table: str = "", sources: list[dict[str, str]] | None = None,
                 bases: list[tuple[str, str]] | None = None,
                 statuses: list[tuple[str, str]] | None = None,
                 claims_checked: bool = True) -> str:
    """``index.html``: every report with its status, the claims register, its errata and queries.

    ``claims_table``, ``conflicts_table``, ``counts_table`` and
    ``left_out_table`` are HTML from :mod:`ipsresearch.report.tables`
    (already escaped); everything else (the headline, the sources' citations,
    the vocabulary of bases and statuses) is escaped here.
    """
    return number_captions(_env().get_template("index.html.j2").render(
        nav_items=nav_items, reports=reports, claims_table=claims_table,
        conflicts_table=conflicts_table, counts=counts, claims_error=claims_error, package=package,
        data=data, headline=headline, counts_table=counts_table, left_out_table=left_out_table,
        sources=sources or [], bases=bases or [], statuses=statuses or [],
        claims_checked=claims_checked, notebooks_dir=notebooks_dir, written=written, css=css(),
        generator=GENERATOR))

"""Every generated page in headless Chromium: no console errors, no network, images decode,
links resolve.

Uses Debian's ``chromium`` through Playwright (no browser download). Skipped when
Chromium or Playwright is missing on a developer's machine; fails in CI
(``CI=true``), where ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import offline_context

from ipsresearch.report.build import build
from tests.test_build import ALPHA, BETA, FAILING, QUIET, write_nb

pytestmark = pytest.mark.browser


def _console(errors: list[str]):
    def on_message(message):
        if message.type == "error":
            errors.append(message.text)
    return on_message


def inspect_pages(browser, out: Path) -> dict[str, dict]:
    """Open every ``*.html`` in ``out``; return per page what went wrong and which ids it has."""
    found = {}
    for page_path in sorted(out.glob("*.html")):
        context, requests = offline_context(browser)
        errors: list[str] = []
        page = context.new_page()
        page.on("console", _console(errors))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=60_000)
        info = page.evaluate("""() => ({
            images: Array.from(document.images).map(i => ({src: i.src.slice(0, 40),
                                                           ok: i.complete && i.naturalWidth > 0})),
            links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
            ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id)
                 .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.name)),
        })""")
        context.close()
        found[page_path.name] = {"errors": errors, "requests": requests, **info}
    return found


def problems(out: Path, found: dict[str, dict]) -> list[str]:
    bad = []
    for name, info in found.items():
        bad += [f"{name}: console error: {e}" for e in info["errors"]]
        bad += [f"{name}: network request: {u}" for u in info["requests"]]
        bad += [f"{name}: image does not decode: {i['src']}" for i in info["images"] if not i["ok"]]
        for href in info["links"]:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue  # a link a reader may follow; never fetched by the page itself
            target = name if not parts.path else parts.path
            if not (out / target).is_file():
                bad.append(f"{name}: link to a missing file: {href}")
            elif parts.fragment and target.endswith(".html"):
                # as a browser does: the fragment as written, then percent-decoded
                ids = found.get(target, {}).get("ids", [])
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    bad.append(f"{name}: link to a missing anchor: {href}")
    return bad


@pytest.mark.slow
def test_every_project_page_is_clean_offline(browser, built_reports):
    out, report = built_reports
    found = inspect_pages(browser, out)
    assert "index.html" in found and len(found) == len(report) + 1
    assert problems(out, found) == []
    assert sum(len(i["images"]) for i in found.values()) > 0  # the check did look at figures


def test_small_build_with_a_failure_page_is_clean_offline(browser, tmp_path):
    nbs = tmp_path / "nb"
    nbs.mkdir()
    write_nb(nbs / "01-alpha.ipynb", ALPHA)
    write_nb(nbs / "02-beta.ipynb", BETA)
    write_nb(nbs / "03-gamma.ipynb", FAILING)
    out = tmp_path / "out"
    build(notebooks_dir=nbs, out_dir=out, **QUIET)
    found = inspect_pages(browser, out)
    assert set(found) == {"01-alpha.html", "02-beta.html", "03-gamma.html", "index.html"}
    assert problems(out, found) == []
    assert [i["ok"] for i in found["01-alpha.html"]["images"]] == [True]
    # the link from the Markdown of 01 to its own heading resolves (an in-page anchor)
    assert any(h.startswith("#Alpha") for h in found["01-alpha.html"]["links"])


def test_the_checker_catches_broken_pages(browser, tmp_path):
    """The checks above can fail: a page with each kind of defect is reported."""
    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><html><head><script>undefined_function()</script>"
        "<link rel='stylesheet' href='https://cdn.example.org/x.css'></head><body>"
        "<img src='data:image/png;base64,AAAA'><a href='#nowhere'>a</a>"
        "<a href='gone.html'>b</a></body></html>\n", encoding="utf-8")
    bad = problems(tmp_path, inspect_pages(browser, tmp_path))
    kinds = {b.split(": ")[1] for b in bad}
    assert kinds == {"console error", "network request", "image does not decode",
                     "link to a missing anchor", "link to a missing file"}, bad

"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from ipsresearch.paths import DATA_SYNTHETIC, ROOT, sources_dir

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    """The whole run is offline: outbound sockets are refused, loopback stays open."""
    import netguard  # tests/netguard.py

    netguard.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    import netguard

    netguard.uninstall()


@pytest.fixture(autouse=True)
def close_figs():
    """Every figure a test opened is closed after it (seaborn's fixture): no manual plt.close."""
    yield
    if "matplotlib.pyplot" in sys.modules:  # a test that drew nothing does not import pyplot
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data_synthetic/ for tests that break or change records."""
    dst = tmp_path / "data"
    shutil.copytree(DATA_SYNTHETIC, dst)
    return dst


@pytest.fixture
def sources() -> Path:
    """The source papers' texts; skips outside a checkout with ../shared beside it (never in CI)."""
    d = sources_dir()
    if not d.is_dir():
        if IN_CI:
            pytest.fail(f"source papers not found at {d}; CI must have ../shared beside the clone")
        pytest.skip(f"source papers not found at {d}")
    return d


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory):
    """Every project notebook built once per test session into a temporary directory.

    Shared by the notebook, build-determinism and browser tests (building all
    notebooks is the slow part). ``SOURCE_DATE_EPOCH`` is fixed during the
    build so that a second build can be compared byte for byte. Returns
    ``(out_dir, BuildReport)``.
    """
    from ipsresearch.report.build import build

    out = tmp_path_factory.mktemp("reports")
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        report = build(out_dir=out, force=True, log=lambda *_: None, progress=False)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return out, report


# --------------------------------------------------------------------------- headless Chromium

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    """Debian's chromium, driven by Playwright (no browser download); skip without them (fail in CI)."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if IN_CI:
            pytest.fail("headless Chromium and Playwright are required in CI (.ci/run installs chromium)")
        pytest.skip("chromium or playwright not installed")
    return path


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, launched once per test module (closed before the next module runs)."""
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def offline_context(browser) -> tuple[object, list[str]]:
    """A new browser context where ``file:`` and ``data:`` URLs load and every other request
    (the network) is recorded, then aborted. Returns ``(context, requests)``."""
    context = browser.new_context(service_workers="block")
    requests: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            requests.append(url)
            r.abort()

    context.route("**/*", route)
    return context, requests

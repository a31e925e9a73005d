"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from ipsresearch.paths import DATA_SYNTHETIC, ROOT, seeds_dir

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    """The whole run is offline: outbound sockets are refused, loopback stays open."""
    import netguard  # tests/netguard.py

    netguard.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    import netguard

    netguard.uninstall()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data_synthetic/ for tests that break or change records."""
    dst = tmp_path / "data"
    shutil.copytree(DATA_SYNTHETIC, dst)
    return dst


@pytest.fixture
def seeds() -> Path:
    """The seed papers; skips outside a checkout with ../shared beside it (never in CI)."""
    d = seeds_dir()
    if not d.is_dir():
        if IN_CI:
            pytest.fail(f"seed papers not found at {d}; CI must have ../shared beside the clone")
        pytest.skip(f"seed papers not found at {d}")
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
    from ipsresearch.build import build

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

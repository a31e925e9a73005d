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

"""Packaging: environment.yml and pyproject.toml name the same runtime packages; CI runs make test."""

from __future__ import annotations

import re
import tomllib

from ipsresearch.paths import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(d) for d in project["dependencies"]}
    conda = []
    section = None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if not line.startswith(" ") and line.rstrip().endswith(":"):
            section = line.rstrip(":")
        stripped = line.strip()
        if stripped.startswith("- pip:"):
            section = "pip"
        elif section == "dependencies" and line.startswith("  - "):
            conda.append(_name(stripped[2:]))
    conda_names = set(conda) - {"python", "pip"}
    assert conda_names == pip_names


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert [ln.strip() for ln in first_block.strip().splitlines() if ln.strip()][-2:] == ["make report", "make test"]


def test_lock_pins_every_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = {_name(ln) for ln in (ROOT / "requirements.lock").read_text().splitlines()
            if ln and not ln.startswith("#")}
    assert {_name(d) for d in project["dependencies"]} <= lock

"""Notebook 06 renders headless: static results for the defaults, no widget noise."""

from __future__ import annotations

import re

import pytest

from ipsresearch.report.build import build
from ipsresearch.studies import irish_pilot
from ipsresearch.synthesis import meta_analysis
from ipsresearch.synthetic import simulate_trials

NAME = "06-evidence-for-ips"


def _text(page: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.slow
def test_renders_static_results_without_widgets(built_reports):
    out, report = built_reports  # every notebook with its default parameters
    [result] = [r for r in report if r.name == NAME]
    assert result.status == "built", result.error[-2000:]
    page = (out / f"{NAME}.html").read_text(encoding="utf-8")
    # the defaults of the parameters cell, computed here with the same public functions
    res = meta_analysis(simulate_trials(27, fidelity_effect=0.3, seed=2020), measure="RR", method="REML")
    text = _text(page)
    assert f"{res.estimate:.3f}" in text and f"{res.ci_low:.3f} to {res.ci_high:.3f}" in text
    pilot = irish_pilot.load()
    assert f"{int(pilot.employed['employed'].sum())} of {len(pilot.participants)}" in text
    assert page.count("<img") == 3  # forest plot, funnel plot, forest plot of the IPS arms
    # no errors, stderr or widget placeholders on the page
    for noise in ("Traceback", "application/vnd.jupyter.widget", "interactive(children",
                  "jp-RenderedText\" data-mime-type=\"application/vnd.jupyter.stderr",
                  "Cannot simulate"):
        assert noise not in page, noise


@pytest.mark.slow
def test_parameters_reach_the_notebook(tmp_path):
    results = build(only=["06"], out_dir=tmp_path, params={"k": 12, "method": "DL", "seed": 7},
                    log=lambda *_: None)
    assert [r.status for r in results] == ["built"], results[0].error[-2000:]
    text = _text((tmp_path / f"{NAME}.html").read_text(encoding="utf-8"))
    res = meta_analysis(simulate_trials(12, fidelity_effect=0.3, seed=7), method="DL")
    assert "meta-analysis of 12 studies" in text
    assert f"{res.estimate:.3f}" in text

"""Notebook 06 renders headless: the real trials first, with their sources; the laboratory; no widget noise."""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import pytest

from ipsresearch import figures
from ipsresearch.report import tables
from ipsresearch.report.build import build
from ipsresearch.studies import ips_trials, irish_pilot
from ipsresearch.synthesis import meta_analysis, misread_totals
from ipsresearch.synthetic import simulate_trials

NAME = "06-evidence-for-ips"


def _text(page: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _shown(result) -> tuple[str, str]:
    """How the page shows a pooled result: its summary row through the formatting layer (the
    cells of ``format_meta`` as ``show_table`` prints them, one after another), and the forest
    plot's description, which becomes the image's alt text."""
    row = tables.show_table(tables.format_meta(result.summary()), caption="the pooled result")
    ax = figures.plot_forest(result)
    described = figures.description(ax)
    plt.close(ax.figure)
    return " ".join(row.to_frame().iloc[0].tolist()), described


@pytest.mark.slow
def test_renders_static_results_without_widgets(built_reports):
    out, report = built_reports  # every notebook with its default parameters
    [result] = [r for r in report if r.name == NAME]
    assert result.status == "built", result.error[-2000:]
    page = (out / f"{NAME}.html").read_text(encoding="utf-8")
    # the defaults of the parameters cell, computed here with the same public functions
    res = meta_analysis(simulate_trials(27, fidelity_effect=0.3, seed=2020), measure="RR", method="REML")
    text = _text(page)
    row, described = _shown(res)  # e.g. "RR 27 2.13 1.88 to 2.41 1.30 to 3.47 0.058 57% 60.3 (26) < 0.001"
    assert row in text and described in html.unescape(page)
    pilot = irish_pilot.load()
    assert f"{int(pilot.employed['employed'].sum())} of {len(pilot.participants)}" in text
    # forest of the real trials, what-if forest, the pitfall's two forests, pilot beside the IPS arms;
    # then the laboratory's forest and funnel plots
    assert page.count("<img") == 6
    # no errors, stderr or widget placeholders on the page
    for noise in ("Traceback", "application/vnd.jupyter.widget", "interactive(children",
                  "jp-RenderedText\" data-mime-type=\"application/vnd.jupyter.stderr",
                  "Cannot simulate"):
        assert noise not in page, noise


@pytest.mark.slow
def test_the_real_trials_come_first_with_their_pooled_estimate_and_every_source_named(built_reports):
    out, _ = built_reports
    text = _text((out / f"{NAME}.html").read_text(encoding="utf-8"))
    primary = ips_trials.select_trials(sets=["primary"])
    real = meta_analysis(primary.pooled, method="REML", test="knha")
    pooled = (f"{real.estimate:.2f} times the share in the control arms (95% Knapp-Hartung interval "
              f"{real.ci_low:.2f} to {real.ci_high:.2f}")
    assert pooled in text
    assert f"between {real.pi_low:.2f} and {real.pi_high:.2f}" in text  # prediction interval
    # the real trials before the laboratory's simulated ones
    assert text.index(pooled) < text.index("Part 2. A laboratory") < text.index("Trial 01")
    everything = ips_trials.select_trials(sets=["primary", "sensitivity"], what_if=True)
    for _, trial in everything.pooled.iterrows():  # every pooled trial with its source's address
        assert f"{trial['study']} {trial['events_treatment']} of {trial['n_treatment']}" in text
        assert trial["source_url"] in text, trial["study"]
    for _, report in everything.excluded.iterrows():  # and every report left out, with its source
        assert report["study"] in text
        if isinstance(report["source_url"], str):
            assert report["source_url"] in text, report["study"]
    # the pitfall, computed by the package, and the refusal of the slip
    both = misread_totals(primary.pooled, method="REML", test="knha")
    assert (f"the pooled risk ratio is {both.correct.estimate:.2f}" in text
            and f"it is {both.misread.estimate:.2f}" in text)
    assert "`n_treatment` is the name of an arm total" in text
    # every pooled row says what it is: the Wald and Knapp-Hartung rows, and each subgroup by name
    page = (out / f"{NAME}.html").read_text(encoding="utf-8")
    rows = [_text(r) for r in re.findall(r"<tr>.*?</tr>", page, flags=re.S)]
    wald = meta_analysis(primary.pooled, method="REML", test="z")
    assert any(r.startswith(f" Wald (z) RR 4 {wald.estimate:.2f}") for r in rows), "Wald row"
    assert any(r.startswith(f" Knapp-Hartung (t) RR 4 {real.estimate:.2f}") for r in rows), "KH row"
    wider = ips_trials.select_trials(sets=["primary", "sensitivity"])
    for region, group in wider.pooled.groupby("region"):
        assert any(r.startswith(f" {region} RR {len(group)} ") for r in rows), region
    # the trials' own printed statistics, each claim recomputed from the counts, before the laboratory
    from ipsresearch.studies import verify

    for r in verify(sets=["ips_trials"]):
        assert r.id in text and text.index(r.id) < text.index("Part 2. A laboratory"), r.id


@pytest.mark.slow
def test_parameters_reach_the_notebook(tmp_path):
    results = build(only=["06"], out_dir=tmp_path, params={"k": 12, "method": "DL", "seed": 7},
                    log=lambda *_: None)
    assert [r.status for r in results] == ["built"], results[0].error[-2000:]
    page = (tmp_path / f"{NAME}.html").read_text(encoding="utf-8")
    text = _text(page)
    res = meta_analysis(simulate_trials(12, fidelity_effect=0.3, seed=7), method="DL")
    row, described = _shown(res)
    assert row.startswith("RR 12 ") and row in text and "Method: DL." in text
    assert "Forest plot of 12 studies" in described and described in html.unescape(page)
    # and not the default parameters' results
    default_row, _ = _shown(meta_analysis(simulate_trials(27, fidelity_effect=0.3, seed=2020), method="REML"))
    assert default_row not in text

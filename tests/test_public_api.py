"""The public namespaces of the analysis packages: every name kept, old names deprecated, not broken.

``outcomes`` and ``fidelity`` were single modules until they were split along
their concerns (rates, survival, spells; scale, ratings, summaries). Users
and notebooks reach them through the package, so the package must export
exactly what the module did; a name renamed for the vocabulary ("seed" only
for a random seed) keeps working for one release behind a warning.
"""

from __future__ import annotations

import ast
import importlib
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from pandas import testing as pd_testing

from ipsresearch import fidelity, outcomes
from ipsresearch.paths import DATA_SYNTHETIC, ROOT

# ``__all__`` of ipsresearch/outcomes.py and ipsresearch/fidelity.py before the split
OUTCOMES_ALL_BEFORE_SPLIT = [
    "CI_METHODS", "CI_TRANSFORMS", "SurvivalResult", "ever_employed", "first_job_times",
    "in_work_at", "job_tenure", "kaplan_meier", "logrank", "placement_rate", "retention",
    "spell_durations", "spell_timeline", "survival_interval", "time_in_work", "time_to_first_job",
]
FIDELITY_ALL_BEFORE_SPLIT = [
    "IPS25_BANDS", "ITEMS", "ITEM_CODES", "MAX_TOTAL", "MIN_TOTAL", "SECTIONS", "SEED_001_BANDS",
    "RoundChange", "band_distribution", "band_gaps", "band_margins", "band_mentions", "classify",
    "first_review", "make_bands", "read_ratings", "round_change", "score", "section_scores",
    "single_review", "template_path", "to_long", "to_wide", "with_changes",
]
RENAMED = {"SEED_001_BANDS": "MOEN2021_BANDS"}
"""Old public name -> new one (the old one deprecated for a release)."""

SUBMODULES = {
    "outcomes": ("rates", "survival", "spells", "regression", "cohort"),
    "fidelity": ("scale", "ratings", "summaries"),
}


OUTCOMES_ADDED = {"CoxResult", "QUANTILE_TOLERANCE", "cox_regression", "logrank_counts", "nelson_aalen",
                  "restricted_mean", "rmst_difference", "CohortDescription", "describe_cohort",
                  "largest_groups", "sample_participants"}
"""Added after the split (issue 17: survival models; issue 16: describing a cohort)."""


def test_outcomes_exports_what_the_module_did_and_the_additions():
    assert set(OUTCOMES_ALL_BEFORE_SPLIT) <= set(outcomes.__all__)
    assert set(outcomes.__all__) - set(OUTCOMES_ALL_BEFORE_SPLIT) == OUTCOMES_ADDED
    for name in outcomes.__all__:
        assert getattr(outcomes, name) is not None


def test_fidelity_exports_every_old_name_renamed_ones_under_their_new_name():
    now = set(fidelity.__all__)
    kept = {RENAMED.get(n, n) for n in FIDELITY_ALL_BEFORE_SPLIT}
    assert kept <= now
    # the only additions: resolve_bands (made public for the figures) and the new names
    assert now - kept == {"resolve_bands"}
    for name in kept:
        assert getattr(fidelity, name) is not None


@pytest.mark.parametrize("package", sorted(SUBMODULES))
def test_each_public_name_is_defined_in_one_submodule_of_its_concern(package):
    pkg = importlib.import_module(f"ipsresearch.{package}")
    owners: dict[str, str] = {}
    for sub in SUBMODULES[package]:
        module = importlib.import_module(f"ipsresearch.{package}.{sub}")
        for name in module.__all__:
            assert name not in owners, f"{name} exported by both {owners[name]} and {sub}"
            owners[name] = sub
            assert getattr(pkg, name) is getattr(module, name)
    assert set(owners) == set(pkg.__all__)


def test_old_band_name_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match=r"SEED_001_BANDS is deprecated.*MOEN2021_BANDS"):
        old = fidelity.SEED_001_BANDS
    assert old is fidelity.MOEN2021_BANDS
    assert fidelity.band_gaps(old) == [73]
    with pytest.warns(DeprecationWarning, match="SEED_001_BANDS"):
        from ipsresearch.fidelity import SEED_001_BANDS  # noqa: F401  (the old import path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name warns about nothing
        assert fidelity.MOEN2021_BANDS is fidelity.scale.MOEN2021_BANDS


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'SEED_002_BANDS'"):
        fidelity.SEED_002_BANDS  # noqa: B018


def test_old_band_name_is_not_in_star_imports():
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec("from ipsresearch.fidelity import *", namespace)
    assert "MOEN2021_BANDS" in namespace and "SEED_001_BANDS" not in namespace


ANALYSIS = ("outcomes", "fidelity", "qualitative", "synthesis")


def _private(dotted: str) -> bool:
    return any(p.startswith("_") and not p.startswith("__") for p in dotted.split("."))


def test_no_analysis_module_imports_a_private_name_of_another():
    """Shared code lives in ``_arrays`` and ``_stats``; no analysis unit reaches into another's."""
    bad = []
    for path in sorted((ROOT / "ipsresearch").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("").parts  # ("ipsresearch", "outcomes", "rates")
        here = rel[1]
        if here not in ANALYSIS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ipsresearch."):
                imported = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "ipsresearch":
                imported = [f"ipsresearch.{a.name}" for a in node.names]
            else:
                continue
            for name in imported:
                there = name.split(".")[1]
                if there in ANALYSIS and there != here and _private(name):
                    bad.append(f"{'/'.join(rel)}.py:{node.lineno} imports {name}")
    assert bad == []


def test_readme_tour_for_researchers_runs_on_the_shipped_data():
    """The README's JupyterLab example, with its placeholder paths pointed at shipped files."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    tour = next(b for b in blocks if "placement_rate" in b)
    code = (tour.replace('"/path/to/mysite"', repr(str(DATA_SYNTHETIC / "irish_pilot")))
            .replace('"/path/to/ratings.csv"', repr(str(fidelity.template_path()))))
    assert "/path/to" not in code
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["employed"]["employed"].sum() == 33  # seed 000: 33 of 65 placed
    assert Path(namespace["fidelity"].template_path()).is_file()


# ------------------------------------------------------------------ one result protocol

def _results() -> dict[str, object]:
    import pandas as pd

    from ipsresearch import qualitative, schemas, synthesis
    from ipsresearch.synthetic import simulate_trials
    from ipsresearch.validation import read_csv

    jobs = pd.DataFrame({"days": [30, 60, 60, 200, 400, 500, 20, 90],
                         "ended": [True, True, False, True, False, False, True, True],
                         "site": list("AAAABBBB")})
    rounds = pd.DataFrame({"site": list("abcde") * 2, "round": [1] * 5 + [2] * 5,
                           "total": [80, 85, 90, 95, 70, 88, 97, 91, 104, 75]})
    codings = pd.DataFrame({"segment_id": [1, 1, 2, 2, 3, 3], "coder": ["A", "B"] * 3,
                            "code": ["x", "x", "y", "x", "y", "y"]})
    log = read_csv(DATA_SYNTHETIC / "moen2021" / "screening_log.csv", schemas.SCREENING_LOG)
    return {
        "SurvivalResult": outcomes.kaplan_meier(jobs, by="site", overall=True),
        "RoundChange": fidelity.round_change(rounds),
        "Agreement": qualitative.cohen_kappa(codings),
        "PrismaFlow": synthesis.prisma_flow(log, by="search"),
        "MetaAnalysisResult": synthesis.meta_analysis(simulate_trials(6, seed=3)),
        "MetaRegressionResult": synthesis.meta_regression(simulate_trials(6, seed=3),
                                                          moderators="fidelity"),
        "CoxResult": outcomes.cox_regression(jobs, covariates="site"),
        "MisreadTotals": synthesis.misread_totals(simulate_trials(6, seed=3)),
        "SubgroupResult": synthesis.subgroup_analysis(
            simulate_trials(6, seed=3).assign(region=["USA", "Europe"] * 3), by="region"),
        "CohortDescription": outcomes.describe_cohort(
            read_csv(DATA_SYNTHETIC / "irish_pilot" / "participants.csv", schemas.PARTICIPANTS),
            read_csv(DATA_SYNTHETIC / "irish_pilot" / "job_spells.csv", schemas.JOB_SPELLS)),
    }


RESULTS = _results()


def test_every_result_class_of_the_analysis_packages_is_covered():
    import inspect

    from ipsresearch import qualitative, synthesis

    classes = {name for pkg in (outcomes, fidelity, qualitative, synthesis)
               for name in pkg.__all__
               if inspect.isclass(getattr(pkg, name)) and hasattr(getattr(pkg, name), "to_frame")}
    assert classes == set(RESULTS)


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_to_frame_is_the_tidy_table_and_summary_one_row_of_headline_numbers(name):
    import pandas as pd

    result = RESULTS[name]
    table, head = result.to_frame(), result.summary()
    assert isinstance(table, pd.DataFrame) and isinstance(head, pd.DataFrame)
    assert len(head) == 1 and len(table) >= 1
    assert all(isinstance(c, str) and c == c.lower() and " " not in c for c in head.columns)
    assert head.select_dtypes("number").shape[1] >= 1  # numbers stay numbers
    assert result.to_frame() is not result.to_frame()  # a copy each time: safe to change


def test_summaries_say_what_the_tables_hold():
    km = RESULTS["SurvivalResult"].summary().iloc[0]
    assert (km["n"], km["events"], km["censored"], km["groups"]) == (8, 5, 3, 2)
    assert km["median"] == 90.0  # the "All" curve: S falls below one half at day 90
    alone = outcomes.kaplan_meier(RESULTS["SurvivalResult"].data, by="site").summary()
    assert np.isnan(alone["median"].iloc[0])  # one curve per site: no single median
    rc = RESULTS["RoundChange"]
    row = rc.summary().iloc[0]
    assert row["n_pairs"] == len(rc.pairs) and row["mean_change"] == rc.pairs["change"].mean()
    assert row["wilcoxon_p_value"] == rc.tests.loc[0, "p_value"]
    flow = RESULTS["PrismaFlow"]
    row = flow.summary().iloc[0]
    assert row["identified"] == flow.n("identified") and row["included"] == flow.n("included")
    assert row["identified"] - row["included"] == row["excluded"]
    assert row["groups"] == len(flow.groups()) > 1
    kappa = RESULTS["Agreement"]
    pd_testing.assert_frame_equal(kappa.summary(), kappa.to_frame())

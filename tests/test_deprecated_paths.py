"""Old import paths of figures and widgets still work for one release, and warn where they are used."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from ipsresearch import explore, figures
from ipsresearch.explore import fidelity as explore_fidelity
from ipsresearch.explore import trials

MOVED = [
    ("ipsresearch.fidelity_figures", "plot_band_scale", figures.plot_band_scale, "ipsresearch.figures"),
    ("ipsresearch.fidelity_figures", "plot_item_heatmap", figures.plot_item_heatmap, "ipsresearch.figures"),
    ("ipsresearch.fidelity_figures", "BAND_COLOURS", figures.BAND_COLOURS, "ipsresearch.figures"),
    ("ipsresearch.survival_figures", "plot_survival", figures.plot_survival, "ipsresearch.figures"),
    ("ipsresearch.survival_figures", "plot_spells", figures.plot_spells, "ipsresearch.figures"),
    ("ipsresearch.qualitative_figures", "plot_cooccurrence", figures.plot_cooccurrence,
     "ipsresearch.figures"),
    ("ipsresearch.synthesis", "forest_plot", figures.plot_forest, "ipsresearch.figures.plot_forest"),
    ("ipsresearch.synthesis", "funnel_plot", figures.plot_funnel, "ipsresearch.figures.plot_funnel"),
    ("ipsresearch.synthesis", "plot_prisma", figures.plot_prisma, "ipsresearch.figures.plot_prisma"),
    ("ipsresearch.interactive", "use_widgets", explore.use_widgets, "ipsresearch.explore"),
    ("ipsresearch.interactive", "ENV_VAR", explore.ENV_VAR, "ipsresearch.explore"),
    ("ipsresearch.fidelity_classroom", "FidelityExplorer", explore_fidelity.FidelityExplorer,
     "ipsresearch.explore.fidelity"),
    ("ipsresearch.fidelity_classroom", "summary_text", explore_fidelity.summary_text,
     "ipsresearch.explore.fidelity"),
    ("ipsresearch.synthesis.explore", "TrialExplorer", trials.TrialExplorer, "ipsresearch.explore.trials"),
]


@pytest.mark.parametrize(("module", "name", "new", "where"), MOVED, ids=lambda v: v if isinstance(v, str) else "")
def test_old_path_warns_and_forwards(module, name, new, where):
    old = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{name} is deprecated .* use {where}") as caught:
        got = getattr(old, name)
    assert got is new
    assert caught[0].filename == __file__  # the warning names the line that used the old path


def test_renamed_functions_are_the_new_ones_under_the_old_name():
    with pytest.warns(DeprecationWarning):
        from ipsresearch.synthesis import forest_plot
    assert forest_plot is figures.plot_forest
    with pytest.raises(AttributeError, match="no attribute 'scatter_plot'"):
        importlib.import_module("ipsresearch.synthesis").scatter_plot  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'plot_rates'"):
        importlib.import_module("ipsresearch.fidelity_figures").plot_rates  # noqa: B018


def test_a_notebook_written_for_the_old_paths_sees_the_warning_in_its_own_code():
    """Python shows a DeprecationWarning by default only when it is attributed to __main__."""
    code = ("from ipsresearch import fidelity_figures as ff\n"
            "ff.plot_band_scale\n"
            "from ipsresearch.synthesis import forest_plot\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "<string>:2: DeprecationWarning: ipsresearch.fidelity_figures.plot_band_scale" in r.stderr
    assert "<string>:3: DeprecationWarning: ipsresearch.synthesis.forest_plot" in r.stderr


def test_importing_an_old_module_alone_neither_warns_nor_imports_matplotlib():
    code = ("import sys, warnings\nwarnings.simplefilter('error')\n"
            "import ipsresearch.fidelity_figures, ipsresearch.interactive, ipsresearch.synthesis.explore\n"
            "print('matplotlib' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"

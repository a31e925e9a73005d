"""One contract for every figure, one style module, and no drawing library below the figures."""

from __future__ import annotations

import inspect
import subprocess
import sys

import matplotlib.pyplot as plt
import pytest

from ipsresearch import figures
from ipsresearch.figures import _style

PLOTS = [name for name in figures.__all__ if name.startswith("plot_")]


def test_every_figure_is_exported_under_a_plot_name():
    defined = {name for module in (figures.outcomes, figures.fidelity, figures.qualitative,
                                   figures.synthesis)
               for name, obj in vars(module).items()
               if inspect.isfunction(obj) and obj.__module__ == module.__name__
               and not name.startswith("_")}
    assert defined == set(PLOTS)
    assert len(PLOTS) == 17


@pytest.mark.parametrize("name", PLOTS)
def test_every_figure_follows_the_contract(name):
    """Data first, everything else keyword-only, optional ax and figsize, the Axes back, numpydoc."""
    func = getattr(figures, name)
    params = list(inspect.signature(func).parameters.values())
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:]), name
    names = [p.name for p in params]
    for option in ("ax", "figsize", "title"):
        assert option in names, (name, option)
        assert inspect.signature(func).parameters[option].default is None
    assert inspect.signature(func).return_annotation == "plt.Axes"
    doc = inspect.getdoc(func)
    for section in ("Parameters\n----------", "Returns\n-------\nmatplotlib.axes.Axes"):
        assert section in doc, (name, section)
    for p in names[1:]:
        assert p in doc, (name, p)  # every option documented


def test_axes_creates_or_reuses_and_styles():
    ax = _style.axes(figsize=(3, 2))
    assert ax.figure.get_size_inches().tolist() == [3.0, 2.0]
    assert [ax.spines[s].get_visible() for s in ("top", "right", "bottom", "left")] == \
        [False, False, True, True]
    _, given = plt.subplots(figsize=(5, 5))
    same = _style.axes(given, (1, 1), spines=("left",))
    assert same is given and given.figure.get_size_inches().tolist() == [5.0, 5.0]
    assert not given.spines["left"].get_visible() and given.spines["top"].get_visible()
    assert _style.axes(spines=()).spines["top"].get_visible()
    assert _style.axes(layout="tight").figure.get_layout_engine() is not None


def test_panels_share_one_figure():
    axes = figures.panels(2, 2, figsize=(6, 4), sharey=True)
    assert len(axes) == 4 and len({id(a.figure) for a in axes}) == 1
    assert axes[0].figure.get_layout_engine() is None
    assert figures.panels(2, tight=True)[0].figure.get_layout_engine() is not None


def test_one_house_blue_and_one_band_table():
    assert _style.BLUE == _style.PALETTE[0] == _style.ROLE_COLOURS[0] == _style.WORK_COLOURS["competitive"]
    assert figures.BAND_COLOURS is _style.BAND_COLOURS
    assert _style.band_colour("fair") == _style.BAND_COLOURS["fair"]
    assert _style.band_colour("low") != _style.band_colour("low", 1)  # unknown bands: greys


@pytest.mark.parametrize("module", ["synthesis", "outcomes", "fidelity", "qualitative", "explore"])
def test_computation_and_the_widget_switch_import_no_drawing_library(module):
    code = (f"import sys, ipsresearch.{module}; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython', 'seaborn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _example_axes(name):
    """Run the Examples of a figure's docstring; the last ``ax`` they drew."""
    import doctest

    func = getattr(figures, name)
    namespace = dict(vars(sys.modules[func.__module__]))
    for example in doctest.DocTestParser().get_examples(inspect.getdoc(func) or ""):
        exec(compile(example.source, name, "exec"), namespace)
    return namespace.get("ax")


@pytest.mark.parametrize("name", PLOTS)
def test_every_figure_says_what_it_drew(name):
    """The description that becomes a page's alt text: what is plotted, with counts and values."""
    ax = _example_axes(name)
    if ax is None:  # plot_round_change has no example: draw it from a round change
        import pandas as pd

        from ipsresearch import fidelity

        scores = pd.DataFrame({"site": list("ABC") * 2, "round": [1] * 3 + [2] * 3,
                               "total": [80, 95, 101, 86, 93, 110]})
        scores["band"] = fidelity.classify(scores["total"].to_numpy())
        ax = figures.plot_round_change(fidelity.round_change(scores, unit="site"), unit="site")
    text = figures.description(ax)
    assert len(text) > 40 and any(ch.isdigit() for ch in text), (name, text)
    assert text.endswith(".") and "nan" not in text.lower(), (name, text)


def test_a_figure_of_panels_describes_each_panel():
    axs = figures.panels(2)
    _style.describe(axs[0], "bars of 3 countries")
    _style.describe(axs[1], "dots of 2 sites")
    axs[1].set_title("Sites")
    assert figures.description(axs[0].figure) == ("2 panels. Panel 1: bars of 3 countries. "
                                                  "Panel 2, Sites: dots of 2 sites.")
    assert figures.description(plt.subplots()[1]) == ""  # nothing described, nothing said

"""Forest and funnel plots drawn from a :class:`~ipsresearch.synthesis.meta.MetaAnalysisResult`.

Both take the result object (never typed-in numbers) and an optional
matplotlib ``Axes``, and return the ``Axes`` they drew on. Every mark is a
number of the result: study squares at ``studies["estimate"]`` with area
proportional to ``studies["weight"]``, the diamond spanning ``ci_low`` to
``ci_high`` around ``estimate``, the prediction interval from ``pi_low`` to
``pi_high``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon
from matplotlib.transforms import blended_transform_factory

from ipsresearch.synthesis.meta import METHODS, MetaAnalysisResult

__all__ = ["forest_plot", "funnel_plot"]

_BLUE = "#1f4e79"
_LIGHT = "#6b8fb5"
_GREY = "#999999"


def _null(measure: str) -> float | None:
    return {"RR": 1.0, "OR": 1.0, "RD": 0.0}.get(measure)


def _fmt(x: float, measure: str) -> str:
    return f"{x:.1%}" if measure in ("PLO", "PFT") else f"{x:.2f}"


def forest_plot(
    result: MetaAnalysisResult,
    *,
    ax: plt.Axes | None = None,
    title: str | None = None,
    show_prediction: bool = True,
    show_counts: bool = True,
    reference: float | None = None,
    reference_label: str = "",
    reference_band: tuple[float, float] | None = None,
) -> plt.Axes:
    """Forest plot: one row per study, the pooled diamond and the prediction interval.

    Parameters
    ----------
    result : MetaAnalysisResult
        Output of :func:`ipsresearch.synthesis.meta_analysis`.
    ax : matplotlib.axes.Axes, optional
        Drawn on a new figure sized to the number of studies when not given.
    title : str, optional
    show_prediction : bool
        Draw the prediction interval under the diamond (random-effects
        methods with at least two studies).
    show_counts : bool
        Add events/participants of each arm to the study labels.
    reference : float, optional
        A vertical line at this value (e.g. one programme's own rate);
        ratios get a line at 1 and risk differences at 0 regardless.
    reference_label : str
        Legend text for ``reference``.
    reference_band : (float, float), optional
        Shade this interval around ``reference`` (e.g. its confidence interval).

    Returns
    -------
    matplotlib.axes.Axes
        Squares (area proportional to the study's weight) with
        ``result.confidence`` intervals, on a log axis for ratios; the
        estimate, interval and weight of each row are printed on the right.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch.synthesis import meta_analysis
    >>> trials = pd.DataFrame({"study": ["A", "B"], "events_treatment": [30, 44],
    ...     "n_treatment": [60, 102], "events_control": [14, 20], "n_control": [58, 98]})
    >>> ax = forest_plot(meta_analysis(trials, method="FE"))
    >>> ax.get_xscale()
    'log'
    """
    s = result.studies
    k_rows = len(s)
    if ax is None:
        _, ax = plt.subplots(figsize=(8.6, 0.32 * k_rows + 1.9))
    two_arm = "events_treatment" in s.columns
    y = np.arange(k_rows, 0, -1, dtype=float) + 1.0  # first study on top; pooled at y = 1
    inc = s["included"].to_numpy(dtype=bool)
    est = s["estimate"].to_numpy(dtype=float)
    lo = s["ci_low"].to_numpy(dtype=float)
    hi = s["ci_high"].to_numpy(dtype=float)
    w = s["weight"].to_numpy(dtype=float)

    ax.hlines(y[inc], lo[inc], hi[inc], color=_LIGHT, linewidth=1.2, zorder=2)
    sizes = 400.0 * w[inc] / max(float(np.max(w[inc])), 1e-12) + 8.0
    ax.scatter(est[inc], y[inc], s=sizes, marker="s", color=_BLUE, zorder=3, label="study")

    # pooled diamond and prediction interval
    h = 0.32
    diamond = Polygon([(result.ci_low, 1.0), (result.estimate, 1.0 + h),
                       (result.ci_high, 1.0), (result.estimate, 1.0 - h)],
                      closed=True, facecolor=_BLUE, edgecolor=_BLUE, zorder=4,
                      label=f"pooled ({result.method})")
    ax.add_patch(diamond)
    random = result.method not in ("FE", "MH") and result.k > 1
    if show_prediction and random:
        ax.hlines(0.45, result.pi_low, result.pi_high, color=_BLUE, linewidth=2.5, zorder=3,
                  label=f"{result.confidence:.0%} prediction interval")

    null = _null(result.measure)
    if null is not None:
        ax.axvline(null, color=_GREY, linewidth=1, zorder=1)
    if reference is not None:
        if reference_band is not None:
            ax.axvspan(*reference_band, color="#f2c14e", alpha=0.25, zorder=0)
        ax.axvline(reference, color="#b5651d", linestyle="--", linewidth=1.2, zorder=1)
        if reference_label:
            ax.text(reference, y[0] + 0.9, f" {reference_label}", color="#b5651d", fontsize=8,
                    va="center", ha="left")

    labels = []
    for _, r in s.iterrows():
        text = str(r["study"])
        if show_counts:
            if two_arm:
                text += (f"  {r['events_treatment']}/{r['n_treatment']}"
                         f" vs {r['events_control']}/{r['n_control']}")
            else:
                text += f"  {r['events']}/{r['n']}"
        labels.append(text)
    ax.set_yticks([*y, 1.0], [*labels, f"Pooled, {METHODS[result.method]}"])
    ax.tick_params(axis="y", length=0)

    trans = blended_transform_factory(ax.transAxes, ax.transData)
    ax.text(1.02, y[0] + 0.9, f"{result.label} [{result.confidence:.0%} CI]   weight",
            transform=trans, fontsize=8, fontweight="bold", va="center", clip_on=False)
    for i in range(k_rows):
        text = (f"{_fmt(est[i], result.measure)} [{_fmt(lo[i], result.measure)}, "
                f"{_fmt(hi[i], result.measure)}]   {w[i]:.1f}%") if inc[i] else "not pooled (no events)"
        ax.text(1.02, y[i], text, transform=trans, fontsize=8, va="center", clip_on=False)
    ax.text(1.02, 1.0, f"{_fmt(result.estimate, result.measure)} [{_fmt(result.ci_low, result.measure)}, "
            f"{_fmt(result.ci_high, result.measure)}]   100%", transform=trans, fontsize=8,
            fontweight="bold", va="center", clip_on=False)

    if result.measure in ("RR", "OR"):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    elif result.measure in ("PLO", "PFT"):
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylim(0.0 if random and show_prediction else 0.4, y[0] + 1.3)
    q_p = "p < 0.001" if result.q_p < 0.001 else f"p = {result.q_p:.3f}"
    het = (f"tau² = {result.tau2:.3f}, I² = {result.i2:.0f}%, Q = {result.q:.1f} on "
           f"{result.q_df} df ({q_p})")
    ax.set_xlabel(f"{result.label} ({result.confidence:.0%} CI)\n{het}")
    ax.spines[["top", "right", "left"]].set_visible(False)
    if title:
        ax.set_title(title, loc="left")
    return ax


def funnel_plot(
    result: MetaAnalysisResult,
    *,
    ax: plt.Axes | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Funnel plot: each study's effect against its standard error.

    The effect is on the analysis scale (e.g. log risk ratio), standard
    errors grow downwards, and the dashed funnel marks
    ``pooled ± z * se`` at ``result.confidence``: without small-study
    effects about that share of studies falls inside it, symmetrically.

    Parameters
    ----------
    result : MetaAnalysisResult
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch.synthesis import meta_analysis
    >>> trials = pd.DataFrame({"study": ["A", "B"], "events_treatment": [30, 44],
    ...     "n_treatment": [60, 102], "events_control": [14, 20], "n_control": [58, 98]})
    >>> ax = funnel_plot(meta_analysis(trials))
    >>> bool(ax.yaxis_inverted())
    True
    """
    from scipy import stats

    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 4.2))
    s = result.studies[result.studies["included"]]
    y = s["effect"].to_numpy(dtype=float)
    se = np.sqrt(s["variance"].to_numpy(dtype=float))
    crit = float(stats.norm.isf((1 - result.confidence) / 2))
    top = float(np.max(se)) * 1.08
    grid = np.linspace(0.0, top, 50)
    ax.fill_betweenx(grid, result.effect - crit * grid, result.effect + crit * grid,
                     color="#e8eef5", zorder=0)
    ax.plot(result.effect - crit * grid, grid, color=_GREY, linestyle="--", linewidth=1)
    ax.plot(result.effect + crit * grid, grid, color=_GREY, linestyle="--", linewidth=1)
    ax.axvline(result.effect, color=_BLUE, linewidth=1)
    ax.scatter(y, se, color=_BLUE, edgecolor="white", zorder=3)
    if _null(result.measure) is not None:  # no effect is 0 on the log-ratio and difference scales
        ax.axvline(0.0, color=_GREY, linewidth=0.8, linestyle=":")
    ax.set_ylim(top, 0.0)
    ax.set_xlabel(result.scale)
    ax.set_ylabel("standard error")
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, loc="left")
    return ax

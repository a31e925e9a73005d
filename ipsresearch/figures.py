"""Figures drawn from analysis results (never from typed-in numbers).

Every function takes the tidy DataFrame an analysis function returned and
an optional matplotlib ``Axes``, and returns the ``Axes`` it drew on.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["plot_rates"]


def plot_rates(
    rates: pd.DataFrame,
    *,
    label: str,
    ax: plt.Axes | None = None,
    reference: float | None = None,
    reference_label: str = "",
    title: str | None = None,
) -> plt.Axes:
    """Point estimates with confidence intervals, one row per group.

    Parameters
    ----------
    rates : pandas.DataFrame
        Output of :func:`ipsresearch.outcomes.placement_rate` (columns
        ``rate, ci_low, ci_high, n, events`` and ``label``).
    label : str
        Column naming each row (e.g. ``"site"``).
    ax : matplotlib.axes.Axes, optional
    reference : float, optional
        Draw a vertical reference line at this rate (e.g. the overall rate).
    reference_label : str
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 0.5 * len(rates) + 1.4))
    y = np.arange(len(rates))[::-1]
    ax.errorbar(rates["rate"], y,
                xerr=[rates["rate"] - rates["ci_low"], rates["ci_high"] - rates["rate"]],
                fmt="o", color="#1f4e79", ecolor="#6b8fb5", capsize=3)
    ax.set_yticks(y, [f"{lab} ({e}/{n})" for lab, e, n in
                      zip(rates[label].astype(str), rates["events"], rates["n"], strict=True)])
    if reference is not None:
        ax.axvline(reference, color="#999999", linestyle="--", linewidth=1, label=reference_label)
        if reference_label:
            ax.legend(loc="lower right", frameon=False)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    method = rates["method"].iloc[0] if "method" in rates else ""
    conf = rates["confidence"].iloc[0] if "confidence" in rates else 0.95
    ax.set_xlabel(f"share with the outcome ({conf:.0%} {method} interval)")
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# Kaplan-Meier curves and swimmer plots of job spells (issue 5) live in their own module.
from ipsresearch.survival_figures import plot_spells, plot_survival  # noqa: E402

__all__ += ["plot_spells", "plot_survival"]

# Co-occurrence heatmaps and who-is-quoted bars of qualitative studies (issue 6).
from ipsresearch.qualitative_figures import (  # noqa: E402
    plot_attributions,
    plot_cooccurrence,
    plot_theme_by_role,
)

__all__ += ["plot_attributions", "plot_cooccurrence", "plot_theme_by_role"]

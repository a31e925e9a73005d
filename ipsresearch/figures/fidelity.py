"""Figures of IPS-25 fidelity, drawn from the results of :mod:`ipsresearch.fidelity`.

Every function takes a table an analysis function returned (never typed-in
numbers) and an optional matplotlib ``Axes``, and returns the ``Axes`` it drew on.
Import them from :mod:`ipsresearch.figures`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ipsresearch import fidelity
from ipsresearch.figures._style import (
    BAND_COLOURS,
    CHANGE_COLOURS,
    axes,
    band_colour,
    describe,
    listing,
)

__all__ = [
    "plot_band_distribution",
    "plot_band_scale",
    "plot_item_heatmap",
    "plot_round_change",
    "plot_section_profile",
]

def _band_spans(ax: plt.Axes, table: pd.DataFrame, *, vertical: bool, alpha: float = 0.18,
                labels: bool = True) -> None:
    for i, row in enumerate(table.itertuples(index=False)):
        lo, hi = row.low - 0.5, row.high + 0.5
        span = ax.axvspan if vertical else ax.axhspan
        span(lo, hi, color=band_colour(row.band, i), alpha=alpha, linewidth=0)
        if labels:
            mid = (lo + hi) / 2
            if vertical:
                ax.text(mid, 1.0, row.band.replace("_", " "), transform=ax.get_xaxis_transform(),
                        ha="center", va="bottom", fontsize=8, color="#444444")
            else:
                ax.text(0.01, mid, row.band.replace("_", " "), transform=ax.get_yaxis_transform(),
                        ha="left", va="center", fontsize=8, color="#444444", clip_on=True)


def plot_band_scale(
    scores: pd.DataFrame,
    *,
    label: str = "review_id",
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Each review's total on the 25-125 scale, over the coloured bands.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`ipsresearch.fidelity.score` (``total``, ``band``, ``label``).
    label : str
        Column naming each review on the y axis.
    bands : band table or mapping, optional
        Cut-offs to shade (default :data:`ipsresearch.fidelity.IPS25_BANDS`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 7.5 inches wide, 0.28 inch per review).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One dot per review at its total, coloured by its band, the first
        review on top.

    Examples
    --------
    >>> from ipsresearch import fidelity
    >>> ax = plot_band_scale(fidelity.score(fidelity.single_review(fill=4)))
    >>> ax.collections[0].get_offsets()[:, 0].tolist()
    [100.0]
    """
    table = fidelity.resolve_bands(bands)
    ax = axes(ax, figsize or (7.5, 0.28 * len(scores) + 1.3))
    _band_spans(ax, table, vertical=True)
    y = np.arange(len(scores))[::-1]
    band = fidelity.classify(scores["total"].to_numpy(), bands=table)
    colours = [band_colour(b) if b is not None else BAND_COLOURS["unassigned"] for b in band]
    ax.scatter(scores["total"], y, c=colours, edgecolor="#333333", zorder=3, s=36)
    for yi, t in zip(y, scores["total"], strict=True):
        ax.text(t + 1.2, yi, str(int(t)), va="center", fontsize=7, color="#333333")
    ax.set_yticks(y, scores[label].astype(str))
    ax.set_xlim(fidelity.MIN_TOTAL - 1, fidelity.MAX_TOTAL + 1)
    ax.set_ylim(-0.8, len(scores) - 0.2)
    ax.set_xlabel("IPS-25 total (25 items rated 1-5)")
    if title:
        ax.set_title(title, pad=16)
    per_band = pd.Series([str(b).replace("_", " ") if b is not None else "no band" for b in band]
                         ).value_counts()
    totals = scores["total"].astype(float)
    describe(ax, f"Dot plot of the IPS-25 totals of {len(scores)} "
                 f"{'reviews' if len(scores) != 1 else 'review'} on the 25 to 125 scale over the "
                 f"fidelity bands: totals from {totals.min():g} to {totals.max():g}; "
                 f"{listing(f'{k} in {b}' for b, k in per_band.items())}")
    return ax


def plot_band_distribution(
    dist: pd.DataFrame,
    *,
    by: str | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Share of reviews in each band, with intervals, one colour per group.

    Parameters
    ----------
    dist : pandas.DataFrame
        Output of :func:`ipsresearch.fidelity.band_distribution`.
    by : str, optional
        The grouping column used there (e.g. ``"programme"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 7 inches wide, growing with bands and groups).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One error bar per band and group (the share and its interval), the
        first band on top.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import fidelity
    >>> dist = fidelity.band_distribution(pd.DataFrame({"total": [60, 90, 110]}))
    >>> ax = plot_band_distribution(dist)
    >>> [round(float(x), 3) for x in ax.lines[0].get_xdata()]  # not IPS, fair, good, exemplary
    [0.333, 0.333, 0.333, 0.0]
    """
    bands = list(dict.fromkeys(dist["band"]))
    groups = list(dict.fromkeys(dist[by])) if by else [None]
    ax = axes(ax, figsize or (7.0, 0.55 * len(bands) * max(1, len(groups)) ** 0.5 + 1.4))
    width = 0.7
    step = width / max(len(groups), 1)
    palette = plt.get_cmap("tab10")
    for k, g in enumerate(groups):
        part = dist if g is None else dist[dist[by] == g]
        part = part.set_index("band").reindex(bands)
        y = np.arange(len(bands))[::-1] + (width / 2 - step / 2 - k * step)
        err = [part["share"] - part["ci_low"], part["ci_high"] - part["share"]]
        ax.errorbar(part["share"], y, xerr=err, fmt="o", capsize=3, color=palette(k),
                    label=None if g is None else f"{g} (n = {int(part['n'].iloc[0])})")
    ax.set_yticks(np.arange(len(bands))[::-1], [b.replace("_", " ") for b in bands])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    conf = dist["confidence"].iloc[0]
    ax.set_xlabel(f"share of reviews in the band ({conf:.0%} {dist['method'].iloc[0]} interval)")
    if by:
        ax.legend(frameon=False, loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    tops = []
    for g in groups:
        part = dist if g is None else dist[dist[by] == g]
        best = part.loc[part["share"].idxmax()]
        name = "" if g is None else f"{g}: "
        tops.append(f"{name}most in {str(best['band']).replace('_', ' ')} "
                    f"({best['share']:.0%}, {int(best['count'])} of {int(best['n'])})")
    describe(ax, f"Share of reviews in each of {len(bands)} fidelity bands with {conf:.0%} "
                 f"intervals{f', for {len(groups)} groups by {by}' if by else ''}; {listing(tops)}")
    return ax


def plot_item_heatmap(
    matrix: pd.DataFrame,
    *,
    label: str | None = "review_id",
    ax: plt.Axes | None = None,
    title: str | None = None,
    annot: bool = True,
    figsize: tuple[float, float] | None = None,
) -> plt.Axes:
    """Item-by-site heatmap of ratings (seaborn), with the three sections marked.

    Parameters
    ----------
    matrix : pandas.DataFrame
        One row per review (or per group) and one column per item code, as
        :func:`ipsresearch.fidelity.to_wide` returns; means per group work too.
    label : str or None
        Column naming the rows; ``None`` uses the index.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    title : str, optional
        Axes title.
    annot : bool
        Write the value in each cell.
    figsize : (float, float), optional
        Size of a new figure (default 11 inches wide, 0.32 inch per row).

    Returns
    -------
    matplotlib.axes.Axes
        One cell per row and item, coloured from 1 (red) to 5 (green).

    Examples
    --------
    >>> from ipsresearch import fidelity
    >>> ax = plot_item_heatmap(fidelity.to_wide(fidelity.single_review(fill=4)))
    >>> ax.collections[0].get_array().reshape(1, 25)[0, :3].tolist()
    [4.0, 4.0, 4.0]
    """
    import seaborn as sns

    codes = list(fidelity.ITEM_CODES)
    values = matrix[codes].astype(float)
    if label is not None:
        values.index = matrix[label].astype(str)
    ax = axes(ax, figsize or (11, 0.32 * len(values) + 1.6), spines=())
    whole = bool(np.all(np.mod(values.to_numpy(), 1) == 0))
    sns.heatmap(values, ax=ax, vmin=1, vmax=5, cmap="RdYlGn", annot=annot,
                fmt=".0f" if whole else ".1f", annot_kws={"fontsize": 6.5},
                linewidths=0.4, linecolor="white", cbar_kws={"label": "rating (1-5)", "shrink": 0.6},
                rasterized=True)  # the cells as one image in SVG output; labels and values stay vector
    sizes = fidelity.ITEMS["section"].value_counts().reindex(fidelity.SECTIONS).to_numpy()
    for edge in np.cumsum(sizes)[:-1]:
        ax.axvline(edge, color="#222222", linewidth=1.5)
    for start, size, name in zip(np.cumsum(sizes) - sizes, sizes, fidelity.SECTIONS, strict=True):
        ax.text(start + size / 2, 1.01, name, ha="center", va="bottom", fontsize=9,
                transform=ax.get_xaxis_transform())
    ax.set_xlabel("item")
    ax.set_ylabel("")
    if title:
        ax.set_title(title, pad=20)
    item_means = values.mean(axis=0)
    low, high = item_means.idxmin(), item_means.idxmax()
    describe(ax, f"Heatmap of {len(values)} {'rows' if len(values) != 1 else 'row'} by the 25 IPS-25 "
                 f"items in three sections, each rating coloured from 1 (red) to 5 (green): mean "
                 f"rating {float(values.to_numpy().mean()):.1f}; lowest item {low} "
                 f"({item_means[low]:.1f}), highest item {high} ({item_means[high]:.1f})")
    return ax


def plot_section_profile(
    sections: pd.DataFrame,
    *,
    by: str = "programme",
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Mean rating per section for each group, with every review shown as a dot.

    Parameters
    ----------
    sections : pandas.DataFrame
        Output of :func:`ipsresearch.fidelity.section_scores` (``section``,
        ``mean_rating`` and the ``by`` column).
    by : str
        The grouping column (one colour per group).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 7 by 3.8 inches).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        Per section and group: a dot per review and a diamond at their mean.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import fidelity
    >>> reviews = pd.concat([fidelity.single_review(fill=f, review_id=f"r{f}") for f in (3, 5)])
    >>> sections = fidelity.section_scores(fidelity.score(reviews)).assign(programme="P")
    >>> ax = plot_section_profile(sections)
    >>> ax.collections[1].get_offsets()[:, 1].tolist()  # the mean of the first section
    [4.0]
    """
    ax = axes(ax, figsize or (7.0, 3.8))
    order = list(fidelity.SECTIONS)
    groups = list(dict.fromkeys(sections[by]))
    palette = plt.get_cmap("tab10")
    width = 0.7
    step = width / max(len(groups), 1)
    for k, g in enumerate(groups):
        part = sections[sections[by] == g]
        for j, sec in enumerate(order):
            vals = np.sort(part.loc[part["section"] == sec, "mean_rating"].to_numpy(dtype=float))
            centre = j - width / 2 + step / 2 + k * step
            # deterministic spread instead of random jitter: reports stay byte-identical
            spread = np.linspace(-step * 0.3, step * 0.3, len(vals)) if len(vals) > 1 else np.zeros(len(vals))
            ax.scatter(centre + spread, vals, s=14, alpha=0.45, color=palette(k), linewidth=0)
            if len(vals):
                ax.scatter([centre], [vals.mean()], marker="D", s=46, color=palette(k),
                           edgecolor="#222222", zorder=3, label=g if j == 0 else None)
    ax.set_xticks(range(len(order)), order)
    ax.set_ylim(1, 5.2)
    ax.set_ylabel("mean item rating in the section (1-5)")
    ax.set_xlabel("")
    ax.legend(frameon=False, fontsize=8, title=None, loc="lower right")
    if title:
        ax.set_title(title)
    means = sections.groupby([by, "section"], sort=False)["mean_rating"].mean()
    per_group = [f"{g}: " + ", ".join(f"{sec.lower()} {means[(g, sec)]:.1f}" for sec in order
                                     if (g, sec) in means.index) for g in groups]
    describe(ax, f"Mean item rating (1 to 5) in each of the {len(order)} sections for {len(groups)} "
                 f"{'groups' if len(groups) != 1 else 'group'}, a dot per review and a diamond at "
                 f"the group mean; {listing(per_group)}")
    return ax


def plot_round_change(
    change: fidelity.RoundChange,
    *,
    unit: str | Sequence[str] = "site",
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Slope plot of each site's value in the two rounds, over the bands.

    Parameters
    ----------
    change : ipsresearch.fidelity.RoundChange
        Output of :func:`ipsresearch.fidelity.round_change`.
    unit : str or sequence of str
        Column(s) naming each line.
    bands : band table or mapping, optional
        Shaded when the compared value is the total.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 5.2 by 4.4 inches).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One line per unit from its first to its second value, blue when it
        rose, red when it fell, grey when level.
    """
    ax = axes(ax, figsize or (5.2, 4.4))
    pairs = change.pairs
    lo = float(min(pairs["first"].min(), pairs["second"].min()))
    hi = float(max(pairs["first"].max(), pairs["second"].max()))
    if change.value == "total":
        table = fidelity.resolve_bands(bands)
        _band_spans(ax, table, vertical=False)
    names = pairs[unit].astype(str) if isinstance(unit, str) else \
        pairs[list(unit)].astype(str).agg(" ".join, axis=1)
    for name, a, b in zip(names, pairs["first"], pairs["second"], strict=True):
        colour = CHANGE_COLOURS["up" if b > a else ("down" if b < a else "same")]
        ax.plot([0, 1], [a, b], marker="o", color=colour)
        ax.text(1.04, b, f"{name} ({b - a:+d})" if float(a).is_integer() else name,
                va="center", fontsize=8)
    first, second = change.rounds
    ax.set_xticks([0, 1], [f"round {first}", f"round {second}"])
    ax.set_xlim(-0.15, 1.45)
    pad = max(3.0, 0.1 * (hi - lo))
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel(change.value)
    if title:
        ax.set_title(title)
    diff = pairs["second"] - pairs["first"]
    moves = [f"{name} {a:g} to {b:g}" for name, a, b in zip(names, pairs["first"], pairs["second"],
                                                            strict=True)]
    describe(ax, f"Slope plot of the {change.value} of {len(pairs)} units in round {first} and round "
                 f"{second}: {int((diff > 0).sum())} rose, {int((diff < 0).sum())} fell, "
                 f"{int((diff == 0).sum())} stayed level; {listing(moves)}")
    return ax

"""Figures of qualitative studies, drawn from the tables :mod:`ipsresearch.qualitative` returns.

Import them from :mod:`ipsresearch.figures`. Every function takes the tidy
frame an analysis function returned and an optional matplotlib ``Axes`` and
returns the ``Axes`` it drew on; no number is typed in.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ipsresearch.figures._style import axes, describe, listing, role_colours

__all__ = ["plot_attributions", "plot_cooccurrence", "plot_theme_by_role"]


def _wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def plot_cooccurrence(
    cooc: pd.DataFrame,
    *,
    value: str = "units",
    cmap: str = "Blues",
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Heatmap of code co-occurrence, annotated with the values.

    Parameters
    ----------
    cooc : pandas.DataFrame
        Output of :func:`ipsresearch.qualitative.cooccurrence`.
    value : {"units", "jaccard"}
        Which measure to show.
    cmap : str
        Matplotlib colour map.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default: growing with the number of codes).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The matrix as an image, each cell annotated with its value, and a
        colour bar beside it.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import qualitative
    >>> seg = pd.DataFrame({"respondent": ["a", "a", "b"], "theme": ["x", "y", "x"]})
    >>> ax = plot_cooccurrence(qualitative.cooccurrence(seg))
    >>> ax.images[0].get_array().tolist()
    [[2.0, 1.0], [1.0, 1.0]]
    """
    matrix = cooc.pivot(index="code_a", columns="code_b", values=value)
    n = len(matrix)
    ax = axes(ax, figsize or (1.3 * n + 3.2, 1.0 * n + 1.6), spines=())
    data = matrix.to_numpy(dtype=float)
    image = ax.imshow(data, cmap=cmap, vmin=0)
    top = np.nanmax(data) if np.isfinite(data).any() else 1.0
    for i in range(n):
        for j in range(n):
            v = data[i, j]
            text = f"{v:.2f}" if value == "jaccard" else f"{v:.0f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=9,
                    color="white" if v > 0.6 * top else "black")
    ax.set_xticks(range(n), [_wrap(c, 16) for c in matrix.columns], fontsize=8)
    ax.set_yticks(range(n), [_wrap(c) for c in matrix.index], fontsize=8)
    label = "units holding both codes" if value == "units" else "Jaccard index"
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label=label)
    if title:
        ax.set_title(title)
    off = [(matrix.index[i], matrix.columns[j], data[i, j]) for i in range(n) for j in range(n)
           if i < j and np.isfinite(data[i, j])]
    fmt = "{:.2f}" if value == "jaccard" else "{:.0f}"
    pair = (f"; the most frequent pair is {off[int(np.argmax([v for *_, v in off]))][0]} with "
            f"{off[int(np.argmax([v for *_, v in off]))][1]} ("
            f"{fmt.format(max(v for *_, v in off))})" if off else "")
    describe(ax, f"Heatmap of {n} codes by {n} codes, each cell the {label} ({fmt.format(np.nanmin(data))} "
                 f"to {fmt.format(np.nanmax(data))}), the diagonal each code's own reach{pair}")
    return ax


def plot_attributions(
    table: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Horizontal bars: attributions per respondent, coloured by role.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`ipsresearch.qualitative.attributions`.
    labels : dict, optional
        Display label of each role (e.g. ``{"ot_manager": "OT Manager"}``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 6.4 inches wide, 0.28 inch per respondent).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per respondent, the first on top, coloured by role
        (:func:`ipsresearch.figures.role_colours`).

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import qualitative
    >>> seg = pd.DataFrame({"respondent": ["R1", "R1", "R2"], "role": ["ot_manager"] * 3,
    ...                     "theme": ["a", "b", "a"], "quoted": [True, True, True]})
    >>> ax = plot_attributions(qualitative.attributions(seg), labels={"ot_manager": "OT Manager"})
    >>> [float(p.get_width()) for p in ax.patches[:2]], [t.get_text() for t in ax.get_yticklabels()]
    ([2.0, 1.0], ['OT Manager R1', 'OT Manager R2'])
    """
    labels = labels or {}
    ax = axes(ax, figsize or (6.4, 0.28 * len(table) + 1.4))
    colour = role_colours(sorted(set(table["role"])))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["attributions"], color=[colour[r] for r in table["role"]])
    ax.set_yticks(y, [f"{labels.get(r, r)} {c}" for r, c in zip(table["role"], table["respondent"],
                                                                 strict=True)], fontsize=8)
    for r, c in colour.items():
        ax.barh([np.nan], [0], color=c, label=labels.get(r, r))
    ax.legend(frameon=False, loc="lower right")
    ax.set_xlabel("attributions printed in the findings")
    ax.xaxis.get_major_locator().set_params(integer=True)
    if title:
        ax.set_title(title)
    top = table.sort_values("attributions", ascending=False, kind="stable").head(3)
    describe(ax, f"Bars of the attributions printed for each of {len(table)} respondents, coloured by "
                 f"role ({listing(labels.get(r, r) for r in colour)}): "
                 f"{int(table['attributions'].sum())} in all; most: "
                 + listing(f"{labels.get(r, r)} {c} {int(a)}" for r, c, a in
                           zip(top["role"], top["respondent"], top["attributions"], strict=True)))
    return ax


def plot_theme_by_role(
    cross: pd.DataFrame,
    *,
    theme: str = "theme",
    role: str = "role",
    labels: dict[str, str] | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Stacked horizontal bars: segments per theme, split by role.

    Parameters
    ----------
    cross : pandas.DataFrame
        Output of :func:`ipsresearch.qualitative.theme_by_role`.
    theme, role : str
        The column names passed to ``theme_by_role``.
    labels : dict, optional
        Display label of each role.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 7 inches wide, 0.55 inch per theme).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per theme (the first on top), a segment per role.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import qualitative
    >>> seg = pd.DataFrame({"role": ["ot_manager", "clinician", "ot_manager"], "theme": ["a", "a", "b"]})
    >>> ax = plot_theme_by_role(qualitative.theme_by_role(seg))
    >>> sorted(float(p.get_width()) for p in ax.patches)
    [0.0, 1.0, 1.0, 1.0]
    """
    labels = labels or {}
    wide = cross.pivot(index=theme, columns=role, values="segments").fillna(0)
    ax = axes(ax, figsize or (7.0, 0.55 * len(wide) + 1.5))
    y = np.arange(len(wide))[::-1]
    left = np.zeros(len(wide))
    colour = role_colours(wide.columns)
    for r in wide.columns:
        ax.barh(y, wide[r], left=left, color=colour[r], label=labels.get(r, r))
        left += wide[r].to_numpy(dtype=float)
    ax.set_yticks(y, [_wrap(t, 34) for t in wide.index], fontsize=8)
    ax.set_xlabel("coded segments")
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    per_theme = [f"{t} {int(total)} ("
                 + ", ".join(f"{labels.get(r, r)} {int(wide.loc[t, r])}" for r in wide.columns) + ")"
                 for t, total in wide.sum(axis=1).items()]
    describe(ax, f"Stacked bars of coded segments for {len(wide)} themes, split by "
                 f"{len(wide.columns)} roles: {listing(per_theme)}")
    return ax

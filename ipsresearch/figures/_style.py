"""The house style of every figure: colours and the ``ax=None`` helper.

Every colour a figure uses is named here, so that a group, a role or a
fidelity band has the same colour in every figure and a change of style is
one edit. :func:`axes` creates (or reuses) the Axes of a ``plot_*`` function
and applies the house style once, as statsmodels'
``graphics.utils.create_mpl_ax`` does; :func:`panels` lays out several Axes
side by side for a notebook that shows related figures together.

Every ``plot_*`` function also says in words what it drew (:func:`describe`:
what is plotted, how many groups, the headline values), read back by
:func:`description`; :func:`ipsresearch.report.tables.show_figure` makes it
the image's alt text, so a reader who cannot see a figure still gets its
content.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ipsresearch.schemas import ROLES

__all__ = [
    "BAND_COLOURS",
    "BAR_COLOUR",
    "BLUE",
    "GREY",
    "LIGHT_BLUE",
    "PAIR_COLOURS",
    "PALETTE",
    "ROLE_COLOURS",
    "WHITE",
    "axes",
    "band_colour",
    "describe",
    "description",
    "listing",
    "panels",
    "role_colours",
]

BLUE = "#1f4e79"
"""The house blue: point estimates, study squares, pooled diamonds, paid competitive jobs."""

LIGHT_BLUE = "#6b8fb5"
"""Interval lines drawn behind a :data:`BLUE` estimate."""

GREY = "#999999"
"""Reference lines (an overall rate, the null effect) and funnel limits."""

BAR_COLOUR = "#5b84b1"
"""Bars of counts (studies per country, per decade, per year)."""

PAIR_COLOURS = ("#c9a66b", "#5b84b1")
"""Two groups side by side (e.g. studies outside and inside a trial)."""

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c", "#595959")
"""Colours of successive groups (e.g. the sites of a Kaplan-Meier figure)."""

ROLE_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#a5a5a5",
                "#843c0c", "#0b8a8a", "#3b3838")
"""Colours of the roles of :data:`ipsresearch.schemas.ROLES`, in that order (see :func:`role_colours`)."""

BAND_COLOURS = {"not_ips": "#d7301f", "fair": "#fdae61", "good": "#a6d96a", "exemplary": "#1a9850",
                "unassigned": "#bbbbbb"}
"""Colour of each band of :data:`ipsresearch.fidelity.IPS25_BANDS` (others get a grey)."""

WORK_COLOURS = {"competitive": BLUE, "other": "#f4b183", "first_job": "#c00000",
                "follow_up": "#c8c8c8"}
"""Swimmer plot of job spells: paid competitive jobs, other work, first job, follow-up lane."""

REFERENCE_COLOURS = {"line": "#b5651d", "band": "#f2c14e"}
"""A user's own reference value drawn over a forest plot, and its interval."""

FUNNEL_FILL = "#e8eef5"
"""Inside of the funnel of a funnel plot."""

WHITE = "#ffffff"
"""Inside of an open marker (a study drawn apart from the others, e.g. one with inferred counts)."""

CHANGE_COLOURS = {"up": BLUE, "down": "#b00020", "same": "#666666"}
"""Lines of a slope plot that rise, fall or stay level between two rounds."""

PRISMA_COLOURS = {"edge": "#3a4a5a", "search": "#eef3f8", "stage": "#dbe8f4", "included": "#d7eedb",
                  "excluded": "#f6f6f6"}
"""Boxes and arrows of a PRISMA flow diagram."""


def role_colours(roles: Iterable[object]) -> dict[str, str]:
    """A colour per role, the same in every figure.

    A role's colour comes from its place in :data:`ipsresearch.schemas.ROLES`;
    other values follow, in sorted order.

    Examples
    --------
    >>> role_colours(["clinician", "employment_specialist"])
    {'clinician': '#3b3838', 'employment_specialist': '#1f4e79'}
    """
    roles = list(roles)
    others = sorted({str(r) for r in roles} - set(ROLES))
    order = [*ROLES, *others]
    return {r: ROLE_COLOURS[order.index(str(r)) % len(ROLE_COLOURS)] for r in roles}


def band_colour(band: str, i: int = 0):
    """Colour of a fidelity band: :data:`BAND_COLOURS`, or a grey for a band not listed there.

    Examples
    --------
    >>> band_colour("good")
    '#a6d96a'
    """
    return BAND_COLOURS.get(band, plt.get_cmap("Greys")(0.3 + 0.1 * (i % 5)))


def axes(
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    *,
    spines: Sequence[str] = ("top", "right"),
    layout: str | None = None,
) -> plt.Axes:
    """The Axes to draw on, with the house style applied.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
        It may be one of :func:`panels`.
    figsize : (float, float), optional
        Size of the new figure in inches (matplotlib's default when not
        given); ignored when ``ax`` is given.
    spines : sequence of str
        Spines to hide (default the top and right ones; ``()`` keeps all,
        e.g. for heatmaps and diagrams).
    layout : str, optional
        Layout engine of a new figure (``"tight"`` for figures whose labels
        would otherwise be cut).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = axes(figsize=(4, 3))
    >>> ax.figure.get_size_inches().tolist(), ax.spines["top"].get_visible()
    ([4.0, 3.0], False)
    >>> axes(ax, spines=("left",)) is ax
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout=layout)
    if spines:
        ax.spines[list(spines)].set_visible(False)
    return ax


def panels(
    ncols: int,
    nrows: int = 1,
    *,
    figsize: tuple[float, float] | None = None,
    sharex: bool = False,
    sharey: bool = False,
    tight: bool = False,
) -> np.ndarray:
    """A figure of ``nrows`` by ``ncols`` Axes, for ``plot_*`` functions to draw on (``ax=``).

    Parameters
    ----------
    ncols, nrows : int
        Panels across and down.
    figsize : (float, float), optional
        Size of the whole figure in inches.
    sharex, sharey : bool
        Share the x (or y) axis between panels.
    tight : bool
        Fit the panels and their labels into the figure (matplotlib's tight layout).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        Flat, in reading order; the figure is ``axes[0].figure``.

    Examples
    --------
    >>> axs = panels(3, figsize=(9, 3))
    >>> len(axs), axs[0].figure is axs[2].figure
    (3, True)
    """
    _, grid = plt.subplots(nrows, ncols, figsize=figsize, sharex=sharex, sharey=sharey,
                           layout="tight" if tight else None, squeeze=False)
    return grid.ravel()


_DESCRIPTION = "_ipsresearch_description"


def describe(ax: plt.Axes, text: str) -> plt.Axes:
    """Record in words what ``ax`` shows (for alt text); returns ``ax``.

    Examples
    --------
    >>> ax = describe(axes(), "Bars of 3 countries: SE 9, US 5 and NO 3.")
    >>> description(ax)
    'Bars of 3 countries: SE 9, US 5 and NO 3.'
    """
    text = " ".join(str(text).split())
    if text and text[-1] not in ".!?":
        text += "."
    setattr(ax, _DESCRIPTION, text)
    return ax


def description(figure) -> str:
    """What a figure shows, in words: the descriptions of its Axes, each after its title.

    Parameters
    ----------
    figure : Figure, Axes or array of Axes
        A figure drawn by ``plot_*`` functions (several panels are described
        one after another).

    Returns
    -------
    str
        Empty when nothing on the figure was described.

    Examples
    --------
    >>> axs = panels(2)
    >>> _ = describe(axs[0], "Left bars"); _ = describe(axs[1], "right dots")
    >>> axs[0].set_title("A"); description(axs)
    Text(0.5, 1.0, 'A')
    '2 panels. Panel 1, A: Left bars. Panel 2: right dots.'
    """
    if hasattr(figure, "savefig"):
        fig = figure
    elif hasattr(figure, "figure"):
        fig = figure.figure
    else:
        fig = np.asarray(figure, dtype=object).ravel()[0].figure
    parts = []
    for ax in fig.axes:
        text = getattr(ax, _DESCRIPTION, "")
        if text:
            title = next((t for loc in ("center", "left", "right")
                          if (t := ax.get_title(loc=loc).strip())), "")
            parts.append((title, text))
    if len(parts) == 1:
        title, text = parts[0]
        return f"{title}: {text}" if title else text
    return (f"{len(parts)} panels. " if parts else "") + " ".join(
        f"Panel {i}{', ' + title if title else ''}: {text}" for i, (title, text) in enumerate(parts, 1))


def listing(items: Iterable[str], *, limit: int = 6) -> str:
    """Items in a sentence: ``a, b and c``; beyond ``limit``, the first ones and how many more.

    Examples
    --------
    >>> listing(["A"]), listing(["A", "B", "C"]), listing("abcdefgh", limit=3)
    ('A', 'A, B and C', 'a, b and 6 more')
    """
    items = [str(i) for i in items]
    if len(items) > limit:
        return ", ".join(items[: limit - 1]) + f" and {len(items) - limit + 1} more"
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0] if items else "none"

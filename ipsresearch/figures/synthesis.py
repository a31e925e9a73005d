"""Figures of evidence synthesis: meta-analyses, screening flows and review tables.

Every function takes a result of :mod:`ipsresearch.synthesis` (never typed-in
numbers) and an optional matplotlib ``Axes``, and returns the ``Axes`` it drew
on. Import them from :mod:`ipsresearch.figures`.

- :func:`plot_forest` and :func:`plot_funnel` draw a
  :class:`~ipsresearch.synthesis.MetaAnalysisResult`. Every mark is a number
  of the result: study squares at ``studies["estimate"]`` with area
  proportional to ``studies["weight"]``, the diamond spanning ``ci_low`` to
  ``ci_high`` around ``estimate``, the prediction interval from ``pi_low`` to
  ``pi_high``.
- :func:`plot_prisma` draws the flow diagram of a
  :class:`~ipsresearch.synthesis.PrismaFlow`.
- :func:`plot_tally`, :func:`plot_roles` and :func:`plot_flags` draw the
  counts of a review's table of included studies
  (:func:`~ipsresearch.synthesis.tally`,
  :func:`~ipsresearch.synthesis.participants_by_role`) and its yes/no columns.
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.transforms import blended_transform_factory

from ipsresearch.figures._style import (
    BAR_COLOUR,
    BLUE,
    FUNNEL_FILL,
    GREY,
    LIGHT_BLUE,
    PAIR_COLOURS,
    PRISMA_COLOURS,
    REFERENCE_COLOURS,
    WHITE,
    axes,
    describe,
    listing,
)
from ipsresearch.schemas import SCREENING_STAGES
from ipsresearch.synthesis.meta import METHODS, MetaAnalysisResult
from ipsresearch.synthesis.screening import PrismaFlow
from ipsresearch.validation import check_choice

__all__ = ["plot_flags", "plot_forest", "plot_funnel", "plot_prisma", "plot_roles", "plot_tally"]

EXCLUSION_LABELS: dict[str, str] = {
    "identified": "Duplicates removed",
    "screened": "Excluded on title and abstract",
    "sought": "Full text not assessed",
    "assessed": "Full texts excluded",
}
"""Label of the exclusion box beside each stage of :func:`plot_prisma`."""


def _null(measure: str) -> float | None:
    return {"RR": 1.0, "OR": 1.0, "RD": 0.0}.get(measure)


def _fmt(x: float, measure: str) -> str:
    return f"{x:.1%}" if measure in ("PLO", "PFT") else f"{x:.2f}"


def plot_forest(
    result: MetaAnalysisResult,
    *,
    show_prediction: bool = True,
    show_counts: bool = True,
    reference: float | None = None,
    reference_label: str = "",
    reference_band: tuple[float, float] | None = None,
    sources: Mapping[str, str] | None = None,
    highlight: Collection[str] | None = None,
    highlight_label: str = "",
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Forest plot: one row per study, the pooled diamond and the prediction interval.

    Parameters
    ----------
    result : MetaAnalysisResult
        Output of :func:`ipsresearch.synthesis.meta_analysis`.
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
    sources : mapping of str to str, optional
        Study label -> where its numbers come from (e.g. the address its
        counts were read at), printed on a second line under the study's
        label. Every study of the result must have one.
    highlight : collection of str, optional
        Study labels drawn as open squares on dashed lines (e.g. trials
        whose counts are only inferred), so that they cannot be mistaken for
        the others.
    highlight_label : str
        Legend text for the highlighted studies (a legend is drawn only with it).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
        A new figure is sized to the number of studies.
    figsize : (float, float), optional
        Size of a new figure (default 8.6 inches wide, 0.32 inch per study;
        0.5 inch with ``sources``).
    title : str, optional
        Axes title (left-aligned).

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
    >>> ax = plot_forest(meta_analysis(trials, method="FE"))
    >>> ax.get_xscale()
    'log'
    """
    s = result.studies
    k_rows = len(s)
    names = s["study"].astype(str).tolist()
    if sources is not None:
        missing = [n for n in names if n not in sources]
        if missing:
            raise ValueError(f"sources has no entry for {', '.join(missing)}; give one per study")
    marked = {str(h) for h in highlight} if highlight is not None else set()
    if unknown := sorted(marked - set(names)):
        raise ValueError(f"highlight names {', '.join(unknown)}, which are not studies of the result")
    row_height = 0.5 if sources is not None else 0.32
    ax = axes(ax, figsize or (8.6, row_height * k_rows + 1.9), spines=("top", "right", "left"))
    two_arm = "events_treatment" in s.columns
    y = np.arange(k_rows, 0, -1, dtype=float) + 1.0  # first study on top; pooled at y = 1
    inc = s["included"].to_numpy(dtype=bool)
    est = s["estimate"].to_numpy(dtype=float)
    lo = s["ci_low"].to_numpy(dtype=float)
    hi = s["ci_high"].to_numpy(dtype=float)
    w = s["weight"].to_numpy(dtype=float)
    open_ = np.array([n in marked for n in names], dtype=bool)[inc]

    ax.hlines(y[inc], lo[inc], hi[inc], color=LIGHT_BLUE, linewidth=1.2, zorder=2,
              linestyles=["--" if m else "-" for m in open_])
    sizes = 400.0 * w[inc] / max(float(np.max(w[inc])), 1e-12) + 8.0
    ax.scatter(est[inc], y[inc], s=sizes, marker="s", zorder=3, label="study",
               facecolors=[WHITE if m else BLUE for m in open_], edgecolors=BLUE, linewidths=1.2)

    # pooled diamond and prediction interval
    h = 0.32
    diamond = Polygon([(result.ci_low, 1.0), (result.estimate, 1.0 + h),
                       (result.ci_high, 1.0), (result.estimate, 1.0 - h)],
                      closed=True, facecolor=BLUE, edgecolor=BLUE, zorder=4,
                      label=f"pooled ({result.method})")
    ax.add_patch(diamond)
    random = result.random_effects and result.k > 1  # FE, MH and Peto draw no prediction interval
    if show_prediction and random:
        ax.hlines(0.45, result.pi_low, result.pi_high, color=BLUE, linewidth=2.5, zorder=3,
                  label=f"{result.confidence:.0%} prediction interval")

    null = _null(result.measure)
    if null is not None:
        ax.axvline(null, color=GREY, linewidth=1, zorder=1)
    if reference is not None:
        if reference_band is not None:
            ax.axvspan(*reference_band, color=REFERENCE_COLOURS["band"], alpha=0.25, zorder=0)
        ax.axvline(reference, color=REFERENCE_COLOURS["line"], linestyle="--", linewidth=1.2, zorder=1)
        if reference_label:
            ax.text(reference, y[0] + 0.9, f" {reference_label}", color=REFERENCE_COLOURS["line"],
                    fontsize=8,
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
        if sources is not None:
            text += f"\n{sources[str(r['study'])]}"
        labels.append(text)
    ax.set_yticks([*y, 1.0], [*labels, f"Pooled, {METHODS[result.method]}"])
    ax.tick_params(axis="y", length=0)
    if sources is not None:
        for tick in ax.get_yticklabels()[:-1]:
            tick.set_fontsize(8)
            tick.set_linespacing(1.3)
    if highlight_label and open_.any():
        ax.scatter([], [], s=60, marker="s", facecolors=WHITE, edgecolors=BLUE, label=highlight_label)
        ax.legend(handles=ax.get_legend_handles_labels()[0][-1:], loc="upper right", fontsize=8,
                  frameon=False)

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
    if title:
        ax.set_title(title, loc="left")
    pred = (f", {result.confidence:.0%} prediction interval {_fmt(result.pi_low, result.measure)} to "
            f"{_fmt(result.pi_high, result.measure)}" if show_prediction and random else "")
    ref = (f"; a line marks {_fmt(reference, result.measure)}"
           + (f" ({reference_label})" if reference_label else "") if reference is not None else "")
    describe(ax, f"Forest plot of {k_rows} {'studies' if k_rows != 1 else 'study'}, each "
                 f"{result.label} with its {result.confidence:.0%} interval and a square sized by its "
                 f"weight, estimates from {_fmt(np.nanmin(est[inc]), result.measure)} to "
                 f"{_fmt(np.nanmax(est[inc]), result.measure)}; pooled ({result.method}) "
                 f"{_fmt(result.estimate, result.measure)}, {result.confidence:.0%} CI "
                 f"{_fmt(result.ci_low, result.measure)} to {_fmt(result.ci_high, result.measure)}"
                 f"{pred}; I² {result.i2:.0f}%{ref}")
    return ax


def plot_funnel(
    result: MetaAnalysisResult,
    *,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
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
        Output of :func:`ipsresearch.synthesis.meta_analysis`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 5.6 by 4.2 inches).
    title : str, optional
        Axes title (left-aligned).

    Returns
    -------
    matplotlib.axes.Axes
        One dot per pooled study at (effect, standard error), the funnel,
        and a line at the pooled effect.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch.synthesis import meta_analysis
    >>> trials = pd.DataFrame({"study": ["A", "B"], "events_treatment": [30, 44],
    ...     "n_treatment": [60, 102], "events_control": [14, 20], "n_control": [58, 98]})
    >>> ax = plot_funnel(meta_analysis(trials))
    >>> bool(ax.yaxis_inverted())
    True
    """
    from scipy import stats

    ax = axes(ax, figsize or (5.6, 4.2))
    s = result.studies[result.studies["included"]]
    y = s["effect"].to_numpy(dtype=float)
    se = np.sqrt(s["variance"].to_numpy(dtype=float))
    crit = float(stats.norm.isf((1 - result.confidence) / 2))
    top = float(np.max(se)) * 1.08
    grid = np.linspace(0.0, top, 50)
    ax.fill_betweenx(grid, result.effect - crit * grid, result.effect + crit * grid,
                     color=FUNNEL_FILL, zorder=0)
    ax.plot(result.effect - crit * grid, grid, color=GREY, linestyle="--", linewidth=1)
    ax.plot(result.effect + crit * grid, grid, color=GREY, linestyle="--", linewidth=1)
    ax.axvline(result.effect, color=BLUE, linewidth=1)
    ax.scatter(y, se, color=BLUE, edgecolor="white", zorder=3)
    if _null(result.measure) is not None:  # no effect is 0 on the log-ratio and difference scales
        ax.axvline(0.0, color=GREY, linewidth=0.8, linestyle=":")
    ax.set_ylim(top, 0.0)
    ax.set_xlabel(result.scale)
    ax.set_ylabel("standard error")
    if title:
        ax.set_title(title, loc="left")
    inside = int(np.sum(np.abs(y - result.effect) <= crit * se))
    describe(ax, f"Funnel plot of {len(y)} studies, each {result.scale} against its standard error "
                 f"(larger errors lower down), around the pooled value {result.effect:.2f} with "
                 f"{result.confidence:.0%} limits; {inside} of {len(y)} studies inside the funnel, "
                 f"{int(np.sum(y < result.effect))} left and {int(np.sum(y > result.effect))} right "
                 f"of the pooled value")
    return ax


def plot_prisma(
    flow: PrismaFlow,
    *,
    group_labels: Mapping[str, str] | None = None,
    show_reasons: bool = True,
    wrap: int = 34,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Draw a PRISMA-style flow diagram from the counts of :func:`~ipsresearch.synthesis.prisma_flow`.

    Every number in the diagram is read from ``flow``; nothing is typed in.
    With a flow counted ``by`` search, the top row has one box per search.
    When no record stopped at ``identified`` (the log starts after
    duplicates were removed), the identification stage is not drawn as a
    separate box, so that no "0 duplicates" is claimed.

    Parameters
    ----------
    flow : PrismaFlow
        Output of :func:`ipsresearch.synthesis.prisma_flow`.
    group_labels : mapping, optional
        Group value -> label for the identification boxes (e.g.
        ``{"search_1": "Search to June 2018"}``).
    show_reasons : bool
        List the reasons for exclusion in the exclusion boxes.
    wrap : int
        Characters per line in the boxes.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
        A new figure is sized to the diagram.
    figsize : (float, float), optional
        Size of a new figure (default 9.5 inches wide, as tall as the boxes need).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The boxes' texts are ``ax.texts`` (tests read the drawn numbers there).

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch.synthesis import prisma_flow
    >>> log = pd.DataFrame({"record_id": ["r1", "r2"], "search": ["s"] * 2, "search_date": [None] * 2,
    ...     "source": ["database"] * 2, "stage_reached": ["screened", "included"],
    ...     "reason": ["off topic", None]})
    >>> ax = plot_prisma(prisma_flow(log))
    >>> [t.get_text().replace("\\n", " ") for t in ax.texts][-1]
    'Studies included (n = 1)'
    """
    counts = flow.counts.set_index("stage")
    groups = flow.groups()
    dedup = counts.loc["identified", "excluded"] > 0
    main = [s for s in SCREENING_STAGES if s != "identified" or dedup]
    reasons = flow.reasons
    main_x, main_w, side_x, side_w, line_h = 2.9, 4.6, 8.9, 5.6, 0.27

    def wrapped(text: str, width: int) -> list[str]:
        return textwrap.wrap(text, width) or [""]

    def main_text(stage: str) -> str:
        text = counts.loc[stage, "label"]
        if stage == "identified" and groups:
            text = "Records from all searches"
        return "\n".join(wrapped(text, wrap)) + f"\n(n = {int(counts.loc[stage, 'reached'])})"

    def side_text(stage: str) -> str:
        n_out = int(counts.loc[stage, "excluded"])
        lines = wrapped(f"{EXCLUSION_LABELS[stage]} (n = {n_out})", wrap + 8)
        if show_reasons and n_out:
            for _, r in reasons[reasons["stage"] == stage].iterrows():
                lines += textwrap.wrap(f"{r['reason']}: {r['n']}", wrap + 6,
                                       initial_indent="• ", subsequent_indent="   ")
        return "\n".join(lines)

    def height(text: str) -> float:
        return max(0.9, line_h * (text.count("\n") + 1) + 0.3)

    # layout: one row per stage; the gap below a stage fits its exclusion box
    rows: list[tuple[str, float, float]] = []  # (stage, y, box height)
    y = 0.0
    for i, stage in enumerate(main):
        h = height(main_text(stage))
        rows.append((stage, y, h))
        if i < len(main) - 1:
            gap = max(0.8, height(side_text(stage)) + 0.3)
            y -= h / 2 + gap + height(main_text(main[i + 1])) / 2
    names = group_labels or {}
    k = len(groups)
    width = min(main_w, 11.6 / k - 0.3) if k else main_w
    group_texts = [
        "\n".join(wrapped(f"{names.get(g, g)}: records identified", int(wrap * width / main_w)))
        + f"\n(n = {flow.n('identified', group=g)})" for g in groups]
    group_h = max((height(t) for t in group_texts), default=0.0)
    bottom = rows[-1][1] - rows[-1][2] / 2
    top = rows[0][2] / 2 + (0.9 + group_h if groups else 0.0)
    ax = axes(ax, figsize or (9.5, 0.62 * (top - bottom) + 0.6), spines=())
    ax.set_xlim(0, 12)
    ax.set_ylim(bottom - 0.15, top + 0.15)
    ax.axis("off")

    def box(x, y, w, h, text, face, align="center"):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04",
                                    facecolor=face, edgecolor=PRISMA_COLOURS["edge"], linewidth=1))
        tx = x if align == "center" else x - w / 2 + 0.15
        ax.text(tx, y, text, ha=align, va="center", fontsize=8.5, linespacing=1.25)

    def arrow(x0, y0, x1, y1):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
                                     color=PRISMA_COLOURS["edge"], linewidth=1))

    first_y, first_h = rows[0][1], rows[0][2]
    xs = [0.2 + width / 2 + j * (width + 0.3) for j in range(k)]
    for x, text in zip(xs, group_texts, strict=True):
        gy = first_y + first_h / 2 + 0.9 + group_h / 2
        box(x, gy, width, group_h, text, PRISMA_COLOURS["search"])
        arrow(x, gy - group_h / 2, main_x, first_y + first_h / 2 + 0.04)
    for i, (stage, y, h) in enumerate(rows):
        box(main_x, y, main_w, h, main_text(stage),
            PRISMA_COLOURS["included" if stage == SCREENING_STAGES[-1] else "stage"])
        if i < len(rows) - 1:
            _, y_next, h_next = rows[i + 1]
            top, low = y - h / 2, y_next + h_next / 2
            arrow(main_x, top, main_x, low + 0.04)
            text = side_text(stage)
            mid = (top + low) / 2
            box(side_x, mid, side_w, height(text), text, PRISMA_COLOURS["excluded"], align="left")
            ax.plot([main_x, side_x - side_w / 2 - 0.05], [mid, mid], color=PRISMA_COLOURS["edge"],
                    linewidth=1)
    if title:
        ax.set_title(title, fontsize=11)
    steps = [f"{counts.loc[st, 'label'] if 'label' in counts else st} {flow.n(st)}" for st in main]
    searches = [f"{names.get(g, g)} {flow.n('identified', group=g)}" for g in groups]
    per_group = f"; records identified by search: {listing(searches)}" if groups else ""
    describe(ax, f"Flow diagram of the screening, {len(main)} stages from top to bottom, each box "
                 f"counting the records that reached it, with the exclusions beside: "
                 f"{listing(steps, limit=8)}{per_group}")
    return ax


def plot_tally(
    tally: pd.DataFrame,
    *,
    by: str | None = None,
    value: str = "n_studies",
    orient: str = "h",
    unit: str = "studies",
    missing: str = "not printed",
    tick_step: int | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Bars of a review table's counts: studies per country, per kind of study, per year.

    Parameters
    ----------
    tally : pandas.DataFrame
        Output of :func:`ipsresearch.synthesis.tally` (``<by>, n_studies, share``).
    by : str, optional
        The counted column (default: the first column of ``tally``).
    value : str
        Column of the bar lengths.
    orient : {"h", "v"}
        ``"h"``: one horizontal bar per value, in the order of ``tally``
        (the largest count on top); ``"v"``: vertical bars at numeric
        values such as years.
    unit : str
        Label of the count axis (e.g. ``"papers"``).
    missing : str
        Label of the group of studies with no value (horizontal bars).
    tick_step : int, optional
        Vertical bars: a tick every ``tick_step`` values from the smallest
        (default: every value up to 8 steps, then a step that keeps it to 8).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
        A panel of :func:`ipsresearch.figures.panels`, for figures side by side.
    figsize : (float, float), optional
        Size of a new figure.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per row of ``tally``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch.synthesis import tally
    >>> studies = pd.DataFrame({"country": ["SE", "US", "SE", None], "year": [2001, 2005, 2005, 2009]})
    >>> ax = plot_tally(tally(studies, by="country"))
    >>> [t.get_text() for t in ax.get_yticklabels()], [float(p.get_width()) for p in ax.patches]
    (['SE', 'US', 'not printed'], [2.0, 1.0, 1.0])
    >>> ax = plot_tally(tally(studies, by="year"), orient="v", unit="papers")
    >>> ax.get_xticks().tolist(), ax.get_ylabel()
    ([2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009], 'papers')
    """
    check_choice("orient", orient, ("h", "v"))  # before a figure is made
    by = str(tally.columns[0]) if by is None else by
    counts = tally[value].to_numpy()
    ax = axes(ax, figsize)
    if orient == "h":
        labels = tally[by].astype(object).where(tally[by].notna(), missing).astype(str)
        ax.barh(labels, counts, color=BAR_COLOUR)
        ax.invert_yaxis()
        ax.set_xlabel(unit)
    elif orient == "v":
        x = pd.to_numeric(tally[by], errors="raise")
        first, last = int(x.min()), int(x.max())
        step = tick_step or max(1, -(-(last - first) // 8))
        ax.bar(x, counts, color=BAR_COLOUR)
        ax.set_xticks(range(first, last + 1, step))
        top = int(counts.max()) if len(counts) else 0
        ax.set_yticks(range(0, top + 1, max(1, -(-(top + 1) // 10))))
        ax.set_ylabel(unit)
    if title:
        ax.set_title(title)
    names = tally[by].astype(object).where(tally[by].notna(), missing).astype(str)
    pairs = [f"{v} {int(c)}" for v, c in zip(names, counts, strict=True)]
    if orient == "v":
        describe(ax, f"Bars of {unit} per {str(by).replace('_', ' ')}, {len(tally)} values from "
                     f"{names.iloc[0]} to {names.iloc[-1]}, {int(counts.sum())} {unit} in all; "
                     f"highest: {names.iloc[int(np.argmax(counts))]} ({int(counts.max())})")
    else:
        describe(ax, f"Bars of {unit} per {str(by).replace('_', ' ')}, {len(tally)} values, "
                     f"{int(counts.sum())} {unit} in all: {listing(pairs, limit=8)}")
    return ax


def plot_roles(
    roles: pd.DataFrame,
    *,
    by: str,
    value: str = "participants",
    order: Sequence[str] | None = None,
    stacked: bool = False,
    colours: Sequence[str] | None = None,
    legend_title: str | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Participants per actor group, split by a study characteristic (bars drawn by pandas).

    Parameters
    ----------
    roles : pandas.DataFrame
        Output of :func:`ipsresearch.synthesis.participants_by_role` with
        ``by`` (``<by>, role, n_studies, participants``).
    by : str
        The characteristic (e.g. ``"part_of_rct"``, ``"country"``).
    value : str
        Column of the bar lengths.
    order : sequence of str, optional
        Roles in the order to show them (default: as sorted by pandas).
    stacked : bool
        ``False``: one row per role, from the top in ``order``, with a bar
        per value of ``by`` side by side. ``True``: one row per value of
        ``by`` (sorted, from the bottom), with a segment per role.
    colours : sequence of str, optional
        Colours of the bars; default :data:`ipsresearch.figures.PAIR_COLOURS`
        for two groups side by side, else the ``tab10`` colour map.
    legend_title : str, optional
        Title of the legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
        A panel of :func:`ipsresearch.figures.panels`, for figures side by side.
    figsize : (float, float), optional
        Size of a new figure.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One bar (or segment) per role and value of ``by``.

    Examples
    --------
    >>> import pandas as pd
    >>> roles = pd.DataFrame({"rct": [False, False, True, True], "role": ["worker", "clinician"] * 2,
    ...                       "n_studies": [1, 1, 1, 1], "participants": [5, 0, 7, 2]})
    >>> ax = plot_roles(roles, by="rct", order=["worker", "clinician"])
    >>> [t.get_text() for t in ax.get_yticklabels()], [float(p.get_width()) for p in ax.patches]
    (['worker', 'clinician'], [5.0, 0.0, 7.0, 2.0])
    """
    wide = roles.pivot(index="role", columns=by, values=value)
    if order is not None:
        wide = wide.loc[list(order)]
    if stacked:
        wide = wide.T
    ax = axes(ax, figsize or (6.4, 0.4 * len(wide) + 1.4))
    if colours is None and not stacked and wide.shape[1] == 2:
        colours = PAIR_COLOURS
    style = {"color": list(colours)} if colours is not None else {"colormap": "tab10"}
    wide.plot.barh(ax=ax, stacked=stacked, **style)
    if title:
        ax.set_title(title)
    ax.set_xlabel(value)
    if not stacked:
        ax.invert_yaxis()
    ax.legend(title=legend_title, frameon=False, fontsize=8 if stacked else None)
    totals = roles.groupby("role", sort=False)[value].sum()
    if order is not None:
        totals = totals.reindex(list(order))
    split = wide.columns if not stacked else wide.index
    per_role = [f"{str(r).replace('_', ' ')} {int(v)}" for r, v in totals.items()]
    describe(ax, f"{'Stacked bars' if stacked else 'Bars'} of {value} by role and "
                 f"{legend_title or str(by).replace('_', ' ')} ({len(split)} "
                 f"{'values' if len(split) != 1 else 'value'}: {listing(map(str, split))}); "
                 f"totals per role: {listing(per_role)}")
    return ax


def plot_flags(
    table: pd.DataFrame,
    *,
    columns: Sequence[str],
    label: str,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """A grid of yes/no columns: one row per study, a filled cell where the column is true.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per study with boolean (or 0/1) ``columns``.
    columns : sequence of str
        The yes/no columns, in the order of the grid's columns.
    label : str
        Column naming each row (e.g. ``"paper_id"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
        A new figure has a tight layout.
    figsize : (float, float), optional
        Size of a new figure.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The 0/1 grid as an image (rows in the order of ``table``).

    Examples
    --------
    >>> import pandas as pd
    >>> papers = pd.DataFrame({"paper_id": ["a", "b"], "uses_theory": [True, False],
    ...                        "fidelity_study": [True, True]})
    >>> ax = plot_flags(papers, columns=["uses_theory", "fidelity_study"], label="paper_id")
    >>> ax.images[0].get_array().tolist(), [t.get_text() for t in ax.get_xticklabels()]
    ([[1, 1], [0, 1]], ['uses theory', 'fidelity study'])
    """
    columns = list(columns)
    grid = table.set_index(label)[columns].astype(int)
    ax = axes(ax, figsize or (8, 0.2 * len(grid) + 1.3), spines=(), layout="tight")
    ax.imshow(grid.to_numpy(), cmap="Blues", aspect="auto", vmin=0, vmax=1.4)
    ax.set_xticks(range(len(columns)), [c.replace("_", " ") for c in columns], rotation=30, ha="right")
    ax.set_yticks(range(len(grid)), grid.index)
    if title:
        ax.set_title(title)
    per_column = [f"{c.replace('_', ' ')} {int(grid[c].sum())}" for c in columns]
    describe(ax, f"Grid of {len(grid)} rows by {len(columns)} yes/no columns, a filled cell where "
                 f"the column holds; rows marked per column: {listing(per_column, limit=8)}")
    return ax

"""Figures of employment outcomes, drawn from computed results.

:func:`plot_rates` draws placement rates with their intervals from
:func:`ipsresearch.outcomes.placement_rate`; :func:`plot_survival` draws
Kaplan-Meier curves with their pointwise bands, censoring marks and a
number-at-risk table from a :class:`ipsresearch.outcomes.SurvivalResult`;
:func:`plot_spells` draws a swimmer plot from
:func:`ipsresearch.outcomes.spell_timeline`. Import them from
:mod:`ipsresearch.figures`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ipsresearch._arrays import group_rows
from ipsresearch.figures._style import (
    BLUE,
    GREY,
    LIGHT_BLUE,
    PALETTE,
    WORK_COLOURS,
    axes,
    describe,
    listing,
)
from ipsresearch.outcomes import SurvivalResult

__all__ = ["plot_rates", "plot_spells", "plot_survival"]


def plot_rates(
    rates: pd.DataFrame,
    *,
    label: str,
    reference: float | None = None,
    reference_label: str = "",
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
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
    reference : float, optional
        Draw a vertical reference line at this rate (e.g. the overall rate).
    reference_label : str
        Legend text of the reference line (no legend when empty).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default: 6.4 inches wide, half an inch per row).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        One error bar per row, the first row on top, labelled
        ``"<label> (<events>/<n>)"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import outcomes
    >>> people = pd.DataFrame({"site": ["A", "A", "B"], "employed": [True, False, True]})
    >>> ax = plot_rates(outcomes.placement_rate(people, outcome="employed", by="site"), label="site")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A (1/2)', 'B (1/1)']
    """
    ax = axes(ax, figsize or (6.4, 0.5 * len(rates) + 1.4))
    y = np.arange(len(rates))[::-1]
    ax.errorbar(rates["rate"], y,
                xerr=[rates["rate"] - rates["ci_low"], rates["ci_high"] - rates["rate"]],
                fmt="o", color=BLUE, ecolor=LIGHT_BLUE, capsize=3)
    ax.set_yticks(y, [f"{lab} ({e}/{n})" for lab, e, n in
                      zip(rates[label].astype(str), rates["events"], rates["n"], strict=True)])
    if reference is not None:
        ax.axvline(reference, color=GREY, linestyle="--", linewidth=1, label=reference_label)
        if reference_label:
            ax.legend(loc="lower right", frameon=False)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    method = rates["method"].iloc[0] if "method" in rates else ""
    conf = rates["confidence"].iloc[0] if "confidence" in rates else 0.95
    ax.set_xlabel(f"share with the outcome ({conf:.0%} {method} interval)")
    if title:
        ax.set_title(title)
    rows = [f"{lab} {r:.0%} ({e} of {n})" for lab, r, e, n in
            zip(rates[label].astype(str), rates["rate"], rates["events"], rates["n"], strict=True)]
    ref = (f"; a dashed line marks {reference:.0%}" + (f" ({reference_label})" if reference_label else "")
           if reference is not None else "")
    describe(ax, f"Dot plot of the share with the outcome and its {conf:.0%} {method} interval for "
                 f"{len(rates)} rows by {label}: {listing(rows)}{ref}")
    return ax


def _groups(result: SurvivalResult) -> list[tuple[tuple, str]]:
    by = list(result.by)
    if not by:
        return [((), "all")]
    keys = result.table[by].drop_duplicates()
    return [(tuple(row), ", ".join(map(str, row))) for row in keys.itertuples(index=False)]


CENSOR_MARK_BINS = 100
"""Censoring ticks of one curve are drawn at most once per this fraction of the time axis."""


def _thinned(times: np.ndarray, t_max: float) -> np.ndarray:
    """The first of ``times`` in each of :data:`CENSOR_MARK_BINS` equal bins of ``[0, t_max]``.

    Examples
    --------
    >>> _thinned(np.array([5.0, 1.0, 1.0, 1.1, 25.0, 600.0]), 1000.0).tolist()
    [1.0, 25.0, 600.0]
    """
    if times.size == 0 or t_max <= 0:
        return times
    times = np.sort(times)
    bins = np.minimum(np.floor(times * (CENSOR_MARK_BINS / t_max)), CENSOR_MARK_BINS - 1)
    _, first = np.unique(bins, return_index=True)
    return times[first]


CURVE_STEPS = 400
"""A curve with more steps than this is drawn with the last step of each 1/CURVE_STEPS of the time axis."""


def _drawn(curve: pd.DataFrame, t_max: float) -> pd.DataFrame:
    """The rows of a Kaplan-Meier ``curve`` to draw: all of them, or with more than
    :data:`CURVE_STEPS` the last row of each of :data:`CURVE_STEPS` equal bins of
    ``[0, t_max]`` (each drawn point is a point of the curve; a step moves by less
    than one bin, below what a page shows).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"time": np.arange(1.0, 2001.0), "survival": np.linspace(1, 0.2, 2000)})
    >>> d = _drawn(c, 2000.0)
    >>> len(d), float(d["time"].iloc[0]), float(d["time"].iloc[-1])
    (400, 4.0, 2000.0)
    """
    if len(curve) <= CURVE_STEPS or t_max <= 0:
        return curve
    t = curve["time"].to_numpy(dtype=float)
    bins = np.minimum(np.floor(t * (CURVE_STEPS / t_max)), CURVE_STEPS - 1)
    return curve.iloc[np.flatnonzero(np.r_[bins[1:] != bins[:-1], True])]


def plot_survival(
    result: SurvivalResult,
    *,
    complement: bool = False,
    risk_times: Sequence[float] | None = None,
    max_time: float | None = None,
    bands: bool = True,
    censor_marks: bool = True,
    horizons: Sequence[float] = (),
    xlabel: str = "days",
    ylabel: str | None = None,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Kaplan-Meier curves with pointwise bands and a number-at-risk table.

    Parameters
    ----------
    result : SurvivalResult
        From :func:`ipsresearch.outcomes.kaplan_meier`,
        :func:`~ipsresearch.outcomes.time_to_first_job` or similar. The
        ``"All"`` curve of ``overall=True`` is drawn like any group.
    complement : bool
        Draw 1 - S rising from 0 (e.g. the share who found a job) instead of S.
    risk_times : sequence of float, optional
        Times for the number-at-risk table (default: the x tick positions).
    max_time : float, optional
        Right end of the x axis (default: the longest observed time).
    bands, censor_marks : bool
        Draw the pointwise intervals and a tick at each censored time (at most
        one tick per 1/:data:`CENSOR_MARK_BINS` of the time axis, so that a
        registry's thousands of censored records stay a few hundred ticks
        that look the same; each tick is at a censored time). A curve of more
        than :data:`CURVE_STEPS` steps is drawn by the last step in each
        1/:data:`CURVE_STEPS` of the axis (its band likewise).
    horizons : sequence of float
        Times to mark with a dotted vertical line (e.g. the horizons of a
        retention table).
    xlabel, ylabel : str, optional
        Axis labels (``ylabel`` defaults to the share with, or without, the event).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
        A panel of :func:`ipsresearch.figures.panels`, for figures side by side.
    figsize : (float, float), optional
        Size of a new figure (default 7.2 by 4.2 inches).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The curves' axes; the number-at-risk table is written below it.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import outcomes
    >>> km = outcomes.kaplan_meier(pd.DataFrame({"days": [5, 9, 9, 20], "ended": [1, 1, 0, 0]}))
    >>> ax = plot_survival(km)
    >>> ax.lines[0].get_ydata().tolist()  # drawn from km.curve: 1, then S at days 5 and 9
    [1.0, 0.75, 0.5, 0.5]
    """
    ax = axes(ax, figsize or (7.2, 4.2))
    by = list(result.by)
    groups = _groups(result)
    t_all = result.data[result.duration].to_numpy(dtype=float)
    t_max = float(max_time if max_time is not None else t_all.max())
    flip = (lambda v: 1.0 - np.asarray(v, dtype=float)) if complement else \
        (lambda v: np.asarray(v, dtype=float))
    for k, (key, label) in enumerate(groups):
        colour = PALETTE[k % len(PALETTE)]
        full = group_rows(result.curve, by, key)
        full = full[full["time"] <= t_max]
        c = _drawn(full, t_max)
        x = np.concatenate([[0.0], c["time"].to_numpy(dtype=float), [t_max]])
        s = np.concatenate([[1.0], c["survival"].to_numpy(dtype=float)])
        y = flip(np.concatenate([s, s[-1:]]))
        n = int(group_rows(result.table, by, key)["n"].iloc[0])
        ax.step(x, y, where="post", color=colour, linewidth=1.6, label=f"{label} (n={n})")
        if bands:
            lo = np.concatenate([[1.0], c["ci_low"].to_numpy(dtype=float)])
            hi = np.concatenate([[1.0], c["ci_high"].to_numpy(dtype=float)])
            lo, hi = np.concatenate([lo, lo[-1:]]), np.concatenate([hi, hi[-1:]])
            if complement:
                lo, hi = 1.0 - hi, 1.0 - lo
            ax.fill_between(x, lo, hi, step="post", color=colour, alpha=0.15, linewidth=0)
        if censor_marks:
            d = result.subjects(key)
            cens = d.loc[~d[result.event].to_numpy(dtype=bool), result.duration].to_numpy(dtype=float)
            cens = _thinned(cens[cens <= t_max], t_max)
            if cens.size:
                idx = np.searchsorted(full["time"].to_numpy(dtype=float), cens, side="right") - 1
                sv = np.where(idx < 0, 1.0,
                              full["survival"].to_numpy(dtype=float)[np.clip(idx, 0, None)]
                              if len(full) else 1.0)
                ax.plot(cens, flip(sv), linestyle="none", marker="|", markersize=7,
                        color=colour, alpha=0.8)
    ax.set_xlim(0, t_max)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(xlabel)
    default_y = "share with the event" if complement else "share without the event"
    ax.set_ylabel(default_y if ylabel is None else ylabel)
    if title:
        ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    band = f"{result.confidence:.0%} pointwise interval ({result.ci_transform})"
    if bands:
        handles.append(Patch(color=GREY, alpha=0.3))
        labels.append(band)
    if censor_marks:
        handles.append(Line2D([], [], marker="|", linestyle="none", color="#555555", markersize=7))
        labels.append("censored")
    ax.legend(handles, labels, frameon=False, fontsize=8, loc="best")

    # number-at-risk table under the axis, from result.number_at_risk
    ticks = [t for t in (risk_times if risk_times is not None else ax.get_xticks()) if 0 <= t <= t_max]
    ax.set_xticks(ticks)
    risk = result.number_at_risk(ticks)
    trans = ax.get_xaxis_transform()
    top = -0.22
    ax.text(0, top, "number at risk", transform=ax.transAxes, fontsize=8, fontweight="bold",
            ha="left", va="top")
    for k, (key, label) in enumerate(groups):
        row = group_rows(risk, by, key)
        y = top - 0.075 * (k + 1)
        ax.text(-0.04, y, label, transform=ax.transAxes, fontsize=8, ha="right", va="top",
                color=PALETTE[k % len(PALETTE)])
        for t, n in zip(row["time"], row["n_at_risk"], strict=True):
            ax.text(t, y, str(int(n)), transform=trans, fontsize=8, ha="center", va="top",
                    color=PALETTE[k % len(PALETTE)])
    for h in horizons:
        ax.axvline(h, color="#bbbbbb", linewidth=0.8, linestyle=":")
    ends = []
    for key, label in groups:
        c = group_rows(result.curve, by, key)
        c = c[c["time"] <= t_max]
        last = float(c["survival"].iloc[-1]) if len(c) else 1.0
        ends.append(f"{label} {float(flip([last])[0]):.0%}")
    what = (ylabel or default_y).strip() or default_y
    describe(ax, f"Kaplan-Meier {'curves' if len(groups) > 1 else 'curve'} of the {what} against "
                 f"{xlabel}, {len(groups)} {'groups' if len(groups) > 1 else 'group'}, with "
                 f"{'pointwise intervals, ' if bands else ''}censoring ticks and the number at risk "
                 f"below; at day {t_max:g}: {listing(ends)}")
    return ax


def plot_spells(
    timeline: pd.DataFrame,
    *,
    xlabel: str = "days since enrolment",
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Swimmer plot: one lane per participant, job spells as bars.

    Parameters
    ----------
    timeline : pandas.DataFrame
        From :func:`ipsresearch.outcomes.spell_timeline`, in its order (by
        site, then by day of the first paid competitive job).
    xlabel : str
        Label of the time axis.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; without it, a new figure. The Axes drawn on is returned.
    figsize : (float, float), optional
        Size of a new figure (default 7.2 inches wide, 0.13 inch per participant).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The thin grey line is each person's follow-up; dark bars are paid
    competitive jobs, light bars other work (sheltered, volunteer, unpaid
    trials); a triangle marks a job still running at follow-up end, a dot the
    start of the first paid competitive job.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import outcomes
    >>> people = pd.DataFrame({"participant_id": ["a", "b"], "site": ["X", "Y"],
    ...     "enrolment_date": ["2016-01-01"] * 2, "follow_up_end": ["2016-12-31"] * 2})
    >>> jobs = pd.DataFrame({"spell_id": ["1"], "participant_id": ["b"],
    ...     "start_date": ["2016-03-01"], "end_date": ["2016-05-01"],
    ...     "job_type": ["competitive"], "paid": [True]})
    >>> ax = plot_spells(outcomes.spell_timeline(people, jobs))
    >>> round(ax.patches[0].get_x()), round(ax.patches[0].get_width())  # day 60, 62 days
    (60, 62)
    """
    lanes = timeline.drop_duplicates("participant_id")[["participant_id", "site", "follow_up_days",
                                                        "first_job_day"]]
    n = len(lanes)
    ax = axes(ax, figsize or (7.2, max(2.5, 0.13 * n + 1.2)), spines=("top", "right", "left"))
    lane_of = pd.Series(np.arange(n)[::-1], index=lanes["participant_id"].to_numpy())
    y_lane = lane_of.to_numpy()
    ax.hlines(y_lane, 0, lanes["follow_up_days"].to_numpy(dtype=float), color=WORK_COLOURS["follow_up"],
              linewidth=0.8)
    spells = timeline.dropna(subset=["start_day"])
    y = lane_of.reindex(spells["participant_id"]).to_numpy()
    comp = spells["competitive"].astype(bool).to_numpy()
    width = (spells["end_day"] - spells["start_day"] + 1).to_numpy(dtype=float)
    for mask, colour in ((comp, WORK_COLOURS["competitive"]), (~comp, WORK_COLOURS["other"])):
        ax.barh(y[mask], width[mask], left=spells["start_day"].to_numpy(dtype=float)[mask],
                height=0.6, color=colour, linewidth=0)
    run = spells["ongoing"].astype(bool).to_numpy()
    ax.plot(spells["end_day"].to_numpy(dtype=float)[run], y[run], linestyle="none", marker=">",
            markersize=4, color=WORK_COLOURS["competitive"])
    first = lanes["first_job_day"].to_numpy(dtype=float)
    has = ~np.isnan(first)
    ax.plot(first[has], y_lane[has], linestyle="none", marker="o", markersize=3,
            color=WORK_COLOURS["first_job"])
    # site blocks
    sites = lanes["site"].astype(str).to_numpy()
    starts = np.flatnonzero(np.r_[True, sites[1:] != sites[:-1]])
    ends = np.r_[starts[1:], n]
    for a, b in zip(starts, ends, strict=True):
        top, bottom = y_lane[a], y_lane[b - 1]
        if a:
            ax.axhline(top + 0.5, color="#888888", linewidth=0.6, linestyle=":")
        ax.text(-0.01, (top + bottom) / 2, f"{sites[a]}\n(n={b - a})", transform=ax.get_yaxis_transform(),
                ha="right", va="center", fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_xlim(0, float(lanes["follow_up_days"].max()) * 1.02)
    ax.set_xlabel(xlabel)
    handles = [Patch(color=WORK_COLOURS["competitive"], label="paid competitive job"),
               Patch(color=WORK_COLOURS["other"], label="other work activity"),
               Line2D([], [], marker=">", linestyle="none", color=WORK_COLOURS["competitive"],
                      label="still running"),
               Line2D([], [], marker="o", linestyle="none", color=WORK_COLOURS["first_job"],
                      markersize=3, label="first competitive job"),
               Line2D([], [], color=WORK_COLOURS["follow_up"], label="follow-up")]
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    blocks = [f"{sites[a]} {b - a}" for a, b in zip(starts, ends, strict=True)]
    describe(ax, f"Swimmer plot, one lane per participant: {n} participants in {len(blocks)} sites "
                 f"({listing(blocks)}); {int(comp.sum())} paid competitive job spells and "
                 f"{int((~comp).sum())} other work spells; {int(has.sum())} participants started a "
                 f"first paid competitive job, {int(run.sum())} jobs still running at the end of "
                 f"follow-up")
    return ax

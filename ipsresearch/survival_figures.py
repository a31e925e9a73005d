"""Figures of employment over time, drawn from computed results.

:func:`plot_survival` draws Kaplan-Meier curves with their pointwise bands,
censoring marks and a number-at-risk table from a
:class:`ipsresearch.outcomes.SurvivalResult`; :func:`plot_spells` draws a
swimmer plot from :func:`ipsresearch.outcomes.spell_timeline`. Both are also
available as ``ipsresearch.figures.plot_survival`` and
``ipsresearch.figures.plot_spells``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ipsresearch._arrays import group_rows as _group_rows
from ipsresearch.outcomes import SurvivalResult

__all__ = ["plot_spells", "plot_survival"]

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c", "#595959")
"""Colours of successive groups."""


def _groups(result: SurvivalResult) -> list[tuple[tuple, str]]:
    by = list(result.by)
    if not by:
        return [((), "all")]
    keys = result.table[by].drop_duplicates()
    return [(tuple(row), ", ".join(map(str, row))) for row in keys.itertuples(index=False)]


def plot_survival(
    result: SurvivalResult,
    *,
    ax: plt.Axes | None = None,
    complement: bool = False,
    risk_times: Sequence[float] | None = None,
    max_time: float | None = None,
    bands: bool = True,
    censor_marks: bool = True,
    xlabel: str = "days",
    ylabel: str | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Kaplan-Meier curves with pointwise bands and a number-at-risk table.

    Parameters
    ----------
    result : SurvivalResult
        From :func:`ipsresearch.outcomes.kaplan_meier`,
        :func:`~ipsresearch.outcomes.time_to_first_job` or similar. The
        ``"All"`` curve of ``overall=True`` is drawn like any group.
    ax : matplotlib.axes.Axes, optional
    complement : bool
        Draw 1 - S rising from 0 (e.g. the share who found a job) instead of S.
    risk_times : sequence of float, optional
        Times for the number-at-risk table (default: the x tick positions).
    max_time : float, optional
        Right end of the x axis (default: the longest observed time).
    bands, censor_marks : bool
        Draw the pointwise intervals and a tick at each censored time.
    xlabel, ylabel, title : str, optional

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
    if ax is None:
        _, ax = plt.subplots(figsize=(7.2, 4.2))
    by = list(result.by)
    groups = _groups(result)
    t_all = result.data[result.duration].to_numpy(dtype=float)
    t_max = float(max_time if max_time is not None else t_all.max())
    flip = (lambda v: 1.0 - np.asarray(v, dtype=float)) if complement else \
        (lambda v: np.asarray(v, dtype=float))
    for k, (key, label) in enumerate(groups):
        colour = PALETTE[k % len(PALETTE)]
        c = _group_rows(result.curve, by, key)
        c = c[c["time"] <= t_max]
        x = np.concatenate([[0.0], c["time"].to_numpy(dtype=float), [t_max]])
        s = np.concatenate([[1.0], c["survival"].to_numpy(dtype=float)])
        y = flip(np.concatenate([s, s[-1:]]))
        n = int(_group_rows(result.table, by, key)["n"].iloc[0])
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
            cens = cens[cens <= t_max]
            if cens.size:
                idx = np.searchsorted(c["time"].to_numpy(dtype=float), cens, side="right") - 1
                sv = np.where(idx < 0, 1.0, c["survival"].to_numpy(dtype=float)[np.clip(idx, 0, None)]
                              if len(c) else 1.0)
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
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    band = f"{result.confidence:.0%} pointwise interval ({result.ci_transform})"
    if bands:
        handles.append(Patch(color="#999999", alpha=0.3))
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
        row = _group_rows(risk, by, key)
        y = top - 0.075 * (k + 1)
        ax.text(-0.04, y, label, transform=ax.transAxes, fontsize=8, ha="right", va="top",
                color=PALETTE[k % len(PALETTE)])
        for t, n in zip(row["time"], row["n_at_risk"], strict=True):
            ax.text(t, y, str(int(n)), transform=trans, fontsize=8, ha="center", va="top",
                    color=PALETTE[k % len(PALETTE)])
    return ax


def plot_spells(
    timeline: pd.DataFrame,
    *,
    ax: plt.Axes | None = None,
    title: str | None = None,
    xlabel: str = "days since enrolment",
) -> plt.Axes:
    """Swimmer plot: one lane per participant, job spells as bars.

    Parameters
    ----------
    timeline : pandas.DataFrame
        From :func:`ipsresearch.outcomes.spell_timeline`, in its order (by
        site, then by day of the first paid competitive job).
    ax : matplotlib.axes.Axes, optional
    title, xlabel : str, optional

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
    if ax is None:
        _, ax = plt.subplots(figsize=(7.2, max(2.5, 0.13 * n + 1.2)))
    lane_of = pd.Series(np.arange(n)[::-1], index=lanes["participant_id"].to_numpy())
    y_lane = lane_of.to_numpy()
    ax.hlines(y_lane, 0, lanes["follow_up_days"].to_numpy(dtype=float), color="#c8c8c8", linewidth=0.8)
    spells = timeline.dropna(subset=["start_day"])
    y = lane_of.reindex(spells["participant_id"]).to_numpy()
    comp = spells["competitive"].astype(bool).to_numpy()
    width = (spells["end_day"] - spells["start_day"] + 1).to_numpy(dtype=float)
    for mask, colour in ((comp, "#1f4e79"), (~comp, "#f4b183")):
        ax.barh(y[mask], width[mask], left=spells["start_day"].to_numpy(dtype=float)[mask],
                height=0.6, color=colour, linewidth=0)
    run = spells["ongoing"].astype(bool).to_numpy()
    ax.plot(spells["end_day"].to_numpy(dtype=float)[run], y[run], linestyle="none", marker=">",
            markersize=4, color="#1f4e79")
    first = lanes["first_job_day"].to_numpy(dtype=float)
    has = ~np.isnan(first)
    ax.plot(first[has], y_lane[has], linestyle="none", marker="o", markersize=3, color="#c00000")
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
    ax.spines[["top", "right", "left"]].set_visible(False)
    handles = [Patch(color="#1f4e79", label="paid competitive job"),
               Patch(color="#f4b183", label="other work activity"),
               Line2D([], [], marker=">", linestyle="none", color="#1f4e79", label="still running"),
               Line2D([], [], marker="o", linestyle="none", color="#c00000", markersize=3,
                      label="first competitive job"),
               Line2D([], [], color="#c8c8c8", label="follow-up")]
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return ax

"""Screening flows of literature reviews, counted from record-level logs.

A review's flow diagram (PRISMA) is a set of counts: records identified by
each search, screened on title and abstract, full texts sought and
assessed, studies included, and how many were excluded at each step and
why. Papers print those counts; here they are *counted* from a screening log
with one row per record (schema :data:`ipsresearch.schemas.SCREENING_LOG`),
so that a diagram can never disagree with its own records, and a log that
does not add up to a paper's numbers shows where.

Examples
--------
>>> import pandas as pd
>>> from ipsresearch.synthesis import prisma_flow
>>> log = pd.DataFrame({
...     "record_id": ["r1", "r2", "r3", "r4"],
...     "search": ["search_1"] * 3 + ["search_2"],
...     "search_date": [None] * 4,
...     "source": ["database"] * 4,
...     "stage_reached": ["screened", "assessed", "included", "included"],
...     "reason": ["not about IPS", "no qualitative findings", None, None],
... })
>>> flow = prisma_flow(log)
>>> flow.to_frame()[["stage", "reached", "excluded"]]
          stage  reached  excluded
0    identified        4         0
1      screened        4         1
2        sought        3         0
3      assessed        3         1
4      included        2         0
>>> flow.n("included")
2
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch.schemas import SCREENING_LOG, SCREENING_STAGES
from ipsresearch.validation import validate

__all__ = ["STAGE_LABELS", "PrismaFlow", "plot_prisma", "prisma_flow"]

STAGE_LABELS: dict[str, str] = {
    "identified": "Records identified",
    "screened": "Titles and abstracts screened",
    "sought": "Full texts sought",
    "assessed": "Full texts assessed for eligibility",
    "included": "Studies included",
}
"""Default box label of each stage in :func:`plot_prisma`."""

EXCLUSION_LABELS: dict[str, str] = {
    "identified": "Duplicates removed",
    "screened": "Excluded on title and abstract",
    "sought": "Full text not assessed",
    "assessed": "Full texts excluded",
}
"""Default label of the exclusion box beside each stage."""


@dataclass(frozen=True)
class PrismaFlow:
    """Counts of a screening flow (see :func:`prisma_flow`).

    Attributes
    ----------
    counts : pandas.DataFrame
        One row per stage, in order: ``stage, label, reached, excluded``.
        ``reached`` counts records whose last stage is this one or a later
        one; ``excluded`` counts records that stopped at this stage (0 for
        the last stage).
    reasons : pandas.DataFrame
        ``stage, reason, n``: records that stopped at a stage, by reason.
    by_group : pandas.DataFrame or None
        ``<by>, stage, reached, excluded`` per group of records (e.g. per
        search) when ``by`` was given.
    by : str or None
        The grouping column.
    """

    counts: pd.DataFrame
    reasons: pd.DataFrame
    by_group: pd.DataFrame | None = None
    by: str | None = None

    def n(self, stage: str, *, group: str | None = None) -> int:
        """Records that reached ``stage`` (overall, or within one ``group``)."""
        if stage not in SCREENING_STAGES:
            raise KeyError(f"unknown stage {stage!r}; stages: {', '.join(SCREENING_STAGES)}")
        if group is None:
            return int(self.counts.loc[self.counts["stage"] == stage, "reached"].iloc[0])
        if self.by_group is None:
            raise ValueError("this flow was counted without `by`; call prisma_flow(log, by=...)")
        rows = self.by_group[(self.by_group[self.by] == group) & (self.by_group["stage"] == stage)]
        if rows.empty:
            known = ", ".join(map(str, self.by_group[self.by].unique()))
            raise KeyError(f"no group {group!r} in column {self.by!r}; groups: {known}")
        return int(rows["reached"].iloc[0])

    def excluded(self, stage: str) -> int:
        """Records that stopped at ``stage``."""
        if stage not in SCREENING_STAGES:
            raise KeyError(f"unknown stage {stage!r}; stages: {', '.join(SCREENING_STAGES)}")
        return int(self.counts.loc[self.counts["stage"] == stage, "excluded"].iloc[0])

    def groups(self) -> list[str]:
        """Groups of ``by_group`` in order of first appearance (empty without ``by``)."""
        return [] if self.by_group is None else list(dict.fromkeys(self.by_group[self.by]))

    def to_frame(self) -> pd.DataFrame:
        """The per-stage counts (a copy of :attr:`counts`)."""
        return self.counts.copy()

    def summary(self) -> pd.DataFrame:
        """Headline numbers as a one-row DataFrame.

        Returns
        -------
        pandas.DataFrame
            One column per stage of :data:`~ipsresearch.schemas.SCREENING_STAGES`
            holding the records that reached it, then ``excluded`` (records
            that stopped before the last stage) and ``groups`` (of ``by``;
            0 without it).
        """
        reached = dict(zip(self.counts["stage"], self.counts["reached"].astype(int), strict=True))
        return pd.DataFrame([{**reached, "excluded": int(self.counts["excluded"].sum()),
                              "groups": len(self.groups())}])

    def _repr_html_(self) -> str:
        parts = ["<strong>Screening flow</strong>", self.counts.to_html(index=False)]
        if not self.reasons.empty:
            parts += ["<strong>Reasons for exclusion</strong>", self.reasons.to_html(index=False)]
        if self.by_group is not None:
            wide = self.by_group.pivot(index="stage", columns=self.by, values="reached")
            wide = wide.reindex(SCREENING_STAGES)
            parts += [f"<strong>Records reaching each stage, by {html.escape(self.by)}</strong>",
                      wide.to_html()]
        return "\n".join(parts)


def _stage_counts(stages: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes = pd.Categorical(stages, categories=SCREENING_STAGES, ordered=True).codes
    last = np.bincount(codes, minlength=len(SCREENING_STAGES))
    reached = last[::-1].cumsum()[::-1]
    excluded = last.copy()
    excluded[-1] = 0
    return reached.astype(np.int64), excluded.astype(np.int64)


def prisma_flow(
    log: pd.DataFrame,
    *,
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    validated: bool = False,
) -> PrismaFlow:
    """Count a screening log into the stages of a PRISMA flow.

    Parameters
    ----------
    log : pandas.DataFrame
        One row per record, following :data:`ipsresearch.schemas.SCREENING_LOG`
        (``record_id, search, search_date, source, stage_reached, reason``
        and optionally ``study_id``). ``stage_reached`` is the last of
        ``identified, screened, sought, assessed, included`` the record reached.
    by : str, optional
        Also count within groups of records, e.g. ``"search"``.
    labels : mapping, optional
        Stage -> label to show instead of :data:`STAGE_LABELS`.
    validated : bool
        Skip validation when ``log`` already went through the schema.

    Returns
    -------
    PrismaFlow
        ``counts`` (``stage, label, reached, excluded``), ``reasons``
        (``stage, reason, n``) and, with ``by``, ``by_group``.

    Raises
    ------
    ipsresearch.validation.InputError
        The log breaks its schema (unknown stage, an excluded record without
        a reason, a repeated record id, ...), listing every problem.

    Notes
    -----
    Nothing is assumed about what a paper printed: each count is the number
    of records whose ``stage_reached`` is at or after a stage. A record
    removed as a duplicate has ``stage_reached == "identified"``; a record
    excluded on its title has ``"screened"``; a full text that could not be
    read (e.g. its language) has ``"sought"``.
    """
    data = log if validated else validate(log, SCREENING_LOG, source="screening log")
    if by is not None and by not in data.columns:
        raise KeyError(f"no column {by!r} in the screening log; columns: {', '.join(data.columns)}")
    names = {**STAGE_LABELS, **(labels or {})}
    reached, excluded = _stage_counts(data["stage_reached"])
    counts = pd.DataFrame({
        "stage": list(SCREENING_STAGES),
        "label": [names[s] for s in SCREENING_STAGES],
        "reached": reached,
        "excluded": excluded,
    })
    stopped = data[data["stage_reached"] != SCREENING_STAGES[-1]]
    reasons = (stopped.groupby(["stage_reached", "reason"], sort=False).size()
               .rename("n").reset_index().rename(columns={"stage_reached": "stage"}))
    order = {s: i for i, s in enumerate(SCREENING_STAGES)}
    reasons = (reasons.assign(_o=reasons["stage"].map(order))
               .sort_values(["_o", "n", "reason"], ascending=[True, False, True], kind="stable")
               .drop(columns="_o").reset_index(drop=True))
    reasons["n"] = reasons["n"].astype(np.int64)
    by_group = None
    if by is not None:
        rows = []
        for group, part in data.groupby(by, sort=False):
            r, e = _stage_counts(part["stage_reached"])
            rows.append(pd.DataFrame({by: group, "stage": list(SCREENING_STAGES),
                                      "reached": r, "excluded": e}))
        by_group = pd.concat(rows, ignore_index=True)
    return PrismaFlow(counts=counts, reasons=reasons, by_group=by_group, by=by)


def plot_prisma(
    flow: PrismaFlow,
    *,
    ax=None,
    title: str | None = None,
    group_labels: Mapping[str, str] | None = None,
    show_reasons: bool = True,
    wrap: int = 34,
):
    """Draw a PRISMA-style flow diagram from the counts of :func:`prisma_flow`.

    Every number in the diagram is read from ``flow``; nothing is typed in.
    With a flow counted ``by`` search, the top row has one box per search.
    When no record stopped at ``identified`` (the log starts after
    duplicates were removed), the identification stage is not drawn as a
    separate box, so that no "0 duplicates" is claimed.

    Parameters
    ----------
    flow : PrismaFlow
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    group_labels : mapping, optional
        Group value -> label for the identification boxes (e.g.
        ``{"search_1": "Search to June 2018"}``).
    show_reasons : bool
        List the reasons for exclusion in the exclusion boxes.
    wrap : int
        Characters per line in the boxes.

    Returns
    -------
    matplotlib.axes.Axes
        The boxes' texts are ``ax.texts`` (tests read the drawn numbers there).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

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
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 0.62 * (top - bottom) + 0.6))
    ax.set_xlim(0, 12)
    ax.set_ylim(bottom - 0.15, top + 0.15)
    ax.axis("off")

    def box(x, y, w, h, text, face, align="center"):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04",
                                    facecolor=face, edgecolor="#3a4a5a", linewidth=1))
        tx = x if align == "center" else x - w / 2 + 0.15
        ax.text(tx, y, text, ha=align, va="center", fontsize=8.5, linespacing=1.25)

    def arrow(x0, y0, x1, y1):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
                                     color="#3a4a5a", linewidth=1))

    first_y, first_h = rows[0][1], rows[0][2]
    xs = [0.2 + width / 2 + j * (width + 0.3) for j in range(k)]
    for x, text in zip(xs, group_texts, strict=True):
        gy = first_y + first_h / 2 + 0.9 + group_h / 2
        box(x, gy, width, group_h, text, "#eef3f8")
        arrow(x, gy - group_h / 2, main_x, first_y + first_h / 2 + 0.04)
    for i, (stage, y, h) in enumerate(rows):
        box(main_x, y, main_w, h, main_text(stage),
            "#d7eedb" if stage == SCREENING_STAGES[-1] else "#dbe8f4")
        if i < len(rows) - 1:
            _, y_next, h_next = rows[i + 1]
            top, low = y - h / 2, y_next + h_next / 2
            arrow(main_x, top, main_x, low + 0.04)
            text = side_text(stage)
            mid = (top + low) / 2
            box(side_x, mid, side_w, height(text), text, "#f6f6f6", align="left")
            ax.plot([main_x, side_x - side_w / 2 - 0.05], [mid, mid], color="#3a4a5a", linewidth=1)
    if title:
        ax.set_title(title, fontsize=11)
    return ax

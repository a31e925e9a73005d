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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch.schemas import SCREENING_LOG, SCREENING_STAGES
from ipsresearch.validation import validate

__all__ = ["STAGE_LABELS", "PrismaFlow", "prisma_flow"]

STAGE_LABELS: dict[str, str] = {
    "identified": "Records identified",
    "screened": "Titles and abstracts screened",
    "sought": "Full texts sought",
    "assessed": "Full texts assessed for eligibility",
    "included": "Studies included",
}
"""Default box label of each stage in :func:`ipsresearch.figures.plot_prisma`."""

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


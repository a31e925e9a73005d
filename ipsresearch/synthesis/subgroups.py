"""Subgroup analysis: a pooled estimate per group of studies and a test that the groups differ.

Each group is pooled on its own with :func:`~ipsresearch.synthesis.meta_analysis`
(its own tau², as ``rma(..., subset = group == level)`` in metafor and the
subgroup forest plots of RevMan), and the test of subgroup differences is
the omnibus test of the group as a categorical moderator in a
mixed-effects meta-regression with one common tau²
(:func:`~ipsresearch.synthesis.meta_regression`, metafor's ``rma(mods =
~ factor(group))``). Nothing is computed here that those two functions do
not compute; this module only runs them on the groups and puts the results
side by side.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from ipsresearch.synthesis.meta import MetaAnalysisResult, meta_analysis
from ipsresearch.synthesis.meta_regression import MetaRegressionResult, meta_regression
from ipsresearch.validation import InputError, Problem, check_frame

__all__ = ["SubgroupResult", "subgroup_analysis"]


@dataclass(frozen=True, eq=False)
class SubgroupResult:
    """Pooled estimates per subgroup and the test that the subgroups differ.

    Attributes
    ----------
    by : str
        The grouping column.
    groups : pandas.DataFrame
        One row per group, in the moderator's level order: ``by`` and the
        columns of :meth:`MetaAnalysisResult.summary`.
    fits : dict of str to MetaAnalysisResult
        The meta-analysis of each group.
    moderator : MetaRegressionResult
        The meta-regression on ``by`` (the test of subgroup differences is
        its ``qm``, ``qm_df``, ``qm_p``).
    """

    by: str
    groups: pd.DataFrame = field(repr=False)
    fits: dict[str, MetaAnalysisResult] = field(repr=False)
    moderator: MetaRegressionResult = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-group table (a copy), the main tidy table."""
        return self.groups.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``by, groups, k, measure, method, test, qm, qm_df, qm_p, tau2, r2``
        (``tau2``: residual between-study variance with the groups in the model;
        ``r2``: percent of tau² the groups account for)."""
        m = self.moderator
        return pd.DataFrame([{"by": self.by, "groups": len(self.groups), "k": m.k, "measure": m.measure,
                              "method": m.method, "test": m.test, "qm": m.qm, "qm_df": m.qm_df,
                              "qm_p": m.qm_p, "tau2": m.tau2, "r2": m.r2}])

    def _repr_html_(self) -> str:
        m = self.moderator
        stat = f"F({m.qm_df}, {m.k - m.p})" if m.test == "knha" else f"chi²({m.qm_df})"
        rows = "".join(
            f"<tr><td>{html.escape(str(r[self.by]))}</td><td>{r['k']}</td><td>{r['estimate']:.3f}</td>"
            f"<td>{r['ci_low']:.3f} to {r['ci_high']:.3f}</td></tr>" for _, r in self.groups.iterrows())
        return (f"<p>Subgroups by {html.escape(self.by)}: {html.escape(stat)} = {m.qm:.2f}, "
                f"p = {m.qm_p:.3g}</p><table><tr><th>{html.escape(self.by)}</th><th>k</th>"
                f"<th>estimate</th><th>interval</th></tr>{rows}</table>")


def subgroup_analysis(
    data: pd.DataFrame,
    *,
    by: str,
    measure: str = "RR",
    method: str = "REML",
    test: str = "z",
    confidence: float = 0.95,
    source: str | None = None,
    **columns,
) -> SubgroupResult:
    """Pool each group of studies on its own and test whether the groups differ.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per study with the columns :func:`~ipsresearch.synthesis.meta_analysis`
        needs for ``measure`` and the column ``by``. Not modified.
    by : str
        Column of the groups (e.g. ``region``). Levels in the order of a
        pandas Categorical, else sorted, as :func:`~ipsresearch.synthesis.meta_regression`
        orders a categorical moderator (the first is its reference level).
    measure : str
        Effect measure (:data:`~ipsresearch.synthesis.meta.MEASURES`).
    method : str
        ``FE`` or a tau² estimator (``REML``, ``DL``, ``PM``, ...), used both
        within the groups and for the test of differences.
    test : {"z", "knha"}
        Wald or Knapp-Hartung inference, in the groups and for the test.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).
    source : str, optional
        Name of the table in error messages.
    **columns
        Column names passed on to :func:`~ipsresearch.synthesis.meta_analysis`
        (``study``, ``events_treatment``, ...).

    Returns
    -------
    SubgroupResult
        ``.to_frame()`` one row per group; ``.summary()`` the test of
        subgroup differences (QM) in one row.

    Raises
    ------
    InputError
        ``by`` is missing or blank for a study, or has fewer than two groups.
    ValueError
        ``test="knha"`` and a group has a single study (a t interval needs
        at least two); the message names the group.

    Notes
    -----
    Within-group tau² is estimated in each group separately, so a group of
    two or three studies has a very uncertain tau² and, with Knapp-Hartung,
    a t quantile on one or two degrees of freedom: wide intervals are the
    honest result. The test of differences assumes one tau² common to all
    groups (metafor's mixed-effects model); with few studies it has little
    power, and a difference between groups of trials is an observational
    comparison: the groups differ in more than the grouping variable.

    Examples
    --------
    >>> import pandas as pd
    >>> trials = pd.DataFrame({"study": list("ABCDEF"),
    ...     "events_treatment": [30, 44, 12, 75, 9, 40], "n_treatment": [60, 102, 35, 150, 20, 80],
    ...     "events_control": [14, 20, 11, 33, 2, 30], "n_control": [58, 98, 40, 146, 21, 82],
    ...     "region": ["Europe", "Europe", "USA", "USA", "USA", "Europe"]})
    >>> res = subgroup_analysis(trials, by="region", method="REML")
    >>> res.to_frame()[["region", "k"]].values.tolist()
    [['Europe', 3], ['USA', 3]]
    >>> int(res.summary()["qm_df"].iloc[0])
    1
    """
    check_frame(data)
    src = source or "data"
    if by not in data.columns:
        raise InputError([Problem(src, None, by, "grouping column is missing",
                                  f"one of the columns: {', '.join(map(str, data.columns))}")], source=src)
    moderator = meta_regression(data, moderators=by, categorical=by, measure=measure, method=method,
                                test=test, confidence=confidence, source=src, **columns)
    values = data[by]
    levels = (list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype)
              else sorted(values.dropna().astype(str).unique()))
    labels = values.astype(str)
    small = [lv for lv in levels if (labels == str(lv)).sum() < 2]
    if test == "knha" and small:
        raise ValueError(f"group(s) {', '.join(map(str, small))} of {by!r} hold a single study; a "
                         "Knapp-Hartung interval needs at least two per group (use test='z', or "
                         "group the studies differently)")
    fits, rows = {}, []
    for level in levels:
        subset = data[(labels == str(level)).to_numpy()]
        fit = meta_analysis(subset, measure=measure, method=method, test=test,
                            confidence=confidence, source=f"{src} ({by} = {level})", **columns)
        fits[str(level)] = fit
        rows.append(fit.summary().assign(**{by: str(level)}))
    groups = pd.concat(rows, ignore_index=True)
    groups = groups[[by, *[c for c in groups.columns if c != by]]]
    return SubgroupResult(by=by, groups=groups, fits=fits, moderator=moderator)

"""Qualitative studies as data: samples, coding structure, agreement and who is quoted.

A qualitative study reports numbers too: who was eligible and who took part,
how many groups or interviews, how many themes and sub-themes, which
respondents are quoted under which theme, how well coders agree. This module
counts them from records in the layouts of :mod:`ipsresearch.schemas`:

* a **roster** (:data:`~ipsresearch.schemas.ROSTER`): one row per person
  eligible for the study, with ``eligible``, ``invited``, ``took_part`` and the
  ``respondent_code`` under which the report quotes them;
* **coded segments** (:data:`~ipsresearch.schemas.SEGMENTS`): one row per coded
  passage of a transcript, with the respondent, role, theme, sub-theme and
  coder, and whether the report quotes it;
* **codings** (:data:`~ipsresearch.schemas.CODINGS`): an independently
  double- or multi-coded sample, one row per segment and coder.

Every function takes the table first and column names as keyword strings,
returns a tidy :class:`pandas.DataFrame` (or a small dataclass) with numbers
left numeric, and reports bad input as :class:`~ipsresearch.validation.InputError`.

Examples
--------
>>> import pandas as pd
>>> from ipsresearch import qualitative
>>> segments = pd.DataFrame({
...     "respondent": ["R1", "R1", "R2", "R3"],
...     "role": ["employment_specialist"] * 2 + ["ot_manager"] * 2,
...     "theme": ["context", "strategies", "context", "context"]})
>>> qualitative.theme_by_role(segments)[["theme", "role", "segments"]].values.tolist()
[['context', 'employment_specialist', 1], ['context', 'ot_manager', 2], ['strategies', 'employment_specialist', 1], ['strategies', 'ot_manager', 0]]
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import krippendorff
import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats import inter_rater

from ipsresearch import _stats
from ipsresearch._arrays import as_list
from ipsresearch.validation import (
    Column,
    InputError,
    Problem,
    Schema,
    check_choice,
    check_confidence,
    check_frame,
    validate,
)

__all__ = [
    "Agreement",
    "attributions",
    "cohen_kappa",
    "cooccurrence",
    "coverage",
    "fleiss_kappa",
    "krippendorff_alpha",
    "pairwise_kappa",
    "sample_flow",
    "theme_by_role",
    "themes_summary",
]

STAGES = ("eligible", "invited", "took_part", "did_not_take_part")
"""Stages of :func:`sample_flow`, in order."""


# --------------------------------------------------------------------------- helpers


def _typed(data: pd.DataFrame, columns: dict[str, str], *, source: str,
           key: Sequence[str] = (), nullable: Sequence[str] = ()) -> pd.DataFrame:
    """Validate the named columns of ``data`` (name -> kind) and return them typed."""
    check_frame(data, source)
    cols = [Column(name, kind, nullable=name in nullable) for name, kind in columns.items()]
    present = [c for c in columns if c in data.columns]
    return validate(data[present], Schema(source, cols, key=tuple(key)), source=source)


def _quoted_mask(typed: pd.DataFrame, data: pd.DataFrame, quoted_only: bool, source: str) -> np.ndarray:
    if not quoted_only:
        return np.ones(len(typed), dtype=bool)
    if "quoted" not in data.columns:
        raise InputError([Problem(source, None, "quoted",
                                  "required column is missing (quoted_only=True needs it)",
                                  "true/false per segment, or call with quoted_only=False")])
    q = _typed(data, {"quoted": "bool"}, source=source)["quoted"]
    return q.to_numpy(dtype=bool)


# --------------------------------------------------------------------------- samples


def sample_flow(
    roster: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "role",
    method: str = "wilson",
    confidence: float = 0.95,
    overall: bool = False,
) -> pd.DataFrame:
    """Who was listed, eligible, invited and took part, with rates and intervals.

    Each stage is a share of the stage before it: ``eligible`` among everyone
    listed in the roster, ``invited`` among the eligible, ``took_part`` and
    ``did_not_take_part`` (declined, unreachable or absent) among the invited.

    Parameters
    ----------
    roster : pandas.DataFrame
        One row per person, with boolean columns ``eligible``, ``invited`` and
        ``took_part`` (see :data:`ipsresearch.schemas.ROSTER`).
    by : str or sequence of str or None
        Columns to group by (one name or several): results are given per group. Default ``"role"``; ``None`` for the whole sample.
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        Interval for each proportion (see :data:`ipsresearch.outcomes.CI_METHODS`):
        ``wilson`` is R's ``prop.test(correct = FALSE)``, ``exact`` (Clopper-Pearson)
        R's ``binom.test``.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).
    overall : bool
        With ``by``, add rows for the whole sample, labelled ``"All"``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``stage`` (one of :data:`STAGES`), ``n`` (people
        at the previous stage), ``events`` (people reaching this stage),
        ``rate``, ``ci_low``, ``ci_high``, ``method``, ``confidence``.

    Raises
    ------
    ipsresearch.validation.InputError
        A flag column is missing or holds something other than true/false.

    Notes
    -----
    Rates and intervals come from the package's one proportion engine
    (``statsmodels`` ``proportion_confint``), the one behind
    :func:`ipsresearch.outcomes.placement_rate` for employment outcomes, so
    that "17 of 24 took part" and "33 of 65 were placed" are computed the
    same way.

    Examples
    --------
    >>> import pandas as pd
    >>> roster = pd.DataFrame({"role": ["es"] * 4, "eligible": [True] * 4,
    ...                        "invited": [True] * 4, "took_part": [True, True, True, False]})
    >>> flow = sample_flow(roster, method="exact")
    >>> flow[["stage", "n", "events"]].values.tolist()
    [['eligible', 4, 4], ['invited', 4, 4], ['took_part', 4, 3], ['did_not_take_part', 4, 1]]
    >>> round(float(flow["ci_low"].iloc[2]), 4)
    0.1941
    """
    groups = as_list(by)
    cols = {"eligible": "bool", "invited": "bool", "took_part": "bool", **{g: "str" for g in groups}}
    typed = _typed(roster, cols, source="roster")
    listed = np.ones(len(typed), dtype=bool)
    eligible = typed["eligible"].to_numpy(dtype=bool)
    invited = typed["invited"].to_numpy(dtype=bool) & eligible
    took = typed["took_part"].to_numpy(dtype=bool) & invited
    stages = [("eligible", listed, eligible), ("invited", eligible, invited),
              ("took_part", invited, took), ("did_not_take_part", invited, invited & ~took)]
    parts = []
    for name, base, reached in stages:
        if not base.any():
            continue
        frame = typed.loc[base, groups].assign(_reached=reached[base])
        rates = _stats.proportion_table(frame, outcome="_reached", by=groups or None,
                                        method=method, confidence=confidence,
                                        overall=overall and bool(groups))
        parts.append(rates.assign(stage=name))
    out = pd.concat(parts, ignore_index=True)
    out["_order"] = out["stage"].map({s: i for i, s in enumerate(STAGES)})
    out["_all"] = (out[groups] == "All").any(axis=1) if groups else False
    out = out.sort_values(["_all", *groups, "_order"], kind="stable")
    return out[[*groups, "stage", "n", "events", "rate", "ci_low", "ci_high", "method",
                "confidence"]].reset_index(drop=True)


# --------------------------------------------------------------------------- coding structure


def themes_summary(
    segments: pd.DataFrame,
    *,
    theme: str = "theme",
    sub_theme: str = "sub_theme",
    respondent: str = "respondent",
) -> pd.DataFrame:
    """Sub-themes, segments, quoted segments and respondents per theme.

    Parameters
    ----------
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`). A ``quoted``
        column is used when present.
    theme, sub_theme, respondent : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per theme (sorted): ``theme, sub_themes`` (distinct non-blank
        sub-themes), ``segments``, ``quoted`` (segments the report quotes;
        0 without a ``quoted`` column), ``respondents`` (distinct respondents).

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"respondent": ["a", "b", "b"], "theme": ["t1", "t1", "t2"],
    ...                     "sub_theme": ["s1", "s2", None], "quoted": [True, False, True]})
    >>> themes_summary(seg).values.tolist()
    [['t1', 2, 2, 1, 2], ['t2', 0, 1, 1, 1]]
    """
    typed = _typed(segments, {theme: "str", sub_theme: "str", respondent: "str"}, source="segments",
                   nullable=(sub_theme,))
    quoted = (_quoted_mask(typed, segments, True, "segments") if "quoted" in segments.columns
              else np.zeros(len(typed), dtype=bool))
    g = typed.assign(_quoted=quoted).groupby(theme, sort=True)
    out = pd.DataFrame({
        "sub_themes": g[sub_theme].nunique(dropna=True),
        "segments": g.size(),
        "quoted": g["_quoted"].sum(),
        "respondents": g[respondent].nunique(),
    }).reset_index().rename(columns={theme: "theme"})
    for c in ("sub_themes", "segments", "quoted", "respondents"):
        out[c] = out[c].astype(np.int64)
    return out


def theme_by_role(
    segments: pd.DataFrame,
    *,
    theme: str = "theme",
    role: str = "role",
    quoted_only: bool = False,
) -> pd.DataFrame:
    """Cross-table of themes by role, as a tidy frame with every combination.

    Parameters
    ----------
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`).
    theme, role : str
        Row and column variables (any two columns can be crossed).
    quoted_only : bool
        Count only segments whose ``quoted`` column is true (who the report quotes).

    Returns
    -------
    pandas.DataFrame
        One row per theme and role (zero counts included), sorted:
        ``theme, role, segments, share_of_theme`` (of the theme's segments),
        ``share_of_role`` (of the role's segments). The output columns are
        named after ``theme`` and ``role``. ``frame.pivot(index=theme,
        columns=role, values="segments")`` gives the familiar table.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"role": ["es", "es", "ot"], "theme": ["a", "b", "a"]})
    >>> theme_by_role(seg)[["theme", "role", "segments", "share_of_theme"]].values.tolist()
    [['a', 'es', 1, 0.5], ['a', 'ot', 1, 0.5], ['b', 'es', 1, 1.0], ['b', 'ot', 0, 0.0]]
    """
    if theme == role:
        raise ValueError("theme and role must name two different columns")
    typed = _typed(segments, {theme: "str", role: "str"}, source="segments")
    typed = typed.loc[_quoted_mask(typed, segments, quoted_only, "segments")]
    themes = sorted(typed[theme].unique())
    roles = sorted(typed[role].unique())
    counts = typed.groupby([theme, role]).size()
    full = pd.MultiIndex.from_product([themes, roles], names=[theme, role])
    out = counts.reindex(full, fill_value=0).rename("segments").reset_index()
    out["segments"] = out["segments"].astype(np.int64)
    by_theme = out.groupby(theme)["segments"].transform("sum").to_numpy(dtype=float)
    by_role = out.groupby(role)["segments"].transform("sum").to_numpy(dtype=float)
    seg = out["segments"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_of_theme"] = np.where(by_theme > 0, seg / by_theme, np.nan)
        out["share_of_role"] = np.where(by_role > 0, seg / by_role, np.nan)
    return out


def attributions(
    segments: pd.DataFrame,
    *,
    respondent: str = "respondent",
    role: str = "role",
    theme: str = "theme",
    quoted_only: bool = True,
) -> pd.DataFrame:
    """How often each respondent is quoted (or coded), and under how many themes.

    Parameters
    ----------
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`).
    respondent, role, theme : str
        Column names. Respondents are told apart by role and code together, so
        that ``R2`` among employment specialists and ``R2`` among OT managers
        are two people (as in source 000).
    quoted_only : bool
        Count only segments the report quotes (the default: "who is quoted").

    Returns
    -------
    pandas.DataFrame
        One row per respondent, most attributed first: ``role, respondent,
        attributions, themes`` (distinct themes), ``share`` (of all attributions).

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"respondent": ["R2", "R2", "R2", "R1"], "role": ["ot", "ot", "es", "es"],
    ...                     "theme": ["a", "b", "a", "a"], "quoted": [True, True, True, False]})
    >>> attributions(seg)[["role", "respondent", "attributions", "themes"]].values.tolist()
    [['ot', 'R2', 2, 2], ['es', 'R2', 1, 1]]
    """
    typed = _typed(segments, {respondent: "str", role: "str", theme: "str"}, source="segments")
    typed = typed.loc[_quoted_mask(typed, segments, quoted_only, "segments")]
    g = typed.groupby([role, respondent])
    out = pd.DataFrame({"attributions": g.size(), "themes": g[theme].nunique()}).reset_index()
    out = out.rename(columns={role: "role", respondent: "respondent"})
    out["attributions"] = out["attributions"].astype(np.int64)
    out["themes"] = out["themes"].astype(np.int64)
    total = out["attributions"].sum()
    out["share"] = out["attributions"] / total if total else np.nan
    return out.sort_values(["attributions", "role", "respondent"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


def coverage(
    segments: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    respondent: str = "respondent",
    code: str = "respondent_code",
    role: str = "role",
    by: str | Sequence[str] | None = "role",
    quoted_only: bool = True,
    method: str = "wilson",
    confidence: float = 0.95,
    overall: bool = False,
) -> pd.DataFrame:
    """Share of the participants who are quoted at least once.

    Participants are the roster's people with ``took_part`` true. A segment
    belongs to the participant with the same ``role`` and with
    ``respondent_code`` equal to the segment's respondent.

    Parameters
    ----------
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`).
    roster : pandas.DataFrame
        The study's roster (:data:`ipsresearch.schemas.ROSTER`).
    respondent, code, role : str
        Respondent column of ``segments``, code column of ``roster`` and the
        role column both share.
    by : str or sequence of str or None
        Columns to group by (one name or several): results are given per group. Here: roster columns (default ``"role"``).
    quoted_only : bool
        Count only quoted segments (``False``: share with any coded segment).
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        Interval for each proportion (see :data:`ipsresearch.outcomes.CI_METHODS`):
        ``wilson`` is R's ``prop.test(correct = FALSE)``, ``exact`` (Clopper-Pearson)
        R's ``binom.test``.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).
    overall : bool
        With ``by``, add a row for all participants, labelled ``"All"``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``n`` (participants), ``events`` (quoted at
        least once), ``rate``, ``ci_low``, ``ci_high``, ``method``, ``confidence``.

    Raises
    ------
    ipsresearch.validation.InputError
        A counted segment names a respondent who is not a participant of that
        role in the roster; every such segment is listed with its row.

    Examples
    --------
    >>> import pandas as pd
    >>> roster = pd.DataFrame({"role": ["es"] * 3, "took_part": [True] * 3,
    ...                        "respondent_code": ["R1", "R2", "R3"]})
    >>> seg = pd.DataFrame({"respondent": ["R1", "R1", "R3"], "role": ["es"] * 3,
    ...                     "quoted": [True] * 3})
    >>> coverage(seg, roster)[["role", "n", "events"]].values.tolist()
    [['es', 3, 2]]
    >>> coverage(seg.assign(respondent=["R1", "R1", "R9"]), roster)
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 1 problem in segments:
      - segments row 4, column `respondent`: R9 (es) is not a participant in the roster (allowed: a respondent_code of a roster participant with the same role: R1, R2, R3)
    """
    groups = as_list(by)
    seg = _typed(segments, {respondent: "str", role: "str"}, source="segments")
    rows = np.arange(len(seg)) + 2
    keep = _quoted_mask(seg, segments, quoted_only, "segments")
    ros = _typed(roster, {role: "str", "took_part": "bool", code: "str",
                          **{g: "str" for g in groups if g not in (role, code)}},
                 source="roster", nullable=(code,))
    part = ros.loc[ros["took_part"].to_numpy(dtype=bool)]
    known = set(zip(part[role], part[code], strict=True))
    pairs = list(zip(seg[role], seg[respondent], strict=True))
    problems = []
    for i in np.flatnonzero(keep):
        r, c = pairs[i]
        if (r, c) not in known:
            allowed = sorted(part.loc[part[role] == r, code].dropna(), key=_natural)
            problems.append(Problem("segments", int(rows[i]), respondent,
                                    f"{c} ({r}) is not a participant in the roster",
                                    f"a {code} of a roster participant with the same role: "
                                    + (", ".join(allowed[:30]) or "none")))
    if problems:
        raise InputError(problems[:25] + ([Problem("segments", None, respondent,
                                                   f"... and {len(problems) - 25} more segments")]
                                          if len(problems) > 25 else []), source="segments")
    quoted_pairs = {pairs[i] for i in np.flatnonzero(keep)}
    flag = [(r, c) in quoted_pairs for r, c in zip(part[role], part[code], strict=True)]
    frame = part[list(dict.fromkeys(groups))].assign(_quoted=flag)
    return _stats.proportion_table(frame, outcome="_quoted", by=groups or None, method=method,
                                   confidence=confidence, overall=overall and bool(groups))


def _natural(code: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(code)))


def cooccurrence(
    segments: pd.DataFrame,
    *,
    code: str = "theme",
    unit: str | Sequence[str] = "respondent",
) -> pd.DataFrame:
    """How often two codes occur in the same unit (respondent, transcript, ...).

    Parameters
    ----------
    segments : pandas.DataFrame
        Coded segments (:data:`ipsresearch.schemas.SEGMENTS`).
    code : str
        Column of codes (themes, sub-themes, metaphors). Segments with a blank
        code (e.g. no sub-theme) are left out.
    unit : str or sequence of str
        Column(s) defining the unit within which codes co-occur, e.g.
        ``"respondent"`` or ``["role", "respondent"]``.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of codes (both orders, and the diagonal):
        ``code_a, code_b, units`` (units holding both), ``units_a``,
        ``units_b`` (units holding each), ``jaccard`` (``units`` divided by
        units holding either). The diagonal holds each code's own count.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"respondent": ["a", "a", "b", "c"], "theme": ["x", "y", "x", "y"]})
    >>> cooccurrence(seg)[["code_a", "code_b", "units", "jaccard"]].values.tolist()
    [['x', 'x', 2, 1.0], ['x', 'y', 1, 0.3333333333333333], ['y', 'x', 1, 0.3333333333333333], ['y', 'y', 2, 1.0]]
    """
    units = as_list(unit)
    typed = _typed(segments, {code: "str", **{u: "str" for u in units}}, source="segments",
                   nullable=(code,))
    typed = typed.loc[typed[code].notna()]
    key = typed[units].astype(str).agg("\x1f".join, axis=1)
    incidence = pd.crosstab(key, typed[code]).clip(upper=1)
    m = incidence.to_numpy(dtype=np.int64)
    both = m.T @ m
    each = np.diag(both)
    codes = list(incidence.columns)
    a, b = np.meshgrid(np.arange(len(codes)), np.arange(len(codes)), indexing="ij")
    a, b = a.ravel(), b.ravel()
    union = each[a] + each[b] - both[a, b]
    return pd.DataFrame({
        "code_a": [codes[i] for i in a],
        "code_b": [codes[j] for j in b],
        "units": both[a, b].astype(np.int64),
        "units_a": each[a].astype(np.int64),
        "units_b": each[b].astype(np.int64),
        "jaccard": np.where(union > 0, both[a, b] / np.maximum(union, 1), np.nan),
    })


# --------------------------------------------------------------------------- agreement


@dataclass(frozen=True)
class Agreement:
    """Inter-coder agreement on a multi-coded sample.

    Attributes
    ----------
    statistic : str
        ``"cohen"``, ``"fleiss"``, ``"randolph"`` or ``"krippendorff"``.
    kappa : float
        The agreement coefficient: Cohen's (weighted) or Fleiss' kappa, or
        Krippendorff's alpha.
    std_error : float
        Cohen: the asymptotic standard error (Fleiss, Cohen & Everitt 1969),
        which gives the interval. Fleiss: the standard error under no
        agreement beyond chance (Fleiss, Nee & Landis 1979), which gives the
        z test but no interval. NaN otherwise.
    ci_low, ci_high : float
        Normal-approximation interval at ``confidence`` (Cohen only; NaN otherwise).
    confidence : float
    observed_agreement, expected_agreement : float
        ``p_o`` and ``p_e`` in ``kappa = (p_o - p_e) / (1 - p_e)`` (weighted
        for weighted kappa; NaN for alpha).
    n_items, n_raters, n_categories : int
    raters : tuple of str
    table : pandas.DataFrame
        Cohen: rater-by-rater contingency table. Fleiss: items by categories
        counts. Krippendorff: raters by items codes.
    z, p_value : float
        Test of no agreement beyond chance (kappa = 0), two-sided; NaN where
        none is computed (Randolph, Krippendorff).
    weighting : str or None
        Cohen: ``None``, ``"linear"`` or ``"quadratic"``; Krippendorff: the
        level of measurement.
    """

    statistic: str
    kappa: float
    std_error: float
    ci_low: float
    ci_high: float
    confidence: float
    observed_agreement: float
    expected_agreement: float
    n_items: int
    n_raters: int
    n_categories: int
    raters: tuple[str, ...]
    table: pd.DataFrame = field(repr=False, compare=False)
    z: float = math.nan
    p_value: float = math.nan
    weighting: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy frame of the numbers (without the table): the one estimate, with its interval."""
        return pd.DataFrame([{
            "statistic": self.statistic, "weighting": self.weighting, "kappa": self.kappa,
            "std_error": self.std_error, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "confidence": self.confidence, "z": self.z, "p_value": self.p_value,
            "observed_agreement": self.observed_agreement,
            "expected_agreement": self.expected_agreement, "n_items": self.n_items,
            "n_raters": self.n_raters, "n_categories": self.n_categories,
            "raters": ", ".join(self.raters)}])

    def summary(self) -> pd.DataFrame:
        """Headline numbers as a one-row DataFrame: for one statistic, the same row as :meth:`to_frame`."""
        return self.to_frame()

    @property
    def name(self) -> str:
        """Plain name of the coefficient, e.g. ``Cohen's kappa (linear weights)``."""
        if self.statistic == "krippendorff":
            return f"Krippendorff's alpha ({self.weighting})"
        base = f"{self.statistic.capitalize()}'s kappa"
        return f"{base} ({self.weighting} weights)" if self.weighting else base

    def _repr_html_(self) -> str:
        esc = html.escape
        ci = ("" if np.isnan(self.ci_low) else
              f" ({self.confidence:.0%} CI {self.ci_low:.3f} to {self.ci_high:.3f})")
        test = "" if np.isnan(self.z) else f"; z = {self.z:.2f}, p = {self.p_value:.3g}"
        head = (f"<p><b>{esc(self.name)}</b> = {self.kappa:.3f}{esc(ci)}{esc(test)}; "
                f"observed agreement {self.observed_agreement:.3f}, expected by chance "
                f"{self.expected_agreement:.3f}; {self.n_items} items, {self.n_raters} coders "
                f"({esc(', '.join(self.raters))}), {self.n_categories} codes.</p>")
        table = self.table if self.statistic == "cohen" else self.table.head(10)
        return head + table.to_html(escape=True)


def _codings(codings: pd.DataFrame, item: str, rater: str, code: str) -> pd.DataFrame:
    return _typed(codings, {item: "str", rater: "str", code: "str"}, source="codings",
                  key=(item, rater))


def _complete(wide: pd.DataFrame, typed: pd.DataFrame, item: str, incomplete: str) -> pd.DataFrame:
    if incomplete not in {"raise", "drop"}:
        raise ValueError(f"incomplete={incomplete!r} not recognised; choose 'raise' or 'drop'")
    missing = wide.isna().any(axis=1)
    if missing.any() and incomplete == "raise":
        # ``typed`` may be a subset (two raters of many); its index keeps the positions of
        # the validated table, so the row is that of the caller's file, not of the subset
        first_row = {v: int(i) + 2 for i, v in zip(typed.index[::-1], typed[item].iloc[::-1],
                                                     strict=True)}
        problems = [Problem("codings", first_row[i], item,
                            f"{i} is not coded by {', '.join(wide.columns[wide.loc[i].isna()])}",
                            "every item coded by every rater, or incomplete='drop'")
                    for i in wide.index[missing][:25]]
        if missing.sum() > 25:
            problems.append(Problem("codings", None, item, f"... and {missing.sum() - 25} more items"))
        raise InputError(problems, source="codings")
    out = wide.loc[~missing]
    if len(out) == 0:
        raise InputError([Problem("codings", None, item, "no item is coded by every rater",
                                  "at least one item coded by all raters")], source="codings")
    return out


def _interval(kappa: float, se: float, confidence: float) -> tuple[float, float]:
    if not np.isfinite(se):
        return np.nan, np.nan
    z = _stats.z_value(confidence)
    return kappa - z * se, kappa + z * se


def _order(codes, levels: Sequence | None, what: str) -> list[str]:
    """Codes in order: ``levels`` as given, else numerically if every code is a number, else sorted."""
    seen = sorted(set(codes))
    if levels is not None:
        order = [str(x) for x in levels]
        if len(set(order)) != len(order):
            raise ValueError(f"levels {list(levels)!r} repeat a value")
        unknown = [c for c in seen if c not in order]
        if unknown:
            raise ValueError(f"{what}: codes {unknown} are not among levels {order}")
        return order
    numbers = pd.to_numeric(pd.Series(seen), errors="coerce")
    if numbers.notna().all():
        return [seen[i] for i in np.argsort(numbers.to_numpy(), kind="stable")]
    return seen


def cohen_kappa(
    codings: pd.DataFrame,
    *,
    item: str = "segment_id",
    rater: str = "coder",
    code: str = "code",
    raters: Sequence[str] | None = None,
    confidence: float = 0.95,
    incomplete: str = "raise",
    weights: str | None = None,
    levels: Sequence | None = None,
) -> Agreement:
    """Cohen's kappa of two coders, unweighted or weighted, from long-format codings.

    Parameters
    ----------
    codings : pandas.DataFrame
        One row per item and rater (:data:`ipsresearch.schemas.CODINGS`).
    item, rater, code : str
        Column names.
    raters : pair of str, optional
        The two raters to compare; required when the table holds more than two.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent). Here: of the normal-approximation interval.
    incomplete : {"raise", "drop"}
        What to do with items that only one of the two raters coded.
    weights : {None, "linear", "quadratic"}
        Unweighted kappa, or weighted kappa for ordered codes with agreement
        weights ``1 - |i - j| / (c - 1)`` (linear) or ``1 - (i - j)² / (c - 1)²``
        (quadratic) between the ``i``-th and ``j``-th of ``c`` ordered codes.
    levels : sequence, optional
        The codes in order (for weighted kappa), e.g. ``["low", "medium",
        "high"]``; levels nobody used still count in the spacing. By default
        the codes used, in numeric order when all are numbers (as irr's
        ``kappa2``), else sorted as text.

    Returns
    -------
    Agreement
        ``statistic="cohen"``; ``table`` is the contingency table (rows: first
        rater, columns: second rater) over every code either used (or
        ``levels``); ``z`` and ``p_value`` test kappa = 0.

    Raises
    ------
    ipsresearch.validation.InputError
        A rater coded an item twice, a cell is blank, or (``incomplete="raise"``)
        an item lacks one of the two codings.
    ValueError
        The table has more than two raters and ``raters`` is not given, or a
        named rater is absent.

    Notes
    -----
    The estimate, its asymptotic variance (Fleiss, Cohen & Everitt 1969) and
    the z test (with the variance under kappa = 0) are those of
    :func:`statsmodels.stats.inter_rater.cohens_kappa` (``wt="linear"`` or
    ``"quadratic"`` for weights); the interval is ``kappa +/- z * std_error``.
    Agrees with base-R computations in ``tests/reference/kappa.R`` and with
    irr 0.84.1's ``kappa2(weight = "unweighted" | "equal" | "squared")`` (kappa,
    z and p to 1e-10) on irr's anxiety, video, vision and diagnoses data
    (``tests/reference/agreement.R``).

    References
    ----------
    Cohen J. A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement 1960;20:37-46. doi:10.1177/001316446002000104

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"segment_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                         "coder": ["DS", "NL"] * 4,
    ...                         "code": ["a", "a", "a", "b", "b", "b", "b", "b"]})
    >>> round(cohen_kappa(codings).kappa, 4)
    0.5
    >>> grades = pd.DataFrame({"segment_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                        "coder": ["DS", "NL"] * 4, "code": ["1", "2", "2", "2", "3", "3", "1", "3"]})
    >>> round(cohen_kappa(grades, weights="quadratic").kappa, 4)  # irr: kappa2(..., "squared") 0.1666667
    0.1667
    """
    check_confidence(confidence)
    check_choice("weights", weights, (None, "linear", "quadratic"))
    typed = _codings(codings, item, rater, code)
    present = list(dict.fromkeys(typed[rater]))
    if raters is None:
        if len(present) != 2:
            word = "coder" if len(present) == 1 else "coders"
            raise ValueError(f"Cohen's kappa compares two coders (column `{rater}`); the codings "
                             f"hold {len(present)} {word} ({', '.join(map(str, present))}). Pass "
                             "raters=(a, b), or use fleiss_kappa or pairwise_kappa")
        pair = tuple(sorted(present))
    else:
        pair = tuple(raters)
        if len(pair) != 2 or pair[0] == pair[1]:
            raise ValueError(f"raters must name two different coders, got {raters!r}")
        absent = [r for r in pair if r not in present]
        if absent:
            raise ValueError(f"coder {', '.join(map(str, absent))} not found in column `{rater}`; "
                             f"coders present: {', '.join(map(str, present))}")
    sub = typed[typed[rater].isin(pair)]
    wide = sub.pivot(index=item, columns=rater, values=code).reindex(columns=list(pair))
    wide = _complete(wide, sub, item, incomplete)
    cats = _order(set(wide[pair[0]]) | set(wide[pair[1]]), levels, "codings")
    table = pd.crosstab(pd.Categorical(wide[pair[0]], cats), pd.Categorical(wide[pair[1]], cats),
                        dropna=False)
    table.index.name, table.columns.name = pair
    counts = table.to_numpy(dtype=float)
    n = counts.sum()
    c = len(cats)
    dist = np.abs(np.subtract.outer(np.arange(c), np.arange(c))) / max(c - 1, 1)
    agree = {None: np.eye(c), "linear": 1 - dist, "quadratic": 1 - dist**2}[weights]
    p_o = float((agree * counts).sum() / n)
    p_e = float((agree * np.outer(counts.sum(axis=1), counts.sum(axis=0))).sum() / n**2)
    z = p_value = np.nan
    if c == 1:  # both raters used one code throughout: kappa is undefined
        kappa, se = np.nan, np.nan
    else:
        with np.errstate(invalid="ignore", divide="ignore"):  # z test statistic when var0 is 0
            res = inter_rater.cohens_kappa(counts, wt=weights)
        kappa, se = float(res.kappa), float(res.std_kappa)
        z, p_value = float(res.z_value), float(res.pvalue_two_sided)
    lo, hi = _interval(kappa, se, confidence)
    return Agreement("cohen", kappa, se, lo, hi, confidence, p_o, p_e, int(n), 2, c,
                     pair, table, z=z, p_value=p_value, weighting=weights)


def fleiss_kappa(
    codings: pd.DataFrame,
    *,
    item: str = "segment_id",
    rater: str = "coder",
    code: str = "code",
    method: str = "fleiss",
    incomplete: str = "raise",
) -> Agreement:
    """Fleiss' kappa of any number of coders, from long-format codings.

    Parameters
    ----------
    codings : pandas.DataFrame
        One row per item and rater (:data:`ipsresearch.schemas.CODINGS`).
    item, rater, code : str
        Column names.
    method : {"fleiss", "randolph"}
        Chance agreement from the pooled code shares (Fleiss) or uniform over
        the codes used (Randolph's free-marginal kappa).
    incomplete : {"raise", "drop"}
        What to do with items not coded by every rater.

    Returns
    -------
    Agreement
        ``std_error`` is the standard error under no agreement beyond chance,
        with ``z = kappa / std_error`` and its two-sided ``p_value`` (Fleiss
        method only); the interval is NaN (that standard error does not hold
        away from kappa = 0); ``table`` holds the items-by-codes counts.

    Notes
    -----
    Uses :func:`statsmodels.stats.inter_rater.aggregate_raters` and
    :func:`statsmodels.stats.inter_rater.fleiss_kappa`. statsmodels has no
    standard error, so the variance under kappa = 0 of Fleiss, Nee and
    Landis (1979), ``2 / (N m (m - 1)) [(sum p q)² - sum p q (q - p)] / (sum p q)²``
    with ``p`` the pooled share of each code and ``q = 1 - p``, is written
    here; it is what irr 0.84.1's ``kappam.fleiss`` reports, and kappa, z and
    p agree with it to 1e-10 on irr's diagnoses, anxiety and video data
    (``tests/reference/agreement.R``). With two raters, Fleiss' kappa equals
    Scott's pi, not Cohen's kappa.

    References
    ----------
    Fleiss JL. Measuring nominal scale agreement among many raters.
    Psychological Bulletin 1971;76:378-382. doi:10.1037/h0031619

    Fleiss JL, Nee JCM, Landis JR. Large sample variance of kappa in the case
    of different sets of raters. Psychological Bulletin 1979;86:974-977.
    doi:10.1037/0033-2909.86.5.974

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"segment_id": [1] * 3 + [2] * 3,
    ...                         "coder": ["A", "B", "C"] * 2,
    ...                         "code": ["x", "x", "x", "y", "y", "x"]})
    >>> round(fleiss_kappa(codings).kappa, 4)
    0.25
    """
    check_choice("method", method, ("fleiss", "randolph"))
    typed = _codings(codings, item, rater, code)
    present = sorted(set(typed[rater]))
    if len(present) < 2:
        raise ValueError(f"agreement needs at least two coders (column `{rater}`); the codings hold "
                         f"{len(present)} ({', '.join(map(str, present))})")
    wide = typed.pivot(index=item, columns=rater, values=code).reindex(columns=present)
    wide = _complete(wide, typed, item, incomplete)
    cats = sorted(set(wide.to_numpy().ravel()))
    index = {c: i for i, c in enumerate(cats)}
    coded = np.vectorize(index.__getitem__)(wide.to_numpy())
    counts, _ = inter_rater.aggregate_raters(coded, n_cat=len(cats))
    kappa = float(inter_rater.fleiss_kappa(counts, method=method)) if len(cats) > 1 else np.nan
    m = len(present)
    p_o = float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())
    p_e = (1.0 / len(cats) if method == "randolph"
           else float(((counts.sum(axis=0) / counts.sum()) ** 2).sum()))
    table = pd.DataFrame(counts, index=wide.index, columns=cats)
    se = z = p_value = np.nan
    if method == "fleiss" and len(cats) > 1:
        p = counts.sum(axis=0) / counts.sum()
        pq = p * (1 - p)
        var0 = 2 / (len(wide) * m * (m - 1)) * (pq.sum() ** 2 - (pq * (1 - 2 * p)).sum()) / pq.sum() ** 2
        se = math.sqrt(var0)
        z = kappa / se
        p_value = float(2 * norm.sf(abs(z)))
    return Agreement(method, kappa, se, np.nan, np.nan, np.nan, p_o, p_e, len(wide), m,
                     len(cats), tuple(present), table, z=z, p_value=p_value)


def pairwise_kappa(
    codings: pd.DataFrame,
    *,
    item: str = "segment_id",
    rater: str = "coder",
    code: str = "code",
    confidence: float = 0.95,
    incomplete: str = "raise",
) -> pd.DataFrame:
    """Cohen's kappa for every pair of raters.

    Parameters
    ----------
    codings : pandas.DataFrame
        One row per item and rater (:data:`ipsresearch.schemas.CODINGS`).
    item, rater, code : str
        Column names.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent). Here: of the
        normal-approximation interval of each kappa.
    incomplete : {"raise", "drop"}
        As :func:`cohen_kappa`, for each pair.

    Returns
    -------
    pandas.DataFrame
        One row per pair (sorted): ``rater_a, rater_b, n_items, kappa,
        std_error, ci_low, ci_high, observed_agreement, expected_agreement``.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"segment_id": [1, 1, 1, 2, 2, 2],
    ...                         "coder": ["A", "B", "C"] * 2,
    ...                         "code": ["x", "x", "y", "y", "y", "y"]})
    >>> pairwise_kappa(codings)[["rater_a", "rater_b", "kappa"]].values.tolist()
    [['A', 'B', 1.0], ['A', 'C', 0.0], ['B', 'C', 0.0]]
    """
    check_confidence(confidence)
    typed = _codings(codings, item, rater, code)
    rows = []
    for a, b in itertools.combinations(sorted(set(typed[rater])), 2):
        r = cohen_kappa(typed, item=item, rater=rater, code=code, raters=(a, b),
                        confidence=confidence, incomplete=incomplete)
        rows.append({"rater_a": a, "rater_b": b, "n_items": r.n_items, "kappa": r.kappa,
                     "std_error": r.std_error, "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "observed_agreement": r.observed_agreement,
                     "expected_agreement": r.expected_agreement})
    return pd.DataFrame(rows)


KRIPPENDORFF_LEVELS = ("nominal", "ordinal", "interval", "ratio")
"""Levels of measurement accepted by :func:`krippendorff_alpha`."""


def krippendorff_alpha(
    codings: pd.DataFrame,
    *,
    item: str = "segment_id",
    rater: str = "coder",
    code: str = "code",
    level: str = "nominal",
    levels: Sequence | None = None,
) -> Agreement:
    """Krippendorff's alpha for any number of coders, with missing codings allowed.

    Parameters
    ----------
    codings : pandas.DataFrame
        One row per item and rater (:data:`ipsresearch.schemas.CODINGS`).
        Items need not be coded by every rater; an item coded once adds nothing.
    item, rater, code : str
        Column names.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which sets the distance between two codes.
        ``interval`` and ``ratio`` need numeric codes.
    levels : sequence, optional
        The codes in order, for ``ordinal`` (default: numeric order when all
        codes are numbers, else sorted as text).

    Returns
    -------
    Agreement
        ``statistic="krippendorff"``, the coefficient in ``kappa``,
        ``weighting`` the level; ``table`` holds raters by items. Observed
        and expected agreement and a standard error are not reported (NaN):
        the package returns alpha only, and alpha's uncertainty is usually
        bootstrapped.

    Raises
    ------
    ValueError
        An unknown level, non-numeric codes for interval or ratio, a code
        missing from ``levels``, or no item coded twice.

    Notes
    -----
    Computed by the ``krippendorff`` package (``krippendorff.alpha``).
    Agrees with irr 0.84.1's ``kripp.alpha`` to 1e-10 on Krippendorff's
    example with missing values and on irr's anxiety and video ratings, at
    all four levels (``tests/reference/agreement.R``).

    References
    ----------
    Krippendorff K. Computing Krippendorff's alpha-reliability. 2011.
    Hayes AF, Krippendorff K. Answering the call for a standard reliability
    measure for coding data. Communication Methods and Measures 2007;1:77-89.
    doi:10.1080/19312450709336664

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"segment_id": [1, 1, 2, 2, 3, 3, 4],
    ...                         "coder": ["A", "B"] * 3 + ["A"],
    ...                         "code": ["x", "x", "y", "y", "x", "y", "y"]})
    >>> round(krippendorff_alpha(codings).kappa, 4)
    0.4
    """
    check_choice("level", level, KRIPPENDORFF_LEVELS)
    typed = _codings(codings, item, rater, code)
    present = sorted(set(typed[rater]))
    if len(present) < 2:
        raise ValueError(f"agreement needs at least two coders (column `{rater}`); the codings hold "
                         f"{len(present)} ({', '.join(map(str, present))})")
    wide = typed.pivot(index=rater, columns=item, values=code).reindex(index=present)
    if int((wide.notna().sum(axis=0) >= 2).sum()) == 0:
        raise ValueError("Krippendorff's alpha needs at least one item coded by two raters")
    codes = sorted(set(typed[code]))
    if level in ("interval", "ratio"):
        numbers = pd.to_numeric(pd.Series(codes), errors="coerce")
        if numbers.isna().any():
            bad = [c for c, x in zip(codes, numbers, strict=True) if pd.isna(x)]
            raise ValueError(f"level {level!r} needs numeric codes; not numbers: {bad}")
        data = wide.apply(pd.to_numeric).to_numpy(dtype=float)
        domain = np.unique(data[~np.isnan(data)])
    else:
        order = _order(codes, levels, "codings")
        rank = {c: float(i) for i, c in enumerate(order)}
        data = wide.apply(lambda col: col.map(rank)).to_numpy(dtype=float)
        domain = np.arange(len(order), dtype=float)
    alpha = float(krippendorff.alpha(reliability_data=data, value_domain=domain,
                                     level_of_measurement=level))
    return Agreement("krippendorff", alpha, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan,
                     int(wide.shape[1]), len(present), len(codes), tuple(present), wide,
                     weighting=level)

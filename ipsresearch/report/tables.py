"""Formatting for reports: numbers become text only here, never in analysis results.

The one formatting layer of the package, used by every notebook:

* :func:`show_table` turns any result into a table for people (:class:`Table`):
  headers in words, numbers rounded by what they are (counts, percentages,
  p-values, intervals ``low to high``), booleans as yes/no, a missing value as
  a dash or a phrase (``not reached``), no index column, nothing cut, and a
  caption that the report builder numbers;
* :func:`show_figure` turns a drawn figure into an SVG image whose alt text is
  the figure's own description, with a numbered caption (:class:`Figure`);
* the cell formatters :func:`format_count`, :func:`format_percent`,
  :func:`format_p`, :func:`format_number`, :func:`format_interval` and
  :func:`format_cell`, and the display tables of particular results
  (``format_rates``, ``format_survival``, ``format_meta``, ``format_bands``,
  ``format_flow``);
* the claims table (:func:`claims_html`, :func:`show_claims`) and the display
  form of a claim's values (:func:`format_value`, also used by ``ipsresearch
  verify``).

Every function returns new strings or frames and leaves its numeric input
unchanged. IPython is imported only by :func:`show_claims` and matplotlib
only by :func:`show_figure`, so that the command line can use
:func:`format_value` without loading the notebook machinery.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ipsresearch.claims import ClaimResult

if TYPE_CHECKING:
    from IPython.display import HTML

__all__ = ["CLAIMS_CSS", "FIGURE_CSS", "HEADERS", "MISSING", "TABLE_CSS", "caption_label",
           "claims_by_source", "claims_counts", "claims_headline", "claims_html", "column_digits",
           "column_kind",
           "conflicts_html", "counts_html", "doi_link", "Figure", "format_bands", "format_cell",
           "format_count", "format_excluded_trials", "format_flow", "format_heterogeneity",
           "format_interval", "format_meta", "format_misread", "format_number", "format_p",
           "format_percent", "format_rates", "format_survival", "format_trials", "format_value",
           "header", "left_out_html", "printed_value", "register_html", "short_name", "show_claims",
           "show_figure", "show_table", "source_label", "Table"]


def format_rates(rates: pd.DataFrame, *, label: str | None = None, digits: int = 1) -> pd.DataFrame:
    """Display table of :func:`ipsresearch.outcomes.placement_rate` output.

    Returns a new DataFrame of strings such as ``33 of 65``, ``50.8%`` and
    ``38.9% to 62.5%`` (under ``95% interval`` when the input echoes its
    ``confidence``); the numeric input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"n": [65], "events": [33], "rate": [33 / 65],
    ...                   "ci_low": [0.389], "ci_high": [0.625], "method": ["wilson"]})
    >>> format_rates(r).iloc[0].tolist()
    ['33 of 65', '50.8%', '38.9% to 62.5%', 'wilson']
    >>> format_rates(r.assign(site=["All"]), label="site").index.tolist()
    ['All']
    """
    index = pd.Index(rates[label].astype(str), name=label) if label is not None else rates.index
    out = _rate_columns(pd.DataFrame(index=index), rates, counted="participants", digits=digits)
    out["method"] = rates["method"].astype(str).to_numpy()
    return out


def _rate_columns(out: pd.DataFrame, rates: pd.DataFrame, *, counted: str, digits: int) -> pd.DataFrame:
    """``out`` with the columns ``counted`` (``33 of 65``), ``rate`` and ``interval`` of
    :func:`ipsresearch.outcomes.placement_rate`-shaped ``rates`` (same row order)."""
    out[counted] = [f"{e} of {n}" for e, n in zip(rates["events"], rates["n"], strict=True)]
    out["rate"] = [format_percent(v, digits=digits) for v in rates["rate"]]
    out[_level_header(rates, "interval")] = [
        format_interval(lo, hi, kind="percent", digits=digits)
        for lo, hi in zip(rates["ci_low"], rates["ci_high"], strict=True)]
    return out


def _level_header(frame: pd.DataFrame, what: str) -> str:
    """``what`` with the confidence level in front when ``frame`` echoes one level."""
    if "confidence" in frame and frame["confidence"].nunique(dropna=True) == 1:
        return f"{float(frame['confidence'].dropna().iloc[0]):.0%} {what}"
    return what


def format_survival(
    table: pd.DataFrame,
    *,
    value: str = "survival",
    by: str | list[str] | None = None,
    digits: int = 1,
) -> pd.DataFrame:
    """Display table of Kaplan-Meier estimates at horizons (``SurvivalResult.table``).

    ``value`` names the estimate column; its interval is ``ci_low``/``ci_high``
    for ``survival`` and ``<value>_ci_low``/``<value>_ci_high`` otherwise (e.g.
    ``share_working``). The numeric input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"horizon": [365.0], "n": [40], "events": [22], "n_at_risk": [14],
    ...                   "survival": [0.4083], "ci_low": [0.2215], "ci_high": [0.5879],
    ...                   "ci_transform": ["log-log"]})
    >>> format_survival(t).iloc[0].tolist()
    ['365', '40', '14', '40.8%', '22.1% to 58.8%', 'log-log']
    """
    lo_col, hi_col = ("ci_low", "ci_high") if value == "survival" else (f"{value}_ci_low", f"{value}_ci_high")
    groups = [by] if isinstance(by, str) else list(by or [])
    out = pd.DataFrame(index=table.index)
    for g in groups:
        out[g] = table[g].astype(str)
    out["day"] = table["horizon"].map(lambda h: f"{h:g}")
    out["n"] = table["n"].astype(str)
    out["at risk"] = table["n_at_risk"].astype(str)
    shown = [format_cell(v, kind="percent", digits=digits, missing="not estimated") for v in table[value]]
    out[value.replace("_", " ")] = shown
    out[_level_header(table, "interval")] = [
        format_interval(lo, hi, kind="percent", digits=digits)
        for lo, hi in zip(table[lo_col], table[hi_col], strict=True)]
    out["transform"] = table["ci_transform"].astype(str)
    return out


def format_meta(summary: pd.DataFrame, *, label: str | None = None, digits: int = 2) -> pd.DataFrame:
    """Display table of pooled results (``MetaAnalysisResult.summary()`` rows).

    Ratios and differences get ``digits`` decimals; proportions (``PLO``,
    ``PFT``) are shown as percentages. The numeric input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"measure": ["RR"], "method": ["REML"], "k": [7], "estimate": [1.761],
    ...     "ci_low": [1.355], "ci_high": [2.288], "pi_low": [1.014], "pi_high": [3.058],
    ...     "tau2": [0.0616], "i2": [53.3], "q": [14.23], "q_df": [6], "q_p": [0.027]})
    >>> format_meta(s).iloc[0].tolist()
    ['RR', 'REML', '7', '1.76', '1.35 to 2.29', '1.01 to 3.06', '0.062', '53%', '14.2 (6)', '0.027']

    ``label`` names a column of row labels shown first; it may not be one of the
    table's own columns, which would overwrite it:

    >>> format_meta(s.assign(fit="Wald"), label="fit").columns[0]
    'fit'
    >>> format_meta(s.assign(interval="Wald"), label="interval")
    Traceback (most recent call last):
    ...
    ValueError: label='interval' would be overwritten by format_meta's own column 'interval'; name the row labels otherwise (e.g. 'fit', 'group')
    """
    shown = ("measure", "method", "studies", "estimate", "interval", "prediction interval",
             "tau²", "I²", "Q (df)", "p (Q)")
    if label is not None and label in shown:
        raise ValueError(f"label={label!r} would be overwritten by format_meta's own column "
                         f"{label!r}; name the row labels otherwise (e.g. 'fit', 'group')")
    out = pd.DataFrame(index=summary.index)
    if label is not None:
        out[label] = summary[label].astype(str)
    out["measure"] = summary["measure"].astype(str)
    out["method"] = summary["method"].astype(str)
    out["studies"] = summary["k"].astype(str)
    prop = summary["measure"].isin(["PLO", "PFT"]).to_numpy()

    def num(v: float, p: bool) -> str:
        return f"{v:.{max(digits - 2, 0) + 1}%}" if p else f"{v:.{digits}f}"

    out["estimate"] = [num(v, p) for v, p in zip(summary["estimate"], prop, strict=True)]
    out["interval"] = [f"{num(lo, p)} to {num(hi, p)}" for lo, hi, p in
                       zip(summary["ci_low"], summary["ci_high"], prop, strict=True)]
    out["prediction interval"] = [f"{num(lo, p)} to {num(hi, p)}" for lo, hi, p in
                                  zip(summary["pi_low"], summary["pi_high"], prop, strict=True)]
    out["tau²"] = summary["tau2"].map(lambda v: f"{v:.3f}")
    out["I²"] = summary["i2"].map(lambda v: f"{v:.0f}%")
    out["Q (df)"] = [f"{q:.1f} ({d})" for q, d in zip(summary["q"], summary["q_df"], strict=True)]
    out["p (Q)"] = summary["q_p"].map(lambda v: "< 0.001" if v < 0.001 else f"{v:.3f}")
    return out


def format_heterogeneity(table: pd.DataFrame, *, digits: int = 3) -> pd.DataFrame:
    """Display table of ``MetaAnalysisResult.heterogeneity()`` (tau², tau, I², H² with intervals).

    Indexed by the quantity's symbol; I² in per cent. The numeric input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"quantity": ["tau2", "i2"], "estimate": [0.1167, 79.43],
    ...     "ci_low": [0.0255, 45.77], "ci_high": [1.1098, 97.35], "method": ["Q-profile"] * 2})
    >>> format_heterogeneity(h).reset_index().values.tolist()
    [['tau²', '0.117', '0.026 to 1.110', 'Q-profile'], ['I²', '79%', '46% to 97%', 'Q-profile']]
    """
    names = {"tau2": "tau²", "tau": "tau", "i2": "I²", "h2": "H²"}

    def num(v: float, q: str) -> str:
        return f"{v:.0f}%" if q == "i2" else f"{v:.{digits}f}"

    out = pd.DataFrame(index=pd.Index([names.get(q, q) for q in table["quantity"]], name="quantity"))
    q = table["quantity"].tolist()
    out["estimate"] = [num(v, k) for v, k in zip(table["estimate"], q, strict=True)]
    out["interval"] = [f"{num(lo, k)} to {num(hi, k)}"
                       for lo, hi, k in zip(table["ci_low"], table["ci_high"], q, strict=True)]
    out["method"] = table["method"].astype(str).to_numpy()
    return out


def _arm(events: Any, n: Any) -> str:
    return f"{int(events)} of {int(n)}"


def format_trials(trials: pd.DataFrame) -> pd.DataFrame:
    """Display table of the pooled trials of ``ips_trials.select_trials(...).pooled``.

    Indexed by study: the IPS and control counts (``85 of 156``), how the
    counts were established, the analysis set, region and control condition,
    and the source's full address with the place in it where the figures
    were read. The numeric input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"study": ["Burns 2007"], "events_treatment": [85], "n_treatment": [156],
    ...     "events_control": [43], "n_control": [156], "counts": ["settled"],
    ...     "analysis_set": ["primary"], "region": ["Europe"],
    ...     "control_category": ["traditional_vocational_rehabilitation"],
    ...     "source_url": ["https://pubmed.ncbi.nlm.nih.gov/17905167/"],
    ...     "source_location": ["abstract"]})
    >>> format_trials(t).iloc[0].tolist()[:5]
    ['85 of 156', '43 of 156', 'settled', 'primary', 'Europe']
    """
    out = pd.DataFrame(index=pd.Index(trials["study"].astype(str), name="study"))
    out["IPS"] = [_arm(e, n) for e, n in zip(trials["events_treatment"], trials["n_treatment"], strict=True)]
    out["control"] = [_arm(e, n) for e, n in zip(trials["events_control"], trials["n_control"], strict=True)]
    out["counts"] = trials["counts"].astype(str).to_numpy()
    out["set"] = trials["analysis_set"].astype(str).to_numpy()
    out["region"] = trials["region"].astype(str).to_numpy()
    out["control condition"] = trials["control_category"].astype(str).str.replace("_", " ").to_numpy()
    out["source"] = trials["source_url"].fillna("no address").astype(str).to_numpy()
    out["where in the source"] = trials["source_location"].astype(str).to_numpy()
    return out


def format_excluded_trials(excluded: pd.DataFrame, *, digits: int = 2) -> pd.DataFrame:
    """Display table of the reports left out of pooling (``ips_trials.select_trials(...).excluded``).

    Indexed by study: set, confidence, the percentages as printed, their
    ratio (no interval: it has no arm sizes behind it), the reason and the
    source's address (when the frame has ``source_url``). The numeric input
    is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"study": ["Lehman 2002"], "analysis_set": ["none"],
    ...     "confidence": ["unavailable"], "reason": ["Arm sizes not stated."],
    ...     "pct_ips_stated": ["27"], "pct_control_stated": ["7"], "printed_ratio": [27 / 7]})
    >>> format_excluded_trials(x).iloc[0].tolist()
    ['none', 'unavailable', '27% vs 7%', '3.86', 'Arm sizes not stated.']
    """
    out = pd.DataFrame(index=pd.Index(excluded["study"].astype(str), name="study"))
    out["set"] = excluded["analysis_set"].astype(str).to_numpy()
    out["confidence"] = excluded["confidence"].astype(str).to_numpy()
    out["printed rates"] = [f"{a}% vs {b}%" if pd.notna(a) and pd.notna(b) and str(a) and str(b) else ""
                            for a, b in zip(excluded["pct_ips_stated"], excluded["pct_control_stated"],
                                            strict=True)]
    out["ratio of printed rates"] = [f"{r:.{digits}f}" if pd.notna(r) else "" for r in excluded["printed_ratio"]]
    out["reason"] = excluded["reason"].astype(str).to_numpy()
    if "source_url" in excluded.columns:
        out["source"] = excluded["source_url"].fillna("no address").astype(str).to_numpy()
    return out


def format_misread(frame: pd.DataFrame, *, label: str = "risk ratio", digits: int = 2) -> pd.DataFrame:
    """Display table of ``MisreadTotals.to_frame()``: rates and estimates, correct and misread.

    Indexed by study (the pooled row last): the two arms' rates and the
    estimate with its interval, first with events among arm totals, then
    with each total read as the count without the outcome. The numeric input
    is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"row": ["study"], "study": ["A"], "rate_treatment": [0.5449],
    ...     "rate_control": [0.2756], "estimate": [1.977], "ci_low": [1.476], "ci_high": [2.647],
    ...     "rate_treatment_misread": [0.3527], "rate_control_misread": [0.2161],
    ...     "estimate_misread": [1.632], "ci_low_misread": [1.191], "ci_high_misread": [2.237]})
    >>> format_misread(f).iloc[0].tolist()
    ['54.5% vs 27.6%', '1.98 (1.48 to 2.65)', '35.3% vs 21.6%', '1.63 (1.19 to 2.24)']
    """
    def rates(a: float, b: float) -> str:
        return "" if pd.isna(a) else f"{a:.1%} vs {b:.1%}"

    def est(v: float, lo: float, hi: float) -> str:
        return f"{v:.{digits}f} ({lo:.{digits}f} to {hi:.{digits}f})"

    out = pd.DataFrame(index=pd.Index(frame["study"].astype(str), name="study"))
    for suffix, head in (("", "events among totals"), ("_misread", "totals read as 'without'")):
        out[f"rates, {head}"] = [rates(a, b) for a, b in zip(frame[f"rate_treatment{suffix}"],
                                                             frame[f"rate_control{suffix}"], strict=True)]
        out[f"{label}, {head}"] = [est(v, lo, hi) for v, lo, hi in zip(
            frame[f"estimate{suffix}"], frame[f"ci_low{suffix}"], frame[f"ci_high{suffix}"], strict=True)]
    return out


def format_bands(dist: pd.DataFrame, *, by: str | None = None, unit: str = "reviews",
                 digits: int = 0) -> pd.DataFrame:
    """Display table of :func:`ipsresearch.fidelity.band_distribution` or ``band_mentions``.

    Returns strings such as ``8 of 14`` (in a column named ``unit``), ``57%``
    and ``33% to 79%``; the numeric input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"band": ["fair"], "low": [74], "high": [99], "n": [14], "count": [8],
    ...                   "share": [8 / 14], "ci_low": [0.3259], "ci_high": [0.7862]})
    >>> format_bands(d).iloc[0].tolist()
    ['fair', '74-99', '8 of 14', '57%', '33% to 79%']
    """
    out = pd.DataFrame(index=dist.index)
    if by is not None:
        out[by] = dist[by].astype(str)
    out["band"] = dist["band"].astype(str).str.replace("_", " ")
    if "low" in dist and "high" in dist:
        out["totals"] = [("" if pd.isna(lo) else f"{lo}-{hi}")
                         for lo, hi in zip(dist["low"], dist["high"], strict=True)]
    out[unit] = [f"{c} of {n}" for c, n in zip(dist["count"], dist["n"], strict=True)]
    out["share"] = [format_percent(v, digits=digits) for v in dist["share"]]
    out[_level_header(dist, "interval")] = [
        format_interval(lo, hi, kind="percent", digits=digits)
        for lo, hi in zip(dist["ci_low"], dist["ci_high"], strict=True)]
    return out


def format_flow(flow: pd.DataFrame, *, by: str | list[str] | None = "role", digits: int = 1) -> pd.DataFrame:
    """Display table of :func:`ipsresearch.qualitative.sample_flow` output.

    Indexed by the ``by`` columns and the stage (underscores become spaces);
    columns ``people`` (``17 of 24``), ``rate`` and ``interval``. The numeric
    input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"role": ["es"], "stage": ["took_part"], "n": [24], "events": [17],
    ...                   "rate": [17 / 24], "ci_low": [0.5083], "ci_high": [0.8509]})
    >>> format_flow(f).reset_index().iloc[0].tolist()
    ['es', 'took part', '17 of 24', '70.8%', '50.8% to 85.1%']
    """
    groups = [by] if isinstance(by, str) else list(by or [])
    keys = [flow[g].astype(str).str.replace("_", " ") for g in groups]
    keys.append(flow["stage"].astype(str).str.replace("_", " "))
    out = pd.DataFrame(index=pd.MultiIndex.from_arrays(keys, names=[*groups, "stage"])
                       if groups else pd.Index(keys[0], name="stage"))
    return _rate_columns(out, flow, counted="people", digits=digits)


# --------------------------------------------------------------------------- tables for people

MISSING = "—"
"""How a missing value is shown (an em dash), unless a column names its own phrase."""

HEADERS: dict[str, str] = {
    "n": "n", "k": "studies", "events": "events", "n_studies": "studies", "n_groups": "groups",
    "n_items": "items", "n_raters": "coders", "n_categories": "codes", "n_jobs": "jobs",
    "n_total": "total n", "n_control": "n control", "n_treatment": "n IPS",
    "n_at_risk": "at risk", "std_err": "standard error", "std_error": "standard error",
    "se": "standard error", "p_value": "p", "min_p_value": "smallest possible p", "q_p": "p (Q)",
    "qm_p": "p (QM)", "qm": "QM", "qm_df": "QM df", "df": "df", "z": "z", "tau2": "τ²", "tau": "τ",
    "i2": "I²", "r2": "R²", "h2": "H²", "coef": "coefficient", "hazard_ratio": "hazard ratio",
    "rmst": "restricted mean (days)", "o_minus_e": "observed − expected",
    "part_of_rct": "part of an RCT", "study_id": "study", "paper_id": "paper",
    "review_id": "review", "benchmark_id": "benchmark", "segment_id": "segment",
    "country_code": "country", "method_type": "kind of study", "design_category": "design class",
    "fidelity_label": "fidelity label", "fidelity_label_bands": "bands named",
    "fidelity_min": "lowest score", "fidelity_max": "highest score", "fidelity_bands": "bands spanned",
    "n_work_applicants": "work applicants", "n_employment_specialists": "employment specialists",
    "n_social_workers": "social workers", "n_clinicians": "clinicians", "n_units": "units",
    "source_line": "line", "theory_line": "line", "findings_line": "findings line",
    "role_line": "role line", "level_name": "level", "sub_theme": "sub-theme",
    "sub_themes": "sub-themes", "role_as_printed": "role as printed", "band_first": "band, round 1",
    "band_second": "band, round 2", "first": "round 1", "second": "round 2",
    "items_rated": "items rated", "next_band": "next band up", "points_up": "points to it",
    "previous_band": "next band down", "points_down": "points to it", "mean_rating": "mean rating",
    "highest_possible": "highest possible", "days_to_first_review": "days to first review",
    "share_of_follow_up": "share of follow-up", "share_after_first_job": "share after first job",
    "weeks_worked": "weeks worked", "programme_n": "programme n", "follow_up": "follow-up",
    "effect_size": "effect size (h)", "p_control": "job rate, control", "p_treatment": "job rate, IPS",
    "risk_ratio": "risk ratio", "true_p_control": "true control rate",
    "true_risk_ratio": "true risk ratio", "events_treatment": "jobs, IPS", "n_treatment_arm": "n IPS",
    "events_control": "jobs, control", "observed_agreement": "observed agreement",
    "expected_agreement": "agreement by chance", "rater_a": "coder", "rater_b": "second coder",
    "duration_min": "minutes", "ci_transform": "interval transform",
}
"""Column name -> header in words; other names have their underscores replaced by spaces."""

ECHOED = ("method", "confidence", "ci_transform", "alternative")
"""Columns that echo a function's options: shown once, in the caption, when constant."""

_PERCENT = {"rate", "share", "proportion", "survival", "retention", "share_working", "coverage",
            "p_control", "p_treatment", "true_p_control", "share_of_follow_up",
            "share_after_first_job", "observed_agreement", "expected_agreement"}
_PERCENT_0_100 = {"i2", "r2"}
_P_VALUES = {"p", "p_value", "pvalue", "q_p", "qm_p", "min_p_value", "p_q", "p_egger"}
_INTERVALS = (("ci_low", "ci_high"), ("pi_low", "pi_high"))
_NUMERIC_KINDS = ("count", "percent", "percent100", "p", "number", "days")


def header(column: Any) -> str:
    """A column name in words.

    Examples
    --------
    >>> [header(c) for c in ("n_studies", "part_of_rct", "share of follow_up", 3)]
    ['studies', 'part of an RCT', 'share of follow up', '3']
    """
    name = str(column)
    return HEADERS.get(name, name.replace("_", " "))


def column_kind(name: Any, values: pd.Series) -> str:
    """How a column's values are shown, read from its name and type.

    ``count`` (whole numbers), ``percent`` (a share between 0 and 1),
    ``percent100`` (already in percent, such as I²), ``p`` (a p-value),
    ``days``, ``number`` (any other number, rounded by size), ``yes/no``
    (booleans), ``list`` (lists and tuples) or ``text``.

    Examples
    --------
    >>> import pandas as pd
    >>> [column_kind(c, pd.Series(v)) for c, v in [("n", [3, 4]), ("rate", [0.5]),
    ...     ("p_value", [0.2]), ("i2", [53.0]), ("part_of_rct", [True, False]),
    ...     ("median_days", [210.5]), ("kappa", [0.71]), ("site", ["A"])]]
    ['count', 'percent', 'p', 'percent100', 'yes/no', 'days', 'number', 'text']
    """
    name = str(name)
    non_missing = values.dropna()
    if pd.api.types.is_bool_dtype(values) or (
            len(non_missing) and all(isinstance(v, bool | np.bool_) for v in non_missing)):
        return "yes/no"
    if len(non_missing) and all(isinstance(v, list | tuple) for v in non_missing):
        return "list"
    numeric = pd.api.types.is_numeric_dtype(values) or (
        len(non_missing) > 0 and all(isinstance(v, int | float | np.number) for v in non_missing))
    if not numeric:
        return "text"
    if name in _P_VALUES or name.endswith("_p") or name.endswith("_p_value"):
        return "p"
    if name in _PERCENT_0_100:
        return "percent100"
    if (name in _PERCENT or name.startswith("share") or name.endswith("_share")
            or name.endswith("_rate") or name.startswith("rate_")):
        return "percent"
    if "days" in name.split("_"):
        return "days"
    whole = len(non_missing) > 0 and bool((pd.to_numeric(non_missing) % 1 == 0).all())
    if pd.api.types.is_integer_dtype(values) or (whole and (
            name in ("n", "k", "events", "count") or name.startswith("n_") or name.endswith("_n"))):
        return "count"
    return "number"


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return not math.isfinite(float(v))
    return False


def format_number(value: Any, *, digits: int | None = None) -> str:
    """A number rounded by its size: 0 decimals from 100, 1 from 10, 2 from 0.1, else 3.

    Whole numbers are shown without decimals; ``digits`` fixes the decimals.
    A missing or infinite value is a dash.

    Examples
    --------
    >>> [format_number(v) for v in (183.4, 14.23, 1.761, 0.0616, 40.0, -0.712, float("nan"))]
    ['183', '14.2', '1.76', '0.062', '40', '−0.71', '—']
    >>> format_number(0.5, digits=3)
    '0.500'
    """
    if _missing(value):
        return MISSING
    v = float(value)
    if digits is None:
        if v.is_integer() and abs(v) < 1e15:
            return _minus(f"{int(v)}")
        digits = _digits(v)
    return _minus(f"{v:.{digits}f}")


def _digits(v: float) -> int:
    """Decimals that show a number by its size: 0 from 100, 1 from 10, 2 from 0.1, else 3."""
    a = abs(v)
    return 0 if a >= 100 or a == 0 else 1 if a >= 10 else 2 if a >= 0.1 else 3


def column_digits(values: Any) -> int | None:
    """Decimals for a column of numbers: the most any of its values needs (:func:`format_number`),
    so that a column reads with one precision; ``None`` when every value is whole.

    Examples
    --------
    >>> column_digits([-42.7, -136.19, 50.8]), column_digits([0.1498, 0.0049]), column_digits([3, 4.0])
    (1, 3, None)
    """
    needs = [_digits(float(v)) for v in values
             if not _missing(v) and isinstance(v, int | float | np.number) and not float(v).is_integer()]
    return max(needs) if needs else None


def _minus(text: str) -> str:
    """A typographic minus sign instead of a hyphen before a number."""
    return "−" + text[1:] if text.startswith("-") else text


def format_count(value: Any) -> str:
    """A count: whole, with thousands separated from 10,000.

    Examples
    --------
    >>> [format_count(v) for v in (7, 2259, 12345, None)]
    ['7', '2259', '12,345', '—']
    """
    if _missing(value):
        return MISSING
    v = int(round(float(value)))
    return f"{v:,}" if abs(v) >= 10_000 else str(v)


def format_percent(share: Any, *, digits: int = 1) -> str:
    """A share between 0 and 1 as a percentage.

    Examples
    --------
    >>> format_percent(33 / 65), format_percent(0.5, digits=0), format_percent(float("nan"))
    ('50.8%', '50%', '—')
    """
    if _missing(share):
        return MISSING
    return _minus(f"{float(share):.{digits}%}")


def format_p(p: Any) -> str:
    """A p-value: ``< 0.001`` below one in a thousand, else three decimals.

    Examples
    --------
    >>> [format_p(v) for v in (0.0000123, 0.0271, 0.5, None)]
    ['< 0.001', '0.027', '0.500', '—']
    """
    if _missing(p):
        return MISSING
    p = float(p)
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def format_interval(low: Any, high: Any, *, kind: str = "number", digits: int | None = None,
                    missing: str = MISSING, missing_high: str | None = None) -> str:
    """Two bounds as ``low to high``, each shown as ``kind`` (see :func:`format_cell`).

    A missing bound is ``missing`` (the upper one ``missing_high`` when given,
    e.g. ``not reached``); both missing is ``missing``.

    Examples
    --------
    >>> format_interval(0.389, 0.625, kind="percent"), format_interval(1.355, 2.288)
    ('38.9% to 62.5%', '1.35 to 2.29')
    >>> format_interval(0.2, float("nan"), kind="percent")
    '20.0% to —'
    >>> format_interval(None, None)
    '—'
    >>> format_interval(223.0, float("inf"), kind="days", missing_high="not reached")
    '223 to not reached'
    """
    if _missing(low) and _missing(high):
        return missing
    return (f"{format_cell(low, kind=kind, digits=digits, missing=missing)} to "
            f"{format_cell(high, kind=kind, digits=digits, missing=missing_high or missing)}")


def format_cell(value: Any, *, kind: str = "text", digits: int | None = None,
                missing: str = MISSING) -> str:
    """One value as text, by its kind (see :func:`column_kind`).

    Examples
    --------
    >>> [format_cell(v, kind=k) for v, k in [(True, "yes/no"), (0.508, "percent"), (53.3, "percent100"),
    ...     (0.0004, "p"), (12, "count"), (210.5, "days"), (["a", "b"], "list"), (None, "text")]]
    ['yes', '50.8%', '53%', '< 0.001', '12', '210.5', 'a, b', '—']
    >>> format_cell(float("nan"), kind="days", missing="not reached")
    'not reached'
    """
    if not isinstance(value, list | tuple | np.ndarray) and _missing(value):
        return missing
    if callable(kind):
        return str(kind(value))
    if kind == "yes/no":
        return "yes" if bool(value) else "no"
    if kind == "list":
        return ", ".join(str(v) for v in value) if len(value) else "none"
    if kind == "count":
        return format_count(value)
    if kind == "percent":
        return format_percent(value, digits=1 if digits is None else digits)
    if kind == "percent100":
        return f"{float(value):.{0 if digits is None else digits}f}%"
    if kind == "p":
        return format_p(value) if digits is None else f"{float(value):.{digits}f}"
    if kind == "days":
        v = float(value)
        return format_number(v, digits=digits if digits is not None else (0 if v.is_integer() else 1))
    if kind == "number":
        return format_number(value, digits=digits)
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return format_number(value, digits=digits)
    return str(value)


@dataclass(frozen=True)
class Table:
    """A table for people: formatted cells, headers in words, a caption, no index column.

    Made by :func:`show_table`; its HTML (``_repr_html_``) is what notebooks and
    report pages show. The report builder numbers the captions of a page in
    order (``Table 1.``, ``Table 2.``, ...).

    Attributes
    ----------
    frame : pandas.DataFrame
        The cells as strings, columns in words (a copy is returned by :meth:`to_frame`).
    caption : str
        What the table shows, in a sentence.
    note : str
        Options echoed by every row (method, confidence level), said once.
    numeric : tuple of str
        Columns aligned to the right (numbers).
    """

    frame: pd.DataFrame
    caption: str
    note: str = ""
    numeric: tuple[str, ...] = ()
    css_class: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The formatted cells (strings) as a new DataFrame."""
        return self.frame.copy()

    def __repr__(self) -> str:
        return f"Table: {self.caption}\n{self.frame.to_string(index=False)}"

    def _repr_html_(self) -> str:
        esc = html.escape
        note = f' <span class="ips-table-note">{esc(self.note)}</span>' if self.note else ""
        num = ' class="num"'
        head = "".join(f'<th scope="col"{num if c in self.numeric else ""}>{esc(str(c))}</th>'
                       for c in self.frame.columns)
        body = []
        for row in self.frame.itertuples(index=False):
            cells = "".join(f'<td{num if c in self.numeric else ""}>{_cell_html(str(v))}</td>'
                            for c, v in zip(self.frame.columns, row, strict=True))
            body.append(f"<tr>{cells}</tr>")
        cls = f"ips-table {self.css_class}".strip()
        return (f'{TABLE_CSS}<table class="{cls}">\n<caption>{caption_label("Table")}'
                f"{esc(self.caption)}{note}</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
                + "\n".join(body) + "\n</tbody></table>")


_DOI = re.compile(r"^doi:(10\.\d{4,9}/[A-Za-z0-9._;()/:+-]+)$")


def doi_link(doi: str) -> str:
    """A DOI as a link to its resolver (escaped), text ``doi:...``; empty for an empty DOI.

    Examples
    --------
    >>> doi_link("10.1186/s12888-021-03644-x")
    '<a class="doi" href="https://doi.org/10.1186/s12888-021-03644-x">doi:10.1186/s12888-021-03644-x</a>'
    """
    doi = str(doi).strip().removeprefix("doi:")
    if not doi:
        return ""
    return (f'<a class="doi" href="https://doi.org/{html.escape(doi, quote=True)}">'
            f"doi:{html.escape(doi)}</a>")


def _cell_html(text: str) -> str:
    """A cell's text, escaped; a lone DOI (``doi:10....``) becomes a link."""
    m = _DOI.match(text)
    return doi_link(m.group(1)) if m else html.escape(text)


def caption_label(kind: str) -> str:
    """The numbering placeholder of a caption; the report builder writes the number into it.

    Examples
    --------
    >>> caption_label("Figure")
    '<span class="ips-number">Figure.</span> '
    """
    return f'<span class="ips-number">{html.escape(kind)}.</span> '


def _frame_of(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else "value")
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_frame"):
        return data.to_frame()
    raise TypeError(f"show_table needs a DataFrame, Series or result with to_frame(), "
                    f"not {type(data).__name__}")


def show_table(
    data: Any,
    *,
    caption: str,
    columns: list[str] | None = None,
    labels: dict[str, str] | None = None,
    formats: dict[str, Any] | None = None,
    missing: dict[str, str] | None = None,
    note: str = "",
) -> Table:
    """A result as a table for people: headers in words, numbers rounded by what they are.

    Parameters
    ----------
    data : DataFrame, Series or result with ``to_frame()``
        Numeric results (strings, such as the ``format_*`` tables, pass
        through). A named or non-default index becomes ordinary columns; a
        plain 0..n index is dropped.
    caption : str
        What the table shows, in a sentence (required: every table has one).
    columns : list of str, optional
        Columns to show, in this order (default: all).
    labels : dict, optional
        Column -> header, beside :data:`HEADERS`.
    formats : dict, optional
        Column -> kind (``count``, ``percent``, ``percent100``, ``p``,
        ``number``, ``days``, ``yes/no``, ``list``, ``text``), a number of
        decimals (an int), both (``"percent:0"``), or a function of one
        value; default :func:`column_kind`.
    missing : dict, optional
        Column -> phrase for a missing or infinite value (e.g. ``"not
        reached"``; for an interval, give it for ``ci_low`` or ``ci_high``);
        default a dash.
    note : str
        A sentence after the caption (sources, assumptions).

    Returns
    -------
    Table
        Shown as HTML in a notebook or report page; ``to_frame()`` gives the strings.

    Notes
    -----
    ``ci_low``/``ci_high`` (and ``X_ci_low``/``X_ci_high``, ``pi_low``/``pi_high``)
    become one column ``low to high``, formatted like the estimate beside
    them (the column before ``ci_low``, or ``X``). Columns that only echo an
    option (:data:`ECHOED`) and hold one value are said once, after the
    caption. Booleans are ``yes``/``no``, lists are joined with commas, and
    a missing or infinite value is a dash (or the column's phrase).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"site": ["A", "B"], "n": [16, 17], "events": [8, 9],
    ...                   "rate": [0.5, 9 / 17], "ci_low": [0.28, 0.31], "ci_high": [0.72, 0.74],
    ...                   "method": "wilson", "confidence": 0.95})
    >>> t = show_table(r, caption="Placement rate by site.")
    >>> t.to_frame().to_dict("records")[1]
    {'site': 'B', 'n': '17', 'events': '9', 'rate': '52.9%', '95% interval': '31.0% to 74.0%'}
    >>> t.note
    'Method: wilson; confidence 95%.'
    >>> show_table(pd.Series([1.5, None], name="median_days"), caption="x",
    ...            missing={"median_days": "not reached"}).to_frame()["median days"].tolist()
    ['1.5', 'not reached']
    """
    if not caption or not str(caption).strip():
        raise ValueError("every table needs a caption: say what it shows in a sentence")
    frame = _frame_of(data)
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
        names = [n if n is not None else ("" if frame.index.nlevels == 1 else f"level_{i}")
                 for i, n in enumerate(frame.index.names)]
        frame = frame.rename_axis(names).reset_index()
    frame = frame.copy()
    frame.columns = [c if not isinstance(c, tuple) else " ".join(str(x) for x in c if str(x))
                     for c in frame.columns]
    labels = dict(labels or {})
    formats = dict(formats or {})
    missing = dict(missing or {})
    notes = []
    level = None
    if "confidence" in frame and frame["confidence"].nunique(dropna=True) == 1:
        level = float(frame["confidence"].dropna().iloc[0])
    for col in ECHOED:
        if (col in frame and (columns is None or col not in columns)
                and frame[col].nunique(dropna=False) == 1):
            value = frame[col].iloc[0]
            if not _missing(value):
                shown = f"{float(value):.0%}" if col == "confidence" else str(value)
                notes.append(f"{header(col)} {shown}" if col != "method" else f"Method: {shown}")
            frame = frame.drop(columns=col)
    if columns is not None:
        absent = [c for c in columns if c not in frame]
        if absent:
            raise KeyError(f"columns {absent} not in the table; it has {list(frame.columns)}")
        frame = frame[[c for c in columns if c in frame]]
    kinds: dict[str, Any] = {}
    for col in list(formats):
        f = formats[col]
        if isinstance(f, str) and ":" in f:
            kind, _, digits = f.partition(":")
            formats[col] = int(digits)
            kinds[col] = kind
    for col in frame.columns:
        f = formats.get(col)
        if col not in kinds:
            kinds[col] = column_kind(col, frame[col]) if f is None or isinstance(f, int) else f
    out: dict[str, list[str]] = {}
    numeric: list[str] = []
    used: set[str] = set()
    order = list(frame.columns)
    for col in order:
        if col in used:
            continue
        pair = _interval_pair(col, order)
        if pair is not None:
            lo, hi, estimate = pair
            kind = kinds.get(estimate, "number") if estimate else "number"
            if lo in formats:
                kind = formats[lo]
            digits = formats.get(estimate) if isinstance(formats.get(estimate), int) else None
            if digits is None and kind == "number":
                digits = column_digits(frame[estimate] if estimate else
                                       pd.concat([frame[lo], frame[hi]], ignore_index=True))
            name = labels.get(lo) or _interval_header(lo, level)
            if name in out and estimate:
                name = f"{name} ({labels.get(estimate) or header(estimate)})"
            out[name] = [format_interval(a, b, kind=kind, digits=digits,
                                         missing=missing.get(lo, MISSING),
                                         missing_high=missing.get(hi))
                         for a, b in zip(frame[lo], frame[hi], strict=True)]
            numeric.append(name)
            used.update((lo, hi))
            continue
        kind = kinds[col]
        digits = formats.get(col) if isinstance(formats.get(col), int) else None
        if digits is None and kind == "number":
            digits = column_digits(frame[col])
        name = labels.get(col) or header(col)
        out[name] = [format_cell(v, kind=kind, digits=digits, missing=missing.get(col, MISSING))
                     for v in frame[col]]
        if kind in _NUMERIC_KINDS or (kind == "text" and _looks_numeric(out[name])):
            numeric.append(name)
        used.add(col)
    shown = pd.DataFrame(out, columns=list(out))
    echoed = "; ".join(notes)
    echoed = (echoed[:1].upper() + echoed[1:] + ".") if echoed else ""
    text = " ".join(x for x in (note, echoed) if x)
    return Table(shown, str(caption).strip(), text, tuple(c for c in numeric if c in shown))


_NUMERIC_TEXT = re.compile(r"^(?:[<>≤≥] ?)?[−-]?\d[\d,.]*%?(?: \(.*\))?(?: (?:of|to) [−-]?[\d,.]+%?)?$")


def _looks_numeric(cells: list[str]) -> bool:
    """True when every shown cell is a formatted number (``50.8%``, ``33 of 65``, ``1.2 to 3.4``)."""
    shown = [c for c in cells if c != MISSING]
    return bool(shown) and all(_NUMERIC_TEXT.match(c) for c in shown)


def _interval_pair(col: str, order: list[str]) -> tuple[str, str, str | None] | None:
    """``(low, high, estimate)`` when ``col`` is the lower bound of an interval in ``order``."""
    for lo_name, hi_name in _INTERVALS:
        if col == lo_name and hi_name in order:
            i = order.index(col)
            estimate = order[i - 1] if i > 0 else None
            return col, hi_name, estimate
        if col.endswith("_" + lo_name):
            base = col[: -len(lo_name) - 1]
            if f"{base}_{hi_name}" in order:
                return col, f"{base}_{hi_name}", base if base in order else None
    return None


def _interval_header(lo: str, level: float | None) -> str:
    what = "prediction interval" if lo.startswith("pi") or lo.endswith("pi_low") else "interval"
    return f"{level:.0%} {what}" if level is not None else what


TABLE_CSS = (
    "<style>table.ips-table{border-collapse:collapse;margin:.5em 0 1.25em 0;font-size:0.9em}"
    "table.ips-table caption{caption-side:top;text-align:left;padding:0 0 .4em 0;font-size:1em;"
    "color:inherit;max-width:60em}"
    "table.ips-table caption .ips-number{font-weight:bold}"
    "table.ips-table .ips-table-note{color:#555}"
    "table.ips-table th,table.ips-table td,.jp-RenderedHTMLCommon table.ips-table th,"
    ".jp-RenderedHTMLCommon table.ips-table td{text-align:left;vertical-align:top;"
    "padding:.2em .6em;border-bottom:1px solid #ddd;max-width:32em;overflow-wrap:anywhere}"
    "table.ips-table thead th{border-bottom:2px solid #888;font-weight:600}"
    "table.ips-table td.num,table.ips-table th.num,.jp-RenderedHTMLCommon table.ips-table td.num,"
    ".jp-RenderedHTMLCommon table.ips-table th.num{text-align:right;font-variant-numeric:tabular-nums;"
    "overflow-wrap:normal}</style>\n"
)
"""Styles of every formatted table, inlined so the table reads the same in a notebook and a page."""


# --------------------------------------------------------------------------- figures for people


@dataclass(frozen=True)
class Figure:
    """A figure for a page: an SVG image with alt text, and a caption.

    Made by :func:`show_figure`; its HTML (``_repr_html_``) is a ``<figure>``
    whose image is embedded (no file, no network) and whose caption the
    report builder numbers (``Figure 1.``, ...).

    Attributes
    ----------
    svg : bytes
        The image, byte-identical for the same figure (fixed hash salt, no date).
    alt : str
        What the figure shows, for a reader who cannot see it.
    caption : str
        What the figure shows, in a sentence.
    width, height : int
        Size of the image in CSS pixels.
    """

    svg: bytes = field(repr=False)
    alt: str
    caption: str
    width: int
    height: int

    def __repr__(self) -> str:
        return f"Figure: {self.caption}\n({self.alt})"

    def _repr_html_(self) -> str:
        esc = html.escape
        data = base64.b64encode(self.svg).decode("ascii")
        return (f'{FIGURE_CSS}<figure class="ips-figure">'
                f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(self.alt)}" '
                f'width="{self.width}" height="{self.height}">'
                f"<figcaption>{caption_label('Figure')}{esc(self.caption)}</figcaption></figure>")


def show_figure(ax: Any, *, caption: str, alt: str | None = None) -> Figure:
    """A drawn figure for a page: SVG, alt text from the figure's own description, a caption.

    Every ``plot_*`` function of :mod:`ipsresearch.figures` describes what it
    drew (:func:`ipsresearch.figures.description`: what is plotted, how many
    groups, the headline value); that description becomes the image's alt
    text. The figure is rendered once as SVG (sharp on any screen and in
    print) with a fixed hash salt and no date, so the same figure gives the
    same bytes, and then closed so that the notebook does not show it twice.

    Parameters
    ----------
    ax : matplotlib Axes, array of Axes or Figure
        What a ``plot_*`` function returned (or :func:`ipsresearch.figures.panels`).
    caption : str
        What the figure shows, in a sentence (required).
    alt : str, optional
        Alt text; default the figure's description. A figure without either is an error.

    Returns
    -------
    Figure
        Shown as a captioned image in a notebook or report page.

    Raises
    ------
    ValueError
        No caption, or no description and no ``alt``.
    """
    import io

    import matplotlib
    import matplotlib.pyplot as plt

    from ipsresearch.figures import description

    if not caption or not str(caption).strip():
        raise ValueError("every figure needs a caption: say what it shows in a sentence")
    fig = _figure_of(ax)
    text = (alt or description(fig)).strip()
    if not text:
        raise ValueError("the figure has no description for its alt text: draw it with an "
                         "ipsresearch.figures plot_* function or pass alt=")
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "ipsresearch", "svg.fonttype": "path"}):
        # dpi only sets the resolution of rasterized parts (heatmap cells): 2x a screen's
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None}, dpi=200)
    plt.close(fig)
    svg = buf.getvalue()
    width, height = _svg_size(svg)
    return Figure(svg, text, str(caption).strip(), width, height)


def _figure_of(ax: Any):
    if hasattr(ax, "savefig"):
        return ax
    if hasattr(ax, "figure"):
        return ax.figure
    flat = np.asarray(ax, dtype=object).ravel()
    if len(flat) and hasattr(flat[0], "figure"):
        return flat[0].figure
    raise TypeError(f"show_figure needs an Axes, an array of Axes or a Figure, not {type(ax).__name__}")


def _svg_size(svg: bytes) -> tuple[int, int]:
    """Width and height in CSS pixels of matplotlib's SVG (``width="432pt"``)."""
    head = svg[:2000].decode("utf-8", "replace")
    w = re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', head)
    h = re.search(r'<svg[^>]*\sheight="([0-9.]+)pt"', head)
    if not (w and h):
        return 0, 0
    return round(float(w.group(1)) * 4 / 3), round(float(h.group(1)) * 4 / 3)


FIGURE_CSS = (
    "<style>figure.ips-figure{margin:.5em 0 1.5em 0;max-width:100%}"
    "figure.ips-figure img{max-width:100%;height:auto;display:block}"
    "figure.ips-figure figcaption{max-width:60em;margin-top:.4em;font-size:.95em}"
    "figure.ips-figure figcaption .ips-number{font-weight:bold}</style>\n"
)
"""Styles of a figure and its caption, inlined like :data:`TABLE_CSS`."""


def show_claims(results: list[ClaimResult], *, title: str = "Claims", source: Any = None) -> HTML:
    """The claims of one study for a notebook: the papers they come from, counts by basis and
    status, the table, and the errata and queries side by side.

    Parameters
    ----------
    results : list of ClaimResult
    title : str
    source : ipsresearch.sources.Source or list of them, optional
        The paper(s) the claims belong to, cited above the table; by default
        the papers whose files the claims name (a claim naming a file that is
        not a source is shown with its file name only).
    """
    from IPython.display import HTML

    from ipsresearch.sources import by_file

    if source is None:
        found = []
        for file in dict.fromkeys(r.source for r in results):
            try:
                found.append(by_file(file))
            except KeyError:
                continue
        sources = found
    else:
        sources = list(source) if isinstance(source, list | tuple) else [source]
    cite = "".join(f'<p class="source">{html.escape(source_label(s))}</p>' for s in sources)
    conflicts = [r for r in results if r.status in ("erratum", "query")]
    more = conflicts_html(conflicts, caption=f"{title}: the errata and queries, with the "
                          "conflicting statements side by side") if conflicts else ""
    return HTML(f'<div id="claims"><h4>{html.escape(title)}</h4>{cite}'
                f"<p>{html.escape(claims_headline(results))}</p>"
                + counts_html(results, caption=f"{title}: claims by basis and status")
                + claims_html(results, caption=f"{title}: each printed value beside its "
                              "recomputation") + more + "</div>")


def source_label(source: Any) -> str:
    """The paper as researchers cite it, beside its text file and where the citation is printed.

    Examples
    --------
    >>> from ipsresearch.sources import SOURCES
    >>> source_label(SOURCES["ipsnor"]).endswith("line 455)")
    True
    """
    where = f"; {source.printed_at}" if source.printed_at else ""
    return f"{source.reference()} (source file {source.file}{where})"


def claims_counts(results: Iterable[ClaimResult]) -> pd.DataFrame:
    """Claims by basis and status: a tidy frame ``basis, status, claims`` in vocabulary order.

    Examples
    --------
    >>> from ipsresearch.claims import Claim, evaluate
    >>> r = evaluate(Claim("t.n", "x.txt", 1, "n", 3, lambda d: 3, basis="identity"), None)
    >>> claims_counts([r]).query("claims > 0").to_dict("records")
    [{'basis': 'identity', 'status': 'pass', 'claims': 1}]
    """
    from ipsresearch.claims import BASES, STATUSES

    rows = pd.DataFrame([(r.basis, r.status) for r in results], columns=["basis", "status"])
    grid = pd.MultiIndex.from_product([list(BASES), list(STATUSES)], names=["basis", "status"])
    counted = rows.value_counts().reindex(grid, fill_value=0)
    return counted.rename("claims").reset_index()


def claims_headline(results: Iterable[ClaimResult]) -> str:
    """One sentence that keeps independent checks apart from demonstrations and cited figures.

    Independent checks are the ``transcribed`` and ``identity`` claims (they
    can catch an error in the paper); ``definition`` claims compare the paper
    with an instrument's own table; ``calibrated`` claims count synthetic
    records generated to match the paper and only demonstrate the analysis;
    ``cited`` figures are shown with their source.
    """
    results = list(results)

    def part(bases: tuple[str, ...]) -> tuple[int, str]:
        chosen = [r for r in results if r.basis in bases]
        counts = pd.Series([r.status for r in chosen], dtype=object).value_counts()
        text = ", ".join(f"{counts[s]} {s}" for s in ("pass", "erratum", "query", "fail", "unchecked")
                         if counts.get(s, 0))
        return len(chosen), text or "none"

    n_ind, ind = part(("transcribed", "identity"))
    n_def, dfn = part(("definition",))
    n_cal, cal = part(("calibrated",))
    n_cit, _ = part(("cited",))
    out = [f"{len(results)} claim{'' if len(results) == 1 else 's'}.",
           f"Independent checks against the paper's own tables, lists and arithmetic "
           f"(transcribed, identity): {n_ind} ({ind})."]
    if n_def:
        out.append(f"Instrument constants checked against the instrument's table (definition): "
                   f"{n_def} ({dfn}).")
    if n_cal:
        out.append(f"Demonstrations on synthetic records generated to match the paper (calibrated): "
                   f"{n_cal} ({cal}); they show the analysis code counts what the paper counted and "
                   f"cannot catch an error in the paper.")
    if n_cit:
        out.append(f"Figures the paper cites from other work (cited): {n_cit}, shown with their "
                   f"source and not checked.")
    return " ".join(out)


def counts_html(results: Iterable[ClaimResult], *,
                caption: str = "The claims by basis and status") -> str:
    """Claims by basis (rows) and status (columns), with totals, as an HTML table with a numbered caption."""
    from ipsresearch.claims import BASES, STATUSES

    table = claims_counts(results).pivot(index="basis", columns="status", values="claims")
    table = table.reindex(index=list(BASES), columns=list(STATUSES))
    table = table[table.sum(axis=1) > 0]
    head = "".join(f"<th>{html.escape(s)}</th>" for s in STATUSES)
    rows = []
    for basis, row in table.iterrows():
        cells = "".join(f'<td class="num">{int(v)}</td>' for v in row)
        rows.append(f'<tr><td title="{html.escape(BASES[basis])}">{html.escape(basis)}</td>{cells}'
                    f'<td class="num">{int(row.sum())}</td></tr>')
    totals = "".join(f'<td class="num">{int(v)}</td>' for v in table.sum(axis=0))
    rows.append(f'<tr><td>all</td>{totals}<td class="num">{int(table.to_numpy().sum())}</td></tr>')
    cap = f"<caption>{caption_label('Table')}{html.escape(caption)}</caption>" if caption else ""
    return (CLAIMS_CSS + f'<table class="claims claims-counts">{cap}\n<thead><tr><th>basis</th>{head}'
            f"<th>all</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


def format_value(value: Any, unit: str = "") -> str:
    """Display form of a published or computed value of a claim.

    Whole numbers without decimals, percentages with one, other floats with
    four significant digits, booleans as ``yes``/``no`` and a missing value
    as a dash.

    Examples
    --------
    >>> [format_value(v) for v in (33, 40.0, 0.123456, True, None)]
    ['33', '40', '0.1235', 'yes', '—']
    >>> format_value(50.77, unit="percent")
    '50.8'
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4g}" if unit != "percent" else f"{value:.1f}"
    return str(value)


def printed_value(r: ClaimResult) -> str:
    """What the paper prints for a claim: the words or figures as printed, else the value; a dash if nothing."""
    if r.published is None:
        return "—"
    return r.printed or format_value(r.published, r.unit)


def _lines(r: ClaimResult) -> str:
    return ", ".join(str(x) for x in (r.line, *r.lines))


def _detail(r: ClaimResult) -> str:
    if r.error:
        return f"error: {r.error}"
    parts = [r.erratum or "", r.query or "", r.reference and f"source: {r.reference}", r.note]
    return " ".join(p for p in parts if p)


def claims_html(results: Iterable[ClaimResult], *, link_reports: bool = False,
                caption: str = "") -> str:
    """HTML table of claim results with a numbered ``caption``; every string from data is escaped.

    Columns: id, basis, source file and lines, quantity, what the paper
    prints, what the package counted from the text (only where the paper
    prints no number), the recomputed value, tolerance, status and the note
    (erratum, query, cited source or definition). On a report page each row
    is the anchor ``claim-<id>``; with ``link_reports`` (the index) each id
    links to that anchor on its report's page.
    """
    esc = html.escape
    rows = []
    for r in results:
        report = esc(r.report)
        rid = esc(r.id)
        cell_id = (f'<a href="{report}.html#claim-{rid}">{rid}</a>' if link_reports and r.report else rid)
        # on a report page each claim's row is its anchor, where the index's links land
        anchor = "" if link_reports else f' id="claim-{rid}"'
        counted = "" if r.counted is None else format_value(r.counted, r.unit)
        rows.append(
            f'<tr{anchor} class="status-{esc(r.status)} basis-{esc(r.basis)}"><td>{cell_id}</td>'
            f'<td class="basis">{esc(r.basis)}</td>'
            f"<td>{esc(r.source)}</td><td>{esc(_lines(r))}</td><td>{esc(r.quantity)}</td>"
            f'<td class="num">{esc(printed_value(r))}</td>'
            f'<td class="num">{esc(counted)}</td>'
            f'<td class="num">{esc(format_value(r.computed, r.unit))}</td>'
            f'<td class="num">{esc(format_value(r.tolerance))}</td>'
            f'<td class="status">{esc(r.status)}</td><td>{esc(_detail(r))}</td></tr>'
        )
    head = ("<tr><th>id</th><th>basis</th><th>source</th><th>line</th><th>quantity</th>"
            "<th>printed</th><th>counted from the text</th><th>computed</th><th>tolerance</th>"
            "<th>status</th><th>note</th></tr>")
    cap = f"<caption>{caption_label('Table')}{esc(caption)}</caption>" if caption else ""
    return (CLAIMS_CSS + f'<table class="claims">{cap}\n<thead>{head}</thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody></table>")


def conflicts_html(results: Iterable[ClaimResult], *, link_reports: bool = False,
                   caption: str = "Errata and queries: the conflicting statements side by side") -> str:
    """Errata and queries with the conflicting statements side by side.

    Each row gives the line and value the claim checks, the other printed
    statement(s) it conflicts with (line and value), the value recomputed
    from the data, and why: for an erratum the contradiction, for a query the
    reading or rule under which the paper would agree.
    """
    esc = html.escape
    rows = []
    for r in results:
        report = esc(r.report)
        rid = esc(r.id)
        cell_id = (f'<a href="{report}.html#claim-{rid}">{rid}</a>' if link_reports and r.report else rid)
        if r.published is not None:
            says = f"line {r.line}: {printed_value(r)}"
        elif r.printed:
            says = f"line {r.line}: {r.printed} (counted from the text: {format_value(r.counted)})"
        else:
            says = f"line {r.line}: {format_value(r.counted)} (counted from the text)"
        against = "; ".join(f"line {line}: {says}" for line, says in r.versus) or "—"
        why = r.erratum or r.query or ""
        rows.append(
            f'<tr class="status-{esc(r.status)}"><td>{cell_id}</td><td class="status">{esc(r.status)}</td>'
            f"<td>{esc(r.source)}</td><td>{esc(says)}</td><td>{esc(against)}</td>"
            f'<td class="num">{esc(format_value(r.computed, r.unit))}</td><td>{esc(why)}</td></tr>'
        )
    head = ("<tr><th>id</th><th>status</th><th>source</th><th>the paper prints</th>"
            "<th>against</th><th>computed</th><th>why</th></tr>")
    cap = f"<caption>{caption_label('Table')}{esc(caption)}</caption>" if caption else ""
    return (CLAIMS_CSS + f'<table class="claims claims-conflicts">{cap}\n<thead>{head}</thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody></table>")


def claims_by_source(results: Iterable[ClaimResult]) -> list[tuple[str, Any, list[ClaimResult]]]:
    """The claims grouped by source paper: ``(key, source, claims)`` in the order of
    :data:`ipsresearch.sources.SOURCES`, then the claims of no source paper (key ``other``,
    source ``None``); groups without claims are left out.

    Examples
    --------
    >>> from ipsresearch.claims import Claim, evaluate
    >>> from ipsresearch.sources import SOURCES
    >>> a = evaluate(Claim("t.a", SOURCES["ipsnor"].file, 1, "n", 3, lambda d: 3, basis="identity"), None)
    >>> b = evaluate(Claim("t.b", "x.txt", 1, "n", 3, lambda d: 3, basis="identity"), None)
    >>> [(key, len(group)) for key, _, group in claims_by_source([b, a])]
    [('ipsnor', 1), ('other', 1)]
    """
    from ipsresearch.sources import SOURCES

    results = list(results)
    groups = [(s.key, s, [r for r in results if r.source == s.file]) for s in SOURCES.values()]
    files = {s.file for s in SOURCES.values()}
    groups.append(("other", None, [r for r in results if r.source not in files]))
    return [g for g in groups if g[2]]


def short_name(source: Any) -> str:
    """A paper named briefly, for captions: first author's surname and year, else its topic.

    Examples
    --------
    >>> from ipsresearch.sources import SOURCES
    >>> [short_name(SOURCES[k]) for k in ("moen2021", "irish_pilot")]
    ['Moen et al. (2021)', 'Irish IPS pilot 2015-2017 and national scale-up']
    """
    if not source.authors:
        return source.citation.split(":")[0]
    first = source.authors.split(",")[0].split()[0]
    more = " et al." if "," in source.authors else ""
    return f"{first}{more} ({source.year})" if source.year else f"{first}{more}"


REGISTER_CSS = (
    "<style>.register-filter{margin:.6em 0 .2em 0}"
    "input[name=register-filter]+label{margin:0 1.2em 0 .3em}"
    "input[name=register-filter]:focus-visible+label{outline:2px solid #1a56a8;outline-offset:2px}"
    "p.register-source{font-size:.9em;color:#444;margin-top:0}"
    # "only problems": the passing claims' rows are hidden on screen; print shows every row
    "@media screen{#register-problems:checked~.register-groups tr.status-pass{display:none}}"
    "@media print{.register-filter,input[name=register-filter],input[name=register-filter]+label"
    "{display:none}}</style>\n"
)
"""The register's filter: radio inputs and a sibling selector, no script (works offline)."""


def register_html(results: Iterable[ClaimResult], *, link_reports: bool = False) -> str:
    """Every claim grouped by source paper, with a contents list and a filter, as HTML.

    One section per paper (in :data:`ipsresearch.sources.SOURCES` order,
    headed by the paper as researchers cite it, then its source file), each
    starting with its claims by basis and status (:func:`counts_html`) and
    then its claims (:func:`claims_html`); claims of no source paper come
    last. Before the groups, two labelled radio inputs choose between every
    claim and only the problems (fail, erratum, query, unchecked): the choice
    hides the passing rows with CSS alone, on screen only, so it works
    offline, with the keyboard, and a printout shows every row. Written by
    hand: no library renders this register.
    """
    esc = html.escape
    groups = []
    for key, source, group in claims_by_source(results):
        if source is None:
            files = ", ".join(dict.fromkeys(r.source for r in group))
            groups.append((key, "Claims not from one of the five source papers", f"Source: {files}.",
                           "claims not from one of the five source papers", group))
        else:
            where = f"; {source.printed_at}" if source.printed_at else ""
            groups.append((key, source.reference(), f"Source file {source.file}{where}.",
                           short_name(source), group))
    toc = "".join(f'<li><a href="#claims-{esc(key)}">{esc(heading)}</a> ({len(group)} claims)</li>'
                  for key, heading, _, _, group in groups)
    parts = [CLAIMS_CSS, REGISTER_CSS,
             f'<nav class="register-contents" aria-label="Claims by paper"><ul>{toc}</ul></nav>\n',
             '<p class="register-filter" id="register-filter-label">Show in the tables below:</p>\n'
             '<input type="radio" name="register-filter" id="register-all" value="all" checked '
             'aria-describedby="register-filter-label">'
             '<label for="register-all">every claim</label>\n'
             '<input type="radio" name="register-filter" id="register-problems" value="problems" '
             'aria-describedby="register-filter-label">'
             '<label for="register-problems">only fails, errata, queries and unchecked claims</label>\n'
             '<div class="register-groups">']
    for key, heading, note, name, group in groups:
        k = esc(key)
        parts.append(
            f'<section class="register-group" aria-labelledby="claims-{k}">'
            f'<h4 id="claims-{k}">{esc(heading)}</h4>\n'
            + (f'<p class="register-source">{esc(note)}</p>\n' if note else "")
            + f'<div class="ips-scroll" role="region" aria-label="Claims of {esc(name)} by basis and status" '
            f'tabindex="0">'
            + counts_html(group, caption=f"The claims of {name} by basis and status").removeprefix(CLAIMS_CSS)
            + f'</div>\n<div class="ips-scroll" role="region" aria-label="Claims of {esc(name)}" tabindex="0">'
            + claims_html(group, link_reports=link_reports,
                          caption=f"The claims of {name}: what the paper prints beside the value "
                                  f"recomputed from the data").removeprefix(CLAIMS_CSS)
            + "</div></section>\n")
    parts.append("</div>")
    return "".join(parts)

def left_out_html(left_out: pd.DataFrame, *,
                  caption: str = "What the register leaves out, and why") -> str:
    """The register's list of what it leaves out (``ipsresearch/studies/left_out.csv``) as HTML."""
    esc = html.escape
    rows = [f"<tr><td>{esc(r.source)}</td><td>{esc(str(r.lines))}</td><td>{esc(r.item)}</td>"
            f"<td>{esc(r.as_printed)}</td><td>{esc(r.reason)}</td></tr>"
            for r in left_out.itertuples()]
    head = "<tr><th>source</th><th>line</th><th>item</th><th>as printed</th><th>why left out</th></tr>"
    cap = f"<caption>{caption_label('Table')}{esc(caption)}</caption>" if caption else ""
    return (CLAIMS_CSS + f'<table class="claims left-out">{cap}\n<thead>{head}</thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody></table>")


CLAIMS_CSS = (
    # the JupyterLab stylesheet right-aligns every table cell with a (0,2,1) selector,
    # so each rule is also given under .jp-RenderedHTMLCommon to take precedence
    "<style>table.claims{border-collapse:collapse;font-size:0.85em}"
    "table.claims td,table.claims th,.jp-RenderedHTMLCommon table.claims td,"
    ".jp-RenderedHTMLCommon table.claims th{text-align:left;vertical-align:top;"
    "padding:0.2em 0.5em;border-bottom:1px solid #ddd}"
    # a value may be a long list (twelve paper keys): it wraps at its commas, so that the
    # status and note columns stay on the screen
    "table.claims td.num,.jp-RenderedHTMLCommon table.claims td.num"
    "{text-align:right;white-space:normal;overflow-wrap:break-word;min-width:4em}"
    # the id and the source file name are single long words: on a narrow screen they break
    # inside (at least 6em wide) rather than push the status off the screen; print keeps the id whole
    "table.claims:not(.claims-counts) td:first-child,table.claims:not(.claims-counts) td:nth-child(3)"
    "{overflow-wrap:anywhere;min-width:6em}"
    "table.claims caption{caption-side:top;text-align:left;padding:0 0 .4em 0;font-size:1.1em}"
    "table.claims caption .ips-number{font-weight:bold}"
    "table.claims tr.status-pass td.status{color:#176b2c}"
    "table.claims tr.status-fail td.status{color:#b00020;font-weight:bold}"
    "table.claims tr.status-erratum td.status{color:#8a5a00;font-weight:bold}"
    "table.claims tr.status-query td.status{color:#5a3d8a;font-weight:bold}"
    "table.claims tr.status-unchecked td.status{color:#555}"
    "table.claims tr.basis-calibrated td.basis,table.claims tr.basis-cited td.basis{color:#555;"
    "font-style:italic}</style>\n"
)
"""Styles of the claims table, inlined so the table reads the same in every page."""

"""Formatting for reports: numbers become text only here, never in analysis results.

The one formatting layer of the package: display tables of the analysis
results (``format_*``), the claims table as HTML (:func:`claims_html`, with
its stylesheet :data:`CLAIMS_CSS`) and the display form of a claim's values
(:func:`format_value`, also used by ``ipsresearch verify``). Every function
returns new strings or frames and leaves its numeric input unchanged.

IPython is imported only by :func:`show_claims`, so that the command line can
use :func:`format_value` without loading the notebook machinery.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ipsresearch.claims import ClaimResult

if TYPE_CHECKING:
    from IPython.display import HTML

__all__ = ["CLAIMS_CSS", "claims_html", "format_bands", "format_flow", "format_meta",
           "format_rates", "format_survival", "format_value", "show_claims"]


def format_rates(rates: pd.DataFrame, *, label: str | None = None, digits: int = 1) -> pd.DataFrame:
    """Display table of :func:`ipsresearch.outcomes.placement_rate` output.

    Returns a new DataFrame of strings such as ``33 of 65`` and ``50.8%
    (38.9% to 62.5%)``; the numeric input is left unchanged.

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
    pct = f"{{:.{digits}%}}"
    out[counted] = [f"{e} of {n}" for e, n in zip(rates["events"], rates["n"], strict=True)]
    out["rate"] = [pct.format(v) for v in rates["rate"]]
    out["interval"] = [f"{pct.format(lo)} to {pct.format(hi)}"
                       for lo, hi in zip(rates["ci_low"], rates["ci_high"], strict=True)]
    return out


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
    pct = f"{{:.{digits}%}}"
    lo_col, hi_col = ("ci_low", "ci_high") if value == "survival" else (f"{value}_ci_low", f"{value}_ci_high")
    groups = [by] if isinstance(by, str) else list(by or [])
    out = pd.DataFrame(index=table.index)
    for g in groups:
        out[g] = table[g].astype(str)
    out["day"] = table["horizon"].map(lambda h: f"{h:g}")
    out["n"] = table["n"].astype(str)
    out["at risk"] = table["n_at_risk"].astype(str)
    shown = [pct.format(v) if pd.notna(v) else "not estimated" for v in table[value]]
    out[value.replace("_", " ")] = shown
    out["interval"] = [f"{pct.format(lo)} to {pct.format(hi)}" if pd.notna(lo) else ""
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
    """
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


def format_bands(dist: pd.DataFrame, *, by: str | None = None, unit: str = "reviews",
                 digits: int = 0) -> pd.DataFrame:
    """Display table of :func:`ipsresearch.fidelity.band_distribution` or ``band_mentions``.

    Returns strings such as ``8 of 14`` (in a column named ``unit``) and
    ``57% (33% to 79%)``; the numeric input is left unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"band": ["fair"], "low": [74], "high": [99], "n": [14], "count": [8],
    ...                   "share": [8 / 14], "ci_low": [0.3259], "ci_high": [0.7862]})
    >>> format_bands(d).iloc[0].tolist()
    ['fair', '74-99', '8 of 14', '57% (33% to 79%)']
    """
    pct = f"{{:.{digits}%}}"
    out = pd.DataFrame(index=dist.index)
    if by is not None:
        out[by] = dist[by].astype(str)
    out["band"] = dist["band"].astype(str).str.replace("_", " ")
    if "low" in dist and "high" in dist:
        out["totals"] = [("" if pd.isna(lo) else f"{lo}-{hi}")
                         for lo, hi in zip(dist["low"], dist["high"], strict=True)]
    out[unit] = [f"{c} of {n}" for c, n in zip(dist["count"], dist["n"], strict=True)]
    out["share (interval)"] = [f"{pct.format(s)} ({pct.format(lo)} to {pct.format(hi)})" for s, lo, hi
                               in zip(dist["share"], dist["ci_low"], dist["ci_high"], strict=True)]
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


def show_claims(results: list[ClaimResult], *, title: str = "Claims") -> HTML:
    """The claims of one study as an HTML table for a notebook (strings escaped)."""
    from IPython.display import HTML

    counts = pd.Series([r.status for r in results]).value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("pass", "erratum", "fail"))
    return HTML(f'<h4 id="claims">{html.escape(title)}</h4><p>{html.escape(summary)}</p>'
                + claims_html(results))


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


def claims_html(results: Iterable[ClaimResult], *, link_reports: bool = False) -> str:
    """HTML table of claim results; every string from data is escaped."""
    esc = html.escape
    rows = []
    for r in results:
        report = esc(r.report)
        rid = esc(r.id)
        cell_id = (f'<a href="{report}.html#claims">{rid}</a>' if link_reports and r.report else rid)
        detail = r.erratum or r.note or ""
        if r.error:
            detail = f"error: {r.error}"
        lines = ", ".join(str(x) for x in (r.line, *r.lines))
        rows.append(
            f'<tr class="status-{esc(r.status)}"><td>{cell_id}</td>'
            f"<td>{esc(r.source)}</td><td>{esc(lines)}</td><td>{esc(r.quantity)}</td>"
            f'<td class="num">{esc(format_value(r.published, r.unit))}</td>'
            f'<td class="num">{esc(format_value(r.computed, r.unit))}</td>'
            f'<td class="num">{esc(format_value(r.tolerance))}</td>'
            f'<td class="status">{esc(r.status)}</td><td>{esc(detail)}</td></tr>'
        )
    head = ("<tr><th>id</th><th>source</th><th>line</th><th>quantity</th><th>published</th>"
            "<th>computed</th><th>tolerance</th><th>status</th><th>note / erratum</th></tr>")
    return (CLAIMS_CSS + f'<table class="claims">\n<thead>{head}</thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody></table>")


CLAIMS_CSS = (
    # the JupyterLab stylesheet right-aligns every table cell with a (0,2,1) selector,
    # so each rule is also given under .jp-RenderedHTMLCommon to take precedence
    "<style>table.claims{border-collapse:collapse;font-size:0.85em}"
    "table.claims td,table.claims th,.jp-RenderedHTMLCommon table.claims td,"
    ".jp-RenderedHTMLCommon table.claims th{text-align:left;vertical-align:top;"
    "padding:0.2em 0.5em;border-bottom:1px solid #ddd}"
    "table.claims td.num,.jp-RenderedHTMLCommon table.claims td.num"
    "{text-align:right;white-space:nowrap}"
    "table.claims tr.status-pass td.status{color:#176b2c}"
    "table.claims tr.status-fail td.status{color:#b00020;font-weight:bold}"
    "table.claims tr.status-erratum td.status{color:#8a5a00;font-weight:bold}</style>\n"
)
"""Styles of the claims table, inlined so the table reads the same in every page."""

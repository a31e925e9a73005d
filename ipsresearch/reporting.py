"""Formatting for reports: numbers become text only here, never in analysis results."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from ipsresearch.claims import ClaimResult, claims_html

__all__ = ["format_rates", "show_claims"]


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
    pct = f"{{:.{digits}%}}"
    index = pd.Index(rates[label].astype(str), name=label) if label is not None else rates.index
    out = pd.DataFrame(index=index)
    out["participants"] = [f"{e} of {n}" for e, n in zip(rates["events"], rates["n"], strict=True)]
    out["rate"] = [pct.format(v) for v in rates["rate"]]
    out["interval"] = [f"{pct.format(lo)} to {pct.format(hi)}"
                       for lo, hi in zip(rates["ci_low"], rates["ci_high"], strict=True)]
    out["method"] = rates["method"].astype(str).to_numpy()
    return out


def show_claims(results: list[ClaimResult], *, title: str = "Claims") -> HTML:
    """The claims of one study as an HTML table for a notebook (strings escaped)."""
    counts = pd.Series([r.status for r in results]).value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("pass", "erratum", "fail"))
    return HTML(f'<h4 id="claims">{html.escape(title)}</h4><p>{html.escape(summary)}</p>'
                + claims_html(results))

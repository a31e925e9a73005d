"""Many reviews: band distributions and mentions, margins, section profiles, first reviews and rounds.

:func:`band_distribution` counts reviews per band with an interval for each
share (the package's one proportion engine, as every rate), and
:func:`band_mentions` does the same for literature tables that name a band
or a span of bands; :func:`band_margins` says how far a total is from the
next band; :func:`section_scores` puts the section subtotals in long form;
:func:`first_review` times each site's first review; :func:`round_change`
compares two evaluation rounds with paired tests (:class:`RoundChange`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch import _stats
from ipsresearch._arrays import as_list
from ipsresearch.fidelity.scale import ITEMS, SECTIONS, classify, resolve_bands
from ipsresearch.validation import (
    InputError,
    Problem,
    check_choice,
    check_confidence,
    check_frame,
    require_columns,
)

__all__ = [
    "RoundChange",
    "band_distribution",
    "band_margins",
    "band_mentions",
    "first_review",
    "round_change",
    "section_scores",
]


def band_distribution(
    scores: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    total: str = "total",
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How many reviews fall in each band, with a confidence interval for each share.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per review with a numeric ``total`` column (e.g. from :func:`score`).
    by : str or sequence of str, optional
        Columns to group by (one name or several): results are given per group. For example ``"programme"``.
    total : str
        Column holding the totals; they are classified anew with ``bands``.
    bands : band table or mapping, optional
        Default :data:`IPS25_BANDS`.
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        Interval for each proportion (see :data:`ipsresearch.outcomes.CI_METHODS`):
        ``wilson`` is R's ``prop.test(correct = FALSE)``, ``exact`` (Clopper-Pearson)
        R's ``binom.test``.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``band``, ``label``, ``low``, ``high``, ``n``
        (reviews in the group), ``count``, ``share``, ``ci_low``, ``ci_high``,
        ``method``, ``confidence``: one row per group and band, bands from the
        lowest up, zero counts included. Totals in no band (possible only
        with ``bands`` that leave gaps) get a row with band ``unassigned``.

    Notes
    -----
    Each share is the proportion of the group's reviews in that band; the
    interval is computed as for :func:`ipsresearch.outcomes.placement_rate`
    (``statsmodels.stats.proportion.proportion_confint``, through the
    package's one proportion engine), one band at a time.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"total": [73, 74, 100, 120]})
    >>> band_distribution(s, method="exact")[["band", "count", "share"]]
            band  count  share
    0    not_ips      1   0.25
    1       fair      1   0.25
    2       good      1   0.25
    3  exemplary      1   0.25
    >>> from ipsresearch.fidelity import MOEN2021_BANDS  # the bands as printed: 73 in none
    >>> band_distribution(s, bands=MOEN2021_BANDS)["band"].tolist()[-1]
    'unassigned'
    """
    table = resolve_bands(bands)
    groups = as_list(by)
    check_frame(scores, "scores")
    require_columns(scores, [total, *groups], source="scores",
                    allowed="a table of totals such as fidelity.score() returns")
    assigned = pd.Series(classify(scores[total].to_numpy(), bands=table), index=scores.index)
    data = scores[groups].astype("string") if groups else pd.DataFrame(index=scores.index)
    names = list(table["band"])
    if assigned.isna().any():
        names.append("unassigned")
        assigned = assigned.fillna("unassigned")
    parts = []
    for b in names:
        flag = data.assign(_in_band=(assigned == b).to_numpy())
        rate = _stats.proportion_table(flag, outcome="_in_band", by=groups or None, method=method,
                                       confidence=confidence)
        parts.append(rate.assign(band=b))
    out = pd.concat(parts, ignore_index=True)
    meta = table.set_index("band")[["label", "low", "high"]]
    out["label"] = out["band"].map(meta["label"]).fillna("In no band")
    out["low"] = out["band"].map(meta["low"]).astype("Int64")
    out["high"] = out["band"].map(meta["high"]).astype("Int64")
    out = out.rename(columns={"events": "count", "rate": "share"})
    out["_order"] = out["band"].map({b: i for i, b in enumerate(names)})
    out = out.sort_values([*groups, "_order"], kind="stable").reset_index(drop=True)
    cols = [*groups, "band", "label", "low", "high", "n", "count", "share", "ci_low", "ci_high",
            "method", "confidence"]
    return out[cols]


def band_mentions(
    data: pd.DataFrame,
    *,
    column: str,
    sep: str = ";",
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How many rows name each band, when a row may name several (e.g. "good;exemplary").

    Literature tables report fidelity as a band or a span of bands
    ("Good-Exemplary"); such a row counts once in every band it names. Rows
    with a blank cell report no fidelity and are counted apart.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        Column of band names joined by ``sep`` (blank: not reported).
    sep : str
    bands : band table or mapping, optional
        Gives the order and the labels (default :data:`IPS25_BANDS`).
    method : {"wilson", "exact", "jeffreys", "agresti_coull", "normal"}
        Interval for each proportion (see :data:`ipsresearch.outcomes.CI_METHODS`):
        ``wilson`` is R's ``prop.test(correct = FALSE)``, ``exact`` (Clopper-Pearson)
        R's ``binom.test``.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).

    Returns
    -------
    pandas.DataFrame
        ``band``, ``label``, ``n`` (rows naming at least one band), ``count``
        (rows naming this band), ``share``, ``ci_low``, ``ci_high``,
        ``method``, ``confidence``, ``not_reported`` (rows with a blank
        cell). Counts add up to more than ``n`` when rows span bands.

    Raises
    ------
    ValueError
        A cell names a band that ``bands`` does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"bands": ["good;exemplary", "fair", None, "good"]})
    >>> band_mentions(t, column="bands")[["band", "n", "count", "not_reported"]]
            band  n  count  not_reported
    0    not_ips  3      0             1
    1       fair  3      1             1
    2       good  3      2             1
    3  exemplary  3      1             1
    """
    table = resolve_bands(bands)
    check_frame(data)
    cells = data[column].astype("string").str.strip()
    reported = cells.notna() & (cells != "")
    named = cells[reported].str.split(sep)
    unknown = sorted({b.strip() for parts in named for b in parts} - set(table["band"]))
    if unknown:
        raise ValueError(f"{column}: band(s) {', '.join(unknown)} not in the band table "
                         f"({', '.join(table['band'])})")
    rows = []
    for b in table["band"]:
        flag = pd.DataFrame({"_in": named.map(lambda parts, b=b: b in [p.strip() for p in parts])
                             .to_numpy(dtype=bool)})
        rows.append(_stats.proportion_table(flag, outcome="_in", method=method,
                                            confidence=confidence).assign(band=b))
    out = pd.concat(rows, ignore_index=True).rename(columns={"events": "count", "rate": "share"})
    out["label"] = out["band"].map(table.set_index("band")["label"])
    out["not_reported"] = int((~reported).sum())
    return out[["band", "label", "n", "count", "share", "ci_low", "ci_high", "method", "confidence",
                "not_reported"]]


def band_margins(
    totals,
    *,
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """How far each total is from the band above and the band below.

    Parameters
    ----------
    totals : array-like of int
    bands : band table or mapping, optional

    Returns
    -------
    pandas.DataFrame
        ``total``, ``band``, ``next_band`` and ``points_up`` (points to gain to
        reach it), ``previous_band`` and ``points_down`` (points to lose to
        fall into it); missing at the top and bottom bands.

    Examples
    --------
    >>> band_margins([99, 100])
       total  band next_band  points_up previous_band  points_down
    0     99  fair      good          1       not_ips           26
    1    100  good exemplary         15          fair            1
    """
    table = resolve_bands(bands)
    t = np.asarray(np.ravel(totals), dtype=np.int64)
    band = classify(t, bands=table)
    names = table["band"].to_numpy(dtype=object)
    lows = table["low"].to_numpy()
    highs = table["high"].to_numpy()
    pos = {b: i for i, b in enumerate(names)}
    idx = np.array([pos.get(b, -1) for b in band])
    nxt = np.where((idx >= 0) & (idx + 1 < len(names)), idx + 1, -1)
    prv = np.where(idx > 0, idx - 1, -1)
    out = pd.DataFrame({"total": t, "band": pd.Series(band, dtype=object)})
    out["next_band"] = pd.Series(np.where(nxt >= 0, names[np.maximum(nxt, 0)], None), dtype=object)
    out["points_up"] = pd.array(np.where(nxt >= 0, lows[np.maximum(nxt, 0)] - t, 0), dtype="Int64")
    out.loc[nxt < 0, "points_up"] = pd.NA
    out["previous_band"] = pd.Series(np.where(prv >= 0, names[np.maximum(prv, 0)], None), dtype=object)
    out["points_down"] = pd.array(np.where(prv >= 0, t - highs[np.maximum(prv, 0)], 0), dtype="Int64")
    out.loc[prv < 0, "points_down"] = pd.NA
    return out


def section_scores(scores: pd.DataFrame, *, keep: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Section subtotals of each review in long form, with the mean rating per item.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`score` (columns ``staffing``, ``organization``, ``services``).
    keep : str or sequence of str, optional
        Columns carried over (default: every column that is not a score column).

    Returns
    -------
    pandas.DataFrame
        The ``keep`` columns, then ``section``, ``items`` (items in the
        section), ``subtotal`` and ``mean_rating`` (subtotal / items, on the
        1-5 scale so that sections of different length compare).

    Examples
    --------
    >>> from ipsresearch.fidelity import score, single_review
    >>> s = score(single_review({"S1": 1}, fill=5, review_id="x"))
    >>> section_scores(s)[["section", "subtotal", "mean_rating"]]
            section  subtotal  mean_rating
    0      staffing        11     3.666667
    1  organization        40     5.000000
    2      services        70     5.000000
    """
    check_frame(scores, "scores")
    score_cols = {*SECTIONS, "total", "items_rated", "band"}
    cols = as_list(keep) if keep is not None else [c for c in scores.columns if c not in score_cols]
    sizes = ITEMS["section"].value_counts()
    long = scores.melt(id_vars=cols, value_vars=list(SECTIONS), var_name="section",
                       value_name="subtotal")
    long["items"] = long["section"].map(sizes).astype(np.int64)
    long["mean_rating"] = long["subtotal"] / long["items"]
    return long[[*cols, "section", "items", "subtotal", "mean_rating"]]


def first_review(
    reviews: pd.DataFrame,
    *,
    site: str | Sequence[str] = "site",
    start: str = "start_date",
    date: str = "review_date",
    within_months: int = 12,
) -> pd.DataFrame:
    """Time from each site's start to its first fidelity review.

    Parameters
    ----------
    reviews : pandas.DataFrame
        One row per review with the site, the site's start date and the review
        date (e.g. :data:`ipsresearch.schemas.FIDELITY_REVIEWS`).
    site : str or sequence of str
        Column(s) identifying a site (e.g. ``["programme", "site"]``).
    start, date : str
        Columns of the start date and review date.
    within_months : int
        The window: a review is within it when it falls before the same day
        ``within_months`` calendar months after the start.

    Returns
    -------
    pandas.DataFrame
        One row per site: the ``site`` columns, ``start_date``,
        ``first_review_date``, ``days_to_first_review``, ``reviews`` (number
        of reviews of the site) and ``within`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"site": ["a", "a", "b"],
    ...     "start_date": pd.to_datetime(["2019-01-15"] * 2 + ["2019-03-01"]),
    ...     "review_date": pd.to_datetime(["2020-06-01", "2019-11-20", "2020-03-01"])})
    >>> first_review(r)[["site", "days_to_first_review", "reviews", "within"]]
      site  days_to_first_review  reviews  within
    0    a                   309        2    True
    1    b                   366        1   False
    """
    check_frame(reviews, "reviews")
    keys = as_list(site)
    require_columns(reviews, [*keys, start, date], source="reviews",
                    allowed="one row per review with the site, start date and review date")
    d = reviews[[*keys, start, date]].copy()
    d[start] = pd.to_datetime(d[start])
    d[date] = pd.to_datetime(d[date])
    g = d.groupby(keys, sort=True, observed=True)
    out = g.agg(start_date=(start, "min"), first_review_date=(date, "min"),
                reviews=(date, "size")).reset_index()
    out["days_to_first_review"] = (out["first_review_date"] - out["start_date"]).dt.days.astype(np.int64)
    limit = out["start_date"] + pd.DateOffset(months=within_months)
    out["within"] = (out["first_review_date"] < limit).to_numpy(dtype=bool)
    out["reviews"] = out["reviews"].astype(np.int64)
    return out[[*keys, "start_date", "first_review_date", "days_to_first_review", "reviews", "within"]]


@dataclass(frozen=True)
class RoundChange:
    """Change in fidelity between two evaluation rounds of the same sites.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per site reviewed in both rounds: the ``unit`` column(s),
        ``first``, ``second``, ``change`` (second minus first), ``band_first``
        and ``band_second``.
    tests : pandas.DataFrame
        One row per test: ``test`` (``wilcoxon`` or ``paired_t``), ``n``
        (pairs used), ``statistic``, ``p_value``, ``estimate`` (Hodges-Lehmann
        median of the Walsh averages for Wilcoxon, mean change for t),
        ``ci_low``, ``ci_high`` (t only), ``min_p_value`` (the smallest p the
        exact Wilcoxon test can give with this many non-zero changes),
        ``alternative``, ``method``.
    value : str
        The column compared (e.g. ``total``).
    rounds : tuple of int
    """

    pairs: pd.DataFrame
    tests: pd.DataFrame
    value: str
    rounds: tuple[int, int]

    def to_frame(self) -> pd.DataFrame:
        """The tests as a tidy DataFrame (one row per test, each with its estimate)."""
        return self.tests.copy()

    def summary(self) -> pd.DataFrame:
        """Headline numbers as a one-row DataFrame.

        Returns
        -------
        pandas.DataFrame
            ``value``, ``first_round``, ``second_round``, ``n_pairs``,
            ``mean_change`` with ``mean_change_ci_low`` and
            ``mean_change_ci_high`` (paired t), ``median_change``,
            ``wilcoxon_p_value``, ``paired_t_p_value``, ``min_p_value`` (the
            smallest p-value the Wilcoxon test could give),
            ``alternative`` and ``confidence``.

        Examples
        --------
        >>> import pandas as pd
        >>> s = pd.DataFrame({"site": list("abcde") * 2, "round": [1] * 5 + [2] * 5,
        ...                   "total": [80, 85, 90, 95, 70, 88, 97, 91, 104, 75]})
        >>> round_change(s).summary()[["n_pairs", "mean_change", "wilcoxon_p_value"]]
           n_pairs  mean_change  wilcoxon_p_value
        0        5          7.0            0.0625
        """
        tests = self.tests.set_index("test")
        first, second = self.rounds
        return pd.DataFrame([{
            "value": self.value, "first_round": first, "second_round": second,
            "n_pairs": len(self.pairs),
            "mean_change": float(self.pairs["change"].mean()),
            "mean_change_ci_low": tests.loc["paired_t", "ci_low"],
            "mean_change_ci_high": tests.loc["paired_t", "ci_high"],
            "median_change": float(self.pairs["change"].median()),
            "wilcoxon_p_value": tests.loc["wilcoxon", "p_value"],
            "paired_t_p_value": tests.loc["paired_t", "p_value"],
            "min_p_value": tests.loc["wilcoxon", "min_p_value"],
            "alternative": tests["alternative"].iloc[0],
            "confidence": tests["confidence"].iloc[0]}])

    def transitions(self) -> pd.DataFrame:
        """Cross-table of band in the first round (rows) by band in the second (columns)."""
        return pd.crosstab(self.pairs["band_first"], self.pairs["band_second"])

    def _repr_html_(self) -> str:
        first, second = self.rounds
        head = (f"<p>Change in <code>{html.escape(self.value)}</code> from round {first} to round "
                f"{second}: {len(self.pairs)} pairs, mean change "
                f"{self.pairs['change'].mean():.2f}, median {self.pairs['change'].median():.1f}.</p>")
        return head + self.pairs.to_html(index=False) + self.tests.to_html(index=False)


def round_change(
    scores: pd.DataFrame,
    *,
    unit: str | Sequence[str] = "site",
    round: str = "round",
    value: str = "total",
    first: int = 1,
    second: int = 2,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
) -> RoundChange:
    """Paired comparison of two evaluation rounds of the same sites.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per review with the ``unit`` column(s), ``round`` and ``value``.
    unit : str or sequence of str
        What is paired across rounds (a site, team or case).
    round : str
        Column of the evaluation round.
    value : str
        Column compared, e.g. ``total`` or a section subtotal.
    first, second : int
        The rounds compared; ``change`` is ``second - first``.
    alternative : {"two-sided", "less", "greater"}
        As in SciPy: ``greater`` tests whether the second round scores higher.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent). Here: of the paired-t interval for the mean change.
    bands : band table or mapping, optional
        Used for ``band_first`` and ``band_second`` when ``value`` is ``total``.

    Returns
    -------
    RoundChange

    Notes
    -----
    Two paired tests from :mod:`scipy.stats` are reported side by side:

    * ``wilcoxon`` (:func:`scipy.stats.wilcoxon`): the signed-rank test. It
      is the primary test here because totals are sums of ordinal ratings and
      the number of sites is small, so a normal model for the changes cannot
      be checked. It is exact (all sign patterns enumerated) when there are
      no ties or zero changes, and a permutation test over all sign patterns
      when there are (zero changes are dropped, Wilcoxon's convention).
      With *n* non-zero changes no two-sided p-value can fall below
      ``2 / 2**n`` (0.0625 for five sites): five sites cannot show a
      "significant" change at the 5 % level whatever the data.
    * ``paired_t`` (:func:`scipy.stats.ttest_rel`): gives the mean change and
      its confidence interval, which the rank test does not.

    Sites reviewed in only one of the two rounds are left out of the pairs.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"site": list("abcde") * 2, "round": [1] * 5 + [2] * 5,
    ...                   "total": [80, 85, 90, 95, 70, 88, 97, 91, 104, 75]})
    >>> rc = round_change(s)
    >>> rc.tests[["test", "n", "p_value", "min_p_value"]]
           test  n   p_value  min_p_value
    0  wilcoxon  5  0.062500       0.0625
    1  paired_t  5  0.020092          NaN
    """
    from scipy import stats

    check_choice("alternative", alternative, ("two-sided", "less", "greater"))
    check_confidence(confidence)
    check_frame(scores, "scores")
    keys = as_list(unit)
    require_columns(scores, [*keys, round, value], source="scores",
                    allowed="one row per review with unit, round and value columns")
    d = scores[[*keys, round, value]]
    a = d[d[round] == first].drop(columns=round).rename(columns={value: "first"})
    b = d[d[round] == second].drop(columns=round).rename(columns={value: "second"})
    for name, part in ((first, a), (second, b)):
        if part.duplicated(keys).any():
            dup = part.loc[part.duplicated(keys), keys].iloc[0].tolist()
            raise InputError([Problem("scores", None, ", ".join(keys),
                                      f"{dup} has more than one review in round {name}",
                                      "one review per unit and round")])
    pairs = a.merge(b, on=keys, how="inner").sort_values(keys, kind="stable").reset_index(drop=True)
    if len(pairs) < 2:
        raise ValueError(f"round_change needs at least two units reviewed in rounds {first} and "
                         f"{second}; found {len(pairs)}")
    pairs["change"] = pairs["second"] - pairs["first"]
    table = resolve_bands(bands)
    if value == "total":
        pairs["band_first"] = pd.Series(classify(pairs["first"].to_numpy(), bands=table), dtype=object)
        pairs["band_second"] = pd.Series(classify(pairs["second"].to_numpy(), bands=table),
                                         dtype=object)
    diff = pairs["change"].to_numpy(dtype=float)
    nonzero = diff[diff != 0]
    n_nz = len(nonzero)
    rows = []
    if n_nz == 0:
        rows.append(dict(test="wilcoxon", n=0, statistic=np.nan, p_value=1.0, estimate=0.0,
                         method="no non-zero changes"))
    else:
        ties = len(np.unique(np.abs(nonzero))) < n_nz
        zeros = n_nz < len(diff)
        if ties or zeros:
            w = stats.wilcoxon(nonzero, alternative=alternative,
                               method=stats.PermutationMethod(n_resamples=np.inf))
            method = "exact permutation (ties or zero changes)"
        else:
            w = stats.wilcoxon(diff, alternative=alternative, method="exact")
            method = "exact"
        walsh = (nonzero[:, None] + nonzero[None, :]) / 2
        hl = float(np.median(walsh[np.triu_indices(n_nz)]))
        rows.append(dict(test="wilcoxon", n=n_nz, statistic=float(w.statistic),
                         p_value=float(w.pvalue), estimate=hl, method=method))
    tt = stats.ttest_rel(pairs["second"].to_numpy(dtype=float), pairs["first"].to_numpy(dtype=float),
                         alternative=alternative)
    ci = tt.confidence_interval(confidence_level=confidence)
    rows.append(dict(test="paired_t", n=len(diff), statistic=float(tt.statistic),
                     p_value=float(tt.pvalue), estimate=float(diff.mean()),
                     ci_low=float(ci.low), ci_high=float(ci.high), method="Student t on changes"))
    tests = pd.DataFrame(rows, columns=["test", "n", "statistic", "p_value", "estimate", "ci_low",
                                        "ci_high", "method"])
    tests["n"] = tests["n"].astype(np.int64)
    tests["min_p_value"] = [(2.0 if alternative == "two-sided" else 1.0) / 2.0 ** max(n_nz, 0)
                            if n_nz else np.nan, np.nan]
    tests.loc[tests["min_p_value"] > 1, "min_p_value"] = 1.0
    tests["alternative"] = alternative
    tests["confidence"] = confidence
    tests = tests[["test", "n", "statistic", "p_value", "estimate", "ci_low", "ci_high",
                   "min_p_value", "alternative", "confidence", "method"]]
    return RoundChange(pairs=pairs, tests=tests, value=value, rounds=(first, second))

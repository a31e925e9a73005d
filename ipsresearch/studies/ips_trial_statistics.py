"""The randomised trials of IPS: the statistics their reports print, recomputed from their counts.

The five source papers cite the trial evidence without printing it; the
trials' own reports (abstracts and tables read at PubMed, PMC, journal pages
and Cochrane reviews) print percentages, risk differences, odds and risk
ratios, chi-squared statistics and p values. Those are transcribed, row by
row with the address and place they were read, in the extracted table
``ips_rct_statistics`` (``ipsresearch/datasets/ips_rct_statistics.csv``);
the package holds no text of the reports themselves, so a claim here names
that table's file and the line of its row (which holds the report's full
address), and its note names the report and where in it the figure was read.

Each claim recomputes a printed statistic from the arm counts of the trial
table ``ips_rcts`` (the settled ``events_ips, n_ips, events_control,
n_control``; never the inferred ones, and never the statistic itself):

* ``transcribed``: the statistic from the counts, by the standard formula
  (percentages; risk difference with its Wald interval; risk ratio with its
  log-scale interval; odds ratio with its Woolf interval, all from
  ``statsmodels``; Pearson's chi-squared without continuity correction and
  its p value, and the phi coefficient, from ``scipy``).
* ``identity``: where a report prints no arm sizes, arithmetic between the
  numbers it prints (an odds ratio or risk ratio from the two printed
  percentages, a p value from a printed z), with a tolerance that covers
  what the rounding of the printed inputs can move.

The tolerance of every claim is stated by the printed rounding: half a unit
of the last printed digit (0.05 for 26.9, 0.005 for 5.63), widened only
where the inputs are themselves rounded percentages, as each claim says.

Where the counts give another value than the report prints, the claim is a
``query`` naming the reading under which it would agree (an adjusted odds
ratio, another test, a percentage rounded twice); none of the differences
found is two statements of one report that cannot both be true, so there
is no erratum here. Printed statistics that cannot be recomputed (no arm
sizes, counts that were inferred from the very statistic, adjusted models)
are listed with their reason in ``studies/left_out.csv``.

Examples
--------
>>> from ipsresearch.studies import verify
>>> results = {r.id: r for r in verify(sets=["ips_trials"])}
>>> r = results["ips_trials.burns_risk_difference"]
>>> (r.published, round(r.computed, 2), r.status)
(26.9, 26.92, 'pass')
>>> results["ips_trials.hellstrom_odds_ratio"].status
'query'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep

from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.studies.ips_trials import REPORT, load, source_label

__all__ = ["CLAIMS", "SOURCE"]

KEY = "ips_trials"
SOURCE = "ips_rct_statistics.csv"
"""The extracted table the claims cite, by file name; a claim's line is the line of its row."""

Data = dict[str, pd.DataFrame]


# ---------------------------------------------------------------- recomputations


def _arms(d: Data, study: str) -> tuple[int, int, int, int]:
    """``(events_ips, n_ips, events_control, n_control)`` of one report, settled counts only."""
    rows = d["trials"].loc[d["trials"]["study"] == study]
    if len(rows) != 1:
        raise KeyError(f"ips_rcts has {len(rows)} rows for study {study!r}, not one")
    r = rows.iloc[0]
    cells = [r["events_ips"], r["n_ips"], r["events_control"], r["n_control"]]
    if any(pd.isna(v) for v in cells):
        raise ValueError(f"ips_rcts settles no count for both arms of {study!r}")
    return tuple(int(v) for v in cells)  # type: ignore[return-value]


def _table(d: Data, study: str) -> Table2x2:
    a, n1, c, n2 = _arms(d, study)
    return Table2x2(np.array([[a, n1 - a], [c, n2 - c]]))


def _pearson(d: Data, study: str) -> tuple[float, float]:
    """Pearson's chi-squared (no continuity correction) and its p value."""
    a, n1, c, n2 = _arms(d, study)
    res = stats.chi2_contingency(np.array([[a, n1 - a], [c, n2 - c]]), correction=False)
    return float(res[0]), float(res[1])


def _percent(d: Data, study: str, arm: str) -> float:
    a, n1, c, n2 = _arms(d, study)
    return 100 * (a / n1 if arm == "ips" else c / n2)


def _risk_difference(d: Data, study: str, part: int) -> float:
    """Risk difference in percentage points (0), or a bound of its 95% Wald interval (1, 2)."""
    a, n1, c, n2 = _arms(d, study)
    if part == 0:
        return 100 * (a / n1 - c / n2)
    return 100 * float(confint_proportions_2indep(a, n1, c, n2, method="wald", compare="diff")[part - 1])


def _odds_ratio(d: Data, study: str, part: int) -> float:
    """Crude odds ratio (0), or a bound of its 95% Woolf interval (1, 2)."""
    t = _table(d, study)
    return float(t.oddsratio) if part == 0 else float(t.oddsratio_confint()[part - 1])


def _risk_ratio(d: Data, study: str, part: int) -> float:
    """Risk ratio (0), or a bound of its 95% log-scale interval (1, 2)."""
    t = _table(d, study)
    return float(t.riskratio) if part == 0 else float(t.riskratio_confint()[part - 1])


def _p_shown(p: float, below: float) -> str:
    """A p value as a report states it against a bound: ``< 0.001``, else its three decimals."""
    return f"< {below:g}" if p < below else f"{p:.3f}"


def _stated_percent(d: Data, study: str, arm: str) -> float:
    """A percentage the report prints for one arm (``ips_rcts.pct_*_stated``)."""
    r = d["trials"].loc[d["trials"]["study"] == study].iloc[0]
    return float(r[f"pct_{arm}_stated"])


def _printed_at(d: Data, line: int, column: str = "value") -> float:
    """A number of another row of ``ips_rct_statistics`` (the row on ``line`` of the file)."""
    return float(d["statistics"].iloc[line - 2][column])


def _odds(p: float) -> float:
    return p / (1 - p)


# ---------------------------------------------------------------- the claims


def _claims() -> list[Claim]:
    table = load()["statistics"]

    def c(id_: str, line: int, quantity: str, published: Any, compute: Callable[[Data], Any],
          **kw: Any) -> Claim:
        row = table.iloc[line - 2]
        # the short name of the address (host and PubMed, PMC or DOI identifier) keeps the claims
        # table on the screen; the full address is on the claim's line of the table
        where = f"{row['study']}: {row['source_location']} ({source_label(row['source_url'])})"
        note = kw.pop("note", "")
        return Claim(f"{KEY}.{id_}", SOURCE, line, f"{row['study']}: {quantity}", published, compute,
                     report=REPORT, note=f"{note} Read at {where}." if note else f"Read at {where}.",
                     **kw)

    tr, ident = "transcribed", "identity"
    burns, davis12 = "Burns 2007 (EQOLISE)", "Davis 2012"
    hellstrom, davis18 = "Hellstrom 2017 (IPS-MA)", "Davis 2018 (VIP-STAR)"
    va = "VA primary-care IPS trial (NCT02400736)"
    pearson = "Pearson's chi-squared without continuity correction on the arm counts"
    adjusted = ("The counts give the crude odds ratio; the printed one would agree if it is adjusted "
                "for covariates, which the trial table's discrepancy note takes it to be.")
    return [
        # Burns 2007 (EQOLISE): 85/156 vs 43/156, both counts stated
        c("burns_risk_difference", 2, "risk difference in competitive employment, IPS minus "
          "vocational services (percentage points)", 26.9, lambda d: _risk_difference(d, burns, 0),
          basis=tr, tolerance=0.05, unit="percentage points", printed="26.9%",
          note="From 85/156 vs 43/156."),
        c("burns_risk_difference_low", 2, "lower bound of the 95% interval of the risk difference",
          16.4, lambda d: _risk_difference(d, burns, 1), basis=tr, tolerance=0.05,
          unit="percentage points", note="Wald interval."),
        c("burns_risk_difference_high", 2, "upper bound of the 95% interval of the risk difference",
          37.4, lambda d: _risk_difference(d, burns, 2), basis=tr, tolerance=0.05,
          unit="percentage points", note="Wald interval."),
        c("burns_ips_percent", 3, "IPS participants in competitive employment (per cent)", 54.5,
          lambda d: _percent(d, burns, "ips"), basis=tr, tolerance=0.05, unit="percent",
          printed="54.5%", note="85 of 156."),
        c("burns_ips_percent_lancet", 3, "IPS participants in competitive employment as the "
          "Lancet abstract rounds it (per cent)", 55, lambda d: _percent(d, burns, "ips"),
          basis=tr, tolerance=0.5, unit="percent", printed="55%",
          query=("85 of 156 is 54.49%, which rounds to 54%, not 55%. The 55% agrees if it is the "
                 "54.5% of the 2008 report of the same trial rounded a second time."),
          versus=((3, "the 2008 report prints 54.5% for the same 85 patients"),)),
        c("burns_control_percent", 4, "control participants in competitive employment (per cent)",
          27.6, lambda d: _percent(d, burns, "control"), basis=tr, tolerance=0.05, unit="percent",
          note="43 of 156."),
        # Lehman 2002: no arm sizes; the odds ratios from the printed percentages
        c("lehman_any_work_odds_ratio", 9, "odds ratio of any work, from the printed 42% vs 11%",
          5.58, lambda d: _odds(_printed_at(d, 13) / 100) / _odds(_printed_at(d, 14) / 100),
          basis=ident, tolerance=0.45, printed="5.58", lines=(13, 14),
          note=("No arm sizes are printed, so the odds ratio is computed from the two printed "
                "percentages (lines 13 and 14); rounding each by up to half a point moves it from "
                "5.46 to 6.30, hence the tolerance 0.45.")),
        c("lehman_competitive_odds_ratio", 11, "odds ratio of competitive employment, from the "
          "printed 27% vs 7%", 5.58,
          lambda d: _odds(_stated_percent(d, "Lehman 2002", "ips") / 100)
          / _odds(_stated_percent(d, "Lehman 2002", "control") / 100),
          basis=ident, tolerance=0.55, printed="5.58", lines=(9,),
          note=("From the percentages the trial table records for this outcome (ips_rcts, Lehman "
                "2002); rounding each by up to half a point moves the odds ratio from 4.45 to "
                "5.46, hence the tolerance 0.55."),
          query=("No crude odds ratio of 27% vs 7% reaches 5.58, whatever their rounding (at most "
                 "5.46). The printed value agrees if it is adjusted, or if it was carried over from "
                 "the odds ratio of any work (line 9), which 42% vs 11% do give."),
          versus=((9, "the same abstract prints odds ratio 5.58 for any work (42% vs 11%)"),)),
        # Gold 2006: 42/66 vs 20/77 (one whole number each from the printed percentages)
        c("gold_p", 18, "p value of competitive employment, IPS against control", "< 0.001",
          lambda d: _p_shown(_pearson(d, "Gold 2006")[1], 0.001), basis=tr, printed="p < .001",
          unit="p", note=f"{pearson} (Fisher's exact test gives the same verdict)."),
        c("gold_effect_size", 19, "effect size of competitive employment (phi coefficient)", 0.38,
          lambda d: math.sqrt(_pearson(d, "Gold 2006")[0] / sum(_arms(d, "Gold 2006")[1::2])),
          basis=tr, tolerance=0.005,
          note="The abstract does not name the effect size; phi, the square root of chi-squared "
               "over N, agrees."),
        # Killackey 2008: 13/20 vs 2/21, both counts stated
        c("killackey2008_p", 22, "p value of employment, IPS against control", "< 0.001",
          lambda d: _p_shown(_pearson(d, "Killackey 2008")[1], 0.001), basis=tr, printed="P<0.001",
          unit="p", note=f"{pearson}; Fisher's exact test also gives 0.0003."),
        # Howard 2010 (SWAN): no arm sizes; the risk ratio from the printed percentages
        c("swan_risk_ratio", 23, "risk ratio of competitive employment within 1 year, from the "
          "printed 13% vs 7%", 1.35,
          lambda d: _stated_percent(d, "Howard 2010 (SWAN 1-year)", "ips")
          / _stated_percent(d, "Howard 2010 (SWAN 1-year)", "control"),
          basis=ident, tolerance=0.22, printed="risk ratio 1.35",
          note=("From the percentages the trial table records (ips_rcts, Howard 2010); rounding "
                "each by up to half a point moves the ratio from 1.67 to 2.08, hence the tolerance "
                "0.22."),
          query=("13% against 7% is a ratio of 1.86 (1.67 to 2.08 within their rounding), not "
                 "1.35 (printed interval 0.95 to 1.93). The printed ratio agrees only as an "
                 "estimate from a model or of another outcome than the one the percentages describe."),
          versus=((23, "the outcome as this line states it: 13% vs 7%"),)),
        # Davis 2012: 32/42 vs 12/43 (one whole number each from the printed percentages)
        c("davis2012_nnt", 27, "number needed to treat for one more person in competitive "
          "employment", 2.07, lambda d: 100 / _risk_difference(d, davis12, 0), basis=tr,
          tolerance=0.005, note="One over the risk difference of 32/42 vs 12/43."),
        c("davis2012_chi_squared", 28, "chi-squared of competitive employment (df = 1)", 19.84,
          lambda d: _pearson(d, davis12)[0], basis=tr, tolerance=0.005, printed="19.84",
          note=f"{pearson}."),
        c("davis2012_p", 29, "p value of competitive employment", "< 0.001",
          lambda d: _p_shown(_pearson(d, davis12)[1], 0.001), basis=tr, printed="p<.001", unit="p",
          note=f"{pearson}."),
        c("davis2012_times_more_likely", 30, "how many times more likely IPS participants were to "
          "gain competitive employment (risk ratio)", 2.7, lambda d: _risk_ratio(d, davis12, 0),
          basis=tr, tolerance=0.05, printed="2.7 times"),
        c("davis2012_review_risk_ratio", 31, "risk ratio as a later review computes it", 2.73,
          lambda d: _risk_ratio(d, davis12, 0), basis=tr, tolerance=0.005,
          note="A review's figure for this trial, not the trial's own."),
        c("davis2012_review_risk_ratio_low", 31, "lower bound of the review's 95% interval", 1.64,
          lambda d: _risk_ratio(d, davis12, 1), basis=tr, tolerance=0.005,
          note="Log-scale interval."),
        c("davis2012_review_risk_ratio_high", 31, "upper bound of the review's 95% interval", 4.54,
          lambda d: _risk_ratio(d, davis12, 2), basis=tr, tolerance=0.005,
          note="Log-scale interval."),
        # Oshima 2014: 8/18 vs 2/19 (one whole number each from the printed percentages)
        c("oshima_p", 32, "p value of competitive work during 6 months", 0.022,
          lambda d: _pearson(d, "Oshima 2014")[1], basis=tr, tolerance=0.0005, unit="p",
          printed="p = .022",
          note=f"{pearson} (the abstract does not name its test).",
          query=("On 8/18 vs 2/19 Pearson's chi-squared gives p = 0.020, with Yates' correction "
                 "0.051, and Fisher's exact test 0.029; none gives .022. It agrees only under a "
                 "test the abstract does not name, or with counts that differ from those the "
                 "printed 44.4% and 10.5% allow."),
          versus=((32, "the outcome as this line states it: 44.4% vs 10.5%"),)),
        # Bejerholm 2015: no arm sizes; the difference of the printed percentages
        c("bejerholm_risk_difference", 33, "difference in employment at 18 months, from the "
          "printed 46% vs 11% (percentage points)", 36,
          lambda d: _stated_percent(d, "Bejerholm 2015", "ips")
          - _stated_percent(d, "Bejerholm 2015", "control"),
          basis=ident, tolerance=1.0, unit="percentage points", printed="difference 36%",
          note="Two percentages each rounded by up to half a point: the difference can be off by "
               "one. Its interval needs the arm sizes, which no source read prints."),
        # Hellstrom 2017 (IPS-MA): 72/162 vs 62/164, both counts stated
        c("hellstrom_odds_ratio", 34, "odds ratio of work or education at 24 months", 1.34,
          lambda d: _odds_ratio(d, hellstrom, 0), basis=tr, tolerance=0.005, printed="OR=1.34",
          query=adjusted + " Crude: 1.32 (0.85 to 2.05).",
          versus=((34, "the outcome as this line states it: 72/162 vs 62/164"),)),
        c("hellstrom_odds_ratio_low", 34, "lower bound of the 95% interval of the odds ratio", 0.86,
          lambda d: _odds_ratio(d, hellstrom, 1), basis=tr, tolerance=0.005,
          query=adjusted, versus=((34, "the counts 72/162 vs 62/164"),), note="Woolf interval."),
        c("hellstrom_odds_ratio_high", 34, "upper bound of the 95% interval of the odds ratio", 2.1,
          lambda d: _odds_ratio(d, hellstrom, 2), basis=tr, tolerance=0.005, printed="2.10",
          query=adjusted, versus=((34, "the counts 72/162 vs 62/164"),), note="Woolf interval."),
        c("hellstrom_p", 35, "p value of work or education at 24 months", 0.2,
          lambda d: _pearson(d, hellstrom)[1], basis=tr, tolerance=0.005, printed="p=0.20", unit="p",
          note=f"{pearson}.",
          query=("The crude test of 72/162 vs 62/164 gives p = 0.22; the printed 0.20 is the p "
                 "value of the odds ratio printed on line 34 (claim hellstrom_p_from_interval)."),
          versus=((34, "the odds ratio 1.34 (0.86 to 2.10) it belongs to, probably adjusted"),)),
        c("hellstrom_p_from_interval", 35, "p value of the printed odds ratio 1.34 (0.86 to 2.10), "
          "from its interval", 0.2,
          lambda d: 2 * float(stats.norm.sf(math.log(_printed_at(d, 34)) / (
              math.log(_printed_at(d, 34, "ci_high") / _printed_at(d, 34, "ci_low"))
              / (2 * stats.norm.ppf(0.975))))),
          basis=ident, tolerance=0.005, printed="p=0.20", unit="p", lines=(34,),
          note=("Two-sided normal p of log(1.34) over the standard error that the printed 95% "
                "interval implies (its log width over 2 x 1.96).")),
        # Killackey 2019: no arm sizes; the p value from the printed z
        c("killackey2019_p", 40, "p value of having been employed by 6 months, from the printed "
          "z = 2.25", 0.025, lambda d: 2 * float(stats.norm.sf(_printed_at(d, 39))), basis=ident,
          tolerance=0.0009, printed="P = 0.025", unit="p", lines=(39,),
          note=("Two-sided normal p of z (line 39). Tolerance: half a unit of the printed p "
                "(0.0005) and what z's own rounding (2.245 to 2.255) moves p (0.0004).")),
        # Cook 2005 (EIDP): 359/648 vs 210/625, both counts stated
        c("cook_chi_squared", 41, "chi-squared of competitive employment during 24 months", 61.17,
          lambda d: _pearson(d, "Cook 2005 (EIDP)")[0], basis=tr, tolerance=0.005,
          note=f"{pearson}."),
        c("cook_p", 42, "p value of competitive employment during 24 months", "< 0.001",
          lambda d: _p_shown(_pearson(d, "Cook 2005 (EIDP)")[1], 0.001), basis=tr, printed="P<.001",
          unit="p", note=f"{pearson}."),
        # Davis 2018 (VIP-STAR): 105/271 vs 63/270, both counts stated
        c("davis2018_odds_ratio", 44, "odds ratio of steady work during 18 months", 2.14,
          lambda d: _odds_ratio(d, davis18, 0), basis=tr, tolerance=0.005, printed="odds ratio 2.14",
          query=adjusted + " Crude: 2.08 (1.43 to 3.02).",
          versus=((44, "the outcome as this line states it: 105/271 vs 63/270"),)),
        c("davis2018_odds_ratio_low", 44, "lower bound of the 95% interval of the odds ratio", 1.46,
          lambda d: _odds_ratio(d, davis18, 1), basis=tr, tolerance=0.005,
          query=adjusted, versus=((44, "the counts 105/271 vs 63/270"),), note="Woolf interval."),
        c("davis2018_odds_ratio_high", 44, "upper bound of the 95% interval of the odds ratio", 3.14,
          lambda d: _odds_ratio(d, davis18, 2), basis=tr, tolerance=0.005,
          query=adjusted, versus=((44, "the counts 105/271 vs 63/270"),), note="Woolf interval."),
        c("davis2018_p", 45, "p value of steady work during 18 months", "< 0.001",
          lambda d: _p_shown(_pearson(d, davis18)[1], 0.001), basis=tr, printed="P <.001", unit="p",
          note=f"{pearson}; the crude test already gives p < 0.001."),
        # VA primary-care IPS trial: 26/58 vs 15/61 (one whole number each from the printed percentages)
        c("va_pact_odds_ratio", 46, "odds ratio of steady work during 12 months", 2.49,
          lambda d: _odds_ratio(d, va, 0), basis=tr, tolerance=0.005),
        c("va_pact_p", 47, "p value of steady work during 12 months", 0.02,
          lambda d: _pearson(d, va)[1], basis=tr, tolerance=0.005, printed="p=0.02", unit="p",
          note=f"{pearson}."),
    ]


CLAIMS = ClaimSet(key=KEY, title="The IPS trials' own published statistics, recomputed from their counts "
                                 "(ips_rct_statistics)", load=load, claims=_claims, reads_data_dir=False)

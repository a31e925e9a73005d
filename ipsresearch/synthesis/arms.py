"""Two-arm trial counts: the one form the package takes, and the mistake it guards against.

Every function of the package that pools trials (:func:`~ipsresearch.synthesis.meta_analysis`,
:func:`~ipsresearch.synthesis.effect_sizes`, :func:`~ipsresearch.synthesis.meta_regression`)
takes each arm as **events and arm total**: ``events_treatment`` people with
the outcome among ``n_treatment`` randomised, and the same for the control
arm. None of them asks for the count of people *without* the outcome.

Other tools do: a 2 x 2 table (metafor's ``escalc(ai, bi, ci, di)``,
statsmodels' ``Table2x2``, a spreadsheet's "employed / not employed") holds
the people with and without the outcome. Passing the arm totals where the
count without the outcome belongs is a common slip with such tools: each
arm's rate becomes ``events / (events + n)`` instead of ``events / n`` and
every ratio shrinks towards 1 while keeping its side of 1.
:func:`misread_totals` computes what that slip does to a meta-analysis, and
:func:`arms_from_2x2`, the package's only entry point for counts without the
outcome, refuses input that shows the slip.

Written here: the arithmetic of the two functions is a few lines; the pooling
is :func:`~ipsresearch.synthesis.meta_analysis`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch import schemas
from ipsresearch.synthesis.meta import TWO_ARM, MetaAnalysisResult, meta_analysis
from ipsresearch.validation import (
    Column,
    InputError,
    ProblemCollector,
    Schema,
    check_choice,
    check_frame,
    source_rows,
    validate,
)

__all__ = ["MisreadTotals", "TOTAL_NAMES", "arms_from_2x2", "misread_totals"]

TOTAL_NAMES: tuple[str, ...] = ("n", "n_treatment", "n_control")
"""Column names the package uses for arm totals (participants randomised to an arm)."""

_ARMS = ("treatment", "control")


def arms_from_2x2(
    data: pd.DataFrame,
    *,
    events_treatment: str,
    no_event_treatment: str,
    events_control: str,
    no_event_control: str,
    n_treatment: str | None = None,
    n_control: str | None = None,
    study: str | None = "study",
    source: str | None = None,
) -> pd.DataFrame:
    """Two-arm counts from a 2 x 2 table (with and without the outcome), checked for the totals slip.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per trial. Not modified.
    events_treatment, events_control : str
        Columns: people **with** the outcome in each arm (e.g. employed).
    no_event_treatment, no_event_control : str
        Columns: people **without** the outcome in each arm (e.g. not
        employed), the ``bi`` and ``di`` cells of metafor's ``escalc``.
        Never the arm totals.
    n_treatment, n_control : str, optional
        Columns of arm totals, when the table has them as well: every row
        must then satisfy events + without = total. Without them, columns
        named ``n_treatment`` and ``n_control`` are used when present.
    study : str or None
        Column labelling the trials; ``None`` labels them ``study 1``, ``study 2``, ...
    source : str, optional
        Name of the table in error messages (default ``data``).

    Returns
    -------
    pandas.DataFrame
        ``study, events_treatment, n_treatment, events_control, n_control``,
        with ``n = events + without``: the input of
        :func:`~ipsresearch.synthesis.meta_analysis`.

    Raises
    ------
    InputError
        Every problem at once, naming table, row and column: a column given
        as "without the outcome" that is one of the package's arm-total
        columns (:data:`TOTAL_NAMES`) or one given as totals; a row whose
        events plus count without the outcome differ from its arm total
        (the message says so when the count without the outcome *equals*
        the total, the signature of the slip); counts that are missing,
        negative or not whole.

    Notes
    -----
    The four count columns are keyword-only and have no defaults, so a call
    always says which column holds what. The check against the totals cannot
    catch a table that has no totals and whose totals column carries an
    unusual name; for such tables the protection is the name of the
    argument.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"study": ["A"], "employed_ips": [85], "not_employed_ips": [71],
    ...                       "employed_tvr": [43], "not_employed_tvr": [113]})
    >>> arms_from_2x2(cells, events_treatment="employed_ips", no_event_treatment="not_employed_ips",
    ...               events_control="employed_tvr", no_event_control="not_employed_tvr").to_dict("records")
    [{'study': 'A', 'events_treatment': 85, 'n_treatment': 156, 'events_control': 43, 'n_control': 156}]
    >>> totals = pd.DataFrame({"study": ["A"], "events_treatment": [85], "n_treatment": [156],
    ...                        "events_control": [43], "n_control": [156]})
    >>> arms_from_2x2(totals, events_treatment="events_treatment", no_event_treatment="n_treatment",
    ...               events_control="events_control", no_event_control="n_control")
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 2 problems in data:
      - data column `n_treatment`: given as the count without the outcome, but `n_treatment` is ...
      - data column `n_control`: given as the count without the outcome, but `n_control` is ...
    """
    check_frame(data)
    src = source or "data"
    given = {"treatment": (events_treatment, no_event_treatment, n_treatment),
             "control": (events_control, no_event_control, n_control)}
    found = ProblemCollector(src)
    totals_named = {t for _, _, t in given.values() if t}
    named_ok = {}
    for arm, (_events, without, _total) in given.items():
        named_ok[arm] = False
        if without in (events_treatment, events_control):
            found.add_problem(None, without, f"given both as the events and as the count without the "
                              f"outcome in the {arm} arm", "two different columns")
        elif without in TOTAL_NAMES or without in totals_named:
            found.add_problem(
                None, without,
                f"given as the count without the outcome, but `{without}` is the name of an arm total "
                "(everyone randomised to the arm); with it every rate would become events / (events + "
                "total) and every ratio would shrink towards 1",
                "the count without the outcome (arm total minus events), or pass events and totals "
                "to meta_analysis directly")
        else:
            named_ok[arm] = True
    counts = list(dict.fromkeys(c for e, w, _ in given.values() for c in (e, w)))
    check = Schema("2x2 table", [
        *([Column(study, "str", unique=True)] if study else []),
        *[Column(c, "int", min=0, description="count") for c in counts]])
    present = [c for c in ([study] if study else []) + counts if c in data.columns]
    try:
        typed = validate(data[present], check, source=src)
    except InputError as err:
        found.extend(err.problems)
        found.raise_if_any()
    rows = source_rows(data)
    out = pd.DataFrame({"study": typed[study].astype(str).to_numpy() if study
                        else [f"study {i + 1}" for i in range(len(typed))]})
    for arm, (events, without, total) in given.items():
        e = typed[events].to_numpy(dtype=np.int64)
        w = typed[without].to_numpy(dtype=np.int64)
        total_col = total or (f"n_{arm}" if f"n_{arm}" in data.columns else None)
        if named_ok[arm] and total_col is not None:
            n = pd.to_numeric(data[total_col], errors="coerce").to_numpy(dtype=float)
            equal = (w == n) & (e > 0)
            other = (e + w != n) & ~equal
            found.add(equal, lambda i, e=e, w=w, c=total_col, wo=without: (
                f"{wo} = {w[i]} equals the arm total `{c}` although {e[i]} had the outcome: the total "
                "was given where the count without the outcome belongs"),
                rows=rows, column=without, allowed=f"{total_col} minus the events")
            found.add(other, lambda i, e=e, w=w, n=n, c=total_col, ev=events, wo=without: (
                f"{ev} {e[i]} + {wo} {w[i]} = {e[i] + w[i]}, but the arm total `{c}` is {n[i]:g}"),
                rows=rows, column=without, allowed=f"{events} + {without} = {total_col}")
        out[f"events_{arm}"] = e
        out[f"n_{arm}"] = e + w
    found.raise_if_any()
    return validate(out, schemas.trial_arms_schema(), source=src)


@dataclass(frozen=True, eq=False)
class MisreadTotals:
    """The same trials pooled correctly and with every arm total read as "without the outcome".

    Attributes
    ----------
    correct : MetaAnalysisResult
        The meta-analysis of events among arm totals.
    misread : MetaAnalysisResult
        The same meta-analysis when each arm's total is taken for its count
        without the outcome, so that the arm seems to hold ``events + n``
        people and its rate is ``events / (events + n)``.
    """

    correct: MetaAnalysisResult
    misread: MetaAnalysisResult

    def to_frame(self) -> pd.DataFrame:
        """Per trial, then pooled: the rates and estimates both ways.

        Returns
        -------
        pandas.DataFrame
            ``row`` (``study`` or ``pooled``), ``study``, ``events_treatment,
            n_treatment, events_control, n_control`` (as given; summed in the
            pooled row), ``rate_treatment, rate_control, estimate, ci_low,
            ci_high`` (correct), ``rate_treatment_misread,
            rate_control_misread, estimate_misread, ci_low_misread,
            ci_high_misread``. Rates are empty in the pooled row.
        """
        good = self.correct.to_frame()
        bad = self.misread.to_frame()
        out = good[["row", "study", "events_treatment", "n_treatment", "events_control",
                    "n_control"]].copy()
        true_n = {"treatment": good["n_treatment"].astype(float), "control": good["n_control"].astype(float)}
        for arm in _ARMS:
            events = good[f"events_{arm}"].astype(float)
            out[f"rate_{arm}"] = np.where(good["row"] == "study", events / true_n[arm], np.nan)
        out[["estimate", "ci_low", "ci_high"]] = good[["estimate", "ci_low", "ci_high"]].to_numpy()
        for arm in _ARMS:
            events = bad[f"events_{arm}"].astype(float)
            out[f"rate_{arm}_misread"] = np.where(bad["row"] == "study",
                                                  events / bad[f"n_{arm}"].astype(float), np.nan)
        for col in ("estimate", "ci_low", "ci_high"):
            out[f"{col}_misread"] = bad[col].to_numpy()
        return out

    def summary(self) -> pd.DataFrame:
        """One row: ``measure, method, test, k`` and, correct then misread, the pooled
        ``estimate, ci_low, ci_high, pi_low, pi_high, tau2, i2`` (suffix ``_misread``)."""
        g, b = self.correct, self.misread
        row = {"measure": g.measure, "method": g.method, "test": g.test, "k": g.k}
        for suffix, r in (("", g), ("_misread", b)):
            for name in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2"):
                row[name + suffix] = getattr(r, name)
        return pd.DataFrame([row])

    def _repr_html_(self) -> str:
        g, b = self.correct, self.misread
        return (f"<p>Pooled {html.escape(g.label)}: {g.estimate:.3f} ({g.ci_low:.3f} to {g.ci_high:.3f}) "
                f"with events among arm totals; {b.estimate:.3f} ({b.ci_low:.3f} to {b.ci_high:.3f}) "
                "with each arm total read as the count without the outcome.</p>")


def misread_totals(
    data: pd.DataFrame,
    *,
    measure: str = "RR",
    method: str = "REML",
    test: str = "z",
    confidence: float = 0.95,
    study: str | None = "study",
    events_treatment: str = "events_treatment",
    n_treatment: str = "n_treatment",
    events_control: str = "events_control",
    n_control: str = "n_control",
) -> MisreadTotals:
    """What a meta-analysis gives when the arm totals are read as the counts without the outcome.

    A tool that takes the cells of a 2 x 2 table (with and without the
    outcome) and is handed the arm totals instead computes each arm's rate as
    ``events / (events + n)``. This function pools the trials both ways with
    :func:`~ipsresearch.synthesis.meta_analysis`, so the size of the error
    can be shown; the package's own functions take events and totals and
    cannot make it (see :func:`arms_from_2x2`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per two-arm trial: events and arm totals. Not modified.
    measure : {"RR", "OR", "RD"}
        Effect measure (see :data:`~ipsresearch.synthesis.meta.MEASURES`).
    method : str
        Pooling method of :func:`~ipsresearch.synthesis.meta_analysis`.
    test : {"z", "knha"}
        Wald or Knapp-Hartung inference.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).
    study, events_treatment, n_treatment, events_control, n_control : str
        Columns of the trials, as in :func:`~ipsresearch.synthesis.meta_analysis`.

    Returns
    -------
    MisreadTotals
        ``.correct`` and ``.misread`` fits; ``.to_frame()`` the rates and
        estimates side by side, ``.summary()`` the pooled results in one row.

    Notes
    -----
    With rates ``p1 = a/n1`` and ``p2 = c/n2`` the misread rates are
    ``p/(1 + p)``, an increasing function below 1/2, so a trial keeps the
    side of 1 its risk ratio is on, and the misread risk ratio is the true
    one times ``(1 + p2) / (1 + p1)``: smaller whenever IPS has the higher
    rate. The misread odds of an arm are ``events / n``, its true rate, so
    the misread odds ratio is the true risk ratio, which lies nearer 1 than
    the odds ratio.

    Examples
    --------
    >>> import pandas as pd
    >>> trials = pd.DataFrame({"study": ["A", "B"], "events_treatment": [85, 13],
    ...     "n_treatment": [156, 20], "events_control": [43, 2], "n_control": [156, 21]})
    >>> both = misread_totals(trials, method="FE")
    >>> rows = both.to_frame()
    >>> round(float(rows.loc[0, "rate_treatment_misread"]), 4)  # 85 / (85 + 156)
    0.3527
    >>> bool(1 < both.misread.estimate < both.correct.estimate)
    True
    """
    check_frame(data)
    check_choice("measure", measure, TWO_ARM)
    options = {"measure": measure, "method": method, "test": test, "confidence": confidence,
               "study": study, "events_treatment": events_treatment, "n_treatment": n_treatment,
               "events_control": events_control, "n_control": n_control}
    correct = meta_analysis(data, **options)
    arms = correct.studies  # validated counts under the standard names, in input order
    misread_arms = pd.DataFrame({
        "study": arms["study"],
        "events_treatment": arms["events_treatment"],
        "n_treatment": arms["events_treatment"] + arms["n_treatment"],
        "events_control": arms["events_control"],
        "n_control": arms["events_control"] + arms["n_control"]})
    misread = meta_analysis(misread_arms, measure=measure, method=method, test=test,
                            confidence=confidence)
    return MisreadTotals(correct=correct, misread=misread)

"""The randomised trials of IPS: which trial reports are pooled, which are not, and why.

The trials are an extracted table, ``datasets.load("ips_rcts")`` (one row per
trial report and comparison; ``docs/ips_rcts.md`` gives the counting rule and
where every figure was read). This module turns that table into the input of
:func:`ipsresearch.synthesis.meta_analysis` and says what it left out:

* :func:`select_trials` picks the rows of the chosen analysis sets
  (``primary``, ``sensitivity``) and, for a clearly labelled what-if
  analysis, the rows whose counts are only *inferred* (confidence ``low``:
  a denominator no source prints, recovered by an argument recorded in the
  row's ``inference``). Every other row is listed with its reason.
* :func:`pooled_scenarios` pools the three nested sets (primary; primary and
  sensitivity; those and the what-if rows) with Wald and Knapp-Hartung
  intervals, to show what the trials that cannot be settled could do to the
  estimate.

A trial enters a pooled set once. Where one trial has several comparison
rows in the set (Mueser 2004: IPS against two control arms), the control
arms are combined into one, as the Cochrane Handbook (section 23.3.4)
recommends for a shared intervention arm, so that the IPS participants are
not counted twice.

Examples
--------
>>> from ipsresearch.studies import ips_trials
>>> chosen = ips_trials.select_trials(sets=["primary"])
>>> chosen.pooled["study"].tolist()
['Burns 2007 (EQOLISE)', 'Killackey 2008', 'Hoffmann 2012', 'Oshima 2014']
>>> len(chosen.pooled) + len(chosen.excluded) == len(ips_trials.load_trials())
True
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from ipsresearch import datasets, schemas
from ipsresearch.synthesis import meta_analysis
from ipsresearch.validation import check_choice, check_confidence, check_frame, validate

__all__ = ["REPORT", "SCENARIOS", "TrialSelection", "load", "load_trials", "pooled_scenarios",
           "select_trials", "source_label"]

REPORT = "06-evidence-for-ips"
"""Notebook stem of the report that teaches with the trials."""

SETS = ("primary", "sensitivity")
"""Analysis sets of ``ips_rcts`` that can be pooled (``none`` never is)."""

SCENARIOS: dict[str, tuple[tuple[str, ...], bool]] = {
    "primary": (("primary",), False),
    "primary + sensitivity": (("primary", "sensitivity"), False),
    "primary + sensitivity + what-if": (("primary", "sensitivity"), True),
}
"""The nested sets :func:`pooled_scenarios` pools: label -> (analysis sets, what-if rows included)."""

_ARM_COLUMNS = ("events_treatment", "n_treatment", "events_control", "n_control")


def load_trials() -> pd.DataFrame:
    """The extracted trial table, ``datasets.load("ips_rcts")``, validated."""
    return datasets.load("ips_rcts")


def load(data_dir: str | os.PathLike | None = None) -> dict[str, pd.DataFrame]:
    """The three trial tables: ``trials``, ``statistics`` (what the trials print) and ``reviews``.

    ``data_dir`` is accepted for the claims register's loader signature and
    ignored: the tables are extracted from the trials' publications and ship
    with the package.
    """
    return {"trials": load_trials(), "statistics": datasets.load("ips_rct_statistics"),
            "reviews": datasets.load("ips_reviews")}


def source_label(url: Any) -> str:
    """A short name for the address a trial's figures were read at.

    The host, followed by the PubMed or PMC identifier or the DOI when the
    address holds one; ``"no address"`` for a blank.

    Examples
    --------
    >>> source_label("https://pubmed.ncbi.nlm.nih.gov/17905167/?dopt=Abstract")
    'pubmed.ncbi.nlm.nih.gov 17905167'
    >>> source_label("https://ps.psychiatryonline.org/doi/10.1176/appi.ps.201100340")
    'ps.psychiatryonline.org doi:10.1176/appi.ps.201100340'
    >>> source_label("https://pmc.ncbi.nlm.nih.gov/articles/PMC1435374")
    'pmc.ncbi.nlm.nih.gov PMC1435374'
    """
    if url is None or (isinstance(url, float) and np.isnan(url)) or not str(url).strip():
        return "no address"
    parts = urlsplit(str(url).strip())
    host = parts.netloc.removeprefix("www.")
    doi = re.search(r"/doi/(?:full/|abs/)?(10\.\d+/[^?#]+)", parts.path)
    if doi:
        return f"{host} doi:{doi.group(1).rstrip('/')}"
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1] if segments else ""
    if re.fullmatch(r"\d{6,9}|PMC\d+", last):
        return f"{host} {last}"
    return host


@dataclass(frozen=True, eq=False)
class TrialSelection:
    """The trials chosen for pooling and the reports left out, each with its reason.

    Attributes
    ----------
    pooled : pandas.DataFrame
        One row per pooled trial, the input of
        :func:`~ipsresearch.synthesis.meta_analysis`: ``study, trial,
        reports`` (the table rows behind it, ``;``-separated),
        ``events_treatment, n_treatment, events_control, n_control`` (IPS
        arm first), ``counts`` (``settled`` or ``inferred (what-if)``),
        ``analysis_set`` (``primary``, ``sensitivity`` or ``what-if``),
        ``region, control_category, outcome_category, followup_months,
        country, source_url, source_location, source_label``.
    excluded : pandas.DataFrame
        One row per report not pooled: ``study, trial, analysis_set,
        confidence, reason, pct_ips_stated, pct_control_stated,
        printed_ratio`` (IPS percentage over control percentage as printed,
        no interval: the arm sizes are unknown or unsettled; empty when a
        percentage is missing), ``source_url``.
    sets : tuple of str
        The analysis sets chosen.
    what_if : bool
        Whether rows with inferred counts were pooled.
    """

    pooled: pd.DataFrame = field(repr=False)
    excluded: pd.DataFrame = field(repr=False)
    sets: tuple[str, ...]
    what_if: bool

    def to_frame(self) -> pd.DataFrame:
        """The pooled trials (a copy), the main tidy table."""
        return self.pooled.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``sets, what_if, trials, participants, inferred, excluded``."""
        arms = self.pooled[["n_treatment", "n_control"]].to_numpy()
        return pd.DataFrame([{
            "sets": " + ".join(self.sets), "what_if": self.what_if, "trials": len(self.pooled),
            "participants": int(arms.sum()),
            "inferred": int((self.pooled["counts"] != "settled").sum()),
            "excluded": len(self.excluded)}])

    def sources(self) -> dict[str, str]:
        """Study label -> short source name (:func:`source_label`), e.g. for a forest plot."""
        return dict(zip(self.pooled["study"], self.pooled["source_label"], strict=True))

    def _repr_html_(self) -> str:
        s = self.summary().iloc[0]
        return (f"<p>{s['trials']} trials pooled ({html.escape(s['sets'])}"
                f"{', with inferred what-if counts' if s['what_if'] else ''}), {s['participants']} "
                f"participants; {s['excluded']} reports not pooled.</p>")


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _ratio(ips: Any, control: Any) -> float:
    try:
        a, b = float(ips), float(control)
    except (TypeError, ValueError):
        return float("nan")
    return a / b if b > 0 else float("nan")


def _has_inferred(row: pd.Series) -> bool:
    return not any(_blank(row[f"inferred_{c}"]) for c in
                   ("n_ips", "events_ips", "n_control", "events_control"))


def _combine(rows: list[dict], trial: str) -> dict:
    """One pooled row for a trial with several comparison rows sharing the IPS arm."""
    if len(rows) == 1:
        return rows[0]
    ips = {(r["events_treatment"], r["n_treatment"]) for r in rows}
    if len(ips) != 1:
        raise ValueError(f"trial {trial!r} enters the pooled set with {len(rows)} rows whose IPS arms "
                         f"differ ({sorted(ips)}); give each trial one row per pooled set")
    first = dict(rows[0])
    first["study"] = re.sub(r"\s*\(vs .*\)$", "", first["study"]) + " (control arms combined)"
    first["reports"] = "; ".join(r["reports"] for r in rows)
    first["events_control"] = sum(r["events_control"] for r in rows)
    first["n_control"] = sum(r["n_control"] for r in rows)
    return first


def select_trials(
    trials: pd.DataFrame | None = None,
    *,
    sets: Iterable[str] = ("primary",),
    what_if: bool = False,
) -> TrialSelection:
    """The trials to pool, and every report left out with its reason.

    Parameters
    ----------
    trials : pandas.DataFrame, optional
        A table laid out like ``ips_rcts`` (:data:`ipsresearch.schemas.IPS_RCTS`);
        the shipped one by default. Not modified.
    sets : iterable of {"primary", "sensitivity"}
        Analysis sets whose rows (with settled counts) are pooled.
    what_if : bool
        Also pool the rows whose counts are only inferred (the
        ``inferred_*`` columns; confidence ``low``). Their pooled row says
        ``counts = "inferred (what-if)"``: a result that includes them is a
        what-if, never evidence.

    Returns
    -------
    TrialSelection
        ``.pooled`` (one row per trial) and ``.excluded`` (one row per
        report not pooled, with ``reason``). Every report of the table is in
        exactly one of them (a pooled trial lists its reports in ``reports``).

    Raises
    ------
    ValueError
        An unknown set, or one trial entering with rows whose IPS arms differ.
    InputError
        ``trials`` breaks the ``ips_rcts`` schema.

    Examples
    --------
    >>> wide = select_trials(sets=["primary", "sensitivity"], what_if=True)
    >>> wide.summary()[["trials", "inferred"]].iloc[0].tolist()
    [12, 4]
    >>> wide.pooled.loc[wide.pooled["trial"] == "hartford_mueser_2004",
    ...                 ["events_control", "n_control"]].iloc[0].tolist()  # 12/66 + 19/69
    [31, 135]
    """
    chosen = tuple(check_choice("sets", sets if isinstance(sets, str) else list(sets), SETS, many=True))
    if not chosen:
        raise ValueError("sets is empty; choose from primary, sensitivity")
    table = load_trials() if trials is None else validate(check_frame(trials, "trials"), schemas.IPS_RCTS,
                                                          source="trials")
    by_trial: dict[str, list[dict]] = {}
    order: list[str] = []
    excluded = []
    for _, r in table.iterrows():
        settled = r["analysis_set"] in chosen
        inferred = what_if and r["analysis_set"] == "none" and _has_inferred(r)
        if settled or inferred:
            prefix = "" if settled else "inferred_"
            row = {"study": r["study"], "trial": r["trial"], "reports": r["study"],
                   "events_treatment": int(r[f"{prefix}events_ips"]), "n_treatment": int(r[f"{prefix}n_ips"]),
                   "events_control": int(r[f"{prefix}events_control"]),
                   "n_control": int(r[f"{prefix}n_control"]),
                   "counts": "settled" if settled else "inferred (what-if)",
                   "analysis_set": r["analysis_set"] if settled else "what-if"}
            for col in ("region", "control_category", "outcome_category", "followup_months", "country",
                        "source_url", "source_location"):
                row[col] = r[col]
            row["source_label"] = source_label(r["source_url"])
            if r["trial"] not in by_trial:
                order.append(r["trial"])
            by_trial.setdefault(r["trial"], []).append(row)
            continue
        if r["analysis_set"] in SETS:
            reason = f"in the {r['analysis_set']} set, which was not chosen: {r['analysis_reason']}"
        elif _has_inferred(r):
            reason = (f"{r['analysis_reason']} Its inferred counts enter only the what-if analysis"
                      f"{' (not chosen)' if not what_if else ''}.")
        else:
            reason = r["analysis_reason"]
        excluded.append({"study": r["study"], "trial": r["trial"], "analysis_set": r["analysis_set"],
                         "confidence": r["confidence"], "reason": reason,
                         "pct_ips_stated": r["pct_ips_stated"], "pct_control_stated": r["pct_control_stated"],
                         "printed_ratio": _ratio(r["pct_ips_stated"], r["pct_control_stated"]),
                         "source_url": r["source_url"]})
    pooled_rows = []
    for trial in order:
        rows = by_trial[trial]
        kinds = {row["counts"] for row in rows}
        if len(kinds) > 1:  # settled rows win; the trial's inferred rows are listed as left out
            keep = [row for row in rows if row["counts"] == "settled"]
            for row in rows:
                if row["counts"] != "settled":
                    excluded.append({"study": row["study"], "trial": trial, "analysis_set": "none",
                                     "confidence": "low",
                                     "reason": "another report of this trial is pooled with settled counts",
                                     "pct_ips_stated": None, "pct_control_stated": None,
                                     "printed_ratio": float("nan"), "source_url": row["source_url"]})
            rows = keep
        pooled_rows.append(_combine(rows, trial))
    pooled = pd.DataFrame(pooled_rows, columns=[
        "study", "trial", "reports", *_ARM_COLUMNS, "counts", "analysis_set", "region",
        "control_category", "outcome_category", "followup_months", "country", "source_url",
        "source_location", "source_label"])
    for col in _ARM_COLUMNS:
        pooled[col] = pooled[col].astype("int64")
    excluded_frame = pd.DataFrame(excluded, columns=[
        "study", "trial", "analysis_set", "confidence", "reason", "pct_ips_stated",
        "pct_control_stated", "printed_ratio", "source_url"])
    excluded_frame["printed_ratio"] = excluded_frame["printed_ratio"].astype(float)
    return TrialSelection(pooled=pooled, excluded=excluded_frame, sets=chosen, what_if=what_if)


def pooled_scenarios(
    trials: pd.DataFrame | None = None,
    *,
    measure: str = "RR",
    method: str = "REML",
    tests: Iterable[str] = ("z", "knha"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Pool the nested sets of :data:`SCENARIOS`: what the unsettled trials could do to the estimate.

    Parameters
    ----------
    trials : pandas.DataFrame, optional
        A table laid out like ``ips_rcts``; the shipped one by default.
    measure : str
        Effect measure of :func:`~ipsresearch.synthesis.meta_analysis` (``RR``, ``OR``, ``RD``).
    method : str
        Pooling method of :func:`~ipsresearch.synthesis.meta_analysis`.
    tests : iterable of {"z", "knha"}
        Inference for each scenario: Wald, Knapp-Hartung or both (one row each).
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).

    Returns
    -------
    pandas.DataFrame
        One row per scenario and test: ``scenario, what_if, inferred`` (trials
        pooled from inferred counts) and the columns of
        :meth:`MetaAnalysisResult.summary`.

    Examples
    --------
    >>> rows = pooled_scenarios(tests=["knha"])
    >>> rows[["scenario", "k", "inferred"]].values.tolist()
    [['primary', 4, 0], ['primary + sensitivity', 8, 0], ['primary + sensitivity + what-if', 12, 4]]
    """
    check_confidence(confidence)
    out = []
    for label, (sets, what_if) in SCENARIOS.items():
        chosen = select_trials(trials, sets=sets, what_if=what_if)
        inferred = int((chosen.pooled["counts"] != "settled").sum())
        for test in tests:
            fit = meta_analysis(chosen.pooled, measure=measure, method=method, test=test,
                                confidence=confidence)
            out.append(fit.summary().assign(scenario=label, what_if=what_if, inferred=inferred))
    frame = pd.concat(out, ignore_index=True)
    return frame[["scenario", "what_if", "inferred", *[c for c in frame.columns
                                                       if c not in ("scenario", "what_if", "inferred")]]]

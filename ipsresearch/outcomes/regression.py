"""Regression for time to an event: Cox proportional hazards with hazard ratios.

The model is statsmodels' :class:`~statsmodels.duration.hazard_regression.PHReg`
(partial likelihood with Breslow or Efron ties, optional strata). Written here
is only what turns a table into its inputs (covariates as numbers, categories
as indicators against a reference level, as R's ``factor``) and its output
into a tidy table of hazard ratios with Wald intervals. Checked against R
``survival::coxph`` on aml, veteran, lung, ovarian and colon
(tests/reference/survival_peers.R).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ipsresearch._arrays import as_list
from ipsresearch._stats import z_value
from ipsresearch.outcomes.survival import _duration_frame
from ipsresearch.validation import InputError, Problem, check_choice

__all__ = ["CoxResult", "cox_regression"]


@dataclass(frozen=True, eq=False)
class CoxResult:
    """A Cox proportional hazards fit.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per term: ``term, coef, std_err, z, p_value, hazard_ratio,
        ci_low, ci_high`` (interval of the hazard ratio).
    n, events : int
    loglik : float
        Log partial likelihood at the estimate.
    ties : str
    strata : str or None
    confidence : float
    """

    coefficients: pd.DataFrame = field(repr=False)
    n: int
    events: int
    loglik: float
    ties: str
    strata: str | None
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table (hazard ratios with intervals), one row per term."""
        return self.coefficients.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``n, events, terms, loglik, ties, strata, confidence``."""
        return pd.DataFrame([{"n": self.n, "events": self.events, "terms": len(self.coefficients),
                              "loglik": self.loglik, "ties": self.ties, "strata": self.strata,
                              "confidence": self.confidence}])

    def _repr_html_(self) -> str:
        head = (f"<p><strong>Cox proportional hazards</strong>: {self.n} subjects, {self.events} "
                f"events, ties {html.escape(self.ties)}"
                + (f", stratified by {html.escape(self.strata)}" if self.strata else "") + "</p>")
        return "<div>" + head + self.coefficients.to_html(
            index=False, float_format=lambda x: f"{x:.4g}", border=0) + "</div>"


def cox_regression(
    data: pd.DataFrame,
    *,
    covariates: str | Sequence[str],
    categorical: str | Sequence[str] | None = None,
    duration: str = "days",
    event: str = "ended",
    strata: str | None = None,
    ties: str = "efron",
    confidence: float = 0.95,
) -> CoxResult:
    """Cox proportional hazards regression (statsmodels ``PHReg``), with hazard ratios.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject.
    covariates : str or sequence of str
        Columns entering the linear predictor. Numeric columns enter as they
        are; text and categorical columns, and those named in ``categorical``,
        as indicators against their first level (a pandas Categorical's first
        category, else the first in sorted order, as R's ``factor``).
    categorical : str or sequence of str, optional
        Numeric covariates to treat as categories (e.g. a coded site).
    duration, event : str
        Time to the event or to censoring, and the event flag.
    strata : str, optional
        A column with a separate baseline hazard per level (R ``strata()``).
    ties : {"efron", "breslow"}
        Handling of tied event times; ``"efron"`` is R ``coxph``'s default.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent). The intervals of the hazard ratios are Wald intervals.

    Returns
    -------
    CoxResult
        ``.to_frame()`` the hazard ratios, ``.summary()`` one row.

    Raises
    ------
    ValueError
        An unknown ``ties``, no events, collinear covariates.
    InputError
        A missing column, or a blank covariate value (reported per row).

    Notes
    -----
    Coefficients, standard errors, z tests and intervals match R ``coxph``
    (ties ``"breslow"`` and ``"efron"``) to 1e-6 on aml, veteran, lung,
    ovarian and colon, with and without strata. Subjects with a blank
    covariate are an error here (``coxph`` drops them).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"days": [5, 8, 12, 20, 3, 4, 6, 9, 15, 2],
    ...                   "ended": [1, 1, 0, 1, 1, 1, 1, 0, 1, 1], "site": list("AAAAABBBBB")})
    >>> fit = cox_regression(d, covariates="site")
    >>> fit.to_frame()["term"].tolist()
    ['site[B]']
    """
    from statsmodels.duration.hazard_regression import PHReg

    check_choice("ties", ties, ("efron", "breslow"))
    z = z_value(confidence)
    covs = as_list(covariates)
    cats = set(as_list(categorical))
    if not covs:
        raise ValueError("cox_regression needs at least one covariate")
    if unknown := sorted(cats - set(covs)):
        raise ValueError(f"categorical {unknown} must also be listed in covariates")
    missing = [c for c in [*covs, *([strata] if strata else [])] if c not in data.columns]
    if missing:
        raise InputError([Problem("data", None, c, "column is missing",
                                  f"one of the columns: {', '.join(map(str, data.columns))}")
                          for c in missing], source="data")
    typed = _duration_frame(data, duration, event, [], "data")
    problems, columns, terms = [], [], []
    for col in covs:
        values = data[col].reset_index(drop=True)
        for pos in np.flatnonzero(values.isna().to_numpy()):
            problems.append(Problem("data", int(pos) + 2, col, "blank covariate value",
                                    "a value for every subject (coxph would drop the subject)"))
        if col in cats or not pd.api.types.is_numeric_dtype(values):
            levels = (list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype)
                      else sorted(values.dropna().astype(str).unique()))
            text = values.astype(str)
            for level in levels[1:]:
                columns.append((text == str(level)).to_numpy(dtype=float))
                terms.append(f"{col}[{level}]")
        else:
            columns.append(values.to_numpy(dtype=float))
            terms.append(col)
    if problems:
        raise InputError(problems, source="data")
    x = np.column_stack(columns)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("the covariates are collinear (a column is a combination of the others)")
    time = typed[duration].to_numpy(float)
    status = typed[event].to_numpy(bool)
    if not status.any():
        raise ValueError("a Cox model needs at least one event")
    strat = data[strata].astype(str).to_numpy() if strata else None
    model = PHReg(time, x, status=status.astype(float), strata=strat, ties=ties)
    fit = model.fit()
    b = np.asarray(fit.params, dtype=float)
    se = np.asarray(fit.bse, dtype=float)
    coef = pd.DataFrame({"term": terms, "coef": b, "std_err": se, "z": b / se,
                         "p_value": 2 * stats.norm.sf(np.abs(b / se)), "hazard_ratio": np.exp(b),
                         "ci_low": np.exp(b - z * se), "ci_high": np.exp(b + z * se)})
    return CoxResult(coefficients=coef, n=len(time), events=int(status.sum()), loglik=float(fit.llf),
                     ties=ties, strata=strata, confidence=confidence)

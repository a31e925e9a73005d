"""Meta-regression: study effects explained by moderators (metafor's ``rma(mods = ...)``).

A moderator is a study-level characteristic: fidelity score, region, year,
control condition. The mixed-effects model ``y_i = x_i' b + u_i + e_i`` is
fitted by weighted least squares (statsmodels ``WLS``) at the tau² of the
chosen estimator (:func:`ipsresearch.synthesis.heterogeneity.tau2_estimate`
with the moderators' design matrix); the omnibus test of the moderators, QM,
is statsmodels' Wald test of the non-intercept coefficients (an F test with
Knapp-Hartung). What statsmodels does not do and is written here: building
metafor's design (treatment coding against the first level of a categorical
moderator), the residual heterogeneity statistics (QE, I², H²) and metafor's
pseudo R², the share of tau² accounted for by the moderators.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import WLS

from ipsresearch.synthesis.heterogeneity import _fit_regression, tau2_estimate
from ipsresearch.synthesis.meta import (
    FIXED,
    MEASURES,
    METHODS,
    TESTS,
    _check_choice,
    effect_sizes,
)
from ipsresearch.validation import InputError, Problem

__all__ = ["MetaRegressionResult", "meta_regression"]


def _design(frame: pd.DataFrame, moderators: list[str], categorical: set[str], src: str):
    """metafor's design: intercept, numeric moderators as they are, categories as treatment dummies."""
    problems = []
    columns, terms = [np.ones(len(frame))], ["intercept"]
    for col in moderators:
        values = frame[col]
        missing = values.isna().to_numpy()
        for pos in np.flatnonzero(missing):
            problems.append(Problem(src, int(pos) + 2, col, "blank moderator value",
                                    "a value for every study (metafor would drop the study)"))
        if col in categorical or not pd.api.types.is_numeric_dtype(values):
            levels = (list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype)
                      else sorted(values.dropna().astype(str).unique()))
            text = values.astype(str)
            if len(levels) < 2:
                problems.append(Problem(src, None, col, f"categorical moderator has one level ({levels})",
                                        "at least two levels"))
                continue
            for level in levels[1:]:
                columns.append((text == str(level)).to_numpy(dtype=float))
                terms.append(f"{col}[{level}]")
        else:
            columns.append(values.to_numpy(dtype=float))
            terms.append(col)
    if problems:
        raise InputError(problems, source=src)
    return np.column_stack(columns), terms


@dataclass(frozen=True, eq=False)
class MetaRegressionResult:
    """A meta-regression: coefficients, the test of moderators, residual heterogeneity.

    Attributes
    ----------
    measure, method, test : str
        Codes from :data:`~ipsresearch.synthesis.meta.MEASURES`,
        :data:`~ipsresearch.synthesis.meta.METHODS` and ``TESTS``.
    k, p : int
        Studies and coefficients (intercept included).
    coefficients : pandas.DataFrame
        One row per term (``intercept``, numeric moderators by name,
        categories as ``column[level]`` against the first level): ``term,
        estimate, se, statistic, df, p_value, ci_low, ci_high`` on the
        analysis scale.
    tau2 : float
        Residual between-study variance.
    i2, h2 : float
        Residual I² (percent) and H², as metafor.
    r2 : float
        Percent of tau² accounted for by the moderators (metafor's pseudo R²,
        ``100 (tau²_0 - tau²) / tau²_0`` truncated at 0, with tau²_0 from the
        model without moderators; NaN when tau²_0 = 0). For ``FE``, as
        metafor, the adjusted R² of the weighted least squares regression
        (weights ``1 / v``), truncated at 0.
    qe, qe_df, qe_p : float
        Test of residual heterogeneity.
    qm, qm_df, qm_p : float
        Omnibus test of the moderators: chi² on ``qm_df`` df (``test="z"``) or
        F on ``(qm_df, k - p)`` df (``test="knha"``).
    confidence : float
    studies : pandas.DataFrame
        Per-study effect sizes with the moderator columns.
    """

    measure: str
    method: str
    test: str
    k: int
    p: int
    coefficients: pd.DataFrame = field(repr=False)
    tau2: float
    i2: float
    h2: float
    r2: float
    qe: float
    qe_df: int
    qe_p: float
    qm: float
    qm_df: int
    qm_p: float
    confidence: float
    studies: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table (one row per term), the main tidy table."""
        return self.coefficients.copy()

    def summary(self) -> pd.DataFrame:
        """One row of headline numbers: ``measure, method, test, k, p, tau2, i2, h2, r2,
        qe, qe_df, qe_p, qm, qm_df, qm_p, confidence``."""
        return pd.DataFrame([{
            "measure": self.measure, "method": self.method, "test": self.test, "k": self.k,
            "p": self.p, "tau2": self.tau2, "i2": self.i2, "h2": self.h2, "r2": self.r2,
            "qe": self.qe, "qe_df": self.qe_df, "qe_p": self.qe_p, "qm": self.qm,
            "qm_df": self.qm_df, "qm_p": self.qm_p, "confidence": self.confidence}])

    def _repr_html_(self) -> str:
        qm_stat = (f"F({self.qm_df}, {self.k - self.p})" if self.test == "knha" else f"chi²({self.qm_df})")
        head = (f"<p><strong>Meta-regression</strong> ({html.escape(METHODS[self.method])}, "
                f"{html.escape(TESTS[self.test])}) of {self.k} studies, {html.escape(MEASURES[self.measure])}</p>"
                f"<p>Moderators: {html.escape(qm_stat)} = {self.qm:.2f}, p = {self.qm_p:.3g}; "
                f"residual tau² = {self.tau2:.4f}, I² = {self.i2:.1f}%, R² = {self.r2:.1f}%</p>")
        return "<div>" + head + self.coefficients.to_html(
            index=False, float_format=lambda x: f"{x:.4f}", na_rep="", border=0) + "</div>"


def meta_regression(
    data: pd.DataFrame,
    *,
    moderators: str | list[str],
    categorical: str | list[str] | None = None,
    measure: str = "RR",
    method: str = "REML",
    test: str = "z",
    confidence: float = 0.95,
    source: str | None = None,
    **columns,
) -> MetaRegressionResult:
    """Meta-regression of study effects on moderators (metafor's ``rma(yi, vi, mods = ...)``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per study with the columns :func:`~ipsresearch.synthesis.meta.effect_sizes`
        needs for ``measure`` plus the moderator columns. Not modified.
    moderators : str or list of str
        Moderator columns. Numeric columns enter as they are; text,
        boolean-as-text and categorical columns as treatment dummies against
        their first level (a pandas Categorical's first category, else the
        first in sorted order, as R's ``factor``).
    categorical : str or list of str, optional
        Numeric moderators to treat as categories (e.g. a coded region).
    measure : str
        Effect measure (:data:`~ipsresearch.synthesis.meta.MEASURES`), ``GEN``
        for precomputed ``effect`` and ``variance`` columns.
    method : str
        ``FE`` or a tau² estimator (``REML``, ``ML``, ``DL``, ``PM``, ``EB``, ``HE``, ``HS``, ``SJ``).
    test : {"z", "knha"}
        Wald z and chi² tests, or Knapp-Hartung t and F tests on ``k - p`` df.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent). It sets the coefficients' intervals.
    source : str, optional
        Name of the table in error messages.
    **columns
        Column names passed on to :func:`~ipsresearch.synthesis.meta.effect_sizes`
        (``study``, ``events_treatment``, ..., ``effect``, ``variance``,
        ``correction``, ``drop_double_zero``).

    Returns
    -------
    MetaRegressionResult
        ``.to_frame()`` the coefficients, ``.summary()`` one row with tau²,
        I², R², QE and QM.

    Raises
    ------
    ValueError
        No moderator, an unknown option, MH/PETO, collinear moderators, or
        fewer studies than coefficients plus one.
    InputError
        A moderator column is missing, has a blank value, or a categorical
        moderator has one level.

    Notes
    -----
    Matches ``rma(yi, vi, mods = ~ ..., method = m, test = t, control =
    list(threshold = 1e-10, tol = 1e-14, maxiter = 1000))`` of metafor 3.8-1
    (coefficients, standard errors, tests, intervals, tau², I², H², R², QE,
    QM) to 1e-6 on dat.bcg (``~ ablat``, ``~ factor(alloc)``, ``~ ablat +
    year``, ``~ ablat + factor(alloc)``) and dat.hackshaw1998
    (``~ factor(design)``, ``~ year``) and dat.raudenbush1985 (``~ weeks``),
    for REML, ML, DL, PM and FE with
    both tests. With few studies per coefficient the estimates are unstable;
    Knapp-Hartung's t and F tests hold their level better than z and chi².
    metafor drops a study with a blank moderator (with a warning); this
    function reports it instead.

    Examples
    --------
    >>> import pandas as pd
    >>> trials = pd.DataFrame({"study": list("ABCDEF"),
    ...     "events_treatment": [30, 44, 12, 75, 9, 40], "n_treatment": [60, 102, 35, 150, 20, 80],
    ...     "events_control": [14, 20, 11, 33, 2, 30], "n_control": [58, 98, 40, 146, 21, 82],
    ...     "fidelity": [110, 100, 70, 105, 115, 80]})
    >>> fit = meta_regression(trials, moderators="fidelity", method="REML", test="knha")
    >>> fit.to_frame()["term"].tolist()
    ['intercept', 'fidelity']
    >>> fit.qm_df
    1
    """
    mods = [moderators] if isinstance(moderators, str) else list(moderators)
    if not mods:
        raise ValueError("meta_regression needs at least one moderator column; use meta_analysis "
                         "for a model without moderators")
    cats = set([categorical] if isinstance(categorical, str) else (categorical or []))
    _check_choice(measure, MEASURES, "measure")
    _check_choice(method, METHODS, "method")
    _check_choice(test, TESTS, "test")
    if method in ("MH", "PETO"):
        raise ValueError(f"meta-regression is inverse-variance; method {method!r} does not apply "
                         "(use 'FE' or a random-effects method)")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence {confidence} must be between 0 and 1 (e.g. 0.95)")
    if unknown := sorted(cats - set(mods)):
        raise ValueError(f"categorical {unknown} must also be listed in moderators")
    src = source or "data"
    if missing := [c for c in mods if c not in data.columns]:
        raise InputError([Problem(src, None, c, "moderator column is missing",
                                  f"one of the columns: {', '.join(map(str, data.columns))}")
                          for c in missing], source=src)
    es = effect_sizes(data, measure=measure, source=src, **columns)
    es = es.join(data[mods].reset_index(drop=True))
    inc = es["included"].to_numpy()
    studies = es.loc[inc].reset_index(drop=True)
    x, terms = _design(studies, mods, cats, src)
    y = studies["effect"].to_numpy(float)
    v = studies["variance"].to_numpy(float)
    fit = _fit_regression(y, v, x, method=method, test=test, confidence=confidence)
    k, p = x.shape
    tau2 = fit["tau2"]
    if method in FIXED:
        qe, df_e = fit["qe"], k - p
        i2 = max(0.0, 100.0 * (qe - df_e) / qe) if qe > 0 else 0.0
        h2 = qe / df_e
        # metafor's R² for a fixed-effect model: the adjusted R² of the weighted regression
        r2 = max(0.0, 100.0 * float(WLS(y, x, weights=1.0 / v).fit().rsquared_adj))
    else:
        s2 = fit["s2"]
        i2, h2 = 100.0 * tau2 / (tau2 + s2), (tau2 + s2) / s2
        tau2_0 = tau2_estimate(y, v, method=method)
        r2 = max(0.0, 100.0 * (tau2_0 - tau2) / tau2_0) if tau2_0 > 0 else math.nan
    coef = pd.DataFrame({"term": terms, "estimate": fit["b"], "se": fit["se"], "statistic": fit["stat"],
                         "df": fit["df"], "p_value": fit["p"], "ci_low": fit["ci_low"],
                         "ci_high": fit["ci_high"]})
    return MetaRegressionResult(
        measure=measure, method=method, test=test, k=k, p=p, coefficients=coef, tau2=float(tau2),
        i2=float(i2), h2=float(h2), r2=float(r2), qe=float(fit["qe"]), qe_df=k - p,
        qe_p=fit["qe_p"], qm=fit["qm"], qm_df=fit["qm_df"], qm_p=fit["qm_p"],
        confidence=confidence, studies=studies)

"""Between-study variance tau²: estimators, their estimating equations, Q-profile intervals.

The random-effects model says each study's effect ``y_i = x_i' b + u_i + e_i``
with ``e_i ~ N(0, v_i)`` (``v_i`` known) and ``u_i ~ N(0, tau²)``. With weights
``w_i = 1 / (v_i + tau²)``, ``W = diag(w)`` and the projection
``P = W - W X (X' W X)^-1 X' W``, the generalised Q statistic is
``Q(tau²) = y' P y``, the weighted residual sum of squares (Cochran's Q at
``tau² = 0``). For an intercept-only model ``X`` is a column of ones.

Estimators, by metafor's codes (``rma(method = ...)``), with ``p`` columns in X:

======  ===============================================  ============================
code    definition                                       how it is computed here
======  ===============================================  ============================
DL      ``(Q(0) - (k - p)) / tr(P_0)``                   closed form
HE      ``(RSS_OLS - tr(P_OLS V)) / (k - p)``            closed form
HS      ``(Q(0) - k) / sum(1 / v)``                      closed form
SJ      ``t0 Q(t0) / (k - p)``, ``t0 = var(y) (k-1)/k``  closed form (one step, as metafor)
PM      root of ``Q(tau²) = k - p``                      :func:`scipy.optimize.brentq`
EB      root of ``Q(tau²) k / (k - p) = k``              the PM equation; same root
ML      root of ``y' P P y = tr(W)``                     :func:`scipy.optimize.brentq`
REML    root of ``y' P P y = tr(P)``                     :func:`scipy.optimize.brentq`
======  ===============================================  ============================

Closed forms are truncated at 0 (as metafor). The iterative estimators are
roots of their estimating equations (:func:`tau2_score` is zero at the
estimate). PM and EB: ``Q`` falls strictly with tau², so there is one root
when ``Q(0) > k - p`` and the estimate is 0 otherwise. ML and REML: the
estimate is whichever of 0 and the local maxima of the (restricted)
likelihood is largest (the score can change sign more than once). A
bracketing root finder cannot stop on rounding noise the way a fixed-point
iteration can: that was the cause of Paule-Mandel returning tau² = 0 on
heterogeneous data (issue 17, item 1). statsmodels'
``combine_effects(method_re="pm")`` iterates exactly such a fixed point, so it
is not used for PM here; statsmodels has no HE, HS, SJ, ML, REML or EB.
What is written by hand here is therefore the estimating equations and the
root finding (scipy does the root finding); the weighted least squares fit
of the final model is statsmodels' ``WLS`` (``_fit_regression``, shared by
meta-regression and Egger's test).

"Matches metafor" means: equal to ``rma()`` iterated to full convergence,
``control = list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)``, to 1e-6
absolute (tests/reference/meta_peers.R). With ``rma()``'s defaults
(``threshold = 1e-5``, ``tol = .Machine$double.eps^0.25``) metafor stops earlier;
the differences are recorded in ``tests/reference/meta_peers_values.py``
(``DEFAULTS_*``) and tabulated in ``tests/reference/README.md``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats
from statsmodels.regression.linear_model import WLS

__all__ = [
    "ESTIMATORS",
    "ITERATIVE",
    "q_profile",
    "q_statistic",
    "reml_tau2",
    "restricted_loglik",
    "tau2_estimate",
    "tau2_score",
    "typical_variance",
]

ESTIMATORS: dict[str, str] = {
    "DL": "DerSimonian-Laird",
    "HE": "Hedges (variance components)",
    "HS": "Hunter-Schmidt",
    "SJ": "Sidik-Jonkman",
    "ML": "maximum likelihood",
    "REML": "restricted maximum likelihood",
    "EB": "empirical Bayes (Morris)",
    "PM": "Paule-Mandel",
}
"""tau² estimators by metafor's code."""

ITERATIVE = ("ML", "REML", "EB", "PM")
"""Estimators defined as the root of an estimating equation (:func:`tau2_score`)."""


def _arrays(effect, variance, design):
    y = np.asarray(effect, dtype=float)
    v = np.asarray(variance, dtype=float)
    if y.ndim != 1 or v.shape != y.shape:
        raise ValueError(f"effect and variance must be 1-d arrays of one length; got {y.shape} and {v.shape}")
    x = np.ones((len(y), 1)) if design is None else np.asarray(design, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] != len(y):
        raise ValueError(f"design has {x.shape[0]} rows for {len(y)} studies")
    return y, v, x


def _fit(y, v, x, tau2):
    """Weights, coefficients, (X'WX)^-1 and residuals at ``tau2``."""
    w = 1.0 / (v + tau2)
    xw = x * w[:, None]
    inv = np.linalg.inv(x.T @ xw)
    b = inv @ (xw.T @ y)
    return w, b, inv, y - x @ b


def _p_matrix(w, x, inv):
    xw = x * w[:, None]
    return np.diag(w) - xw @ inv @ xw.T


def q_statistic(tau2: float, effect, variance, *, design=None) -> float:
    """Generalised Q: the weighted residual sum of squares at ``tau2``.

    ``Q(tau²) = sum(w (y - X b)²)`` with ``w = 1 / (v + tau²)`` and ``b`` the
    weighted least-squares fit; Cochran's Q (about the fixed-effect mean, or
    metafor's ``QE`` for a meta-regression) at ``tau2 = 0``.

    Examples
    --------
    >>> # R: rma(c(.1, .3, .8), c(.01, .02, .015), method = "FE")$QE is 19.84615
    >>> round(q_statistic(0.0, [0.1, 0.3, 0.8], [0.01, 0.02, 0.015]), 6)
    19.846154
    """
    y, v, x = _arrays(effect, variance, design)
    w, _, _, e = _fit(y, v, x, tau2)
    return float(w @ e**2)


def typical_variance(variance, *, design=None) -> float:
    """metafor's typical within-study variance ``s² = (k - p) / tr(P_0)``.

    I² is ``100 tau² / (tau² + s²)`` and H² is ``(tau² + s²) / s²``.
    """
    v = np.asarray(variance, dtype=float)
    _, v, x = _arrays(np.zeros_like(v), v, design)
    w, _, inv, _ = _fit(np.zeros_like(v), v, x, 0.0)
    k, p = x.shape
    return float((k - p) / np.trace(_p_matrix(w, x, inv)))


def tau2_score(tau2: float, effect, variance, *, method: str = "REML", design=None) -> float:
    """Value of an iterative estimator's estimating equation at ``tau2`` (zero at the estimate).

    ``PM``: ``Q(tau²) - (k - p)``; ``EB``: ``(Q(tau²) k / (k - p) - k) / sum(w)``
    (metafor's scoring step; zero where PM's equation is); ``ML``:
    ``y'PPy - tr(W)``; ``REML``: ``y'PPy - tr(P)`` (twice the derivative of the
    log-likelihood). Each decreases through its root at the estimate.

    Parameters
    ----------
    tau2 : float
        Where to evaluate the equation.
    effect, variance : array_like
        Effect sizes and their sampling variances, one per study.
    method : {"PM", "EB", "ML", "REML"}
        The estimator whose equation is evaluated (:data:`ITERATIVE`).
    design : array_like, optional
        Moderator matrix ``X`` (with its intercept column); an intercept only by default.

    Returns
    -------
    float

    Examples
    --------
    >>> y, v = [0.1, 0.5, 0.9], [0.01, 0.02, 0.015]
    >>> t = tau2_estimate(y, v, method="PM")
    >>> abs(tau2_score(t, y, v, method="PM")) < 1e-12
    True
    """
    if method not in ITERATIVE:
        raise ValueError(f"method {method!r} has no estimating equation here; choose from {', '.join(ITERATIVE)}")
    y, v, x = _arrays(effect, variance, design)
    k, p = x.shape
    w, _, inv, e = _fit(y, v, x, tau2)
    if method == "PM":
        return float(w @ e**2 - (k - p))
    if method == "EB":
        return float((w @ e**2 * k / (k - p) - k) / w.sum())
    ppy = (w**2) @ e**2  # P y = W e
    if method == "ML":
        return float(ppy - w.sum())
    return float(ppy - np.trace(_p_matrix(w, x, inv)))


def _root(f, start: float) -> float:
    """Root of a function positive at 0 and negative for large tau²."""
    hi = max(start, 1e-8)
    for _ in range(400):
        if f(hi) < 0:
            break
        hi *= 2.0
    else:  # pragma: no cover - every score is negative for large tau² when k > p
        raise RuntimeError("could not bracket the estimate of tau²")
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-15, rtol=1e-15, maxiter=1000))


def _loglik(tau2: float, y, v, x, *, restricted: bool) -> float:
    """Log-likelihood (ML) or restricted log-likelihood (REML) up to a constant."""
    w, _, inv, e = _fit(y, v, x, tau2)
    ll = -0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * float(w @ e**2)
    if restricted:
        ll += 0.5 * float(np.linalg.slogdet(inv)[1])  # - log det(X'WX) / 2
    return ll


def _likelihood_maximum(y, v, x, *, restricted: bool) -> float:
    """The tau² >= 0 of largest (restricted) likelihood among 0 and the local maxima.

    The score can change sign more than once (e.g. dat.bcg with ``~ ablat +
    alloc`` under ML, or dat.gibson2002's mean differences under REML: the
    score is negative at 0, positive further on and negative again), so
    "score at 0 not positive, hence 0" would miss an interior maximum. The
    score is evaluated on a grid from 0 to far beyond its last sign change;
    every downward crossing is refined with :func:`scipy.optimize.brentq`; 0
    and these local maxima are compared by their likelihood. metafor's
    Fisher scoring from the HE estimate, followed by its check of the
    likelihood at 0 (``ll0check``), lands on the same point on every data set
    tested.
    """
    method = "REML" if restricted else "ML"
    f = lambda t: tau2_score(t, y, v, method=method, design=x)  # noqa: E731
    hi = max(float(np.var(y)), float(np.max(v)), 1e-8)
    for _ in range(400):
        if f(hi) < 0:
            break
        hi *= 2.0
    else:  # pragma: no cover - the score is negative for large tau² when k > p
        raise RuntimeError("could not bracket the estimate of tau²")
    grid = np.concatenate([[0.0], np.geomspace(hi * 1e-9, hi * 100.0, 400)])
    score = np.array([f(t) for t in grid])
    candidates = [0.0]
    for i in np.flatnonzero((score[:-1] > 0) & (score[1:] <= 0)):
        candidates.append(float(optimize.brentq(f, grid[i], grid[i + 1], xtol=1e-15, rtol=1e-15,
                                                maxiter=1000)))
    lls = [_loglik(t, y, v, x, restricted=restricted) for t in candidates]
    return candidates[int(np.argmax(lls))]


def tau2_estimate(effect, variance, *, method: str = "REML", design=None) -> float:
    """Estimate the between-study variance tau² (see the module docstring).

    Parameters
    ----------
    effect, variance : array_like
        Effect sizes and their sampling variances, one per study.
    method : {"DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"}
        Estimator by metafor's code (:data:`ESTIMATORS`).
    design : array_like, optional
        Moderator matrix ``X`` (k x p, with its intercept column) for a
        meta-regression; an intercept only when not given.

    Returns
    -------
    float
        tau² >= 0.

    Raises
    ------
    ValueError
        An unknown method, or fewer studies than model coefficients plus one.

    Notes
    -----
    Matches ``metafor::rma(method = ...)`` iterated to full convergence
    (``control = list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)``) to
    1e-6; tested on dat.bcg, the CLASP trials, dat.collins1985b,
    dat.nielweise2007, dat.yusuf1985, dat.pritz1997, dat.debruin2009,
    dat.normand1999, dat.gibson2002, dat.hackshaw1998 and dat.raudenbush1985.

    Examples
    --------
    >>> y, v = [0.1, 0.5, 0.9], [0.01, 0.02, 0.015]
    >>> # R: rma(c(.1, .5, .9), c(.01, .02, .015), method = m, control = ...)$tau2, m = DL, REML, PM
    >>> [round(tau2_estimate(y, v, method=m), 6) for m in ("DL", "REML", "PM")]
    [0.172222, 0.149949, 0.147513]
    """
    if method not in ESTIMATORS:
        raise ValueError(f"tau² method {method!r} not recognised; choose from {', '.join(ESTIMATORS)}")
    y, v, x = _arrays(effect, variance, design)
    k, p = x.shape
    if k - p < 1:
        raise ValueError(f"estimating tau² needs more studies than coefficients: {k} studies, {p} coefficients")
    if method in ("PM", "EB"):  # EB's equation has PM's root; Q falls strictly with tau²
        f = lambda t: tau2_score(t, y, v, method="PM", design=x)  # noqa: E731
        if f(0.0) <= 0:
            return 0.0
        return _root(f, max(float(np.var(y)), float(np.max(v))))
    if method in ("ML", "REML"):
        return _likelihood_maximum(y, v, x, restricted=method == "REML")
    if method == "SJ":
        t0 = float(np.var(y))  # var(y) (k - 1) / k: the variance with denominator k
        return t0 * q_statistic(t0, y, v, design=x) / (k - p) if t0 > 0 else 0.0
    if method == "HE":
        _, _, inv, e = _fit(y, np.zeros_like(v), x, 1.0)  # ordinary least squares
        h = np.einsum("ij,jk,ik->i", x, inv, x)  # diagonal of the hat matrix
        return max(0.0, float((e @ e - np.sum((1 - h) * v)) / (k - p)))
    w, _, inv, e = _fit(y, v, x, 0.0)
    q = float(w @ e**2)
    if method == "HS":
        return max(0.0, (q - k) / float(w.sum()))
    return max(0.0, (q - (k - p)) / float(np.trace(_p_matrix(w, x, inv))))  # DL


def restricted_loglik(tau2: float, effect, variance) -> float:
    """Restricted (REML) log-likelihood of the intercept-only random-effects model at ``tau2``.

    Includes the constants metafor includes, so that the value equals
    ``logLik()`` of an ``rma(method = "REML")`` fit at its estimate.

    Examples
    --------
    >>> import numpy as np
    >>> # R: logLik(rma(c(.1, .3), c(.01, .02), method = "REML", tau2 = 0)) is 0.514247
    >>> round(restricted_loglik(0.0, np.array([0.1, 0.3]), np.array([0.01, 0.02])), 6)
    0.514247
    """
    y = np.asarray(effect, dtype=float)
    w = 1.0 / (np.asarray(variance, dtype=float) + tau2)
    sw = w.sum()
    mu = (w @ y) / sw
    rss = w @ (y - mu) ** 2
    k = len(y)
    return float(-0.5 * (k - 1) * math.log(2 * math.pi) + 0.5 * math.log(k)
                 + 0.5 * np.log(w).sum() - 0.5 * math.log(sw) - 0.5 * rss)


def reml_tau2(effect, variance) -> float:
    """REML estimate of tau² for an intercept-only model (``tau2_estimate(method="REML")``).

    Examples
    --------
    >>> import numpy as np
    >>> # R: rma(c(.1, .5, .9), c(.01, .02, .015), method = "REML")$tau2 is 0.149949
    >>> round(reml_tau2(np.array([0.1, 0.5, 0.9]), np.array([0.01, 0.02, 0.015])), 6)
    0.149949
    """
    if len(np.atleast_1d(effect)) < 2:
        return 0.0
    return tau2_estimate(effect, variance, method="REML")


def q_profile(effect, variance, *, design=None, confidence: float = 0.95) -> tuple[float, float]:
    """Q-profile confidence interval for tau² (Viechtbauer 2007), as ``confint(rma(...))``.

    The bounds solve ``Q(tau²) = chi²_{k-p}(1 - alpha/2)`` (lower) and
    ``Q(tau²) = chi²_{k-p}(alpha/2)`` (upper); a bound is 0 when ``Q(0)``
    already lies below its quantile. ``Q`` falls strictly with tau², so each
    equation has at most one root, found with :func:`scipy.optimize.brentq`
    (written here: neither statsmodels nor scipy has the Q-profile method).

    Parameters
    ----------
    effect, variance : array_like
        Effect sizes and their sampling variances, one per study.
    design : array_like, optional
        Moderator matrix ``X`` (with its intercept column); an intercept only by default.
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent).

    Returns
    -------
    (float, float)
        Lower and upper bound for tau².

    Notes
    -----
    Matches ``confint(rma(...), control = list(tol = 1e-12))$random`` to 1e-6
    (confint's default ``tol`` is ``.Machine$double.eps^0.25``).

    References
    ----------
    Viechtbauer W. Confidence intervals for the amount of heterogeneity in
    meta-analysis. Statistics in Medicine 2007;26(1):37-52. doi:10.1002/sim.2514

    Examples
    --------
    >>> lo, hi = q_profile([0.1, 0.5, 0.9], [0.01, 0.02, 0.015])
    >>> lo < 0.149949 < hi
    True
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence {confidence} must be between 0 and 1 (e.g. 0.95)")
    y, v, x = _arrays(effect, variance, design)
    k, p = x.shape
    if k - p < 1:
        raise ValueError(f"a Q-profile interval needs more studies than coefficients: {k} studies, {p} coefficients")
    alpha = 1.0 - confidence
    q0 = q_statistic(0.0, y, v, design=x)
    bounds = []
    for target in (stats.chi2.isf(alpha / 2, k - p), stats.chi2.ppf(alpha / 2, k - p)):
        if q0 <= target:
            bounds.append(0.0)
            continue
        f = lambda t, c=target: q_statistic(t, y, v, design=x) - c  # noqa: E731
        bounds.append(_root(f, max(float(np.var(y)), float(np.max(v)))))
    return bounds[0], bounds[1]


def _fit_regression(y, v, x, *, method: str, test: str, confidence: float) -> dict:
    """Coefficients and tests of a (mixed-effects) meta-regression with design ``x``.

    Weighted least squares at the estimated tau² (statsmodels ``WLS``);
    Knapp-Hartung scales the covariance by ``Q(tau²) / (k - p)`` (``WLS``'s
    ``scale``). QM is the Wald statistic of the non-intercept coefficients
    (F = QM / m on ``(m, k - p)`` df with Knapp-Hartung), QE is ``Q(0)``.
    """
    k, p = x.shape
    if method in ("MH", "PETO"):
        raise ValueError(f"meta-regression is inverse-variance; method {method!r} does not apply")
    if k - p < 1:
        raise ValueError(f"meta-regression needs more studies than coefficients: {k} studies, "
                         f"{p} coefficients (intercept included)")
    if np.linalg.matrix_rank(x) < p:
        raise ValueError("the moderators are collinear (a column of the design is a combination "
                         "of the others); drop one")
    tau2 = 0.0 if method == "FE" else tau2_estimate(y, v, method=method, design=x)
    w = 1.0 / (v + tau2)
    fit = WLS(y, x, weights=w).fit()
    vb = np.asarray(fit.normalized_cov_params, dtype=float)
    df = math.nan
    if test == "knha":
        vb = vb * (float(fit.ssr) / (k - p))
        df = float(k - p)
    b = np.asarray(fit.params, dtype=float)
    se = np.sqrt(np.diag(vb))
    stat = b / se
    alpha = 1.0 - confidence
    if test == "knha":
        p_val = 2 * stats.t.sf(np.abs(stat), df)
        crit = stats.t.isf(alpha / 2, df)
    else:
        p_val = 2 * stats.norm.sf(np.abs(stat))
        crit = stats.norm.isf(alpha / 2)
    m = p - 1
    if m > 0:
        bm, vm = b[1:], vb[1:, 1:]
        qm = float(bm @ np.linalg.solve(vm, bm))
        if test == "knha":
            qm /= m
            qm_p = float(stats.f.sf(qm, m, k - p))
        else:
            qm_p = float(stats.chi2.sf(qm, m))
    else:
        qm, qm_p = math.nan, math.nan
    qe = q_statistic(0.0, y, v, design=x)
    return {"tau2": tau2, "b": b, "se": se, "stat": stat, "p": p_val, "ci_low": b - crit * se,
            "ci_high": b + crit * se, "df": df, "qm": qm, "qm_df": m, "qm_p": qm_p, "qe": qe,
            "qe_df": k - p, "qe_p": float(stats.chi2.sf(qe, k - p)), "s2": typical_variance(v, design=x)}

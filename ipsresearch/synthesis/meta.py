"""Meta-analysis of binary outcomes: two-arm trials and single proportions.

:func:`meta_analysis` pools trials that report, per arm, how many people
were randomised and how many reached the outcome (for IPS, a competitive
job). It reproduces R's ``metafor`` (``escalc`` followed by ``rma`` or
``rma.mh``) to at least six decimals, which the tests check against values
produced by the R scripts in ``tests/reference/meta_*.R``.

What comes from where
---------------------
* Effect sizes of two-arm trials (log risk ratio, log odds ratio, risk
  difference) and their variances: :func:`statsmodels.stats.meta_analysis.effectsize_2proportions`.
* Fixed-effect (inverse variance) pooling, Cochran's Q, the DerSimonian-Laird
  and Paule-Mandel estimates of tau²: :func:`statsmodels.stats.meta_analysis.combine_effects`.
  statsmodels does not truncate the DerSimonian-Laird estimate at zero;
  metafor (and this module) does.
* Mantel-Haenszel odds ratio and its Robins-Breslow-Greenland standard
  error: :class:`statsmodels.stats.contingency_tables.StratifiedTable`.
  statsmodels has the Mantel-Haenszel risk ratio but not its variance, so
  the Greenland-Robins (1985) variance is computed here.
* REML, which statsmodels lacks: the root of the restricted-likelihood score
  equation, found with :func:`scipy.optimize.brentq` (see :func:`reml_tau2`).
* Single proportions (logit and Freeman-Tukey double arcsine) are a few
  lines each and are written out here.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.meta_analysis import combine_effects, effectsize_2proportions

from ipsresearch import schemas
from ipsresearch.validation import InputError, Problem, validate

__all__ = [
    "MEASURES",
    "METHODS",
    "MetaAnalysisResult",
    "effect_sizes",
    "meta_analysis",
    "reml_tau2",
    "restricted_loglik",
    "ift_proportion",
]

MEASURES: dict[str, str] = {
    "RR": "risk ratio",
    "OR": "odds ratio",
    "RD": "risk difference",
    "PLO": "proportion (logit)",
    "PFT": "proportion (Freeman-Tukey)",
}
"""Measures by metafor's code: two-arm ``RR``, ``OR``, ``RD``; single proportions ``PLO``, ``PFT``."""

METHODS: dict[str, str] = {
    "FE": "fixed effect (inverse variance)",
    "MH": "fixed effect (Mantel-Haenszel)",
    "DL": "random effects (DerSimonian-Laird)",
    "REML": "random effects (REML)",
    "PM": "random effects (Paule-Mandel)",
}
"""Pooling methods by metafor's code. ``MH`` is for ``RR`` and ``OR`` only."""

TWO_ARM = ("RR", "OR", "RD")
SINGLE = ("PLO", "PFT")
_SM_STATISTIC = {"RR": "risk-ratio", "OR": "odds-ratio", "RD": "diff"}
_ANALYSIS_SCALE = {"RR": "log risk ratio", "OR": "log odds ratio", "RD": "risk difference",
                   "PLO": "logit proportion", "PFT": "double arcsine"}


# ------------------------------------------------------------------ effect sizes


def _columns(measure: str, *, study, events_treatment, n_treatment, events_control, n_control,
             events, n) -> tuple[list[str], schemas.Schema]:
    if measure in TWO_ARM:
        cols = [events_treatment, n_treatment, events_control, n_control]
        schema = schemas.trial_arms_schema(study=study, events_treatment=events_treatment,
                                           n_treatment=n_treatment, events_control=events_control,
                                           n_control=n_control)
    else:
        cols = [events, n]
        schema = schemas.proportions_schema(study=study, events=events, n=n)
    if len(set(cols)) != len(cols):
        raise ValueError(f"the count columns must differ; got {cols}")
    return ([study] if study else []) + cols, schema


def _check_choice(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} not recognised; choose from {', '.join(allowed)}")
    return value


def effect_sizes(
    data: pd.DataFrame,
    *,
    measure: str = "RR",
    study: str | None = "study",
    events_treatment: str = "events_treatment",
    n_treatment: str = "n_treatment",
    events_control: str = "events_control",
    n_control: str = "n_control",
    events: str = "events",
    n: str = "n",
    correction: float = 0.5,
    drop_double_zero: bool = True,
    source: str | None = None,
) -> pd.DataFrame:
    """Per-study effect sizes and sampling variances (metafor's ``escalc``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per trial (``RR``, ``OR``, ``RD``) or per study or arm
        (``PLO``, ``PFT``). Other columns are ignored.
    measure : {"RR", "OR", "RD", "PLO", "PFT"}
        See :data:`MEASURES`.
    study : str or None
        Column labelling the studies; ``None`` labels them ``study 1``, ``study 2``, ...
    events_treatment, n_treatment, events_control, n_control : str
        Columns of a two-arm trial: events and participants in each arm.
    events, n : str
        Columns of a single proportion.
    correction : float
        Continuity correction: added to every cell of a study with a zero
        cell (see Notes). ``0`` switches it off.
    drop_double_zero : bool
        For ``RR`` and ``OR``, leave out studies without events (or with
        only events) in both arms.
    source : str, optional
        Name of the table in error messages (default ``data``).

    Returns
    -------
    pandas.DataFrame
        One row per input row, in input order: ``study``, the count columns
        under their standard names (``events_treatment, n_treatment,
        events_control, n_control`` or ``events, n``), ``corrected`` (the
        continuity correction was added), ``included`` (false for a
        double-zero study left out), ``effect`` and ``variance`` on the
        analysis scale (NaN when not included).

    Raises
    ------
    InputError
        A count is missing, negative, not whole, or larger than its arm;
        the message names the row, column and study.
    ValueError
        An effect cannot be computed (a zero cell with ``correction=0``).

    Notes
    -----
    Zero cells follow metafor's default (``escalc(add = 1/2, to = "only0")``):
    when an arm of a trial has no events or only events, ``correction`` is
    added to all four cells of that trial (so each arm grows by
    ``2 * correction``); for ``PLO`` it is added to the events and the
    non-events of a proportion of 0 or 1. ``PFT`` needs no correction.
    Studies without events in either arm carry no information on a ratio
    and are left out of ``RR`` and ``OR`` analyses (metafor's ``drop00 =
    TRUE``, the default of ``rma.mh`` but not of ``escalc``; Cochrane
    Handbook section 10.4.4.2); they stay in ``RD`` analyses.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"study": ["A", "B"], "events_treatment": [30, 0],
    ...     "n_treatment": [60, 20], "events_control": [14, 3], "n_control": [58, 22]})
    >>> es = effect_sizes(d, measure="RR")
    >>> es[["study", "corrected"]].values.tolist()
    [['A', False], ['B', True]]
    >>> round(float(es["effect"].iloc[1]), 4)  # log((0.5 / 21) / (3.5 / 23))
    -1.8549
    """
    _check_choice(measure, MEASURES, "measure")
    if not correction >= 0 or not math.isfinite(correction):
        raise ValueError(f"correction {correction} must be a number >= 0 (e.g. 0.5)")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    src = source or "data"
    wanted, schema = _columns(measure, study=study, events_treatment=events_treatment,
                              n_treatment=n_treatment, events_control=events_control,
                              n_control=n_control, events=events, n=n)
    present = [c for c in wanted if c in data.columns]
    typed = validate(data[present], schema, source=src)
    labels = (typed[study].astype(str).to_numpy() if study
              else np.array([f"study {i + 1}" for i in range(len(typed))], dtype=object))
    out = pd.DataFrame({"study": labels})
    if measure in TWO_ARM:
        a, n1, c, n2 = (typed[col].to_numpy(dtype=float) for col in wanted[-4:])
        out["events_treatment"], out["n_treatment"] = a.astype(np.int64), n1.astype(np.int64)
        out["events_control"], out["n_control"] = c.astype(np.int64), n2.astype(np.int64)
        zero = (a == 0) | (a == n1) | (c == 0) | (c == n2)
        double = ((a == 0) & (c == 0)) | ((a == n1) & (c == n2))
        included = ~double if (measure in ("RR", "OR") and drop_double_zero) else np.ones(len(a), bool)
        # The correction is applied here, not through statsmodels' ``zero_correction``:
        # statsmodels 0.14-0.15 adds a float correction to the events of every study
        # but enlarges the arms only of studies with a zero cell.
        add = correction * zero
        with np.errstate(divide="ignore", invalid="ignore"):
            y, v = effectsize_2proportions(a + add, n1 + 2 * add, c + add, n2 + 2 * add,
                                           statistic=_SM_STATISTIC[measure], zero_correction=None)
    else:
        x, m = (typed[col].to_numpy(dtype=float) for col in wanted[-2:])
        out["events"], out["n"] = x.astype(np.int64), m.astype(np.int64)
        zero = (x == 0) | (x == m)
        included = np.ones(len(x), bool)
        if measure == "PLO":
            add = correction * zero
            xc, mc = x + add, m + 2 * add
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log(xc) - np.log(mc - xc)
                v = 1.0 / xc + 1.0 / (mc - xc)
        else:
            zero = np.zeros(len(x), bool)
            y = 0.5 * (np.arcsin(np.sqrt(x / (m + 1))) + np.arcsin(np.sqrt((x + 1) / (m + 1))))
            v = 1.0 / (4 * m + 2)
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    bad = included & ~(np.isfinite(y) & np.isfinite(v) & (v > 0))
    if bad.any():
        names = ", ".join(labels[bad].tolist())
        raise ValueError(
            f"{src}: the {MEASURES[measure]} of {names} cannot be computed: an arm has no events "
            f"or only events and the continuity correction is {correction}; use correction=0.5 "
            "(metafor's default) or the risk difference")
    out["corrected"] = zero & (correction > 0) & (measure != "PFT")
    out["included"] = included
    out["effect"] = np.where(included, y, np.nan)
    out["variance"] = np.where(included, v, np.nan)
    return out


# ------------------------------------------------------------------ tau² estimators


def restricted_loglik(tau2: float, effect: np.ndarray, variance: np.ndarray) -> float:
    """Restricted (REML) log-likelihood of the random-effects model at ``tau2``.

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


def _reml_score(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / (v + tau2)
    sw = w.sum()
    mu = (w @ y) / sw
    return float(0.5 * ((w**2) @ (y - mu) ** 2 - (sw - (w @ w) / sw)))


def reml_tau2(effect: np.ndarray, variance: np.ndarray) -> float:
    """REML estimate of the between-study variance tau².

    Parameters
    ----------
    effect, variance : array_like
        Effect sizes and their sampling variances, one per study.

    Returns
    -------
    float
        tau² >= 0.

    Notes
    -----
    The restricted log-likelihood :func:`restricted_loglik` is maximised by
    solving its score equation ``sum(w² (y - mu)²) = sum(w) - sum(w²) / sum(w)``
    with ``w = 1 / (v + tau²)`` and ``mu`` the weighted mean, using
    :func:`scipy.optimize.brentq` to machine precision. When the score at
    zero is not positive the likelihood falls from the boundary and the
    estimate is 0 (as metafor truncates). Otherwise the bracket is widened
    until the score turns negative, and the first root is the maximum.
    Matches ``metafor::rma(method = "REML")`` run with
    ``control = list(threshold = 1e-10)`` (its default stops when tau²
    changes by less than 1e-5).

    Examples
    --------
    >>> import numpy as np
    >>> # R: rma(c(.1, .5, .9), c(.01, .02, .015), method = "REML")$tau2 is 0.149949
    >>> round(reml_tau2(np.array([0.1, 0.5, 0.9]), np.array([0.01, 0.02, 0.015])), 6)
    0.149949
    """
    y = np.asarray(effect, dtype=float)
    v = np.asarray(variance, dtype=float)
    if len(y) < 2 or _reml_score(0.0, y, v) <= 0:
        return 0.0
    hi = max(float(np.var(y)), float(np.max(v)), 1e-8)
    for _ in range(200):
        if _reml_score(hi, y, v) < 0:
            break
        hi *= 2.0
    else:  # pragma: no cover - the score is negative for large tau² whenever k >= 2
        raise RuntimeError("could not bracket the REML estimate of tau²")
    return float(optimize.brentq(_reml_score, 0.0, hi, args=(y, v), xtol=1e-15, rtol=1e-15,
                                 maxiter=1000))


# ------------------------------------------------------------------ back-transforms


def ift_proportion(t: np.ndarray | float, n: np.ndarray | float) -> np.ndarray:
    """Back-transform a Freeman-Tukey double arcsine value to a proportion.

    Miller's (1978) inversion, as ``metafor::transf.ipft`` (``transf.ipft.hm``
    when ``n`` is the harmonic mean of the studies' sizes). Values beyond
    the transform of 0 or 1 for this ``n`` map to 0 or 1.

    Parameters
    ----------
    t : array_like
        Double arcsine values, metafor's scale (``yi`` of ``escalc(measure = "PFT")``).
    n : array_like
        Sample size(s) used in the inversion.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> t = 0.5 * (np.arcsin(np.sqrt(30 / 61)) + np.arcsin(np.sqrt(31 / 61)))
    >>> round(float(ift_proportion(t, 60)), 12)
    0.5
    """
    t, n = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(n, dtype=float))
    s, c = np.sin(2 * t), np.cos(2 * t)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = 0.5 * (1 - np.sign(c) * np.sqrt(1 - (s + (s - 1 / s) / n) ** 2))
    upper = 0.5 * (np.arcsin(np.sqrt(n / (n + 1))) + np.pi / 2)  # the transform of 1
    lower = 0.5 * np.arcsin(np.sqrt(1 / (n + 1)))  # the transform of 0
    z = np.where(t > upper, 1.0, z)
    return np.where(t < lower, 0.0, z)


def _back(measure: str, values, n_for_pft=None) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if measure in ("RR", "OR"):
        return np.exp(values)
    if measure == "PLO":
        return special.expit(values)
    if measure == "PFT":
        return ift_proportion(values, n_for_pft)
    return values


# ------------------------------------------------------------------ result


@dataclass(frozen=True, eq=False)
class MetaAnalysisResult:
    """A pooled estimate with its heterogeneity statistics and the per-study table.

    Attributes
    ----------
    measure, method : str
        Codes from :data:`MEASURES` and :data:`METHODS`.
    k : int
        Studies pooled (double-zero studies left out of RR/OR are not counted).
    estimate, ci_low, ci_high : float
        Pooled effect and confidence interval on the measure's natural scale
        (risk ratio, odds ratio, risk difference or proportion).
    pi_low, pi_high : float
        Prediction interval for the effect in a new study, natural scale
        (equal to the confidence interval for fixed-effect methods).
    effect, se : float
        Pooled effect and its standard error on the analysis scale (log risk
        ratio, log odds ratio, risk difference, logit or double arcsine).
    z, p_value : float
        Wald test of no effect on the analysis scale (two-sided).
    tau2 : float
        Between-study variance (0 for fixed-effect methods).
    i2 : float
        I² in percent, as metafor reports it.
    h2 : float
        H², as metafor reports it.
    q, q_df, q_p : float
        Cochran's Q, its degrees of freedom (``k - 1``) and p-value.
    confidence : float
    correction : float
        Continuity correction used for zero cells.
    studies : pandas.DataFrame
        Per-study rows (see :func:`effect_sizes`) plus ``estimate, ci_low,
        ci_high`` (natural scale) and ``weight`` (percent of the total).
    """

    measure: str
    method: str
    k: int
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    effect: float
    se: float
    z: float
    p_value: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    confidence: float
    correction: float
    studies: pd.DataFrame = field(repr=False)

    @property
    def tau(self) -> float:
        """Square root of :attr:`tau2` (on the analysis scale)."""
        return math.sqrt(self.tau2)

    @property
    def prediction_interval(self) -> tuple[float, float]:
        """``(pi_low, pi_high)`` on the natural scale."""
        return (self.pi_low, self.pi_high)

    @property
    def label(self) -> str:
        """Plain name of the measure, e.g. ``risk ratio``."""
        return MEASURES[self.measure]

    @property
    def scale(self) -> str:
        """Name of the analysis scale, e.g. ``log risk ratio``."""
        return _ANALYSIS_SCALE[self.measure]

    def summary(self) -> pd.DataFrame:
        """The pooled result as a one-row tidy DataFrame.

        Columns: ``measure, method, k, estimate, ci_low, ci_high, pi_low,
        pi_high, effect, se, z, p_value, tau2, tau, i2, h2, q, q_df, q_p,
        confidence``.
        """
        return pd.DataFrame([{
            "measure": self.measure, "method": self.method, "k": self.k,
            "estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "pi_low": self.pi_low, "pi_high": self.pi_high, "effect": self.effect, "se": self.se,
            "z": self.z, "p_value": self.p_value, "tau2": self.tau2, "tau": self.tau,
            "i2": self.i2, "h2": self.h2, "q": self.q, "q_df": self.q_df, "q_p": self.q_p,
            "confidence": self.confidence,
        }])

    def to_frame(self) -> pd.DataFrame:
        """Per-study rows followed by one pooled row.

        Returns
        -------
        pandas.DataFrame
            ``row`` (``study`` or ``pooled``), ``study``, the count columns,
            ``included``, ``effect``, ``se`` (analysis scale), ``estimate,
            ci_low, ci_high`` (natural scale), ``pi_low, pi_high`` (pooled
            row only) and ``weight`` (percent).
        """
        s = self.studies.copy()
        s.insert(0, "row", "study")
        s["se"] = np.sqrt(s.pop("variance"))
        s["pi_low"] = np.nan
        s["pi_high"] = np.nan
        pooled = {c: pd.NA for c in s.columns}
        pooled.update({
            "row": "pooled", "study": f"pooled ({self.method})", "included": True,
            "corrected": False, "effect": self.effect, "se": self.se, "estimate": self.estimate,
            "ci_low": self.ci_low, "ci_high": self.ci_high, "pi_low": self.pi_low,
            "pi_high": self.pi_high, "weight": 100.0,
        })
        for c in ("events_treatment", "n_treatment", "events_control", "n_control", "events", "n"):
            if c in s.columns:
                pooled[c] = int(s.loc[s["included"], c].sum())
        out = pd.concat([s, pd.DataFrame([pooled])], ignore_index=True)
        cols = ["row", "study", *[c for c in ("events_treatment", "n_treatment", "events_control",
                                              "n_control", "events", "n") if c in s.columns],
                "corrected", "included", "effect", "se", "estimate", "ci_low", "ci_high",
                "pi_low", "pi_high", "weight"]
        out = out[cols]
        for c in ("effect", "se", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "weight"):
            out[c] = out[c].astype(float)
        for c in ("corrected", "included"):
            out[c] = out[c].astype(bool)
        return out

    def __repr__(self) -> str:
        return (f"MetaAnalysisResult(measure={self.measure!r}, method={self.method!r}, k={self.k}, "
                f"estimate={self.estimate:.4g}, ci=({self.ci_low:.4g}, {self.ci_high:.4g}), "
                f"tau2={self.tau2:.4g}, i2={self.i2:.3g})")

    def _repr_html_(self) -> str:
        conf = f"{self.confidence:.0%}"
        name = METHODS[self.method]
        head = (f"<p><strong>{html.escape(name[0].upper() + name[1:])}</strong> meta-analysis "
                f"of {self.k} {'study' if self.k == 1 else 'studies'}, "
                f"{html.escape(self.label)}</p>")
        rows = [
            ("pooled " + self.label, f"{self.estimate:.3f}"),
            (f"{conf} confidence interval", f"{self.ci_low:.3f} to {self.ci_high:.3f}"),
            (f"{conf} prediction interval", f"{self.pi_low:.3f} to {self.pi_high:.3f}"),
            (f"{self.scale} (se)", f"{self.effect:.4f} ({self.se:.4f})"),
            ("z, p", f"{self.z:.2f}, {_p(self.p_value)}"),
            ("tau² (tau)", f"{self.tau2:.4f} ({self.tau:.3f})"),
            ("I²", f"{self.i2:.1f}%"),
            (f"Q (df = {self.q_df}), p", f"{self.q:.2f}, {_p(self.q_p)}"),
        ]
        table = "".join(f"<tr><th style='text-align:left'>{html.escape(a)}</th>"
                        f"<td style='text-align:right'>{html.escape(b)}</td></tr>" for a, b in rows)
        studies = self.to_frame()
        shown = studies.drop(columns=["row", "corrected", "pi_low", "pi_high"])
        notes = []
        if self.studies["corrected"].any():
            notes.append(f"{int(self.studies['corrected'].sum())} with a zero cell had "
                         f"{self.correction:g} added to each cell")
        if (~self.studies["included"]).any():
            notes.append(f"{int((~self.studies['included']).sum())} without events in either arm "
                         "left out")
        note = f"<p>Studies: {html.escape('; '.join(notes))}.</p>" if notes else ""
        return (f"<div>{head}<table>{table}</table>{note}"
                + shown.to_html(index=False, float_format=lambda x: f"{x:.3f}", na_rep="",
                                border=0, classes="meta-studies")
                + "</div>")


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


# ------------------------------------------------------------------ pooling


def _mantel_haenszel(measure: str, a, n1, c, n2) -> tuple[float, float, np.ndarray]:
    """Pooled log RR or log OR, its standard error, and the MH weights."""
    b, d = n1 - a, n2 - c
    tables = np.stack([np.stack([a, b]), np.stack([c, d])])  # 2 x 2 x k, rows = arms
    st = StratifiedTable(tables)
    big_n = n1 + n2
    if measure == "OR":
        weights = b * c / big_n
        if not (np.sum(a * d / big_n) > 0 and weights.sum() > 0):
            raise ValueError("the Mantel-Haenszel odds ratio is 0 or infinite for these trials "
                             "(no discordant cells); use method='FE' or measure='RD'")
        return math.log(st.oddsratio_pooled), float(st.logodds_pooled_se), weights
    weights = c * n1 / big_n
    r = np.sum(a * n2 / big_n)
    s = weights.sum()
    if not (r > 0 and s > 0):
        raise ValueError("the Mantel-Haenszel risk ratio is 0 or infinite for these trials "
                         "(no events in one arm of every trial); use measure='RD'")
    # Greenland & Robins (1985) variance of the log Mantel-Haenszel risk ratio
    p = np.sum((n1 * n2 * (a + c) - a * c * big_n) / big_n**2)
    return math.log(st.riskratio_pooled), math.sqrt(p / (r * s)), weights


def meta_analysis(
    data: pd.DataFrame,
    *,
    measure: str = "RR",
    method: str = "REML",
    study: str | None = "study",
    events_treatment: str = "events_treatment",
    n_treatment: str = "n_treatment",
    events_control: str = "events_control",
    n_control: str = "n_control",
    events: str = "events",
    n: str = "n",
    confidence: float = 0.95,
    correction: float = 0.5,
    drop_double_zero: bool = True,
    source: str | None = None,
) -> MetaAnalysisResult:
    """Pool two-arm trials or single proportions.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per trial with events and participants in each arm
        (``measure`` ``RR``, ``OR`` or ``RD``), or one row per study or arm
        with events and participants (``PLO``, ``PFT``). The frame is not modified.
    measure : {"RR", "OR", "RD", "PLO", "PFT"}
        Risk ratio, odds ratio, risk difference (IPS arm minus control arm),
        or a single proportion on the logit or Freeman-Tukey double arcsine
        scale (:data:`MEASURES`).
    method : {"REML", "DL", "PM", "FE", "MH"}
        Random effects with tau² by restricted maximum likelihood,
        DerSimonian-Laird or Paule-Mandel; fixed effect by inverse variance
        or Mantel-Haenszel (``RR`` and ``OR`` only) (:data:`METHODS`).
    study, events_treatment, n_treatment, events_control, n_control, events, n : str
        Column names (see :func:`effect_sizes`).
    confidence : float
        Level of the confidence and prediction intervals.
    correction : float
        Continuity correction for zero cells (see :func:`effect_sizes`).
    drop_double_zero : bool
        Leave studies without events in either arm out of ``RR``/``OR``.
    source : str, optional
        Name of the table in error messages.

    Returns
    -------
    MetaAnalysisResult
        ``estimate``, ``ci_low``, ``ci_high``, ``pi_low``, ``pi_high`` on the
        natural scale; ``effect`` and ``se`` on the analysis scale; ``tau2``,
        ``i2`` (percent), ``h2``, ``q``; ``.summary()`` and ``.to_frame()``
        give tidy tables.

    Raises
    ------
    InputError
        Counts that are missing, negative, not whole, or larger than their
        arm (naming the row, column and study); no study left to pool.
    ValueError
        An unknown measure or method, ``MH`` with ``RD`` or a proportion, a
        confidence level outside (0, 1).

    Notes
    -----
    Inverse-variance pooling with weights ``w = 1 / (v + tau²)`` gives the
    pooled effect ``sum(w y) / sum(w)`` with standard error
    ``1 / sqrt(sum(w))``; the confidence interval is Wald (normal) and the
    prediction interval is ``effect ± z sqrt(se² + tau²)`` (metafor's
    ``predict``; for fixed-effect methods it equals the confidence interval).
    Q is Cochran's statistic about the inverse-variance fixed-effect mean
    (about the Mantel-Haenszel estimate for ``MH``, as ``rma.mh``).
    I² is reported as metafor does: ``100 (Q - df) / Q`` truncated at 0 for
    fixed-effect methods, and ``100 tau² / (tau² + s²)`` for random effects,
    where ``s² = (k - 1) sum(w) / ((sum w)² - sum(w²))`` is the typical
    within-study variance (the two agree for DerSimonian-Laird);
    ``H² = (tau² + s²) / s²`` (``Q / df`` for fixed effect).

    Back-transforms: ``exp`` for ``RR`` and ``OR``, the inverse logit for
    ``PLO``; for ``PFT`` the pooled value and its intervals are inverted
    with Miller's formula at the harmonic mean of the pooled studies'
    sizes (``metafor::transf.ipft.hm``) and each study with its own size
    (``transf.ipft``, which returns its observed proportion exactly).

    Special cases, each tested: with one study the pooled result is that
    study's, tau² = 0, Q = 0 on 0 df with p = 1, I² = 0 and H² = 1 (as
    metafor reports). Zero cells get the continuity correction; a trial
    without events in either arm is left out of ``RR`` and ``OR`` (kept,
    with weight 0 and ``included`` false, in the per-study table) and
    kept in ``RD``; if no trial is left, :class:`InputError` says so.
    Results do not depend on the order of the rows: studies are pooled in
    a canonical order, so reordering gives bit-identical numbers.

    Matches R 4.2.2 ``metafor`` 3.8-1 ``rma(escalc(...), method = m)`` for
    m in FE, DL, REML and PM and ``rma.mh`` to 1e-6 (tests/reference/meta_*.R).

    References
    ----------
    Viechtbauer W. Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software 2010;36(3):1-48. doi:10.18637/jss.v036.i03

    Greenland S, Robins JM. Estimation of a common effect parameter from
    sparse follow-up data. Biometrics 1985;41(1):55-68. doi:10.2307/2530643

    Miller JJ. The inverse of the Freeman-Tukey double arcsine
    transformation. The American Statistician 1978;32(4):138. doi:10.1080/00031305.1978.10479283

    Examples
    --------
    >>> import pandas as pd
    >>> trials = pd.DataFrame({
    ...     "study": ["A", "B", "C", "D"],
    ...     "events_treatment": [30, 44, 12, 75], "n_treatment": [60, 102, 35, 150],
    ...     "events_control": [14, 20, 11, 33], "n_control": [58, 98, 40, 146]})
    >>> res = meta_analysis(trials, measure="RR", method="REML")
    >>> print(f"RR {res.estimate:.2f} ({res.ci_low:.2f} to {res.ci_high:.2f}), I2 {res.i2:.0f}%")
    RR 2.03 (1.61 to 2.54), I2 0%
    >>> res.to_frame()["row"].tolist()
    ['study', 'study', 'study', 'study', 'pooled']
    >>> arms = trials.rename(columns={"events_treatment": "events", "n_treatment": "n"})
    >>> round(meta_analysis(arms, measure="PLO", method="FE").estimate, 3)
    0.465
    """
    _check_choice(measure, MEASURES, "measure")
    _check_choice(method, METHODS, "method")
    if method == "MH" and measure not in ("RR", "OR"):
        raise ValueError(f"method 'MH' (Mantel-Haenszel) is for measure RR or OR, not {measure!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence {confidence} must be between 0 and 1 (e.g. 0.95)")
    src = source or "data"
    es = effect_sizes(data, measure=measure, study=study, events_treatment=events_treatment,
                      n_treatment=n_treatment, events_control=events_control, n_control=n_control,
                      events=events, n=n, correction=correction,
                      drop_double_zero=drop_double_zero, source=src)
    inc = es["included"].to_numpy()
    if not inc.any():
        raise InputError([Problem(
            src, None, None,
            f"no study can be pooled: every study has no events (or only events) in both arms, "
            f"which says nothing about a {MEASURES[measure]}",
            "at least one trial with an event in either arm, or measure='RD'")], source=src)
    count_cols = (["events_treatment", "n_treatment", "events_control", "n_control"]
                  if measure in TWO_ARM else ["events", "n"])
    # canonical order: sums run over the same sequence whatever the input order
    pooled = es.loc[inc]
    order = np.lexsort([pooled[c].to_numpy() for c in reversed(count_cols)])
    pooled = pooled.iloc[order]
    y = pooled["effect"].to_numpy(dtype=float)
    v = pooled["variance"].to_numpy(dtype=float)
    k = len(y)
    crit = float(stats.norm.isf((1.0 - confidence) / 2.0))
    w_fe = 1.0 / v
    mh_weights = None
    if k == 1:
        effect_fe, q = float(y[0]), 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            fe = combine_effects(y, v, method_re="dl")
        effect_fe, q = float(fe.mean_effect_fe), float(fe.q)

    if method in ("FE", "MH"):
        tau2 = 0.0
        if method == "MH":
            counts = [pooled[c].to_numpy(dtype=float) for c in count_cols]
            effect, se, mh_weights = _mantel_haenszel(measure, *counts)
            q = float(w_fe @ (y - effect) ** 2) if k > 1 else 0.0
        else:
            effect, se = effect_fe, math.sqrt(1.0 / w_fe.sum())
        i2 = max(0.0, 100.0 * (q - (k - 1)) / q) if k > 1 and q > 0 else 0.0
        h2 = q / (k - 1) if k > 1 else 1.0
        w = mh_weights if mh_weights is not None else w_fe
    else:
        if k == 1:
            tau2 = 0.0
        elif method == "DL":
            tau2 = max(0.0, float(fe.tau2))
        elif method == "PM":
            with np.errstate(divide="ignore", invalid="ignore"):
                pm = combine_effects(y, v, method_re="pm", atol=1e-13, maxiter=10_000)
            tau2 = max(0.0, float(pm.tau2))
        else:
            tau2 = reml_tau2(y, v)
        w = 1.0 / (v + tau2)
        effect = float(w @ y / w.sum())
        se = math.sqrt(1.0 / w.sum())
        if k > 1:
            s2 = (k - 1) * w_fe.sum() / (w_fe.sum() ** 2 - (w_fe @ w_fe))
            i2 = 100.0 * tau2 / (tau2 + s2)
            h2 = (tau2 + s2) / s2
        else:
            i2, h2 = 0.0, 1.0
    q_p = float(stats.chi2.sf(q, k - 1)) if k > 1 else 1.0
    z = effect / se
    p_value = float(2 * stats.norm.sf(abs(z)))
    lo, hi = effect - crit * se, effect + crit * se
    half_pi = crit * math.sqrt(se**2 + tau2)
    pi_lo, pi_hi = (effect - half_pi, effect + half_pi) if method not in ("FE", "MH") else (lo, hi)

    n_hm = None
    if measure == "PFT":
        n_hm = 1.0 / np.mean(1.0 / pooled["n"].to_numpy(dtype=float))
    est_n, lo_n, hi_n, pil_n, pih_n = _back(measure, [effect, lo, hi, pi_lo, pi_hi], n_hm)

    studies = es.copy()
    weight = pd.Series(0.0, index=es.index)
    weight.loc[pooled.index] = 100.0 * np.asarray(w, dtype=float) / float(np.sum(w))
    studies["weight"] = weight.to_numpy()
    sy = studies["effect"].to_numpy(dtype=float)
    sse = np.sqrt(studies["variance"].to_numpy(dtype=float))
    per_n = studies["n"].to_numpy(dtype=float) if measure == "PFT" else None
    studies["estimate"] = _back(measure, sy, per_n)
    studies["ci_low"] = _back(measure, sy - crit * sse, per_n)
    studies["ci_high"] = _back(measure, sy + crit * sse, per_n)
    if measure == "PFT":  # the observed proportion exactly (Miller's inversion at the study's own n)
        studies["estimate"] = np.where(studies["included"], studies["events"] / studies["n"], np.nan)

    return MetaAnalysisResult(
        measure=measure, method=method, k=k,
        estimate=float(est_n), ci_low=float(lo_n), ci_high=float(hi_n),
        pi_low=float(pil_n), pi_high=float(pih_n),
        effect=float(effect), se=float(se), z=float(z), p_value=p_value,
        tau2=float(tau2), i2=float(i2), h2=float(h2), q=float(q), q_df=k - 1, q_p=q_p,
        confidence=confidence, correction=correction, studies=studies,
    )

"""Meta-analysis: two-arm trials (binary or continuous), single proportions, precomputed effects.

:func:`meta_analysis` pools studies the way R's ``metafor`` does (``escalc``
followed by ``rma``, ``rma.mh`` or ``rma.peto``); :func:`leave_one_out` and
:func:`egger_test` are ``leave1out`` and ``regtest``; meta-regression with
moderators is :func:`ipsresearch.synthesis.meta_regression.meta_regression`.
The tests compare every estimator with values produced by the R scripts in
``tests/reference/meta_*.R`` on metafor's own data sets.

What "matches metafor" means
----------------------------
Every comparison is against ``rma()`` iterated to full convergence,
``control = list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)``, at 1e-6
absolute unless a test says otherwise. ``rma()`` run with its defaults
(``threshold = 1e-5`` for ML, REML and EB; ``uniroot``'s ``tol =
.Machine$double.eps^0.25`` for PM) stops earlier and differs from the converged
value in the fourth to sixth decimal of tau²; tests/reference/README.md
tabulates the differences on dat.bcg, the CLASP trials and dat.collins1985b.

What comes from where
---------------------
* Effect sizes of two-arm trials (log risk ratio, log odds ratio, risk
  difference): :func:`statsmodels.stats.meta_analysis.effectsize_2proportions`.
  The standardised mean difference (Hedges' g with metafor's exact bias
  correction and variance) is written here: statsmodels' ``effectsize_smd``
  uses an approximate correction and another variance. Raw mean differences,
  proportions (raw, logit, Freeman-Tukey) and Peto's one-step odds ratio are
  a few lines each, written here.
* tau² (DL, HE, HS, SJ, ML, REML, EB, PM) and the Q-profile interval:
  :mod:`ipsresearch.synthesis.heterogeneity` (roots with :func:`scipy.optimize.brentq`).
* The weighted least squares fit at the estimated tau² (pooled effect, its
  variance, the Knapp-Hartung scale): :class:`statsmodels.regression.linear_model.WLS`.
* Mantel-Haenszel odds ratio and its Robins-Breslow-Greenland standard
  error: :class:`statsmodels.stats.contingency_tables.StratifiedTable`.
  statsmodels has the Mantel-Haenszel risk ratio but not its variance (the
  Greenland-Robins 1985 variance is computed here), and no Mantel-Haenszel
  risk difference (computed here, with the Sato, Greenland and Robins 1989
  variance as metafor).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.regression.linear_model import WLS
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.meta_analysis import effectsize_2proportions

from ipsresearch import schemas
from ipsresearch.synthesis.heterogeneity import (
    ESTIMATORS,
    _fit_regression,
    q_profile,
    q_statistic,
    reml_tau2,
    restricted_loglik,
    tau2_estimate,
    typical_variance,
)
from ipsresearch.validation import InputError, Problem, check_choice, validate

__all__ = [
    "MEASURES",
    "METHODS",
    "TESTS",
    "MetaAnalysisResult",
    "effect_sizes",
    "egger_test",
    "ift_proportion",
    "leave_one_out",
    "meta_analysis",
    "reml_tau2",
    "restricted_loglik",
]

MEASURES: dict[str, str] = {
    "RR": "risk ratio",
    "OR": "odds ratio",
    "RD": "risk difference",
    "PLO": "proportion (logit)",
    "PFT": "proportion (Freeman-Tukey)",
    "PR": "proportion",
    "MD": "mean difference",
    "SMD": "standardised mean difference",
    "GEN": "effect",
}
"""Measures by metafor's code: two-arm binary ``RR``, ``OR``, ``RD``; single
proportions ``PR`` (raw), ``PLO`` (logit), ``PFT`` (Freeman-Tukey); two-arm
continuous ``MD`` (raw mean difference), ``SMD`` (Hedges' g); ``GEN``
precomputed effects with their variances."""

METHODS: dict[str, str] = {
    "FE": "fixed effect (inverse variance)",
    "MH": "fixed effect (Mantel-Haenszel)",
    "PETO": "fixed effect (Peto)",
    **{code: f"random effects ({name})" for code, name in ESTIMATORS.items()},
}
"""Pooling methods by metafor's code. ``MH`` is for ``RR``, ``OR`` and ``RD``;
``PETO`` for ``OR``; the others (inverse variance) for every measure."""

FIXED = ("FE", "MH", "PETO")
TESTS: dict[str, str] = {"z": "Wald (normal)", "knha": "Knapp-Hartung (t)"}
"""Inference for the pooled effect, by metafor's ``test`` argument."""

TWO_ARM = ("RR", "OR", "RD")
SINGLE = ("PLO", "PFT", "PR")
MEANS = ("MD", "SMD")
_SM_STATISTIC = {"RR": "risk-ratio", "OR": "odds-ratio", "RD": "diff"}
_ANALYSIS_SCALE = {"RR": "log risk ratio", "OR": "log odds ratio", "RD": "risk difference",
                   "PLO": "logit proportion", "PFT": "double arcsine", "PR": "proportion",
                   "MD": "mean difference", "SMD": "standardised mean difference", "GEN": "effect"}
_COUNTS = {"two_arm": ["events_treatment", "n_treatment", "events_control", "n_control"],
           "single": ["events", "n"],
           "means": ["mean_treatment", "sd_treatment", "n_treatment", "mean_control", "sd_control",
                     "n_control"],
           "gen": []}


def _kind(measure: str) -> str:
    if measure in TWO_ARM:
        return "two_arm"
    if measure in SINGLE:
        return "single"
    return "means" if measure in MEANS else "gen"


# ------------------------------------------------------------------ effect sizes


def _columns(measure: str, names: dict) -> tuple[list[str], schemas.Schema]:
    study = names["study"]
    kind = _kind(measure)
    if kind == "two_arm":
        cols = [names[c] for c in _COUNTS["two_arm"]]
        schema = schemas.trial_arms_schema(study=study, **{c: names[c] for c in _COUNTS["two_arm"]})
    elif kind == "single":
        cols = [names["events"], names["n"]]
        schema = schemas.proportions_schema(study=study, events=names["events"], n=names["n"])
    elif kind == "means":
        cols = [names[c] for c in _COUNTS["means"]]
        schema = schemas.means_schema(study=study, **{c: names[c] for c in _COUNTS["means"]})
    else:
        cols = [names["effect"], names["variance"]]
        schema = schemas.effects_schema(study=study, effect=names["effect"], variance=names["variance"])
    if len(set(cols)) != len(cols):
        raise ValueError(f"the data columns must differ; got {cols}")
    return ([study] if study else []) + cols, schema


def _check_choice(value: str, allowed, what: str) -> str:
    return check_choice(what, value, allowed)


def _hedges_g(m1, s1, n1, m2, s2, n2):
    """Hedges' g and its variance as ``escalc(measure = "SMD")`` (metafor's default vtype "LS")."""
    df = n1 + n2 - 2
    sp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / df)
    j = np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2) - special.gammaln((df - 1) / 2))
    g = j * (m1 - m2) / sp
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


def _peto(a, n1, c, n2):
    """Peto's one-step log odds ratio ``(O - E) / V`` and its variance ``1 / V``."""
    big_n = n1 + n2
    events = a + c
    o_minus_e = a - events * n1 / big_n
    var = events * (big_n - events) * n1 * n2 / (big_n**2 * (big_n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return o_minus_e / var, 1.0 / var


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
    mean_treatment: str = "mean_treatment",
    sd_treatment: str = "sd_treatment",
    mean_control: str = "mean_control",
    sd_control: str = "sd_control",
    effect: str = "effect",
    variance: str = "variance",
    correction: float = 0.5,
    drop_double_zero: bool = True,
    source: str | None = None,
) -> pd.DataFrame:
    """Per-study effect sizes and sampling variances (metafor's ``escalc``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per trial (``RR``, ``OR``, ``RD``, ``MD``, ``SMD``), per study
        or arm (``PR``, ``PLO``, ``PFT``) or per precomputed effect (``GEN``).
        Other columns are ignored.
    measure : {"RR", "OR", "RD", "PLO", "PFT", "PR", "MD", "SMD", "GEN"}
        See :data:`MEASURES`.
    study : str or None
        Column labelling the studies; ``None`` labels them ``study 1``, ``study 2``, ...
    events_treatment, n_treatment, events_control, n_control : str
        Columns of a two-arm trial: events and participants in each arm
        (``n_treatment`` and ``n_control`` also for ``MD`` and ``SMD``).
    events, n : str
        Columns of a single proportion.
    mean_treatment, sd_treatment, mean_control, sd_control : str
        Means and standard deviations of a continuous outcome (``MD``, ``SMD``).
    effect, variance : str
        Columns of precomputed effects and their sampling variances (``GEN``).
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
        One row per input row, in input order: ``study``, the data columns
        under their standard names (``events_treatment, n_treatment,
        events_control, n_control``; ``events, n``; ``mean_treatment,
        sd_treatment, n_treatment, mean_control, sd_control, n_control``;
        none for ``GEN``), ``corrected`` (the continuity correction was
        added), ``included`` (false for a double-zero study left out),
        ``effect`` and ``variance`` on the analysis scale (NaN when not
        included).

    Raises
    ------
    InputError
        A value is missing, negative, not whole, or larger than its arm;
        the message names the row, column and study.
    ValueError
        An effect cannot be computed (a zero cell with ``correction=0``).

    Notes
    -----
    Zero cells follow metafor's default (``escalc(add = 1/2, to = "only0")``):
    when an arm of a trial has no events or only events, ``correction`` is
    added to all four cells of that trial (so each arm grows by
    ``2 * correction``); for ``PR`` and ``PLO`` it is added to the events
    and the non-events of a proportion of 0 or 1. ``PFT`` needs no correction.
    Studies without events in either arm carry no information on a ratio
    and are left out of ``RR`` and ``OR`` analyses (metafor's ``drop00 =
    TRUE``, the default of ``rma.mh`` but not of ``escalc``; Cochrane
    Handbook section 10.4.4.2); they stay in ``RD`` analyses.

    ``PR``: ``p = x / n``, variance ``p (1 - p) / n``. ``MD``: the difference
    of means, variance ``sd1²/n1 + sd2²/n2`` (metafor's default, no equal
    variances assumed). ``SMD``: Hedges' g, the difference of means over the
    pooled SD times the exact correction ``J = Gamma(m/2) / (sqrt(m/2)
    Gamma((m-1)/2))`` with ``m = n1 + n2 - 2``, variance ``1/n1 + 1/n2 +
    g² / (2 (n1 + n2))`` (metafor's default ``vtype = "LS"``).

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
    >>> weeks = pd.DataFrame({"study": ["A"], "mean_treatment": [12.0], "sd_treatment": [8.0],
    ...     "n_treatment": [50], "mean_control": [7.0], "sd_control": [7.0], "n_control": [48]})
    >>> round(float(effect_sizes(weeks, measure="SMD")["effect"].iloc[0]), 4)  # R escalc: 0.6590668
    0.6591
    """
    _check_choice(measure, MEASURES, "measure")
    if not correction >= 0 or not math.isfinite(correction):
        raise ValueError(f"correction {correction} must be a number >= 0 (e.g. 0.5)")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    src = source or "data"
    names = {"study": study, "events_treatment": events_treatment, "n_treatment": n_treatment,
             "events_control": events_control, "n_control": n_control, "events": events, "n": n,
             "mean_treatment": mean_treatment, "sd_treatment": sd_treatment,
             "mean_control": mean_control, "sd_control": sd_control,
             "effect": effect, "variance": variance}
    wanted, schema = _columns(measure, names)
    present = [c for c in wanted if c in data.columns]
    typed = validate(data[present], schema, source=src)
    labels = (typed[study].astype(str).to_numpy() if study
              else np.array([f"study {i + 1}" for i in range(len(typed))], dtype=object))
    out = pd.DataFrame({"study": labels})
    kind = _kind(measure)
    zero = np.zeros(len(typed), bool)
    included = np.ones(len(typed), bool)
    if kind == "two_arm":
        a, n1, c, n2 = (typed[col].to_numpy(dtype=float) for col in wanted[-4:])
        out["events_treatment"], out["n_treatment"] = a.astype(np.int64), n1.astype(np.int64)
        out["events_control"], out["n_control"] = c.astype(np.int64), n2.astype(np.int64)
        zero = (a == 0) | (a == n1) | (c == 0) | (c == n2)
        double = ((a == 0) & (c == 0)) | ((a == n1) & (c == n2))
        if measure in ("RR", "OR") and drop_double_zero:
            included = ~double
        # The correction is applied here, not through statsmodels' ``zero_correction``:
        # statsmodels 0.14-0.15 adds a float correction to the events of every study
        # but enlarges the arms only of studies with a zero cell.
        add = correction * zero
        with np.errstate(divide="ignore", invalid="ignore"):
            y, v = effectsize_2proportions(a + add, n1 + 2 * add, c + add, n2 + 2 * add,
                                           statistic=_SM_STATISTIC[measure], zero_correction=None)
    elif kind == "single":
        x, m = (typed[col].to_numpy(dtype=float) for col in wanted[-2:])
        out["events"], out["n"] = x.astype(np.int64), m.astype(np.int64)
        if measure == "PFT":
            y = 0.5 * (np.arcsin(np.sqrt(x / (m + 1))) + np.arcsin(np.sqrt((x + 1) / (m + 1))))
            v = 1.0 / (4 * m + 2)
        else:
            zero = (x == 0) | (x == m)
            add = correction * zero
            xc, mc = x + add, m + 2 * add
            with np.errstate(divide="ignore", invalid="ignore"):
                if measure == "PLO":
                    y = np.log(xc) - np.log(mc - xc)
                    v = 1.0 / xc + 1.0 / (mc - xc)
                else:
                    y = xc / mc
                    v = y * (1 - y) / mc
    elif kind == "means":
        m1, s1, n1, m2, s2, n2 = (typed[col].to_numpy(dtype=float) for col in wanted[-6:])
        for col, vals in zip(_COUNTS["means"], (m1, s1, n1, m2, s2, n2), strict=True):
            out[col] = vals.astype(np.int64) if col.startswith("n_") else vals
        if measure == "MD":
            y, v = m1 - m2, s1**2 / n1 + s2**2 / n2
        else:
            y, v = _hedges_g(m1, s1, n1, m2, s2, n2)
    else:
        y, v = (typed[col].to_numpy(dtype=float) for col in wanted[-2:])
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    bad = included & ~(np.isfinite(y) & np.isfinite(v) & (v > 0))
    if bad.any():
        names_bad = ", ".join(labels[bad].tolist())
        raise ValueError(
            f"{src}: the {MEASURES[measure]} of {names_bad} cannot be computed: an arm has no events "
            f"or only events and the continuity correction is {correction}; use correction=0.5 "
            "(metafor's default) or the risk difference")
    out["corrected"] = zero & (correction > 0)
    out["included"] = included
    out["effect"] = np.where(included, y, np.nan)
    out["variance"] = np.where(included, v, np.nan)
    return out


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
        (risk ratio, odds ratio, risk difference, proportion, mean difference...).
    pi_low, pi_high : float
        Prediction interval for the effect in a new study, natural scale
        (equal to the confidence interval for fixed-effect methods).
    effect, se : float
        Pooled effect and its standard error on the analysis scale (log risk
        ratio, log odds ratio, risk difference, logit or double arcsine, ...).
    z, p_value : float
        Test of no effect on the analysis scale (two-sided): Wald z, or the
        Knapp-Hartung t statistic on ``df`` degrees of freedom. NaN when the
        standard error is 0 (as metafor's NA).
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
    test : {"z", "knha"}
        Wald (normal) or Knapp-Hartung (t) inference (:data:`TESTS`).
    df : float
        Degrees of freedom of the Knapp-Hartung t (``k - 1``); NaN for ``z``.
    drop_double_zero : bool
        Whether double-zero studies were left out of a ratio.
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
    test: str = "z"
    df: float = math.nan
    drop_double_zero: bool = True

    @property
    def tau(self) -> float:
        """Square root of :attr:`tau2` (on the analysis scale)."""
        return math.sqrt(self.tau2)

    @property
    def random_effects(self) -> bool:
        """True for a random-effects method (tau² estimated), false for FE, MH and PETO."""
        return self.method not in FIXED

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
        """The pooled result as a one-row tidy DataFrame (the headline numbers).

        Columns: ``measure, method, test, k, estimate, ci_low, ci_high, pi_low,
        pi_high, effect, se, z, df, p_value, tau2, tau, i2, h2, q, q_df, q_p,
        confidence``.
        """
        return pd.DataFrame([{
            "measure": self.measure, "method": self.method, "test": self.test, "k": self.k,
            "estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "pi_low": self.pi_low, "pi_high": self.pi_high, "effect": self.effect, "se": self.se,
            "z": self.z, "df": self.df, "p_value": self.p_value, "tau2": self.tau2, "tau": self.tau,
            "i2": self.i2, "h2": self.h2, "q": self.q, "q_df": self.q_df, "q_p": self.q_p,
            "confidence": self.confidence,
        }])

    def to_frame(self) -> pd.DataFrame:
        """Per-study rows followed by one pooled row (the main tidy table).

        Returns
        -------
        pandas.DataFrame
            ``row`` (``study`` or ``pooled``), ``study``, the data columns,
            ``corrected``, ``included``, ``effect``, ``se`` (analysis scale),
            ``estimate, ci_low, ci_high`` (natural scale), ``pi_low, pi_high``
            (pooled row only) and ``weight`` (percent).
        """
        s = self.studies.copy()
        s.insert(0, "row", "study")
        s["se"] = np.sqrt(s.pop("variance"))
        s["pi_low"] = np.nan
        s["pi_high"] = np.nan
        data_cols = [c for c in _COUNTS[_kind(self.measure)] if c in s.columns]
        pooled = {c: pd.NA for c in s.columns}
        pooled.update({
            "row": "pooled", "study": f"pooled ({self.method})", "included": True,
            "corrected": False, "effect": self.effect, "se": self.se, "estimate": self.estimate,
            "ci_low": self.ci_low, "ci_high": self.ci_high, "pi_low": self.pi_low,
            "pi_high": self.pi_high, "weight": 100.0,
        })
        for c in data_cols:
            if c in ("events_treatment", "n_treatment", "events_control", "n_control", "events", "n"):
                pooled[c] = int(s.loc[s["included"], c].sum())
        out = pd.concat([s, pd.DataFrame([pooled])], ignore_index=True)
        cols = ["row", "study", *data_cols, "corrected", "included", "effect", "se", "estimate",
                "ci_low", "ci_high", "pi_low", "pi_high", "weight"]
        out = out[cols]
        for c in ("effect", "se", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "weight"):
            out[c] = out[c].astype(float)
        for c in ("corrected", "included"):
            out[c] = out[c].astype(bool)
        return out

    def heterogeneity(self, *, confidence: float | None = None) -> pd.DataFrame:
        """tau², tau, I² and H² with Q-profile confidence intervals (``confint(rma(...))``).

        Parameters
        ----------
        confidence : float, optional
            Confidence level, between 0 and 1 (0.95 for 95 per cent). The fit's ``confidence`` by default.

        Returns
        -------
        pandas.DataFrame
            One row per quantity (``tau2, tau, i2, h2``): ``quantity, estimate,
            ci_low, ci_high, method`` (``"Q-profile"``).

        Raises
        ------
        ValueError
            A fixed-effect fit (no tau² to bound, as metafor), or one study.

        Notes
        -----
        The interval for tau² comes from :func:`ipsresearch.synthesis.heterogeneity.q_profile`
        and does not depend on the estimator; the intervals for I² and H² are
        its bounds mapped through ``100 tau² / (tau² + s²)`` and
        ``(tau² + s²) / s²`` with metafor's typical within-study variance
        ``s²``. Matches ``confint(rma(...), control = list(tol = 1e-12))`` to 1e-6.
        """
        if not self.random_effects:
            raise ValueError(f"a confidence interval for tau² needs a random-effects fit; this is "
                             f"{METHODS[self.method]} (refit with method='REML', 'PM', ...)")
        if self.k < 2:
            raise ValueError("a confidence interval for tau² needs at least 2 studies")
        conf = self.confidence if confidence is None else confidence
        pooled = self.studies[self.studies["included"]]
        y, v = pooled["effect"].to_numpy(float), pooled["variance"].to_numpy(float)
        lo, hi = q_profile(y, v, confidence=conf)
        s2 = typical_variance(v)
        rows = []
        for name, f in (("tau2", lambda t: t), ("tau", math.sqrt),
                        ("i2", lambda t: 100.0 * t / (t + s2)), ("h2", lambda t: (t + s2) / s2)):
            rows.append({"quantity": name, "estimate": f(self.tau2), "ci_low": f(lo), "ci_high": f(hi),
                         "method": "Q-profile"})
        return pd.DataFrame(rows)

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
        stat = "z" if self.test == "z" else f"t (df = {self.df:g})"
        rows = [
            ("pooled " + self.label, f"{self.estimate:.3f}"),
            (f"{conf} confidence interval ({TESTS[self.test]})", f"{self.ci_low:.3f} to {self.ci_high:.3f}"),
            (f"{conf} prediction interval", f"{self.pi_low:.3f} to {self.pi_high:.3f}"),
            (f"{self.scale} (se)", f"{self.effect:.4f} ({self.se:.4f})"),
            (f"{stat}, p", f"{self.z:.2f}, {_p(self.p_value)}"),
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
    if not math.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


# ------------------------------------------------------------------ pooling


def _mantel_haenszel(measure: str, a, n1, c, n2) -> tuple[float, float, np.ndarray]:
    """Pooled log RR, log OR or RD, its standard error, and the MH weights."""
    b, d = n1 - a, n2 - c
    big_n = n1 + n2
    if measure == "RD":
        # Sato, Greenland & Robins (1989), as metafor's rma.mh; statsmodels has no MH risk difference
        weights = n1 * n2 / big_n
        est = float(np.sum(a * n2 / big_n - c * n1 / big_n) / weights.sum())
        num = (est * np.sum(c * (n1 / big_n) ** 2 - a * (n2 / big_n) ** 2
                            + (n1 / big_n) * (n2 / big_n) * (n2 - n1) / 2)
               + np.sum(a * (n2 - c) / big_n + c * (n1 - a) / big_n) / 2)
        return est, math.sqrt(max(num, 0.0) / weights.sum() ** 2), weights
    tables = np.stack([np.stack([a, b]), np.stack([c, d])])  # 2 x 2 x k, rows = arms
    st = StratifiedTable(tables)
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
    # Greenland & Robins (1985) variance of the log Mantel-Haenszel risk ratio; it is 0
    # when every arm of every trial had the event (then RR = 1 exactly, as metafor)
    p = np.sum((n1 * n2 * (a + c) - a * c * big_n) / big_n**2)
    return math.log(r / s), math.sqrt(max(p, 0.0) / (r * s)), weights


def _fixed_stats(q: float, k: int) -> tuple[float, float]:
    i2 = max(0.0, 100.0 * (q - (k - 1)) / q) if k > 1 and q > 0 else 0.0
    h2 = q / (k - 1) if k > 1 else 1.0
    return i2, h2


def meta_analysis(
    data: pd.DataFrame,
    *,
    measure: str = "RR",
    method: str = "REML",
    test: str = "z",
    study: str | None = "study",
    events_treatment: str = "events_treatment",
    n_treatment: str = "n_treatment",
    events_control: str = "events_control",
    n_control: str = "n_control",
    events: str = "events",
    n: str = "n",
    mean_treatment: str = "mean_treatment",
    sd_treatment: str = "sd_treatment",
    mean_control: str = "mean_control",
    sd_control: str = "sd_control",
    effect: str = "effect",
    variance: str = "variance",
    confidence: float = 0.95,
    correction: float = 0.5,
    drop_double_zero: bool = True,
    source: str | None = None,
) -> MetaAnalysisResult:
    """Pool two-arm trials, single proportions or precomputed effects.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per study: events and participants in each arm (``RR``,
        ``OR``, ``RD``), events and participants (``PR``, ``PLO``, ``PFT``),
        mean, SD and n in each arm (``MD``, ``SMD``), or an effect and its
        sampling variance (``GEN``). The frame is not modified.
    measure : {"RR", "OR", "RD", "PLO", "PFT", "PR", "MD", "SMD", "GEN"}
        See :data:`MEASURES`. Differences are IPS arm minus control arm.
    method : {"REML", "DL", "PM", "ML", "EB", "HE", "HS", "SJ", "FE", "MH", "PETO"}
        Random effects with tau² by one of metafor's estimators
        (:mod:`ipsresearch.synthesis.heterogeneity`), or fixed effect by
        inverse variance, Mantel-Haenszel (``RR``, ``OR``, ``RD``) or Peto
        (``OR``) (:data:`METHODS`).
    test : {"z", "knha"}
        Wald (normal) inference, or the Knapp-Hartung (Hartung-Knapp-Sidik-
        Jonkman) adjustment: the variance of the pooled effect scaled by
        ``Q(tau²) / (k - 1)`` and t quantiles on ``k - 1`` degrees of freedom,
        for the confidence interval, the test and the prediction interval.
        metafor's ``rma(test = "knha")``. Inverse-variance methods only.
    study, events_treatment, n_treatment, events_control, n_control, events, n, mean_treatment, sd_treatment, mean_control, sd_control, effect, variance : str
        Column names (see :func:`effect_sizes`).
    confidence : float
        Confidence level, between 0 and 1 (0.95 for 95 per cent). It sets the confidence and prediction intervals.
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
        ``i2`` (percent), ``h2``, ``q``; ``.summary()`` (one row),
        ``.to_frame()`` (per study plus the pooled row) and
        ``.heterogeneity()`` (Q-profile intervals for tau², I², H²).

    Raises
    ------
    InputError
        Values that are missing, negative, not whole, or larger than their
        arm (naming the row, column and study); no study left to pool.
    ValueError
        An unknown measure, method or test; ``MH`` or ``PETO`` with a measure
        they do not apply to; ``knha`` with a fixed-effect method other than
        FE or with one study; a confidence level outside (0, 1).

    Notes
    -----
    Inverse-variance pooling with weights ``w = 1 / (v + tau²)`` gives the
    pooled effect ``sum(w y) / sum(w)`` with standard error
    ``1 / sqrt(sum(w))`` (statsmodels ``WLS``); the confidence interval is Wald
    (normal) and the prediction interval is ``effect ± z sqrt(se² + tau²)``
    (metafor's ``predict``; for fixed-effect methods it equals the confidence
    interval). With ``test="knha"`` the variance is multiplied by
    ``Q(tau²) / (k - 1)``, the generalised Q at the estimate (not truncated at
    1, metafor's default), and ``z`` becomes ``t`` on ``k - 1`` df.
    Which to use: the Wald interval treats tau² as known and is too narrow
    when there are few studies; Knapp-Hartung carries the uncertainty in tau²
    into the interval and keeps close to its nominal coverage with few
    studies, at the price of wider intervals (and, rarely, narrower ones than
    the fixed-effect interval when the studies agree closely).

    Q is Cochran's statistic about the inverse-variance fixed-effect mean
    (about the Mantel-Haenszel estimate for ``MH``, as ``rma.mh``, where a
    trial without events, or with only events, in both arms counts in the
    risk-difference estimate but not in Q or its df; Peto's Q for ``PETO``). I² is reported as metafor does: ``100 (Q - df) / Q``
    truncated at 0 for fixed-effect methods, and ``100 tau² / (tau² + s²)``
    for random effects, where ``s² = (k - 1) sum(w) / ((sum w)² - sum(w²))``
    is the typical within-study variance; ``H² = (tau² + s²) / s²``
    (``Q / df`` for fixed effect).

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
    Mantel-Haenszel with every arm of every trial having had the event
    gives log RR = 0 with standard error 0 and NaN for z and p (metafor's
    NA). Results do not depend on the order of the rows: studies are pooled
    in a canonical order, so reordering gives bit-identical numbers.

    Matches R 4.2.2 ``metafor`` 3.8-1 to 1e-6: ``rma(escalc(...), method = m,
    test = t, control = list(threshold = 1e-10, tol = 1e-14, maxiter = 1000))``
    (iterated to full convergence) for every method and test here,
    ``rma.mh`` and ``rma.peto``, on metafor's data sets dat.bcg, CLASP,
    dat.collins1985b, dat.nielweise2007, dat.yusuf1985, dat.colditz1994,
    dat.egger2001, dat.pritz1997, dat.debruin2009, dat.normand1999,
    dat.gibson2002, dat.hackshaw1998 and dat.raudenbush1985 (tests/reference/meta_peers.R).

    References
    ----------
    Viechtbauer W. Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software 2010;36(3):1-48. doi:10.18637/jss.v036.i03

    Knapp G, Hartung J. Improved tests for a random effects meta-regression
    with a single covariate. Statistics in Medicine 2003;22(17):2693-2710.
    doi:10.1002/sim.1482

    Greenland S, Robins JM. Estimation of a common effect parameter from
    sparse follow-up data. Biometrics 1985;41(1):55-68. doi:10.2307/2530643

    Sato T, Greenland S, Robins JM. On the variance estimator for the
    Mantel-Haenszel risk difference. Biometrics 1989;45(4):1323-1324.

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
    >>> kh = meta_analysis(trials, measure="RR", method="REML", test="knha")
    >>> print(f"Knapp-Hartung {kh.ci_low:.2f} to {kh.ci_high:.2f} (t on {kh.df:g} df)")
    Knapp-Hartung 1.47 to 2.79 (t on 3 df)
    >>> arms = trials.rename(columns={"events_treatment": "events", "n_treatment": "n"})
    >>> round(meta_analysis(arms, measure="PLO", method="FE").estimate, 3)
    0.465
    """
    _check_choice(measure, MEASURES, "measure")
    _check_choice(method, METHODS, "method")
    _check_choice(test, TESTS, "test")
    if method == "MH" and measure not in TWO_ARM:
        raise ValueError(f"method 'MH' (Mantel-Haenszel) is for measure RR, OR or RD, not {measure!r}")
    if method == "PETO" and measure != "OR":
        raise ValueError(f"method 'PETO' is Peto's odds ratio: use measure='OR', not {measure!r}")
    if test == "knha" and method in ("MH", "PETO"):
        raise ValueError(f"test 'knha' (Knapp-Hartung) is for inverse-variance methods, not {method!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence {confidence} must be between 0 and 1 (e.g. 0.95)")
    src = source or "data"
    es = effect_sizes(data, measure=measure, study=study, events_treatment=events_treatment,
                      n_treatment=n_treatment, events_control=events_control, n_control=n_control,
                      events=events, n=n, mean_treatment=mean_treatment, sd_treatment=sd_treatment,
                      mean_control=mean_control, sd_control=sd_control, effect=effect,
                      variance=variance, correction=correction,
                      drop_double_zero=drop_double_zero, source=src)
    count_cols = _COUNTS[_kind(measure)]
    if method == "PETO":
        a, n1, c, n2 = (es[col].to_numpy(dtype=float) for col in count_cols)
        y, v = _peto(a, n1, c, n2)
        inc = np.isfinite(y) & np.isfinite(v)  # no events, or only events, in both arms: V = 0
        es = es.assign(corrected=False, included=inc, effect=np.where(inc, y, np.nan),
                       variance=np.where(inc, v, np.nan))
    inc = es["included"].to_numpy()
    if not inc.any():
        raise InputError([Problem(
            src, None, None,
            f"no study can be pooled: every study has no events (or only events) in both arms, "
            f"which says nothing about a {MEASURES[measure]}",
            "at least one trial with an event in either arm, or measure='RD'")], source=src)
    # canonical order: sums run over the same sequence whatever the input order
    pooled = es.loc[inc]
    keys = [*count_cols, "effect", "variance"] if count_cols else ["effect", "variance", "study"]
    order = np.lexsort([pooled[c].to_numpy() for c in reversed(keys)])
    pooled = pooled.iloc[order]
    y = pooled["effect"].to_numpy(dtype=float)
    v = pooled["variance"].to_numpy(dtype=float)
    k = len(y)
    if test == "knha" and k < 2:
        raise ValueError("the Knapp-Hartung adjustment needs at least 2 studies (it estimates a "
                         "scale from the residuals on k - 1 df); use test='z'")
    w_fe = 1.0 / v
    q = q_statistic(0.0, y, v) if k > 1 else 0.0
    weights = None
    df = math.nan
    q_k = k  # studies contributing to Q (fewer only for a Mantel-Haenszel risk difference)

    if method in ("MH", "PETO"):
        tau2 = 0.0
        if method == "MH":
            mh_rows = es if measure == "RD" else pooled  # MH RD keeps double-zero trials (weight n1 n2 / N)
            counts = [mh_rows[col].to_numpy(dtype=float) for col in count_cols]
            est, se, weights = _mantel_haenszel(measure, *counts)
            # Q about the MH estimate; like rma.mh, a double-zero trial adds nothing to Q or its df
            a, n1, c, n2 = counts if measure != "RD" else [pooled[col].to_numpy(float) for col in count_cols]
            informative = ~(((a == 0) & (c == 0)) | ((a == n1) & (c == n2))) if drop_double_zero \
                else np.ones(k, bool)
            q_k = int(informative.sum())
            q = float(w_fe[informative] @ (y[informative] - est) ** 2) if q_k > 1 else 0.0
        else:
            est, se = float(w_fe @ y / w_fe.sum()), math.sqrt(1.0 / w_fe.sum())
            weights = w_fe
        i2, h2 = _fixed_stats(q, q_k)
        crit = float(stats.norm.isf((1.0 - confidence) / 2.0))
    else:
        tau2 = 0.0 if (method == "FE" or k == 1) else tau2_estimate(y, v, method=method)
        weights = 1.0 / (v + tau2)
        fit = WLS(y, np.ones((k, 1)), weights=weights).fit()
        est = float(fit.params[0])
        var_b = float(fit.normalized_cov_params[0, 0])
        if test == "knha":
            var_b *= float(fit.ssr) / (k - 1)  # Q at the estimate over its df
            df = float(k - 1)
            crit = float(stats.t.isf((1.0 - confidence) / 2.0, df))
        else:
            crit = float(stats.norm.isf((1.0 - confidence) / 2.0))
        se = math.sqrt(var_b)
        if method == "FE":
            i2, h2 = _fixed_stats(q, k)
        elif k > 1:
            s2 = typical_variance(v)
            i2, h2 = 100.0 * tau2 / (tau2 + s2), (tau2 + s2) / s2
        else:
            i2, h2 = 0.0, 1.0
    q_p = float(stats.chi2.sf(q, q_k - 1)) if q_k > 1 else 1.0
    if se > 0:
        z = est / se
        p_value = float(2 * (stats.t.sf(abs(z), df) if test == "knha" else stats.norm.sf(abs(z))))
    else:
        z, p_value = math.nan, math.nan
    lo, hi = est - crit * se, est + crit * se
    half_pi = crit * math.sqrt(se**2 + tau2)
    pi_lo, pi_hi = (est - half_pi, est + half_pi) if method not in FIXED else (lo, hi)

    n_hm = None
    if measure == "PFT":
        n_hm = 1.0 / np.mean(1.0 / pooled["n"].to_numpy(dtype=float))
    est_n, lo_n, hi_n, pil_n, pih_n = _back(measure, [est, lo, hi, pi_lo, pi_hi], n_hm)

    studies = es.copy()
    weight = pd.Series(0.0, index=es.index)
    mh_index = es.index if (method == "MH" and measure == "RD") else pooled.index
    weight.loc[mh_index] = 100.0 * np.asarray(weights, dtype=float) / float(np.sum(weights))
    studies["weight"] = weight.to_numpy()
    sy = studies["effect"].to_numpy(dtype=float)
    zc = float(stats.norm.isf((1.0 - confidence) / 2.0))
    sse = np.sqrt(studies["variance"].to_numpy(dtype=float))
    per_n = studies["n"].to_numpy(dtype=float) if measure == "PFT" else None
    studies["estimate"] = _back(measure, sy, per_n)
    studies["ci_low"] = _back(measure, sy - zc * sse, per_n)
    studies["ci_high"] = _back(measure, sy + zc * sse, per_n)
    if measure == "PFT":  # the observed proportion exactly (Miller's inversion at the study's own n)
        studies["estimate"] = np.where(studies["included"], studies["events"] / studies["n"], np.nan)

    return MetaAnalysisResult(
        measure=measure, method=method, k=k,
        estimate=float(est_n), ci_low=float(lo_n), ci_high=float(hi_n),
        pi_low=float(pil_n), pi_high=float(pih_n),
        effect=float(est), se=float(se), z=float(z), p_value=p_value,
        tau2=float(tau2), i2=float(i2), h2=float(h2), q=float(q), q_df=q_k - 1, q_p=q_p,
        confidence=confidence, correction=correction, studies=studies, test=test, df=df,
        drop_double_zero=drop_double_zero,
    )


# ------------------------------------------------------------------ diagnostics


def _refit_frame(result: MetaAnalysisResult) -> pd.DataFrame:
    """The per-study input of a fit, under the standard column names."""
    cols = _COUNTS[_kind(result.measure)] or ["effect", "variance"]
    return result.studies[["study", *cols]]


def leave_one_out(result: MetaAnalysisResult) -> pd.DataFrame:
    """Refit a meta-analysis once without each study (metafor's ``leave1out``).

    Parameters
    ----------
    result : MetaAnalysisResult
        A fit from :func:`meta_analysis`; every option (measure, method,
        test, confidence, correction) is reused.

    Returns
    -------
    pandas.DataFrame
        One row per pooled study, in the order of ``result.studies``:
        ``left_out`` (the study omitted), ``k``, ``estimate, ci_low, ci_high``
        (natural scale), ``effect, se, z, p_value`` (analysis scale), ``q,
        q_p, tau2, i2, h2``.

    Raises
    ------
    ValueError
        Fewer than 2 pooled studies (nothing would be left).

    Notes
    -----
    Each row is a full :func:`meta_analysis` of the other studies (so
    Mantel-Haenszel and Peto fits are refitted as such). Matches
    ``leave1out(rma(...))`` of metafor (estimates, standard errors, tests,
    intervals, Q, tau², I², H²) to 1e-6.

    Examples
    --------
    >>> import pandas as pd
    >>> trials = pd.DataFrame({"study": ["A", "B", "C"], "events_treatment": [30, 44, 12],
    ...     "n_treatment": [60, 102, 35], "events_control": [14, 20, 11], "n_control": [58, 98, 40]})
    >>> loo = leave_one_out(meta_analysis(trials, method="DL"))
    >>> loo["left_out"].tolist()
    ['A', 'B', 'C']
    """
    if result.k < 2:
        raise ValueError("leave-one-out needs at least 2 pooled studies")
    frame = _refit_frame(result)
    measure = result.measure
    rows = []
    for i in np.flatnonzero(result.studies["included"].to_numpy()):
        rest = frame.drop(index=frame.index[i])
        res = meta_analysis(rest, measure="GEN" if measure == "GEN" else measure, method=result.method,
                            test=result.test if result.k > 2 else "z", confidence=result.confidence,
                            correction=result.correction, drop_double_zero=result.drop_double_zero)
        rows.append({"left_out": frame["study"].iloc[i], "k": res.k, "estimate": res.estimate,
                     "ci_low": res.ci_low, "ci_high": res.ci_high, "effect": res.effect, "se": res.se,
                     "z": res.z, "p_value": res.p_value, "q": res.q, "q_p": res.q_p, "tau2": res.tau2,
                     "i2": res.i2, "h2": res.h2})
    return pd.DataFrame(rows)


def egger_test(result: MetaAnalysisResult, *, model: str = "rma") -> pd.DataFrame:
    """Egger's regression test for funnel-plot asymmetry (metafor's ``regtest``).

    Parameters
    ----------
    result : MetaAnalysisResult
        An inverse-variance fit from :func:`meta_analysis` (FE or a tau² method).
    model : {"rma", "lm"}
        ``"rma"`` (metafor's default): the fit's own model with the standard
        error as moderator (same tau² method and test), tested with z (or t
        for Knapp-Hartung). ``"lm"``: Egger's original weighted least squares
        regression of the effects on their standard errors with weights
        ``1 / v`` and a t test on ``k - 2`` df (statsmodels ``WLS``).

    Returns
    -------
    pandas.DataFrame
        One row: ``model, method, k, slope`` (the coefficient of the standard
        error: the asymmetry), ``statistic`` (z or t), ``df`` (NaN for z),
        ``p_value``, ``limit_estimate, ci_low, ci_high`` (the intercept: the
        effect expected in a study of infinite size, analysis scale).

    Raises
    ------
    ValueError
        A Mantel-Haenszel or Peto fit, or fewer than 3 studies.

    Notes
    -----
    Matches ``regtest(x, model = "rma")`` and ``regtest(yi, vi, model = "lm")``
    to 1e-6 (tests/reference/meta_peers.R). The test has low power with few
    studies, and asymmetry has causes other than publication bias.

    References
    ----------
    Egger M, Davey Smith G, Schneider M, Minder C. Bias in meta-analysis
    detected by a simple, graphical test. BMJ 1997;315:629-634. doi:10.1136/bmj.315.7109.629

    Examples
    --------
    >>> import pandas as pd
    >>> trials = pd.DataFrame({"study": list("ABCDE"), "events_treatment": [30, 44, 12, 75, 9],
    ...     "n_treatment": [60, 102, 35, 150, 20], "events_control": [14, 20, 11, 33, 2],
    ...     "n_control": [58, 98, 40, 146, 21]})
    >>> egger_test(meta_analysis(trials, method="FE"))["model"].tolist()
    ['rma']
    """
    _check_choice(model, ("rma", "lm"), "model")
    if result.method in ("MH", "PETO"):
        raise ValueError(f"Egger's test refits an inverse-variance model; {METHODS[result.method]} "
                         "is not one (use method='FE' or a random-effects method)")
    if result.k < 3:
        raise ValueError(f"Egger's test needs at least 3 studies; this fit has {result.k}")
    s = result.studies[result.studies["included"]]
    y, v = s["effect"].to_numpy(float), s["variance"].to_numpy(float)
    x = np.column_stack([np.ones(len(y)), np.sqrt(v)])
    k = len(y)
    if model == "lm":
        fit = WLS(y, x, weights=1.0 / v).fit()
        t_int = float(stats.t.isf((1 - result.confidence) / 2, k - 2))
        b, se = fit.params, fit.bse
        return pd.DataFrame([{
            "model": "lm", "method": "WLS", "k": k, "slope": float(b[1]), "statistic": float(fit.tvalues[1]),
            "df": float(k - 2), "p_value": float(fit.pvalues[1]), "limit_estimate": float(b[0]),
            "ci_low": float(b[0] - t_int * se[0]), "ci_high": float(b[0] + t_int * se[0])}])
    reg = _fit_regression(y, v, x, method=result.method, test=result.test, confidence=result.confidence)
    return pd.DataFrame([{
        "model": "rma", "method": result.method, "k": k, "slope": reg["b"][1],
        "statistic": reg["stat"][1], "df": reg["df"], "p_value": reg["p"][1],
        "limit_estimate": reg["b"][0], "ci_low": reg["ci_low"][0], "ci_high": reg["ci_high"][0]}])

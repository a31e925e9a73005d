"""Side-by-side table of ipsresearch against R on the peers' data (issue 17).

Run from the repository root::

    .venv/bin/python -m tests.reference.comparison_table > tests/reference/comparison_table.md

Each row: data set, estimator and quantity, our value, R's value (from the generated
``*_values.py`` modules, each with its R call), the absolute difference and the tolerance the
tests apply. The tests (tests/test_meta_peers.py, tests/test_agreement_peers.py,
tests/test_survival_peers.py) check many more quantities than are shown here.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterator

import numpy as np

ROWS: list[tuple[str, str, float, float, float]] = []


def _row(dataset: str, what: str, ours: float, theirs: float, tol: float) -> None:
    ROWS.append((dataset, what, float(ours), float(theirs), tol))


def _analysis_scale(measure: str, value: float) -> float:
    if measure in ("RR", "OR"):
        return math.log(value)
    if measure == "PLO":
        return math.log(value / (1 - value))
    return value


def meta_rows() -> None:
    from ipsresearch.synthesis import egger_test, leave_one_out, meta_analysis, meta_regression
    from tests import test_meta_peers as T
    from tests.reference import meta_peers_values as R

    for name, measure in (("BCG", "OR"), ("BCG", "RR"), ("CLASP", "OR"), ("COLLINS1985B", "RR"),
                          ("NIELWEISE2007", "OR"), ("PRITZ1997", "PLO"), ("NORMAND1999", "SMD"),
                          ("GIBSON2002", "MD"), ("HACKSHAW1998", "GEN"), ("RAUDENBUSH1985", "GEN")):
        data = T._data(name, measure)
        for method in ("DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"):
            res = meta_analysis(data, measure=measure, method=method, study=None)
            ref = T._ref(name, measure, method)
            _row(f"{name.lower()} {measure}", f"{method} tau²", res.tau2, ref["tau2"], 1e-6)
        res = meta_analysis(data, measure=measure, method="REML", test="knha", study=None)
        ref = T._ref(name, measure, "REML", "KNHA")
        _row(f"{name.lower()} {measure}", "REML Knapp-Hartung lower CI (analysis scale)",
             _analysis_scale(measure, res.ci_low), ref["ci_lb"], 1e-6)
        res = meta_analysis(data, measure=measure, method="PM", study=None)
        het = res.heterogeneity().set_index("quantity")
        ref = T._ref(name, measure, "PM", "QPROFILE")
        _row(f"{name.lower()} {measure}", "Q-profile tau² lower bound", het.loc["tau2", "ci_low"],
             ref["tau2"][1], 1e-6)
        _row(f"{name.lower()} {measure}", "Q-profile I² upper bound", het.loc["i2", "ci_high"],
             ref["I2"][2], 1e-6)
    for name in ("BCG", "CLASP", "YUSUF1985_6"):
        data = T.TWO_ARM[name]()
        res = meta_analysis(data, measure="OR", method="PETO", study=None)
        _row(name.lower(), "Peto log OR", res.effect, getattr(R, f"{name}_PETO")["b"], 1e-6)
        for measure in ("RR", "RD"):
            res = meta_analysis(data, measure=measure, method="MH", study=None)
            _row(name.lower(), f"MH {measure} (analysis scale)", res.effect,
                 getattr(R, f"{name}_{measure}_MH")["b"], 1e-6)
    res = meta_analysis(T._read("all_events").pipe(T._arms), measure="RR", method="MH",
                        drop_double_zero=False, study=None)
    _row("all events in every arm", "MH log RR (item 3)", res.effect, R.ALL_EVENTS_RR_MH["b"], 1e-6)
    for key, method, test in (("BCG_ABLAT", "REML", "z"), ("BCG_ABLAT", "REML", "knha"),
                              ("BCG_ALLOC", "REML", "z"), ("BCG_ABLAT_ALLOC", "ML", "z"),
                              ("HACKSHAW_DESIGN", "DL", "knha"), ("RAUDENBUSH_WEEKS", "REML", "knha")):
        data, measure = T._reg_data(key)
        mods, _ = T.REG[key]
        fit = meta_regression(data, moderators=mods, measure=measure, method=method, test=test, study=None)
        ref = getattr(R, f"REG_{key}_{method}_{test.upper()}")
        _row(key.lower(), f"{method} {test} slope of {fit.coefficients['term'].iloc[1]}",
             fit.coefficients["estimate"].iloc[1], ref["b"][1], 1e-6)
        _row(key.lower(), f"{method} {test} QM", fit.qm, ref["QM"], 1e-6)
    for key, (name, measure) in T.EGGER.items():
        res = meta_analysis(T._data(name, measure), measure=measure, method="REML", study=None)
        _row(key.lower(), "Egger (regtest, rma) z", egger_test(res)["statistic"].iloc[0],
             getattr(R, f"EGGER_{key}_REML")["zval"], 1e-6)
        _row(key.lower(), "Egger (regtest, lm) t", egger_test(res, model="lm")["statistic"].iloc[0],
             getattr(R, f"EGGER_{key}_LM")["zval"], 1e-6)
    for key, name, measure in (("BCG", "BCG", "RR"), ("HACKSHAW", "HACKSHAW1998", "GEN")):
        res = meta_analysis(T._data(name, measure), measure=measure, method="REML", study=None)
        loo = leave_one_out(res)
        ref = getattr(R, f"L1O_{key}_REML")
        diff = np.max(np.abs(loo["effect"].to_numpy() - np.asarray(ref["estimate"])))
        _row(key.lower(), "leave1out REML: largest abs diff over all left-out fits", diff, 0.0, 1e-6)


def agreement_rows() -> None:
    from ipsresearch import qualitative
    from tests import test_agreement_peers as T
    from tests.reference import agreement_values as IRR

    for name in ("ANXIETY", "VISION", "DIAGNOSES"):
        for irr_w, w in T.WEIGHTS.items():
            if name == "DIAGNOSES" and w is not None:
                continue
            res = qualitative.cohen_kappa(T._long(T.KAPPA2[name]()), weights=w)
            ref = getattr(IRR, f"KAPPA2_{name}_{irr_w}")
            label = f"kappa2 {irr_w.lower()}"
            _row(f"irr {name.lower()}", f"{label}: kappa", res.kappa, ref["kappa"], 1e-10)
            _row(f"irr {name.lower()}", f"{label}: z", res.z, ref["z"], 1e-10)
    for name in ("DIAGNOSES", "ANXIETY", "VIDEO"):
        res = qualitative.fleiss_kappa(T._long(T._irr(name.lower())))
        ref = getattr(IRR, f"FLEISS_{name}")
        _row(f"irr {name.lower()}", "kappam.fleiss: kappa", res.kappa, ref["kappa"], 1e-10)
        _row(f"irr {name.lower()}", "kappam.fleiss: SE under kappa = 0", res.std_error, ref["se"], 1e-10)
        _row(f"irr {name.lower()}", "kappam.fleiss: z", res.z, ref["z"], 1e-10)
    for name in ("C", "ANXIETY", "VIDEO"):
        for level in ("nominal", "ordinal", "interval", "ratio"):
            res = qualitative.krippendorff_alpha(T._long(T.KRIPP[name]()), level=level)
            ref = getattr(IRR, f"KRIPP_{name}_{level.upper()}")
            _row(f"irr {name.lower()}", f"kripp.alpha {level}", res.kappa, ref["alpha"], 1e-10)


def survival_rows() -> None:
    from ipsresearch import outcomes
    from tests import test_survival_peers as T
    from tests.reference import survival_peers_values as R

    for name, (file, t, e, g, levels) in T.DATA.items():
        d = T._read(file)
        km = outcomes.kaplan_meier(d, duration=t, event=e, by=g, quantiles=(0.5,))
        q = km.quantiles.assign(**{g: km.quantiles[g].astype(str)}).set_index(g)
        ref = getattr(R, f"{name}_QUANTILES_GROUPS")["quantile"]
        for i, lv in enumerate(levels):
            _row(f"{file} {g}={lv}", "KM median (quantile.survfit)", q.loc[lv, "time"], ref[3 * i + 1], 1e-10)
        ref = getattr(R, f"{name}_RMST")
        r = outcomes.rmst_difference(d, horizon=ref["tau"], duration=t, event=e, by=g, reference=levels[0])
        r = r.set_index("group").loc[levels[1]]
        _row(f"{file} (tau {ref['tau']:g})", f"RMST difference {levels[1]} - {levels[0]}", r["difference"],
             ref["diff"], 1e-9)
        _row(f"{file} (tau {ref['tau']:g})", "RMST difference: standard error", r["std_err"], ref["diff_se"], 1e-9)
        na = outcomes.nelson_aalen(d, duration=t, event=e)
        ref = getattr(R, f"{name}_NELSON_AALEN")
        _row(file, "Nelson-Aalen H at the last event time", na["cumulative_hazard"].iloc[-1],
             np.asarray(ref["cumhaz"])[np.asarray(ref["n_event"]) > 0][-1], 1e-10)
        lr = outcomes.logrank_counts(d, by=g, duration=t, event=e).set_index("group").loc[levels[0]]
        ref = getattr(R, f"{name}_LOGRANK")
        _row(f"{file} {g}={levels[0]}", "log-rank expected events", lr["expected"], ref["exp"][0], 1e-9)
        _row(file, "log-rank chi-square", lr["statistic"], ref["chisq"], 1e-9)
    for key, (file, g, s, t, e, dropna) in T.STRATA.items():
        d = T._read(file)
        if dropna:
            d = d[d[dropna].notna()]
        r = outcomes.logrank_counts(d, by=g, strata=s, duration=t, event=e)
        _row(file, f"stratified log-rank chi-square ({g} within {s})", r["statistic"].iloc[0],
             getattr(R, f"STRATIFIED_{key}")["chisq"], 1e-9)
    for key, (load, kwargs) in T.COX.items():
        for ties in ("efron", "breslow"):
            fit = outcomes.cox_regression(load(), ties=ties, **kwargs).to_frame()
            ref = getattr(R, f"COX_{key}_{ties.upper()}")
            _row(key.lower(), f"coxph ({ties}) hazard ratio of {fit['term'].iloc[0]}",
                 fit["hazard_ratio"].iloc[0], np.atleast_1d(ref["hr"])[0], 1e-6)


SECTIONS = ["meta_rows", "agreement_rows", "survival_rows"]


def _rows() -> Iterator[tuple[str, str, float, float, float]]:
    for section in SECTIONS:
        fn = globals().get(section)
        if fn is None:
            try:
                fn = getattr(importlib.import_module(f"tests.reference.comparison_{section}"), section)
            except ModuleNotFoundError:
                continue
        fn()
    yield from ROWS


def main() -> None:
    print("| data set | estimator / quantity | ours | R | abs diff | tolerance |")
    print("|---|---|---:|---:|---:|---:|")
    for dataset, what, ours, theirs, tol in _rows():
        diff = abs(ours - theirs)
        print(f"| {dataset} | {what} | {ours:.10g} | {theirs:.10g} | {diff:.2g} | {tol:g} |")


if __name__ == "__main__":
    main()

"""Shared parameters read the same everywhere: ``confidence``, ``method``, ``by`` and ``ax``.

Their text is written once, in :mod:`ipsresearch._docs`; every public
function of the analysis packages that takes one of them must describe it
with that type and begin its description with that text (then may add its
own sentence, e.g. its default).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import ipsresearch
from ipsresearch._docs import PARAMS, parameters

CHECKED = {
    # package: the shared parameters its public functions must describe with the shared text
    "ipsresearch.outcomes": ("confidence", "method", "by"),
    "ipsresearch.fidelity": ("confidence", "method", "by"),
    "ipsresearch.qualitative": ("confidence", "method", "by"),
    "ipsresearch.synthesis": ("confidence", "method", "by"),
    "ipsresearch.figures": ("ax",),
}
EXCLUDED = {
    # (ipsresearch.synthesis.meta was excluded while issue 17 rewrote it; aligned since)
    "ipsresearch.synthesis.explore",  # a deprecated path of ipsresearch.explore.trials (widgets)
}


def _checked(module: str) -> tuple[str, ...]:
    if module in EXCLUDED or any(part.startswith("_") for part in module.split(".")):
        return ()
    for package, params in CHECKED.items():
        if module == package or module.startswith(package + "."):
            return params
    return ()


def _public_functions() -> dict[str, tuple[object, tuple[str, ...]]]:
    out = {}
    for info in pkgutil.walk_packages(ipsresearch.__path__, "ipsresearch."):
        params = _checked(info.name)
        if not params:
            continue
        module = importlib.import_module(info.name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if getattr(obj, "__module__", None) != info.name:
                continue
            if inspect.isfunction(obj):
                out[f"{info.name}.{attr}"] = (obj, params)
            elif inspect.isclass(obj):
                for meth, f in vars(obj).items():
                    if inspect.isfunction(f) and not meth.startswith("_"):
                        out[f"{info.name}.{attr}.{meth}"] = (f, params)
    return out


CASES = [(name, f, p) for name, (f, params) in sorted(_public_functions().items())
         for p in inspect.signature(f).parameters if p in params]
OTHER_MEANING = {
    # parameters that share a name but not a meaning (one column, not several; a kappa variant)
    "ipsresearch.outcomes.survival.logrank:by",
    "ipsresearch.outcomes.survival.logrank_counts:by",
    "ipsresearch.outcomes.survival.rmst_difference:by",
    "ipsresearch.qualitative.fleiss_kappa:method",
    "ipsresearch.synthesis.screening.prisma_flow:by",
    # a pooling method or tau² estimator, not a proportion's interval (issue 17)
    "ipsresearch.synthesis.heterogeneity.tau2_estimate:method",
    "ipsresearch.synthesis.heterogeneity.tau2_score:method",
    "ipsresearch.synthesis.meta.meta_analysis:method",
    "ipsresearch.synthesis.meta_regression.meta_regression:method",
    "ipsresearch.synthesis.arms.misread_totals:method",
    "ipsresearch.synthesis.subgroups.subgroup_analysis:method",
    # one grouping column, each level pooled on its own (issue 19)
    "ipsresearch.synthesis.subgroups.subgroup_analysis:by",
}


def test_the_shared_parameters_are_used():
    used = {p for _, _, p in CASES}
    assert {"confidence", "method", "by", "ax"} <= used
    assert len(CASES) >= 20


@pytest.mark.parametrize(("name", "func", "param"), CASES, ids=[f"{n}:{p}" for n, _, p in CASES])
def test_shared_parameter_is_described_with_the_shared_text(name, func, param):
    entries = parameters(func.__doc__)
    assert param in entries, f"{name} does not describe `{param}`"
    kind, text = entries[param]
    shared = PARAMS[param]
    if f"{name}:{param}" in OTHER_MEANING:
        assert not kind.startswith(shared.type), f"{name}: `{param}` is the shared one after all"
        return
    assert kind.startswith(shared.type), f"{name}: `{param} : {kind}`"
    assert text.startswith(shared.text), f"{name}: `{param}` reads {text!r}"

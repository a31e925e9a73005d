"""Agreement statistics on irr's own data against irr 0.84.1 (tests/reference/agreement.R).

Weighted and unweighted Cohen's kappa (``kappa2``), Fleiss' kappa with its standard error and z
test (``kappam.fleiss``) and Krippendorff's alpha at four levels (``kripp.alpha``). Both sides
are closed forms, so the tolerance is 1e-10 absolute.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from ipsresearch import qualitative
from tests.reference import agreement_values as IRR

REF = Path(__file__).parent / "reference"
TOL = 1e-10


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    """irr's subjects-by-raters table as long codings (blank ratings dropped)."""
    d = wide.reset_index(names="segment_id").melt(id_vars="segment_id", var_name="coder", value_name="code")
    d = d.dropna(subset=["code"])
    d["code"] = d["code"].map(lambda x: str(int(x)) if isinstance(x, float) else str(x))
    return d.astype({"segment_id": str}).reset_index(drop=True)


def _irr(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"irr_{name}.csv")


KAPPA2 = {"ANXIETY": lambda: _irr("anxiety").iloc[:, :2], "VIDEO": lambda: _irr("video").iloc[:, :2],
          "VISION": lambda: _irr("vision"), "DIAGNOSES": lambda: _irr("diagnoses").iloc[:, :2]}
WEIGHTS = {"UNWEIGHTED": None, "EQUAL": "linear", "SQUARED": "quadratic"}


@pytest.mark.parametrize("irr_weight", list(WEIGHTS))
@pytest.mark.parametrize("name", list(KAPPA2))
def test_cohen_kappa_matches_irr_kappa2(name, irr_weight):
    if name == "DIAGNOSES" and irr_weight != "UNWEIGHTED":
        pytest.skip("nominal diagnoses: no weights")
    ref = getattr(IRR, f"KAPPA2_{name}_{irr_weight}")
    res = qualitative.cohen_kappa(_long(KAPPA2[name]()), weights=WEIGHTS[irr_weight])
    assert res.n_items == ref["n"]
    assert_allclose(res.kappa, ref["kappa"], atol=TOL)
    if math.isnan(ref["z"]):
        # irr's null variance comes out negative (sqrt gives NaN) when kappa is exactly 0 on
        # the video ratings; statsmodels' variance formula gives the same value, so z is 0/0
        assert res.kappa == pytest.approx(0.0, abs=1e-12)
        assert math.isnan(res.z) or res.z == pytest.approx(0.0, abs=1e-8)
    else:
        assert_allclose([res.z, res.p_value], [ref["z"], ref["p_value"]], atol=TOL)
    assert_allclose(res.kappa, (res.observed_agreement - res.expected_agreement)
                    / (1 - res.expected_agreement), atol=1e-12)


@pytest.mark.parametrize("name", ["DIAGNOSES", "ANXIETY", "VIDEO"])
def test_fleiss_kappa_matches_irr_kappam_fleiss(name):
    ref = getattr(IRR, f"FLEISS_{name}")
    res = qualitative.fleiss_kappa(_long(_irr(name.lower())))
    assert (res.n_items, res.n_raters) == (ref["n"], ref["raters"])
    assert_allclose([res.kappa, res.std_error, res.z, res.p_value],
                    [ref["kappa"], ref["se"], ref["z"], ref["p_value"]], atol=TOL)


def _kripp_c() -> pd.DataFrame:
    m = _irr("krippendorff_c")  # raters in rows, units in columns, as irr's example
    return m.T.reset_index(drop=True)


KRIPP = {"C": _kripp_c, "ANXIETY": lambda: _irr("anxiety"), "VIDEO": lambda: _irr("video")}


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("name", list(KRIPP))
def test_krippendorff_alpha_matches_irr_kripp_alpha(name, level):
    ref = getattr(IRR, f"KRIPP_{name}_{level.upper()}")
    res = qualitative.krippendorff_alpha(_long(KRIPP[name]()), level=level)
    assert_allclose(res.kappa, ref["alpha"], atol=TOL)
    assert res.statistic == "krippendorff" and res.weighting == level
    # Documented convention: on complete data with more than two raters irr 0.84.1 divides each
    # unit's coincidences by 1 instead of m_u - 1 and returns another number; we follow
    # Krippendorff's definition (the krippendorff package), which irr also gives once an empty
    # rater is appended (agreement.R).
    as_is = getattr(IRR, f"KRIPP_{name}_{level.upper()}_IRR_AS_IS", None)
    if as_is is not None:
        assert abs(res.kappa - as_is["alpha"]) > 1e-4


def test_krippendorffs_own_example():
    # Krippendorff (2011) data "C": alpha 0.743 (nominal), 0.815 (ordinal), 0.849 (interval)
    d = _long(_kripp_c())
    got = [qualitative.krippendorff_alpha(d, level=lv).kappa for lv in ("nominal", "ordinal", "interval")]
    assert_allclose(got, [0.743, 0.815, 0.849], atol=5e-4)


def test_weighted_kappa_levels_set_the_spacing():
    # a level nobody used still counts: codes 1 and 3 of the scale 1..4 are two steps apart
    rng = np.random.default_rng(1)
    a, b = rng.choice(["1", "2", "4"], 12), rng.choice(["1", "2", "4"], 12)
    d = pd.DataFrame({"segment_id": np.repeat([str(i) for i in range(12)], 2), "coder": ["A", "B"] * 12,
                      "code": np.column_stack([a, b]).ravel()})
    used = qualitative.cohen_kappa(d, weights="linear")
    scale = qualitative.cohen_kappa(d, weights="linear", levels=["1", "2", "3", "4"])
    assert used.n_categories == 3 and scale.n_categories == 4
    assert abs(scale.kappa - used.kappa) > 0.01
    with pytest.raises(ValueError, match=r"codes \['4'\] are not among levels \['1', '2'\]"):
        qualitative.cohen_kappa(d, weights="linear", levels=["1", "2"])


def test_agreement_options_fail_loudly():
    d = _long(_irr("anxiety"))
    with pytest.raises(ValueError, match="weights 'cubic' not recognised"):
        qualitative.cohen_kappa(d, raters=("rater1", "rater2"), weights="cubic")
    with pytest.raises(ValueError, match="level 'binary' not recognised"):
        qualitative.krippendorff_alpha(d, level="binary")
    words = d.assign(code=d["code"].map({"1": "low"}).fillna("high"))
    with pytest.raises(ValueError, match=r"level 'interval' needs numeric codes; not numbers: \['high', 'low'\]"):
        qualitative.krippendorff_alpha(words, level="interval")
    once = pd.DataFrame({"segment_id": ["1", "2"], "coder": ["A", "B"], "code": ["x", "y"]})
    with pytest.raises(ValueError, match="at least one item coded by two raters"):
        qualitative.krippendorff_alpha(once)


def test_krippendorff_alpha_does_not_depend_on_row_order():
    d = _long(_kripp_c())
    base = qualitative.krippendorff_alpha(d, level="ordinal").kappa
    rng = np.random.default_rng(3)
    for _ in range(5):
        assert qualitative.krippendorff_alpha(d.iloc[rng.permutation(len(d))], level="ordinal").kappa == base

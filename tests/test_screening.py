"""Screening flows: prisma_flow counts and the synthetic screening logs (the diagram: tests/figures)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ipsresearch import datasets, schemas
from ipsresearch.studies import verify
from ipsresearch.synthesis import prisma_flow
from ipsresearch.synthetic import reviews
from ipsresearch.validation import InputError, validate


def small_log() -> pd.DataFrame:
    return pd.DataFrame({
        "record_id": [f"r{i}" for i in range(1, 9)],
        "search": ["s1"] * 5 + ["s2"] * 3,
        "search_date": ["2020-01-31"] * 5 + ["2020-06-30"] * 3,
        "source": ["database"] * 7 + ["reference_list"],
        "stage_reached": ["identified", "screened", "screened", "sought", "included",
                          "screened", "assessed", "included"],
        "reason": ["duplicate", "off topic", "off topic", "full text in Czech", None,
                   "not qualitative", "no findings", None],
        "study_id": [None, None, None, None, "a2019", None, None, "b2020"],
    })


def test_counts_per_stage():
    flow = prisma_flow(small_log(), by="search")
    frame = flow.to_frame()
    assert frame["stage"].tolist() == list(schemas.SCREENING_STAGES)
    assert frame["reached"].tolist() == [8, 7, 4, 3, 2]
    assert frame["excluded"].tolist() == [1, 3, 1, 1, 0]
    assert flow.n("screened", group="s2") == 3 and flow.n("included", group="s1") == 1
    reasons = flow.reasons.set_index(["stage", "reason"])["n"].to_dict()
    assert reasons == {("identified", "duplicate"): 1, ("screened", "off topic"): 2,
                       ("screened", "not qualitative"): 1, ("sought", "full text in Czech"): 1,
                       ("assessed", "no findings"): 1}


def test_flow_invariants_on_the_shipped_logs():
    for log in (reviews.moen_log(), reviews.bonfils_log()):
        flow = prisma_flow(log, by="search")
        r, e = flow.counts["reached"].to_numpy(), flow.counts["excluded"].to_numpy()
        assert np.all(np.diff(r) <= 0)  # a stage never holds more records than the one before
        np.testing.assert_array_equal(r[:-1], r[1:] + e[:-1])
        assert r[0] == len(log) and e[-1] == 0
        grouped = flow.by_group.groupby("stage", sort=False)["reached"].sum()
        np.testing.assert_array_equal(grouped.reindex(schemas.SCREENING_STAGES).to_numpy(), r)
        assert flow.reasons["n"].sum() == len(log) - r[-1]


def test_shuffling_records_leaves_the_flow_unchanged():
    log = reviews.moen_log()
    a = prisma_flow(log)
    b = prisma_flow(log.sample(frac=1, random_state=11))
    pd.testing.assert_frame_equal(a.counts, b.counts)
    pd.testing.assert_frame_equal(a.reasons, b.reasons)


def test_changing_one_records_stage_changes_the_counts():
    log = reviews.moen_log()
    before = prisma_flow(log)
    changed = log.copy()
    i = changed.index[changed["stage_reached"] == "included"][0]
    changed.loc[i, ["stage_reached", "reason", "study_id"]] = ["assessed", "no findings", None]
    after = prisma_flow(changed)
    assert after.n("included") == before.n("included") - 1
    assert after.excluded("assessed") == before.excluded("assessed") + 1
    assert after.n("assessed") == before.n("assessed")


def test_changing_one_record_makes_the_claims_fail(data_copy):
    path = data_copy / "moen2021" / "screening_log.csv"
    log = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = log.index[log["stage_reached"] == "screened"][0]
    log.loc[i, ["stage_reached", "reason"]] = ["assessed", "no findings"]
    log.to_csv(path, index=False)
    r = {x.id: x for x in verify(data_dir=data_copy, sets=["moen2021"])}
    assert r["moen2021.after_titles"].status == "fail" and r["moen2021.after_titles"].computed == 41
    # an identity claim does arithmetic on the printed numbers (40 - 1), not on the records
    assert r["moen2021.full_texts"].basis == "identity" and r["moen2021.full_texts"].computed == 39
    assert r["moen2021.included"].status == "pass"


def test_the_log_is_validated_with_row_column_and_value():
    log = small_log()
    log.loc[1, "stage_reached"] = "rejected"
    log.loc[2, "reason"] = None
    log.loc[4, "reason"] = "great"
    log.loc[6, "study_id"] = "c2021"
    before = log.copy()
    with pytest.raises(InputError) as err:
        prisma_flow(log)
    msg = str(err.value)
    assert "screening log row 3, column `stage_reached`: rejected is not a recognised value " \
           "(allowed: one of identified, screened, sought, assessed, included)" in msg
    assert "row 4, column `reason`: record r3 stopped at screened without a reason" in msg
    assert "row 6, column `reason`: record r5 is included but has the reason 'great'" in msg
    assert "row 8, column `study_id`: record r7 names study c2021 but stopped at assessed" in msg
    pd.testing.assert_frame_equal(log, before)


def test_repeated_record_id_and_unknown_group():
    log = small_log()
    log.loc[1, "record_id"] = "r1"
    with pytest.raises(InputError, match=r"row 3, column `record_id`: r1 repeats row 2"):
        prisma_flow(log)
    flow = prisma_flow(small_log(), by="search")
    with pytest.raises(KeyError, match="no group 's3' in column 'search'; groups: s1, s2"):
        flow.n("included", group="s3")
    with pytest.raises(KeyError, match="unknown stage 'eligible'"):
        flow.n("eligible")
    with pytest.raises(ValueError, match="counted without `by`"):
        prisma_flow(small_log()).n("included", group="s1")


def test_html_repr_lists_counts_and_reasons():
    html = prisma_flow(small_log(), by="search")._repr_html_()
    assert "Reasons for exclusion" in html and "full text in Czech" in html and "s2" in html


# ------------------------------------------------------------------ the synthetic logs


def test_logs_follow_their_schema_and_link_to_the_tables():
    for log, table, key in ((reviews.moen_log(), "moen2021_studies", "study_id"),
                            (reviews.bonfils_log(), "bonfils2017_papers", "paper_id")):
        validate(log, schemas.SCREENING_LOG)
        ids = set(datasets.load(table)[key])
        assert set(log["study_id"].dropna()) == ids
        assert log["study_id"].notna().sum() == len(ids)


def test_the_moen_log_keeps_the_two_searches_as_printed():
    log = reviews.moen_log()
    assert log["search"].value_counts().to_dict() == {"search_1": 478, "search_2": 49}
    assert len(log) == 527  # not the 519 the paper states: the erratum is kept, not hidden


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_published_counts_hold_for_other_seeds(seed):
    other = reviews.moen_log(seed=seed)
    m = prisma_flow(other, by="search")
    assert [m.n(s) for s in ("sought", "assessed", "included")] == [40, 39, 17]
    b = prisma_flow(reviews.bonfils_log(seed=seed), by="search")
    assert (b.n("screened"), b.n("included", group="search_1"), b.n("included", group="search_2")) \
        == (346, 18, 3)
    # record ids are numbered the same way whatever the seed; which record stopped where is not
    assert other["record_id"].equals(reviews.moen_log()["record_id"])
    assert not other["stage_reached"].equals(reviews.moen_log()["stage_reached"])


def test_same_seed_same_log():
    pd.testing.assert_frame_equal(reviews.bonfils_log(seed=5), reviews.bonfils_log(seed=5))


def test_design_mismatch_is_refused():
    d = reviews.LogDesign("X", {"s": pd.Timestamp("2020-01-01").date()},
                          (reviews.Block("s", "database", "included", None, 2),), {"s": ("a",)})
    with pytest.raises(ValueError, match="s: 2 included records but 1 study ids"):
        reviews.screening_log(d, seed=0)

"""Synthetic IPS-25 fidelity reviews, item by item, for three programmes in the sources.

No seed publishes a fidelity score of its own sites, so **every rating here is
illustrative**: the records reproduce what the sources state about the reviews
(how many sites or cases, when and how often they were reviewed, how the
cases were grouped), and the ratings follow the documented assumptions below.
Reports that show these ratings say so.

Published facts the records reproduce
-------------------------------------
Northern Norway, IPSNOR (source 002):

* line 43: IPS in the region began in 2013 and grew from four to 14 sites
  over the two years before the study;
* line 51: most sites were established in 2019;
* line 81: each IPSNOR site has its fidelity reviewed within its first year.

Finland, national demonstration project (source 004):

* lines 30 and 114: five regional pilots, the study's five cases;
* line 39: two cases with more robust sustainment strategies, two with less
  robust ones and one that fits both (robust commitment, positions not secured);
* line 78: every unit had two fidelity evaluations during the project;
* line 32: client work had run for two years when the regional reform came,
  six months before the project ended; line 35: interviews in May to August 2023;
  line 80: the second round shortly before the interviews.

Ireland, national programme (source 000):

* line 17: IPS was scaled up nationally in 2018;
* line 39: 24 employment specialists in post, supervised by 17 OT managers.

Assumptions (not published)
---------------------------
* **Ratings model.** Item *j* of review *r* is rated
  ``clip(round(level[r] + item_effect[j] + shift[r, j] + site_item[r, j] + noise), 1, 5)``
  with ``level`` the site's mean rating, ``item_effect`` the typical relative
  ease of each item (:data:`ITEM_EFFECT`; easier: zero exclusion, competitive
  jobs, caseload size; harder: work incentives planning, employer contact,
  executive support), ``site_item`` a site's own item pattern (sd 0.4, kept
  across rounds) and ``noise`` the review's own variation (sd 0.35).
* **Levels.** IPSNOR first-year reviews: site level N(3.75, 0.35), about
  94 points, new teams mostly fair. Finland, round 1: more robust 3.9, mixed
  3.7, less robust 3.5; round 2 adds 0.45, 0.25 and 0.10. Ireland: N(3.6, 0.4).
* **Programme shifts, read from the sources' descriptions.** IPSNOR employment
  specialists are mostly employed by NAV, the welfare and employment service,
  and sit in mental health teams (002 line 51): collaboration with
  vocational rehabilitation (``O3``) +0.5 and team assignment (``O1``) +0.3;
  some felt they lacked authority in their clinical team (002 line 81):
  frequent team contact (``O2``) -0.5. Finland: three of the five pilots
  worked with the public employment services (004 line 30): ``O3`` +0.5
  there, -0.5 in the two psychiatric-only pilots (which case is which, and
  each case's group, as in the interview records of
  :mod:`ipsresearch.synthetic.qualitative`, see :data:`FINNISH_CASES`);
  taking part in care meetings improved during the
  project (004 line 79): ``O2`` +0.5 in round 2. Ireland: teams limited the
  specialists' part in team meetings and files (000 lines 91 and 139):
  ``O1`` and ``O2`` -0.8.
* **Sites and dates.** IPSNOR sites ``NO-01`` to ``NO-14``: ``NO-01`` (the
  2013 site) starts 2013-03-01, ``NO-02`` to ``NO-04`` on fixed dates in
  2015-2017, two sites in the second half of 2018 and eight in 2019, on seeded
  random days; each has one review 180 to 350 days after its start. Finnish
  cases ``Case A`` to ``Case E`` (reviews ``FI-A-R1`` ... ``FI-E-R2``) started
  client work on 2021-01-04; round 1 falls
  between 2021-10-01 and 2022-02-28 and round 2 between 2022-11-01 and
  2023-03-31 (before the interviews). Ireland: **17 sites** ``IE-01`` to
  ``IE-17``, one per OT manager supervising specialists (000 line 39; the
  number of sites is not published), starting on seeded days in 2018, each
  reviewed once 270 to 450 days after its start.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from ipsresearch import schemas
from ipsresearch.fidelity import ITEM_CODES
from ipsresearch.sources import SOURCES
from ipsresearch.synthetic import SyntheticTable, rng
from ipsresearch.validation import Schema

__all__ = ["FINNISH_CASES", "ITEM_EFFECT", "SEED", "expected_rating", "reviews", "simulate_ratings", "tables"]

SEED = 2512
"""Seed of the fidelity reviews (documented in ``datapackage.json``)."""

PROGRAMME_SOURCES = {"IPSNOR": SOURCES["ipsnor"].file, "Finland": SOURCES["harkko2025"].file,
                     "Ireland": SOURCES["irish_pilot"].file}
"""The source paper of each programme's published facts."""

_RAW_EFFECT = {
    "S1": 0.5, "S2": 0.4, "S3": 0.2,
    "O1": 0.2, "O2": -0.1, "O3": -0.3, "O4": 0.0, "O5": 0.0, "O6": 0.5, "O7": 0.3, "O8": -0.4,
    "SE1": -0.6, "SE2": 0.2, "SE3": 0.0, "SE4": 0.4, "SE5": 0.3, "SE6": -0.5, "SE7": -0.4,
    "SE8": 0.3, "SE9": 0.3, "SE10": 0.5, "SE11": 0.0, "SE12": 0.4, "SE13": -0.3, "SE14": -0.5,
}
_mean_effect = float(np.mean(list(_RAW_EFFECT.values())))
ITEM_EFFECT: dict[str, float] = {k: v - _mean_effect for k, v in _RAW_EFFECT.items()}
"""Assumed relative ease of each item on the 1-5 scale (centred to mean 0)."""

FINNISH_CASES: dict[str, tuple[str, bool]] = {
    "Case A": ("mixed", False),
    "Case B": ("more_robust", True),
    "Case C": ("less_robust", True),
    "Case D": ("less_robust", False),
    "Case E": ("more_robust", True),
}
"""Finnish case -> (robustness group, works with the public employment services). The same
cases, groups and organisations as the interview records (``harkko2025/cases.csv``)."""

SITE_ITEM_SD = 0.4
NOISE_SD = 0.35
_EFFECT = np.array([ITEM_EFFECT[c] for c in ITEM_CODES])
_COL = {c: i for i, c in enumerate(ITEM_CODES)}


def expected_rating(mean, sd: float) -> np.ndarray:
    """Expected rating when a normal latent value is rounded and clipped to 1..5.

    Parameters
    ----------
    mean : array-like
        Mean of the latent value.
    sd : float
        Its standard deviation (> 0).

    Examples
    --------
    >>> float(expected_rating(3.0, 1e-9))
    3.0
    >>> round(float(expected_rating(5.0, 1.0)), 4)  # clipping pulls the mean below 5
    4.6182
    """
    from scipy.stats import norm

    m = np.asarray(mean, dtype=float)
    cuts = np.array([1.5, 2.5, 3.5, 4.5])
    cdf = norm.cdf((cuts - m[..., None]) / sd)
    p = np.diff(np.concatenate([np.zeros(m.shape + (1,)), cdf, np.ones(m.shape + (1,))], axis=-1),
                axis=-1)
    return (p * np.arange(1, 6)).sum(axis=-1)


def _rate(latent: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(latent), 1, 5).astype(np.int64)


def simulate_ratings(
    n_reviews: int,
    *,
    level: float = 3.8,
    level_sd: float = 0.4,
    item_sd: float = 0.6,
    seed: int | np.random.Generator = 0,
    prefix: str = "site",
) -> pd.DataFrame:
    """Long-layout IPS-25 ratings of ``n_reviews`` independent reviews (vectorised).

    Item *j* of review *r* is ``clip(round(level_r + ITEM_EFFECT[j] + e), 1, 5)``
    with ``level_r ~ N(level, level_sd)`` and ``e ~ N(0, item_sd)``.

    Parameters
    ----------
    n_reviews : int
    level : float
        Mean rating of a typical site on the latent scale (3.8 is about 95 points).
    level_sd, item_sd : float
        Spread of site levels and of items within a review.
    seed : int or numpy.random.Generator
    prefix : str
        Reviews are named ``<prefix>-00001`` and so on.

    Returns
    -------
    pandas.DataFrame
        ``review_id, item, rating``, 25 rows per review.

    Examples
    --------
    >>> r = simulate_ratings(2, seed=1)
    >>> r.shape, sorted(r["rating"].unique().tolist())[0] >= 1
    ((50, 3), True)
    """
    if n_reviews < 1:
        raise ValueError(f"n_reviews must be at least 1, got {n_reviews}")
    g = rng(seed)
    levels = g.normal(level, level_sd, size=n_reviews)
    latent = levels[:, None] + _EFFECT[None, :] + g.normal(0.0, item_sd, size=(n_reviews, 25))
    width = max(5, len(str(n_reviews)))
    ids = np.char.add(f"{prefix}-", np.char.zfill(np.arange(1, n_reviews + 1).astype(str), width))
    return pd.DataFrame({
        "review_id": np.repeat(ids.astype(object), 25),
        "item": np.tile(np.asarray(ITEM_CODES, dtype=object), n_reviews),
        "rating": _rate(latent).ravel(),
    })


def _days(g: np.random.Generator, start: dt.date, end: dt.date, size: int) -> list[dt.date]:
    span = (end - start).days
    return [start + dt.timedelta(days=int(d)) for d in g.integers(0, span + 1, size=size)]


def _sites() -> pd.DataFrame:
    """One row per site: programme, site, start date, group and programme shifts."""
    g = np.random.default_rng(SEED)
    rows = []
    no_starts = [dt.date(2013, 3, 1), dt.date(2015, 9, 1), dt.date(2016, 9, 1), dt.date(2017, 3, 1)]
    no_starts += _days(g, dt.date(2018, 7, 1), dt.date(2018, 12, 31), 2)
    no_starts += _days(g, dt.date(2019, 1, 1), dt.date(2019, 12, 31), 8)
    for i, start in enumerate(no_starts):
        rows.append(dict(programme="IPSNOR", site=f"NO-{i + 1:02d}", start_date=start, group=None,
                         pes=False))
    for case, (grp, p) in FINNISH_CASES.items():
        rows.append(dict(programme="Finland", site=case, start_date=dt.date(2021, 1, 4), group=grp,
                         pes=p))
    for i, start in enumerate(_days(g, dt.date(2018, 1, 15), dt.date(2018, 12, 15), 17)):
        rows.append(dict(programme="Ireland", site=f"IE-{i + 1:02d}", start_date=start, group=None,
                         pes=False))
    return pd.DataFrame(rows)


@functools.cache
def _generate() -> tuple[pd.DataFrame, pd.DataFrame]:
    g = np.random.default_rng(SEED + 1)
    sites = _sites()
    n = len(sites)
    prog = sites["programme"].to_numpy()
    level = np.where(prog == "IPSNOR", g.normal(3.75, 0.35, n),
                     np.where(prog == "Ireland", g.normal(3.6, 0.4, n), 0.0))
    fin_level = {"more_robust": 3.9, "mixed": 3.7, "less_robust": 3.5}
    fin_gain = {"more_robust": 0.45, "mixed": 0.25, "less_robust": 0.10}
    grp = sites["group"].to_numpy(dtype=object)
    is_fi = prog == "Finland"
    level[is_fi] = [fin_level[x] for x in grp[is_fi]]
    shift = np.zeros((n, 25))
    shift[prog == "IPSNOR", _COL["O3"]] += 0.5
    shift[prog == "IPSNOR", _COL["O1"]] += 0.3
    shift[prog == "IPSNOR", _COL["O2"]] -= 0.5
    shift[is_fi, _COL["O3"]] += np.where(sites.loc[is_fi, "pes"].to_numpy(), 0.5, -0.5)
    shift[prog == "Ireland", _COL["O1"]] -= 0.8
    shift[prog == "Ireland", _COL["O2"]] -= 0.8
    site_item = g.normal(0.0, SITE_ITEM_SD, size=(n, 25))
    # one review per site, two for the Finnish cases
    review_rows, latent = [], []
    for i, s in sites.iterrows():
        rounds = (1, 2) if s["programme"] == "Finland" else (1,)
        for r in rounds:
            if s["programme"] == "IPSNOR":
                date = s["start_date"] + dt.timedelta(days=int(g.integers(180, 351)))
            elif s["programme"] == "Ireland":
                date = s["start_date"] + dt.timedelta(days=int(g.integers(270, 451)))
            elif r == 1:
                date = _days(g, dt.date(2021, 10, 1), dt.date(2022, 2, 28), 1)[0]
            else:
                date = _days(g, dt.date(2022, 11, 1), dt.date(2023, 3, 31), 1)[0]
            extra = np.zeros(25)
            if s["programme"] == "Finland" and r == 2:
                extra += fin_gain[s["group"]]
                extra[_COL["O2"]] += 0.5
            latent.append(level[i] + _EFFECT + shift[i] + site_item[i] + extra
                          + g.normal(0.0, NOISE_SD, 25))
            rid = f"FI-{s['site'][-1]}" if s["programme"] == "Finland" else s["site"]
            review_rows.append(dict(review_id=f"{rid}-R{r}", programme=s["programme"],
                                    site=s["site"], start_date=pd.Timestamp(s["start_date"]),
                                    round=r, review_date=pd.Timestamp(date), group=s["group"]))
    revs = pd.DataFrame(review_rows)
    revs["round"] = revs["round"].astype(np.int64)
    ratings = _rate(np.vstack(latent))
    long = pd.DataFrame({
        "review_id": np.repeat(revs["review_id"].to_numpy(dtype=object), 25),
        "item": np.tile(np.asarray(ITEM_CODES, dtype=object), len(revs)),
        "rating": ratings.ravel(),
    })
    return revs, long


def reviews() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reviews table and the long-layout ratings of every synthetic review.

    Returns
    -------
    reviews : pandas.DataFrame
        ``review_id, programme, site, start_date, round, review_date, group``
        (schema :data:`ipsresearch.schemas.FIDELITY_REVIEWS`).
    ratings : pandas.DataFrame
        ``review_id, item, rating`` (schema :data:`ipsresearch.schemas.FIDELITY_RATINGS`).

    Examples
    --------
    >>> revs, ratings = reviews()
    >>> revs.groupby("programme")["site"].nunique().to_dict()
    {'Finland': 5, 'IPSNOR': 14, 'Ireland': 17}
    >>> len(ratings) == 25 * len(revs)
    True
    """
    revs, long = _generate()
    return revs.copy(), long.copy()


RATINGS_FILE_SCHEMA = Schema(
    schemas.FIDELITY_RATINGS.name,
    [c for c in schemas.FIDELITY_RATINGS.columns if c.name in ("review_id", "item", "rating")],
    key=("review_id", "item"),
    description=schemas.FIDELITY_RATINGS.description,
)
""":data:`ipsresearch.schemas.FIDELITY_RATINGS` restricted to the columns the shipped file has
(no rater or round: one consensus rating per review), for ``datapackage.json``."""


def tables() -> list[SyntheticTable]:
    """The tables this module writes to ``data_synthetic/fidelity/``."""
    gen = "ipsresearch.synthetic.fidelity.reviews"
    src = PROGRAMME_SOURCES["IPSNOR"]
    return [
        SyntheticTable("fidelity/reviews.csv", schemas.FIDELITY_REVIEWS, lambda: reviews()[0], gen,
                       SEED, src, "Fidelity reviews of IPSNOR sites (source 002), the five Finnish "
                       "cases in two rounds (source 004) and Irish sites (source 000); illustrative"),
        SyntheticTable("fidelity/ratings.csv", RATINGS_FILE_SCHEMA, lambda: reviews()[1], gen,
                       SEED, src, "IPS-25 item ratings of every review (long layout); illustrative"),
    ]

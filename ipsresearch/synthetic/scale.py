"""National-registry-sized synthetic cohorts, written as Parquet and CSV.

The shipped studies are small, but the people who rerun these analyses hold
programme data for whole countries. :func:`generate` draws a cohort of any
size, ``n`` participants at ``n / 500`` sites with their job spells and the
sites' IPS-25 fidelity reviews, and :func:`write` stores it as Parquet and CSV
in the same schemas a user's own files follow; :func:`load` reads the Parquet
files back through the package's validation. ``ipsresearch data --scale N
--out DIR`` is the command-line route.

Everything is vectorised with numpy and pyarrow: the only Python loops run
over blocks of 65,536 participants, job numbers (at most three passes),
digit positions of the identifiers and the 25 fidelity items, never over
participants, spells or sites. Site names, job types and the programme are
stored as dictionary columns (each distinct text once), which pandas reads
back as Categoricals.

Assumptions (not published; chosen to look like a national programme)
---------------------------------------------------------------------
* **People and sites.** ``n`` participants enrol uniformly between
  2010-01-01 and 2019-12-31 and are followed to 2020-12-31 (one to eleven
  years). There are ``max(1, n // 500)`` sites, ``SITE00001`` onwards; site
  sizes vary, with weights drawn from a log-normal distribution (sd 0.5 on
  the log scale), so the mean site has 500 participants.
* **Jobs.** The model and defaults of :class:`ipsresearch.synthetic.cohort.CohortDesign`:
  55 % would ever find a paid competitive job, median 120 days to the first;
  Weibull job tenure with median 257 days and shape 0.8 (40 % of jobs held
  at one year); 35 % find a further job after one ends (up to three); 30 %
  also have one sheltered, volunteer or unpaid activity. These are the
  planted parameters the tests recover.
* **Fidelity.** Every site has two IPS-25 reviews, 180 to 360 days after
  its first participant enrolled and one year later. Item ``j`` of a review
  of site ``s`` is rated ``clip(round(level[s] + 0.25 * (round - 1) +
  ITEM_EFFECT[j] + site_item[s, j] + noise), 1, 5)`` with ``level ~ N(3.7,
  0.4)``, ``site_item ~ N(0, 0.4)`` kept across rounds and ``noise ~ N(0,
  0.35)``; ``ITEM_EFFECT`` is the relative ease of each item assumed by
  :mod:`ipsresearch.synthetic.fidelity`.
* **Identifiers.** ``P`` + participant number, ``S`` + spell number and
  ``R`` + review number, zero-padded to the width of the largest number.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ipsresearch import __version__, schemas
from ipsresearch.fidelity import ITEM_CODES
from ipsresearch.paths import atomic_path, note_read, write_bytes
from ipsresearch.synthetic import rng as make_rng
from ipsresearch.synthetic.cohort import JOB_TYPE_CODES, CohortDesign, draw_cohort, identifiers
from ipsresearch.synthetic.fidelity import ITEM_EFFECT
from ipsresearch.validation import check_choice, validate

__all__ = ["PARTICIPANTS_PER_SITE", "SEED", "ScaleData", "design", "generate", "load", "write"]

SEED = 1_000_000
"""Default seed of :func:`generate`."""

PARTICIPANTS_PER_SITE = 500
"""Mean participants per site: ``n`` participants are spread over ``n // 500`` sites."""

TABLES = {
    "participants": schemas.PARTICIPANTS,
    "job_spells": schemas.JOB_SPELLS,
    "fidelity_reviews": schemas.FIDELITY_REVIEWS,
    "fidelity_ratings": schemas.FIDELITY_RATINGS,
}
"""File stem -> schema of every table :func:`write` writes."""

_ENROL_START = dt.date(2010, 1, 1)
_ENROL_END = dt.date(2019, 12, 31)
_FOLLOW_UP_END = dt.date(2020, 12, 31)
_SITE_SIZE_SD = 0.5
_LEVEL, _LEVEL_SD, _ROUND_GAIN, _SITE_ITEM_SD, _NOISE_SD = 3.7, 0.4, 0.25, 0.4, 0.35


def design(n: int, *, seed: int | np.random.Generator = SEED) -> CohortDesign:
    """The cohort design of a scale run of ``n`` participants (see the module docstring).

    Examples
    --------
    >>> d = design(10_000)
    >>> d.n, len(d.sites), d.sites[0]
    (10000, 20, 'SITE00001')
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n}")
    n = int(n)
    k = max(1, n // PARTICIPANTS_PER_SITE)
    width = max(5, len(str(k)))
    weights = make_rng(seed).lognormal(0.0, _SITE_SIZE_SD, size=k)
    return CohortDesign(n=n, sites=tuple(f"SITE{i:0{width}d}" for i in range(1, k + 1)),
                        site_weights=tuple(weights.tolist()), enrol_start=_ENROL_START,
                        enrol_end=_ENROL_END, follow_up_end=_FOLLOW_UP_END)


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    values = days.astype("datetime64[D]").astype(np.int64).astype(np.int32)
    mask = None if valid is None else ~valid
    return pa.array(values, type=pa.int32(), mask=mask).cast(pa.date32())


def _labels(values: pa.Array, index: np.ndarray) -> pa.DictionaryArray:
    """``values[index]`` dictionary-encoded: a few thousand site names (or six job types)
    stored once, each row an integer. Parquet keeps the encoding and pandas reads such a
    column as a Categorical, which the analyses group without hashing text."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, dtype=np.int32)), values)


@dataclass(frozen=True)
class ScaleData:
    """A scale cohort: four tables as pyarrow Tables (:func:`generate`) or pandas
    DataFrames (:func:`load`).

    Attributes
    ----------
    participants, job_spells, fidelity_reviews, fidelity_ratings
        In the schemas of :data:`TABLES`.
    seed : int or None
        The seed :func:`generate` drew them with (recorded by :func:`write`);
        ``None`` for tables read back by :func:`load`.
    """

    participants: pa.Table | pd.DataFrame
    job_spells: pa.Table | pd.DataFrame
    fidelity_reviews: pa.Table | pd.DataFrame
    fidelity_ratings: pa.Table | pd.DataFrame
    seed: int | None = None

    def tables(self) -> dict[str, pa.Table | pd.DataFrame]:
        """The tables by file stem."""
        return {name: getattr(self, name) for name in TABLES}


def generate(n: int, *, seed: int = SEED) -> ScaleData:
    """Draw a cohort of ``n`` participants with job spells and fidelity reviews.

    Parameters
    ----------
    n : int
        Participants (sites: ``n // 500``, at least one).
    seed : int

    Returns
    -------
    ScaleData
        pyarrow Tables, ready for :func:`write`.

    Examples
    --------
    >>> data = generate(2_000, seed=1)
    >>> data.participants.num_rows, data.fidelity_reviews.num_rows, data.fidelity_ratings.num_rows
    (2000, 8, 200)
    >>> data.participants.column("participant_id")[0].as_py()
    'P0001'
    """
    g = np.random.default_rng(seed)
    d = design(n, seed=g)
    c = draw_cohort(d, seed=g)
    sites = pa.array(d.sites, type=pa.string())
    pid = identifiers("P", d.n)
    participants = pa.table({
        "participant_id": pid,
        "site": _labels(sites, c.site_idx),
        "enrolment_date": _dates(c.enrolment),
        "follow_up_end": _dates(np.full(d.n, c.follow_up_end)),
    })
    owner = pa.array(c.owner)
    spells = pa.table({
        "spell_id": identifiers("S", c.owner.size),
        "participant_id": pid.take(owner),
        "start_date": _dates(c.start),
        "end_date": _dates(c.end, valid=~c.censored),
        "job_type": _labels(pa.array(JOB_TYPE_CODES, type=pa.string()), c.job_type),
        "paid": pa.array(c.paid),
        "hours_per_week": pa.array(c.hours),
    })
    reviews, ratings = _fidelity(d, c, g)
    return ScaleData(participants, spells, reviews, ratings, seed=seed)


def _fidelity(d: CohortDesign, c, g: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    k = len(d.sites)
    # a site starts IPS on the day its first participant enrolled (enrolment is sorted, so
    # that is the site's first row; a site nobody joined starts on the first possible day)
    first_row = np.full(k, c.enrolment.size, dtype=np.int64)
    first_row[c.site_idx[::-1]] = np.arange(c.enrolment.size)[::-1]  # the last write wins
    first = np.r_[c.enrolment, np.datetime64(_ENROL_START)][first_row]
    rounds = 2
    site = np.repeat(np.arange(k), rounds)
    rnd = np.tile(np.arange(1, rounds + 1), k)
    lag = g.integers(180, 361, size=k)
    review_day = first[site] + (lag[site] + 365 * (rnd - 1)).astype("timedelta64[D]")
    level = g.normal(_LEVEL, _LEVEL_SD, size=k)
    site_item = g.normal(0.0, _SITE_ITEM_SD, size=(k, len(ITEM_CODES)))
    effect = np.array([ITEM_EFFECT[code] for code in ITEM_CODES])
    latent = (level[site, None] + _ROUND_GAIN * (rnd[:, None] - 1) + effect[None, :]
              + site_item[site] + g.normal(0.0, _NOISE_SD, size=(site.size, len(ITEM_CODES))))
    rating = np.clip(np.rint(latent), 1, 5).astype(np.int64)
    review_id = identifiers("R", site.size)
    sites = pa.array(d.sites, type=pa.string())
    reviews = pa.table({
        "review_id": review_id,
        "programme": _labels(pa.array(["national"], type=pa.string()), np.zeros(site.size, int)),
        "site": _labels(sites, site),
        "start_date": _dates(first[site]),
        "round": pa.array(rnd.astype(np.int64)),
        "review_date": _dates(review_day),
    })
    ratings = pa.table({
        "review_id": review_id.take(pa.array(np.repeat(np.arange(site.size), len(ITEM_CODES)))),
        "item": pa.array(ITEM_CODES, type=pa.string()).take(
            pa.array(np.tile(np.arange(len(ITEM_CODES)), site.size))),
        "rating": pa.array(rating.reshape(-1)),
    })
    return reviews, ratings


def write(
    data: ScaleData,
    out_dir: str | os.PathLike,
    *,
    formats: tuple[str, ...] = ("parquet", "csv"),
) -> list[Path]:
    """Write the tables of ``data`` to ``out_dir`` as Parquet and/or CSV.

    CSV files follow the package's conventions (dates ``YYYY-MM-DD``,
    ``true``/``false``, blank for missing, no quotes), so they
    load with :func:`ipsresearch.validation.read_csv`. A ``datapackage.json``
    lists every file with its schema, row count, generator and seed
    (``data.seed``; no checksums: hashing gigabytes would double the time).
    Each file is written atomically (:func:`ipsresearch.paths.atomic_path`),
    so an interrupted run never leaves a truncated file.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    check_choice("formats", formats, ("parquet", "csv"), many=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    resources = []
    # generated text holds no commas, quotes or line breaks: nothing needs quoting
    csv_options = pa_csv.WriteOptions(quoting_style="none", include_header=False)
    for name, table in data.tables().items():
        if isinstance(table, pd.DataFrame):
            table = pa.Table.from_pandas(table, preserve_index=False)
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            with atomic_path(path) as tmp:
                if fmt == "parquet":
                    pq.write_table(table, tmp)
                else:
                    with open(tmp, "wb") as fh:
                        fh.write((",".join(table.column_names) + "\n").encode("utf-8"))
                        pa_csv.write_csv(table, fh, write_options=csv_options)
            written.append(path)
            resources.append({
                "name": f"{name}_{fmt}", "path": path.name, "format": fmt,
                "rows": table.num_rows, "bytes": path.stat().st_size,
                "schema": TABLES[name].to_frictionless(),
                "ipsresearch": {"generator": "ipsresearch.synthetic.scale.generate", "seed": data.seed,
                                "schema": TABLES[name].name},
            })
    n = len(data.participants)
    package = {"profile": "data-package", "name": "ipsresearch-scale",
               "title": f"Synthetic national IPS cohort of {n} participants",
               "ipsresearch": {"version": __version__}, "resources": resources}
    write_bytes(out / "datapackage.json", (json.dumps(package, indent=2) + "\n").encode("utf-8"))
    written.append(out / "datapackage.json")
    return written


def load(directory: str | os.PathLike, *, check: bool = True) -> ScaleData:
    """Read the Parquet files of a scale cohort and validate them.

    Parameters
    ----------
    directory : path-like
        Holding ``participants.parquet``, ``job_spells.parquet``,
        ``fidelity_reviews.parquet`` and ``fidelity_ratings.parquet``.
    check : bool
        Validate every table against its schema and the spells against the
        participants (:func:`ipsresearch.schemas.check_cohort`). The ratings
        are checked by :func:`ipsresearch.fidelity.score` when scored.

    Returns
    -------
    ScaleData
        pandas DataFrames.
    """
    d = Path(directory)
    frames = {}
    for name, schema in TABLES.items():
        path = d / f"{name}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist; write it with "
                                    f"`ipsresearch data --scale N --out {d}`")
        note_read(path)  # pyarrow reads it from C: tell the report's provenance
        frame = pq.read_table(path).to_pandas(date_as_object=False)
        if check and name != "fidelity_ratings":
            frame = validate(frame, schema, source=str(path))
        frames[name] = frame
    if check:
        schemas.check_cohort(frames["participants"], frames["job_spells"],
                             participants_source=str(d / "participants.parquet"),
                             spells_source=str(d / "job_spells.parquet"))
    return ScaleData(**frames)

"""Seeded programme folders for the tests: a programme's own records, as its software exports them.

:func:`cohort` draws a small programme (participants and job spells at a few
named sites) from a seed; :func:`export` writes it in one of :data:`FORMS`,
each the way a site's software would (Excel in a Norwegian locale writes
semicolons and decimal commas, plain "CSV" is Windows-1252, SPSS keeps value
labels, ...). Nothing here is a paper's data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

FORMS = ("comma", "semicolon", "cp1252", "day_first", "xlsx", "sav", "dta")
"""The seven export forms of one programme the reader must give identical results for."""

JOB_TYPES = ("competitive", "sheltered", "volunteer", "work_trial", "other")


def cohort(*, sites: tuple[str, ...] = ("Tromsø", "Harstad"), people: int = 31,
           years: tuple[int, int] = (2021, 2023), seed: int = 16, spells: bool = True
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participants and job spells of a programme (typed: dates as ``datetime.date``)."""
    rng = np.random.default_rng(seed)
    start = dt.date(years[0], 1, 4)
    end = dt.date(years[1], 12, 31)
    span = (dt.date(years[1], 6, 30) - start).days
    site = [sites[i % len(sites)] for i in range(people)]
    enrol = [start + dt.timedelta(days=int(d)) for d in rng.integers(0, span, people)]
    ids = [f"P{i + 1:03d}" for i in range(people)]
    participants = pd.DataFrame({"participant_id": ids, "site": site, "enrolment_date": enrol,
                                 "follow_up_end": [end] * people})
    rows = []
    if spells:
        for pid, e in zip(ids, enrol, strict=True):
            for _ in range(int(rng.integers(0, 3))):
                s = e + dt.timedelta(days=int(rng.integers(10, 400)))
                if s > end:
                    continue
                length = int(rng.integers(20, 500))
                stop = s + dt.timedelta(days=length)
                kind = JOB_TYPES[int(rng.choice(5, p=[0.55, 0.15, 0.1, 0.1, 0.1]))]
                rows.append({"spell_id": f"J{len(rows) + 1:03d}", "participant_id": pid,
                             "start_date": s, "end_date": stop if stop <= end else None,
                             "job_type": kind, "paid": kind in ("competitive", "sheltered"),
                             "hours_per_week": float(rng.choice([7.5, 12.5, 20.0, 37.5]))})
    cols = ["spell_id", "participant_id", "start_date", "end_date", "job_type", "paid",
            "hours_per_week"]
    return participants, pd.DataFrame(rows, columns=cols)


def _text(frame: pd.DataFrame, *, date_format: str = "%Y-%m-%d", decimal: str = ".") -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if c.endswith("_date") or c == "follow_up_end":
            out[c] = [v.strftime(date_format) if isinstance(v, dt.date) else "" for v in out[c]]
        elif c == "paid":
            out[c] = np.where(out[c].astype(bool), "true", "false")
        elif c == "hours_per_week":
            out[c] = [f"{v:g}".replace(".", decimal) for v in out[c]]
    return out


def export(participants: pd.DataFrame, spells: pd.DataFrame, folder: Path, form: str) -> Path:
    """Write both tables to ``folder`` in export form ``form`` (one of :data:`FORMS`)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"participants": participants, "job_spells": spells}
    if form in ("comma", "cp1252", "day_first", "semicolon"):
        for name, frame in tables.items():
            kw = {"date_format": "%d.%m.%Y"} if form == "day_first" else {}
            if form == "semicolon":
                kw = {"decimal": ","}
            text = _text(frame, **kw).to_csv(index=False, sep=";" if form == "semicolon" else ",",
                                             lineterminator="\r\n")
            encoding = {"cp1252": "cp1252", "semicolon": "utf-8-sig"}.get(form, "utf-8")
            (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    elif form == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, frame in tables.items():
            sheet = book.create_sheet(name)
            sheet.append(list(frame.columns))
            for row in frame.itertuples(index=False):
                sheet.append([dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else
                              (None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
                              for v in row])
        book.create_sheet("data dictionary").append(["table", "column", "meaning"])
        book.save(folder / "programme.xlsx")
    elif form in ("sav", "dta"):
        import pyreadstat

        site_codes = {s: i + 1 for i, s in enumerate(dict.fromkeys(participants["site"]))}
        type_codes = {t: i + 1 for i, t in enumerate(JOB_TYPES)}
        people = participants.assign(site=participants["site"].map(site_codes).astype(float))
        jobs = spells.assign(job_type=spells["job_type"].map(type_codes).astype(float),
                             paid=spells["paid"].astype(float))
        write = pyreadstat.write_sav if form == "sav" else pyreadstat.write_dta
        write(people, str(folder / f"participants.{form}"),
              variable_value_labels={"site": {v: k for k, v in site_codes.items()}})
        write(jobs, str(folder / f"job_spells.{form}"),
              variable_value_labels={"job_type": {v: k for k, v in type_codes.items()},
                                     "paid": {0.0: "no", 1.0: "yes"}})
    else:
        raise ValueError(form)
    return folder

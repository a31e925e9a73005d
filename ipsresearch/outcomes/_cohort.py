"""Participants and their job spells, checked and joined: the records every outcome starts from.

Private to :mod:`ipsresearch.outcomes`; its names may change without notice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipsresearch import schemas
from ipsresearch._arrays import as_list, row_positions
from ipsresearch.validation import check_choice, validate


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Dates as integer day numbers (NaT becomes the smallest int64)."""
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)


def column_values(frame: pd.DataFrame, column: str, rows: np.ndarray | None = None) -> pd.Series:
    """A column (or some of its rows) with a fresh index, keeping its dtype (no object copy)."""
    values = frame[column] if rows is None else frame[column].take(rows)
    return values.reset_index(drop=True)


def owner_rows(participants: pd.DataFrame, spells: pd.DataFrame) -> np.ndarray:
    """Row of ``participants`` holding each spell (both validated and checked)."""
    return row_positions(participants["participant_id"], spells["participant_id"])


def checked_cohort(participants: pd.DataFrame, spells: pd.DataFrame, validated: bool
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables validated and checked against each other (as they are when ``validated``)."""
    if not validated:
        participants = validate(participants, schemas.PARTICIPANTS, source="participants")
        spells = validate(spells, schemas.JOB_SPELLS, source="job_spells")
        schemas.check_cohort(participants, spells)
    return participants, spells


def qualifying(spells: pd.DataFrame, job_type, paid) -> np.ndarray:
    """Mask of the spells of a chosen type (``None``: every type) and pay (``None``: both)."""
    types = check_choice("job_type", as_list(job_type), schemas.JOB_TYPES, many=True)
    keep = np.ones(len(spells), dtype=bool)
    if types:
        keep &= spells["job_type"].isin(types).to_numpy(dtype=bool)
    if paid is not None:
        keep &= (spells["paid"].astype(bool) == bool(paid)).to_numpy()
    return keep


def spell_days(start: np.ndarray, end: np.ndarray, follow_up_end: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Days in a job (first and last day included) and whether it ended within follow-up."""
    ended = ~np.isnat(end) & (end <= follow_up_end)
    last = np.where(ended, end, follow_up_end)
    return (last - start).astype(np.int64) + 1, ended

"""Source 000: the Irish IPS pilot (2015-2017) and the focus groups of its scale-up.

Claims are recomputed from the synthetic records in
``data_synthetic/irish_pilot/`` (or a user's directory with the same files):
the participants and job spells of the pilot, and the roster and groups of
the focus-group study. See :mod:`ipsresearch.synthetic.irish_pilot` for the
assumptions behind the records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ipsresearch import outcomes, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.paths import data_dir as resolve_data_dir
from ipsresearch.sources import SOURCES
from ipsresearch.validation import read_csv

__all__ = ["CLAIMS", "PilotData", "load", "load_cohort"]

SOURCE = SOURCES["irish_pilot"].file
REPORT = "01-irish-pilot"
SUBDIR = "irish_pilot"


@dataclass(frozen=True)
class PilotData:
    """Validated tables of source 000.

    Attributes
    ----------
    participants, spells : pandas.DataFrame
        The pilot's participants and their job spells.
    roster, groups : pandas.DataFrame or None
        The focus-group study's roster and groups (``None`` when a user's
        directory holds only the cohort).
    """

    participants: pd.DataFrame
    spells: pd.DataFrame
    roster: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None

    @property
    def employed(self) -> pd.DataFrame:
        """Participants with the pilot's outcome: at least one paid competitive job."""
        return outcomes.ever_employed(self.participants, self.spells, validated=True)


def load_cohort(directory: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``participants.csv`` and ``job_spells.csv`` from ``directory`` and check them.

    This is the entry point for a programme's own data: the files must
    follow :data:`ipsresearch.schemas.PARTICIPANTS` and
    :data:`ipsresearch.schemas.JOB_SPELLS`.

    Raises
    ------
    ipsresearch.validation.InputError
        Listing every problem in either file, with file, row, column and value.
    """
    d = Path(directory)
    participants = read_csv(d / "participants.csv", schemas.PARTICIPANTS)
    spells = read_csv(d / "job_spells.csv", schemas.JOB_SPELLS)
    schemas.check_cohort(participants, spells, participants_source=str(d / "participants.csv"),
                         spells_source=str(d / "job_spells.csv"))
    return participants, spells


def load(data_dir: str | os.PathLike | None = None) -> PilotData:
    """Load source 000's tables from ``<data_dir>/irish_pilot/`` (default: the shipped data).

    A directory that holds ``participants.csv`` directly (a user's export)
    is accepted too. The roster files are optional.
    """
    root = resolve_data_dir(data_dir)
    d = root / SUBDIR if (root / SUBDIR).is_dir() else root
    participants, spells = load_cohort(d)
    roster = groups = None
    if (d / "focus_group_roster.csv").exists():
        roster = read_csv(d / "focus_group_roster.csv", schemas.ROSTER)
        groups = read_csv(d / "focus_groups.csv", schemas.FOCUS_GROUPS)
    return PilotData(participants, spells, roster, groups)


# ---------------------------------------------------------------- recomputations


def _role(data: PilotData, role: str) -> pd.DataFrame:
    if data.roster is None:
        raise ValueError("no focus-group roster in this data directory")
    return data.roster[data.roster["role"] == role]


def _took_part(data: PilotData, role: str) -> int:
    return int(_role(data, role)["took_part"].sum())


def _groups_attended(data: PilotData, role: str) -> int:
    r = _role(data, role)
    return int(r.loc[r["took_part"], "group_id"].nunique())


def _claims() -> list[Claim]:
    es, ot = "employment_specialist", "ot_manager"

    def c(id_, line, quantity, published, compute, **kw) -> Claim:
        return Claim(f"irish_pilot.{id_}", SOURCE, line, quantity, published, compute,
                     report=REPORT, **kw)

    return [
        c("participants", 15, "participants enrolled in the pilot", 65,
          lambda d: len(d.participants)),
        c("sites", 15, "pilot sites", 4, lambda d: d.participants["site"].nunique()),
        c("first_year", 15, "first year of the pilot (earliest enrolment)", 2015,
          lambda d: int(d.participants["enrolment_date"].min().year), unit="year"),
        c("last_year", 15, "last year of the pilot (end of follow-up)", 2017,
          lambda d: int(d.participants["follow_up_end"].max().year), unit="year"),
        c("placed", 15, "participants with at least one paid competitive job", 33,
          lambda d: int(d.employed["employed"].sum()),
          note="outcome: ever_employed(job_type='competitive', paid=True), spells starting "
               "within follow-up"),
        c("focus_groups", 33, "focus groups held", 3,
          lambda d: int(d.groups["group_id"].nunique())),
        c("moderators", 33, "researchers who moderated the groups", 2,
          lambda d: int(d.groups["moderator"].nunique())),
        c("groups_by_ds", 33, "groups moderated by DS", 2,
          lambda d: int((d.groups["moderator"] == "DS").sum())),
        c("es_in_post", 39, "employment specialists in post (eligible)", 24,
          lambda d: int(_role(d, es)["eligible"].sum())),
        c("es_took_part", 39, "employment specialists who took part", 17,
          lambda d: _took_part(d, es)),
        c("es_groups", 39, "focus groups with employment specialists", 2,
          lambda d: _groups_attended(d, es)),
        c("ot_eligible", 39, "OT managers supervising employment specialists", 17,
          lambda d: int(_role(d, ot)["eligible"].sum())),
        c("ot_took_part", 39, "OT managers who took part", 11,
          lambda d: _took_part(d, ot)),
        c("ot_groups", 39, "focus groups with OT managers", 1,
          lambda d: _groups_attended(d, ot)),
        c("es_absent", 39, "employment specialists who did not take part", 7,
          lambda d: int((_role(d, es)["eligible"] & ~_role(d, es)["took_part"]).sum())),
        c("ot_absent", 39, "OT managers who did not take part", 6,
          lambda d: int((_role(d, ot)["eligible"] & ~_role(d, ot)["took_part"]).sum())),
        c("shortest_group", 39, "shortest focus group (minutes)", 53,
          lambda d: float(d.groups["duration_min"].min()), unit="minutes"),
        c("longest_group", 39, "longest focus group (minutes)", 75,
          lambda d: float(d.groups["duration_min"].max()), unit="minutes"),
        c("majority_took_part", 155,
          "most eligible ES and most eligible OT managers took part (each share > 50%)", True,
          lambda d: bool(_took_part(d, es) / _role(d, es)["eligible"].sum() > 0.5
                         and _took_part(d, ot) / _role(d, ot)["eligible"].sum() > 0.5),
          unit="yes/no"),
    ]


CLAIMS = ClaimSet(key="irish_pilot", title="Irish IPS pilot and focus groups (source 000)",
                  load=load, claims=_claims)

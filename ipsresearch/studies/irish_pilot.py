"""Source 000: the Irish IPS pilot (2015-2017) and the focus groups of its scale-up.

The paper prints aggregates only. Most claims are therefore ``calibrated``:
they count the synthetic records in ``data_synthetic/irish_pilot/`` (the
participants and job spells of the pilot, the roster and groups of the
focus-group study; see :mod:`ipsresearch.synthetic.irish_pilot`), which were
generated to contain the printed numbers, so they demonstrate the analysis
and check nothing about the paper. The paper's own arithmetic (24 - 17 = 7,
17 - 11 = 6, two groups plus one make three, 17 of 24 and 11 of 17 are "the
majority") is checked by ``identity`` claims on the numbers it prints
(``printed_numbers``), and the initials of the two researchers by a
``transcribed`` claim. Two figures it cites from other work are ``cited``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ipsresearch import outcomes, readers, schemas
from ipsresearch.claims import Claim, ClaimSet
from ipsresearch.paths import data_dir as resolve_data_dir
from ipsresearch.paths import is_synthetic
from ipsresearch.sources import SOURCES
from ipsresearch.studies._common import Printed, printed

__all__ = ["CLAIMS", "PilotData", "load", "load_cohort", "read_cohort"]

KEY = "irish_pilot"
SOURCE = SOURCES[KEY].file
REPORT = "01-placement"
SUBDIR = "irish_pilot"


@dataclass(frozen=True)
class PilotData:
    """Validated tables of source 000, or of a programme's own cohort.

    Attributes
    ----------
    participants, spells : pandas.DataFrame
        The participants and their job spells.
    roster, groups : pandas.DataFrame or None
        The focus-group study's roster and groups (``None`` when a user's
        directory holds only the cohort).
    printed : Printed or None
        What the paper prints (numbers and lists), for the identity claims.
    synthetic : bool
        The records are this package's synthetic stand-in for the pilot
        (shipped or regenerated, see :func:`ipsresearch.paths.is_synthetic`),
        so that the paper's claims can be checked against them; ``False`` for
        a programme's own data, which reports describe as such.
    notes : tuple of str
        How each file was read (encoding, delimiter, date order).
    """

    participants: pd.DataFrame
    spells: pd.DataFrame
    roster: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None
    printed: Printed | None = None
    synthetic: bool = True
    notes: tuple[str, ...] = ()

    @property
    def employed(self) -> pd.DataFrame:
        """Participants with the pilot's outcome: at least one paid competitive job."""
        return outcomes.ever_employed(self.participants, self.spells, validated=True)


def read_cohort(folder: readers.Folder) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Participants and job spells of a folder, with the checks between them; problems kept.

    A job-spells table with a header and no rows is a programme in which no
    one has had a job yet. See :func:`load_cohort`.
    """
    participants = folder.table("participants", schemas.PARTICIPANTS)
    spells = folder.table("job_spells", schemas.JOB_SPELLS, allow_empty=True)
    folder.check(schemas.check_cohort, participants, spells,
                 participants_source=folder.source_of("participants"),
                 spells_source=folder.source_of("job_spells"))
    return participants, spells


def load_cohort(directory: str | os.PathLike, *, encoding: str | None = None,
                dates: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the participants and job spells in ``directory`` and check them.

    This is the entry point for a programme's own data: the tables must
    follow :data:`ipsresearch.schemas.PARTICIPANTS` and
    :data:`ipsresearch.schemas.JOB_SPELLS`, in any format
    :mod:`ipsresearch.readers` reads (``participants.csv``, ``.xlsx``,
    ``.sav``, ``.dta`` or a sheet of a workbook).

    Parameters
    ----------
    directory : path-like
    encoding, dates : str, optional
        As :func:`ipsresearch.readers.read_table` (default: the folder's
        ``ipsresearch.toml``, else detected).

    Raises
    ------
    ipsresearch.validation.InputError
        Listing every problem in either table and between them (spells of
        unknown participants, spells outside a participant's follow-up), with
        file, row, column and value.
    """
    folder = readers.Folder(directory, encoding=encoding, dates=dates)
    participants, spells = read_cohort(folder)
    folder.done()
    return participants, spells


def load(data_dir: str | os.PathLike | None = None) -> PilotData:
    """Load source 000's tables from ``<data_dir>/irish_pilot/`` (default: the shipped data).

    A directory that holds the participants directly (a programme's export)
    is accepted too. The roster files are optional.
    """
    root = resolve_data_dir(data_dir)
    d = root / SUBDIR if (root / SUBDIR).is_dir() else root
    folder = readers.Folder(d)
    participants, spells = read_cohort(folder)
    roster = groups = None
    if folder.exists("focus_group_roster"):
        roster = folder.table("focus_group_roster", schemas.ROSTER)
        groups = folder.table("focus_groups", schemas.FOCUS_GROUPS)
    folder.done()
    return PilotData(participants, spells, roster, groups, printed(KEY),
                     synthetic=is_synthetic(data_dir, SUBDIR), notes=tuple(folder.notes))


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
    cal, ident = "calibrated", "identity"

    def c(id_, line, quantity, published, compute, **kw) -> Claim:
        return Claim(f"{KEY}.{id_}", SOURCE, line, quantity, published, compute,
                     report=REPORT, **kw)

    return [
        c("cited_principles", 7, "core principles of IPS (Becker et al. 2019, as cited)", 8, None,
          basis="cited", printed="eight core principles", reference="Becker et al., 2019",
          note="the line lists five of them; source 001 line 39 and source 003 line 3 list all eight"),
        c("cited_rcts", 7, "randomised trials in the systematic review cited (Brinchmann et al. 2020)",
          27, None, basis="cited", reference="Brinchmann et al., 2020",
          note="the review's own abstract figures are in the ips_reviews table (issue 19); "
               "comparing them is left to that table's claims"),
        c("participants", 15, "participants enrolled in the pilot", 65,
          lambda d: len(d.participants), basis=cal),
        c("sites", 15, "pilot sites", 4, lambda d: d.participants["site"].nunique(), basis=cal,
          printed="four sites"),
        c("first_year", 15, "first year of the pilot (earliest enrolment)", 2015,
          lambda d: int(d.participants["enrolment_date"].min().year), unit="year", basis=cal),
        c("last_year", 15, "last year of the pilot (end of follow-up)", 2017,
          lambda d: int(d.participants["follow_up_end"].max().year), unit="year", basis=cal),
        c("placed", 15, "participants with at least one paid competitive job", 33,
          lambda d: int(d.employed["employed"].sum()), basis=cal,
          note="outcome: ever_employed(job_type='competitive', paid=True), spells starting "
               "within follow-up"),
        c("focus_groups", 33, "focus groups held", 3,
          lambda d: int(d.groups["group_id"].nunique()), basis=cal, printed="three"),
        c("focus_groups_sum", 33, "focus groups: two with employment specialists plus one with "
          "OT managers (line 39)", 3,
          lambda d: d.printed.n("es_groups") + d.printed.n("ot_groups"), basis=ident,
          printed="three", lines=(39,)),
        c("moderators", 33, "researchers who ran the groups (initials named)", 2,
          lambda d: d.printed.count("moderators"), basis="transcribed", printed="two members",
          note="DS and NL"),
        c("groups_by_ds", 33, "groups run by DS", None,
          lambda d: int((d.groups["moderator"] == "DS").sum()), basis=cal, counted=2,
          note="counted from line 33: DS ran the second group of employment specialists and the "
               "group of OT managers"),
        c("es_in_post", 39, "employment specialists in post (eligible)", 24,
          lambda d: int(_role(d, es)["eligible"].sum()), basis=cal),
        c("es_took_part", 39, "employment specialists who took part", 17,
          lambda d: _took_part(d, es), basis=cal),
        c("es_groups", 39, "focus groups with employment specialists", 2,
          lambda d: _groups_attended(d, es), basis=cal, printed="two focus groups"),
        c("ot_eligible", 39, "OT managers supervising employment specialists", 17,
          lambda d: int(_role(d, ot)["eligible"].sum()), basis=cal),
        c("ot_took_part", 39, "OT managers who took part", 11,
          lambda d: _took_part(d, ot), basis=cal),
        c("ot_groups", 39, "focus groups with OT managers", 1,
          lambda d: _groups_attended(d, ot), basis=cal, printed="An additional focus group"),
        c("es_absent", 39, "employment specialists who did not take part: 24 in post - 17 took part", 7,
          lambda d: d.printed.n("es_in_post") - d.printed.n("es_took_part"), basis=ident,
          printed="seven"),
        c("ot_absent", 39, "OT managers who did not take part: 17 supervising - 11 took part", 6,
          lambda d: d.printed.n("ot_eligible") - d.printed.n("ot_took_part"), basis=ident,
          printed="six"),
        c("shortest_group", 39, "shortest focus group (minutes)", 53,
          lambda d: float(d.groups["duration_min"].min()), unit="minutes", basis=cal),
        c("longest_group", 39, "longest focus group (minutes)", 75,
          lambda d: float(d.groups["duration_min"].max()), unit="minutes", basis=cal),
        c("majority_took_part", 155,
          "the majority of ES and of OT managers took part: 17 of 24 and 11 of 17 (line 39) each "
          "above one half", True,
          lambda d: bool(d.printed.n("es_took_part") / d.printed.n("es_in_post") > 0.5
                         and d.printed.n("ot_took_part") / d.printed.n("ot_eligible") > 0.5),
          unit="yes/no", basis=ident, printed="the majority", lines=(39,)),
    ]


CLAIMS = ClaimSet(key="irish_pilot", title="Irish IPS pilot and focus groups (source 000)",
                  load=load, claims=_claims)

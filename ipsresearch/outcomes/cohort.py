"""What a cohort holds: people, sites, period and jobs, counted from the records.

Reports describe the data they ran on with these numbers (how many people at
how many sites, enrolled when, followed until when, how many jobs), never
with a paper's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsresearch.outcomes._cohort import checked_cohort, owner_rows

__all__ = ["CohortDescription", "describe_cohort", "largest_groups", "sample_participants"]


@dataclass(frozen=True)
class CohortDescription:
    """Counts that describe a cohort of participants and their job spells.

    Attributes
    ----------
    participants : int
        People enrolled.
    sites : int
        Distinct sites.
    first_enrolment, last_enrolment : pandas.Timestamp
        Earliest and latest enrolment date.
    follow_up_end : pandas.Timestamp
        Latest end of follow-up.
    spells : int
        Job spells of any kind.
    paid_competitive : int
        Spells that are paid competitive jobs.
    employed : int
        People with at least one paid competitive job starting within their follow-up.
    by_site : pandas.DataFrame
        ``site, participants, employed``, largest site first (ties by name).
    """

    participants: int
    sites: int
    first_enrolment: pd.Timestamp
    last_enrolment: pd.Timestamp
    follow_up_end: pd.Timestamp
    spells: int
    paid_competitive: int
    employed: int
    by_site: pd.DataFrame

    @property
    def first_year(self) -> int:
        """Year of the first enrolment."""
        return int(self.first_enrolment.year)

    @property
    def last_year(self) -> int:
        """Year follow-up ended (the latest end)."""
        return int(self.follow_up_end.year)

    @property
    def site_sizes(self) -> tuple[int, int, float]:
        """Smallest, largest and median number of participants per site."""
        n = self.by_site["participants"]
        return int(n.min()), int(n.max()), float(n.median())

    def to_frame(self) -> pd.DataFrame:
        """Participants and people employed per site (a fresh copy of :attr:`by_site`)."""
        return self.by_site.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``participants, sites, first_enrolment, last_enrolment, follow_up_end,
        spells, paid_competitive, employed``."""
        return pd.DataFrame([{
            "participants": self.participants, "sites": self.sites,
            "first_enrolment": self.first_enrolment, "last_enrolment": self.last_enrolment,
            "follow_up_end": self.follow_up_end, "spells": self.spells,
            "paid_competitive": self.paid_competitive, "employed": self.employed}])


def describe_cohort(participants: pd.DataFrame, spells: pd.DataFrame, *,
                    validated: bool = False) -> CohortDescription:
    """Count people, sites, the period and the jobs of a cohort.

    Parameters
    ----------
    participants, spells : pandas.DataFrame
        As :data:`ipsresearch.schemas.PARTICIPANTS` and
        :data:`~ipsresearch.schemas.JOB_SPELLS` (``spells`` may have no rows).
    validated : bool
        Both tables are already validated and checked against each other.

    Returns
    -------
    CohortDescription

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b", "c"], "site": ["X", "X", "Y"],
    ...                        "enrolment_date": ["2021-03-01", "2021-05-01", "2022-01-10"],
    ...                        "follow_up_end": ["2023-12-31"] * 3})
    >>> jobs = pd.DataFrame({"spell_id": ["j1"], "participant_id": ["b"],
    ...                      "start_date": ["2021-09-01"], "end_date": [""],
    ...                      "job_type": ["competitive"], "paid": ["true"]})
    >>> about = describe_cohort(people, jobs)
    >>> about.participants, about.sites, about.employed, about.first_year, about.last_year
    (3, 2, 1, 2021, 2023)
    >>> about.to_frame()
      site  participants  employed
    0    X             2         1
    1    Y             1         0
    """
    participants, spells = checked_cohort(participants, spells, validated)
    site = participants["site"].astype(str)
    paid_comp = ((spells["job_type"].astype(str) == "competitive").to_numpy(dtype=bool)
                 & spells["paid"].astype(bool).to_numpy(dtype=bool))
    owner = owner_rows(participants, spells)
    start = spells["start_date"].to_numpy(dtype="datetime64[ns]")
    fu_end = participants["follow_up_end"].to_numpy(dtype="datetime64[ns]")
    within = paid_comp & (owner >= 0)
    within[within] &= start[within] <= fu_end[owner[within]]
    employed = np.zeros(len(participants), dtype=bool)
    employed[owner[within]] = True
    table = (pd.DataFrame({"site": site.to_numpy(), "employed": employed})
             .groupby("site", sort=True)["employed"].agg(participants="size", employed="sum")
             .reset_index())
    table = table.sort_values(["participants", "site"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    table["employed"] = table["employed"].astype(np.int64)
    return CohortDescription(
        participants=len(participants), sites=int(site.nunique()),
        first_enrolment=participants["enrolment_date"].min(),
        last_enrolment=participants["enrolment_date"].max(),
        follow_up_end=participants["follow_up_end"].max(),
        spells=len(spells), paid_competitive=int(paid_comp.sum()),
        employed=int(employed.sum()), by_site=table)


def largest_groups(data: pd.DataFrame, *, column: str = "site", keep: int = 12,
                   other: str = "other sites") -> pd.DataFrame:
    """``data`` with every value of ``column`` outside the ``keep - 1`` largest groups pooled as ``other``.

    For registers with hundreds of sites: an analysis by site then has at most
    ``keep`` groups (the largest sites and one pool of the rest), so tables
    stay short, figures legible and a model by site small. With ``keep`` or
    fewer groups, ``data`` is returned unchanged (a copy). The input is never
    modified. Groups are ranked by size, ties by name.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        Column to pool.
    keep : int
        Groups in the result, counting the pool (at least 2).
    other : str
        Label of the pool; the number of pooled groups is added in brackets.

    Returns
    -------
    pandas.DataFrame
        A copy with ``column`` as text.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"site": list("AAABBC")})
    >>> largest_groups(people, keep=2)["site"].tolist()
    ['A', 'A', 'A', 'other sites (2)', 'other sites (2)', 'other sites (2)']
    """
    from ipsresearch.validation import check_frame, require_columns

    check_frame(data, "data")
    require_columns(data, [column], source="data", allowed=f"a {column} column")
    if not isinstance(keep, int | np.integer) or isinstance(keep, bool) or keep < 2:
        raise ValueError(f"keep {keep!r} must be a whole number of at least 2")
    out = data.copy()
    values = out[column].astype(str)
    sizes = values.value_counts()
    if len(sizes) <= keep:
        out[column] = values
        return out
    ranked = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = {name for name, _ in ranked[: keep - 1]}
    label = f"{other} ({len(sizes) - len(kept)})"
    out[column] = values.where(values.isin(kept), label)
    return out


def sample_participants(participants: pd.DataFrame, spells: pd.DataFrame, *, n: int,
                        seed: int | np.random.Generator = 0
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """At most ``n`` participants drawn at random (seeded), with their job spells.

    For figures that draw one lane per person (a swimmer plot): at registry
    size they show a sample, and say so. With ``n`` or fewer participants
    both tables are returned unchanged (copies).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": list("abcde")})
    >>> jobs = pd.DataFrame({"participant_id": list("aace")})
    >>> few, their_jobs = sample_participants(people, jobs, n=2, seed=1)
    >>> len(few), set(their_jobs["participant_id"]) <= set(few["participant_id"])
    (2, True)
    """
    if len(participants) <= n:
        return participants.copy(), spells.copy()
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(participants), size=n, replace=False))
    chosen = participants.iloc[pick].reset_index(drop=True)
    mine = spells["participant_id"].isin(chosen["participant_id"]).to_numpy(dtype=bool)
    return chosen, spells[mine].reset_index(drop=True)

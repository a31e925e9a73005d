"""Synthetic records of the qualitative studies: rosters, sessions, coded segments, codings.

Every count a paper states is a constraint the records meet exactly (a test
regenerates them with other seeds and recounts); every detail the papers do
not publish is drawn at random under the assumptions listed here. Quotation
text is never reproduced: the ``text`` column holds a placeholder.

Who is quoted under which theme is not typed in here: it is read from the
extracted tables shipped in :mod:`ipsresearch.datasets` (one row per
attribution the paper prints, with its source line), so that the generator and
the claims register never share a typed-in total.

Source 000 (Irish focus groups)
-------------------------------
Published: three themes (line 55); the respondent labels printed under each
theme (lines 61-129, extracted in ``irish_qualitative_attributions.csv``);
two analysts, DS and NL (line 51). The roster is
:func:`ipsresearch.synthetic.irish_pilot.focus_group_roster` (17 ES coded
R1-R17, 11 OT managers coded R1-R11).

Assumptions: besides the 44 printed attributions, each of the 28 participants
has a Poisson number (mean 6) of further coded but unquoted segments; their
theme is drawn in proportion to the theme's printed attributions plus one.
Each segment is coded by DS or NL with equal chance. A sample of 60 segments
is coded independently by both (``double_coding.csv``): each analyst gives
the segment's theme with probability 0.85 and otherwise one of the other two
themes at random (no agreement is published; the planted kappa is
:func:`expected_kappa`).

Source 002 (IPSNOR)
-------------------
Published: 45 employment specialists (ES) at 14 sites, 11 of them supervisors
(lines 13, 43, 51); ages 25 to 55; about 25 women and 20 men; 21 women and 12
men among the 33 who took part in five 90-minute focus groups in January 2020
(lines 51, 59); five moderators (line 59: four authors named at line 417 and
one acknowledged at line 403); eight seminar groups in September 2019; field
work from February 2018 (line 57); 180 pages of notes and transcripts (line
55); four themes, sub-themes under two of them (lines 69-117); four coders,
LR, OLB, MB and CM (lines 63, 417).

Assumptions: sites are placeholders ``Site 01``-``Site 14`` whose sizes are
drawn from 2-6 (mostly 2 or 3, line 43) until they sum to 45; 11 sites have
one supervisor each; ages are uniform between the published bounds, with one
person at each bound; the 33 are split 7, 7, 7, 6, 6 between the groups;
dates within the published months are placeholders (15 January 2020 for the
focus groups, 10 September 2019 for the seminar groups); the documents are 14
observation notes (the first in February 2018, the others up to December
2019), notes from five of the eight seminar groups and its plenary, five
transcripts and one set of moderators' reflections, whose pages (transcripts
weighted 5 times, notes once, reflections 0.75) sum to 180. The paper codes
no quotation, so focus-group participants get synthetic codes ``N01``-``N33``
and each printed quotation is given to a random participant. Each segment
is coded by one of the four coders at random; 80 segments are coded by all
four independently (``multi_coding.csv``), each coder giving the segment's
theme with probability 0.8.

Source 004 (Harkko et al. 2025)
-------------------------------
Published: 37 people targeted, 8 declined or unreachable, 29 interviewed
(line 34): 4 outside experts, 11 site leaders, 6 project managers and team
leaders, 8 frontline workers (lines 5, 35); 14 at their workplace and 15
online (line 35); May to August 2023 (line 35); interviews of individuals,
pairs and groups by one interviewer (line 34), median 72 minutes, range 48 to
120 (line 36); five cases, two more robust, two less robust, one mixed (line
39), two within psychiatric services, two with PES-funded specialists at PES
offices and one employment hub (line 30); three approaches with two
sub-themes each (Table 1, lines 46-53) and the participants quoted under each
(extracted in ``harkko2025_attributions.csv``).

Assumptions: participants are numbered 1-29 (the paper's ``Participant 1`` to
``13`` are the quoted ones); the roles of the quoted follow the text
(Participant 4, introduced both as an employment specialist and as a nursing
director, is taken as a frontline worker); the 16 others and the 8 who
declined get roles at random within the published totals; robustness and
organisation are paired with the cases at random, but the text's statements
are kept: Participants 4 and 7 work in a more robust case, 3, 5, 8 and 10 in
a less robust or mixed one, 11 in a case with PES offices. Site people are
interviewed with colleagues of their case (sessions of 1 to 3, at least one
pair and one group), outside experts alone; durations are drawn between the
published bounds around the published median; settings are drawn until 14
people were met at work; dates are uniform over the four months, with one
interview in May and one in August. All segments are coded by the first
author (JH, line 41); each interviewee has a Poisson (mean 5) number of
unquoted segments.

Source 001 (Moen et al. 2021)
-----------------------------
A meta-ethnography codes findings of primary studies, not transcripts: each
segment is one primary study cited under one key metaphor (extracted in
``moen2021_metaphor_citations.csv``), its respondent the cited study and its
role the actor group. The two analysts (line 215) are assigned at random.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from ipsresearch import datasets, schemas
from ipsresearch.sources import SOURCES
from ipsresearch.synthetic import SyntheticTable, rng
from ipsresearch.synthetic.irish_pilot import focus_group_roster
from ipsresearch.validation import check_choice

__all__ = [
    "coded_segments",
    "expected_kappa",
    "harkko_roster",
    "ipsnor_roster",
    "metaphor_segments",
    "multi_coding",
    "tables",
]

SEEDS = {"irish_pilot": 55, "ipsnor": 2020, "harkko2025": 2023, "moen2021": 2021}
"""Seed of each study's segments (documented in ``datapackage.json``)."""
IPSNOR_SEED = 4302
HARKKO_SEED = 3729
CODING = {"irish_pilot": {"n_items": 60, "accuracy": 0.85, "seed": 51},
          "ipsnor": {"n_items": 80, "accuracy": 0.8, "seed": 63}}
"""The planted agreement samples: items coded by every coder, each coder's accuracy, seed."""

STUDY_TABLES = {
    "irish_pilot": ("irish_qualitative_attributions", "irish_qualitative_themes"),
    "ipsnor": ("ipsnor_quotations", "ipsnor_themes"),
    "harkko2025": ("harkko2025_attributions", "harkko2025_themes"),
}
CODERS = {"irish_pilot": ("DS", "NL"), "ipsnor": ("LR", "OLB", "MB", "CM"), "harkko2025": ("JH",)}
EXTRA_MEAN = {"irish_pilot": 6.0, "ipsnor": 4.0, "harkko2025": 5.0}
PREFIX = {"irish_pilot": "IE", "ipsnor": "NO", "harkko2025": "FI", "moen2021": "ME"}


def _date(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)


def _uniform_dates(g: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[pd.Timestamp]:
    days = (end - start).days
    return [pd.Timestamp(start + dt.timedelta(days=int(x))) for x in g.integers(0, days + 1, size=n)]


# --------------------------------------------------------------------------- source 002 roster


def ipsnor_roster(*, seed: int | np.random.Generator = IPSNOR_SEED
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Employment specialists of Northern Norway, their groups and the study's documents.

    Returns
    -------
    roster : pandas.DataFrame
        45 rows in :data:`ipsresearch.schemas.ROSTER` layout, with site, gender and age.
    groups : pandas.DataFrame
        The five focus groups of January 2020 and the eight seminar groups of
        September 2019 (:data:`ipsresearch.schemas.FOCUS_GROUPS`).
    documents : pandas.DataFrame
        Field notes, transcripts and reflections (:data:`ipsresearch.schemas.DOCUMENTS`).
    """
    g = rng(seed)
    n_es, n_sites, n_sup = 45, 14, 11
    while True:
        sizes = g.choice([2, 3, 4, 5, 6], size=n_sites, p=[0.35, 0.35, 0.15, 0.10, 0.05])
        if sizes.sum() == n_es and np.isin(sizes, [2, 3]).sum() > n_sites / 2:
            break
    site = np.repeat([f"Site {i + 1:02d}" for i in range(n_sites)], sizes)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    sup_sites = np.sort(g.choice(n_sites, size=n_sup, replace=False))
    role = np.array(["employment_specialist"] * n_es, dtype=object)
    for s in sup_sites:
        role[start[s] + g.integers(sizes[s])] = "supervisor"
    gender = np.array(["female"] * 25 + ["male"] * 20, dtype=object)
    g.shuffle(gender)
    took = np.zeros(n_es, dtype=bool)
    for sex, k in (("female", 21), ("male", 12)):
        took[g.choice(np.flatnonzero(gender == sex), size=k, replace=False)] = True
    age = g.integers(26, 55, size=n_es)
    lo, hi = g.choice(n_es, size=2, replace=False)
    age[lo], age[hi] = 25, 55
    members = g.permutation(np.flatnonzero(took))
    group_of = np.array([None] * n_es, dtype=object)
    code = np.array([None] * n_es, dtype=object)
    labels = np.repeat(["FG1", "FG2", "FG3", "FG4", "FG5"], [7, 7, 7, 6, 6])
    for k, person in enumerate(members):
        group_of[person] = labels[k]
    for k, person in enumerate(np.flatnonzero(took)):
        code[person] = f"N{k + 1:02d}"
    roster = pd.DataFrame({
        "person_id": [f"NO-ES{i + 1:02d}" for i in range(n_es)], "role": role,
        "eligible": True, "invited": True, "took_part": took, "group_id": group_of,
        "respondent_code": code, "site": site, "gender": gender, "age": age.astype(np.int64),
    }).reindex(columns=schemas.ROSTER.names)
    fg = pd.DataFrame({
        "group_id": ["FG1", "FG2", "FG3", "FG4", "FG5"], "role": "employment_specialist",
        "moderator": ["CM", "BB", "OLB", "LR", "MA"], "duration_min": 90.0,
        "setting": "second two-day seminar", "kind": "focus_group",
        "date": _date(dt.date(2020, 1, 15)),
    })
    sg = pd.DataFrame({
        "group_id": [f"SG{i}" for i in range(1, 9)], "role": "employment_specialist",
        "moderator": None, "duration_min": np.nan, "setting": "first two-day seminar",
        "kind": "seminar_group", "date": _date(dt.date(2019, 9, 10)),
    })
    groups = pd.concat([sg, fg], ignore_index=True).reindex(columns=schemas.FOCUS_GROUPS.names)
    # documents: observations from February 2018, seminar notes, transcripts, reflections
    obs_dates = [_uniform_dates(g, dt.date(2018, 2, 1), dt.date(2018, 2, 28), 1)[0],
                 *sorted(_uniform_dates(g, dt.date(2018, 3, 1), dt.date(2019, 12, 20), 13))]
    noted = sorted(g.choice(8, size=5, replace=False))
    docs = ([("fieldnotes", d, None) for d in obs_dates]
            + [("fieldnotes", _date(dt.date(2019, 9, 10)), f"SG{i + 1}") for i in noted]
            + [("fieldnotes", _date(dt.date(2019, 9, 11)), None)]
            + [("transcript", _date(dt.date(2020, 1, 15)), f"FG{i}") for i in range(1, 6)]
            + [("reflection_notes", _date(dt.date(2020, 1, 15)), None)])
    weight = np.array([{"fieldnotes": 1.0, "transcript": 5.0, "reflection_notes": 0.75}[k]
                       for k, _, _ in docs])
    pages = 1 + g.multinomial(180 - len(docs), weight / weight.sum())
    documents = pd.DataFrame({
        "document_id": [f"NO-D{i + 1:02d}" for i in range(len(docs))],
        "kind": [k for k, _, _ in docs], "date": [d for _, d, _ in docs],
        "pages": pages.astype(np.int64), "group_id": [x for _, _, x in docs],
    })
    return roster, groups, documents


# --------------------------------------------------------------------------- source 004 roster

_QUOTED_ROLES_004 = {1: "site_leader", 2: "frontline_worker", 3: "frontline_worker",
                     4: "frontline_worker", 5: "frontline_worker", 6: "project_manager",
                     7: "site_leader", 8: "site_leader", 9: "frontline_worker",
                     10: "project_manager", 11: "site_leader", 12: "outside_expert",
                     13: "outside_expert"}
"""Roles of Participants 1-13 as the text introduces them (see the extracted attributions);
Participant 4 is taken as a frontline worker (the text also calls her a nursing director)."""
_ROLE_TOTALS_004 = {"outside_expert": 4, "site_leader": 11, "project_manager": 6, "frontline_worker": 8}
_MORE_ROBUST_004 = (4, 7)
_LESS_ROBUST_004 = (3, 5, 8, 10)
_PES_004 = (11,)


def harkko_roster(*, seed: int | np.random.Generator = HARKKO_SEED
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The five Finnish cases, the 37 people targeted and the interview sessions.

    Returns
    -------
    roster : pandas.DataFrame
        37 rows (:data:`ipsresearch.schemas.ROSTER`); ``site`` is the case.
    interviews : pandas.DataFrame
        One row per interview session (:data:`ipsresearch.schemas.FOCUS_GROUPS`,
        ``kind="interview"``; ``setting`` is ``workplace`` or ``online``).
    cases : pandas.DataFrame
        Five rows (:data:`ipsresearch.schemas.CASES`).
    """
    g = rng(seed)
    case_ids = [f"Case {c}" for c in "ABCDE"]
    cases = pd.DataFrame({
        "case_id": case_ids,
        "organisation": g.permutation(["psychiatric_services"] * 2 + ["pes_office"] * 2
                                      + ["employment_hub"]),
        "robustness": g.permutation(["more_robust"] * 2 + ["less_robust"] * 2 + ["mixed"]),
    })
    # roles of the 29 interviewees: the quoted 13 as the text says, the rest at random
    left = dict(_ROLE_TOTALS_004)
    for r in _QUOTED_ROLES_004.values():
        left[r] -= 1
    rest = g.permutation([r for r, k in sorted(left.items()) for _ in range(k)])
    roles = [_QUOTED_ROLES_004[i] for i in range(1, 14)] + list(rest)
    more = cases.loc[cases["robustness"] == "more_robust", "case_id"].tolist()
    less = cases.loc[cases["robustness"] != "more_robust", "case_id"].tolist()
    pes = cases.loc[cases["organisation"] == "pes_office", "case_id"].tolist()
    while True:  # site people over the cases: every case has a leader and a frontline worker
        site = [None if r == "outside_expert" else case_ids[g.integers(5)] for r in roles]
        for i in _MORE_ROBUST_004:
            site[i - 1] = more[g.integers(len(more))]
        for i in _LESS_ROBUST_004:
            site[i - 1] = less[g.integers(len(less))]
        for i in _PES_004:
            site[i - 1] = pes[g.integers(len(pes))]
        ok = all(any(s == c and r == need for s, r in zip(site, roles, strict=True))
                 for c in case_ids for need in ("site_leader", "frontline_worker"))
        if ok:
            break
    # sessions: colleagues of a case in sessions of 1-3, experts alone
    people = np.arange(29)
    session = np.empty(29, dtype=object)
    while True:
        sizes_all = []
        k = 0
        for c in case_ids:
            members = g.permutation([p for p in people if site[p] == c])
            i = 0
            while i < len(members):
                size = int(min(g.choice([1, 2, 3], p=[0.6, 0.25, 0.15]), len(members) - i))
                sizes_all.append(size)
                for p in members[i:i + size]:
                    session[p] = k
                k += 1
                i += size
        for p in people:
            if site[p] is None:
                session[p] = k
                sizes_all.append(1)
                k += 1
        if 2 in sizes_all and 3 in sizes_all:
            break
    n_sess = k
    sizes = np.bincount(session.astype(np.int64), minlength=n_sess)
    while True:  # settings until 14 people met at their workplace
        at_work = g.random(n_sess) < 0.5
        if sizes[at_work].sum() == 14:
            break
    # durations: published minimum, median and maximum, the rest at random between them
    if n_sess % 2:
        middle = [72]
    else:
        d = int(g.integers(0, 6))
        middle = [72 - d, 72 + d]
    n_side = (n_sess - len(middle)) // 2
    lows = g.integers(48, middle[0] + 1, size=n_side)
    highs = g.integers(middle[-1], 121, size=n_side)
    lows[0], highs[0] = 48, 120
    dur = np.sort(np.concatenate([lows, middle, highs])).astype(float)
    dates = _uniform_dates(g, dt.date(2023, 5, 1), dt.date(2023, 8, 31), n_sess)
    dates[0] = _uniform_dates(g, dt.date(2023, 5, 2), dt.date(2023, 5, 31), 1)[0]
    dates[-1] = _uniform_dates(g, dt.date(2023, 8, 1), dt.date(2023, 8, 31), 1)[0]
    sess_ids = [f"I{i + 1:02d}" for i in g.permutation(n_sess)]  # interview order is random
    interviews = pd.DataFrame({
        "group_id": sess_ids,
        "role": [_session_role(session, roles, i) for i in range(n_sess)],
        "moderator": "JH", "duration_min": dur[g.permutation(n_sess)],
        "setting": np.where(at_work, "workplace", "online"), "kind": "interview",
    }).sort_values("group_id", ignore_index=True)
    interviews["date"] = sorted(dates)
    interviews = interviews.reindex(columns=schemas.FOCUS_GROUPS.names)
    # the 8 who declined or could not be reached
    declined = g.choice(list(_ROLE_TOTALS_004), size=8,
                        p=np.array(list(_ROLE_TOTALS_004.values())) / 29)
    roster = pd.DataFrame({
        "person_id": [f"FI-{i + 1:02d}" for i in range(37)],
        "role": roles + list(declined),
        "eligible": True, "invited": True,
        "took_part": [True] * 29 + [False] * 8,
        "group_id": [sess_ids[int(s)] for s in session] + [None] * 8,
        "respondent_code": [f"Participant {i + 1}" for i in range(29)] + [None] * 8,
        "site": site + [None if r == "outside_expert" else case_ids[g.integers(5)] for r in declined],
    }).reindex(columns=schemas.ROSTER.names)
    return roster, interviews, cases


def _session_role(session: np.ndarray, roles: list[str], i: int) -> str:
    """Role of a joint session: the most senior role present (leader > manager > frontline)."""
    present = {roles[p] for p in np.flatnonzero(session == i)}
    for r in ("site_leader", "project_manager", "frontline_worker", "outside_expert"):
        if r in present:
            return r
    return "frontline_worker"  # pragma: no cover


# --------------------------------------------------------------------------- coded segments


def _participants(study: str, roster: pd.DataFrame | None = None) -> pd.DataFrame:
    if roster is None:
        make = {"irish_pilot": focus_group_roster, "ipsnor": ipsnor_roster,
                "harkko2025": harkko_roster}[study]
        roster = make()[0]
    return roster.loc[roster["took_part"], ["role", "respondent_code"]].reset_index(drop=True)


def coded_segments(
    study: str,
    *,
    seed: int | np.random.Generator | None = None,
    roster: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Coded segments of source 000 (``irish_pilot``), 002 (``ipsnor``) or 004 (``harkko2025``).

    Every attribution the paper prints becomes one quoted segment under its
    theme and sub-theme; every theme and sub-theme the paper names gets at
    least one segment; the rest (unquoted segments, coders, order) is random.

    Parameters
    ----------
    study : {"irish_pilot", "ipsnor", "harkko2025"}
    seed : int or numpy.random.Generator, optional
        Defaults to the study's seed in :data:`SEEDS`.
    roster : pandas.DataFrame, optional
        The study's roster (default: the shipped one, from its generator with its own seed).

    Returns
    -------
    pandas.DataFrame
        :data:`ipsresearch.schemas.SEGMENTS` layout.
    """
    check_choice("study", study, STUDY_TABLES)
    g = rng(SEEDS[study] if seed is None else seed)
    attr_name, theme_name = STUDY_TABLES[study]
    attr = datasets.load(attr_name)
    structure = datasets.load(theme_name)
    people = _participants(study, roster)
    by_pair = {(r, c): r for r, c in zip(people["role"], people["respondent_code"], strict=True)}
    by_code: dict[str, list[str]] = {}
    for r, c in zip(people["role"], people["respondent_code"], strict=True):
        by_code.setdefault(c, []).append(r)
    rows = []
    for a in attr.itertuples(index=False):
        if pd.isna(a.respondent):  # anonymous quotation: a random participant of that role
            pool = people.loc[people["role"] == a.role, "respondent_code"].tolist() or \
                people["respondent_code"].tolist()
            code = pool[g.integers(len(pool))]
            role = by_code[code][0]
        elif (a.role, a.respondent) in by_pair:
            code, role = a.respondent, a.role
        elif len(by_code.get(a.respondent, [])) == 1:
            code, role = a.respondent, by_code[a.respondent][0]
        else:
            raise ValueError(f"{attr_name}: respondent {a.respondent} ({a.role}) is not in the roster")
        rows.append((code, role, a.theme, a.sub_theme, True, a.source_line))
    # every theme and sub-theme named by the paper holds at least one segment
    cells = _cells(structure)
    seen = {(t, s) for _, _, t, s, _, _ in rows}
    codes = people["respondent_code"].tolist()
    for t, s in cells:
        if (t, s) not in seen:
            k = g.integers(len(codes))
            rows.append((codes[k], people["role"].iloc[k], t, s, False, None))
    # further coded segments, unquoted
    themes = list(dict.fromkeys(structure["theme"]))
    quoted_per_theme = attr["theme"].value_counts().reindex(themes, fill_value=0).to_numpy(dtype=float)
    p_theme = (quoted_per_theme + 1) / (quoted_per_theme + 1).sum()
    subs = {t: [s for tt, s in cells if tt == t and s is not None] for t in themes}
    extra = g.poisson(EXTRA_MEAN[study], size=len(people))
    for k, n in enumerate(extra):
        for t in g.choice(len(themes), size=int(n), p=p_theme):
            theme = themes[t]
            options = subs[theme]
            sub = None if not options or g.random() < 0.2 else options[g.integers(len(options))]
            rows.append((codes[k], people["role"].iloc[k], theme, sub, False, None))
    return _finish(rows, study, CODERS[study], g)


def _cells(structure: pd.DataFrame) -> list[tuple[str, str | None]]:
    """Theme/sub-theme cells: the sub-themes, and themes that have none."""
    cells = []
    for t in dict.fromkeys(structure["theme"]):
        sub = structure.loc[(structure["theme"] == t) & structure["sub_theme"].notna(), "sub_theme"]
        cells.extend([(t, s) for s in sub] if len(sub) else [(t, None)])
    return cells


def _finish(rows: list[tuple], study: str, coders: tuple[str, ...], g: np.random.Generator) -> pd.DataFrame:
    order = g.permutation(len(rows))
    ids = [f"{PREFIX[study]}-S{i + 1:04d}" for i in range(len(rows))]
    out = pd.DataFrame({
        "segment_id": ids,
        "study": study,
        "respondent": [rows[i][0] for i in order],
        "role": [rows[i][1] for i in order],
        "theme": [rows[i][2] for i in order],
        "sub_theme": [rows[i][3] for i in order],
        "coder": [coders[j] for j in g.integers(len(coders), size=len(rows))],
        "quoted": [rows[i][4] for i in order],
        "source_line": pd.array([rows[i][5] for i in order], dtype="Int64"),
        "text": [f"[placeholder: text of {s} not reproduced]" for s in ids],
    })
    return out.reindex(columns=schemas.SEGMENTS.names)


def metaphor_segments(*, seed: int | np.random.Generator = SEEDS["moen2021"]) -> pd.DataFrame:
    """Source 001's key metaphors: one segment per primary study cited under a metaphor.

    Returns
    -------
    pandas.DataFrame
        :data:`ipsresearch.schemas.SEGMENTS` layout; ``respondent`` is the cited
        study, ``role`` the actor group, ``theme`` the metaphor.
    """
    g = rng(seed)
    cites = datasets.load("moen2021_metaphor_citations")
    rows = [(f"{c.first_author} {c.year} [{c.reference}]", c.role, c.metaphor, None, True, c.source_line)
            for c in cites.itertuples(index=False)]
    return _finish(rows, "moen2021", ("EAM", "LTW"), g)


# --------------------------------------------------------------------------- agreement samples


def multi_coding(
    segments: pd.DataFrame,
    *,
    coders: tuple[str, ...],
    n_items: int,
    accuracy: float,
    seed: int | np.random.Generator,
) -> pd.DataFrame:
    """An independently multi-coded sample of segments with planted agreement.

    Each coder gives a sampled segment its theme with probability
    ``accuracy`` and otherwise one of the other themes at random.

    Returns
    -------
    pandas.DataFrame
        :data:`ipsresearch.schemas.CODINGS` layout, sorted by segment and coder.
    """
    g = rng(seed)
    themes = sorted(segments["theme"].unique())
    pick = np.sort(g.choice(len(segments), size=n_items, replace=False))
    truth = segments["theme"].to_numpy()[pick]
    ids = segments["segment_id"].to_numpy()[pick]
    rows = []
    for item, t in zip(ids, truth, strict=True):
        others = [x for x in themes if x != t]
        for c in coders:
            code = t if g.random() < accuracy else others[g.integers(len(others))]
            rows.append((item, c, code))
    return pd.DataFrame(rows, columns=["segment_id", "coder", "code"])


def expected_kappa(shares: np.ndarray, accuracy: float) -> float:
    """Population kappa planted by :func:`multi_coding` for true theme shares ``shares``.

    With ``K`` themes, accuracy ``a`` and errors spread evenly over the other
    themes, two coders agree with probability ``a**2 + (1 - a)**2 / (K - 1)``
    and each gives theme ``k`` with probability
    ``q_k = a * p_k + (1 - a) * (1 - p_k) / (K - 1)``; chance agreement is
    ``sum(q_k**2)``. Cohen's and Fleiss' kappa both estimate this value.

    Examples
    --------
    >>> round(expected_kappa([0.5, 0.5], 0.9), 4)
    0.64
    """
    p = np.asarray(shares, dtype=float)
    p = p / p.sum()
    k = len(p)
    p_o = accuracy**2 + (1 - accuracy) ** 2 / (k - 1)
    q = accuracy * p + (1 - accuracy) * (1 - p) / (k - 1)
    p_e = float((q**2).sum())
    return (p_o - p_e) / (1 - p_e)


# --------------------------------------------------------------------------- data package


def tables() -> list[SyntheticTable]:
    """The tables this module writes to ``data_synthetic/``."""
    gen = "ipsresearch.synthetic.qualitative."
    ipsnor = functools.cache(ipsnor_roster)
    harkko = functools.cache(harkko_roster)
    rosters = {"irish_pilot": lambda: None, "ipsnor": lambda: ipsnor()[0],
               "harkko2025": lambda: harkko()[0]}

    @functools.cache
    def segments(study: str) -> pd.DataFrame:
        return coded_segments(study, roster=rosters[study]())

    def segment_table(folder: str, study: str, source: str, what: str) -> SyntheticTable:
        return SyntheticTable(f"{folder}/coded_segments.csv", schemas.SEGMENTS,
                              lambda: segments(study), gen + "coded_segments", SEEDS[study],
                              source, f"Coded segments of {what}; quoted ones follow the paper")

    def coding_table(path: str, study: str, source: str, who: str) -> SyntheticTable:
        plan = CODING[study]
        return SyntheticTable(path, schemas.CODINGS,
                              lambda: multi_coding(segments(study), coders=CODERS[study], **plan),
                              gen + "multi_coding", plan["seed"], source,
                              f"{plan['n_items']} segments coded independently by {who} "
                              "(agreement not published)")

    s000, s001, s002, s004 = (SOURCES[k].file for k in ("irish_pilot", "moen2021", "ipsnor",
                                                          "harkko2025"))
    return [
        segment_table("irish_qualitative", "irish_pilot", s000, "the Irish focus groups"),
        coding_table("irish_qualitative/double_coding.csv", "irish_pilot", s000, "both analysts"),
        SyntheticTable("ipsnor/roster.csv", schemas.ROSTER, lambda: ipsnor()[0],
                       gen + "ipsnor_roster", IPSNOR_SEED, s002,
                       "The 45 employment specialists of Northern Norway (IPSNOR)"),
        SyntheticTable("ipsnor/focus_groups.csv", schemas.FOCUS_GROUPS, lambda: ipsnor()[1],
                       gen + "ipsnor_roster", IPSNOR_SEED, s002,
                       "Seminar groups of September 2019 and focus groups of January 2020"),
        SyntheticTable("ipsnor/documents.csv", schemas.DOCUMENTS, lambda: ipsnor()[2],
                       gen + "ipsnor_roster", IPSNOR_SEED, s002,
                       "Field notes, transcripts and reflections, 180 pages in all"),
        segment_table("ipsnor", "ipsnor", s002, "the IPSNOR focus groups"),
        coding_table("ipsnor/multi_coding.csv", "ipsnor", s002, "the four coders"),
        SyntheticTable("harkko2025/roster.csv", schemas.ROSTER, lambda: harkko()[0],
                       gen + "harkko_roster", HARKKO_SEED, s004,
                       "The 37 people targeted for interview in the five Finnish cases"),
        SyntheticTable("harkko2025/interviews.csv", schemas.FOCUS_GROUPS, lambda: harkko()[1],
                       gen + "harkko_roster", HARKKO_SEED, s004,
                       "Interview sessions (individuals, pairs, groups), May to August 2023"),
        SyntheticTable("harkko2025/cases.csv", schemas.CASES, lambda: harkko()[2],
                       gen + "harkko_roster", HARKKO_SEED, s004,
                       "The five cases: organisation and robustness of sustainment"),
        segment_table("harkko2025", "harkko2025", s004, "the Finnish interviews"),
        SyntheticTable("moen2021_metaphors/coded_segments.csv", schemas.SEGMENTS,
                       metaphor_segments, gen + "metaphor_segments", SEEDS["moen2021"], s001,
                       "Primary studies cited under each key metaphor of the meta-ethnography"),
    ]

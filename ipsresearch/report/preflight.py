"""Preflight of a user's data folder: load it with the study loaders before anything runs.

``ipsresearch build --param data_dir=DIR`` and ``ipsresearch verify
--data-dir DIR`` call :func:`check_data_dir` first, so that bad data are
reported as file, row and column (and the command exits 2 writing nothing)
instead of as an error inside a kernel or a failed claim. For a build, only
the studies the selected notebooks use are checked; which ones is read from
the notebooks' code cells (the ``from ipsresearch.studies import ...`` lines
and the ``<study>.load(data_dir...)`` calls) and from the report each claim
names.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ipsresearch.studies import MODULES, claim_sets
from ipsresearch.validation import InputError, Problem

__all__ = ["check_data_dir", "check_folder"]

_STUDIES_IMPORT = re.compile(r"from\s+ipsresearch\.studies\s+import\s+\(?([\w\s,]+?)\)?\s*(?:#|$)", re.M)
_STUDY_LOAD = re.compile(r"\b(\w+)\.load\(\s*data_dir\b")


def _studies_used(notebook: Path) -> set[str]:
    """Study modules a notebook loads with its ``data_dir`` or whose claims it shows."""
    short = {m.rsplit(".", 1)[1]: m for m in MODULES}
    try:
        cells = json.loads(notebook.read_bytes()).get("cells", [])
    except (OSError, ValueError):
        return set()  # the builder reports an unreadable notebook itself
    code = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
    imported: dict[str, str] = {}
    for group in _STUDIES_IMPORT.findall(code):
        for part in group.replace("\n", " ").split(","):
            words = part.split()
            if words and words[0] in short:
                imported[words[-1]] = short[words[0]]
    used = {imported[name] for name in _STUDY_LOAD.findall(code) if name in imported}
    for module, cs in zip(MODULES, claim_sets(), strict=True):
        if any(c.report == notebook.stem for c in cs.claims()):
            used.add(module)
    return used


def check_data_dir(
    data_dir: str | os.PathLike,
    *,
    notebooks: Iterable[str | os.PathLike] | None = None,
    sets: Iterable[str] | None = None,
) -> list[str]:
    """Load a user's data directory with the study loaders before anything runs on it.

    ``ipsresearch build --param data_dir=DIR`` and ``ipsresearch verify
    --data-dir DIR`` call this first, so that bad data are reported as file,
    row and column (and the command exits 2 writing nothing) instead of as an
    error inside a kernel or a failed claim.

    Parameters
    ----------
    data_dir : path-like
        A directory laid out like ``data_synthetic/`` (or, for the cohort,
        one holding ``participants.csv`` and ``job_spells.csv``).
    notebooks : iterable of path-like, optional
        Check only the studies these notebooks use: those whose ``load`` a
        notebook calls with ``data_dir`` and those whose claims it shows.
    sets : iterable of str, optional
        Check only these claim sets (their keys, as ``ipsresearch verify
        --only`` takes them). Default, with neither option: every registered study.

    Returns
    -------
    list of str
        The study modules that loaded cleanly, in registration order.

    Raises
    ------
    InputError
        Every problem of every study checked (each study's loader stops at
        its first bad file). When no study loads, only the first study's
        problems: the folder is most likely the wrong one. When some studies
        load and others lack their files, a last line names the claim sets
        whose files are missing (and, when checking claim sets, the
        ``--only`` that checks the others). Also a ``data_dir`` that is not a
        directory.

    Examples
    --------
    >>> check_data_dir("no/such/folder")
    Traceback (most recent call last):
    ...
    ipsresearch.validation.InputError: 1 problem in no/such/folder:
      - no/such/folder: directory does not exist (allowed: a directory laid out like data_synthetic/)
    """
    src = str(data_dir)
    path = Path(data_dir)
    allowed = "a directory laid out like data_synthetic/"
    if not path.exists():
        raise InputError([Problem(src, None, None, "directory does not exist", allowed)])
    if not path.is_dir():
        raise InputError([Problem(src, None, None, "is a file, not a directory", allowed)])
    wanted = set(MODULES)
    if notebooks is not None:
        wanted &= set().union(*(_studies_used(Path(nb)) for nb in notebooks))
    chosen = {m: cs for m in MODULES if m in wanted
              if (cs := importlib.import_module(m).CLAIMS).reads_data_dir}  # others ship their data
    if sets is not None:
        keys = set(sets)
        chosen = {m: cs for m, cs in chosen.items() if cs.key in keys}
    problems: list[Problem] = []
    checked: list[str] = []
    lacking: list[str] = []
    first: InputError | None = None
    for module, cs in chosen.items():
        try:
            cs.load(path)
        except InputError as exc:
            first = first or exc
            problems.extend(p for p in exc.problems if p not in problems)
            if all(p.message.startswith("file does not exist") for p in exc.problems):
                lacking.append(cs.key)
        else:
            checked.append(module)
    if first is not None and not checked:
        raise first
    if problems:
        if lacking:
            note = (f"this folder lacks the files of claim set{'s' if len(lacking) > 1 else ''} "
                    f"{', '.join(lacking)}")
            if notebooks is None:
                note += ("; to check only the others, add --only "
                         + " ".join(cs.key for cs in chosen.values() if cs.key not in lacking))
            problems.append(Problem(src, None, None, note))
        raise InputError(problems, source=src)
    return checked


_OTHER_TABLES = {
    "screening_log": "SCREENING_LOG", "roster": "ROSTER", "focus_group_roster": "ROSTER",
    "focus_groups": "FOCUS_GROUPS", "interviews": "FOCUS_GROUPS", "coded_segments": "SEGMENTS",
    "double_coding": "CODINGS", "multi_coding": "CODINGS", "documents": "DOCUMENTS",
    "cases": "CASES", "trial_arms": "TRIAL_ARMS",
}
"""Tables other than the cohort and the fidelity reviews that a folder may hold, by file name."""


def check_folder(data_dir: str | os.PathLike) -> list[str]:
    """Check every table a programme's folder holds, without building anything.

    The tables are recognised by name, in any format :mod:`ipsresearch.readers`
    reads: the cohort (``participants``, ``job_spells``, with the checks
    between them), the fidelity ``reviews`` and ``ratings`` (in the folder or
    its ``fidelity/`` subfolder) and the other tables of ``data_synthetic/``'s
    layout (rosters, focus groups, coded segments, screening logs, ...).

    Returns
    -------
    list of str
        One line per table read (file, rows) and per decision the reader made.

    Raises
    ------
    InputError
        Every problem of every table and between tables; also a folder that
        does not exist or holds no table of the package.
    """
    from ipsresearch import readers, schemas
    from ipsresearch.studies import fidelity_claims, irish_pilot

    src = str(data_dir)
    path = Path(data_dir)
    allowed = "a folder holding participants and job_spells (or other tables of the README)"
    if not path.exists():
        raise InputError([Problem(src, None, None, "directory does not exist", allowed)])
    if not path.is_dir():
        raise InputError([Problem(src, None, None, "is a file, not a directory", allowed)])
    folder = readers.Folder(path)
    tables: dict[str, Any] = {}
    if folder.exists("participants") or folder.exists("job_spells"):
        tables["participants"], tables["job_spells"] = irish_pilot.read_cohort(folder)
    fidelity_dir = path / "fidelity" if (path / "fidelity").is_dir() else path
    fid = readers.Folder(fidelity_dir)
    fidelity_rows: dict[str, int] = {}
    if fid.exists("reviews") or fid.exists("ratings"):
        try:
            data = fidelity_claims.load(path)
            fidelity_rows = {"reviews": len(data.reviews), "ratings": len(data.ratings)}
        except InputError as exc:
            folder.problems += exc.problems
    for name, schema in _OTHER_TABLES.items():
        if folder.exists(name):
            tables[name] = folder.table(name, getattr(schemas, schema))
    if not tables and not fid.exists("reviews") and not fid.exists("ratings") and not folder.problems:
        folder.problems.append(Problem(src, None, None, "holds no table this package reads "
                                       "(e.g. participants.csv, job_spells.csv, fidelity/ratings.csv)",
                                       allowed))
    folder.done()
    lines = []
    for name, frame in tables.items():
        info = folder.read.get(name, {})
        lines.append(f"{info.get('source', name)}: {len(frame):,} rows")
    lines += [f"{name} (fidelity): {n:,} {'reviews' if name == 'reviews' else 'ratings rows'}"
              for name, n in fidelity_rows.items()]
    lines += folder.notes
    return lines

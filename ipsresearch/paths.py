"""Every path the package uses, anchored at the package, never absolute.

The project keeps generated synthetic data in ``data_synthetic/`` and reports
in ``reports/`` at the repository root (the directory holding
``pyproject.toml``). The source papers' texts live in ``../shared/seeds/``
beside the repository when the project is checked out for development.

Every file the package writes goes through :func:`atomic_path` (or
:func:`write_bytes`, built on it): the data is written to a temporary file in
the target's directory and renamed over the target (``os.replace`` is atomic
on POSIX and Windows), so an interrupted run leaves each file either as it was
or complete, never truncated.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""Directory of the installed ``ipsresearch`` package."""

ROOT = PACKAGE_DIR.parent
"""Repository root when the package is used from a checkout (editable install)."""

DATASETS_DIR = PACKAGE_DIR / "datasets"
"""Extracted tables shipped with the package (what the papers print)."""

DATA_SYNTHETIC = ROOT / "data_synthetic"
"""Generated synthetic records, committed and regenerable byte for byte."""

NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"


SYNTHETIC_PACKAGE = "ipsresearch-synthetic"
"""``name`` in the ``datapackage.json`` that :func:`ipsresearch.synthetic.write_all` writes."""


def is_synthetic(data_dir: str | os.PathLike | None, subdir: str | None = None) -> bool:
    """Whether ``data_dir`` holds the synthetic records this package generates for the papers.

    True for ``None`` (the shipped ``data_synthetic/``) and for a folder whose
    ``datapackage.json`` (or, for a study's own folder such as
    ``.../irish_pilot``, its parent's) is named :data:`SYNTHETIC_PACKAGE` and,
    when ``subdir`` is given, lists a file of that study. Everything else is a
    programme's (or a researcher's) own data: reports then describe those data
    and check no paper's claims against them.

    Examples
    --------
    >>> is_synthetic(None), is_synthetic(DATA_SYNTHETIC, "irish_pilot")
    (True, True)
    >>> import tempfile
    >>> is_synthetic(tempfile.mkdtemp())
    False
    """
    if data_dir is None:
        return True
    root = Path(data_dir)
    own = _synthetic_files(root)
    if own is not None:
        return subdir is None or any(p.startswith(f"{subdir}/") for p in own)
    above = _synthetic_files(root.parent)
    return above is not None and any(p.startswith(f"{root.name}/") for p in above)


def _synthetic_files(folder: Path) -> list[str] | None:
    """Paths listed by ``folder/datapackage.json`` when it is this package's synthetic data."""
    import json

    meta = folder / "datapackage.json"
    try:
        if not meta.is_file() or meta.stat().st_size > 16 * 2**20:
            return None
        package = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(package, dict) or package.get("name") != SYNTHETIC_PACKAGE:
        return None
    return [str(r.get("path", "")) for r in package.get("resources", []) if isinstance(r, dict)]


def sources_dir() -> Path:
    """Directory of the source papers as plain text (``NNN_<hash>.txt``, see :mod:`ipsresearch.sources`).

    ``IPSRESEARCH_SOURCES`` (or the older ``IPSRESEARCH_SEEDS``) overrides the
    default ``<root>/../shared/seeds``. The directory may be absent (an
    installed package); callers that need it must check ``exists()``.
    """
    env = os.environ.get("IPSRESEARCH_SOURCES") or os.environ.get("IPSRESEARCH_SEEDS")
    return Path(env) if env else ROOT.parent / "shared" / "seeds"


def seeds_dir() -> Path:
    """Deprecated name of :func:`sources_dir`; removed in the next release."""
    import warnings

    warnings.warn("ipsresearch.paths.seeds_dir() is deprecated and will be removed in the next "
                  "release; use sources_dir()", DeprecationWarning, stacklevel=2)
    return sources_dir()


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Resolve the directory of synthetic or user data.

    Parameters
    ----------
    path : str or path-like, optional
        A user's directory of CSVs in the documented schemas. ``None`` means
        the shipped ``data_synthetic/``.
    """
    return DATA_SYNTHETIC if path is None else Path(path)


TMP_PREFIX = "."
TMP_TAG = ".ipsresearch-"
TMP_SUFFIX = ".tmp"
TMP_GLOB = f"{TMP_PREFIX}*{TMP_TAG}*{TMP_SUFFIX}"
"""Temporary files are named ``.<name>.ipsresearch-<random>.tmp`` beside their target, so that
a sweep of the ones a killed run left (:func:`ipsresearch.report.store.remove_stale_temporaries`)
can tell them from anyone else's ``.*.tmp`` files."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces ``path`` when the block succeeds.

    The caller writes the whole file to the path it is given (with any
    writer: ``open``, ``pyarrow.parquet.write_table``, ...). On success the
    file is made readable (mode 644) and renamed over ``path``; on any
    exception, ``KeyboardInterrupt`` included, it is deleted and ``path`` is
    left as it was. Missing parent directories are created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("complete")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('complete', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TMP_PREFIX}{path.name}{TMP_TAG}",
                               suffix=TMP_SUFFIX)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds exactly these bytes.

    Returns
    -------
    bool
        ``True`` when the file was written, ``False`` when it was already up to date
        (and was not touched).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_bytes(d / "a.txt", b"x"), write_bytes(d / "a.txt", b"x"), write_bytes(d / "a.txt", b"y")
    (True, False, True)
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    path = Path(path)
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
    return True


# --------------------------------------------------------------------------- files read

READ_LOG_ENV = "IPSRESEARCH_READ_LOG"
"""In a kernel the report builder started: the file that :func:`note_read` appends to."""
READ_ROOTS_ENV = "IPSRESEARCH_READ_ROOTS"
"""With :data:`READ_LOG_ENV`: the folders and files whose reads are logged (``os.pathsep``-separated)."""

_recorders = threading.local()
_log: dict[str, object] = {"fd": None, "roots": (), "seen": set()}


def note_read(path: str | os.PathLike) -> None:
    """Record that the analysis reads ``path``, for the provenance of a report.

    Every reader of the package calls this with each data file it opens (a
    reader that opens files from C, such as a Parquet or SPSS reader, must:
    nothing else sees those reads). The report builder lists exactly these
    files in a report's provenance, so that other files of a user's folder
    never appear in a page meant to be shared. Outside a build this does
    nothing but note the path in the active :func:`recording`, if any.

    Examples
    --------
    >>> with recording() as read:
    ...     note_read("data_synthetic/irish_pilot/participants.csv")
    >>> [p.endswith("participants.csv") for p in read]
    [True]
    """
    if getattr(_recorders, "probing", 0):
        return
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    text = os.path.abspath(os.fspath(path))
    for record in getattr(_recorders, "active", ()):
        record.add(text)
    fd = _log["fd"]
    if fd is not None and text not in _log["seen"] and _under(text, _log["roots"]):
        _log["seen"].add(text)
        os.write(fd, (text + "\n").encode("utf-8", "surrogateescape"))


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """Collect the absolute paths of the files read in this thread while the block runs.

    Both what readers report with :func:`note_read` and what is opened for
    reading from Python (``open``, pandas, zipfile: an audit hook, installed
    on first use, sees it), except while :func:`probing`. The report builder
    records this way which data files the claims register read.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = Path(d, "sites.csv").write_text("site\\nA\\n")
    ...     with recording() as read:
    ...         with open(Path(d, "sites.csv")) as fh:
    ...             _ = fh.read()
    ...     [os.path.basename(p) for p in read]
    ['sites.csv']
    """
    _install_hook()
    record: set[str] = set()
    active = getattr(_recorders, "active", ())
    _recorders.active = (*active, record)
    try:
        yield record
    finally:
        _recorders.active = active


@contextlib.contextmanager
def probing() -> Iterator[None]:
    """Files opened in this thread while the block runs are not :func:`note_read` reads.

    For a reader that opens files only to find out what they are (the sheet
    names of every workbook in a folder, to find the one a table is in):
    the files it then does not use must not appear in a report's provenance.

    Examples
    --------
    >>> with recording() as read:
    ...     with probing():
    ...         note_read("salary_2024.xlsx")
    ...     note_read("participants.csv")
    >>> [os.path.basename(p) for p in read]
    ['participants.csv']
    """
    _recorders.probing = getattr(_recorders, "probing", 0) + 1
    try:
        yield
    finally:
        _recorders.probing -= 1


def _audit(event: str, args: tuple) -> None:
    """An audit hook: every file opened for reading under the logged roots counts as read
    (catches what a notebook or a library reads without :func:`note_read`)."""
    if event != "open":
        return
    path, mode, flags = (tuple(args) + (None, None, None))[:3]
    if isinstance(path, int) or path is None:
        return
    if isinstance(mode, str):
        if any(c in mode for c in "wax+"):
            return
    elif isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
        return
    try:
        note_read(path)
    except (TypeError, ValueError, OSError):
        pass


def start_read_log() -> bool:
    """In a kernel started by the report builder, log every data file read (idempotent).

    Reads :data:`READ_LOG_ENV` and :data:`READ_ROOTS_ENV`; without them
    nothing happens and ``False`` is returned. The log gets one absolute path
    per line, each once, for files under the roots only.
    """
    if _log["fd"] is not None:
        return True
    log = os.environ.get(READ_LOG_ENV)
    if not log:
        return False
    roots = tuple(os.path.abspath(r) for r in os.environ.get(READ_ROOTS_ENV, "").split(os.pathsep) if r)
    _log["roots"] = roots
    _log["fd"] = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                         0o600)
    _install_hook()
    return True


_hook = {"installed": False}


def _install_hook() -> None:
    """Add :func:`_audit` as an audit hook, once per process (a hook cannot be removed; it
    does nothing outside a :func:`recording` or a kernel's read log)."""
    if not _hook["installed"]:
        sys.addaudithook(_audit)
        _hook["installed"] = True


start_read_log()

"""Files the builder writes: only into a folder that is its own, atomically, one build at a time.

Whose folder
    A build writes only into a folder that is new or empty, the checkout's
    ``reports/``, or one an earlier build wrote, which holds the marker file
    :data:`MARKER`; it refuses any other folder that holds files, and every
    folder inside the package's source tree (``ipsresearch/``,
    ``data_synthetic/``, ``notebooks/``, ``tests/``, ...) but ``reports/`` and
    the ``reports-NAME/`` folders beside it, and the data and notebook
    folders themselves (:func:`check_out_dir`). In its folder it replaces or
    removes only what it writes: the pages, ``index.html``,
    ``manifest.json``, ``_executed/``, ``_failed/`` and its own temporary files.

One build at a time
    While a build reads the manifest and writes the pages, index and
    manifest it holds an exclusive lock (``flock``) on the marker file
    (:func:`claim`). A second build into the same folder does not wait: it
    stops at once (exit status 2) naming the process that holds the lock, so
    that the index never describes pages another build is replacing.

Atomic writes
    Every output goes through :func:`ipsresearch.paths.write_bytes`: it is
    written to a temporary file in the same directory and then renamed over the
    target, so that a build interrupted by Ctrl-C or ``kill`` leaves each file
    either as it was or complete, never truncated. A file whose new bytes equal
    the old ones is not written at all, so a rebuild where nothing changed
    touches no file.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ipsresearch.paths import REPORTS_DIR, ROOT, TMP_GLOB, write_bytes
from ipsresearch.report.parameters import OptionError

__all__ = ["MANIFEST", "MARKER", "OutputFolderError", "check_out_dir", "claim", "is_ours",
           "read_manifest", "remove_stale_temporaries", "write_json", "write_text"]

MANIFEST = "manifest.json"
MARKER = ".ipsresearch-output"
"""The file that marks a folder as a build's output, and the file its lock is held on."""
MARKER_TEXT = (
    "This folder holds reports written by `ipsresearch build`.\n"
    "The builder writes only into a new or empty folder, reports/, or a folder holding this file,\n"
    "and here it replaces or removes only what it wrote: the pages, index.html, manifest.json,\n"
    "_executed/, _failed/ and its own .*.ipsresearch-*.tmp files. A build in progress holds a\n"
    "lock on this file.\n"
)
_GENERATOR = "ipsresearch report builder"
_ALLOWED = (f"a new or empty folder, reports/, or a folder an earlier build wrote (it holds {MARKER})")


class OutputFolderError(OptionError):
    """The builder may not write into this folder (commands exit with status 2)."""


def write_text(path: str | os.PathLike, text: str) -> bool:
    """:func:`ipsresearch.paths.write_bytes` for UTF-8 text: ``True`` when the file was written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_text(d / "a.txt", "x"), write_text(d / "a.txt", "x"), write_text(d / "a.txt", "y")
    (True, False, True)
    """
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: Any) -> bool:
    """:func:`write_text` for JSON with sorted keys and a final newline (byte-stable)."""
    text = json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return write_text(path, text + "\n")


def read_manifest(out_dir: str | os.PathLike) -> dict[str, Any]:
    """The manifest of a previous build in ``out_dir`` (empty when absent or unreadable)."""
    try:
        data = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remove_stale_temporaries(directory: str | os.PathLike) -> list[Path]:
    """Delete the temporary files a killed build left behind in its output folder.

    Only in a folder that is a build's own (:func:`is_ours`), only files named
    as :func:`ipsresearch.paths.atomic_path` names them
    (``.<name>.ipsresearch-<random>.tmp``), and only regular files of this
    user: another program's ``.draft.tmp`` is left alone. The caller holds the
    folder's lock (:func:`claim`), so no running build is writing them.
    """
    directory = Path(directory)
    removed: list[Path] = []
    if not is_ours(directory):
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for sub in (directory, directory / "_executed", directory / "_failed"):
        if not sub.is_dir() or sub.is_symlink():
            continue
        for p in sub.glob(TMP_GLOB):
            with contextlib.suppress(OSError):
                st = p.lstat()
                if stat.S_ISREG(st.st_mode) and (uid is None or st.st_uid == uid):
                    p.unlink()
                    removed.append(p)
    return removed


# --------------------------------------------------------------------------- whose folder


def is_ours(directory: str | os.PathLike) -> bool:
    """True for a folder a build may write into as its own output folder.

    That is ``reports/`` of the checkout, a folder holding :data:`MARKER`, or
    one whose ``manifest.json`` an earlier version of the builder wrote
    (before the marker existed).
    """
    d = Path(directory)
    if _same(d, REPORTS_DIR) or (d / MARKER).is_file():
        return True
    return read_manifest(d).get("generator") == _GENERATOR


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _source_tree_allows(out: Path) -> bool:
    """Inside the checkout only ``reports/`` and the ``reports-NAME/`` folders beside it."""
    root = ROOT.resolve()
    if not _inside(out, root):
        return True
    return out.parent == root and (out.name == REPORTS_DIR.name or out.name.startswith("reports-"))


def check_out_dir(
    out: str | os.PathLike,
    *,
    data_dir: str | os.PathLike | None = None,
    notebooks_dir: str | os.PathLike | None = None,
    option: str = "out_dir",
) -> Path:
    """Check that a build may write into ``out``; return it, resolved.

    Parameters
    ----------
    out : path-like
        The output folder (it need not exist).
    data_dir, notebooks_dir : path-like, optional
        The build's inputs: ``out`` may be neither inside them nor hold them.
    option : str
        How the caller names the folder in messages (``--out`` on the command line).

    Raises
    ------
    OutputFolderError
        ``out`` is a file; lies inside the source tree (other than
        ``reports/`` and ``reports-NAME/``), the data or the notebooks; holds
        the data or the notebooks; or holds files and is not a build's own
        folder (:func:`is_ours`). Nothing has been written.

    Examples
    --------
    >>> check_out_dir(ROOT / "notebooks")
    Traceback (most recent call last):
    ...
    ipsresearch.report.store.OutputFolderError: out_dir .../notebooks: is inside the source tree of ...
    """
    given = Path(out).expanduser()
    try:
        path = given.resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputFolderError(option, f"{given}: cannot be resolved ({exc})") from None
    where = f"{given}"
    if path.exists() and not path.is_dir():
        raise OutputFolderError(option, f"{where}: is a file, not a folder (allowed: {_ALLOWED})")
    if not _source_tree_allows(path):
        raise OutputFolderError(
            option, f"{where}: is inside the source tree of ipsresearch ({ROOT}), where pages would change "
            f"the package, its data or its tests (allowed: {REPORTS_DIR}, a reports-NAME/ folder "
            "beside it, or a folder outside the source tree)")
    for label, inp in (("data folder", data_dir), ("notebooks folder", notebooks_dir)):
        if inp is None:
            continue
        inp = Path(inp).expanduser().resolve()
        if _inside(path, inp):
            raise OutputFolderError(option, f"{where}: is inside the {label} {inp} (allowed: a folder "
                                    f"outside the build's inputs: {_ALLOWED})")
        if _inside(inp, path):
            raise OutputFolderError(option, f"{where}: holds the {label} {inp} (allowed: a folder "
                                    f"outside the build's inputs: {_ALLOWED})")
    if path.is_dir() and not is_ours(path):
        try:
            entries = sorted(p.name for p in path.iterdir())
        except OSError as exc:
            raise OutputFolderError(option, f"{where}: cannot be listed ({exc.strerror})") from None
        if entries:
            shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
            raise OutputFolderError(
                option, f"{where}: holds files ipsresearch did not write ({shown}); they are left untouched "
                f"(allowed: {_ALLOWED})")
    return path


# --------------------------------------------------------------------------- one build at a time


def _lock_holder(path: Path) -> str:
    """Who holds the ``flock`` on ``path``, from ``/proc/locks`` (Linux); ``""`` elsewhere."""
    try:
        st = path.stat()
        locks = Path("/proc/locks").read_text()
    except OSError:
        return ""
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in locks.splitlines():
        fields = line.split()
        # device and inode as the kernel prints them; on some file systems (overlays) the
        # device differs from what stat() says, so the inode alone is matched too
        if "FLOCK" in fields and any(f == device or f.endswith(f":{st.st_ino}") for f in fields):
            pid = fields[fields.index("FLOCK") + 3] if len(fields) > fields.index("FLOCK") + 3 else ""
            if not pid.isdigit():
                continue
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                    "utf-8", "replace").strip()
            except OSError:
                cmd = ""
            return f"process {pid}" + (f": {cmd[:200]}" if cmd else "")
    return ""


@contextlib.contextmanager
def claim(out: str | os.PathLike, *, option: str = "out_dir") -> Iterator[Path]:
    """Make ``out`` a build's folder (create it and :data:`MARKER`) and hold its lock.

    Call after :func:`check_out_dir`. The lock is released when the block
    ends, when the process exits or is killed.

    Raises
    ------
    OutputFolderError
        Another build holds the lock (the message names its process).
    OSError
        The folder or the marker cannot be created (a read-only or full disk).
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (the marker still says whose folder it is)
        fcntl = None
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    marker = path / MARKER
    try:
        fd = os.open(marker, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except PermissionError:
        if not marker.is_file():
            raise
        fd = os.open(marker, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))  # a read-only folder
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(marker)
            raise OutputFolderError(
                option, f"{out}: another build is writing into this folder"
                + (f" ({holder})" if holder else "")
                + "; wait for it to finish, or build into another folder") from None
        if os.fstat(fd).st_size == 0:
            with contextlib.suppress(OSError):  # a read-only folder: the marker stays empty
                os.write(fd, MARKER_TEXT.encode("utf-8"))
        yield path
    finally:
        os.close(fd)  # releases the lock

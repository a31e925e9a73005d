"""What a report depends on, as hashes, and the cache keys made from them.

A report is re-executed only when something that can change its output
changed. The inputs of one notebook's execution are

- the notebook's own bytes;
- every source file of the package (``ipsresearch/``, templates and shipped
  extracted tables included): the simplest choice that cannot miss an
  imported module;
- the data files it may read: every file under ``data_synthetic/`` (or under
  the user's ``data_dir``), the extracted tables in ``ipsresearch/datasets/``
  and any file a parameter names (``trials_csv``);
- the parameters injected into it (only those its parameters cell defines);
- the versions of Python and of the key dependencies (:data:`KEY_PACKAGES`).

Their hash is the *execution key*. The *page key* adds what changes the HTML
without changing the execution: the navigation bar (which reports exist and
their titles) and the display mode (code shown or hidden).

What a report *lists* is narrower than what its key covers: only the data
files its analysis read (:func:`read_files`, from the paths the package's
readers report with :func:`ipsresearch.paths.note_read`), so that other files
of a user's working folder (``salary_2024.xlsx``) never appear, by name or
hash, in a page, the index or the manifest. The key still covers every file
of the folder, so that a report is never served from the cache after a file
it might read changed.

This module imports nothing heavy (no nbformat, nbconvert or pandas): it is
all a rebuild needs when nothing changed.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import platform
import stat
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ipsresearch import __version__
from ipsresearch.paths import DATA_SYNTHETIC, DATASETS_DIR, PACKAGE_DIR, ROOT

__all__ = [
    "KEY_PACKAGES",
    "BuildTime",
    "NotebookInfo",
    "build_time",
    "canonical_hash",
    "data_files",
    "digest",
    "environment",
    "git_state",
    "package_files",
    "parameter_files",
    "read_files",
    "read_notebook_info",
    "read_roots",
    "relative",
    "sha256_bytes",
    "sha256_file",
]

KEY_PACKAGES: tuple[str, ...] = (
    "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "pyarrow",
    "ipython", "ipykernel", "jupyter_client", "matplotlib-inline",
    "nbclient", "nbconvert", "nbformat", "mistune", "pygments", "jinja2",
)
"""Distributions whose version is part of every cache key and provenance block:
the analysis stack (numbers, figures), the kernel and the renderer."""

_SKIP_SUFFIXES = (".pyc", ".pyo", ".tmp", "~")


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``.

    Examples
    --------
    >>> sha256_bytes(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def canonical_hash(obj: Any) -> str:
    """SHA-256 of the canonical JSON form of ``obj`` (sorted keys, no spaces).

    Examples
    --------
    >>> canonical_hash({"b": 1, "a": [1, 2]}) == canonical_hash({"a": [1, 2], "b": 1})
    True
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return sha256_bytes(text.encode("utf-8"))


def digest(files: dict[str, str]) -> str:
    """One hash for a ``{path: sha256}`` mapping (order-independent)."""
    return canonical_hash(sorted(files.items()))


def _listed(directory: Path) -> list[Path]:
    """Regular files under ``directory``, in a stable order, skipping caches,
    hidden files (editor locks, temporary files) and compiled bytecode."""
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(_SKIP_SUFFIXES):
                continue
            p = Path(dirpath) / name
            if p.is_file():
                found.append(p)
    return found


def _hash_tree(directory: Path, label: str, *, suffixes: tuple[str, ...] | None = None) -> dict[str, str]:
    out = {}
    for p in _listed(directory):
        if suffixes is not None and p.suffix not in suffixes:
            continue
        out[f"{label}/{p.relative_to(directory).as_posix()}"] = sha256_file(p)
    return out


def package_files() -> dict[str, str]:
    """``{"ipsresearch/<path>": sha256}`` for every source file of the package.

    Examples
    --------
    >>> files = package_files()
    >>> "ipsresearch/report/build.py" in files and "ipsresearch/report/provenance.py" in files
    True
    """
    return _hash_tree(PACKAGE_DIR, "ipsresearch")


def data_files(data_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """``{label/path: sha256}`` for every data file a notebook may read.

    Parameters
    ----------
    data_dir : path-like, optional
        A user's directory laid out like ``data_synthetic/``; ``None`` means
        the shipped ``data_synthetic/``. The extracted tables shipped in
        ``ipsresearch/datasets/`` are always included.

    Returns
    -------
    dict
        Keys are ``data_synthetic/<path>`` (or ``<dirname>/<path>`` for a
        user's directory) and ``ipsresearch/datasets/<path>``.
    """
    root = DATA_SYNTHETIC if data_dir is None else Path(data_dir)
    label = "data_synthetic" if data_dir is None else (Path(data_dir).resolve().name or "data")
    files = _hash_tree(root, label) if root.is_dir() else {}
    files.update(_hash_tree(DATASETS_DIR, "ipsresearch/datasets", suffixes=(".csv", ".json", ".tsv")))
    return files


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def parameter_files(params: Mapping[str, Any]) -> dict[str, str]:
    """``{absolute path: sha256}`` of the regular files parameter values name (``trials_csv``).

    ``data_dir`` is a folder and is covered by :func:`data_files`.
    """
    out = {}
    for key, value in params.items():
        if key != "data_dir" and isinstance(value, str | os.PathLike) and str(value).strip():
            path = os.path.abspath(os.path.expanduser(os.fspath(value)))
            if _regular(path):
                out[path] = sha256_file(path)
    return dict(sorted(out.items()))


def read_roots(data_dir: str | os.PathLike | None, params: Mapping[str, Any] | None = None
               ) -> tuple[str, ...]:
    """Where the files a report lists as read may be: the data folder (or
    ``data_synthetic/``), the extracted tables and the files parameters name."""
    root = DATA_SYNTHETIC if data_dir is None else Path(data_dir).expanduser().resolve()
    return (str(root), str(DATASETS_DIR), *parameter_files(params or {}))


_CODE_SUFFIXES = (".py", ".pyc", ".pyi", ".so", ".pyd")
"""Files that are imported, not read as data (``ipsresearch/datasets/__init__.py``)."""


def read_files(paths: Iterable[str], data_dir: str | os.PathLike | None,
               roots: Iterable[str] = ()) -> dict[str, str]:
    """``{label: sha256}`` of the data files among ``paths`` (the files an analysis read).

    Only regular files under ``roots`` (default: :func:`read_roots` without
    parameters) count, and not the modules an import opens (``.py``). Labels are as in :func:`data_files`: ``<folder
    name>/<path>`` in the data folder, ``ipsresearch/datasets/<path>`` for
    an extracted table, and for a file a parameter names its path relative to
    the checkout (or absolute).

    Examples
    --------
    >>> import os
    >>> files = read_files([os.path.join(DATA_SYNTHETIC, "irish_pilot", "participants.csv"),
    ...                     "/etc/hostname"], None)
    >>> list(files)
    ['data_synthetic/irish_pilot/participants.csv']
    """
    data_root = DATA_SYNTHETIC if data_dir is None else Path(data_dir).expanduser().resolve()
    data_label = "data_synthetic" if data_dir is None else (data_root.name or "data")
    roots = tuple(roots) or (str(data_root), str(DATASETS_DIR))
    labelled = ((str(data_root), data_label), (str(DATASETS_DIR), "ipsresearch/datasets"))
    out = {}
    for raw in sorted(set(paths)):
        path = os.path.abspath(raw)
        if not any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            continue
        if not _regular(path) or path.endswith(_CODE_SUFFIXES):
            continue
        for root, label in labelled:
            if path.startswith(root.rstrip(os.sep) + os.sep):
                name = f"{label}/{Path(os.path.relpath(path, root)).as_posix()}"
                break
        else:
            name = relative(path)
        out[name] = sha256_file(path)
    return dict(sorted(out.items()))


def environment() -> dict[str, str]:
    """Python, platform and the versions of :data:`KEY_PACKAGES` (``""`` when absent)."""
    env = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": f"{platform.system()}-{platform.machine()}",
        "ipsresearch": __version__,
    }
    for name in KEY_PACKAGES:
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env[name] = ""
    return env


def git_state(root: str | os.PathLike = ROOT) -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the checkout at ``root``.

    ``dirty`` is true when ``git status`` lists any change, untracked files
    included (a new notebook changes what is built). Both are ``None`` outside
    a git checkout or without git.
    """
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True, timeout=30).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True,
                                text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": bool(status.strip())}


@dataclass(frozen=True)
class BuildTime:
    """When a build ran: ``utc`` (ISO 8601, seconds) and where it came from.

    ``source`` is ``"SOURCE_DATE_EPOCH"`` when that environment variable fixed
    the time (reproducible builds) and ``"clock"`` otherwise.
    """

    utc: str
    source: str

    @property
    def reproducible(self) -> bool:
        """True when the time came from ``SOURCE_DATE_EPOCH``."""
        return self.source == "SOURCE_DATE_EPOCH"

    def to_dict(self) -> dict[str, str]:
        return {"utc": self.utc, "source": self.source}


def build_time(environ: dict[str, str] | None = None) -> BuildTime:
    """The build time: ``SOURCE_DATE_EPOCH`` when set, else the clock (UTC, whole seconds).

    Examples
    --------
    >>> build_time({"SOURCE_DATE_EPOCH": "1700000000"})
    BuildTime(utc='2023-11-14T22:13:20Z', source='SOURCE_DATE_EPOCH')
    """
    environ = os.environ if environ is None else environ
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            when = dt.datetime.fromtimestamp(int(raw), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds since "
                             "1970-01-01 (allowed: a non-negative integer)") from None
        source = "SOURCE_DATE_EPOCH"
    else:
        when = dt.datetime.now(dt.UTC)
        source = "clock"
    return BuildTime(when.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"), source)


@dataclass(frozen=True)
class NotebookInfo:
    """A notebook as the builder sees it before executing it (read as plain JSON).

    Attributes
    ----------
    path : Path
    name : str
        File stem, e.g. ``01-placement``; the report is ``<name>.html``.
    title : str
        Text of the first Markdown heading (the stem when there is none).
    sha256 : str
        Hash of the file's bytes.
    parameters : dict
        Names assigned in the ``parameters``-tagged cell and the source text of
        their default values, in order.
    error : str
        Why the file could not be read as a notebook (empty when it could).
    declarations : dict
        What each parameter may be, as the cell declares it (string annotations:
        :mod:`ipsresearch.report.parameters`).
    """

    path: Path
    name: str
    title: str
    sha256: str
    parameters: dict[str, str] = field(default_factory=dict)
    error: str = ""
    declarations: dict[str, str] = field(default_factory=dict)


def relative(path: str | os.PathLike, root: str | os.PathLike = ROOT) -> str:
    """``path`` relative to ``root`` when inside it, else absolute (POSIX separators)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parameter_defaults(source: str) -> dict[str, str]:
    """Names assigned at the top level of a parameters cell and their default values' source.

    Examples
    --------
    >>> parameter_defaults("data_dir = None  # or a folder\\nconfidence: float = 0.95")
    {'data_dir': 'None', 'confidence': '0.95'}
    """
    out: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for t in targets:
            if isinstance(t, ast.Name):
                out[t.id] = ast.get_source_segment(source, value) or ""
    return out


def parameter_declarations(source: str) -> dict[str, str]:
    """What the parameters of a parameters cell may be: their string annotations.

    Examples
    --------
    >>> parameter_declarations('confidence: "float in (0, 1)" = 0.95\\nx = 1')
    {'confidence': 'float in (0, 1)'}
    """
    out = {}
    for node in ast.parse(source).body:
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(node.annotation, ast.Constant) and isinstance(node.annotation.value, str)):
            out[node.target.id] = node.annotation.value
    return out


def read_notebook_info(path: str | os.PathLike) -> NotebookInfo:
    """Read what the cache and the navigation bar need from a notebook file.

    Never raises for a broken notebook: the problem is returned in ``error``
    and the build reports the notebook as failed.
    """
    path = Path(path)
    raw = path.read_bytes()
    digest_ = sha256_bytes(raw)
    try:
        nb = json.loads(raw)
        cells = nb["cells"]
        title = path.stem
        for cell in cells:
            if cell.get("cell_type") == "markdown":
                for line in _source(cell).splitlines():
                    if line.startswith("# "):
                        title = line[2:].strip()
                        break
                else:
                    continue
                break
        params: dict[str, str] = {}
        declared: dict[str, str] = {}
        for cell in cells:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                params = parameter_defaults(_source(cell))
                declared = parameter_declarations(_source(cell))
                break
    except (ValueError, KeyError, TypeError, AttributeError, SyntaxError) as exc:
        return NotebookInfo(path, path.stem, path.stem, digest_,
                            error=f"cannot read {path.name} as a notebook: {type(exc).__name__}: {exc}")
    return NotebookInfo(path, path.stem, title, digest_, params, declarations=declared)

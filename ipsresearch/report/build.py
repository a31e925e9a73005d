"""Report builder: execute the notebooks in fresh kernels, cache, render offline HTML.

``ipsresearch build`` (or :func:`build`) runs every ``notebooks/NN-topic.ipynb``
top to bottom in a fresh kernel, several at once, and writes

``reports/NN-topic.html``
    one self-contained page per notebook (reviewer mode: code hidden;
    ``with_code=True`` shows it, for teaching), with a navigation bar and a
    provenance block;
``reports/index.html``
    every report with its status, the whole claims register and the errata;
``reports/manifest.json``
    the same provenance, machine-readable: per report its input hashes,
    cache keys, output hash, git state and build time;
``reports/_executed/NN-topic.ipynb``
    the executed notebooks (the execution cache: a page whose navigation bar
    or display mode changed is re-rendered without re-running its notebook);
``reports/_failed/NN-topic.ipynb``
    the executed notebook of a failed run, with the error in its outputs.

Execution
    Each notebook runs in its own fresh kernel, several at once (``jobs``),
    driven from this one process by nbclient's asynchronous API. On Linux the
    kernels are forked from a helper process that has already imported numpy,
    pandas, SciPy, statsmodels and matplotlib, so that those imports are paid
    once per build (:mod:`ipsresearch.report.kernels`; ``preload=False`` starts
    each kernel as a new interpreter, with the same outputs).

Caching
    A notebook is executed again only when its execution key changed (its own
    bytes, the package's source files, the data files, its parameters, the
    versions of Python and of the key dependencies; see
    :mod:`ipsresearch.report.provenance`). A rebuild where nothing changed
    writes no file. ``force=True`` executes everything.

Determinism
    Two builds of the same inputs give byte-identical files, except the field
    marked as the build time (``<time class="build-time">`` in the pages,
    ``build_time`` in the manifest and in ``_executed/``), which is the value
    of ``SOURCE_DATE_EPOCH`` when that is set; with it set, every file is
    byte-identical (the execution seconds, the only other measurement, are
    then left out of the manifest and only printed).

Failures
    A notebook that fails leaves its previous good page in place (or, when
    there is none, a page saying it failed), its executed notebook is saved
    in ``_failed/``, the other notebooks carry on, and the build reports the
    notebook, cell number and error and exits 1. Every file is written to a
    temporary file and renamed, so an interrupted build never leaves a
    truncated page.

Bring your own data
    ``params={"data_dir": PATH}`` runs the notebooks on a user's directory
    laid out like ``data_synthetic/``; unless ``out_dir`` is given the pages
    go to ``reports-<name of PATH>-<hash of PATH>/`` beside ``reports/``, so
    the shipped reports are not overwritten and two folders of the same name
    never share one.

Whose folder, and one build at a time
    A build writes only into a new or empty folder, ``reports/`` or a folder
    an earlier build marked, never inside the source tree, the data or the
    notebooks, and holds a lock on it while it runs; a second build into the
    same folder exits with status 2 naming the first
    (:mod:`ipsresearch.report.store`). Options and parameters are checked
    before anything runs (:func:`check_options`,
    :mod:`ipsresearch.report.parameters`).
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import contextlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsresearch import __version__
from ipsresearch.paths import NOTEBOOKS_DIR, READ_LOG_ENV, READ_ROOTS_ENV, REPORTS_DIR, recording
from ipsresearch.report import provenance as pv
from ipsresearch.report import store
from ipsresearch.report.parameters import OptionError

__all__ = ["BuildReport", "BuildResult", "OptionError", "build", "check_options", "default_out_dir",
           "discover", "inject_parameters", "parse_param"]

EXECUTED_DIR = "_executed"
FAILED_DIR = "_failed"
KERNEL = "python3"
_STATUSES = ("built", "rendered", "cached", "failed")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class BuildResult:
    """What happened to one notebook in a build.

    Attributes
    ----------
    name : str
        Notebook stem, e.g. ``01-placement``.
    status : str
        ``built`` (executed and rendered), ``rendered`` (re-rendered from the
        execution cache), ``cached`` (page up to date, untouched) or ``failed``.
    seconds : float
        Wall-clock seconds spent executing (0 when not executed).
    error : str
        For ``failed``: notebook, cell number and error on one line, then the traceback.
    cell : int or None
        1-based number of the failing cell in the stored notebook.
    failed_notebook : str or None
        Where the executed notebook of a failed run was saved.
    notes : tuple of str
        Remarks for the notebook's author (e.g. a cell that wrote to stderr).
    """

    name: str
    status: str
    seconds: float = 0.0
    error: str = ""
    cell: int | None = None
    failed_notebook: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildReport:
    """The outcome of :func:`build`: one :class:`BuildResult` per selected notebook.

    Iterating over a report yields its results.
    """

    results: tuple[BuildResult, ...]
    out_dir: Path
    seconds: float
    files_written: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[BuildResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i: int) -> BuildResult:
        return self.results[i]

    def count(self, status: str) -> int:
        """Number of notebooks with this status."""
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[BuildResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_status(self) -> int:
        """1 when a notebook failed, else 0 (the command's exit status)."""
        return 1 if self.failed else 0

    def summary_line(self) -> str:
        """The summary line: built, cached, failed and seconds.

        Examples
        --------
        >>> BuildReport((BuildResult("01-a", "built", 2.0), BuildResult("02-b", "cached")),
        ...             Path("reports"), 3.25).summary_line()
        'summary: 1 built, 0 rendered, 1 cached, 0 failed in 3.2 s'
        """
        counts = ", ".join(f"{self.count(s)} {s}" for s in _STATUSES)
        return f"summary: {counts} in {self.seconds:.1f} s"

    def summary(self) -> str:
        """Deprecated name of :meth:`summary_line`; removed in the next release.

        On result classes ``summary()`` means a one-row frame of headline
        numbers, so the build's one line of text is :meth:`summary_line`.
        """
        import warnings

        warnings.warn("BuildReport.summary() is deprecated and will be removed in the next release; "
                      "use BuildReport.summary_line()", DeprecationWarning, stacklevel=2)
        return self.summary_line()

    def to_frame(self):
        """One row per notebook: ``name, status, seconds, cell, error``."""
        import pandas as pd

        return pd.DataFrame([{"name": r.name, "status": r.status, "seconds": r.seconds,
                              "cell": r.cell, "error": r.error} for r in self.results],
                            columns=["name", "status", "seconds", "cell", "error"])

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{html.escape(r.name)}</td><td>{html.escape(r.status)}</td>"
            f"<td>{r.seconds:.1f}</td><td>{html.escape(r.error.splitlines()[0] if r.error else '')}</td></tr>"
            for r in self.results)
        return (f"<p>{html.escape(self.summary_line())} &rarr; <code>{html.escape(str(self.out_dir))}</code></p>"
                "<table><thead><tr><th>notebook</th><th>status</th><th>seconds</th><th>error</th></tr>"
                f"</thead><tbody>{rows}</tbody></table>")


# --------------------------------------------------------------------------- selection and parameters


def discover(directory: str | os.PathLike = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """Notebooks to build (``NN-*.ipynb``), in name order; ``only`` selects by stem or number prefix.

    Examples
    --------
    >>> [p.name for p in discover(only=["01"])]
    ['01-placement.ipynb']
    """
    found = sorted(Path(directory).glob("[0-9][0-9]-*.ipynb"))
    if only:
        choose = f"choose from {', '.join(p.stem for p in found) or '(none)'}"
        blank = [o for o in only if not str(o).strip()]
        if blank:  # '' is a prefix of every name: it would select everything
            raise OptionError("only", f"{', '.join(map(repr, blank))} is not a notebook name; {choose}")
        unknown = [o for o in only if not any(p.stem == o or p.stem.startswith(o) for p in found)]
        if unknown:
            raise OptionError("only", f"{', '.join(unknown)}: no notebook of that name in {directory}; "
                                      f"{choose}")
        found = [p for p in found if any(p.stem == o or p.stem.startswith(o) for o in only)]
    return found


def _notebooks(directory: Path) -> list[Path]:
    """The notebooks of ``directory``; an error when it is not a folder or holds none."""
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "does not exist"
        raise OptionError("notebooks_dir", f"{directory}: {what} (allowed: a folder of NN-topic.ipynb "
                                           "notebooks)")
    found = discover(directory)
    if not found:
        raise OptionError("notebooks_dir", f"{directory}: holds no notebook named NN-topic.ipynb "
                                           "(allowed: a folder of NN-topic.ipynb notebooks)")
    return found


def parse_param(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE``; VALUE is a Python literal if it parses as one, else a string.

    Examples
    --------
    >>> parse_param("confidence=0.9")
    ('confidence', 0.9)
    >>> parse_param("data_dir=/tmp/my data")
    ('data_dir', '/tmp/my data')
    """
    if "=" not in text:
        raise ValueError(f"parameter {text!r} is not KEY=VALUE")
    key, value = text.split("=", 1)
    key = key.strip()
    if not key.isidentifier():
        raise ValueError(f"parameter name {key!r} is not a Python identifier")
    try:
        return key, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key, value


def inject_parameters(nb: Any, params: dict[str, Any]) -> Any:
    """Insert a cell setting ``params`` right after the ``parameters``-tagged cell.

    Only names the notebook's parameters cell already defines are set;
    others are ignored, so one ``--param`` can serve several notebooks. The
    new cell is tagged ``injected-parameters`` and has the id
    ``injected-parameters``.
    """
    if not params:
        return nb
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            known = pv.parameter_defaults(cell.source)
            lines = [f"{k} = {v!r}" for k, v in params.items() if k in known]
            if lines:
                import nbformat

                new = nbformat.v4.new_code_cell("\n".join(lines))
                new.metadata["tags"] = ["injected-parameters"]
                new["id"] = "injected-parameters"
                nb.cells.insert(i + 1, new)
            return nb
    return nb


def default_out_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Where pages go: ``reports/``, or ``reports-<name>-<hash>/`` beside it for a user's ``data_dir``.

    ``<hash>`` is the start of the SHA-256 of the folder's absolute path, so
    that two data folders of the same name (``a/site`` and ``b/site``) never
    share an output folder.

    Examples
    --------
    >>> default_out_dir().name, default_out_dir("/srv/site data/").name
    ('reports', 'reports-site-data-453e2fa6')
    >>> default_out_dir("/a/site") != default_out_dir("/b/site")
    True
    """
    if data_dir is None:
        return REPORTS_DIR
    path = Path(data_dir).expanduser().resolve()
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.name).strip("-.") or "data"
    return REPORTS_DIR.parent / f"reports-{name}-{pv.sha256_bytes(str(path).encode('utf-8'))[:8]}"


# --------------------------------------------------------------------------- plan


@dataclass
class _Item:
    info: pv.NotebookInfo
    overrides: dict[str, Any]
    exec_key: str
    page_key: str
    inputs: dict[str, Any]
    selected: bool
    action: str = ""  # cached | render | execute | broken
    reads: dict[str, str] = field(default_factory=dict)  # the data files its execution read


@dataclass
class _Context:
    out: Path
    notebooks_dir: Path
    data_dir: Path | None
    params: dict[str, Any]
    with_code: bool
    timeout: int
    package: dict[str, str]
    package_hash: str
    data_hash: str  # every file under the data folder: part of the cache keys, never listed
    environment: dict[str, str]
    read_roots: tuple[str, ...] = ()  # where the files a report reads are looked for
    nav_items: list = field(default_factory=list)
    git: dict[str, Any] | None = None
    when: pv.BuildTime | None = None
    claims: dict[str, Any] | None = None  # {"key", "results" (dicts), "errors"}

    @property
    def mode(self) -> str:
        return "teaching" if self.with_code else "reviewer"

    @property
    def data_display(self) -> str:
        return "data_synthetic/" if self.data_dir is None else pv.relative(self.data_dir) + "/"


def _html_ok(out: Path, name: str, entry: dict[str, Any] | None) -> bool:
    """True when the page on disk is the one the manifest entry describes."""
    page = out / f"{name}.html"
    return bool(entry) and page.is_file() and pv.sha256_file(page) == entry.get("output_sha256")


def _executed_meta(out: Path, name: str) -> dict[str, Any] | None:
    path = out / EXECUTED_DIR / f"{name}.ipynb"
    try:
        return json.loads(path.read_bytes()).get("metadata", {}).get("ipsresearch")
    except (OSError, ValueError, AttributeError):
        return None


# --------------------------------------------------------------------------- progress


def plan_line(*, execute: list[str], render: list[str], cached: int, jobs: int, out: Path) -> str:
    """What a build is about to do, said before it starts: reports to run, at most how many at once.

    Examples
    --------
    >>> plan_line(execute=["01-a", "02-b", "03-c"], render=["04-d"], cached=2, jobs=2, out=Path("reports"))
    'reports/: 3 notebooks to execute (01-a, 02-b, 03-c), 2 at a time, each in a fresh kernel; 1 page to re-render from the execution cache; 2 up to date'
    >>> plan_line(execute=[], render=[], cached=8, jobs=2, out=Path("reports"))
    'reports/: all 8 reports up to date, nothing to run'
    """
    def n(k: int, what: str) -> str:
        return f"{k} {what}{'' if k == 1 else 's'}"

    parts = []
    if execute:
        at_once = min(jobs, len(execute))
        parts.append(f"{n(len(execute), 'notebook')} to execute ({', '.join(execute)}), "
                     f"{at_once} at a time, each in a fresh kernel")
    if render:
        parts.append(f"{n(len(render), 'page')} to re-render from the execution cache")
    if not parts:
        return f"{out.as_posix().rstrip('/')}/: all {n(cached, 'report')} up to date, nothing to run"
    if cached:
        parts.append(f"{cached} up to date")
    return f"{out.as_posix().rstrip('/')}/: " + "; ".join(parts)


class _Progress:
    """Live progress on a terminal (tqdm): one bar for the reports and one per running notebook
    (its cells); plain lines otherwise, one when a notebook starts and one when it is done."""

    def __init__(self, enabled: bool | None, log: Callable[[str], Any]) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.log = log
        self._lock = threading.Lock()
        self._overall = None

    def start(self, total: int) -> None:
        """The bar of the whole build (reports done of ``total``)."""
        if self.enabled and total:
            from tqdm import tqdm

            self._overall = tqdm(total=total, desc="reports", unit="report", position=0,
                                 leave=False, dynamic_ncols=True, file=sys.stderr)

    def done(self) -> None:
        """One report finished."""
        if self._overall is not None:
            self._overall.update(1)

    def finish(self) -> None:
        if self._overall is not None:
            self._overall.close()
            self._overall = None

    def open(self, name: str, total: int, slot: int):
        if not self.enabled:
            self.line(f"started: {name} ({total} code cells)")
            return None
        from tqdm import tqdm

        return tqdm(total=total, desc=name, unit="cell", position=slot + 1, leave=False,
                    dynamic_ncols=True, file=sys.stderr)

    def close(self, bar) -> None:
        if bar is not None:
            bar.close()

    def line(self, text: str) -> None:
        with self._lock:
            if self.enabled:
                from tqdm import tqdm

                tqdm.write(text, file=sys.stdout)
            else:
                self.log(text)


# --------------------------------------------------------------------------- build


def build(
    *,
    only: list[str] | None = None,
    out_dir: str | os.PathLike | None = None,
    params: dict[str, Any] | None = None,
    with_code: bool = False,
    force: bool = False,
    jobs: int | None = None,
    timeout: int = 600,
    notebooks_dir: str | os.PathLike = NOTEBOOKS_DIR,
    log: Callable[[str], Any] = print,
    progress: bool | None = None,
    preload: bool = True,
) -> BuildReport:
    """Execute the notebooks that need it, render their pages, write the index and manifest.

    Parameters
    ----------
    only : list of str, optional
        Notebook stems or number prefixes (``["01", "03-fidelity"]``); default all.
    out_dir : path-like, optional
        Output directory; default :func:`default_out_dir` (``reports/``, or
        ``reports-<name>-<hash>/`` with a ``data_dir`` parameter). It must be
        new, empty, ``reports/`` or a folder an earlier build wrote, and not
        inside the source tree (:func:`ipsresearch.report.store.check_out_dir`).
    params : dict, optional
        Values for the notebooks' parameters cells. Each notebook receives the
        names its parameters cell defines; a name no selected notebook defines
        is an error, and so is a value a notebook's declaration does not allow
        (:mod:`ipsresearch.report.parameters`). ``data_dir`` must be an
        existing directory; it is made absolute before it reaches the kernels.
    with_code : bool
        Show code cells (teaching mode); default reviewer mode, code hidden.
    force : bool
        Execute every selected notebook, ignoring the cache.
    jobs : int, optional
        Notebooks executed at once (default: the number of usable cores).
    timeout : int
        Seconds one cell may run before the notebook fails.
    notebooks_dir : path-like
        Directory of the ``NN-topic.ipynb`` files.
    log : callable
        Receives every message line (default :func:`print`).
    progress : bool, optional
        Show tqdm progress bars; default when stderr is a terminal.
    preload : bool
        Fork each fresh kernel from a helper process that has already imported
        numpy, pandas, SciPy, statsmodels and matplotlib (Linux; see
        :mod:`ipsresearch.report.kernels`). ``False`` starts every kernel as a new
        interpreter. Outputs are the same either way.

    Returns
    -------
    BuildReport
        ``exit_status`` is 1 when a notebook failed.

    Raises
    ------
    OptionError
        Before anything runs or is written: an unknown notebook in ``only``,
        a ``notebooks_dir`` without notebooks, a parameter no notebook
        defines, a bad ``jobs``, an ``out_dir`` the builder may not write
        into, or one another build is writing into (see :func:`check_options`
        and :mod:`ipsresearch.report.store`).
    ipsresearch.validation.InputError
        Parameter values the notebooks' declarations do not allow.
    ValueError
        A malformed ``SOURCE_DATE_EPOCH``.
    FileNotFoundError
        ``data_dir`` is not a directory.
    KeyboardInterrupt
        On Ctrl-C or SIGTERM, after every kernel is shut down; files already
        renamed into place are complete, nothing is half-written.
    """
    with _sigterm_as_interrupt():
        return _build(only=only, out_dir=out_dir, params=params, with_code=with_code, force=force,
                      jobs=jobs, timeout=timeout, notebooks_dir=Path(notebooks_dir), log=log,
                      progress=progress, preload=preload)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM (``kill``) is handled like Ctrl-C: kernels are shut down,
    temporary files removed, and no file is left half-written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class Request:
    """A build's options once checked (:func:`check_options`): nothing has run or been written."""

    notebooks_dir: Path
    infos: list[pv.NotebookInfo]
    selected: set[str]
    params: dict[str, Any]
    data_dir: Path | None
    out: Path
    jobs: int


def check_options(
    *,
    only: list[str] | None = None,
    out_dir: str | os.PathLike | None = None,
    params: dict[str, Any] | None = None,
    notebooks_dir: str | os.PathLike = NOTEBOOKS_DIR,
    jobs: int | None = None,
) -> Request:
    """Check a build's options and parameters before anything runs or is written.

    :func:`build` calls this first; ``ipsresearch build`` calls it before it
    checks the data folder, so that every problem with the command line is
    reported before the data are read.

    Raises
    ------
    OptionError
        ``only`` names no notebook (or is empty text), ``notebooks_dir`` is
        not a folder of ``NN-topic.ipynb`` notebooks, ``jobs`` is not a
        positive integer, ``out_dir`` may not be written
        (:func:`ipsresearch.report.store.check_out_dir`), a parameter is
        defined by no selected notebook.
    ipsresearch.validation.InputError
        Parameter values the notebooks' declarations do not allow
        (:mod:`ipsresearch.report.parameters`), every one of them.
    FileNotFoundError
        ``data_dir`` is not a directory.
    ValueError
        A malformed ``SOURCE_DATE_EPOCH``.
    """
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise OptionError("jobs", f"{jobs!r}: jobs must be a positive integer")
    notebooks_dir = Path(notebooks_dir)
    every = _notebooks(notebooks_dir)
    selected = {p.stem for p in discover(notebooks_dir, only)}
    params = dict(params or {})
    infos = [pv.read_notebook_info(p) for p in every]
    chosen = [i for i in infos if i.name in selected]
    known = set().union(*(i.parameters for i in chosen)) if chosen else set()
    unknown = sorted(set(params) - known)
    if unknown:
        raise OptionError("params", f"{', '.join(unknown)}: not defined in the parameters cell of "
                                    "any selected notebook "
                                    f"(defined: {', '.join(sorted(known)) or 'none'})")
    data_dir = None
    if "data_dir" in params and params["data_dir"] is not None:
        raw = params["data_dir"]
        if not isinstance(raw, str | os.PathLike) or not str(raw).strip():
            from ipsresearch.validation import InputError, Problem

            raise InputError([Problem("parameter data_dir", None, None,
                                      "is empty" if isinstance(raw, str) else f"{raw!r} is not a folder",
                                      "a directory laid out like data_synthetic/, or None")])
        data_dir = Path(str(raw)).expanduser().resolve()
        if not data_dir.is_dir():  # worded as ipsresearch.report.preflight.check_data_dir words it
            what = "is not a directory" if data_dir.exists() else "directory does not exist"
            raise FileNotFoundError(f"data_dir {raw!s}: {what} "
                                    "(allowed: a directory laid out like data_synthetic/)")
        params["data_dir"] = str(data_dir)
    from ipsresearch.report.parameters import check_parameters

    check_parameters(params, chosen)
    out = Path(out_dir) if out_dir is not None else default_out_dir(data_dir)
    out = store.check_out_dir(out, data_dir=data_dir, notebooks_dir=notebooks_dir)
    pv.build_time()  # a malformed SOURCE_DATE_EPOCH fails before any work
    return Request(notebooks_dir, infos, selected, params, data_dir, out, jobs)


def _build(*, only, out_dir, params, with_code, force, jobs, timeout, notebooks_dir: Path, log,
           progress, preload) -> BuildReport:
    start = time.perf_counter()
    request = check_options(only=only, out_dir=out_dir, params=params, notebooks_dir=notebooks_dir,
                            jobs=jobs)
    with store.claim(request.out):
        return _build_locked(request, with_code=with_code, force=force, timeout=timeout, log=log,
                             progress=progress, preload=preload, start=start)


def _build_locked(request: Request, *, with_code, force, timeout, log, progress, preload,
                  start) -> BuildReport:
    """The build proper, with the output folder locked (:func:`ipsresearch.report.store.claim`)."""
    notebooks_dir, infos, selected = request.notebooks_dir, request.infos, request.selected
    params, data_dir, jobs, out = request.params, request.data_dir, request.jobs, request.out
    if os.name == "posix":  # what killed builds left in the temporary directory (kernel keys)
        from ipsresearch.report.kernels import sweep_stale

        sweep_stale()
    package = pv.package_files()
    env = pv.environment()
    ctx = _Context(out=out, notebooks_dir=notebooks_dir, data_dir=data_dir, params=params,
                   with_code=with_code, timeout=timeout, package=package,
                   package_hash=pv.digest(package), data_hash=pv.digest(pv.data_files(data_dir)),
                   read_roots=pv.read_roots(data_dir, params), environment=env)
    store.remove_stale_temporaries(out)
    manifest = store.read_manifest(out)
    claims_key = pv.canonical_hash({"package": ctx.package_hash, "data": ctx.data_hash,
                                    "data_dir": str(data_dir) if data_dir else None})
    old_claims = manifest.get("claims")
    if not force and isinstance(old_claims, dict) and old_claims.get("key") == claims_key:
        ctx.claims = old_claims
    previous = {r.get("name"): r for r in manifest.get("reports", []) if isinstance(r, dict)}

    from ipsresearch.report.render import NavItem

    ctx.nav_items = [NavItem(i.name, i.title) for i in infos
                     if i.name in selected or (out / f"{i.name}.html").is_file()]
    nav_key = [(n.name, n.title) for n in ctx.nav_items]
    env_hash = pv.canonical_hash(env)
    items: list[_Item] = []
    for info in infos:
        overrides = {k: v for k, v in params.items() if k in info.parameters}
        inputs = {"notebook": info.sha256, "package": ctx.package_hash,
                  "data": pv.canonical_hash([ctx.data_hash, pv.parameter_files(overrides)]),
                  "parameters": {k: repr(v) for k, v in sorted(overrides.items())},
                  "environment": env_hash, "kernel": KERNEL}
        exec_key = pv.canonical_hash(inputs)
        page_key = pv.canonical_hash({"execution": exec_key, "nav": nav_key, "mode": ctx.mode})
        item = _Item(info, overrides, exec_key, page_key, inputs, info.name in selected)
        if item.selected:
            entry = previous.get(info.name)
            if info.error:
                item.action = "broken"
            elif (not force and entry and entry.get("status") == "ok"
                  and entry.get("page_key") == page_key and _html_ok(out, info.name, entry)):
                item.action = "cached"
            elif not force and (_executed_meta(out, info.name) or {}).get("execution_key") == exec_key:
                item.action = "render"
            else:
                item.action = "execute"
        items.append(item)

    results: dict[str, BuildResult] = {}
    entries: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.action == "cached":
            results[item.info.name] = BuildResult(item.info.name, "cached")
            entries[item.info.name] = previous[item.info.name]
    work = [i for i in items if i.action in ("render", "execute", "broken")]
    written: list[str] = []
    reporter = _Progress(progress, log)
    reporter.line(plan_line(execute=[i.info.name for i in work if i.action != "render"],
                            render=[i.info.name for i in work if i.action == "render"],
                            cached=sum(i.action == "cached" for i in items), jobs=jobs, out=out))
    if work:
        ctx.git = pv.git_state()
        ctx.when = pv.build_time()
        reporter.start(len(work))
        try:
            _run(_work(ctx, work, previous, results, entries, written, jobs, reporter, claims_key,
                       preload))
        finally:
            reporter.finish()

    reports = [_report_entry(ctx, item, previous, entries) for item in items]
    index_key = pv.canonical_hash({"reports": reports, "package": ctx.package_hash,
                                   "data": ctx.data_hash, "nav": nav_key, "mode": ctx.mode,
                                   "notebooks_dir": pv.relative(notebooks_dir)})
    index_path = out / "index.html"
    index_current = (manifest.get("index_key") == index_key and index_path.is_file()
                     and pv.sha256_file(index_path) == manifest.get("index_sha256"))
    if force or work or not index_current:
        if ctx.claims is None:
            ctx.claims = _claims(ctx, claims_key)
        written += _write_index(ctx, reports, index_key, reporter)

    ordered = tuple(results[i.info.name] for i in items if i.selected)
    report = BuildReport(ordered, out, time.perf_counter() - start, tuple(written))
    return report


def _run(coro) -> Any:
    """Run a coroutine; inside a running event loop (JupyterLab) use a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()
    try:
        return asyncio.run(coro)
    except asyncio.CancelledError:  # SIGTERM: every kernel has been shut down by now
        raise KeyboardInterrupt from None


async def _work(ctx: _Context, work: list[_Item], previous: dict, results: dict, entries: dict,
                written: list[str], jobs: int, reporter: _Progress, claims_key: str,
                preload: bool) -> None:
    # While the kernels start, this process has spare time: recompute the claims register
    # (when its inputs changed) and load nbconvert in worker threads.
    claims_task = (asyncio.create_task(asyncio.to_thread(_claims, ctx, claims_key))
                   if ctx.claims is None else None)
    from ipsresearch.report import kernels

    kernel_env = kernels.kernel_environment(source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"))
    stack = contextlib.ExitStack()
    sockets = stack.enter_context(kernels.socket_directory())
    if sockets is None:  # not POSIX: the read logs still need a private place
        import tempfile

        sockets_fallback = stack.enter_context(tempfile.TemporaryDirectory(prefix="ipsresearch-"))
    logs = sockets if sockets is not None else sockets_fallback
    zygote = None
    if preload and kernels.available() and any(i.action == "execute" for i in work):
        zygote = kernels.Zygote(kernel_env)  # imports the libraries while this process gets ready
        stack.callback(zygote.close)

    from ipsresearch.report import execute as ex
    from ipsresearch.report.render import PageRenderer

    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    sigterm = threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGTERM) if sigterm else None
    if sigterm:  # inside the loop, SIGTERM cancels every notebook's task (each shuts its kernel)
        try:
            loop.add_signal_handler(signal.SIGTERM, main.cancel)
        except (NotImplementedError, RuntimeError):
            sigterm = False
    renderer = PageRenderer(with_code=ctx.with_code)
    warm = asyncio.create_task(asyncio.to_thread(renderer.warm))
    sem = asyncio.Semaphore(jobs)
    slots = list(range(jobs))

    async def produce(item: _Item) -> tuple[BuildResult, dict, list[str]]:
        name = item.info.name
        if item.action == "broken":
            failure = ex.ExecutionFailure(None, None, "NotebookFormatError", item.info.error,
                                          where="reading the file")
            return await asyncio.to_thread(
                _finish_failed, ctx, item, None, failure, 0.0, renderer, previous.get(name))
        if item.action == "render":
            return await asyncio.to_thread(_finish_render, ctx, item, renderer)
        async with sem:
            nb = ex.read_notebook(item.info.path.read_bytes())
            nb = inject_parameters(nb, item.overrides)
            injected_at = next((i for i, c in enumerate(nb.cells)
                                if c.get("id") == "injected-parameters"), None)
            slot = slots.pop(0)
            bar = reporter.open(name, ex.code_cell_count(nb), slot)
            log = Path(logs) / f"{name}.reads"
            env = {**kernel_env, READ_LOG_ENV: str(log), READ_ROOTS_ENV: os.pathsep.join(ctx.read_roots)}
            try:
                run = await ex.execute_notebook(
                    nb, cwd=item.info.path.parent.resolve(), env=env, timeout=ctx.timeout,
                    kernel_name=KERNEL, injected_at=injected_at, zygote=zygote, socket_dir=sockets,
                    on_cell=(lambda n: bar.update(1)) if bar is not None else None)
            finally:
                reporter.close(bar)
                slots.append(slot)
                slots.sort()
            item.reads = await asyncio.to_thread(_reads_of, ctx, log)
        notes = tuple(ex.stderr_notes(run.nb, injected_at=injected_at))
        if run.failure is None:
            return await asyncio.to_thread(
                _finish_executed, ctx, item, run.nb, run.seconds, renderer, notes)
        return await asyncio.to_thread(
            _finish_failed, ctx, item, run.nb, run.failure, run.seconds, renderer, previous.get(name))

    async def one(item: _Item) -> None:
        name = item.info.name
        try:
            res, entry, files = await produce(item)
        except Exception as exc:  # the builder's own error on one notebook must not stop the others
            failure = ex.ExecutionFailure(None, None, type(exc).__name__, str(exc),
                                          traceback.format_exc(), where="report builder")
            res, entry, files = await asyncio.to_thread(
                _finish_failed, ctx, item, None, failure, 0.0, renderer, previous.get(name))
        results[name] = res
        entries[name] = entry
        written.extend(files)
        if res.status == "failed":
            reporter.line(f"failed: {res.error.splitlines()[0]}")
            if res.failed_notebook:
                reporter.line(f"        executed notebook saved as {res.failed_notebook}")
        else:
            took = f" in {res.seconds:.1f} s" if res.status == "built" else " from the execution cache"
            reporter.line(f"{res.status}: {name}.html{took}")
        for note in res.notes:
            said = note.split(" wrote to stderr: ", 1)[-1]
            notes_seen.setdefault(said, []).append(name)
        reporter.done()

    notes_seen: dict[str, list[str]] = {}  # what notebooks wrote to stderr -> which ones
    try:
        await asyncio.gather(*(one(i) for i in work))
        for said, names in notes_seen.items():  # once each, however many reports wrote it
            reporter.line(f"note ({', '.join(sorted(set(names)))}): {said}")
        if zygote is not None and zygote.failure is not None:
            reporter.line(f"note: {zygote.failure}; kernels were started as new interpreters")
        await warm
        if claims_task is not None:
            ctx.claims = await claims_task
    finally:
        for task in (warm, claims_task):
            if task is not None and not task.done():
                task.cancel()
        await asyncio.to_thread(stack.close)  # the zygote exits, the socket directory goes
        if sigterm:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, before)


# --------------------------------------------------------------------------- per-notebook outputs


def _provenance(ctx: _Context, item: _Item, meta: dict[str, Any]) -> dict[str, Any]:
    env = ctx.environment
    defaults = item.info.parameters
    parameters = [{"name": k, "value": meta["parameters"].get(k, v), "injected": k in meta["parameters"]}
                  for k, v in defaults.items()]
    return {
        "report": {"name": item.info.name, "title": item.info.title,
                   "notebook": pv.relative(item.info.path), "notebook_sha256": item.info.sha256},
        "mode": ("teaching mode (code shown)" if ctx.with_code else "reviewer mode (code hidden)"),
        "package": {"version": __version__, "source_sha256": ctx.package_hash, "files": len(ctx.package)},
        "git": meta["git"],
        "data": _data_block(ctx, meta.get("data_files") or {}),
        "parameters": parameters,
        "execution": {"kernel": KERNEL, "python": env["python"], "ipykernel": env["ipykernel"],
                      "nbclient": env["nbclient"], "nbconvert": env["nbconvert"],
                      "timeout": ctx.timeout, "key": item.exec_key},
        "environment": env,
        "build_time": meta["build_time"],
    }


def _meta(ctx: _Context, item: _Item, seconds: float | None) -> dict[str, Any]:
    when = ctx.when.to_dict()
    when["seconds"] = None if ctx.when.reproducible or seconds is None else round(seconds, 2)
    return {"execution_key": item.exec_key, "git": ctx.git, "build_time": when,
            "parameters": {k: repr(v) for k, v in sorted(item.overrides.items())},
            "inputs": item.inputs, "data_files": dict(sorted(item.reads.items()))}


def _data_block(ctx: _Context, files: dict[str, str]) -> dict[str, Any]:
    """The data part of a provenance block: the folder, and the files the analysis read."""
    files = dict(sorted(files.items()))
    return {"dir": ctx.data_display, "sha256": pv.digest(files), "files": files}


def _reads_of(ctx: _Context, log: Path) -> dict[str, str]:
    """``{label: sha256}`` of the data files a kernel logged as read (:func:`ipsresearch.paths.note_read`)."""
    try:
        lines = log.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except FileNotFoundError:
        return {}
    return pv.read_files(lines, ctx.data_dir, ctx.read_roots)


def _page_entry(ctx: _Context, item: _Item, meta: dict[str, Any], *, status: str, page: str | None,
                output_sha256: str | None, page_key: str | None, error: dict | None = None) -> dict:
    return {
        "name": item.info.name, "title": item.info.title, "notebook": pv.relative(item.info.path),
        "html": f"{item.info.name}.html" if page else None, "page": page, "status": status,
        "mode": ctx.mode, "inputs": meta.get("inputs", item.inputs),
        "data_files": meta.get("data_files") or {},
        "execution_key": meta.get("execution_key", item.exec_key), "page_key": page_key,
        "output_sha256": output_sha256, "git": meta.get("git"), "build_time": meta.get("build_time"),
        "error": error,
    }


def _write_page(ctx: _Context, item: _Item, nb: Any, meta: dict[str, Any], renderer) -> tuple[str, bool]:
    from ipsresearch.report.render import render_nav, render_provenance

    html_text = renderer.render(
        nb, name=item.info.name, title=item.info.title,
        nav=render_nav(ctx.nav_items, item.info.name),
        provenance=render_provenance(_provenance(ctx, item, meta)))
    path = ctx.out / f"{item.info.name}.html"
    changed = store.write_text(path, html_text)
    return pv.sha256_bytes(html_text.encode("utf-8")), changed


def _finish_executed(ctx: _Context, item: _Item, nb: Any, seconds: float, renderer,
                     notes: tuple[str, ...]):
    import nbformat

    from ipsresearch.report.render import without_live_outputs

    name = item.info.name
    meta = _meta(ctx, item, seconds)
    nb = without_live_outputs(nb)
    nb.metadata["ipsresearch"] = meta
    files = []
    if store.write_text(ctx.out / EXECUTED_DIR / f"{name}.ipynb", nbformat.writes(nb) + "\n"):
        files.append(f"{EXECUTED_DIR}/{name}.ipynb")
    digest_, changed = _write_page(ctx, item, nb, meta, renderer)
    if changed:
        files.append(f"{name}.html")
    files += _remove_stale_failure(ctx, name)
    entry = _page_entry(ctx, item, meta, status="ok", page="report", output_sha256=digest_,
                        page_key=item.page_key)
    return BuildResult(name, "built", seconds, notes=notes), entry, files


def _remove_stale_failure(ctx: _Context, name: str) -> list[str]:
    stale = ctx.out / FAILED_DIR / f"{name}.ipynb"
    if stale.exists():
        stale.unlink()
        return [f"{FAILED_DIR}/{name}.ipynb (removed)"]
    return []


def _finish_render(ctx: _Context, item: _Item, renderer):
    from ipsresearch.report.execute import read_notebook

    name = item.info.name
    nb = read_notebook((ctx.out / EXECUTED_DIR / f"{name}.ipynb").read_bytes())
    meta = dict(nb.metadata["ipsresearch"])
    digest_, changed = _write_page(ctx, item, nb, meta, renderer)
    files = ([f"{name}.html"] if changed else []) + _remove_stale_failure(ctx, name)
    entry = _page_entry(ctx, item, meta, status="ok", page="report", output_sha256=digest_,
                        page_key=item.page_key)
    return BuildResult(name, "rendered"), entry, files


def _finish_failed(ctx: _Context, item: _Item, nb: Any, failure, seconds: float, renderer,
                   previous: dict[str, Any] | None):
    from ipsresearch.report.render import render_failed_page

    name = item.info.name
    meta = _meta(ctx, item, seconds)
    files = []
    failed_rel = None
    if nb is not None:
        import nbformat

        from ipsresearch.report.render import without_live_outputs

        nb = without_live_outputs(nb)
        nb.metadata["ipsresearch"] = {**meta, "failure": failure.describe(item.info.path.name)}
        failed_rel = f"{FAILED_DIR}/{name}.ipynb"
        if store.write_text(ctx.out / failed_rel, nbformat.writes(nb) + "\n"):
            files.append(failed_rel)
    message = failure.describe(item.info.path.name)
    error = {"message": message, "cell": failure.cell, "code_cell": failure.code_cell,
             "ename": failure.ename, "evalue": failure.evalue, "failed_notebook": failed_rel}
    page = ctx.out / f"{name}.html"
    keep = bool(previous) and previous.get("page") == "report" and _html_ok(ctx.out, name, previous)
    if keep:
        entry = dict(previous)
        entry.update(status="failed", error=error)
    else:
        html_text = render_failed_page(
            name=name, title=item.info.title, nav_items=ctx.nav_items, message=message,
            traceback=failure.traceback, failed_href=failed_rel or "",
            prov=_provenance(ctx, item, meta))
        if store.write_text(page, html_text):
            files.append(f"{name}.html")
        entry = _page_entry(ctx, item, meta, status="failed", page="failure",
                            output_sha256=pv.sha256_bytes(html_text.encode("utf-8")),
                            page_key=None, error=error)
    text = message + ("\n" + failure.traceback if failure.traceback else "")
    result = BuildResult(name, "failed", seconds, text, failure.cell, failed_rel)
    return result, entry, files


# --------------------------------------------------------------------------- index and manifest


def _report_entry(ctx: _Context, item: _Item, previous: dict, entries: dict) -> dict[str, Any]:
    """Manifest entry of every notebook, built this time or not."""
    name = item.info.name
    if name in entries:
        return entries[name]
    entry = previous.get(name)
    if entry and _html_ok(ctx.out, name, entry):
        entry = dict(entry)
        if entry.get("status") != "failed":
            entry["status"] = "ok" if entry.get("page_key") == item.page_key else "outdated"
        return entry
    return _page_entry(ctx, item, {}, status="missing", page=None, output_sha256=None, page_key=None)


def _claims(ctx: _Context, key: str) -> dict[str, Any]:
    """The whole claims register as plain dicts, computed one claim set at a time.

    A set whose module cannot be imported or whose data cannot be loaded is
    reported in ``errors`` and does not hide the others.
    """
    import importlib

    from ipsresearch.claims import verify
    from ipsresearch.paths import is_synthetic
    from ipsresearch.studies import MODULES

    results, errors = [], []
    data_dir = str(ctx.data_dir) if ctx.data_dir is not None else None
    if not is_synthetic(data_dir):
        # a programme's own data: a paper's claims are checked only against that paper's data
        return {"key": key, "results": [], "errors": [], "data_files": {}, "checked": False}
    with recording() as read:
        for module in MODULES:
            try:
                claim_set = importlib.import_module(module).CLAIMS
                results.extend(_jsonable(r.to_dict())
                               for r in verify(data_dir=data_dir, claim_sets=[claim_set]))
            except Exception as exc:  # one broken claim set must not hide the others
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                errors.append(f"{module}: {type(exc).__name__}: {first}")
    files = pv.read_files(read, ctx.data_dir, getattr(ctx, "read_roots", ()))
    return {"key": key, "results": results, "errors": errors, "data_files": files,
            "checked": True}


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _write_index(ctx: _Context, reports: list[dict], index_key: str, reporter: _Progress) -> list[str]:
    from ipsresearch.claims import BASES, STATUSES, ClaimResult
    from ipsresearch.report.render import render_index
    from ipsresearch.report.tables import (
        claims_headline,
        conflicts_html,
        counts_html,
        left_out_html,
        register_html,
    )
    from ipsresearch.sources import SOURCES
    from ipsresearch.studies import left_out

    when = ctx.when or pv.build_time()
    linkable = {r["name"] for r in reports if r.get("html")}
    claims = [ClaimResult.from_dict({**d, "report": d["report"] if d["report"] in linkable else ""})
              for d in ctx.claims["results"]]
    errors = list(ctx.claims["errors"])
    for e in errors:
        reporter.line(f"warning: claims register: {e}")
    counts: dict[str, Any] = {s: sum(r.status == s for r in claims) for s in STATUSES}
    counts["total"] = len(claims)
    counts["by_basis"] = {b: {s: n for s in STATUSES
                              if (n := sum(r.basis == b and r.status == s for r in claims))}
                          for b in BASES}
    conflicts = [r for r in claims if r.status in ("erratum", "query")]
    read: dict[str, str] = dict(ctx.claims.get("data_files") or {})
    for r in reports:
        read.update(r.get("data_files") or {})
    rows = []
    for r in reports:
        note = ""
        if r["status"] == "failed" and r.get("error"):
            note = r["error"]["message"] + ("; previous page kept" if r.get("page") == "report" else "")
        rows.append({"name": r["name"], "title": r["title"], "status": r["status"], "note": note,
                     "href": r["html"], "commit": (r.get("git") or {}).get("commit"),
                     "dirty": (r.get("git") or {}).get("dirty"), "build_time": r.get("build_time")})
    page = render_index(
        nav_items=ctx.nav_items, reports=rows,
        claims_table=register_html(claims, link_reports=True),
        conflicts_table=conflicts_html(conflicts, link_reports=True) if conflicts else "",
        counts=counts, claims_error="\n".join(errors),
        headline=claims_headline(claims), counts_table=counts_html(claims),
        left_out_table=left_out_html(left_out()),
        sources=[{"citation": s.citation, "file": s.file, "doi": s.doi} for s in SOURCES.values()],
        bases=list(BASES.items()), statuses=list(STATUSES.items()),
        claims_checked=ctx.claims.get("checked", True),
        package={"version": __version__, "source_sha256": ctx.package_hash},
        data=_data_block(ctx, read),
        notebooks_dir=pv.relative(ctx.notebooks_dir) + "/", written=when.to_dict())
    files = []
    if store.write_text(ctx.out / "index.html", page):
        files.append("index.html")
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if s != "total" and isinstance(n, int) and n)
    reporter.line(f"index.html: the claims register, {len(claims)} claims ({tally or 'none'})")
    manifest = {
        "generator": "ipsresearch report builder",
        "ipsresearch": __version__,
        "build_time": when.to_dict(),
        "index_key": index_key,
        "index_sha256": pv.sha256_bytes(page.encode("utf-8")),
        "mode": ctx.mode,
        "notebooks_dir": pv.relative(ctx.notebooks_dir),
        "parameters": {k: repr(v) for k, v in sorted(ctx.params.items())},
        "package": {"version": __version__, "source_sha256": ctx.package_hash, "files": ctx.package},
        "data": _data_block(ctx, read),
        "environment": ctx.environment,
        "reports": reports,
        "claims": {"key": ctx.claims["key"], "checked": ctx.claims.get("checked", True),
                   "counts": counts, "errors": errors,
                   "results": ctx.claims["results"],
                   "data_files": dict(sorted((ctx.claims.get("data_files") or {}).items()))},
    }
    if store.write_json(ctx.out / store.MANIFEST, _jsonable(manifest)):
        files.append(store.MANIFEST)
    return files

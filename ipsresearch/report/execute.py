"""Run notebooks top to bottom in fresh kernels, several at once, in this process.

Each notebook gets its own kernel (a separate process started by
:mod:`jupyter_client`); :mod:`nbclient`'s asynchronous API drives all of them
from one asyncio event loop, so the kernels use the cores while this process
only routes messages. The kernel environment is made reproducible:

- ``PYTHONHASHSEED=0``: set and dict-of-string iteration order is stable;
- ``MATPLOTLIBRC`` points at ``ipsresearch/templates/matplotlibrc``, which
  fixes ``svg.hashsalt`` so that SVG figures carry no random ids;
- ``SOURCE_DATE_EPOCH`` is set (to ``0`` when the build has none), so that
  SVG and PDF figures carry a fixed date instead of the clock's;
- no timing metadata is recorded in the executed notebook
  (``record_timing=False``) and execution counts restart at 1 per notebook;
- the random ids pandas gives each styled table (``Styler``: ``T_`` and five
  hex digits, repeated in its CSS selectors) are renumbered in order of
  appearance, and memory addresses in default object representations
  (``<Styler at 0x7f...>``) are masked (:func:`stabilise_outputs`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any


def _import_nbformat_without_iri_grammar() -> None:
    """Import nbformat (and jsonschema) without compiling the rfc3987-syntax grammar.

    jsonschema registers its optional ``iri`` format checkers by importing
    ``rfc3987_syntax``, which compiles 38 lark grammars at import time: about
    1.6 s of every build, for a check nbformat never uses. When jsonschema is
    not imported yet, hide that module during the import (jsonschema skips
    the two checkers on ImportError) and unhide it right after.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import nbformat  # noqa: F401
    finally:
        del sys.modules["rfc3987_syntax"]


_import_nbformat_without_iri_grammar()

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402
from traitlets.config import Config  # noqa: E402

from ipsresearch.paths import PACKAGE_DIR  # noqa: E402

__all__ = ["Execution", "ExecutionFailure", "execute_notebook", "kernel_environment",
           "read_notebook"]

MATPLOTLIBRC = PACKAGE_DIR / "templates" / "matplotlibrc"
STARTUP_TIMEOUT = 300
"""Seconds a kernel may take to start: generous, because a machine shared by several
people can be slow to start eight kernels, and a kernel that cannot start fails fast."""
_KERNELS = itertools.count(1)


def _kernel_config() -> Config:
    """Kernels talk over Unix-domain sockets in the temporary directory, one unique path
    prefix per kernel (no TCP ports to collide with when several builds run at once, and
    no warning about unencrypted TCP from the kernel)."""
    if os.name != "posix":
        return Config()
    prefix = os.path.join(tempfile.gettempdir(), f"ipsresearch-kernel-{os.getpid()}-{next(_KERNELS)}")
    return Config({"KernelManager": {"transport": "ipc", "ip": prefix}})
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def kernel_environment(*, source_date_epoch: str | None = None) -> dict[str, str]:
    """Environment of every kernel the builder starts (see the module docstring)."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["MATPLOTLIBRC"] = str(MATPLOTLIBRC)
    env["SOURCE_DATE_EPOCH"] = source_date_epoch or "0"
    env.pop("MPLBACKEND", None)  # the kernel's inline backend, whatever the shell uses
    return env


def read_notebook(raw: bytes) -> nbformat.NotebookNode:
    """Parse notebook bytes; cells without an id get ``cell-<index>`` (never a random id)."""
    import json

    declared = [isinstance(c, dict) and "id" in c for c in json.loads(raw).get("cells", [])]
    nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    for i, cell in enumerate(nb.cells):
        if i >= len(declared) or not declared[i]:
            cell["id"] = f"cell-{i}"
    return nb


@dataclass(frozen=True)
class ExecutionFailure:
    """Where and why a notebook stopped.

    Attributes
    ----------
    cell : int or None
        1-based position of the failing cell in the stored notebook (as
        JupyterLab counts cells, Markdown included); ``None`` when the kernel
        could not start. ``0`` means the injected parameters cell.
    code_cell : int or None
        1-based position among the code cells.
    ename, evalue : str
        Exception type and message raised in the kernel.
    traceback : str
        Plain-text traceback (ANSI colours removed).
    where : str
        Where it failed when not in a cell (e.g. ``reading the file``).
    """

    cell: int | None
    code_cell: int | None
    ename: str
    evalue: str
    traceback: str = ""
    where: str = ""

    def describe(self, notebook: str) -> str:
        """One line naming the notebook, the cell and the error."""
        where = (self.where if self.where else
                 "injected parameters cell" if self.cell == 0 else
                 f"cell {self.cell} (code cell {self.code_cell})" if self.cell is not None
                 else "kernel start")
        evalue = self.evalue.strip().splitlines()[0] if self.evalue.strip() else ""
        return f"{notebook}, {where}: {self.ename}" + (f": {evalue}" if evalue else "")


@dataclass
class Execution:
    """An executed (or partly executed) notebook, its duration and its failure, if any."""

    nb: nbformat.NotebookNode
    seconds: float
    failure: ExecutionFailure | None = None


class _Client(NotebookClient):
    """nbclient without its per-client signal handlers.

    :meth:`NotebookClient.async_setup_kernel` installs SIGINT/SIGTERM handlers
    on the event loop for each client; with several clients at once they
    replace one another, and a Ctrl-C would shut one kernel down and let the
    build carry on. Here the builder owns the signals: cancellation reaches
    every notebook's task, and this context manager shuts its kernel down.
    """

    @contextlib.asynccontextmanager
    async def async_setup_kernel(self, **kwargs: Any) -> AsyncIterator[None]:
        kwargs.pop("cleanup_kc", None)
        if self.km is None:
            self.km = self.create_kernel_manager()
        try:
            if not self.km.has_kernel:
                await self.async_start_new_kernel(**kwargs)
            if self.kc is None:
                await self.async_start_new_kernel_client()
            yield
        finally:
            if self.km is not None:
                await self._async_cleanup_kernel()


def _plain(text: str) -> str:
    return _ANSI.sub("", text or "")


async def execute_notebook(
    nb: nbformat.NotebookNode,
    *,
    cwd: str | os.PathLike,
    env: dict[str, str],
    timeout: int,
    kernel_name: str = "python3",
    injected_at: int | None = None,
    on_cell: Callable[[int], None] | None = None,
) -> Execution:
    """Execute ``nb`` in place in a fresh kernel; never raises for a notebook's own errors.

    Parameters
    ----------
    nb : NotebookNode
        Modified in place: outputs are filled in.
    cwd : path-like
        Working directory of the kernel (the notebook's folder).
    env : dict
        Kernel environment (see :func:`kernel_environment`).
    timeout : int
        Seconds one cell may run.
    injected_at : int, optional
        Index of the injected parameters cell, to report failures by the cell
        numbers of the stored notebook.
    on_cell : callable, optional
        Called with the number of code cells finished so far.

    Returns
    -------
    Execution
        ``failure`` is set when a cell raised, timed out or the kernel died.
        ``asyncio.CancelledError`` (Ctrl-C, SIGTERM) propagates after the
        kernel is shut down.
    """
    current = {"index": None}
    done = {"n": 0}

    def started(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    def executed(cell: Any, cell_index: int, execute_reply: Any) -> None:
        done["n"] += 1
        if on_cell is not None:
            on_cell(done["n"])

    client = _Client(
        nb, config=_kernel_config(), timeout=timeout, kernel_name=kernel_name, record_timing=False,
        startup_timeout=STARTUP_TIMEOUT,
        shutdown_kernel="immediate", allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=started, on_cell_executed=executed,
    )
    start = time.perf_counter()
    failure = None
    try:
        await client.async_execute(env=env, cwd=str(cwd))
    except CellExecutionError as exc:
        failure = _failure(nb, current["index"], injected_at, exc.ename, exc.evalue, str(exc))
    except CellTimeoutError as exc:
        failure = _failure(nb, current["index"], injected_at, "CellTimeoutError",
                           f"a cell ran longer than {timeout} s", str(exc))
    except DeadKernelError as exc:
        failure = _failure(nb, current["index"], injected_at, "DeadKernelError",
                           "the kernel died (out of memory, or the process was killed)", str(exc))
    except Exception as exc:  # kernel start-up and other machinery errors: report, do not crash
        failure = _failure(nb, current["index"], injected_at, type(exc).__name__, str(exc), "")
    stabilise_outputs(nb)
    return Execution(nb, time.perf_counter() - start, failure)


_STYLER_TABLE = re.compile(r'<table id="T_([0-9a-f]{5})"')
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]{6,16}>")


def _mask_addresses(text: Any) -> Any:
    if isinstance(text, list):
        return [_ADDRESS.sub(" at 0x...>", t) for t in text]
    return _ADDRESS.sub(" at 0x...>", text) if isinstance(text, str) else text


def stabilise_outputs(nb: nbformat.NotebookNode) -> int:
    """Make outputs that carry run-specific noise byte-stable, in place.

    ``df.style`` gives each table a random five-hex-digit uuid (``T_49784``)
    used in its element ids and CSS selectors; two runs would differ. Each
    such uuid becomes ``T_table<k>``, ``k`` counting styled tables from the top
    of the notebook, so ids stay unique within the page. Default object
    representations show a memory address (``<... at 0x7f3a...>``), different
    in every process: it becomes ``at 0x...>`` in plain-text outputs.

    Returns
    -------
    int
        Number of tables renumbered.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("df.style")
    >>> cell.outputs = [nbformat.v4.new_output("execute_result", {"text/html":
    ...     '<style>#T_3fa9c_row0_col0 {color: red}</style><table id="T_3fa9c">'})]
    >>> nb.cells.append(cell)
    >>> stabilise_outputs(nb), nb.cells[0].outputs[0].data["text/html"]
    (1, '<style>#T_table1_row0_col0 {color: red}</style><table id="T_table1">')
    """
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out["text"] = _mask_addresses(out.get("text", ""))
            data = out.get("data")
            if data and "text/plain" in data:
                data["text/plain"] = _mask_addresses(data["text/plain"])
            if not data or "text/html" not in data:
                continue
            html_text = data["text/html"]
            text = "".join(html_text) if isinstance(html_text, list) else html_text
            for uid in dict.fromkeys(_STYLER_TABLE.findall(text)):
                count += 1
                text = text.replace(f"T_{uid}", f"T_table{count}")
            data["text/html"] = text
    return count


def _failure(nb: nbformat.NotebookNode, index: int | None, injected_at: int | None,
             ename: str, evalue: str, traceback: str) -> ExecutionFailure:
    if index is None:
        return ExecutionFailure(None, None, ename, _plain(evalue), _plain(traceback))
    code = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
    cell = index + 1
    if injected_at is not None:
        if index == injected_at:
            cell = code = 0
        elif index > injected_at:
            cell, code = cell - 1, code - 1
    return ExecutionFailure(cell, code, ename, _plain(evalue), _plain(traceback))


def code_cell_count(nb: nbformat.NotebookNode) -> int:
    """Number of code cells that will run (non-empty sources)."""
    return sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())


def stderr_notes(nb: nbformat.NotebookNode, *, injected_at: int | None = None) -> list[str]:
    """First line of every stderr stream a cell wrote (warnings a reader would see in the report)."""
    notes = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                first = next((ln for ln in _plain(out.get("text", "")).splitlines() if ln.strip()), "")
                pos = i + 1 - (1 if injected_at is not None and i > injected_at else 0)
                notes.append(f"cell {pos} wrote to stderr: {first.strip()[:160]}")
    return notes


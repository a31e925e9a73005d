"""Run notebooks top to bottom in fresh kernels, several at once, in this process.

Each notebook gets its own kernel (a separate process started by
:mod:`jupyter_client`); :mod:`nbclient`'s asynchronous API drives all of them
from one asyncio event loop, so the kernels use the cores while this process
only routes messages.

Kernels are started by :mod:`ipsresearch.report.kernels` (forked from a
process with the libraries already imported, on Linux), and their
environment (:func:`ipsresearch.report.kernels.kernel_environment`) is made
reproducible:

- ``PYTHONHASHSEED=0``: set and dict-of-string iteration order is stable;
- ``MATPLOTLIBRC`` points at ``ipsresearch/report/templates/matplotlibrc``, which
  fixes ``svg.hashsalt`` so that SVG figures carry no random ids;
- ``SOURCE_DATE_EPOCH`` is set (to ``0`` when the build has none), so that
  SVG and PDF figures carry a fixed date instead of the clock's;
- ``IPSRESEARCH_WIDGETS=0``: teaching notebooks show their static results
  (:func:`ipsresearch.explore.use_widgets`), even when the shell that
  started the build asks for sliders;
- no timing metadata is recorded in the executed notebook
  (``record_timing=False``) and execution counts restart at 1 per notebook;
- the random ids pandas gives each styled table (``Styler``: ``T_`` and five
  hex digits, repeated in its CSS selectors) are renumbered in order of
  appearance, and memory addresses in default object representations
  (``<Styler at 0x7f...>``) are masked (:func:`stabilise_outputs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import sys
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
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402
from traitlets.config import Config  # noqa: E402

__all__ = ["Execution", "ExecutionFailure", "execute_notebook", "read_notebook",
           "stabilise_outputs"]

STARTUP_TIMEOUT = 300
"""Seconds a kernel may take to start: generous, because a machine shared by several
people can be slow to start eight kernels, and a kernel that cannot start fails fast."""
_KERNELS = itertools.count(1)


def _kernel_config(socket_dir: str | None) -> Config:
    """Kernels talk over Unix-domain sockets, one unique path prefix per kernel in the
    build's socket directory (no TCP ports to collide with when several builds run at
    once, and no warning about unencrypted TCP from the kernel). Their connection files,
    which hold the kernel's key, go in the same private directory, which the build
    removes (or the next build, when this one was killed).

    A socket path longer than :data:`ipsresearch.report.kernels.SOCKET_PATH_MAX`
    cannot be bound (a long ``$TMPDIR``): then the kernel listens on TCP ports of
    the loopback interface, authenticated by the same key."""
    if os.name != "posix" or socket_dir is None:
        return Config()
    from ipsresearch.report.kernels import SOCKET_PATH_MAX

    prefix = os.path.join(socket_dir, f"k{next(_KERNELS)}")
    manager = {"connection_file": prefix + ".json"}
    if len(prefix) + len("-99") <= SOCKET_PATH_MAX:
        manager.update(transport="ipc", ip=prefix)
    else:
        manager.update(transport="tcp", ip="127.0.0.1")
    return Config({"KernelManager": manager})


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


class _ForkingKernelManager(AsyncKernelManager):
    """Starts ``python -m ipykernel_launcher`` kernels by forking the build's zygote
    (:mod:`ipsresearch.report.kernels`) when there is one and it works; anything else
    the usual way. Everything after the launch (signals, polling, shutdown) is
    jupyter_client's own."""

    zygote = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        from ipsresearch.report.kernels import ZygoteError, is_ipykernel_command

        if self.zygote is None or not is_ipykernel_command(kernel_cmd):
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        try:
            process = await asyncio.to_thread(self.zygote.spawn, kernel_cmd, cwd=kw.get("cwd"),
                                              env=kw.get("env"))
        except ZygoteError:  # the zygote died or hangs: a new interpreter gives the same outputs
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        prov = self.provisioner
        prov.process, prov.pid, prov.pgid = process, process.pid, process.pid
        prov.cwd = kw.get("cwd", os.getcwd())
        self._reconcile_connection_info(prov.connection_info)


class _Client(NotebookClient):
    """nbclient without its per-client signal handlers.

    :meth:`NotebookClient.async_setup_kernel` installs SIGINT/SIGTERM handlers
    on the event loop for each client; with several clients at once they
    replace one another, and a Ctrl-C would shut one kernel down and let the
    build carry on. Here the builder owns the signals: cancellation reaches
    every notebook's task, and this context manager shuts its kernel down.
    """

    zygote = None

    @contextlib.asynccontextmanager
    async def async_setup_kernel(self, **kwargs: Any) -> AsyncIterator[None]:
        kwargs.pop("cleanup_kc", None)
        if self.km is None:
            self.km = self.create_kernel_manager()
            self.km.zygote = self.zygote
        try:
            if not self.km.has_kernel:
                await self.async_start_new_kernel(**kwargs)
            if self.kc is None:
                await self.async_start_new_kernel_client()
            yield
        finally:
            if self.km is not None:
                await self._async_cleanup_kernel()

    async def async_execute_cell(self, *args: Any, **kwargs: Any) -> Any:
        # nbclient reports any cancellation of a running cell as DeadKernelError; when the
        # build is being interrupted, let the cancellation through instead of a failure
        try:
            return await super().async_execute_cell(*args, **kwargs)
        except DeadKernelError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError from None
            raise

    async def _async_check_alive(self) -> None:
        # nbclient's liveness watcher may outlive an interrupted cell; once the kernel is shut
        # down there is nothing to watch (it would otherwise fail on the missing client)
        if self.kc is None:
            raise DeadKernelError("the kernel was shut down")
        await super()._async_check_alive()


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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
    zygote: Any = None,
    socket_dir: str | None = None,
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
    zygote : ipsresearch.report.kernels.Zygote, optional
        Fork the kernel from this process (libraries already imported)
        instead of starting a new interpreter.
    socket_dir : str, optional
        Directory for the kernel's Unix-domain sockets
        (:func:`ipsresearch.report.kernels.socket_directory`);
        without one the kernel listens on TCP ports of localhost.

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
        nb, config=_kernel_config(socket_dir), timeout=timeout, kernel_name=kernel_name, record_timing=False,
        startup_timeout=STARTUP_TIMEOUT,
        shutdown_kernel="immediate", allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=started, on_cell_executed=executed,
        kernel_manager_class=_ForkingKernelManager,
    )
    client.zygote = zygote
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


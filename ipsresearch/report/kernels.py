"""Starting the kernels: their environment, their sockets, and the zygote they fork from.

:func:`kernel_environment` makes every kernel's environment reproducible (see
:mod:`ipsresearch.report.execute`); :func:`socket_directory` gives a build's
kernels a private directory for their Unix-domain sockets.

Fresh kernels forked from a process that has already imported the scientific stack
--------------------------------------------------------------------------------

Importing numpy, pandas, SciPy, statsmodels and matplotlib costs about 2 s of
CPU, which is most of what a short notebook costs; a build of eight notebooks
paid it eight times. The builder therefore starts one helper process per
build (the "zygote", as Android and Chromium call theirs) that imports
:data:`PRELOAD` and then waits. Each kernel is a child forked from it: a new
process that has run no notebook code, with its own working directory,
environment and session, which then starts ipykernel exactly as
``python -m ipykernel_launcher`` would. Notebooks still run in fresh kernels,
isolated from one another; only library imports are shared.

The zygote never runs notebook code and exits when the build closes its
request pipe (or dies). Kernels forked from it are told the zygote is their
parent (``JPY_PARENT_PID``), so they exit if it goes away. Used on Linux
only; elsewhere, or with ``preload=False`` in :func:`ipsresearch.report.build.build`,
kernels are started the ordinary way, and so is every kernel requested after
the zygote died or failed to answer within :data:`ANSWER_TIMEOUT`
(:class:`ZygoteError`): outputs are the same either way, only slower.

The zygote forks while other threads exist in it: native worker threads of
the libraries it imported (OpenBLAS, and jemalloc's background thread when
pyarrow is installed), never a Python thread. Both libraries register
``pthread_atfork`` handlers that make fork safe for their own locks, and the
zygote's only Python thread is idle in a blocking read when it forks.

Protocol: one JSON request per line on the zygote's stdin
(``{"argv": [...], "cwd": ..., "env": {...}}``), one JSON reply per line
(``{"pid": N}``) on the pipe that was its stdout; the zygote then points its
own stdout at stderr, so that nothing a kernel prints can corrupt the replies.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import importlib.util
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["ANSWER_TIMEOUT", "MATPLOTLIBRC", "PRELOAD", "SOCKET_PATH_MAX", "ForkedProcess", "Zygote",
           "ZygoteError", "available", "is_ipykernel_command", "kernel_environment",
           "socket_directory", "sweep_stale"]

MATPLOTLIBRC = Path(__file__).resolve().parent / "templates" / "matplotlibrc"
_SOCKETS_PREFIX = "ipsresearch-kernels-"

PRELOAD: tuple[str, ...] = (
    "ipykernel.kernelapp", "numpy", "pandas", "scipy.stats", "statsmodels.api", "matplotlib",
)
"""Modules the zygote imports before forking. ``matplotlib.pyplot`` (and seaborn,
which imports it) is left out on purpose: pyplot settles its backend and display
hooks when the kernel's shell exists, so each kernel imports it itself."""

_INLINE = "module://matplotlib_inline.backend_inline"

ANSWER_TIMEOUT = 300.0
"""Seconds the build waits for the zygote to finish its imports, or to answer a request,
before it starts kernels the ordinary way (as generous as a kernel's own start-up limit)."""


def kernel_environment(*, source_date_epoch: str | None = None) -> dict[str, str]:
    """Environment of every kernel the builder starts (why each variable: :mod:`ipsresearch.report.execute`)."""
    from ipsresearch.explore import ENV_VAR as WIDGETS

    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["MATPLOTLIBRC"] = str(MATPLOTLIBRC)
    env["SOURCE_DATE_EPOCH"] = source_date_epoch or "0"
    env[WIDGETS] = "0"  # a page is static: no sliders, whatever the shell says for a live frontend
    env.pop("MPLBACKEND", None)  # the kernel's inline backend, whatever the shell uses
    return env


SOCKET_PATH_MAX = 100
"""Longest Unix-domain socket path the kernels are given: the system limit is 107 bytes on
Linux and 103 on macOS (``sun_path``); a longer one fails with "File name too long"."""
_SOCKET_NAME = len("/k9999-99")  # what execute.py and jupyter_client add to the directory
_LOCK = ".lock"


def _bases() -> list[str]:
    """Where a build's runtime directory may go, in order of preference: ``$TMPDIR`` (or the
    system's temporary directory), then the short ``$XDG_RUNTIME_DIR`` and ``/tmp``."""
    out = []
    for base in (tempfile.gettempdir(), os.environ.get("XDG_RUNTIME_DIR"), "/tmp"):
        if base and os.path.isdir(base) and os.access(base, os.W_OK | os.X_OK) and base not in out:
            out.append(base)
    return out


def _owner_alive(directory: Path) -> bool:
    """True while the build that made ``directory`` may still run.

    Its process id is in the name: a live process of that id keeps the
    directory (an unrelated one only delays its removal to a later build). A
    build also holds a lock on the directory's ``.lock`` file, which tells a
    live build in another process namespace sharing the same ``/tmp`` (a
    container) from a dead one.
    """
    import fcntl

    try:
        os.kill(int(directory.name[len(_SOCKETS_PREFIX):].split("-")[0]), 0)
    except ProcessLookupError:
        pass
    except (ValueError, OSError):  # not a name of ours, or another user's process: keep it
        return True
    else:
        return True
    try:
        fd = os.open(directory / _LOCK, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def sweep_stale() -> list[Path]:
    """Remove the runtime directories (sockets, connection files holding kernel keys, read
    logs) that killed builds left in the temporary directories of :func:`_bases`.

    Only directories named ``ipsresearch-kernels-<pid>-<random>``, owned by this
    user, not symbolic links, and whose build is gone (:func:`_owner_alive`).
    """
    removed = []
    uid = os.getuid()
    for base in _bases():
        for stale in Path(base).glob(f"{_SOCKETS_PREFIX}*"):
            try:
                st = stale.lstat()
            except OSError:
                continue
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid or _owner_alive(stale):
                continue
            shutil.rmtree(stale, ignore_errors=True)
            removed.append(stale)
    return removed


@contextlib.contextmanager
def socket_directory() -> Iterator[str | None]:
    """A private directory for the kernels' sockets and connection files, removed afterwards.

    It goes in ``$TMPDIR`` when the socket paths fit there
    (:data:`SOCKET_PATH_MAX`), else in a shorter temporary directory
    (``$XDG_RUNTIME_DIR``, ``/tmp``); when none is short enough the kernels
    use TCP on the loopback interface instead (:mod:`ipsresearch.report.execute`
    decides by the length). The build holds a lock on a file in it, so that
    the next build, which removes the directories of builds that were killed
    (:func:`sweep_stale`), can tell them from those of builds still running.
    """
    if os.name != "posix":
        yield None
        return
    import fcntl

    sweep_stale()
    bases = _bases()
    name = len(f"/{_SOCKETS_PREFIX}{os.getpid()}-") + 8 + _SOCKET_NAME
    fits = [b for b in bases if len(b) + name <= SOCKET_PATH_MAX]
    base = (fits or bases or [tempfile.gettempdir()])[0]
    path = tempfile.mkdtemp(prefix=f"{_SOCKETS_PREFIX}{os.getpid()}-", dir=base)
    lock = os.open(os.path.join(path, _LOCK), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path
    finally:
        os.close(lock)
        shutil.rmtree(path, ignore_errors=True)


def available() -> bool:
    """True where kernels can be forked (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def is_ipykernel_command(argv: list[str]) -> bool:
    """True for ``<this python> -m ipykernel_launcher ...``, the only command the zygote runs.

    Examples
    --------
    >>> is_ipykernel_command([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    True
    >>> is_ipykernel_command(["/usr/bin/R", "--slave"])
    False
    """
    if len(argv) < 3 or argv[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return Path(argv[0]).resolve() == Path(sys.executable).resolve()
    except OSError:
        return False


class ForkedProcess:
    """Enough of :class:`subprocess.Popen` for jupyter_client's local provisioner.

    The kernel is the zygote's child, not ours: liveness is checked with signal
    0 (the zygote reaps its children at once, so an exited kernel's pid is gone).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pid reused by someone else's process: ours is gone
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ZygoteError(RuntimeError):
    """The zygote cannot fork a kernel: it exited, or did not answer in time."""


class Zygote:
    """The build's side of the zygote: start it, ask it for kernels, close it.

    Parameters
    ----------
    env : dict
        Environment of the zygote (the kernels' environment: ``PYTHONHASHSEED``
        must be fixed before the interpreter starts).
    timeout : float
        Seconds to wait for an answer (see :data:`ANSWER_TIMEOUT`).

    Attributes
    ----------
    failure : str or None
        Why the zygote stopped forking kernels (``None`` while it works); once
        set, :meth:`spawn` raises :class:`ZygoteError` at once.
    """

    def __init__(self, env: dict[str, str], *, timeout: float = ANSWER_TIMEOUT) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._pending = b""
        self.timeout = timeout
        self.failure: str | None = None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ipsresearch.report.kernels"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            start_new_session=True,  # a Ctrl-C in the terminal is the build's to handle
        )

    def _readline(self) -> dict[str, Any]:
        """The next reply, read from the pipe's descriptor with a time limit."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ZygoteError(f"the kernel zygote did not answer within {self.timeout:g} s")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ZygoteError(f"the kernel zygote exited (status {self.proc.poll()})")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return json.loads(line)

    def spawn(self, argv: list[str], *, cwd: str | os.PathLike | None, env: dict[str, str] | None
              ) -> ForkedProcess:
        """Fork a kernel running ``argv`` (``python -m ipykernel_launcher ...``); blocking.

        Raises
        ------
        ZygoteError
            The zygote exited or did not answer; the caller starts the kernel
            the ordinary way.
        """
        request = {"argv": list(argv), "cwd": str(cwd or os.getcwd()), "env": dict(env or os.environ)}
        with self._lock:
            if self.failure is not None:
                raise ZygoteError(self.failure)
            try:
                if not self._ready:
                    self._readline()  # {"ready": ...}: the preload is done
                    self._ready = True
                self.proc.stdin.write((json.dumps(request) + "\n").encode())
                self.proc.stdin.flush()
                return ForkedProcess(int(self._readline()["pid"]))
            except (OSError, ValueError, KeyError, ZygoteError) as exc:
                self.failure = (str(exc) if isinstance(exc, ZygoteError)
                                else f"the kernel zygote failed: {type(exc).__name__}: {exc}")
                raise ZygoteError(self.failure) from exc

    def close(self) -> None:
        """Let the zygote exit (its kernels are shut down by their managers)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=0 if self.failure is not None else 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


# --------------------------------------------------------------------------- the zygote process


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this process when its parent (the zygote) exits.

    ipykernel watches its parent too, but only once its poller thread has
    started; a kernel forked just before an interrupted build closes the
    zygote could otherwise outlive the build (seen in CI). Elsewhere, or if
    ``prctl`` is missing, the poller remains the only guard.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):
        return
    if os.getppid() != parent:  # the zygote exited before the request was set
        os._exit(1)


def _child(request: dict[str, Any], fds: list[int], parent: int) -> None:
    """In the forked child: become a fresh kernel process, then run ipykernel. Never returns."""
    code = 1
    try:
        if sys.platform.startswith("linux"):
            _die_with_parent(parent)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        for fd in fds:
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        from ipsresearch.paths import start_read_log

        start_read_log()  # the builder lists the data files this kernel reads (its provenance)
        parent = str(os.getppid())
        os.environ["JPY_PARENT_PID"] = parent
        # ipykernel read JPY_PARENT_PID when the zygote imported it: say it again, so that the
        # kernel exits if the zygote goes away (and prints no connection banner)
        argv = [*request["argv"][3:], f"--IPKernelApp.parent_handle={parent}"]
        launcher = importlib.util.find_spec("ipykernel_launcher")
        sys.argv = [launcher.origin if launcher and launcher.origin else "ipykernel_launcher", *argv]
        _reseed()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # report, then leave without running the zygote's code
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


class _KernelLike:
    """What ``get_ipython()`` looks like to a library imported inside a kernel: it has a kernel."""

    kernel = True


def _reseed() -> None:
    """Forked children share the zygote's random states: give each kernel fresh ones, as a
    new interpreter would have (seeded from the operating system)."""
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _serve() -> None:
    """Main loop of the zygote process (``python -m ipsresearch.report.kernels``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        # ``python -m`` put the working directory first; ipykernel_launcher removes it too, and
        # the kernel adds '' (its own working directory) when it starts
        del sys.path[0]
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # from now on fd 1 (the kernels' too) is stderr, never the reply pipe
    os.environ.setdefault("MPLBACKEND", _INLINE)  # what ipykernel would set, before matplotlib reads it
    loaded = []
    # Some libraries look at their surroundings once, when imported: pandas picks the default
    # of display.max_columns (0 in a terminal, 20 in a Jupyter kernel) by asking
    # get_ipython() whether it runs in a kernel. Imported here, they must get a kernel's answer.
    builtins.get_ipython = _KernelLike
    try:
        for name in PRELOAD:
            try:
                importlib.import_module(name)
                loaded.append(name)
            except ImportError:
                pass
    finally:
        del builtins.get_ipython
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited kernels are reaped automatically
    # Python 3.12+ warns before any fork of a process with several threads; here they are the
    # libraries' native workers, which are fork-safe (see the module docstring)
    warnings.filterwarnings("ignore", message=r"This process .* is multi-threaded",
                            category=DeprecationWarning)
    replies.write(json.dumps({"ready": loaded}) + "\n")
    requests = sys.stdin.buffer
    zygote = os.getpid()
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request, [replies.fileno()], zygote)
        replies.write(json.dumps({"pid": pid}) + "\n")


if __name__ == "__main__":
    try:
        _serve()
    except (BrokenPipeError, ConnectionError, KeyboardInterrupt):
        pass  # the build is gone or interrupted: nothing to report to anyone
    os._exit(0)

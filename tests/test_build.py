"""Report builder: cache, no-op, determinism, failures, interruption, offline pages, provenance.

Most tests build small throwaway notebooks (a kernel each, no heavy imports) in a
temporary directory; the tests marked ``slow`` build the project's own notebooks.
Nothing here writes into ``reports/``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from ipsresearch import __version__
from ipsresearch.cli import main
from ipsresearch.paths import REPORTS_DIR, ROOT
from ipsresearch.report import provenance, store
from ipsresearch.report.build import (
    build,
    default_out_dir,
    discover,
    inject_parameters,
    parse_param,
)
from ipsresearch.report.render import NavItem, for_display

QUIET = {"log": lambda *_: None, "progress": False}
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


def write_nb(path: Path, cells: list[tuple[str, str]]) -> Path:
    """Cells are ("md" | "code" | "params", source); ids are fixed, no outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    for i, (kind, src) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        if kind == "params":
            cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"c{i}"
        nb.cells.append(cell)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


ALPHA = [
    ("md", "# Alpha & <friends>"),
    ("params", "data_dir = None\nx = 1"),
    ("code", "print('x is', x)\nprint('data', data_dir)"),
    ("code", "import matplotlib.pyplot as plt\nplt.figure(figsize=(2, 1.5))\n"
             "plt.plot([0, 1], [x, 2])\nplt.show()"),
    ("md", "## Results\n\nSee [the results](#Results)."),
]
BETA = [
    ("md", "# Beta"),
    ("params", "y = 2"),
    ("code", "y * 21"),
    # a styled table: pandas gives it a random id, which the builder renumbers
    ("code", "import pandas as pd\npd.DataFrame({'share': [0.5]}).style.format('{:.0%}')"),
]
FAILING = [
    ("md", "# Gamma"),
    ("params", "z = 0"),
    ("code", "import time"),
    ("code", "raise ValueError('boom: the data have no column site')"),
    ("code", "print('never reached')"),
]


@pytest.fixture(autouse=True)
def frozen_inputs(monkeypatch):
    """Pin the hashes of the package source and the shipped data for the test's duration.

    Other engineers edit the package and regenerate data while tests run; the cache
    tests must see only the changes they make themselves. (Tests that change these
    inputs on purpose patch them again.)
    """
    package = provenance.package_files()
    shipped = provenance.data_files()
    real_data_files = provenance.data_files
    monkeypatch.setattr(provenance, "package_files", lambda: dict(package))
    monkeypatch.setattr(provenance, "data_files",
                        lambda data_dir=None: dict(shipped) if data_dir is None else real_data_files(data_dir))


@pytest.fixture
def nbdir(tmp_path: Path) -> Path:
    d = tmp_path / "notebooks"
    d.mkdir()
    write_nb(d / "01-alpha.ipynb", ALPHA)
    write_nb(d / "02-beta.ipynb", BETA)
    return d


@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return EPOCH


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``directory``: bytes and modification time (ns)."""
    return {p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


def contents(directory: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot(directory).items()}


def statuses(report) -> dict[str, str]:
    return {r.name: r.status for r in report}


# --------------------------------------------------------------------------- cache and no-op


def test_build_then_noop_rebuild_touches_no_file(nbdir, tmp_path):
    out = tmp_path / "out"
    first = build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    assert statuses(first) == {"01-alpha": "built", "02-beta": "built"}
    assert first.exit_status == 0
    assert {"01-alpha.html", "02-beta.html", "index.html", "manifest.json",
            "_executed/01-alpha.ipynb", "_executed/02-beta.ipynb"} <= set(snapshot(out))
    before = snapshot(out)
    time.sleep(0.01)
    again = build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    assert statuses(again) == {"01-alpha": "cached", "02-beta": "cached"}
    assert again.files_written == ()
    assert snapshot(out) == before  # same bytes, same mtimes, no new file
    # in-process no-op: hashing and comparing only (typically ~0.1 s; the bound leaves room
    # for a loaded shared machine)
    assert again.seconds < 1.0


def test_noop_rebuild_from_the_command_line_under_one_second(nbdir, tmp_path):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    before = snapshot(out)
    cmd = [sys.executable, "-m", "ipsresearch.cli", "build", "--notebooks", str(nbdir), "--out", str(out)]
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    assert r.returncode == 0, r.stderr
    assert "0 built, 0 rendered, 2 cached, 0 failed" in r.stdout
    assert snapshot(out) == before
    # whole command, interpreter start included (typically 0.2-0.3 s); generous for load
    assert wall < 2.0, wall


def test_force_executes_again(nbdir, tmp_path):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    forced = build(notebooks_dir=nbdir, out_dir=out, force=True, **QUIET)
    assert statuses(forced) == {"01-alpha": "built", "02-beta": "built"}
    assert all(r.seconds > 0 for r in forced)


def test_only_the_changed_notebook_is_executed(nbdir, tmp_path):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    alpha_before = snapshot(out)["01-alpha.html"]
    write_nb(nbdir / "02-beta.ipynb", [*BETA[:2], ("code", "y * 22"), *BETA[3:]])
    rebuilt = build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    assert statuses(rebuilt) == {"01-alpha": "cached", "02-beta": "built"}
    assert snapshot(out)["01-alpha.html"] == alpha_before
    assert ">44<" in (out / "02-beta.html").read_text(encoding="utf-8")


def test_parameters_are_part_of_the_cache_key(nbdir, tmp_path):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    r = build(notebooks_dir=nbdir, out_dir=out, params={"x": 5}, **QUIET)
    # only 01 defines x: 02 keeps its page
    assert statuses(r) == {"01-alpha": "built", "02-beta": "cached"}
    assert "x is 5" in (out / "01-alpha.html").read_text(encoding="utf-8")
    assert statuses(build(notebooks_dir=nbdir, out_dir=out, params={"x": 5}, **QUIET)) == \
        {"01-alpha": "cached", "02-beta": "cached"}


def test_package_source_and_versions_are_part_of_the_cache_key(nbdir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    real = provenance.package_files()
    monkeypatch.setattr(provenance, "package_files",
                        lambda: {**real, "ipsresearch/outcomes.py": "0" * 64})
    assert set(statuses(build(notebooks_dir=nbdir, out_dir=out, **QUIET)).values()) == {"built"}
    env = provenance.environment()
    monkeypatch.setattr(provenance, "environment", lambda: {**env, "pandas": "0.0.1"})
    assert set(statuses(build(notebooks_dir=nbdir, out_dir=out, **QUIET)).values()) == {"built"}


def test_data_files_are_part_of_the_cache_key(nbdir, tmp_path):
    data = tmp_path / "site data"
    data.mkdir()
    (data / "participants.csv").write_text("participant_id\nP1\n")
    r1 = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", params={"data_dir": str(data)}, **QUIET)
    assert statuses(r1) == {"01-alpha": "built", "02-beta": "built"}
    (data / "participants.csv").write_text("participant_id\nP1\nP2\n")
    r2 = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", params={"data_dir": str(data)}, **QUIET)
    # every notebook may read the data directory, even one without a data_dir parameter
    assert statuses(r2) == {"01-alpha": "built", "02-beta": "built"}


def test_a_new_report_rerenders_the_others_without_executing_them(nbdir, tmp_path):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    write_nb(nbdir / "03-delta.ipynb", [("md", "# Delta"), ("params", "w = 1"), ("code", "w")])
    only = build(notebooks_dir=nbdir, out_dir=out, only=["03"], **QUIET)
    assert statuses(only) == {"03-delta": "built"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert {r["name"]: r["status"] for r in manifest["reports"]} == \
        {"01-alpha": "outdated", "02-beta": "outdated", "03-delta": "ok"}
    full = build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    assert statuses(full) == {"01-alpha": "rendered", "02-beta": "rendered", "03-delta": "cached"}
    assert 'href="03-delta.html"' in (out / "01-alpha.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- determinism


def test_two_forced_builds_are_byte_identical(nbdir, tmp_path, epoch):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, force=True, **QUIET)
    first = contents(out)
    second_report = build(notebooks_dir=nbdir, out_dir=out, force=True, **QUIET)
    assert statuses(second_report) == {"01-alpha": "built", "02-beta": "built"}
    assert contents(out) == first
    # and a build into another directory gives the same bytes too
    build(notebooks_dir=nbdir, out_dir=tmp_path / "elsewhere", force=True, **QUIET)
    assert contents(tmp_path / "elsewhere") == first
    page = first["01-alpha.html"].decode()
    assert ('<time class="build-time" data-source="SOURCE_DATE_EPOCH" '
            'datetime="2023-11-14T22:13:20Z">') in page
    assert "data:image/png;base64," in page  # the figure is there, and byte-stable


def _mask_build_time(name: str, data: bytes) -> object:
    if name.endswith(".json") or name.endswith(".ipynb"):
        obj = json.loads(data)

        def scrub(o):
            if isinstance(o, dict):
                # the build time, and hashes of files that show it
                return {k: ("*" if k in ("build_time", "output_sha256", "index_sha256", "index_key")
                            else scrub(v)) for k, v in o.items()}
            if isinstance(o, list):
                return [scrub(v) for v in o]
            return o
        return scrub(obj)
    return re.sub(rb'<time class="build-time"[^>]*>[^<]*</time>', b"<time>*</time>", data)


def test_without_source_date_epoch_only_the_build_time_differs(nbdir, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    a, b = tmp_path / "a", tmp_path / "b"
    build(notebooks_dir=nbdir, out_dir=a, **QUIET)
    time.sleep(1.1)  # the build time has a resolution of one second
    build(notebooks_dir=nbdir, out_dir=b, **QUIET)
    ca, cb = contents(a), contents(b)
    assert ca.keys() == cb.keys()
    assert ca["01-alpha.html"] != cb["01-alpha.html"]  # the clock shows
    for name in ca:
        assert _mask_build_time(name, ca[name]) == _mask_build_time(name, cb[name]), name
    manifest = json.loads(ca["manifest.json"])
    assert manifest["build_time"]["source"] == "clock"
    assert all(r["build_time"]["seconds"] > 0 for r in manifest["reports"])


def test_kernel_environment_pins_what_leaks_into_outputs(monkeypatch):
    from ipsresearch.report.kernels import MATPLOTLIBRC, kernel_environment

    monkeypatch.setenv("IPSRESEARCH_WIDGETS", "1")
    env = kernel_environment(source_date_epoch=None)
    assert env["PYTHONHASHSEED"] == "0" and env["SOURCE_DATE_EPOCH"] == "0"
    assert env["IPSRESEARCH_WIDGETS"] == "0"  # a user's setting for a live frontend stays out
    assert "svg.hashsalt" in Path(env["MATPLOTLIBRC"]).read_text() and MATPLOTLIBRC.is_file()
    assert kernel_environment(source_date_epoch=EPOCH)["SOURCE_DATE_EPOCH"] == EPOCH


def test_executed_notebooks_carry_no_timing_metadata(nbdir, tmp_path, epoch):
    build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET)
    nb = nbformat.read(tmp_path / "out" / "_executed" / "01-alpha.ipynb", as_version=4)
    assert all("execution" not in c.metadata for c in nb.cells)
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]
    assert nb.metadata["ipsresearch"]["build_time"] == {
        "utc": "2023-11-14T22:13:20Z", "source": "SOURCE_DATE_EPOCH", "seconds": None}


def test_the_build_says_at_once_what_it_will_run_then_shows_progress(nbdir, tmp_path, capsys):
    out = tmp_path / "out"
    lines: list[str] = []
    build(notebooks_dir=nbdir, out_dir=out, jobs=1, log=lines.append, progress=False)
    assert lines[0] == (f"{out.as_posix()}/: 2 notebooks to execute (01-alpha, 02-beta), 1 at a time, "
                        "each in a fresh kernel")
    # plain lines when not on a terminal: each notebook when it starts and when it is done
    started = [i for i, line in enumerate(lines) if line.startswith("started: 01-alpha (")]
    built = [i for i, line in enumerate(lines) if line.startswith("built: 01-alpha.html in ")]
    assert started and built and started[0] < built[0]
    assert lines[-1].startswith("index.html: the claims register, ")
    lines.clear()
    build(notebooks_dir=nbdir, out_dir=out, log=lines.append, progress=False)
    assert lines[0] == f"{out.as_posix()}/: all 2 reports up to date, nothing to run"
    # on a terminal: a bar for the reports and one per running notebook (tqdm, on stderr)
    capsys.readouterr()
    build(notebooks_dir=nbdir, out_dir=out, force=True, jobs=2, log=lines.append, progress=True)
    bars = capsys.readouterr().err
    assert "reports:" in bars and "/2 [" in bars and "01-alpha:" in bars and "cell" in bars


# --------------------------------------------------------------------------- failures


def test_failure_keeps_previous_page_saves_notebook_and_lets_others_finish(nbdir, tmp_path, capsys):
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    good = (out / "02-beta.html").read_bytes()
    write_nb(nbdir / "02-beta.ipynb", [("md", "# Beta"), *FAILING[1:]])  # same title: same nav
    code = main(["build", "--notebooks", str(nbdir), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 1
    assert ("failed: 02-beta.ipynb, cell 4 (code cell 3): ValueError: boom: the data have no "
            "column site") in printed
    assert "_failed/02-beta.ipynb" in printed
    assert "summary: 0 built, 0 rendered, 1 cached, 1 failed" in printed
    assert (out / "02-beta.html").read_bytes() == good  # previous good page kept
    failed = nbformat.read(out / "_failed" / "02-beta.ipynb", as_version=4)
    errors = [o for c in failed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ValueError"]
    assert failed.cells[4].outputs == []  # later cells did not run
    manifest = json.loads((out / "manifest.json").read_text())
    beta = next(r for r in manifest["reports"] if r["name"] == "02-beta")
    assert beta["status"] == "failed" and beta["error"]["cell"] == 4 and beta["page"] == "report"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="report-failed"' in index and "previous page kept" in index
    # back to the bytes of the first build: its execution is still cached, so the page is
    # rendered again without running the notebook, and the saved failure is removed
    write_nb(nbdir / "02-beta.ipynb", BETA)
    assert statuses(build(notebooks_dir=nbdir, out_dir=out, **QUIET))["02-beta"] == "rendered"
    assert (out / "02-beta.html").read_bytes() == good
    assert not (out / "_failed" / "02-beta.ipynb").exists()


def test_failure_without_previous_page_writes_a_page_that_says_so(nbdir, tmp_path):
    write_nb(nbdir / "03-gamma.ipynb", FAILING)
    report = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET)
    assert statuses(report) == {"01-alpha": "built", "02-beta": "built", "03-gamma": "failed"}
    assert report.exit_status == 1
    gamma = report[2]
    assert gamma.cell == 4 and gamma.failed_notebook == "_failed/03-gamma.ipynb"
    assert gamma.error.startswith("03-gamma.ipynb, cell 4 (code cell 3): ValueError: boom")
    page = (tmp_path / "out" / "03-gamma.html").read_text(encoding="utf-8")
    assert "has not been built yet" in page and "ValueError: boom" in page
    assert 'href="_failed/03-gamma.ipynb"' in page
    # a failed notebook is retried on the next build, not cached
    assert statuses(build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET))["03-gamma"] == "failed"


def test_failure_cell_numbers_are_those_of_the_stored_notebook(nbdir, tmp_path):
    """An injected parameters cell does not shift the cell number a failure reports."""
    write_nb(nbdir / "02-beta.ipynb", [("md", "# Beta"), ("params", "y = 3"), ("code", "1 / (y - 2)")])
    assert statuses(build(notebooks_dir=nbdir, out_dir=tmp_path / "out", only=["02"], **QUIET)) == \
        {"02-beta": "built"}
    report = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", only=["02"], params={"y": 2}, **QUIET)
    assert report[0].status == "failed" and report[0].cell == 3
    assert report[0].error.startswith("02-beta.ipynb, cell 3 (code cell 2): ZeroDivisionError")
    executed = nbformat.read(tmp_path / "out" / "_failed" / "02-beta.ipynb", as_version=4)
    assert executed.cells[2].source == "y = 2"  # the injected cell is in the saved notebook


@pytest.mark.parametrize("preload", [True, False], ids=["forked", "interpreter"])
def test_a_kernel_that_dies_is_a_failure_of_its_notebook(nbdir, tmp_path, preload):
    write_nb(nbdir / "03-dies.ipynb", [("md", "# Dies"), ("params", "a = 1"),
                                       ("code", "import os\nos._exit(3)"), ("code", "a")])
    report = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", preload=preload, **QUIET)
    assert statuses(report) == {"01-alpha": "built", "02-beta": "built", "03-dies": "failed"}
    assert report[2].error.startswith("03-dies.ipynb, cell 3 (code cell 2): DeadKernelError")


def test_broken_notebook_file_fails_alone(nbdir, tmp_path):
    (nbdir / "03-broken.ipynb").write_text("{ not json", encoding="utf-8")
    report = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET)
    assert statuses(report) == {"01-alpha": "built", "02-beta": "built", "03-broken": "failed"}
    assert "cannot read 03-broken.ipynb as a notebook" in report[2].error


# --------------------------------------------------------------------------- interruption


def _descendants_marked(marker: str) -> list[int]:
    """Live processes whose environment holds ``marker`` (the build, its zygote, its kernels)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes() and \
                    b"State:\tZ" not in (proc / "status").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def _complete_page(data: bytes) -> bool:
    return data.endswith(b"</html>\n") and b'id="provenance"' in data


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_interrupted_build_leaves_only_complete_pages(nbdir, tmp_path, sig):
    slow = [("md", "# Slow"), ("params", "n = 3"),
            *[("code", f"import time; time.sleep(0.3); print({i})") for i in range(6)]]
    write_nb(nbdir / "03-slow.ipynb", slow)
    out = tmp_path / "out"
    build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    old = contents(out)
    cmd = [sys.executable, "-m", "ipsresearch.cli", "build", "--force", "--notebooks", str(nbdir),
           "--out", str(out), "--jobs", "2"]
    marker = f"IPSRESEARCH_TEST_BUILD={os.getpid()}-{sig.name}"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, marker.split("=")[0]: marker.split("=")[1]}
    # interrupt at several moments: during start-up, while kernels run, while pages are written
    for delay in (0.5, 2.0, 3.0, 4.0, 5.5):
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        # 0: finished first; 130: interrupted and cleaned up; -sig: killed outright
        assert proc.returncode in (0, 130, -sig), (proc.returncode, err.decode())
        if proc.returncode == 130:
            assert b"Traceback" not in err and b"interrupted" in err, err.decode()
        for page in out.glob("*.html"):
            data = page.read_bytes()
            assert data == old.get(page.name) or _complete_page(data), (delay, page.name)
        json.loads((out / "manifest.json").read_text())  # never half-written
        # kernels and the zygote are shut down (SIGINT/SIGTERM) or exit when their parent
        # dies (SIGKILL): nothing started by the build outlives it for long
        deadline = time.monotonic() + 15
        while _descendants_marked(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _descendants_marked(marker) == [], delay
    # temporaries left by SIGKILL are never mistaken for pages and are cleared by the next build
    final = build(notebooks_dir=nbdir, out_dir=out, **QUIET)
    assert final.exit_status == 0
    assert not list(out.rglob("*.tmp"))


def test_atomic_write_interrupted_midway_keeps_the_old_file(tmp_path, monkeypatch):
    from ipsresearch import paths

    target = tmp_path / "page.html"
    store.write_text(target, "<html>old</html>\n")

    class Crashing:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise KeyboardInterrupt

    # the files paths.write_bytes opens (the temporary file) crash half-way through the write
    monkeypatch.setattr(paths, "open", lambda file, mode: Crashing(open(file, mode)), raising=False)
    with pytest.raises(KeyboardInterrupt):
        store.write_text(target, "<html>" + "new " * 1000 + "</html>\n")
    assert target.read_text() == "<html>old</html>\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_stale_temporaries_are_removed_only_when_ours(tmp_path):
    """Our own temporaries (``.<name>.ipsresearch-<random>.tmp``), in a folder a build marked."""
    (tmp_path / ".01-a.html.ipsresearch-x1y2.tmp").write_text("<html>half")
    (tmp_path / "_executed").mkdir()
    (tmp_path / "_executed" / ".01-a.ipynb.ipsresearch-zz.tmp").write_text("{")
    (tmp_path / ".draft.tmp").write_text("someone else's")
    (tmp_path / ".01-a.html.x1y2.tmp").write_text("not named as ours")
    (tmp_path / "keep.html").write_text("x")
    assert store.remove_stale_temporaries(tmp_path) == []  # not a build's folder: nothing goes
    (tmp_path / store.MARKER).write_text("")
    removed = store.remove_stale_temporaries(tmp_path)
    assert len(removed) == 2
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        ".01-a.html.x1y2.tmp", ".draft.tmp", store.MARKER, "keep.html"]


# --------------------------------------------------------------------------- pages


def test_pages_are_offline_with_nav_and_provenance(nbdir, tmp_path, epoch):
    build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET)
    for name in ("01-alpha.html", "02-beta.html", "index.html"):
        page = (tmp_path / "out" / name).read_text(encoding="utf-8")
        # nothing to fetch: no script at all, no external stylesheet, image or font
        assert "<script" not in page, name
        assert not re.search(r'<(link|img|iframe|source)[^>]+(href|src)="(https?:)?//', page), name
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page), name
        assert '<nav aria-label="Reports" class="ips-nav">' in page
        assert 'href="index.html"' in page and 'href="01-alpha.html"' in page
        assert 'id="provenance"' in page
    alpha = (tmp_path / "out" / "01-alpha.html").read_text(encoding="utf-8")
    prov = alpha[alpha.index('id="provenance"'):]
    sha = hashlib.sha256((nbdir / "01-alpha.ipynb").read_bytes()).hexdigest()
    assert sha in prov
    assert f"ipsresearch {__version__}" in prov
    # the files this report read (none: alpha reads no data), not every file of the folder
    assert "the 0 files this report read" in prov and provenance.digest({}) in prov
    git = provenance.git_state()
    assert (git["commit"] in prov) if git["commit"] else ("not a git checkout" in prov)
    assert "dirty" in prov or "clean working tree" in prov or not git["commit"]
    assert "<code>x = 1</code>" in prov and "nbclient" in prov and "reviewer mode" in prov
    assert 'data-source="SOURCE_DATE_EPOCH" datetime="2023-11-14T22:13:20Z"' in prov
    # reviewer mode hides code; the figure is an embedded PNG
    assert "plt.plot" not in alpha
    assert 'class="cm-editor cm-s-jupyter"' not in alpha
    assert re.search(r'<img[^>]+src="data:image/png;base64,', alpha)


def test_with_code_shows_the_code(nbdir, tmp_path):
    build(notebooks_dir=nbdir, out_dir=tmp_path / "out", with_code=True, only=["01"], **QUIET)
    page = (tmp_path / "out" / "01-alpha.html").read_text(encoding="utf-8")
    assert 'class="cm-editor cm-s-jupyter"' in page and "teaching mode" in page
    assert '<span class="n">plt</span>' in page


def test_strings_from_notebooks_and_data_are_escaped(nbdir, tmp_path):
    data = tmp_path / "d<&>"
    data.mkdir()
    (data / "x<y>.csv").write_text("a\n1\n")
    # the file is read, so that the provenance lists it (only files read are listed)
    write_nb(nbdir / "01-alpha.ipynb", [*ALPHA, ("code", "import os\n"
                                                 "open(os.path.join(data_dir, 'x<y>.csv')).read()")])
    build(notebooks_dir=nbdir, out_dir=tmp_path / "out", params={"data_dir": str(data)}, **QUIET)
    for name in ("01-alpha.html", "index.html"):
        page = (tmp_path / "out" / name).read_text(encoding="utf-8")
        # what the builder writes: title, navigation bar, provenance, index (the notebook's
        # own Markdown may hold HTML on purpose and is rendered as such)
        ours = re.findall(r"<title>.*?</title>|<nav .*?</nav>|<footer .*?</footer>", page, flags=re.S)
        if name == "index.html":
            ours.append(page[page.index("<h2 id=\"reports\">"):page.index("<h2 id=\"claims-register\">")])
        ours = "".join(ours)
        assert 'title="Alpha &amp; &lt;friends&gt;"' in ours
        assert "<friends>" not in ours and "d<&>" not in ours and "x<y>" not in ours
        assert "d&lt;&amp;&gt;" in ours and "x&lt;y&gt;.csv" in ours
    assert "<title>Alpha &amp; &lt;friends&gt;</title>" in (tmp_path / "out" / "01-alpha.html").read_text()


def test_index_lists_reports_and_the_whole_claims_register(nbdir, tmp_path):
    build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET)
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    claims = manifest["claims"]["results"]
    assert claims and manifest["claims"]["errors"] == []
    for c in claims:
        assert f">{html.escape(c['id'])}<" in index
    counts = manifest["claims"]["counts"]
    statuses = ("pass", "fail", "erratum", "query", "unchecked")
    assert counts["total"] == len(claims) == sum(counts[s] for s in statuses)
    assert sum(n for b in counts["by_basis"].values() for n in b.values()) == len(claims)
    assert f"{counts['total']} claims." in index and "Independent checks" in index
    # counts by basis and status, the vocabulary, errata and queries, and what is left out
    assert 'class="claims claims-counts"' in index and "<th>unchecked</th>" in index
    assert "<code>calibrated</code>" in index and 'id="left-out"' in index
    assert 'id="errata"' in index and 'class="claims claims-conflicts"' in index
    assert "verified" not in index.casefold()  # no page calls a count "verified"
    # claims whose report is not among these pages are not linked (no dead links)
    assert '.html#claim-' not in index
    for r in manifest["reports"]:
        page = tmp_path / "out" / r["html"]
        assert r["status"] == "ok" and r["output_sha256"] == provenance.sha256_file(page)
        assert set(r["inputs"]) == {"notebook", "package", "data", "parameters", "environment", "kernel"}
        assert r["build_time"]["seconds"] is None or r["build_time"]["seconds"] > 0
        assert f'href="{r["html"]}"' in index
    assert manifest["index_sha256"] == provenance.sha256_file(tmp_path / "out" / "index.html")


def test_a_claim_set_that_cannot_load_does_not_hide_the_others(monkeypatch):
    from types import SimpleNamespace

    from ipsresearch import studies
    from ipsresearch.report.build import _claims

    monkeypatch.setattr(studies, "MODULES", ["ipsresearch.studies.no_such_study",
                                             "ipsresearch.studies.irish_pilot"])
    register = _claims(SimpleNamespace(data_dir=None), "key")
    assert register["errors"] == ["ipsresearch.studies.no_such_study: ModuleNotFoundError: "
                                  "No module named 'ipsresearch.studies.no_such_study'"]
    assert {r["id"].split(".")[0] for r in register["results"]} == {"irish_pilot"}


def test_claims_link_to_the_report_that_shows_them(tmp_path):
    """With the project's notebook 01 present, its claims link to their rows on its page (the
    rows and the landing are checked on the project's pages: tests/test_pages.py)."""
    nbs = tmp_path / "nb"
    nbs.mkdir()
    write_nb(nbs / "01-placement.ipynb", [("md", "# Stand-in"), ("params", "a = 1"),
                                            ("code", "from IPython.display import HTML\n"
                                                     "HTML('<h4 id=\"claims\">Claims</h4>')")])
    build(notebooks_dir=nbs, out_dir=tmp_path / "out", **QUIET)
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<a href="01-placement.html#claim-irish_pilot.placed">irish_pilot.placed</a>' in index


# --------------------------------------------------------------------------- options


def test_bring_your_own_data_goes_to_a_separate_directory(nbdir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "mysite"
    data.mkdir()
    assert default_out_dir(data).parent == REPORTS_DIR.parent
    assert re.fullmatch(r"reports-mysite-[0-9a-f]{8}", default_out_dir(data).name)
    assert default_out_dir(None) == REPORTS_DIR
    out = tmp_path / "byod"
    report = build(notebooks_dir=nbdir, out_dir=out, params={"data_dir": "mysite"}, only=["01"], **QUIET)
    assert report.out_dir == out
    page = (out / "01-alpha.html").read_text(encoding="utf-8")
    assert f"data {data}" in page  # made absolute before it reached the kernel
    assert "(set for this build)" in page


def test_bad_options_are_errors_before_any_work(nbdir, tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="^params nope: not defined in the parameters cell"):
        build(notebooks_dir=nbdir, out_dir=out, params={"nope": 1}, **QUIET)
    with pytest.raises(FileNotFoundError, match="data_dir .*/no: directory does not exist"):
        build(notebooks_dir=nbdir, out_dir=out, params={"data_dir": str(tmp_path / "no")}, **QUIET)
    with pytest.raises(ValueError, match="^only 09: no notebook of that name"):
        build(notebooks_dir=nbdir, out_dir=out, only=["09"], **QUIET)
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        build(notebooks_dir=nbdir, out_dir=out, jobs=0, **QUIET)
    assert main(["build", "--jobs", "0", "--notebooks", str(nbdir), "--out", str(out)]) == 2
    assert "'0' is not a positive integer" in capsys.readouterr().err
    assert main(["build", "--param", "nope=1", "--notebooks", str(nbdir), "--out", str(out)]) == 2
    assert "ipsresearch: error: --param nope: not defined in the parameters cell" in capsys.readouterr().err
    assert not out.exists()


def test_bad_source_date_epoch_is_an_error(nbdir, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH='yesterday' is not a number"):
        build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET)


def test_report_object(nbdir, tmp_path):
    report = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", **QUIET)
    frame = report.to_frame()
    assert list(frame.columns) == ["name", "status", "seconds", "cell", "error"]
    assert frame["status"].tolist() == ["built", "built"]
    assert "<table>" in report._repr_html_() and report.summary_line().startswith("summary: 2 built")
    with pytest.warns(DeprecationWarning, match="summary_line"):
        assert report.summary() == report.summary_line()


# --------------------------------------------------------------------------- kernels forked from the zygote


PROBE = [
    ("md", "# Probe"),
    ("params", "tag = 'probe'"),
    ("code", """\
import builtins, json, os, random, sys
import numpy as np, pandas as pd, matplotlib
import matplotlib.pyplot as plt
facts = {
    "max_columns": pd.get_option("display.max_columns"),
    "width": pd.get_option("display.width"),
    "backend": matplotlib.get_backend(),
    "svg_hashsalt": matplotlib.rcParams["svg.hashsalt"],
    "argv0": os.path.basename(sys.argv[0]),
    "path": [p for p in sys.path if p in ("", os.getcwd()) or "site-packages" in p][:2],
    "cwd": os.path.basename(os.getcwd()),
    "main": sys.modules["__main__"].__name__,
    "name": __name__,
    "hashseed": os.environ.get("PYTHONHASHSEED"),
    "parent_known": os.environ.get("JPY_PARENT_PID") == str(os.getppid()),
    "shell": type(get_ipython()).__name__,
    "sigint": str(__import__("signal").getsignal(__import__("signal").SIGINT)),
    "set_order": list({"pear", "apple", "fig", "kiwi"}),
}
print(json.dumps(facts, sort_keys=True))"""),
    ("code", "print(repr(pd.DataFrame(np.zeros((2, 30)))))"),
    ("code", "plt.figure(figsize=(1, 1)); plt.plot([0, 1]); plt.show()"),
    ("code", "print('random', random.random(), np.random.random())"),
    ("code", "print('parent', open(f'/proc/{os.getppid()}/cmdline').read().replace(chr(0), ' '))"),
]


def _texts(out: Path, name: str) -> list[str]:
    nb = nbformat.read(out / "_executed" / f"{name}.ipynb", as_version=4)
    return ["".join(o.get("text", "")) if o.output_type == "stream" else json.dumps(o.get("data"))
            for c in nb.cells for o in c.get("outputs", [])]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")
def test_forked_kernels_behave_like_new_interpreters(tmp_path):
    nbs = tmp_path / "nb"
    nbs.mkdir()
    write_nb(nbs / "01-probe.ipynb", PROBE)
    write_nb(nbs / "02-probe.ipynb", PROBE)
    forked = build(notebooks_dir=nbs, out_dir=tmp_path / "forked", preload=True, **QUIET)
    fresh = build(notebooks_dir=nbs, out_dir=tmp_path / "fresh", preload=False, **QUIET)
    assert forked.exit_status == fresh.exit_status == 0
    a, b = _texts(tmp_path / "forked", "01-probe"), _texts(tmp_path / "fresh", "01-probe")
    assert len(a) == len(b) == 5
    # same facts, same wide-frame text, same figure: every output but the last two
    assert a[:3] == b[:3]
    facts = json.loads(a[0])
    assert facts["max_columns"] == 20 and facts["argv0"] == "ipykernel_launcher.py"
    assert facts["path"][0] == "" and facts["parent_known"] and facts["shell"] == "ZMQInteractiveShell"
    # the kernels really were forked from the zygote, and the others started as interpreters
    assert "ipsresearch.report.kernels" in a[4] and "ipsresearch.report.kernels" not in b[4]
    # forked kernels do not share random streams
    assert _texts(tmp_path / "forked", "02-probe")[3] != a[3]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")
@pytest.mark.parametrize("fault", ["dead", "silent"])
def test_a_zygote_that_dies_or_hangs_only_costs_the_preload(nbdir, tmp_path, monkeypatch, fault):
    from ipsresearch.report import kernels

    class Broken(kernels.Zygote):
        def __init__(self, env):
            super().__init__(env, timeout=2.0)
            if fault == "dead":
                self.proc.kill()
            else:  # alive, but never answers
                self.proc.kill()
                self.proc.wait()
                self.proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    monkeypatch.setattr(kernels, "Zygote", Broken)
    lines: list[str] = []
    report = build(notebooks_dir=nbdir, out_dir=tmp_path / "out", preload=True, progress=False,
                   log=lines.append)
    assert statuses(report) == {"01-alpha": "built", "02-beta": "built"}
    expected = "exited" if fault == "dead" else "did not answer within 2 s"
    assert any(ln.startswith("note: the kernel zygote") and expected in ln
               and ln.endswith("kernels were started as new interpreters") for ln in lines), lines


# --------------------------------------------------------------------------- helpers


def test_for_display_drops_widgets_and_javascript():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("w")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
            "text/plain": "interactive(children=(IntSlider(value=3),))"}),
        nbformat.v4.new_output("display_data", {"application/javascript": "alert(1)",
                                                "text/html": "<b>kept</b>"}),
        nbformat.v4.new_output("stream", name="stdout", text="kept too"),
    ]
    nb.cells.append(cell)
    shown = for_display(nb, title="T")
    assert "widgets" not in shown.metadata and shown.metadata["title"] == "T"
    assert [o.get("data", {}).get("text/html", o.get("text")) for o in shown.cells[0].outputs] == \
        ["<b>kept</b>", "kept too"]
    assert len(nb.cells[0].outputs) == 3  # the executed notebook itself is not changed


def test_notebook_info_reads_title_and_parameters(nbdir):
    info = provenance.read_notebook_info(nbdir / "01-alpha.ipynb")
    assert info.title == "Alpha & <friends>" and info.parameters == {"data_dir": "None", "x": "1"}
    assert NavItem(info.name, info.title).label == "01 alpha"


def test_inject_parameters_and_parse_param(nbdir):
    nb = nbformat.read(nbdir / "01-alpha.ipynb", as_version=4)
    inject_parameters(nb, {"x": 3, "other": 1})
    assert nb.cells[2].source == "x = 3" and nb.cells[2].metadata["tags"] == ["injected-parameters"]
    assert parse_param("x=[1, 2]") == ("x", [1, 2])
    with pytest.raises(ValueError, match="is not KEY=VALUE"):
        parse_param("x")


def test_discover_orders_and_selects(nbdir):
    write_nb(nbdir / "10-late.ipynb", BETA)
    (nbdir / "notes.ipynb").write_text("{}")
    assert [p.name for p in discover(nbdir)] == ["01-alpha.ipynb", "02-beta.ipynb", "10-late.ipynb"]
    assert [p.stem for p in discover(nbdir, ["02", "10-late"])] == ["02-beta", "10-late"]


# --------------------------------------------------------------------------- the project's notebooks


@pytest.mark.slow
def test_project_reports_are_byte_identical_between_forced_builds(tmp_path, epoch):
    """Two consecutive forced builds of every project notebook give identical bytes for every file.

    The notebooks are copied first and the package and data hashes are pinned (see
    ``frozen_inputs``), so that edits made elsewhere in a shared working tree during the
    test cannot count as differences.
    """
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for p in discover():
        (nbs / p.name).write_bytes(p.read_bytes())
    out = tmp_path / "reports"
    first_report = build(notebooks_dir=nbs, out_dir=out, force=True, **QUIET)
    first = contents(out)
    second = build(notebooks_dir=nbs, out_dir=out, force=True, **QUIET)
    assert {r.status for r in second} <= {"built", "failed"}
    assert [r.name for r in second.failed] == [r.name for r in first_report.failed]
    assert len(first) > 2 * len(second)  # pages, executed notebooks, index, manifest
    after = contents(out)
    assert sorted(k for k in first.keys() | after.keys() if first.get(k) != after.get(k)) == []


def test_old_module_paths_warn_and_forward():
    """``ipsresearch.build`` and ``ipsresearch.reporting`` stay one release, with a warning."""
    code = ("import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            "for name in ('ipsresearch.build', 'ipsresearch.reporting'):\n"
            "    try:\n"
            "        __import__(name)\n"
            "    except DeprecationWarning as w:\n"
            "        print(w)\n"
            "warnings.simplefilter('ignore')\n"
            "import ipsresearch.build as b, ipsresearch.reporting as r\n"
            "import ipsresearch.report.build as nb, ipsresearch.report.tables as nt\n"
            "print(b.build is nb.build, r.format_rates is nt.format_rates, r.show_claims is nt.show_claims)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "ipsresearch.build is deprecated and will be removed in the next release; "
        "use ipsresearch.report.build",
        "ipsresearch.reporting is deprecated and will be removed in the next release; "
        "use ipsresearch.report.tables",
        "True True True"]

"""Nothing lost, nothing stray: offline tests, read-only inputs, no output on bad input.

* The test run is offline (``tests/netguard.py``): connections to other
  machines and name lookups are refused, loopback still works.
* The package never writes outside the output directory it was given: the
  commands run against a read-only data directory (and, where the machine
  allows a private read-only mount, a read-only checkout) from an empty
  working directory, and only the output directory gains files.
* A command given bad input prints the problems, exits 2 and writes
  nothing: no page, index, manifest or CSV.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import netguard
import pytest
from conftest import IN_CI

from ipsresearch.paths import DATA_SYNTHETIC, REPORTS_DIR, ROOT

CLI = [sys.executable, "-m", "ipsresearch.cli"]


# ---------------------------------------------------------------- network


def test_network_guard_is_installed_for_the_run():
    assert netguard.installed()


def test_outbound_connection_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(netguard.NetworkBlocked, match=r"tests run offline: connection to "
                                                          r"\('192\.0\.2\.1', 80\) refused"):
            s.connect(("192.0.2.1", 80))  # TEST-NET-1, never routed
    with pytest.raises(netguard.NetworkBlocked, match="name lookup of 'example.org' refused"):
        socket.create_connection(("example.org", 443), timeout=1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        with pytest.raises(netguard.NetworkBlocked, match="datagram to"):
            s.sendto(b"x", ("198.51.100.7", 53))


def test_loopback_still_works():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(("localhost", server.getsockname()[1]), timeout=5) as client:
            conn, _ = server.accept()
            with conn:
                client.sendall(b"ping")
                assert conn.recv(4) == b"ping"


# ---------------------------------------------------------------- read-only inputs


def _tree(path: Path) -> dict[str, str]:
    """Relative path -> sha256 (or ``dir``) of everything under ``path``."""
    out = {}
    for p in sorted(path.rglob("*")):
        rel = str(p.relative_to(path))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _private_mount_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind / /mnt 2>/dev/null; true"],
                           capture_output=True)
    if probe.returncode != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c",
                            "mount --bind /tmp /tmp && mount -o remount,ro,bind /tmp /tmp"],
                           capture_output=True)
    return probe.returncode == 0


class ReadOnly:
    """Run commands with ``paths`` read-only.

    As an ordinary user the paths are made read-only with ``chmod``; as
    root, whom permission bits do not stop, each command runs in a private
    mount namespace where the paths are bind-mounted read-only (``unshare
    -m``), which also lets the whole checkout be read-only. Without either,
    the test is skipped (and fails in CI).
    """

    def __init__(self, data: Path, *, checkout: bool) -> None:
        self.root = os.geteuid() == 0
        if self.root and not _private_mount_works():
            message = "running as root without unshare -m: cannot make a directory read-only"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        self.paths = [data] + ([ROOT] if checkout and self.root else [])
        if not self.root:
            for p in [data, *data.rglob("*")]:
                mode = p.stat().st_mode
                p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

    def restore(self) -> None:
        if not self.root:
            for p in [self.paths[0], *self.paths[0].rglob("*")]:
                p.chmod(p.stat().st_mode | stat.S_IWUSR)

    def run(self, args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.root:
            mounts = " && ".join(f'mount --bind "{p}" "{p}" && mount -o remount,ro,bind "{p}" "{p}"'
                                 for p in self.paths)
            cmd = ["unshare", "-m", "sh", "-c", f'{mounts} && exec "$@"', "sh", *cmd]
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture
def sandbox(tmp_path: Path):
    """An empty working directory, a private HOME and TMPDIR, and a read-only copy of the data.

    The TMPDIR is longer than a Unix-domain socket path may be (about 107 bytes), as a
    user's can be: the kernels must still start (issue 20).
    """
    data = tmp_path / "data-ro"
    shutil.copytree(DATA_SYNTHETIC, data)
    work, home = tmp_path / "work", tmp_path / "home"
    tmp = tmp_path / ("tmp-" + "long-" * 20)
    for d in (work, home, tmp):
        d.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1",
           "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"), "MPLCONFIGDIR": str(tmp / "mpl")}
    env.pop("JUPYTER_PLATFORM_DIRS", None)
    yield {"data": data, "work": work, "env": env, "tmp_path": tmp_path}


def test_read_only_data_directory_is_only_read(sandbox):
    data, work, env = sandbox["data"], sandbox["work"], sandbox["env"]
    before = _tree(data)
    ro = ReadOnly(data, checkout=True)
    try:
        probe = ro.run([sys.executable, "-c", f"open({str(data / 'probe.txt')!r}, 'w')"], cwd=work, env=env)
        assert probe.returncode != 0 and ("Read-only" in probe.stderr or "Permission" in probe.stderr), \
            "the data directory is not read-only, so this test would prove nothing"
        r = ro.run([*CLI, "verify", "--data-dir", str(data)], cwd=work, env=env)
        assert r.returncode == 0, r.stderr
        assert " 0 fail" in r.stdout
        r = ro.run([*CLI, "data", "--check", "--out", str(data)], cwd=work, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        r = ro.run([*CLI, "fidelity", str(data / "fidelity" / "ratings.csv"), "--json"], cwd=work, env=env)
        assert r.returncode == 0 and r.stdout.lstrip().startswith("["), r.stderr
        code = ("from ipsresearch import datasets; import sys; "
                f"[datasets.load(n, data_dir={str(data)!r}) for n in datasets.names()]; print('ok')")
        r = ro.run([sys.executable, "-c", code], cwd=work, env=env)
        assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
    finally:
        ro.restore()
    assert _tree(data) == before
    assert list(work.iterdir()) == []


@pytest.mark.slow
def test_build_writes_only_into_its_output_directory(sandbox):
    data, work, env, tmp_path = sandbox["data"], sandbox["work"], sandbox["env"], sandbox["tmp_path"]
    out = tmp_path / "out"
    before = _tree(data)
    reports_before = _tree(REPORTS_DIR) if REPORTS_DIR.exists() else None
    ro = ReadOnly(data, checkout=True)
    try:
        r = ro.run([*CLI, "build", "--only", "01", "--param", f"data_dir={data}", "--out", str(out)],
                   cwd=work, env=env)
    finally:
        ro.restore()
    assert r.returncode == 0, r.stdout + r.stderr
    assert {"01-placement.html", "index.html", "manifest.json"} <= {p.name for p in out.iterdir()}
    assert _tree(data) == before
    assert list(work.iterdir()) == []
    tmp = Path(env["TMPDIR"])
    # nothing left in TMPDIR but the caches the environment points there (no connection file)
    assert len(str(tmp)) > 107
    assert [p.name for p in tmp.iterdir() if p.name not in ("mpl", "jupyter-runtime")] == []
    if reports_before is not None:
        assert _tree(REPORTS_DIR) == reports_before


# ---------------------------------------------------------------- bad input writes nothing


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture
def broken(data_copy: Path) -> Path:
    """data_synthetic/ with an impossible enrolment date on participants.csv row 3."""
    path = data_copy / "irish_pilot" / "participants.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[2].split(",")
    fields[2] = "2017-02-30"
    lines[2] = ",".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    return data_copy


def test_build_with_bad_data_exits_2_and_writes_nothing(broken, tmp_path):
    out = tmp_path / "out"
    r = _run("build", "--only", "01", "--param", f"data_dir={broken}", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip() == (f"ipsresearch: error: {broken}/irish_pilot/participants.csv row 3, column "
                                "`enrolment_date`: 2017-02-30 is not a calendar date (allowed: dates as "
                                "YYYY-MM-DD)")
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert not out.exists()


def test_build_checks_only_what_the_selected_notebooks_load(broken, tmp_path):
    """Notebook 03 reads the Bonfils screening log, not the pilot's participants: no false alarm."""
    from ipsresearch.report.preflight import check_data_dir

    assert check_data_dir(broken, notebooks=[ROOT / "notebooks" / "03-implementation-review.ipynb"]) == [
        "ipsresearch.studies.bonfils_review"]


def test_build_with_bad_data_and_debug_shows_a_traceback(broken, tmp_path):
    out = tmp_path / "out"
    r = _run("--debug", "build", "--only", "01", "--param", f"data_dir={broken}", "--out", str(out))
    assert r.returncode != 0 and "Traceback" in r.stderr and "InputError" in r.stderr
    assert not out.exists()


def test_build_with_a_missing_data_directory_exits_2(tmp_path):
    out = tmp_path / "out"
    r = _run("build", "--only", "01", "--param", f"data_dir={tmp_path / 'nowhere'}", "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{tmp_path / 'nowhere'}: directory does not exist" in r.stderr
    assert not out.exists()


def test_verify_with_bad_data_lists_the_problem_and_exits_2(broken):
    r = _run("verify", "--data-dir", str(broken))
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == ""
    assert "participants.csv row 3, column `enrolment_date`: 2017-02-30 is not a calendar date" in r.stderr


def test_verify_names_the_claim_sets_a_partial_folder_lacks(tmp_path):
    for name in ("participants.csv", "job_spells.csv"):
        shutil.copy(DATA_SYNTHETIC / "irish_pilot" / name, tmp_path / name)
    r = _run("verify", "--data-dir", str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{tmp_path}/screening_log.csv: file does not exist" in r.stderr
    assert "this folder lacks the files of claim sets moen2021, fidelity" in r.stderr
    assert "add --only irish_pilot job_retention" in r.stderr
    r = _run("verify", "--data-dir", str(tmp_path), "--only", "irish_pilot", "job_retention")
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr  # runs; claims may fail on other data


def test_fidelity_with_bad_ratings_prints_every_problem_and_nothing_on_stdout(tmp_path):
    lines = (DATA_SYNTHETIC / "fidelity" / "ratings.csv").read_text(encoding="utf-8").splitlines()
    for row, value in ((6, "6"), (9, "3.5"), (12, ""), (15, "0")):
        lines[row - 1] = lines[row - 1].rsplit(",", 1)[0] + "," + value
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = _run("fidelity", str(path))
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"ipsresearch: error: 4 problems in {path}:\n")
    for row, what in ((6, "6 is outside 1..5"), (9, "3.5 is not a whole number"),
                      (12, "rating is blank"), (15, "0 is outside 1..5")):
        assert f"{path} row {row}, column `rating`: " in r.stderr and what in r.stderr


def test_unknown_column_is_one_warning_line_on_the_command_line(tmp_path):
    text = (DATA_SYNTHETIC / "fidelity" / "ratings.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines = [lines[0] + ",comment"] + [line + "," for line in lines[1:]]
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = _run("fidelity", str(path))
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("ipsresearch: warning: ") and r.stderr.count("\n") == 1
    assert "comment" in r.stderr and "warnings.warn" not in r.stderr


def test_data_into_a_file_path_is_a_message_not_a_traceback(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    r = _run("data", "--out", str(target))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("ipsresearch: error: ") and str(target) in r.stderr
    assert target.read_text() == "x"


def test_verify_unknown_claim_set_is_a_usage_error(capsys):
    from ipsresearch.cli import main

    assert main(["verify", "--only", "irish_pilt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ipsresearch: error: unknown claim set irish_pilt; choose from irish_pilot,")

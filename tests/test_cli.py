"""Command line: help, version, exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ipsresearch import __version__
from ipsresearch.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ipsresearch.cli", *args],
                          capture_output=True, text=True)


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("data", "build", "verify"):
        assert cmd in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"ipsresearch {__version__}"


def test_bad_argument_is_one_line_exit_2():
    r = run("verify", "--no-such-flag")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "unrecognized arguments: --no-such-flag" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_command_exit_2():
    r = run("frobnicate")
    assert r.returncode == 2 and "invalid choice: 'frobnicate'" in r.stderr


def test_missing_data_files_are_named_together_exit_2(tmp_path):
    r = run("verify", "--data-dir", str(tmp_path))
    assert r.returncode == 2
    assert r.stderr.startswith(f"ipsresearch: error: 2 problems in {tmp_path}")
    assert f"{tmp_path}/participants.csv: file does not exist" in r.stderr
    assert f"{tmp_path}/job_spells.csv: file does not exist" in r.stderr
    assert "Traceback" not in r.stderr


def test_debug_shows_traceback(tmp_path):
    r = run("--debug", "verify", "--data-dir", str(tmp_path))
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_verify_json_keys_and_exit_status(capsys):
    assert main(["verify", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    keys = {"id", "source", "line", "quantity", "basis", "published", "counted", "computed",
            "tolerance", "status", "versus", "reference"}
    assert items and all(keys <= set(i) for i in items)
    assert all(i["basis"] in ("transcribed", "identity", "definition", "calibrated", "cited")
               for i in items)
    assert {i["status"] for i in items} == {"pass", "erratum", "query", "unchecked"}
    assert all(i["versus"] for i in items if i["status"] in ("erratum", "query"))
    placed = next(i for i in items if i["id"] == "irish_pilot.placed")
    assert placed["published"] == 33 and placed["computed"] == 33
    assert placed["source"] == "000_489456de6ed42f85.txt" and placed["line"] == 15


def test_verify_exits_1_when_a_claim_fails(data_copy, capsys):
    path = data_copy / "irish_pilot" / "focus_groups.csv"
    path.write_text(path.read_text().replace(",53,", ",50,"))
    assert main(["verify", "--data-dir", str(data_copy), "--only", "irish_pilot"]) == 1
    out = capsys.readouterr().out
    assert "irish_pilot.shortest_group" in out and "fail" in out


def test_data_check_passes_on_shipped_data(capsys):
    assert main(["data", "--check"]) == 0


def test_data_check_exit_1_when_bytes_would_change(tmp_path, capsys):
    assert main(["data", "--out", str(tmp_path)]) == 0
    (tmp_path / "irish_pilot" / "participants.csv").write_text("changed\n")
    assert main(["data", "--check", "--out", str(tmp_path)]) == 1
    assert "differs: irish_pilot/participants.csv" in capsys.readouterr().out


@pytest.mark.parametrize("param", ["no_equals_sign", "1x=2"])
def test_build_bad_param_exit_2(param, capsys):
    assert main(["build", "--param", param, "--out", "/nonexistent/never-written"]) == 2
    assert "ipsresearch: error: parameter" in capsys.readouterr().err


# --------------------------------------------------------------------------- start-up

NOTEBOOK_MACHINERY = ("matplotlib", "nbconvert", "nbclient", "nbformat", "ipywidgets", "IPython",
                      "jinja2", "seaborn")
COMPUTE = ("scipy", "statsmodels")
IMPORTS = """\
import contextlib, io, json, sys
from ipsresearch.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        status = main(sys.argv[1:])
    except SystemExit as exc:
        status = exc.code
print(json.dumps([status, sorted({m.split('.')[0] for m in sys.modules})]))
"""


@pytest.mark.parametrize(("args", "status", "not_imported"), [
    (["--help"], 0, (*NOTEBOOK_MACHINERY, *COMPUTE, "pandas", "numpy")),
    (["verify", "--only", "irish_pilot"], 0, NOTEBOOK_MACHINERY),
    (["data", "--check"], 0, (*NOTEBOOK_MACHINERY, *COMPUTE)),
    (["fidelity", "ipsresearch/datasets/fidelity_ratings_template.csv"], 0,
     (*NOTEBOOK_MACHINERY, *COMPUTE)),
], ids=["help", "verify", "data-check", "fidelity"])
def test_commands_import_only_what_they_use(root, args, status, not_imported):
    """No plotting or notebook machinery for the everyday commands (measured by benchmarks/cli.py)."""
    r = subprocess.run([sys.executable, "-c", IMPORTS, *args], capture_output=True, text=True,
                       cwd=root, check=True)
    got_status, modules = json.loads(r.stdout.splitlines()[-1])
    assert got_status == status
    assert sorted(set(not_imported) & set(modules)) == []


def test_verify_prints_its_table_with_aligned_columns(capsys):
    """Issue 18, item 6: each column starts where its header starts, on every row; a value too
    long for its column is printed in full below the row."""
    from ipsresearch import studies

    assert main(["verify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = lines[0]
    starts = [head.index(h) for h in ("basis", "source", "status")]
    results = {r.id: r for r in studies.verify()}
    rows = [line for line in lines[1:] if line.split(" ", 1)[0] in results]
    assert len(rows) == len(results)
    for line in rows:
        r = results[line.split(" ", 1)[0]]
        assert [line[s:].split(" ", 1)[0] for s in starts] == [r.basis, r.source, r.status], line
        assert all(line[s - 1] == " " for s in starts), line
    # the column ends of the right-aligned values line up too
    ends = [head.index(h) + len(h) for h in ("line", "printed", "counted", "computed")]
    assert all(line[e] == " " for line in rows for e in ends)  # a separator, never part of a value
    below = [line.strip() for line in lines if line.startswith(" ") and ": " in line]
    assert any(s.startswith("printed: ") and s.count(",") >= 8 for s in below)  # a long list, in full

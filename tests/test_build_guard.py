"""The builder never touches what is not its own and checks what it is given first (issue 20).

* Output folder: only a new or empty folder, ``reports/`` or a folder a build
  marked; never inside the source tree, the data or the notebooks; another
  program's files are left byte for byte; the default folder is unique per
  data folder.
* Arguments: parameters are checked against the notebooks' declarations,
  options against what exists, with exit status 2 before anything runs or is
  written, and messages that name the parameter or option and what is allowed.
* One build at a time per folder, and the index always describes the pages on disk.
* No residue: a long ``$TMPDIR`` works; what killed builds leave (kernel
  connection files with their keys, sockets) is removed by the next build.

The builds here run a one-cell notebook; the slow ones run a few of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import nbformat
import pytest

from ipsresearch.cli import main
from ipsresearch.paths import DATA_SYNTHETIC, NOTEBOOKS_DIR, PACKAGE_DIR, REPORTS_DIR, ROOT
from ipsresearch.report import parameters, provenance, store
from ipsresearch.report.build import build, default_out_dir
from ipsresearch.validation import InputError

QUIET = {"log": lambda *_: None, "progress": False}
CLI = [sys.executable, "-m", "ipsresearch.cli"]
NB01, NB04, NB06 = (next(NOTEBOOKS_DIR.glob(f"{n}-*.ipynb")).name for n in ("01", "04", "06"))


def tiny_notebooks(directory: Path, n: int = 1, sleep: float = 0.0) -> Path:
    """``n`` notebooks of one parameters cell (declared) and one code cell."""
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(1, n + 1):
        nb = nbformat.v4.new_notebook()
        nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        cells = [nbformat.v4.new_markdown_cell(f"# Tiny {i}"),
                 nbformat.v4.new_code_cell('confidence: "float in (0, 1)" = 0.95\n'
                                           'method: "{\'wilson\', \'exact\'}" = "wilson"\n'
                                           'data_dir: "folder or None" = None'),
                 nbformat.v4.new_code_cell(f"import time; time.sleep({sleep}); print(confidence, method)")]
        cells[1].metadata["tags"] = ["parameters"]
        for j, c in enumerate(cells):
            c["id"] = f"c{j}"
        nb.cells = cells
        (directory / f"{i:02d}-tiny.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    return directory


@pytest.fixture
def nbs(tmp_path: Path) -> Path:
    return tiny_notebooks(tmp_path / "nb")


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- whose folder


def test_a_folder_of_someone_elses_files_is_refused_and_left_byte_identical(nbs, tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / ".draft.tmp").write_text("half a draft")
    (site / "index.html").write_text("<html>someone else's site</html>")
    (site / "manifest.json").write_text('{"name": "someone else", "version": 3}')
    before = tree(site)
    with pytest.raises(store.OutputFolderError) as exc:
        build(notebooks_dir=nbs, out_dir=site, **QUIET)
    assert str(exc.value) == (
        f"out_dir {site}: holds files ipsresearch did not write (.draft.tmp, index.html, "
        "manifest.json); they are left untouched (allowed: a new or empty folder, reports/, or a "
        "folder an earlier build wrote (it holds .ipsresearch-output))")
    assert main(["build", "--notebooks", str(nbs), "--out", str(site)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ipsresearch: error: --out {site}: holds files ipsresearch did not write")
    assert "Traceback" not in err
    assert tree(site) == before and sorted(p.name for p in site.iterdir()) == [
        ".draft.tmp", "index.html", "manifest.json"]


def test_a_build_in_its_own_folder_keeps_other_files_and_sweeps_only_its_temporaries(nbs, tmp_path):
    out = tmp_path / "out"
    build(notebooks_dir=nbs, out_dir=out, **QUIET)
    assert (out / store.MARKER).read_text(encoding="utf-8") == store.MARKER_TEXT
    (out / ".draft.tmp").write_text("a note the user keeps here")
    (out / "notes.txt").write_text("mine")
    (out / ".01-tiny.html.ipsresearch-abc123.tmp").write_text("<html>half")  # a killed build's
    build(notebooks_dir=nbs, out_dir=out, force=True, **QUIET)
    assert (out / ".draft.tmp").read_text() == "a note the user keeps here"
    assert (out / "notes.txt").read_text() == "mine"
    assert not (out / ".01-tiny.html.ipsresearch-abc123.tmp").exists()


@pytest.mark.parametrize("inside", ["ipsresearch", "ipsresearch/report", "data_synthetic", "notebooks",
                                    "tests", ".", "reports/sub", "docs/out"])
def test_the_source_tree_is_refused_but_reports(inside):
    with pytest.raises(store.OutputFolderError, match=r"is inside the source tree of ipsresearch .* "
                                                      r"\(allowed: .*/reports, a reports-NAME/ folder"):
        store.check_out_dir(ROOT / inside)
    assert store.check_out_dir(REPORTS_DIR) == REPORTS_DIR.resolve()
    assert store.check_out_dir(ROOT / "reports-mysite-0123abcd").name == "reports-mysite-0123abcd"


def test_the_source_tree_is_refused_on_the_command_line_before_anything_runs(capsys):
    target = NOTEBOOKS_DIR / "out"
    assert main(["build", "--only", "01", "--out", str(target)]) == 2
    assert capsys.readouterr().err.startswith(f"ipsresearch: error: --out {target}: is inside the "
                                              "source tree of ipsresearch")
    assert not target.exists()
    assert main(["build", "--only", "01", "--out", str(PACKAGE_DIR / "templates")]) == 2
    assert not (PACKAGE_DIR / "templates").exists()


def test_the_data_and_notebook_folders_are_refused(nbs, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with pytest.raises(store.OutputFolderError, match=r"is inside the data folder"):
        build(notebooks_dir=nbs, out_dir=data / "reports", params={"data_dir": str(data)}, **QUIET)
    with pytest.raises(store.OutputFolderError, match=r"is inside the notebooks folder"):
        build(notebooks_dir=nbs, out_dir=nbs, **QUIET)
    with pytest.raises(store.OutputFolderError, match=r"holds the data folder"):
        store.check_out_dir(tmp_path, data_dir=data)
    assert not (data / "reports").exists() and sorted(p.name for p in nbs.iterdir()) == ["01-tiny.ipynb"]


def test_a_file_is_not_a_folder(nbs, tmp_path):
    f = tmp_path / "a-file"
    f.write_text("x")
    with pytest.raises(store.OutputFolderError, match=r"a-file: is a file, not a folder"):
        build(notebooks_dir=nbs, out_dir=f, **QUIET)
    assert f.read_text() == "x"


def test_a_folder_an_earlier_version_wrote_is_still_ours(nbs, tmp_path):
    old = tmp_path / "reports-site"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps({"generator": "ipsresearch report builder"}))
    assert store.check_out_dir(old) == old.resolve()
    build(notebooks_dir=nbs, out_dir=old, **QUIET)
    assert (old / store.MARKER).is_file() and (old / "01-tiny.html").is_file()


def test_the_default_folder_is_unique_per_data_folder(tmp_path):
    a, b = tmp_path / "a" / "site", tmp_path / "b" / "site"
    for d in (a, b):
        d.mkdir(parents=True)
    da, db = default_out_dir(a), default_out_dir(b)
    assert da != db and da.parent == db.parent == REPORTS_DIR.parent
    assert da.name.startswith("reports-site-") and db.name.startswith("reports-site-")
    assert default_out_dir(a) == da == default_out_dir(str(a) + "/")  # stable for one folder


# --------------------------------------------------------------------------- provenance: files read


def minimal_xlsx(path: Path, sheet: str, rows: list[list]) -> None:
    """A workbook of one sheet of inline strings and numbers, written with zipfile."""
    def cell(ref, v):
        if isinstance(v, (int, float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
    body = "".join(f'<row r="{i}">' + "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(r))
                   + "</row>" for i, r in enumerate(rows, 1))
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
        f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '</Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}/spreadsheetml/2006/main">'
        f'<sheetData>{body}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)



def test_probing_a_file_is_not_reading_it(tmp_path):
    from ipsresearch.paths import note_read, probing, recording

    with recording() as read, probing():
        (tmp_path / "book.xlsx").write_bytes(b"x")
        note_read(tmp_path / "book.xlsx")
    assert read == set()


def test_a_file_read_from_c_is_recorded(tmp_path):
    """pyreadstat opens an SPSS file from C, where no audit hook sees it: the reader says so."""
    import pandas as pd
    import pyreadstat

    from ipsresearch import readers
    from ipsresearch.paths import recording

    path = tmp_path / "participants.sav"
    pyreadstat.write_sav(pd.DataFrame({"participant_id": ["P1"]}), str(path))
    with recording() as read:
        readers.read_frame(path)
    assert str(path) in read


def test_files_the_analysis_did_not_read_leave_no_trace(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("participants.csv", "job_spells.csv"):
        shutil.copy(DATA_SYNTHETIC / "irish_pilot" / name, site / name)
    (site / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (site / "diagnosis_notes_john_doe.docx").write_bytes(b"PK\x03\x04 notes on a patient")
    # a workbook that opens: a reader looking through a folder's workbooks for a table's sheet
    # must not count it as read (ipsresearch.paths.probing)
    minimal_xlsx(site / "salary_2024_jane_smith.xlsx", "salaries", [["name", "salary"], ["Jane Smith", 51000]])
    private = {n: (site / n).read_bytes()
               for n in ("diagnosis_notes_john_doe.docx", "salary_2024_jane_smith.xlsx")}
    nbs = tmp_path / "nb"
    nbs.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb.cells = [nbformat.v4.new_markdown_cell("# Reads"),
                nbformat.v4.new_code_cell('data_dir: "folder or None" = None'),
                # through the package's reader, and through pandas directly (seen by the audit hook)
                nbformat.v4.new_code_cell(
                    "import os\nimport pandas as pd\nfrom ipsresearch.studies import irish_pilot\n"
                    "people, spells = irish_pilot.load_cohort(data_dir)\n"
                    "extra = pd.read_csv(os.path.join(data_dir, 'extra.csv'))\n"
                    "listed = os.listdir(data_dir)  # listing a folder reads none of its files\n"
                    "len(people), len(extra), len(listed)")]
    nb.cells[1].metadata["tags"] = ["parameters"]
    for j, c in enumerate(nb.cells):
        c["id"] = f"c{j}"
    (nbs / "01-reads.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    out = tmp_path / "out"
    report = build(notebooks_dir=nbs, out_dir=out, params={"data_dir": str(site)}, **QUIET)
    assert report.exit_status == 0, report[0].error
    digests = {hashlib.sha256(d).hexdigest() for d in private.values()}
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for word in ("john_doe", "jane_smith", "Jane Smith", "diagnosis_notes", "salary_2024",
                         *digests):
                assert word not in text, (path.name, word)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = {f"site/{n}": provenance.sha256_file(site / n)
                for n in ("extra.csv", "job_spells.csv", "participants.csv")}
    listed = manifest["reports"][0]["data_files"]
    # the files of the data folder it read, and the extracted tables the package read for it
    assert {k: v for k, v in listed.items() if k.startswith("site/")} == expected
    assert all(k.startswith("ipsresearch/datasets/") and not k.endswith(".py")
               for k in set(listed) - set(expected)), listed
    assert {k: v for k, v in manifest["data"]["files"].items() if k in expected} == expected
    assert all(k in expected or k.startswith("ipsresearch/datasets/") for k in manifest["data"]["files"])
    # the claims register is not run on a programme's own folder (a paper's claims are checked
    # only against that paper's data, issue 16), so it read nothing there and lists nothing
    assert manifest["claims"]["checked"] is False
    assert manifest["claims"]["data_files"] == {}
    page = (out / "01-reads.html").read_text(encoding="utf-8")
    assert f"the {len(listed)} files this report read" in page and expected["site/extra.csv"] in page
    assert provenance.digest(listed) in page


# --------------------------------------------------------------------------- arguments


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    return code, captured.err.strip()


@pytest.mark.parametrize(("param", "message"), [
    ("confidence=2", "parameter confidence: 2 is outside (0, 1) (allowed: float in (0, 1), "
                     f"as {NB01} declares)"),
    ("confidence=abc", "parameter confidence: 'abc' is text, not a number (allowed: float in (0, 1), "
                       f"as {NB01} declares)"),
    ("confidence=1e999", "parameter confidence: inf is not a finite number (allowed: float in (0, 1), "
                         f"as {NB01} declares)"),
    ("method=bogus", "parameter method: 'bogus' is not one of 'wilson', 'exact', 'jeffreys', "
                     "'agresti_coull', 'normal' (allowed: {'wilson', 'exact', 'jeffreys', "
                     f"'agresti_coull', 'normal'}}, as {NB01} declares)"),
    ("data_dir=", "parameter data_dir: is empty (allowed: a directory laid out like data_synthetic/, "
                  "or None)"),
])
def test_a_bad_parameter_exits_2_before_anything_runs(capsys, tmp_path, param, message):
    out = tmp_path / "out"
    code, err = _cli(capsys, "build", "--only", "01", "--param", param, "--out", str(out))
    assert code == 2 and err == f"ipsresearch: error: {message}"
    assert not out.exists()


def test_every_bad_parameter_is_listed_at_once(capsys, tmp_path):
    out = tmp_path / "out"
    code, err = _cli(capsys, "build", "--only", "01", "04", "--param", "confidence=2",
                     "--param", "method=bogus", "--out", str(out))
    assert code == 2 and err.startswith("ipsresearch: error: 2 problems in the build's parameters:")
    assert f"as {NB01}, {NB04} declare)" in err
    assert not out.exists()


def test_a_parameter_two_notebooks_declare_differently_names_the_notebook(capsys, tmp_path):
    code, err = _cli(capsys, "build", "--only", "01", "06", "--param", "method=REML",
                     "--out", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith("ipsresearch: error: parameter method: 'REML' is not one of 'wilson'")
    assert err.endswith(f"as {NB01} declares)")


def test_a_missing_or_bad_trials_file_exits_2_naming_file_row_and_column(capsys, tmp_path):
    out = tmp_path / "out"
    missing = tmp_path / "no-trials.csv"
    code, err = _cli(capsys, "build", "--only", "06", "--param", f"trials_csv={missing}",
                     "--out", str(out))
    assert code == 2 and err == (f"ipsresearch: error: parameter trials_csv: {missing} does not exist "
                                 f"(allowed: trial_arms CSV file or None, as {NB06} "
                                 "declares)")
    bad = tmp_path / "trials.csv"
    bad.write_text("study,events_treatment,n_treatment,events_control,n_control\n"
                   "A,12,40,5,38\nB,50,30,4,35\n", encoding="utf-8")
    code, err = _cli(capsys, "build", "--only", "06", "--param", f"trials_csv={bad}", "--out", str(out))
    assert code == 2 and err.startswith(f"ipsresearch: error: parameter trials_csv: {bad} row 3, ")
    assert "events_treatment" in err
    assert not out.exists()
    assert _cli(capsys, "build", "--only", "06", "--param", f"trials_csv={tmp_path}",
                "--out", str(out)) == (2, f"ipsresearch: error: parameter trials_csv: {tmp_path} is a "
                                          "folder, not a file (allowed: trial_arms CSV file or None, "
                                          f"as {NB06} declares)")


def test_bad_options_name_the_option(capsys, tmp_path):
    out = tmp_path / "out"
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (["build", "--only", "", "--out", str(out)], "--only '' is not a notebook name; choose from "
                                                     f"{NB01[:-6]},"),
        (["build", "--notebooks", "/nonexistent", "--out", str(out)],
         "--notebooks /nonexistent: does not exist (allowed: a folder of NN-topic.ipynb notebooks)"),
        (["build", "--notebooks", str(empty), "--out", str(out)],
         f"--notebooks {empty}: holds no notebook named NN-topic.ipynb"),
        (["data", "--scale", "1e100", "--out", str(out)],
         "argument --scale: '1e100' is not a whole number from 1 to 100000000 (1e8)"),
        (["data", "--scale", "10", "--seed", "-1", "--out", str(out)],
         "argument --seed: '-1' is not a whole number >= 0"),
        (["verify", "--data-dir", ""], "--data-dir is empty"),
    ]
    for args, message in cases:
        code, err = _cli(capsys, *args)
        assert code == 2 and err.startswith(f"ipsresearch: error: {message}"), (args, err)
    assert not out.exists() and list(empty.iterdir()) == []


def test_every_project_parameter_is_declared_and_its_default_allowed():
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")):
        info = provenance.read_notebook_info(path)
        assert set(info.declarations) == set(info.parameters), path.name
        for name, text in info.declarations.items():
            spec = parameters.parse_spec(text)
            import ast

            default = ast.literal_eval(info.parameters[name])
            assert parameters.check_value(default, spec) is None, (path.name, name, default)


def test_declared_choices_are_what_the_package_accepts():
    from ipsresearch import outcomes
    from ipsresearch.synthesis import meta

    seen = {}
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")):
        info = provenance.read_notebook_info(path)
        for name, text in info.declarations.items():
            alt = parameters.parse_spec(text).alternatives[0]
            if alt.kind == "choice":
                seen[(path.name[:2], name)] = set(alt.values)
    for nb in ("01", "04", "08"):
        assert seen[(nb, "method")] == set(outcomes.CI_METHODS)
    assert seen[("05", "ci_transform")] == set(outcomes.CI_TRANSFORMS)
    assert seen[("06", "method")] == set(meta.METHODS) - {"PETO"}  # Peto pools odds ratios only


@pytest.mark.parametrize(("value", "spec", "why"), [
    (0.5, "float in (0, 1)", None), (0, "float in (0, 1)", "0 is outside (0, 1)"),
    (1, "float in (0, 1]", None), (True, "float in (0, 1]", "True is not a number"),
    (float("nan"), "float", "nan is not a finite number"), (3, "int >= 2", None),
    (3.0, "int >= 2", "3.0 is not a whole number"), (1, "int >= 2", "1 is outside >= 2"),
    ((1, 2), "tuple of int > 0", None), ((1, -2), "tuple of int > 0", "element -2 is outside > 0"),
    ({"o2": 4}, "dict of item to int in [1, 5]", None),
    ({"X9": 4}, "dict of item to int in [1, 5]",
     "key 'X9' is not an IPS-25 item code (S1-S3, O1-O8, SE1-SE14)"),
    ({"O2": 6}, "dict of item to int in [1, 5]", "value of 'O2': 6 is outside [1, 5]"),
    ("auto", "{'auto', True, False}", None), (1, "{'auto', True, False}",
                                              "1 is not one of 'auto', True, False"),
    ("yes", "bool", "'yes' is not True or False"), (None, "IPS-25 bands or None", None),
])
def test_declarations_check_values(value, spec, why):
    assert parameters.check_value(value, spec) == why


def test_a_declaration_the_builder_cannot_read_is_an_error():
    with pytest.raises(parameters.SpecError, match="not a type this builder reads"):
        parameters.parse_spec("a number, please")


def test_parameters_are_checked_in_the_python_api_too(nbs, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"parameter confidence: 2 is outside \(0, 1\)"):
        build(notebooks_dir=nbs, out_dir=out, params={"confidence": 2}, **QUIET)
    assert not out.exists()


# --------------------------------------------------------------------------- one build at a time


def test_a_second_build_into_a_locked_folder_exits_2_naming_the_holder(nbs, tmp_path, capsys):
    out = tmp_path / "out"
    with store.claim(out):
        before = tree(out)
        with pytest.raises(store.OutputFolderError) as exc:
            build(notebooks_dir=nbs, out_dir=out, **QUIET)
        assert f"{out}: another build is writing into this folder" in str(exc.value)
        if Path("/proc/locks").exists():
            assert f"(process {os.getpid()}: " in str(exc.value)
        assert main(["build", "--notebooks", str(nbs), "--out", str(out)]) == 2
        assert f"ipsresearch: error: --out {out}: another build is writing" in capsys.readouterr().err
        assert tree(out) == before
    report = build(notebooks_dir=nbs, out_dir=out, **QUIET)  # the lock is released
    assert report.exit_status == 0


def _index_matches_pages(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert manifest["index_sha256"] == hashlib.sha256(index.encode("utf-8")).hexdigest()
    for r in manifest["reports"]:
        page = out / f"{r['name']}.html"
        assert r["status"] == "ok", (r["name"], r["status"])
        assert r["output_sha256"] == hashlib.sha256(page.read_bytes()).hexdigest(), r["name"]
        assert f'href="{r["name"]}.html"' in index


@pytest.mark.slow
def test_two_concurrent_builds_leave_an_index_that_matches_the_pages(tmp_path):
    nbs = tiny_notebooks(tmp_path / "nb", n=4, sleep=0.5)
    out = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    for _attempt in range(2):
        cmd = [*CLI, "build", "--notebooks", str(nbs), "--out", str(out), "--force", "--jobs", "2"]
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
        codes = sorted(r[2] for r in results)
        # one builds; the other either finds the folder locked (2, naming the holder) or, when
        # it came second, builds after it (0)
        assert codes in ([0, 0], [0, 2]), results
        for _, err, code in results:
            if code == 2:
                assert "another build is writing into this folder" in err and "Traceback" not in err
        _index_matches_pages(out)
        assert sorted(p.name for p in out.glob("*.html")) == [
            "01-tiny.html", "02-tiny.html", "03-tiny.html", "04-tiny.html", "index.html"]


# --------------------------------------------------------------------------- no residue


def _ours_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("ipsresearch-kernels-*")) if directory.is_dir() else []


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")
def test_a_long_tmpdir_works_and_killed_builds_leave_nothing_after_the_next_start(tmp_path):
    nbs = tiny_notebooks(tmp_path / "nb", n=2, sleep=1.0)
    tmp = tmp_path / ("a-temporary-directory-with-a-long-name-" + "x" * 60)
    tmp.mkdir()
    assert len(str(tmp)) >= 110
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(tmp)}
    cmd = [*CLI, "build", "--notebooks", str(nbs), "--out", str(out), "--force", "--jobs", "2"]
    killed = []
    # SIGKILL while the zygote imports, while kernels start and run, while pages are written
    for delay in (1.0, 3.0, 5.0, 7.0):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=60)
        killed.append(proc.pid)
    time.sleep(2)  # the zygote and kernels notice that the build is gone
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr  # the kernels work with a TMPDIR over 100 characters
    assert "File name too long" not in r.stdout + r.stderr
    assert list(tmp.iterdir()) == []  # no connection file, socket or runtime directory
    for base in {os.environ.get("XDG_RUNTIME_DIR"), "/tmp"} - {None}:
        left = [n for n in _ours_in(Path(base)) if int(n.split("-")[2]) in killed]
        assert left == [], (base, left)
    assert not list(out.rglob("*.tmp"))


def test_the_sweep_spares_live_builds_and_other_users(tmp_path, monkeypatch):
    from ipsresearch.report import kernels

    monkeypatch.setattr(kernels.tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f"ipsresearch-kernels-{dead}-abcd1234"
    stale.mkdir()
    (stale / "k1.json").write_text('{"key": "secret"}')
    alive = tmp_path / f"ipsresearch-kernels-{os.getpid()}-efgh5678"
    alive.mkdir()
    foreign = tmp_path / "ipsresearch-kernels-notapid"
    foreign.mkdir()
    other = tmp_path / "someone-elses.json"
    other.write_text("{}")
    with kernels.socket_directory() as mine:
        # in the temporary directory, or in /tmp when that is too long for socket paths
        assert Path(mine).parent in (tmp_path, Path("/tmp")) and Path(mine).is_dir()
        assert not stale.exists()
        assert alive.is_dir() and foreign.is_dir() and other.is_file()
        assert kernels.sweep_stale() == []  # this build's own directory is locked: kept
        assert Path(mine).is_dir()
    assert not Path(mine).exists()


def test_kernel_sockets_fall_back_to_tcp_when_no_directory_is_short_enough(monkeypatch):
    from ipsresearch.report import execute

    long_dir = "/" + "d" * 120
    config = execute._kernel_config(long_dir)
    assert config.KernelManager.transport == "tcp" and config.KernelManager.ip == "127.0.0.1"
    assert config.KernelManager.connection_file.startswith(long_dir + "/k")
    short = execute._kernel_config("/tmp/x")
    assert short.KernelManager.transport == "ipc" and short.KernelManager.ip.startswith("/tmp/x/k")
    assert short.KernelManager.connection_file == short.KernelManager.ip + ".json"

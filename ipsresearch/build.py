"""Report builder: execute the notebooks in fresh kernels and render HTML.

Each notebook in ``notebooks/`` (``NN-topic.ipynb``) runs top to bottom in a
fresh kernel with :mod:`nbclient`, inside this Python process, and is
rendered by :mod:`nbconvert` to ``reports/NN-topic.html``;
``reports/index.html`` lists every report and the whole claims register.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from ipsresearch import __version__
from ipsresearch.claims import claims_html, verify
from ipsresearch.paths import NOTEBOOKS_DIR, REPORTS_DIR

__all__ = ["BuildResult", "build", "discover", "inject_parameters", "parse_param"]


@dataclass(frozen=True)
class BuildResult:
    """Outcome of one notebook: ``status`` is ``built`` or ``failed``."""

    name: str
    status: str
    seconds: float
    error: str = ""


def discover(directory: Path = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """Notebooks to build, in name order; ``only`` selects by stem or prefix."""
    found = sorted(p for p in directory.glob("[0-9][0-9]-*.ipynb"))
    if only:
        unknown = [o for o in only if not any(p.stem == o or p.stem.startswith(o) for p in found)]
        if unknown:
            raise ValueError(f"no notebook named {', '.join(unknown)}; "
                             f"choose from {', '.join(p.stem for p in found)}")
        found = [p for p in found if any(p.stem == o or p.stem.startswith(o) for o in only)]
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


def inject_parameters(nb: nbformat.NotebookNode, params: dict[str, Any]) -> nbformat.NotebookNode:
    """Insert a cell setting ``params`` right after the ``parameters``-tagged cell.

    Only names the notebook's parameters cell already defines are set;
    others are ignored, so one ``--param`` can serve several notebooks.
    """
    if not params:
        return nb
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            known = _assigned_names(cell.source)
            lines = [f"{k} = {v!r}" for k, v in params.items() if k in known]
            if lines:
                new = nbformat.v4.new_code_cell("\n".join(lines))
                new.metadata["tags"] = ["injected-parameters"]
                new["id"] = "injected-parameters"
                nb.cells.insert(i + 1, new)
            return nb
    return nb


def _assigned_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render(nb: nbformat.NotebookNode, *, with_code: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=not with_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def build(
    *,
    only: list[str] | None = None,
    out_dir: str | os.PathLike | None = None,
    params: dict[str, Any] | None = None,
    with_code: bool = False,
    timeout: int = 900,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    log=print,
) -> list[BuildResult]:
    """Execute and render the notebooks, then write the index.

    Returns
    -------
    list of BuildResult
    """
    out = Path(out_dir) if out_dir is not None else REPORTS_DIR
    results = []
    for path in discover(notebooks_dir, only):
        start = dt.datetime.now()
        nb = inject_parameters(nbformat.read(path, as_version=4), params or {})
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as exc:
            secs = (dt.datetime.now() - start).total_seconds()
            log(f"failed: {path.name}: {str(exc).splitlines()[-1] if str(exc) else exc}")
            results.append(BuildResult(path.stem, "failed", secs, str(exc)))
            continue
        _atomic_write(out / f"{path.stem}.html", _render(nb, with_code=with_code))
        secs = (dt.datetime.now() - start).total_seconds()
        log(f"built: {path.stem}.html ({secs:.1f} s)")
        results.append(BuildResult(path.stem, "built", secs))
    write_index(out, results, data_dir=(params or {}).get("data_dir"))
    return results


def write_index(out: Path, results: list[BuildResult], *, data_dir: Any = None) -> Path:
    """Write ``index.html``: every report with its status, then the claims register."""
    claims = verify(data_dir=data_dir)
    built = {p.stem for p in out.glob("[0-9][0-9]-*.html")}
    status = {r.name: r.status for r in results}
    items = []
    for name in sorted(built | set(status)):
        s = status.get(name, "kept")
        link = f'<a href="{html.escape(name)}.html">{html.escape(name)}</a>' if name in built \
            else html.escape(name)
        items.append(f"<li>{link} <span class=\"status-{s}\">{s}</span></li>")
    n = {s: sum(r.status == s for r in claims) for s in ("pass", "erratum", "fail")}
    errata = [r for r in claims if r.status == "erratum"]
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ipsresearch reports</title>
<style>body{{font-family:sans-serif;max-width:75em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;font-size:.9em}}td,th{{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}}
.status-pass .status{{color:#176b2c}}.status-fail .status{{color:#b00020;font-weight:bold}}
.status-erratum .status{{color:#8a5a00}}</style></head><body>
<h1>ipsresearch reports</h1>
<p>ipsresearch {html.escape(__version__)}</p>
<h2>Reports</h2><ul>{''.join(items)}</ul>
<h2>Claims register</h2>
<p>{n['pass']} pass, {n['erratum']} erratum, {n['fail']} fail.</p>
{claims_html(claims, link_reports=True)}
<h2 id="errata">Errata</h2>
{claims_html(errata, link_reports=True) if errata else '<p>None recorded.</p>'}
</body></html>
"""
    target = out / "index.html"
    _atomic_write(target, page)
    return target

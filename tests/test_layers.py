"""The import order is one-way: foundation -> analysis -> data -> register -> presentation -> cli.

A module imports only from its own layer or from layers to its left; two units never import
each other; matplotlib, ipywidgets and IPython are imported only in the presentation layer.
Every import counts: at module level, inside a function (lazy), relative, and
``importlib.import_module("ipsresearch....")`` with a literal name. The places where this order
is knowingly broken are listed in :data:`ALLOWED` and :data:`ALLOWED_PRESENTATION` with their
reasons, and an allowance that no longer matches anything fails too, so that the lists cannot go
stale.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ipsresearch.paths import PACKAGE_DIR

LAYERS = {
    "paths": 0, "sources": 0, "validation": 0, "readers": 0, "schemas": 0, "_arrays": 0, "_stats": 0,
    "_deprecation": 0, "_html": 0, "_docs": 0,
    "outcomes": 1, "fidelity": 1, "qualitative": 1, "synthesis": 1,
    "datasets": 2, "synthetic": 2,
    "claims": 3, "studies": 3,
    "figures": 4, "explore": 4, "report": 4,
    "cli": 5,
}
"""Unit (top-level module or package) -> layer; lower layers never import higher ones."""

NAMES = ("foundation", "analysis", "data", "register", "presentation", "cli")

MOVED = {"fidelity_figures": "figures", "survival_figures": "figures",
         "qualitative_figures": "figures", "reporting": "report", "build": "report",
         "interactive": "explore", "fidelity_classroom": "explore"}
"""Old module paths (kept one release as forwarding shims, or not yet moved) -> their unit."""

SUBUNITS = {("synthesis", "plots"): "figures", ("synthesis", "explore"): "explore"}
"""Submodules that belong to another unit than their package (until they move there)."""

PRESENTATION_LIBS = ("matplotlib", "ipywidgets", "IPython")

ALLOWED = {
    ("claims", "studies"): "claims.verify() without claim_sets: a deprecated forward to "
                           "studies.verify(), looked up by name at call time; removed in the "
                           "next release",
    ("synthesis", "figures"): "synthesis.forest_plot, funnel_plot and plot_prisma: deprecated "
                              "forwards to ipsresearch.figures, imported only when asked for; "
                              "removed in the next release",
}
"""(importing unit, imported unit) -> why this import against the order is allowed for now
(``claims`` and ``studies`` share a layer, but ``studies`` imports ``claims``: the edge back
would make the two depend on each other)."""

ALLOWED_PRESENTATION: dict[str, str] = {}
"""Unit below the presentation layer -> why it still imports a presentation library."""


def unit(module: str) -> str | None:
    """The unit of a dotted module name inside the package (``None`` outside it)."""
    parts = module.split(".")
    if parts[0] != "ipsresearch" or len(parts) < 2:
        return None
    return SUBUNITS.get(tuple(parts[1:3]), MOVED.get(parts[1], parts[1]))


def module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every import in a file, lazy and relative ones included."""
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append((node.lineno, node.args[0].value))
    return out


def scan(root: Path) -> dict[str, list]:
    """Units without a layer, upward imports, edges between units and presentation imports."""
    found: dict[str, list] = {"unplaced": [], "upward": [], "edges": [], "presentation": []}
    for path in sorted(root.rglob("*.py")):
        here = unit(module_name(path, root))
        if here is None:
            continue
        if here not in LAYERS:
            found["unplaced"].append(f"{path.relative_to(root.parent)}: unit {here!r}")
            continue
        for line, name in imports(path, root):
            where = f"{path.relative_to(root.parent)}:{line}"
            if name.split(".")[0] in PRESENTATION_LIBS and LAYERS[here] < LAYERS["figures"]:
                found["presentation"].append(f"{where}: {here} imports {name}")
            there = unit(name)
            if there is None or there == here or there not in LAYERS:
                continue
            found["edges"].append((here, there, where))
            if LAYERS[there] > LAYERS[here]:
                found["upward"].append((here, there, f"{where}: {here} ({NAMES[LAYERS[here]]}) "
                                                     f"imports {name} ({NAMES[LAYERS[there]]})"))
    return found


def two_way(edges: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    pairs = {(a, b) for a, b, _ in edges}
    return sorted({tuple(sorted(p)) for p in pairs if p[::-1] in pairs})


@pytest.fixture(scope="module")
def found() -> dict[str, list]:
    return scan(PACKAGE_DIR)


def test_every_unit_has_a_layer(found):
    assert found["unplaced"] == [], "add the new module to LAYERS in tests/test_layers.py"


def test_no_upward_import(found):
    upward = [msg for a, b, msg in found["upward"] if (a, b) not in ALLOWED]
    assert upward == []


def test_every_allowance_is_still_needed(found):
    used = {(a, b) for a, b, _ in found["edges"]}
    assert sorted(set(ALLOWED) - used) == [], "remove allowances that no longer apply"


def test_no_two_way_edges_between_units(found):
    edges = [e for e in found["edges"] if e[:2] not in ALLOWED]
    assert two_way(edges) == []


def test_presentation_libraries_only_in_the_presentation_layer(found):
    def importer(message: str) -> str:
        return message.split(": ")[1].split()[0]

    assert [m for m in found["presentation"] if importer(m) not in ALLOWED_PRESENTATION] == []
    used = {importer(m) for m in found["presentation"]}
    assert sorted(set(ALLOWED_PRESENTATION) - used) == [], "remove allowances that no longer apply"


def test_the_check_finds_each_kind_of_violation(tmp_path):
    """An upward import is caught at module level, inside a function, relative and by name."""
    pkg = tmp_path / "ipsresearch"
    files = {
        "__init__.py": "",
        "paths.py": "def f():\n    from ipsresearch.studies import MODULES\n",
        "claims.py": "from ipsresearch import studies\n",
        "studies/__init__.py": "from ipsresearch import claims\n",
        "studies/x.py": "from ..report import tables\n",
        "datasets/__init__.py": ("import importlib\n"
                                 "importlib.import_module('ipsresearch.synthetic')\n"),
        "synthetic/__init__.py": "from ipsresearch import datasets\n",
        "outcomes.py": "import matplotlib.pyplot as plt\n",
        "report/tables.py": "import matplotlib\n",
        "newthing.py": "",
    }
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    result = scan(pkg)
    upward = sorted(m.split(": ", 1)[1] for _, _, m in result["upward"])
    assert upward == ["paths (foundation) imports ipsresearch.studies.MODULES (register)",
                      "studies (register) imports ipsresearch.report.tables (presentation)"]
    assert two_way(result["edges"]) == [("claims", "studies"), ("datasets", "synthetic")]
    assert [m.split(": ", 1)[1] for m in result["presentation"]] == [
        "outcomes imports matplotlib.pyplot"]
    assert result["unplaced"] == ["ipsresearch/newthing.py: unit 'newthing'"]

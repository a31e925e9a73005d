"""Notebooks: stored clean, one parameters cell, thin, and executed top to bottom."""

from __future__ import annotations

import ast

import nbformat
import pytest

from ipsresearch.paths import NOTEBOOKS_DIR
from ipsresearch.report.build import build, discover
from tests.reference import proportions

NOTEBOOKS = discover(NOTEBOOKS_DIR)


def test_there_are_notebooks():
    assert any(p.stem == "01-placement" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs_and_with_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_no_functions_or_classes_defined(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{path.name} defines {[d.name for d in defs]}: move it into the package"


DEPRECATED = {"ipsresearch.fidelity_figures", "ipsresearch.survival_figures",
              "ipsresearch.qualitative_figures", "ipsresearch.interactive",
              "ipsresearch.fidelity_classroom", "ipsresearch.synthesis.explore"}


def _drawing_by_hand(tree: ast.AST) -> list[str]:
    """What in a cell draws or styles a figure itself instead of calling ipsresearch.figures."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            names = [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else []
            for name in modules + names:
                if name.split(".")[0] in ("matplotlib", "seaborn") or name in DEPRECATED:
                    found.append(f"line {node.lineno}: imports {name}")
                elif (name.rsplit(".", 1)[-1].startswith("plot_") or name.endswith("_plot")) \
                        and not name.startswith("ipsresearch.figures"):
                    found.append(f"line {node.lineno}: imports {name} (figures come from ipsresearch.figures)")
        elif isinstance(node, ast.Name) and node.id == "plt":
            found.append(f"line {node.lineno}: uses plt")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            while isinstance(owner, ast.Attribute | ast.Subscript):
                owner = owner.value
            if isinstance(owner, ast.Name) and owner.id in ("ax", "axes", "fig"):
                found.append(f"line {node.lineno}: calls {ast.unparse(node.func)}")
            elif node.func.attr == "plot" or (isinstance(node.func.value, ast.Attribute)
                                              and node.func.value.attr == "plot"):
                found.append(f"line {node.lineno}: calls {ast.unparse(node.func)} (pandas plotting)")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_figure_drawn_by_hand(path):
    """Figures come from ipsresearch.figures and widgets from ipsresearch.explore; cells only call them."""
    nb = nbformat.read(path, as_version=4)
    found = [f"cell {i}, {what}" for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             for what in _drawing_by_hand(ast.parse(cell.source))]
    assert found == [], f"{path.name} draws by hand: {found}"


def test_the_hand_drawing_check_can_fail():
    cells = ["import matplotlib.pyplot as plt\nplt.show()", "ax.axvline(3)",
             "axes[0].set_title('x')", "from ipsresearch import fidelity_figures as ff",
             "from ipsresearch.synthesis import forest_plot", "table.plot.barh()",
             "ax.figure.set_size_inches(2, 2)"]
    assert [len(_drawing_by_hand(ast.parse(c))) for c in cells] == [2, 1, 1, 1, 1, 1, 1]
    assert _drawing_by_hand(ast.parse("ax = figures.plot_rates(r, label='site', ax=axes[0])")) == []


@pytest.mark.slow
def test_all_notebooks_execute_and_render(built_reports):
    out, results = built_reports
    failed = [(r.name, r.error[-2000:]) for r in results if r.status != "built"]
    assert failed == []
    page = (out / "01-placement.html").read_text(encoding="utf-8")
    assert "33 of 65" in page and "50.8%" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "01-placement.html" in index and "irish_pilot.placed" in index


@pytest.mark.slow
def test_parameters_reach_the_notebook(tmp_path):
    results = build(only=["01"], out_dir=tmp_path, params={"method": "exact", "confidence": 0.9},
                    log=lambda *_: None)
    assert [r.status for r in results] == ["built"]
    page = (tmp_path / "01-placement.html").read_text(encoding="utf-8")
    lo, hi = proportions.EXACT_33_65_90  # R binom.test(33, 65, conf.level = 0.9)
    assert f"{lo:.1%} to {hi:.1%}" in page

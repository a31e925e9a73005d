"""Write a notebook from a list of (kind, source) cells, stored without outputs.

Developers' helper for creating the numbered notebooks reproducibly:

    python tools/new_notebook.py  # (imported by per-notebook scripts)

Cells are ("md", text), ("code", text) or ("params", text); the last becomes
the single ``parameters``-tagged cell.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def write(path: str | Path, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        # the kernel `make kernel` (or the README's command) registers in a user's own Jupyter
        "kernelspec": {"display_name": "Python (ipsresearch)", "language": "python", "name": "ipsresearch"},
        "language_info": {"name": "python"},
    }
    for i, (kind, src) in enumerate(cells):
        src = src.strip("\n")
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(src)
        else:
            cell = nbformat.v4.new_code_cell(src)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    Path(path).write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("import this module and call write(path, cells)")

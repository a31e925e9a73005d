"""Catalogues as data: the source papers, the extracted tables and the synthetic tables."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest
from pandas.testing import assert_frame_equal

from ipsresearch import datasets, synthetic
from ipsresearch.paths import DATA_SYNTHETIC, DATASETS_DIR, PACKAGE_DIR
from ipsresearch.schemas import SCHEMAS
from ipsresearch.sources import SOURCES
from ipsresearch.validation import read_csv

SOURCE_FILE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def test_source_file_names_are_written_only_in_sources_py():
    written = {str(p.relative_to(PACKAGE_DIR)): SOURCE_FILE.findall(p.read_text(encoding="utf-8"))
               for p in PACKAGE_DIR.rglob("*.py")}
    assert {p for p, found in written.items() if found} == {"sources.py"}
    assert set(written["sources.py"]) == {s.file for s in SOURCES.values()}


def test_the_sources_have_distinct_files_keys_and_data_prefixes():
    files = [s.file for s in SOURCES.values()]
    assert [f[:3] for f in files] == ["000", "001", "002", "003", "004"]
    prefixes = [s.data_prefix for s in SOURCES.values()]
    assert len(set(files)) == len(set(prefixes)) == len(SOURCES) == 5
    assert all(key == s.key for key, s in SOURCES.items())


def test_the_catalogue_lists_every_shipped_table_once():
    with open(DATASETS_DIR / "catalog.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["name", "file", "schema", "source", "description"]
    assert [r["name"] for r in rows] == list(datasets.EXTRACTED)
    shipped = {p.name for p in DATASETS_DIR.glob("*.csv")} - {"catalog.csv", "fidelity_ratings_template.csv"}
    assert sorted(r["file"] for r in rows) == sorted(shipped)
    for r in rows:
        assert r["schema"] in SCHEMAS and r["description"], r["name"]
        if r["source"]:  # a table from one paper is named after that paper's data prefix
            assert r["name"].startswith(SOURCES[r["source"]].data_prefix + "_"), r["name"]
            assert datasets.EXTRACTED[r["name"]].source == SOURCES[r["source"]].file


def test_every_extracted_table_loads_with_its_catalogued_schema():
    for name, table in datasets.EXTRACTED.items():
        frame = datasets.load(name)
        assert len(frame) > 0 and table.schema is SCHEMAS[table.schema.name], name


def test_synthetic_names_resolve_from_the_data_package():
    package = json.loads((DATA_SYNTHETIC / "datapackage.json").read_bytes())
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == list(synthetic.TABLES)
    for name in synthetic.TABLES:
        table = synthetic.TABLES[name]
        assert resources[name]["path"] == table.path
        assert resources[name]["ipsresearch"]["schema"] == table.schema.name
        # the schema datasets.load uses gives the same frame as the generator's own schema
        assert_frame_equal(datasets.load(name), read_csv(DATA_SYNTHETIC / table.path, table.schema,
                                                         source=str(DATA_SYNTHETIC / table.path)))
    assert set(datasets.names()) == set(datasets.EXTRACTED) | set(resources)


def test_loading_a_table_imports_no_study_generator_or_plotting_library():
    code = ("import sys; from ipsresearch import datasets; datasets.load('moen2021_studies'); "
            "datasets.load('irish_pilot_participants'); "
            "print(sorted(m for m in sys.modules if m.startswith('ipsresearch') "
            "or m.split('.')[0] in ('matplotlib', 'scipy', 'statsmodels')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    foundation = {"paths", "sources", "validation", "schemas", "_arrays", "_stats", "_docs"}
    loaded = eval(out.stdout)
    assert {"ipsresearch", "ipsresearch.datasets", "ipsresearch.sources"} <= set(loaded)
    assert [m for m in loaded if m not in ("ipsresearch", "ipsresearch.datasets")
            and m.removeprefix("ipsresearch.") not in foundation] == []


def test_register_is_deprecated():
    table = datasets.EXTRACTED["ipsnor_themes"]
    with pytest.warns(DeprecationWarning, match="catalog.csv"):
        assert datasets.register(table) is table


def test_sources_dir_and_its_old_name(monkeypatch, tmp_path):
    from ipsresearch import paths

    monkeypatch.delenv("IPSRESEARCH_SOURCES", raising=False)
    monkeypatch.setenv("IPSRESEARCH_SEEDS", str(tmp_path))
    assert paths.sources_dir() == tmp_path
    monkeypatch.setenv("IPSRESEARCH_SOURCES", str(tmp_path / "papers"))
    assert paths.sources_dir() == tmp_path / "papers"
    assert SOURCES["ipsnor"].path == tmp_path / "papers" / SOURCES["ipsnor"].file
    with pytest.warns(DeprecationWarning, match="sources_dir"):
        assert paths.seeds_dir() == paths.sources_dir()

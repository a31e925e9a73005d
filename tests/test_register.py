"""The claims register's own data: printed numbers, printed lists and reference lists, each on its line."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ipsresearch.paths import DATASETS_DIR

WORDS = {"zero": 0, "none": 0, "one": 1, "an": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5,
         "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
         "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
         "nineteen": 19, "twenty": 20, "thirty-three": 33}


def raw(name: str) -> pd.DataFrame:
    return pd.read_csv(DATASETS_DIR / f"{name}.csv", dtype=str, keep_default_na=False)


def first_number(text: str) -> float:
    """The first number in ``text``, in figures (``463,000``) or in words (``Eighteen``)."""
    for token in re.findall(r"[A-Za-z-]+|\d[\d,]*(?:\.\d+)?", text):
        if token[0].isdigit():
            return float(token.replace(",", ""))
        if token.casefold() in WORDS:
            return float(WORDS[token.casefold()])
    raise ValueError(f"no number in {text!r}")


@pytest.fixture
def seed_text(seeds):
    return {p.name: p.read_text(encoding="utf-8").splitlines() for p in seeds.glob("*.txt")}


def test_printed_numbers_are_on_their_lines(seed_text):
    table = raw("printed_numbers")
    assert not table.duplicated(["source", "name"]).any()
    for r in table.itertuples():
        line = seed_text[r.source][int(r.source_line) - 1]
        assert r.as_printed in line, (r.source, r.name)
        if not r.note:  # a plain figure: the value is the first number of what is printed
            assert first_number(r.as_printed) == float(r.value), (r.source, r.name)
        else:  # the note says how; the value is still one of the numbers printed there
            digits = re.findall(r"\d+", r.as_printed)
            spelled = [float(v) for k, v in WORDS.items() if re.search(rf"\b{k}\b", r.as_printed, re.I)]
            # an abbreviated page range: 158–73 ends on 173, 283–5 on 285
            ends = [float(digits[0][: len(digits[0]) - len(d)] + d) for d in digits[1:2]]
            assert float(r.value) in [float(d) for d in digits] + spelled + ends, (r.source, r.name)


def test_printed_lists_are_on_their_lines_and_numbered_from_one(seed_text):
    table = raw("printed_lists")
    for r in table.itertuples():
        assert r.item in seed_text[r.source][int(r.source_line) - 1], (r.source, r.list, r.item)
    for (_, _), group in table.groupby(["source", "list"]):
        assert group["position"].astype(int).tolist() == list(range(1, len(group) + 1))


@pytest.mark.parametrize(("name", "seed", "entry"), [
    ("ipsnor_references", "002_0bad34d9be664c44.txt", r"^\s+(\d+)\.\s+"),
    ("harkko2025_references", "004_11a173a4c9c5b2ea.txt", r"^- (\d+)\."),
])
def test_reference_lists_are_on_their_lines_and_complete(seed_text, name, seed, entry):
    lines = seed_text[seed]
    refs = raw(name)
    assert refs["ref_number"].astype(int).tolist() == list(range(1, len(refs) + 1))
    for r in refs.itertuples():
        text = lines[int(r.source_line) - 1]
        m = re.match(entry, text)
        assert m and int(m.group(1)) == int(r.ref_number), r
        assert text[m.end():].lstrip().startswith(r.first_author), r
        for cell in (r.year, r.journal):
            assert cell in text, r
    numbered = [i for i, t in enumerate(lines, start=1) if re.match(entry, t) and i > 140]
    assert numbered == refs["source_line"].astype(int).tolist()

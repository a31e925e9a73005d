"""Write the reference lists of seeds 002 and 004 as extracted tables (run once; the output is committed).

Usage: python tools/extract_references.py ../shared/seeds

Each entry becomes a row ``ref_number, source_line, first_author, year, journal``: the first
author as printed (up to the first comma or full stop), the year that follows the journal
(or the first year in the entry for books and web pages, not a date of access) and the journal as abbreviated in the
entry when it is followed by ``YEAR;`` or ``YEAR:``. ``tests/test_register.py`` re-reads every
cell on its line.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

SEEDS = {
    "002_0bad34d9be664c44.txt": ("ipsnor_references.csv", re.compile(r"^\s+(\d+)\.\s+(.*)$")),
    "004_11a173a4c9c5b2ea.txt": ("harkko2025_references.csv", re.compile(r"^- (\d+)\.(.*)$")),
}
OUT = Path(__file__).resolve().parents[1] / "ipsresearch" / "datasets"


def parse(text: str) -> tuple[str, int | None, str | None]:
    first = re.split(r"[,.]", text.strip(), maxsplit=1)[0].strip()
    parts = [p.strip().rstrip(".?") for p in re.split(r"(?<=[.?])\s+", text.strip())]
    journal = year = None
    for i, part in enumerate(parts):
        m = re.match(r"^((?:19|20)\d\d)\s*[;:]", part) or re.match(r"^[A-Za-z]{3}\. ((?:19|20)\d\d)", part)
        if m and i >= 2:
            year, journal = int(m.group(1)), parts[i - 1]
            break
    if year is None:
        dated = re.sub(r"(?:Accessed|Cited)\s+(?:\d+\s+\w+\s+)?(?:19|20)\d\d", "", text)
        years = re.findall(r"\b((?:19|20)\d\d)\b", dated)
        year = int(years[0]) if years else None
    return first, year, journal


def main(seeds: Path) -> None:
    for name, (out, pattern) in SEEDS.items():
        lines = (seeds / name).read_text(encoding="utf-8").splitlines()
        rows = []
        for i, line in enumerate(lines, start=1):
            m = pattern.match(line)
            if m and i > 140:
                first, year, journal = parse(m.group(2))
                rows.append({"ref_number": int(m.group(1)), "source_line": i, "first_author": first,
                             "year": year if year is not None else "", "journal": journal or ""})
        with open(OUT / out, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["ref_number", "source_line", "first_author", "year", "journal"],
                               lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        print(out, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))

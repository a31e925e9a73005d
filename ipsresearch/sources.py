"""The five source papers, declared once.

A *source* is a published paper whose numbers the package reproduces; its
plain text is a file such as ``000_489456de6ed42f85.txt`` in the directory
:func:`ipsresearch.paths.sources_dir`. This module is the only place in the
package where those file names are written: claims, extracted tables,
synthetic generators and data packages name a paper through :data:`SOURCES`.
(A *seed* is only ever a random seed.)

Each :class:`Source` records two names for its study, so that both are
declared here once: ``key``, the prefix of the study's claim ids and the
folder of its synthetic records (``bonfils_review.included_papers``,
``data_synthetic/bonfils_review/``), and ``data_prefix``, the prefix of the
tables extracted from the paper (``bonfils2017_papers``).

Examples
--------
>>> from ipsresearch.sources import SOURCES, by_file
>>> SOURCES["bonfils_review"].data_prefix
'bonfils2017'
>>> SOURCES["bonfils_review"].number
'003'
>>> by_file(SOURCES["ipsnor"].file).key
'ipsnor'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ipsresearch.paths import sources_dir

__all__ = ["SOURCES", "Source", "by_file"]


@dataclass(frozen=True)
class Source:
    """A source paper.

    Attributes
    ----------
    file : str
        File name of the paper's plain text, ``NNN_<hash>.txt``.
    key : str
        The study's key: prefix of its claim ids, key of its claim set and
        folder of its synthetic records.
    citation : str
        Authors, journal, year and a few words on the study, in our own words.
    doi : str
        DOI when known, else empty.
    data_prefix : str
        Prefix of the names of the tables extracted from the paper (see
        ``ipsresearch/datasets/catalog.csv``).
    authors, year, title, journal : str, int or None
        The paper as researchers cite it, where the source file prints it (or
        another source cites it): authors as printed, year, title (shortened
        with an ellipsis, so that no long run of the paper's words is copied)
        and journal with volume and pages. Empty where nothing is printed.
    printed_at : str
        Where the citation data come from (lines of this or another source),
        and what is not printed.
    """

    file: str
    key: str
    citation: str
    doi: str = ""
    data_prefix: str = ""
    authors: str = ""
    year: int | None = None
    title: str = ""
    journal: str = ""
    printed_at: str = ""

    def reference(self) -> str:
        """The paper as researchers cite it, from the data the sources print.

        Examples
        --------
        >>> SOURCES["moen2021"].reference()[:40]
        'Moen EÅ, Walseth LT, Larsen IB (2021). E'
        >>> SOURCES["irish_pilot"].reference()[:36]
        'Irish IPS pilot 2015-2017 and nation'
        """
        if not self.authors:
            return f"{self.citation} (authors, title and journal not printed in the source file)"
        parts = [f"{self.authors} ({self.year})." if self.year else f"{self.authors}."]
        if self.title:
            parts.append(self.title)
        if self.journal:
            parts.append(f"{self.journal}.")
        if self.doi:
            parts.append(f"doi:{self.doi}")
        return " ".join(parts)

    @property
    def number(self) -> str:
        """The three-digit number the file name starts with, e.g. ``001``."""
        return self.file.split("_", 1)[0]

    @property
    def path(self) -> Path:
        """Where the paper's text is (it may be absent in an installed package)."""
        return sources_dir() / self.file


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source("000_489456de6ed42f85.txt", "irish_pilot",
               "Irish IPS pilot 2015-2017 and national scale-up: focus groups with "
               "employment specialists and OT managers", data_prefix="irish_qualitative",
               printed_at="the source file begins with the introduction and prints no title, authors "
                          "or journal; the two researchers appear only as DS and NL (line 33)"),
        Source("001_8f0d05ae2c2ca9ec.txt", "moen2021",
               "Moen, Walseth & Larsen, Scand J Caring Sci 2021;35:343-352 "
               "(meta-ethnography of 17 qualitative IPS studies)", data_prefix="moen2021",
               authors="Moen EÅ, Walseth LT, Larsen IB", year=2021,
               title="Experiences of participating in individual placement and support: a "
                     "meta-ethnographic …",
               journal="Scand J Caring Sci 35:343–352",
               printed_at="title line 3, authors line 5, journal, volume and pages line 9; no DOI printed"),
        Source("002_0bad34d9be664c44.txt", "ipsnor",
               "Moe, Brinchmann, Rasmussen et al., BMC Psychiatry 2021;21:632 "
               "(IPSNOR: employment specialists in Northern Norway)", "10.1186/s12888-021-03644-x",
               data_prefix="ipsnor", authors="Moe C, Brinchmann B, Rasmussen L et al.", year=2021,
               title="Implementing individual placement and support (IPS): the experiences of "
                     "employment specialists …",
               journal="BMC Psychiatry 21:632",
               printed_at="title line 3; authors, journal, year and DOI line 455"),
        Source("003_be757564e9da0080.txt", "bonfils_review",
               "Bonfils, Hansen, Dalum & Eplov, Scand J Disabil Res 2017;19:318-333 "
               "(review of 21 papers on IPS implementation)", data_prefix="bonfils2017",
               authors="Bonfils IS, Hansen H, Dalum HS, Eplov LF", year=2017,
               title="Implementation of the individual placement and support approach …",
               journal="Scand J Disabil Res 19(4):318–33",
               printed_at="not printed in the source file (it begins with the introduction); cited so "
                          "by source 001 (reference 30, line 247) and source 002 (reference 19, "
                          "line 241); source 004 (reference 17, line 161) dates it 2016"),
        Source("004_11a173a4c9c5b2ea.txt", "harkko2025",
               "Harkko, Nordquist & Kouvonen, BMC Health Serv Res 2025 "
               "(leadership and sustainment of IPS in five Finnish cases)", "10.1186/s12913-025-12495-1",
               data_prefix="harkko2025", authors="Harkko J, Nordquist H, Kouvonen A", year=2025,
               journal="BMC Health Serv Res",
               printed_at="DOI line 11; the authors' initials line 129 (surnames as reference 31, "
                          "line 175, prints them for the same team); no title printed; journal and "
                          "year read from the DOI"),
    )
}
"""The five source papers by study key, in the order of their file numbers."""


def by_file(file: str) -> Source:
    """The source whose text is ``file`` (e.g. a claim's ``source``).

    Raises
    ------
    KeyError
        ``file`` is not one of the sources; the message lists them.
    """
    for s in SOURCES.values():
        if s.file == file:
            return s
    raise KeyError(f"unknown source file {file!r}; sources: "
                   f"{', '.join(s.file for s in SOURCES.values())}")

"""Sentences of a report that depend on its data: what the records hold and whose they are.

A report describes the data it ran on. These functions turn counts computed
from the records (:func:`ipsresearch.outcomes.describe_cohort`) into
Markdown for the notebooks' narrative cells, and speak of a paper only when
the records are the package's stand-in for that paper's data
(:func:`ipsresearch.paths.is_synthetic`); on a programme's own data they
describe the programme, and a paper's claims are not checked against it.
Numbers become text here, as in :mod:`ipsresearch.report.tables`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from IPython.display import HTML, Markdown

    from ipsresearch.outcomes import CohortDescription

__all__ = ["claims_section", "count", "data_notes", "month", "or_reason", "placement_intro",
           "retention_intro", "site_list", "sites_caution", "stay_in_work_note"]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve")
SITES_LISTED = 8
"""Sites named one by one in a description; beyond this the largest are named and the rest counted."""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~^-])")


def md_escape(value: Any) -> str:
    """Text from data (a site's name, a value in a message) made safe to put into Markdown.

    HTML is escaped, so markup in the data is shown as text and never runs
    in a page, and Markdown's punctuation is backslash-escaped, so the text is
    shown as written (``Site_A`` is not emphasis).

    Examples
    --------
    >>> print(md_escape('Site <b>A</b> & B_1'))
    Site &lt;b&gt;A&lt;/b&gt; &amp; B\\_1
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=True))


def _md(text: str) -> Markdown:
    from IPython.display import Markdown

    return Markdown(text)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``one site``, ``4 sites``, ``12,000 participants``: small numbers in words.

    Examples
    --------
    >>> count(1, "site"), count(4, "site"), count(12000, "participant"), count(0, "job spell")
    ('one site', 'four sites', '12,000 participants', 'no job spells')
    """
    n = int(n)
    word = _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"
    return f"{word} {noun if n == 1 else (plural or noun + 's')}"


def month(value: Any) -> str:
    """``March 2021`` (English month names whatever the locale).

    Examples
    --------
    >>> month("2021-03-14")
    'March 2021'
    """
    ts = pd.Timestamp(value)
    return f"{_MONTHS[ts.month - 1]} {ts.year}"


def _period(about: CohortDescription) -> str:
    y0, y1 = about.first_year, about.last_year
    return str(y0) if y0 == y1 else f"{y0}-{y1}"


def site_list(about: CohortDescription, *, limit: int = SITES_LISTED) -> str:
    """The sites with their sizes, largest first: ``Tromsø (16) and Harstad (15)``; with many
    sites the ``limit`` largest and a count of the others.

    Examples
    --------
    >>> import pandas as pd
    >>> from ipsresearch import outcomes
    >>> people = pd.DataFrame({"participant_id": list("abc"), "site": ["X", "X", "Y"],
    ...                        "enrolment_date": ["2021-01-01"] * 3, "follow_up_end": ["2022-01-01"] * 3})
    >>> jobs = pd.DataFrame({"spell_id": ["j1"], "participant_id": ["a"], "start_date": ["2021-02-01"],
    ...                      "end_date": [""], "job_type": ["competitive"], "paid": [True]})
    >>> site_list(outcomes.describe_cohort(people, jobs))
    'X (2) and Y (1)'
    """
    table = about.by_site
    shown = [f"{md_escape(s)} ({n:,})"
             for s, n in zip(table["site"], table["participants"], strict=True)]
    if len(shown) > limit:
        rest = len(shown) - limit
        return ", ".join(shown[:limit]) + f" and {count(rest, 'other site')}"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _records_paragraph(about: CohortDescription) -> str:
    smallest, largest, median = about.site_sizes
    sizes = ("" if about.sites == 1 else
             f" Each site holds {smallest:,} participants." if smallest == largest else
             f" Sites hold {smallest:,} to {largest:,} participants (median {median:,.0f}).")
    jobs = (f"{count(about.spells, 'job spell')} {'is' if about.spells == 1 else 'are'} recorded, "
            f"{count(about.paid_competitive, 'paid competitive job')} among them; "
            f"{count(about.employed, 'participant')} had at least one such job during follow-up."
            if about.spells else
            "No job spells are recorded: no participant has had a job during follow-up, so every "
            "rate below is zero and every time to a first job is censored.")
    return (f"These records hold {count(about.participants, 'participant')} at "
            f"{count(about.sites, 'site')} ({site_list(about)}), enrolled between "
            f"{month(about.first_enrolment)} and {month(about.last_enrolment)} and followed until "
            f"{month(about.follow_up_end)} at the latest.{sizes} {jobs}")


def data_notes(notes: Iterable[str]) -> str:
    """How the files were read (encoding, delimiter, date order), as a Markdown list; ``""`` if nothing to say.

    Only file names are shown, never the folder they sit in.

    Examples
    --------
    >>> print(data_notes(["/home/a/site/participants.csv: values separated by semicolons"]))
    How the files were read:
    <BLANKLINE>
    * participants.csv: values separated by semicolons
    """
    import os

    lines = []
    for note in notes:
        where, _, what = str(note).partition(": ")
        lines.append(f"* {md_escape(os.path.basename(where))}: {md_escape(what)}" if what
                     else f"* {md_escape(note)}")
    return "How the files were read:\n\n" + "\n".join(lines) if lines else ""


def placement_intro(about: CohortDescription, *, synthetic: bool,
                    notes: Sequence[str] = ()) -> Markdown:
    """The opening of report 01: whose records these are, how many people, sites and years."""
    if synthetic:
        return _md(
            f"## The Irish IPS pilot, {_period(about)}\n\n"
            "The Irish pilot paper (line 15) reports that the Irish pilot of Individual Placement and "
            "Support enrolled 65 people at four sites between 2015 and 2017, and that 33 of them "
            "obtained at least one paid, competitive job. This report recomputes that count from "
            "person-level records, puts a confidence interval around the rate, and shows how the "
            "answer depends on what counts as \"employed\".\n\n"
            "The records are synthetic (the pilot's data are not public): they are generated so that "
            "counting them gives the published figures, so the count demonstrates the analysis and "
            "does not check the paper, while site sizes, dates and job lengths are documented "
            "assumptions (`ipsresearch.synthetic.irish_pilot`). "
            + _records_paragraph(about))
    notes_md = data_notes(notes)
    return _md(
        f"## {count(about.participants, 'participant').capitalize()} at "
        f"{count(about.sites, 'site')}, {_period(about)}\n\n"
        + _records_paragraph(about)
        + "\n\nThis report counts how many of them obtained at least one paid competitive job during "
        "follow-up, puts a confidence interval around that rate, overall and by site, and shows how "
        "the answer depends on what counts as \"employed\"."
        + (f"\n\n{notes_md}" if notes_md else ""))


def retention_intro(about: CohortDescription, *, synthetic: bool,
                    notes: Sequence[str] = ()) -> Markdown:
    """The data paragraph of report 05: whose records, and how long they were followed."""
    if synthetic:
        return _md(
            "## The records: the Irish pilot's synthetic cohort\n\n"
            "The Irish pilot (the Irish pilot paper, line 15) enrolled people between 2015 and 2017 "
            "and stopped "
            "observing them when the project ended, so someone enrolled late in 2016 who had not found "
            "a job by the end of 2017 may still have found one later. Its person-level data are not "
            "public: the records here are synthetic, reproducing the published count (33 of 65 with a "
            "paid competitive job) while dates and job lengths follow the documented assumptions of "
            "`ipsresearch.synthetic.irish_pilot`. " + _records_paragraph(about))
    notes_md = data_notes(notes)
    return _md(
        f"## The records: {count(about.participants, 'participant')} at "
        f"{count(about.sites, 'site')}, {_period(about)}\n\n" + _records_paragraph(about)
        + " Follow-up ends at a different date for each person, so a first job or the end of a job "
        "that came after it is not seen: such records are censored."
        + (f"\n\n{notes_md}" if notes_md else ""))


def sites_caution(about: CohortDescription, *, shown: int | None = None,
                  what: str = "the site intervals") -> Markdown:
    """How far sites can be told apart with these numbers of people per site.

    ``shown`` is the number of groups analysed when the smaller sites are
    pooled (:func:`ipsresearch.outcomes.largest_groups`).
    """
    smallest, largest, median = about.site_sizes
    if about.sites == 1:
        return _md("There is one site, so there is nothing to compare between sites.")
    pooled = ""
    if shown is not None and shown < about.sites:
        pooled = (f" Of the {about.sites:,} sites, the {shown - 1} largest are shown one by one and "
                  f"the other {about.sites - shown + 1:,} are pooled, so that tables and figures stay "
                  "legible.")
    per_site = (f"{smallest:,} people per site" if smallest == largest else
                f"{smallest:,} to {largest:,} people per site (median {median:,.0f})")
    if median < 50:
        text = (f"With {per_site}, {what} "
                "are wide and overlap: these data cannot tell sites apart, and only the overall rate "
                "is estimated with some precision.")
    else:
        text = (f"With {per_site}, {what} "
                "are narrow enough for differences of a few percentage points between sites to show; "
                "whether such differences come from the sites or from whom they enrol is a question "
                "these counts cannot answer.")
    return _md(text + pooled)


def stay_in_work_note(stay: pd.DataFrame | Markdown, *, synthetic: bool) -> Markdown:
    """What the estimate of staying in work can and cannot say, with its number of first jobs.

    Nothing (an empty paragraph) when ``stay`` is the sentence of
    :func:`or_reason` saying the estimate does not apply: that sentence is shown instead.
    """
    if getattr(stay, "not_applicable", False):
        return _md("")
    n = int(stay["n"].iloc[0]) if len(stay) else 0
    lo, hi = (float(stay["ci_low"].iloc[0]), float(stay["ci_high"].iloc[0])) if n else (0.0, 0.0)
    width = 100 * (hi - lo) / 2
    base = (f"The estimate rests on {count(n, 'first paid competitive job')}; its interval spans about "
            f"{width:.0f} percentage points either side." if n else
            "No one in these records had a paid competitive job, so there is nothing to estimate.")
    if synthetic:
        return _md(base + " The synthetic spells were generated so that 40 % of jobs are held at one "
                   "year, so an estimate near 40 % shows that the definition and the code recover what "
                   "was planted; it is evidence neither for the cited figure nor about Ireland.")
    return _md(base)


def claims_section(results_or_none: Any, *, synthetic: bool, title: str, source: Any = None,
                   intro: str = "") -> HTML | Markdown:
    """The claims of a paper when the records are that paper's; otherwise a sentence saying why none.

    Parameters
    ----------
    results_or_none : list of ClaimResult or callable
        The recomputed claims, or a function returning them; called only
        when ``synthetic`` (a paper's claims are checked only against its own data).
    synthetic : bool
        The records are the package's stand-in for the paper's data.
    title : str
        Heading of the claims table.
    source : ipsresearch.sources.Source, optional
        The paper, cited above the table (:func:`ipsresearch.report.tables.show_claims`).
    intro : str
        Plain text said before the table about these claims (only when they are
        shown); words in backticks are set as code.

    Returns
    -------
    The claims with the explanation of their bases
    (:class:`IPython.display.HTML`), or a :class:`IPython.display.Markdown` sentence.
    """
    if synthetic:
        from IPython.display import HTML

        from ipsresearch.report.tables import show_claims

        results = results_or_none() if callable(results_or_none) else results_or_none
        said = "".join(f"<p>{html.escape(p)}</p>" for p in (intro, _BASES) if p)
        return HTML(re.sub(r"`([^`]+)`", r"<code>\1</code>", said)
                    + show_claims(results, title=title, source=source).data)
    return _md("These are a programme's own records, not the data behind a published paper, so no "
               "published claim is checked against them: a paper's claims are checked only against "
               "that paper's data (`ipsresearch verify`). Published figures appear below as a "
               "comparison, never as pass or fail.")


_BASES = (
    "Each claim says how its check can fail (its basis): `transcribed` and `identity` claims "
    "check the paper against its own tables, lists and arithmetic; `definition` claims compare it "
    "with the instrument's table; `calibrated` claims count synthetic records that were generated "
    "to contain the printed number, so they only demonstrate the analysis on records; `cited` "
    "figures come from other work and are not checked. `erratum` marks two printed statements that "
    "cannot both be true, `query` a statement the paper lets one read in two ways; both show the "
    "conflicting lines side by side.")
"""How the claims tables read, said above them (the vocabulary of :mod:`ipsresearch.claims`)."""


def or_reason(compute: Any, *, what: str = "This analysis", needs: Any = None) -> Any:
    """``compute()``, or a sentence saying why it does not apply to these data.

    A programme's records can make a method inapplicable (no job at all, one
    site): the page then says so, in the method's own words, instead of
    stopping. Only the package's own refusals (``ValueError``, and so
    :class:`~ipsresearch.validation.InputError`) are turned into text; any
    other error still stops the report.

    Parameters
    ----------
    compute : callable
        The analysis, figure or table, called without arguments.
    what : str
        Its name, to begin the sentence.
    needs : object or sequence, optional
        Results this one is built from: when one of them is already such a
        sentence, it is returned again and ``compute`` is not called.

    Returns
    -------
    What ``compute`` returns, or an :class:`IPython.display.Markdown` sentence.

    Examples
    --------
    >>> from ipsresearch import outcomes
    >>> import pandas as pd
    >>> none_found = pd.DataFrame({"days": [10, 20], "found_job": [False, False], "site": ["a", "b"]})
    >>> test = or_reason(lambda: outcomes.logrank(none_found, by="site", event="found_job"),
    ...                  what="The log-rank test")
    >>> test.data  # doctest: +ELLIPSIS
    '*The log-rank test does not apply to these data: ...*'
    >>> or_reason(lambda: 1 / 0, needs=test) is test
    True
    """
    for earlier in (needs if isinstance(needs, list | tuple) else [needs]):
        if getattr(earlier, "not_applicable", False):
            return earlier
    try:
        return compute()
    except ValueError as exc:
        lines = [ln.strip(" -") for ln in str(exc).strip().splitlines() if ln.strip()]
        reason = "; ".join(lines[1:] if len(lines) > 1 and lines[0].endswith(":") else lines)
        sentence = _md(f"*{what} does not apply to these data: {md_escape(reason)}*")
        sentence.not_applicable = True
        return sentence

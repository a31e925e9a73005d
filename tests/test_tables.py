"""Tables and figures for people: the one formatting layer every notebook uses (report.tables)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from ipsresearch import figures, outcomes
from ipsresearch.report import tables
from ipsresearch.report.render import finish_page, number_captions

RATES = pd.DataFrame({"site": ["Site A", "Site B", "All"], "n": [18, 17, 35], "events": [9, 10, 19],
                      "rate": [0.5, 10 / 17, 19 / 35], "ci_low": [0.29, 0.36, 0.38],
                      "ci_high": [0.71, 0.784, 0.70], "method": "wilson", "confidence": 0.95})


def cells(table: tables.Table) -> list[dict]:
    return table.to_frame().to_dict("records")


def test_headers_in_words_no_index_and_options_said_once():
    t = tables.show_table(RATES.set_index("site"), caption="Placement by site.")
    assert list(t.to_frame().columns) == ["site", "n", "events", "rate", "95% interval"]
    assert cells(t)[1] == {"site": "Site B", "n": "17", "events": "10", "rate": "58.8%",
                           "95% interval": "36.0% to 78.4%"}
    assert t.note == "Method: wilson; confidence 95%."  # constant echo columns leave the table
    page = t._repr_html_()
    assert "<caption>" in page and "Placement by site." in page and "<th></th>" not in page
    assert 'class="num"' in page  # numbers align right
    plain = tables.show_table(pd.DataFrame({"n_studies": [3], "part_of_rct": [True]}), caption="c")
    assert cells(plain) == [{"studies": "3", "part of an RCT": "yes"}]


def test_numbers_rounded_by_what_they_are():
    frame = pd.DataFrame({"k": [27, 6], "p_value": [0.0000004, 0.0271], "i2": [53.27, 0.0],
                          "tau2": [0.06162, 0.0], "estimate": [1.7612, 12.3456],
                          "median_days": [210.5, 97.0], "share": [0.41176, 1.0],
                          "codes": [["S1", "S2"], []], "big": [12345, 7]})
    t = tables.show_table(frame, caption="c")
    assert cells(t) == [
        {"studies": "27", "p": "< 0.001", "I²": "53%", "τ²": "0.062", "estimate": "1.76",
         "median days": "210.5", "share": "41.2%", "codes": "S1, S2", "big": "12,345"},
        {"studies": "6", "p": "0.027", "I²": "0%", "τ²": "0.000", "estimate": "12.35",
         "median days": "97", "share": "100.0%", "codes": "none", "big": "7"},
    ]  # a column reads with one precision: the finest any of its values needs


def test_missing_values_are_a_dash_or_the_columns_phrase():
    q = pd.DataFrame({"quantile": [0.25, 0.5], "time": [97.0, np.nan], "ci_low": [46.0, 223.0],
                      "ci_high": [172.0, np.inf], "label": [None, pd.NA]})
    t = tables.show_table(q, caption="c", formats={"quantile": "percent:0", "time": "days"},
                          missing={"time": "not reached", "ci_high": "not reached"})
    assert cells(t) == [
        {"quantile": "25%", "time": "97", "interval": "46 to 172", "label": "—"},
        {"quantile": "50%", "time": "not reached", "interval": "223 to not reached", "label": "—"},
    ]
    page = t._repr_html_()
    for bad in ("NaN", "nan", "<NA>", "inf", "None"):
        assert not re.search(rf">{re.escape(bad)}<", page)


def test_intervals_follow_their_estimate_and_prediction_intervals_are_named():
    meta = pd.DataFrame({"estimate": [1.76], "ci_low": [1.355], "ci_high": [2.288], "pi_low": [1.01],
                         "pi_high": [3.06], "share_working": [0.4], "share_working_ci_low": [0.2],
                         "share_working_ci_high": [0.6], "confidence": 0.9})
    t = tables.show_table(meta, caption="c")
    assert cells(t) == [{"estimate": "1.76", "90% interval": "1.35 to 2.29",
                         "90% prediction interval": "1.01 to 3.06", "share working": "40.0%",
                         "90% interval (share working)": "20.0% to 60.0%"}]


def test_columns_labels_and_formats_are_the_callers():
    t = tables.show_table(RATES, caption="c", columns=["site", "rate", "ci_low", "ci_high"],
                          labels={"rate": "placed"}, formats={"rate": 0})
    assert list(t.to_frame().columns) == ["site", "placed", "95% interval"]
    assert cells(t)[0]["placed"] == "50%"
    with pytest.raises(KeyError, match="not in the table"):
        tables.show_table(RATES, caption="c", columns=["nowhere"])


def test_every_table_needs_a_caption_and_the_input_is_left_unchanged():
    before = RATES.copy()
    with pytest.raises(ValueError, match="caption"):
        tables.show_table(RATES, caption=" ")
    tables.show_table(RATES, caption="c")
    assert_frame_equal(RATES, before)


def test_a_lone_doi_becomes_a_link_and_everything_else_is_escaped():
    frame = pd.DataFrame({"source": ["doi:10.5271/sjweh.3753", "<b>doi:10.1/x</b>"]})
    page = tables.show_table(frame, caption="<i>c</i>")._repr_html_()
    assert '<a class="doi" href="https://doi.org/10.5271/sjweh.3753">doi:10.5271/sjweh.3753</a>' in page
    assert "&lt;b&gt;doi:10.1/x&lt;/b&gt;" in page and "&lt;i&gt;c&lt;/i&gt;" in page


def test_the_display_tables_of_results_label_their_interval_level():
    shown = tables.format_rates(RATES, label="site")
    assert list(shown.columns) == ["participants", "rate", "95% interval", "method"]
    assert shown.loc["All"].tolist() == ["19 of 35", "54.3%", "38.0% to 70.0%", "wilson"]


def test_captions_are_numbered_in_page_order_with_anchors():
    t = tables.show_table(RATES, caption="first")._repr_html_()
    page = number_captions(t + t)
    assert re.findall(r'id="table-(\d)">Table (\d)\.', page) == [("1", "1"), ("2", "2")]


def test_long_pages_get_a_contents_list_after_the_introduction():
    cell = '<div class="jp-Cell jp-MarkdownCell">'
    page = (f'{cell}<h1 id="t">Title</h1></div>{cell}<h2 id="a">A</h2></div>'
            f'{cell}<h2 id="b">B</h2></div>{cell}<h2 id="c">C</h2></div>')
    done = finish_page(page)
    assert done.index('<nav class="ips-toc"') > done.index("Title") and done.count('href="#') == 3
    assert finish_page(page.replace('<h2 id="c">C</h2>', "")) == page.replace('<h2 id="c">C</h2>', "")


@pytest.fixture
def drawn():
    people = pd.DataFrame({"site": ["A", "A", "B", "B"], "employed": [True, False, True, True]})
    return figures.plot_rates(outcomes.placement_rate(people, outcome="employed", by="site"),
                              label="site", title="Placed")


def test_a_figure_is_an_svg_with_its_description_as_alt_text_and_a_caption(drawn):
    fig = drawn.figure
    shown = tables.show_figure(drawn, caption="Share placed per site.")
    assert shown.alt == figures.description(fig) and "A 50% (1 of 2)" in shown.alt
    assert shown.svg.startswith(b"<?xml") and b"<dc:date>" not in shown.svg
    assert not plt.fignum_exists(fig.number)  # closed: the notebook does not show it twice
    page = shown._repr_html_()
    assert '<img src="data:image/svg+xml;base64,' in page and 'alt="Placed: Dot plot' in page
    assert "<figcaption>" in page and "Share placed per site." in page
    assert shown.width > 300 and shown.height > 100


def test_the_same_figure_gives_the_same_bytes(drawn):
    people = pd.DataFrame({"site": ["A", "A", "B", "B"], "employed": [True, False, True, True]})
    again = figures.plot_rates(outcomes.placement_rate(people, outcome="employed", by="site"),
                               label="site", title="Placed")
    assert tables.show_figure(drawn, caption="c").svg == tables.show_figure(again, caption="c").svg


def test_a_figure_without_caption_or_description_is_refused(drawn):
    with pytest.raises(ValueError, match="caption"):
        tables.show_figure(drawn, caption="")
    _, bare = plt.subplots()
    with pytest.raises(ValueError, match="alt="):
        tables.show_figure(bare, caption="c")
    assert tables.show_figure(bare, caption="c", alt="An empty frame.").alt == "An empty frame."

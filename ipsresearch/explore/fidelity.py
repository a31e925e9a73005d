"""Sliders for the fidelity classroom: rate the 25 items, watch the total and band move.

:class:`FidelityExplorer` wires 25 ipywidgets sliders to the same public
functions the classroom notebook calls for its static result:
:func:`ipsresearch.fidelity.single_review`, :func:`ipsresearch.fidelity.score`,
:func:`ipsresearch.fidelity.band_margins` and
:func:`ipsresearch.figures.plot_band_scale`. Build it only when a
live frontend will draw it (:func:`ipsresearch.explore.use_widgets`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from ipsresearch import fidelity
from ipsresearch.explore import Explorer

__all__ = ["FidelityExplorer", "summary_text"]


def _name(band: object) -> str:
    return "not IPS" if band == "not_ips" else str(band).replace("_", " ")


def summary_text(scores: pd.DataFrame, margins: pd.DataFrame) -> str:
    """One sentence on a scored review: total, band and distance to the neighbouring bands.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row of :func:`ipsresearch.fidelity.score`.
    margins : pandas.DataFrame
        The matching row of :func:`ipsresearch.fidelity.band_margins`.

    Examples
    --------
    >>> s = fidelity.score(fidelity.single_review(fill=4))
    >>> summary_text(s, fidelity.band_margins(s["total"]))
    'Total 100 of 125: good. 15 more points reach exemplary; losing 1 point drops it to fair.'
    """
    s, m = scores.iloc[0], margins.iloc[0]
    band = _name(s["band"]) if s["band"] is not None else "in no band"
    text = f"Total {int(s['total'])} of {fidelity.MAX_TOTAL}: {band}."
    if not pd.isna(m["points_up"]):
        text += f" {int(m['points_up'])} more point{'s' if m['points_up'] != 1 else ''} reach " \
                f"{_name(m['next_band'])}"
    else:
        text += " This is the top band"
    if not pd.isna(m["points_down"]):
        text += f"; losing {int(m['points_down'])} point{'s' if m['points_down'] != 1 else ''} " \
                f"drops it to {_name(m['previous_band'])}."
    else:
        text += "; there is no band below."
    return text


class FidelityExplorer(Explorer):
    """Twenty-five sliders, one per IPS-25 item; every change rescores the review.

    Parameters
    ----------
    ratings : mapping, optional
        Item code -> starting rating; items not given start at ``fill``.
    fill : int
        Starting rating of the other items.
    bands : band table or mapping, optional
        Cut-offs (default :data:`ipsresearch.fidelity.IPS25_BANDS`).
    draw : bool
        Redraw the output area on every change (``False`` in tests).

    Attributes
    ----------
    controls : dict of str -> ipywidgets.IntSlider
        One slider per item code.
    review : pandas.DataFrame
        The current ratings (long layout).
    scores : pandas.DataFrame
        Their score (:func:`ipsresearch.fidelity.score`).
    margins : pandas.DataFrame
        Distance to the neighbouring bands (:func:`ipsresearch.fidelity.band_margins`).
    widget : ipywidgets.VBox
        Sliders by section above an output area; displaying the explorer displays this.

    Examples
    --------
    >>> ex = FidelityExplorer({"O1": 2}, fill=4, draw=False)
    >>> int(ex.scores["total"].iloc[0]), ex.scores["band"].iloc[0]
    (98, 'fair')
    >>> ex.controls["O1"].value = 4  # what moving the slider does
    >>> int(ex.scores["total"].iloc[0]), ex.scores["band"].iloc[0]
    (100, 'good')
    """

    def __init__(
        self,
        ratings: Mapping[str, int] | None = None,
        *,
        fill: int = 3,
        bands: pd.DataFrame | Mapping[str, tuple[int, int]] | None = None,
        draw: bool = True,
    ) -> None:
        import ipywidgets as w

        start = fidelity.to_wide(fidelity.single_review(ratings, fill=fill, review_id="classroom"))
        self.bands = fidelity.resolve_bands(bands)
        style = {"description_width": "3.5em"}
        self.controls: dict[str, Any] = {}
        columns = []
        for section in fidelity.SECTIONS:
            items = fidelity.ITEMS[fidelity.ITEMS["section"] == section]
            sliders = []
            for code, name in zip(items["item"], items["name"], strict=True):
                s = w.IntSlider(value=int(start[code].iloc[0]), min=1, max=5, description=code,
                                tooltip=name, style=style, layout=w.Layout(width="17em"),
                                continuous_update=False)
                self.controls[code] = s
                sliders.append(s)
            columns.append(w.VBox([w.HTML(f"<b>{html.escape(section.title())}</b>"), *sliders]))
        self.draw = draw
        self.output = w.Output()
        self.widget = w.VBox([w.HBox(columns), self.output])
        self.review: pd.DataFrame
        self.scores: pd.DataFrame
        self.margins: pd.DataFrame
        self._watch()

    def update(self) -> None:
        """Rescore the review from the current slider values, then redraw."""
        values = {code: int(c.value) for code, c in self.controls.items()}
        self.review = fidelity.single_review(values, review_id="classroom")
        self.scores = fidelity.score(self.review, bands=self.bands)
        self.margins = fidelity.band_margins(self.scores["total"], bands=self.bands)
        if self.draw:
            self._render()

    def _render(self) -> None:
        from IPython.display import HTML, display

        from ipsresearch.figures import plot_band_scale

        self.output.clear_output(wait=True)
        with self.output:
            display(HTML(f"<p>{html.escape(summary_text(self.scores, self.margins))}</p>"))
            display(self.scores.drop(columns=["review_id"]))
            ax = plot_band_scale(self.scores, bands=self.bands, figsize=(7.5, 1.6))
            display(ax.figure)
            plt.close(ax.figure)

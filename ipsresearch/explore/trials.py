"""Sliders for the teaching notebook: simulate trials, pool them, size a new trial.

:class:`TrialExplorer` wires ipywidgets to the same public functions the
notebook calls for its static result: :func:`ipsresearch.synthetic.simulate_trials`,
:func:`ipsresearch.synthesis.meta_analysis`, :func:`ipsresearch.figures.plot_forest`
and :func:`ipsresearch.synthesis.trial_size`. Build it only when a live
frontend will draw it (:func:`ipsresearch.explore.use_widgets`).
"""

from __future__ import annotations

import html
import warnings
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from ipsresearch.explore import Explorer
from ipsresearch.figures import plot_forest
from ipsresearch.synthesis.meta import METHODS, MetaAnalysisResult, meta_analysis
from ipsresearch.synthesis.power import trial_size
from ipsresearch.synthetic.trials import simulate_trials

__all__ = ["TrialExplorer"]


class TrialExplorer(Explorer):
    """Sliders for the simulated trials; every change reruns the analysis.

    Parameters
    ----------
    k, n_per_arm, p_control, risk_ratio, heterogeneity, seed
        Starting values, as :func:`ipsresearch.synthetic.simulate_trials`.
    method : str
        Starting pooling method (:data:`ipsresearch.synthesis.meta.METHODS`).
    power, confidence : float
        For the size of a new trial (:func:`ipsresearch.synthesis.trial_size`).
    alpha : float, optional
        Deprecated: ``1 - confidence``, accepted for one release with a
        :class:`DeprecationWarning`.

    Attributes
    ----------
    trials : pandas.DataFrame
        The trials currently simulated.
    result : MetaAnalysisResult
        Their pooled risk ratio.
    size : pandas.DataFrame
        Participants a new trial needs to detect the pooled risk ratio.
    widget : ipywidgets.VBox
        Sliders above an output area; displaying the explorer displays this.
    error : str
        Why the last slider setting could not be simulated ("" when it could);
        the previous results are kept and the message is shown instead.

    Examples
    --------
    >>> ex = TrialExplorer(k=6, seed=3, draw=False)
    >>> ex.result.k
    6
    >>> ex.controls["k"].value = 12  # what moving the slider does
    >>> ex.result.k
    12
    """

    def __init__(
        self,
        *,
        k: int = 27,
        n_per_arm: tuple[int, int] = (20, 200),
        p_control: float = 0.25,
        risk_ratio: float = 2.0,
        heterogeneity: float = 0.2,
        seed: int = 2020,
        method: str = "REML",
        power: float = 0.8,
        confidence: float = 0.95,
        draw: bool = True,
        alpha: float | None = None,
    ) -> None:
        import ipywidgets as w

        if alpha is not None:
            warnings.warn("TrialExplorer(alpha=) is deprecated and will be removed in the next "
                          "release; give confidence=1 - alpha (e.g. confidence=0.95 for "
                          "alpha=0.05)", DeprecationWarning, stacklevel=2)
            confidence = 1.0 - alpha

        style = {"description_width": "11em"}
        layout = w.Layout(width="34em")
        lo, hi = (n_per_arm, n_per_arm) if isinstance(n_per_arm, int) else n_per_arm
        self.controls: dict[str, Any] = {
            "k": w.IntSlider(value=k, min=2, max=60, description="trials", style=style, layout=layout),
            "n_per_arm": w.IntRangeSlider(value=(lo, hi), min=10, max=1000, step=5,
                                          description="participants per arm", style=style,
                                          layout=layout),
            "p_control": w.FloatSlider(value=p_control, min=0.05, max=0.6, step=0.01,
                                       description="control job rate", style=style, layout=layout),
            "risk_ratio": w.FloatSlider(value=risk_ratio, min=0.5, max=4.0, step=0.05,
                                        description="true risk ratio", style=style, layout=layout),
            "heterogeneity": w.FloatSlider(value=heterogeneity, min=0.0, max=1.0, step=0.05,
                                           description="heterogeneity (tau)", style=style,
                                           layout=layout),
            "method": w.Dropdown(options=[m for m in METHODS if m != "PETO"], value=method,
                                 description="method",
                                 style=style),
            "seed": w.IntText(value=seed, description="seed", style=style),
        }
        self.power = power
        self.confidence = confidence
        self.draw = draw
        self.output = w.Output()
        self.widget = w.VBox([*self.controls.values(), self.output])
        self.trials: pd.DataFrame
        self.result: MetaAnalysisResult
        self.size: pd.DataFrame
        self.error = ""
        self._watch()

    def update(self) -> None:
        """Simulate, pool and size from the current slider values, then redraw.

        A setting that cannot be simulated or pooled (e.g. a control rate
        times the ratio at or above 1) keeps the previous results and shows
        the reason in :attr:`error`.
        """
        v = {name: c.value for name, c in self.controls.items()}
        try:
            trials = simulate_trials(v["k"], n_per_arm=tuple(v["n_per_arm"]),
                                     p_control=v["p_control"], risk_ratio=v["risk_ratio"],
                                     heterogeneity=v["heterogeneity"], seed=int(v["seed"]))
            result = meta_analysis(trials, measure="RR", method=v["method"])
        except ValueError as exc:
            self.error = str(exc)
            if self.draw:
                self._show(f"<p><strong>Cannot simulate:</strong> {html.escape(self.error)}</p>")
            return
        try:
            size = trial_size(p_control=v["p_control"], risk_ratio=result.estimate,
                              power=self.power, confidence=self.confidence)
        except ValueError:  # a pooled ratio of exactly 1, or an IPS rate at or above 1
            size = pd.DataFrame()
        self.trials, self.result, self.size, self.error = trials, result, size, ""
        if self.draw:
            self._render()

    def _show(self, text: str, figure=None) -> None:
        from IPython.display import HTML, display

        self.output.clear_output(wait=True)
        with self.output:
            display(HTML(text))
            if figure is not None:
                display(figure)

    def _render(self) -> None:
        r = self.result
        if len(self.size):
            n = int(self.size["n_total"].iloc[0])
            need = (f"A new trial needs {n} participants ({n // 2} per arm) for "
                    f"{self.power:.0%} power to detect a risk ratio of {r.estimate:.2f}.")
        else:
            need = "No trial size: the pooled risk ratio is 1 or the IPS job rate would reach 100%."
        text = (f"Pooled risk ratio {r.estimate:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f}), "
                f"prediction interval {r.pi_low:.2f} to {r.pi_high:.2f}, "
                f"tau² {r.tau2:.3f}, I² {r.i2:.0f}%. {need}")
        ax = plot_forest(r, show_counts=False)
        self._show(f"<p>{html.escape(text)}</p>", ax.figure)
        plt.close(ax.figure)

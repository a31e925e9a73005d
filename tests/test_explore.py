"""Widgets only for a live frontend; the explorers rerun the analysis on every change."""

from __future__ import annotations

import pytest

from ipsresearch import explore
from ipsresearch.explore import FidelityExplorer, TrialExplorer
from ipsresearch.fidelity import ITEM_CODES
from ipsresearch.synthesis import meta_analysis
from ipsresearch.synthetic import simulate_trials


class _Kernel:
    def __init__(self, metadata):
        self._parent = {"header": {"msg_type": "execute_request"}, "metadata": metadata}

    def get_parent(self, channel="shell"):
        return self._parent


class _Shell:
    def __init__(self, metadata=None, kernel=True):
        self.kernel = _Kernel(metadata or {}) if kernel else None


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(explore.ENV_VAR, raising=False)


def test_jupyterlab_request_names_its_cell():
    assert explore.live_frontend(_Shell({"cellId": "6f1c", "deletedCells": []}))


def test_headless_execution_sends_no_cell_id():
    assert not explore.live_frontend(_Shell({}))  # nbclient: no metadata
    assert not explore.live_frontend(_Shell(kernel=False))  # terminal IPython
    assert not explore.live_frontend()  # plain Python (this test process)
    assert not explore.use_widgets("auto", shell=_Shell({}))


def test_explicit_choice_and_environment_override(monkeypatch):
    assert explore.use_widgets(True, shell=_Shell({})) is True
    assert explore.use_widgets(False, shell=_Shell({"cellId": "x"})) is False
    monkeypatch.setenv(explore.ENV_VAR, "1")
    assert explore.use_widgets("auto", shell=_Shell({}))
    monkeypatch.setenv(explore.ENV_VAR, "0")
    assert not explore.use_widgets("auto", shell=_Shell({"cellId": "x"}))
    monkeypatch.setenv(explore.ENV_VAR, "maybe")
    with pytest.raises(ValueError, match="IPSRESEARCH_WIDGETS='maybe' not recognised"):
        explore.use_widgets("auto")
    with pytest.raises(ValueError, match="widgets 'yes' not recognised"):
        explore.use_widgets("yes")


def test_explorer_calls_the_same_functions_as_the_static_notebook():
    ex = TrialExplorer(k=9, seed=4, draw=False)
    static = meta_analysis(simulate_trials(9, seed=4), measure="RR", method="REML")
    assert ex.result.summary().equals(static.summary())
    ex.controls["method"].value = "DL"
    ex.controls["heterogeneity"].value = 0.5
    again = meta_analysis(simulate_trials(9, seed=4, heterogeneity=0.5), method="DL")
    assert ex.result.summary().equals(again.summary())
    assert int(ex.size["n_total"].iloc[0]) > 0


def test_explorer_sizes_the_trial_at_its_confidence_level_and_alpha_is_deprecated():
    ex = TrialExplorer(k=6, seed=1, confidence=0.9, draw=False)
    assert ex.size["confidence"].iloc[0] == 0.9
    with pytest.warns(DeprecationWarning, match=r"TrialExplorer\(alpha=\) is deprecated"):
        old = TrialExplorer(k=6, seed=1, alpha=0.1, draw=False)
    assert old.size["n_total"].iloc[0] == ex.size["n_total"].iloc[0]


def test_explorer_keeps_the_last_result_when_a_setting_is_impossible():
    ex = TrialExplorer(k=6, seed=1, draw=False)
    before = ex.result
    ex.controls["p_control"].value = 0.6  # times a ratio of 2 reaches 120%
    assert "reaches a job rate of 1 or more" in ex.error
    assert ex.result is before
    ex.controls["p_control"].value = 0.3
    assert ex.error == "" and ex.result is not before


def test_explorer_draws_into_its_output(capsys):
    ex = TrialExplorer(k=4, seed=2)  # outside a kernel the output area prints what it shows
    shown = capsys.readouterr().out
    assert "HTML object" in shown and "Figure" in shown
    assert ex.widget.children[-1] is ex.output


def test_classroom_slider_moves_the_band():
    ex = FidelityExplorer({"O1": 2}, fill=4, draw=False)
    assert list(ex.controls) == list(ITEM_CODES)
    assert (int(ex.scores["total"].iloc[0]), ex.scores["band"].iloc[0]) == (98, "fair")
    ex.controls["SE14"].value = 1
    assert int(ex.margins["points_up"].iloc[0]) == 5
    ex.controls["O1"].value = 5
    ex.controls["SE14"].value = 5
    assert (int(ex.scores["total"].iloc[0]), ex.scores["band"].iloc[0]) == (102, "good")


def test_classroom_draws_the_band_scale_into_its_output(capsys):
    ex = FidelityExplorer(fill=4)  # outside a kernel the output area prints what it shows
    shown = capsys.readouterr().out
    assert "HTML object" in shown and "Figure(750x160)" in shown  # plot_band_scale at figsize=(7.5, 1.6)
    assert ex.scores[["total", "band"]].values.tolist() == [[100, "good"]]
    assert ex.widget.children[-1] is ex.output


def test_explorers_are_found_on_first_use_only():
    with pytest.raises(AttributeError, match="no attribute 'SliderExplorer'"):
        explore.SliderExplorer  # noqa: B018
    assert "FidelityExplorer" in explore.__all__ and "TrialExplorer" in explore.__all__


@pytest.mark.slow
def test_detection_in_a_real_kernel():
    """A real ipykernel: the same code sees a cell id from a JupyterLab-style request only."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        code = "from ipsresearch.explore import use_widgets; use_widgets('auto')"

        def run(metadata):
            content = {"code": code, "silent": False, "store_history": False,
                       "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
            msg = kc.session.msg("execute_request", content, metadata=metadata)
            kc.shell_channel.send(msg)
            while True:
                reply = kc.get_iopub_msg(timeout=60)
                if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                    continue
                if reply["msg_type"] == "execute_result":
                    return reply["content"]["data"]["text/plain"]
                if reply["msg_type"] == "error":
                    raise AssertionError("\n".join(reply["content"]["traceback"]))

        assert run({"cellId": "0b6e", "deletedCells": [], "recordTiming": False}) == "True"
        assert run({}) == "False"  # what nbclient sends
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)

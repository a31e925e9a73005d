"""Live-notebook widgets: sliders when a person is at the notebook, static output everywhere else.

- :class:`~ipsresearch.explore.trials.TrialExplorer` (notebook 06): simulate
  trials, pool them, size a new trial.
- :class:`~ipsresearch.explore.fidelity.FidelityExplorer` (notebook 07): rate
  the 25 IPS-25 items and watch the total and band move.

Both are importable from here (``explore.TrialExplorer``); they and
ipywidgets are imported only when first asked for, so that this module stays
light enough for the report builder, which reads :data:`ENV_VAR`.

Teaching notebooks build ipywidgets only when a live frontend will draw
them. A notebook rendered headless (``ipsresearch build``, ``jupyter
nbconvert --execute``, papermill, all of which run cells through nbclient)
would otherwise store each widget as a placeholder that the HTML page shows
as noise (``interactive(children=...)`` or an empty box that needs
JavaScript from a CDN).

How a live frontend is detected (:func:`live_frontend`)
-------------------------------------------------------
1. The code runs in an IPython kernel (``get_ipython().kernel`` exists) and
   ``ipywidgets`` can be imported.
2. The request that is running the current cell carries a ``cellId`` in its
   metadata. JupyterLab and Jupyter Notebook 7 send the id of the cell with
   every execution; nbclient (and so nbconvert, papermill and the report
   builder) sends no metadata. Unlike an environment variable set by
   Jupyter Server (``JPY_SESSION_NAME``), this cannot leak into a headless
   build started from a notebook's terminal or a ``!`` command, because it
   belongs to the one request being executed.

:func:`use_widgets` adds two overrides: the notebook's ``widgets``
parameter (``"auto"``, ``True`` or ``False``) and the environment variable
``IPSRESEARCH_WIDGETS`` (``1``/``0``), for frontends that do not send a cell
id (e.g. Voilà, or an editor that renders widgets itself).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

__all__ = ["ENV_VAR", "Explorer", "FidelityExplorer", "TrialExplorer", "live_frontend", "use_widgets"]

ENV_VAR = "IPSRESEARCH_WIDGETS"
"""Environment variable forcing widgets on (``1``) or off (``0``) in ``auto`` mode."""

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _current_shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    return get_ipython()


def live_frontend(shell: Any = None) -> bool:
    """Whether the current cell runs in a live frontend that can draw widgets.

    Parameters
    ----------
    shell : IPython shell, optional
        Defaults to ``IPython.get_ipython()``; tests pass stand-ins.

    Returns
    -------
    bool
        True only in an IPython kernel, with ipywidgets installed, executing
        a request that names its cell (see the module docstring).

    Examples
    --------
    >>> live_frontend()  # plain Python, doctest or a script: no frontend
    False
    """
    shell = _current_shell() if shell is None else shell
    kernel = getattr(shell, "kernel", None)
    if kernel is None or importlib.util.find_spec("ipywidgets") is None:
        return False
    try:
        parent = kernel.get_parent("shell")  # ipykernel >= 6
    except (AttributeError, TypeError):
        parent = getattr(shell, "parent_header", None)
    metadata = (parent or {}).get("metadata") or {}
    return bool(metadata.get("cellId"))


def use_widgets(mode: bool | str = "auto", *, shell: Any = None) -> bool:
    """Decide whether a notebook should build its widgets.

    Parameters
    ----------
    mode : {"auto", True, False}
        ``True`` or ``False`` decide; ``"auto"`` follows ``IPSRESEARCH_WIDGETS``
        when it is set and :func:`live_frontend` otherwise.
    shell : IPython shell, optional
        Passed to :func:`live_frontend`.

    Returns
    -------
    bool

    Examples
    --------
    >>> use_widgets(False)
    False
    >>> use_widgets(True)
    True
    """
    if isinstance(mode, bool):
        return mode
    from ipsresearch.validation import check_choice  # lazily: this module stays import-light

    check_choice("widgets", mode, ("auto", True, False))
    env = os.environ.get(ENV_VAR, "").strip().lower()
    if env in _TRUE:
        return True
    if env in _FALSE:
        return False
    if env:
        raise ValueError(f"{ENV_VAR}={env!r} not recognised; set 1 or 0, or leave it unset")
    return live_frontend(shell)


class Explorer:
    """Base of the teaching explorers: ipywidgets controls that rerun an analysis.

    A subclass builds its widgets in ``controls`` (name -> widget) and the
    box to display in ``widget``, implements :meth:`update` (read the
    controls, recompute, redraw) and then calls :meth:`_watch`, which runs
    :meth:`update` once and again on every change of a control's value.
    Displaying the explorer displays ``widget``.
    """

    controls: dict[str, Any]
    widget: Any

    def update(self) -> None:
        """Recompute from the current values of :attr:`controls`."""
        raise NotImplementedError

    def _watch(self) -> None:
        for c in self.controls.values():
            c.observe(lambda _change: self.update(), names="value")
        self.update()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def __getattr__(name: str):
    """The explorers, imported on first use (with matplotlib and the analysis they drive)."""
    if name == "FidelityExplorer":
        from ipsresearch.explore.fidelity import FidelityExplorer

        return FidelityExplorer
    if name == "TrialExplorer":
        from ipsresearch.explore.trials import TrialExplorer

        return TrialExplorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

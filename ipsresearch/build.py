"""Deprecated: the report builder is :mod:`ipsresearch.report.build` (this path goes in the next release).

This module forwards every name there and warns (``DeprecationWarning``)
where it is imported; write ``from ipsresearch.report.build import build``.
"""

from ipsresearch._deprecation import warn_moved

warn_moved("ipsresearch.build", "ipsresearch.report.build")

from ipsresearch.report.build import *  # noqa: E402, F403
from ipsresearch.report.build import __all__  # noqa: E402, F401

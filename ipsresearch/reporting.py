"""Deprecated: table formatting is :mod:`ipsresearch.report.tables` (this path goes in the next release).

This module forwards every name there and warns (``DeprecationWarning``)
where it is imported; write ``from ipsresearch.report import tables`` and
``tables.format_rates(...)``.
"""

from ipsresearch._deprecation import warn_moved

warn_moved("ipsresearch.reporting", "ipsresearch.report.tables")

from ipsresearch.report.tables import *  # noqa: E402, F403
from ipsresearch.report.tables import __all__  # noqa: E402, F401

"""Deprecated: table formatting is :mod:`ipsresearch.report.tables`.

This module forwards every name there and will be removed in the next
release; write ``from ipsresearch.report import tables`` and
``tables.format_rates(...)`` instead.
"""

import warnings

warnings.warn("ipsresearch.reporting is deprecated and will be removed in the next release; "
              "use ipsresearch.report.tables", DeprecationWarning, stacklevel=2)

from ipsresearch.report.tables import *  # noqa: E402, F403
from ipsresearch.report.tables import __all__  # noqa: E402, F401

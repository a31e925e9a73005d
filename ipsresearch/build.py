"""Deprecated: the report builder is :mod:`ipsresearch.report.build`.

This module forwards every name there and will be removed in the next
release; import ``from ipsresearch.report.build import build`` instead.
"""

import warnings

warnings.warn("ipsresearch.build is deprecated and will be removed in the next release; "
              "use ipsresearch.report.build", DeprecationWarning, stacklevel=2)

from ipsresearch.report.build import *  # noqa: E402, F403
from ipsresearch.report.build import __all__  # noqa: E402, F401

"""Evidence synthesis: screening flows of literature reviews and meta-analysis of trials.

The public functions live in submodules and are re-exported here, so that
``ipsresearch.synthesis.prisma_flow`` and ``ipsresearch.synthesis.meta_analysis``
are the documented entry points.
"""

from __future__ import annotations

__all__: list[str] = []

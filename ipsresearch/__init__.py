"""ipsresearch: reproduce, check and teach the quantitative evidence on IPS.

Individual Placement and Support (IPS) is the supported-employment model for
people with severe mental illness. This package turns the published summaries
of five IPS studies into data, recomputes every number they report from
records, and renders the results as HTML reports with a claims register.

Modules are named after the domain:

- :mod:`ipsresearch.outcomes`: placement rates, time to first job, job retention
- :mod:`ipsresearch.fidelity`: IPS-25 fidelity scoring and bands
- :mod:`ipsresearch.synthesis`: screening flows and meta-analysis
- :mod:`ipsresearch.qualitative`: samples, themes and coded segments
- :mod:`ipsresearch.studies`: the five source studies and their claims
- :mod:`ipsresearch.claims`: the claims register
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

"""Everything from results to pages: tables, the claims table, the report builder.

This ``__init__`` imports nothing, so that ``from ipsresearch.report import
tables`` loads only pandas, and a rebuild where nothing changed loads only
:mod:`build`, :mod:`provenance` and :mod:`store` (a fraction of a second).

- :mod:`ipsresearch.report.tables`: the one formatting layer; numbers become
  text only here (``format_rates``, ``format_survival``, ``format_meta``,
  ``format_bands``, ``format_flow``, ``show_claims``), and the claims table as
  HTML (``claims_html``, ``CLAIMS_CSS``, ``format_value``);
- :mod:`ipsresearch.report.build`: the report builder (``build``,
  ``BuildReport``, ``discover``, ``parse_param``, ...), which ``ipsresearch
  build`` runs;
- :mod:`ipsresearch.report.preflight`: ``check_data_dir``, which loads a
  user's data folder with the study loaders before a build or ``verify`` runs
  on it;
- :mod:`ipsresearch.report.provenance`: what a report depends on (notebook,
  package source, data files, parameters, dependency versions) as hashes,
  the cache keys made from them, the git state and the build time;
- :mod:`ipsresearch.report.execute`: runs notebooks in fresh kernels with
  :mod:`nbclient`, several at once on one asyncio event loop, and makes their
  outputs byte-stable;
- :mod:`ipsresearch.report.kernels`: the kernels' environment and sockets, and
  the "zygote" each kernel is forked from (the libraries imported once per
  build instead of once per notebook);
- :mod:`ipsresearch.report.render`: HTML pages (nbconvert with the offline
  templates in ``report/templates/``), the navigation bar, the provenance
  block and the index;
- :mod:`ipsresearch.report.store`: atomic writes and the manifest.
"""

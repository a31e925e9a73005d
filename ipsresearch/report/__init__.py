"""Machinery of the report builder (the public entry point is :mod:`ipsresearch.build`).

- :mod:`ipsresearch.report.provenance`: what a report depends on (notebook,
  package source, data files, parameters, dependency versions) as hashes,
  the cache keys made from them, the git state and the build time;
- :mod:`ipsresearch.report.execute`: runs notebooks in fresh kernels with
  :mod:`nbclient`, several at once on one asyncio event loop, and makes their
  outputs byte-stable;
- :mod:`ipsresearch.report.kernels`: the kernels' environment and sockets, and
  the "zygote" each kernel is forked from (the libraries imported once per
  build instead of once per notebook);
- :mod:`ipsresearch.report.render`: HTML pages (nbconvert with an offline
  template), the navigation bar, the provenance block and the index;
- :mod:`ipsresearch.report.store`: atomic writes and the manifest.

Only :mod:`provenance` and :mod:`store` are imported on a rebuild where
nothing changed, so that a no-op build costs a fraction of a second.
"""

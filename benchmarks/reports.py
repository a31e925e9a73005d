"""Reports on a programme's cohort at growing sizes: time and page size per report, side by side.

Usage::

    .venv/bin/python benchmarks/reports.py --sizes 1e3,1e4,1e5 [--only 01 05] [--notebooks DIR]
        [--json FILE] [--keep DIR]

For each size N, a cohort of N participants at N/500 sites is drawn by the
scale generator (:mod:`ipsresearch.synthetic.scale`, its default seed; the same as
``ipsresearch data --scale N --out DIR``) and written as CSV only (the form
a programme's export takes; the generator's ``datapackage.json`` names it
``ipsresearch-scale``, not the papers' data, so the reports treat it as a
programme's own records). Then ``ipsresearch build --only 01 05 --param
data_dir=DIR`` runs in this process, one notebook at a time (``jobs=1``, so
that one report's time is not shared with another's), into a fresh output
folder.

Per report and size it prints the execution time of the notebook (kernel
start and every cell, as :class:`ipsresearch.report.build.BuildResult`
measures it), the size of the page, its largest embedded figure, and
whether the page is under the 2 MB budget of issue 16. After each size,
the ratio of each report's time and page size to the previous size's: a
report that reads the cohort should grow at most linearly in time, and its
page should not grow at all once the site tables are capped (``site_limit``)
and the swimmer plot is a sample (``lanes``).

``--notebooks DIR`` runs the notebooks of another checkout (e.g. main before
a change) for a before/after comparison in the same session.

This is a benchmark, not a test: timings depend on the machine and its load
(the load average is printed before each size). ``--json FILE`` keeps the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

BUDGET = 2 * 2**20
"""Largest page a report may write (issue 16: pages under 2 MB at registry size)."""


def _sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def _largest_image(page: str) -> int:
    """Bytes of the largest figure embedded in ``page`` (inline SVG or a data: URI)."""
    found = [len(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]
    found += [len(m) for m in re.findall(r'src="data:image/[^"]+"', page)]
    return max(found, default=0)


def run_size(n: int, work: Path, *, only: list[str], notebooks: Path | None, seed: int) -> dict:
    """Generate the cohort of ``n`` participants, build the reports on it; return the measurements."""
    from ipsresearch.report.build import build
    from ipsresearch.synthetic import scale

    data = work / f"cohort-{n}"
    t0 = time.perf_counter()
    scale.write(scale.generate(n, seed=seed), data, formats=("csv",))
    generated = time.perf_counter() - t0
    pages = work / f"pages-{n}"
    kw = {"notebooks_dir": notebooks} if notebooks else {}
    t0 = time.perf_counter()
    report = build(only=only, out_dir=pages, params={"data_dir": str(data)}, jobs=1, force=True,
                   log=lambda *_: None, progress=False, timeout=1800, **kw)
    wall = time.perf_counter() - t0
    reports = {}
    for r in report.results:
        page = pages / f"{r.name}.html"
        text = page.read_text(encoding="utf-8") if page.exists() else ""
        reports[r.name] = {"status": r.status, "seconds": round(r.seconds, 2),
                           "page_bytes": len(text.encode("utf-8")),
                           "largest_figure_bytes": _largest_image(text),
                           "error": r.error.splitlines()[0] if r.error else ""}
    return {"n": n, "sites": max(1, n // scale.PARTICIPANTS_PER_SITE),
            "generate_seconds": round(generated, 2), "build_seconds": round(wall, 2),
            "load_before": _load(), "reports": reports}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=_sizes("1e3,1e4,1e5"))
    parser.add_argument("--only", nargs="+", default=["01", "05"])
    parser.add_argument("--notebooks", type=Path, help="notebooks of another checkout")
    parser.add_argument("--seed", type=int, help="default: the scale generator's seed")
    parser.add_argument("--json", type=Path, help="write the measurements to this file")
    parser.add_argument("--keep", type=Path, help="keep the cohorts and pages in this new folder")
    args = parser.parse_args(argv)

    print(f"# benchmarks/reports.py --sizes {','.join(str(n) for n in args.sizes)} "
          f"--only {' '.join(args.only)}" + (f" --notebooks {args.notebooks}" if args.notebooks else ""))
    print(f"# {os.cpu_count()} CPUs; python {sys.version.split()[0]}; page budget {BUDGET:,} bytes")
    from ipsresearch.synthetic import scale

    seed = scale.SEED if args.seed is None else args.seed
    runs = []
    with tempfile.TemporaryDirectory(prefix="ips-bench-reports-") as tmp:
        if args.keep:
            args.keep.mkdir(parents=True)
            tmp = args.keep
        for n in args.sizes:
            load = _load()
            run = run_size(n, Path(tmp), only=args.only, notebooks=args.notebooks, seed=seed)
            run["load_before"] = load
            print(f"n = {n:,} ({run['sites']:,} sites; cohort written in {run['generate_seconds']} s; "
                  f"load average {load})")
            for name, r in run["reports"].items():
                ok = "under 2 MB" if r["page_bytes"] < BUDGET else "OVER 2 MB"
                print(f"  {name:<22} {r['status']:<7} {r['seconds']:8.2f} s  "
                      f"{r['page_bytes'] / 1024:9.1f} KiB page ({ok}); largest figure "
                      f"{r['largest_figure_bytes'] / 1024:7.1f} KiB"
                      + (f"  [{r['error']}]" if r["error"] else ""))
            if runs:
                prev = runs[-1]
                print(f"  ratio to n = {prev['n']:,} (n x{n / prev['n']:g}):")
                for name, r in run["reports"].items():
                    p = prev["reports"].get(name)
                    if p and p["seconds"] and p["page_bytes"]:
                        print(f"    {name:<22} time x{r['seconds'] / p['seconds']:.2f}   "
                              f"page x{r['page_bytes'] / p['page_bytes']:.2f}")
            runs.append(run)
    slowest = max((r["seconds"], name, run["n"]) for run in runs for name, r in run["reports"].items())
    largest = max((r["page_bytes"], name, run["n"]) for run in runs for name, r in run["reports"].items())
    print(f"slowest report: {slowest[1]} at n = {slowest[2]:,}: {slowest[0]:.1f} s; "
          f"largest page: {largest[1]} at n = {largest[2]:,}: {largest[0] / 1024:.0f} KiB")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    return 0 if all(r["status"] == "built" for run in runs for r in run["reports"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

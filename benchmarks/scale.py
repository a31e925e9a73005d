"""Time and peak memory of the whole pipeline at national-registry sizes.

Usage::

    .venv/bin/python benchmarks/scale.py --sizes 1e4,1e5,1e6,1e7

For each size N, in a fresh Python process, generate a synthetic cohort of N
participants at N/500 sites (job spells, two IPS-25 fidelity reviews per
site) and write it as Parquet and CSV; then, in another fresh process (as
one would analyse a registry extract), load the Parquet files through the
package's validation and run every analysis a national programme would:
placement rate by site, time to first job by site (Kaplan-Meier), job
retention by site (Kaplan-Meier), fidelity scoring and the band distribution.

Each step runs ``--repeat`` times (default 5) and prints its best wall time
(as :mod:`timeit` does: on a shared machine the slower runs measure the
neighbours), the worst beside it, and its peak resident memory (the kernel's
high-water mark, reset before each run, so it includes what earlier steps
still hold, such as the loaded tables). After each size, the ratio of each
step's best time to the previous size's; the last line per size reads
``pipeline N: S s, M MiB peak`` (the sum of the steps' best wall times, peak
over them). CPU time (all threads of the process) is printed beside each
step: on a busy machine it shows what the step itself costs.

Memory allocator. glibc's malloc hands every block above 32 MiB straight
back to the kernel when it is freed, so at 10^7 rows each new array costs
fresh pages that the kernel must fault in and zero (seen as system CPU time:
about a fifth of each analysis at 10^7, none at 10^6, where blocks are
smaller and reused). By default each size runs with glibc told to keep freed
memory for reuse (``MALLOC_MMAP_MAX_=0``, ``MALLOC_TRIM_THRESHOLD_`` of 64 GiB,
the settings :data:`TUNED_MALLOC` lists; ignored by other C libraries), as one
would run a national-registry job; ``--system-malloc`` measures with the
defaults. Peaks are the resident high-water mark either way, freed-but-kept
memory included.

This is a benchmark, not a test: timings depend on the machine and its load
(check ``uptime`` first). ``--json FILE`` keeps the numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TUNED_MALLOC = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(64 << 30)}
"""glibc malloc settings of the default run: no block is handed back to the kernel on free."""

STEPS = ("generate", "load", "placement_by_site", "time_to_first_job_by_site",
         "retention_by_site", "fidelity_bands")


def _hwm_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        return int(re.search(r"VmHWM:\s+(\d+)", fh.read()).group(1)) / 1024


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:  # not Linux, or not allowed: peaks are then cumulative
        return False


def run_one(n: int, out: Path, *, seed: int, csv: bool, repeat: int = 1,
            phase: str = "generate") -> dict:
    """Run the steps of ``phase`` ("generate", or "analyse": load and every analysis) for
    ``n`` participants in this process, each ``repeat`` times; return the measurements
    (per step: the best time, as :mod:`timeit` reports, and all times; the peak over the
    repeats)."""
    import numpy as np

    from ipsresearch import fidelity, outcomes
    from ipsresearch.synthetic import scale

    results: dict[str, dict] = {}

    def step(name, func, setup=None):
        times, cpus, peaks = [], [], []
        for _ in range(repeat):
            if setup is not None:
                setup()
            gc.collect()
            exact = _reset_hwm()
            t0, c0 = time.perf_counter(), time.process_time()
            value = func()
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            peaks.append(_hwm_mib())
        best = int(np.argmin(times))
        results[name] = {"seconds": times[best], "cpu_seconds": cpus[best], "peak_mib": max(peaks),
                         "all_seconds": times, "peak_is_per_step": exact}
        spread = f", worst {max(times):.2f} s" if repeat > 1 else ""
        print(f"  {name:<28} {times[best]:8.2f} s {max(peaks):8.0f} MiB peak"
              f"   (cpu {cpus[best]:.2f} s{spread})", flush=True)
        return value

    def generate():
        data = scale.generate(n, seed=seed)
        scale.write(data, out, formats=("parquet", "csv") if csv else ("parquet",))
        return data.participants.num_rows

    if phase == "generate":
        # each run writes new files, as into a new directory (not over the last run's)
        step("generate", generate, setup=lambda: shutil.rmtree(out, ignore_errors=True))
        return {"n": n, "steps": results}
    data = step("load", lambda: scale.load(out))
    p, s = data.participants, data.job_spells

    def placement():
        employed = outcomes.ever_employed(p, s, validated=True)
        return outcomes.placement_rate(employed, outcome="employed", by="site", overall=True)

    rates = step("placement_by_site", placement)
    first = step("time_to_first_job_by_site",
                 lambda: outcomes.time_to_first_job(p, s, by="site", validated=True))

    def retention():
        jobs = outcomes.job_tenure(p, s, validated=True)
        return outcomes.kaplan_meier(jobs, by="site", quantiles=(0.5,))

    tenure = step("retention_by_site", retention)

    def bands():
        scores = fidelity.score(data.fidelity_ratings)
        scores = scores.merge(data.fidelity_reviews[["review_id", "round"]], on="review_id")
        return fidelity.band_distribution(scores, by="round")

    dist = step("fidelity_bands", bands)
    summary = {
        "n": n, "participants": len(p), "spells": len(s), "sites": int(p["site"].nunique()),
        "reviews": len(data.fidelity_reviews), "steps": results,
        "check": {"placement_all": float(rates["rate"].iloc[-1]),
                  "km_groups": int(first.table["site"].nunique()),
                  "retention_365_median_site": float(np.nanmedian(
                      tenure.table.loc[tenure.table["horizon"] == 365, "survival"])),
                  "reviews_scored": int(dist.groupby("round")["n"].first().sum())},
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6",
                    help="comma-separated participant counts, e.g. 1e4,1e5,1e6,1e7")
    ap.add_argument("--seed", type=int, default=1_000_000)
    ap.add_argument("--out", help="directory for the generated files (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--no-csv", action="store_true", help="write Parquet only")
    ap.add_argument("--json", help="write the measurements to this file")
    ap.add_argument("--repeat", type=int, default=5,
                    help="run each step this many times and report the best (default 5; "
                         "the worst is printed beside it)")
    ap.add_argument("--system-malloc", action="store_true",
                    help="run with glibc's default allocator settings (see the module docstring)")
    ap.add_argument("--one", type=float, help=argparse.SUPPRESS)  # internal: one size, this process
    ap.add_argument("--phase", default="generate", help=argparse.SUPPRESS)  # internal, with --one
    args = ap.parse_args(argv)

    if args.one is not None:
        summary = run_one(int(args.one), Path(args.out), seed=args.seed, csv=not args.no_csv,
                          repeat=args.repeat, phase=args.phase)
        print("RESULT " + json.dumps(summary), flush=True)
        return 0

    sizes = [int(float(x)) for x in args.sizes.split(",") if x.strip()]
    base = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="ipsresearch-scale-"))
    env = dict(os.environ)
    if not args.system_malloc:
        env.update(TUNED_MALLOC)
    allocator = "system defaults" if args.system_malloc else \
        " ".join(f"{k}={v}" for k, v in TUNED_MALLOC.items())
    print(f"# {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start; "
          f"malloc: {allocator}", flush=True)
    runs = []
    for n in sizes:
        out = base / f"n{n}"
        print(f"n = {n}", flush=True)
        summary: dict = {}
        for phase in ("generate", "analyse"):  # a fresh process each, as a user would run them
            cmd = [sys.executable, __file__, "--one", str(n), "--out", str(out),
                   "--seed", str(args.seed), "--repeat", str(args.repeat), "--phase", phase]
            if args.no_csv:
                cmd.append("--no-csv")
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
            part = None
            for line in proc.stdout:
                if line.startswith("RESULT "):
                    part = json.loads(line[7:])
                else:
                    print(line, end="", flush=True)
            if proc.wait() != 0 or part is None:
                print(f"pipeline {n}: failed (exit {proc.returncode})", flush=True)
                return 1
            summary = {**part, **summary, "steps": {**summary.get("steps", {}), **part["steps"]}}
        summary["seconds"] = sum(r["seconds"] for r in summary["steps"].values())
        summary["peak_mib"] = max(r["peak_mib"] for r in summary["steps"].values())
        if runs:
            prev = runs[-1]
            print(f"  time ratio {n} / {prev['n']}:", flush=True)
            for name in STEPS:
                ratio = summary["steps"][name]["seconds"] / max(prev["steps"][name]["seconds"], 1e-9)
                print(f"    {name:<26} {ratio:6.1f}x", flush=True)
        print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)
        print(f"pipeline {n}: {summary['seconds']:.1f} s, {summary['peak_mib']:.0f} MiB peak",
              flush=True)
        runs.append(summary)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    if not args.keep and not args.out:
        shutil.rmtree(base, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

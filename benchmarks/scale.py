"""Time and peak memory of the whole pipeline at national-registry sizes.

Usage::

    .venv/bin/python benchmarks/scale.py --sizes 1e4,1e5,1e6,1e7

For each size N, in a fresh Python process: generate a synthetic cohort of N
participants at N/500 sites (job spells, two IPS-25 fidelity reviews per
site) and write it as Parquet and CSV, load the Parquet files through the
package's validation, then run every analysis a national programme would:
placement rate by site, time to first job by site (Kaplan-Meier), job
retention by site (Kaplan-Meier), fidelity scoring and the band distribution.

Each step prints its wall time and its peak resident memory (the kernel's
high-water mark, reset before the step, so it includes what earlier steps
still hold, such as the loaded tables). After each size, the ratio of each
step's time to the previous size's; the last line per size reads
``pipeline N: S s, M MiB peak`` (total wall time of the steps, peak over
them). CPU time (all threads of the process) is printed beside each step: on
a busy machine it shows what the step itself costs.

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


def run_one(n: int, out: Path, *, seed: int, csv: bool) -> dict:
    """Run every step for ``n`` participants in this process; return the measurements."""
    import numpy as np

    from ipsresearch import fidelity, outcomes
    from ipsresearch.synthetic import scale

    results: dict[str, dict[str, float]] = {}
    state: dict = {}

    def step(name, func):
        gc.collect()
        exact = _reset_hwm()
        t0, c0 = time.perf_counter(), time.process_time()
        value = func()
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        results[name] = {"seconds": secs, "cpu_seconds": cpu, "peak_mib": _hwm_mib(),
                         "peak_is_per_step": exact}
        print(f"  {name:<28} {secs:8.2f} s {results[name]['peak_mib']:8.0f} MiB peak"
              f"   (cpu {cpu:.2f} s)", flush=True)
        return value

    def generate():
        data = scale.generate(n, seed=seed)
        scale.write(data, out, formats=("parquet", "csv") if csv else ("parquet",))
        return data.participants.num_rows

    step("generate", generate)
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
    state.update(rates=rates, first=first, tenure=tenure, dist=dist)
    total = sum(r["seconds"] for r in results.values())
    peak = max(r["peak_mib"] for r in results.values())
    summary = {
        "n": n, "participants": len(p), "spells": len(s), "sites": int(p["site"].nunique()),
        "reviews": len(data.fidelity_reviews), "steps": results, "seconds": total,
        "peak_mib": peak,
        "check": {"placement_all": float(rates["rate"].iloc[-1]),
                  "km_groups": int(first.table["site"].nunique()),
                  "retention_365_median_site": float(np.nanmedian(
                      tenure.table.loc[tenure.table["horizon"] == 365, "survival"])),
                  "reviews_scored": int(dist.groupby("round")["n"].first().sum())},
    }
    print(f"pipeline {n}: {total:.1f} s, {peak:.0f} MiB peak", flush=True)
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
    ap.add_argument("--one", type=float, help=argparse.SUPPRESS)  # internal: one size, this process
    args = ap.parse_args(argv)

    if args.one is not None:
        summary = run_one(int(args.one), Path(args.out), seed=args.seed, csv=not args.no_csv)
        print("RESULT " + json.dumps(summary), flush=True)
        return 0

    sizes = [int(float(x)) for x in args.sizes.split(",") if x.strip()]
    base = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="ipsresearch-scale-"))
    print(f"# {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    runs = []
    for n in sizes:
        out = base / f"n{n}"
        print(f"n = {n}", flush=True)
        cmd = [sys.executable, __file__, "--one", str(n), "--out", str(out), "--seed", str(args.seed)]
        if args.no_csv:
            cmd.append("--no-csv")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        summary = None
        for line in proc.stdout:
            if line.startswith("RESULT "):
                summary = json.loads(line[7:])
            elif not line.startswith("pipeline "):
                print(line, end="", flush=True)
        if proc.wait() != 0 or summary is None:
            print(f"pipeline {n}: failed (exit {proc.returncode})", flush=True)
            return 1
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

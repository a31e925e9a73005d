"""Command start-up and run times, side by side in one run, against the bare interpreter.

    python benchmarks/cli.py [--runs N]

Every command runs in a fresh process, ``N`` times (default 7), interleaved
round by round so that a change in the machine's load hits every command
alike; the table shows the best and the median wall-clock time of the whole
command, interpreter start included, and the best as a ratio of the floors
``python -c pass`` and ``python -c "import pandas"``:

1. ``python -c pass``: the bare interpreter;
2. ``python -c "import pandas"``: the floor of any command that reads a table;
3. ``python -c "import pandas, statsmodels.api"``: the libraries the claims compute with;
4. ``ipsresearch --help``;
5. ``ipsresearch verify``: all claims on the shipped data;
6. ``ipsresearch data --check``: regenerate every synthetic table in memory and compare;
7. ``ipsresearch fidelity <the shipped ratings template>``.

Then, inside one process with every module already imported, the claims' own
compute time: loading each claim set's data and evaluating its claims, as the
best of ``N`` repeats (the first repeat also pays for modules a claim imports
on first use; it is shown separately).

Targets (issue 14): ``ipsresearch --help`` within 0.3 s of ``python -c pass``;
``ipsresearch verify`` within 2x of ``import pandas, statsmodels.api`` plus
the claims' compute time, checked in its stricter reading (at most twice the
import time plus the compute time once). The last lines say whether each holds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PY = sys.executable
TEMPLATE = ROOT / "ipsresearch" / "datasets" / "fidelity_ratings_template.csv"

COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass", [PY, "-c", "pass"]),
    ("python -c 'import pandas'", [PY, "-c", "import pandas"]),
    ("python -c 'import pandas, statsmodels.api'", [PY, "-c", "import pandas, statsmodels.api"]),
    ("ipsresearch --help", [str(BIN / "ipsresearch"), "--help"]),
    ("ipsresearch verify", [str(BIN / "ipsresearch"), "verify"]),
    ("ipsresearch data --check", [str(BIN / "ipsresearch"), "data", "--check"]),
    ("ipsresearch fidelity TEMPLATE", [str(BIN / "ipsresearch"), "fidelity", str(TEMPLATE)]),
]

COMPUTE = """\
import json, sys, time
from ipsresearch import claims, studies
sets = studies.claim_sets()                  # every study module imported before timing
runs = []
for _ in range(int(sys.argv[1])):
    load = evaluate = 0.0
    for cs in sets:
        t0 = time.perf_counter()
        data = cs.load(None)
        t1 = time.perf_counter()
        for claim in cs.claims():
            claims.evaluate(claim, data)
        t2 = time.perf_counter()
        load += t1 - t0
        evaluate += t2 - t1
    runs.append([load, evaluate])
print(json.dumps(runs))
"""


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7, help="fresh processes per command (default 7)")
    args = p.parse_args(argv)

    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; best of {args.runs} runs")
    times: dict[str, list[float]] = {name: [] for name, _ in COMMANDS}
    for _ in range(args.runs):
        for name, cmd in COMMANDS:
            times[name].append(run(cmd))
    proc = subprocess.run([PY, "-c", COMPUTE, str(args.runs)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    compute_runs = json.loads(proc.stdout)

    best = {name: min(t) for name, t in times.items()}
    bare, pandas = best["python -c pass"], best["python -c 'import pandas'"]
    width = max(len(n) for n in times)
    print(f"\n{'command':<{width}}  {'best s':>7}  {'median s':>8}  {'x bare':>7}  {'x pandas':>8}")
    for name, t in times.items():
        print(f"{name:<{width}}  {best[name]:7.3f}  {statistics.median(t):8.3f}  "
              f"{best[name] / bare:7.2f}  {best[name] / pandas:8.2f}")

    load = min(r[0] for r in compute_runs)
    evaluate = min(r[1] for r in compute_runs)
    compute = min(r[0] + r[1] for r in compute_runs)
    first = sum(compute_runs[0])
    print(f"\nclaims' own compute, in one process with the modules imported (best of {args.runs}):")
    print(f"  loading the data {load:.3f} s, evaluating the claims {evaluate:.3f} s, "
          f"together {compute:.3f} s (first repeat {first:.3f} s)")

    help_over = best["ipsresearch --help"] - bare
    floor = best["python -c 'import pandas, statsmodels.api'"]
    budget = 2 * floor + compute
    print("\ntargets:")
    print(f"  ipsresearch --help - python -c pass = {help_over:.3f} s (target <= 0.300 s): "
          f"{'met' if help_over <= 0.3 else 'NOT met'}")
    verify = best["ipsresearch verify"]
    print(f"  ipsresearch verify = {verify:.3f} s = {verify / (floor + compute):.2f} x "
          f"(import pandas, statsmodels.api {floor:.3f} s + compute {compute:.3f} s); "
          f"stricter reading, 2 x {floor:.3f} s + {compute:.3f} s = {budget:.3f} s "
          f"(target: verify <= that): {'met' if verify <= budget else 'NOT met'}")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

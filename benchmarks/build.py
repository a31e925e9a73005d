"""Report builder timings, side by side in one run on the same notebooks.

    python benchmarks/build.py [--jobs N] [--only NAME ...] [--keep DIR]

Copies ``notebooks/NN-*.ipynb`` into a temporary directory (nothing is
written to ``notebooks/`` or ``reports/``) and measures, in this order:

1. naive loop: ``jupyter nbconvert --execute --to html`` once per notebook,
   one after the other (a new Python process, imports and kernel each time);
2. cold build: ``ipsresearch build --force`` (one process, notebooks run
   several at once);
3. no-op rebuild: ``ipsresearch build`` again, nothing changed;
4. touch: one notebook's modification time changes, its bytes do not (the
   cache is keyed on content, so this is a no-op too);
5. edit: one notebook gains a Markdown cell; only it is executed again.
   Compared with that notebook's own execution time inside the rebuild.

Every timing is the wall-clock time of the whole command, interpreter start
included. Targets on a 2-core machine: cold at most 0.4x the naive loop,
no-op under 1 s, one-notebook rebuild close to that notebook's execution.
The load average before each step is printed: the machine may be shared.
The last line is ``cold/naive ratio: R``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return seconds, proc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=None, help="passed to ipsresearch build (default: cores)")
    p.add_argument("--only", nargs="+", default=[], help="notebooks to use (default: all)")
    p.add_argument("--edit", default=None, help="notebook to edit in step 5 (default: the first)")
    p.add_argument("--keep", metavar="DIR", help="keep the outputs in DIR instead of a temporary directory")
    args = p.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ipsresearch-bench-"))
    nbs = work / "notebooks"
    shutil.rmtree(work / "naive", ignore_errors=True)
    shutil.rmtree(work / "reports", ignore_errors=True)
    shutil.rmtree(nbs, ignore_errors=True)
    nbs.mkdir(parents=True)
    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if args.only:
        sources = [s for s in sources if any(s.stem.startswith(o) for o in args.only)]
    for s in sources:
        shutil.copy2(s, nbs / s.name)
    names = [s.stem for s in sources]
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.setdefault("PYTHONHASHSEED", "0")
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    ours = [str(BIN / "ipsresearch"), "build", "--notebooks", str(nbs), "--out", str(work / "reports"),
            *jobs]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"notebooks: {len(names)} ({', '.join(names)}); cores: {cores}; "
          f"jobs: {args.jobs or cores}; outputs in {work}")

    # 1. naive loop
    print(f"[load {load()}] naive loop ...", flush=True)
    naive = 0.0
    per_naive = {}
    for s in sorted(nbs.glob("*.ipynb")):
        t, _ = timed([str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "html",
                      "--ExecutePreprocessor.timeout=900", "--output-dir", str(work / "naive"), str(s)],
                     cwd=ROOT, env=env)
        per_naive[s.stem] = t
        naive += t
    print(f"naive loop (jupyter nbconvert --execute --to html, one process per notebook): {naive:.1f} s "
          f"({', '.join(f'{k} {v:.1f}' for k, v in per_naive.items())})")

    # 2. cold build
    print(f"[load {load()}] cold build ...", flush=True)
    cold, proc = timed([*ours, "--force"], cwd=ROOT, env=env)
    manifest = json.loads((work / "reports" / "manifest.json").read_text())
    seconds = {r["name"]: (r.get("build_time") or {}).get("seconds") for r in manifest["reports"]}
    print(f"cold build (ipsresearch build --force): {cold:.1f} s; "
          f"{proc.stdout.strip().splitlines()[-1]}; per notebook executing: "
          f"{', '.join(f'{k} {v:.1f}' for k, v in seconds.items() if v is not None)}")

    # 3. no-op
    print(f"[load {load()}] no-op ...", flush=True)
    noop, proc = timed(ours, cwd=ROOT, env=env)
    summary = proc.stdout.strip().splitlines()[-1]
    if f" {len(names)} cached," not in summary:
        # in a working tree shared with others, a package or data file may have changed since
        # the cold build: that rebuild is correct, but it is not a no-op; measure again
        print(f"(inputs changed during the benchmark, so that was a rebuild: {noop:.1f} s; {summary})")
        noop, proc = timed(ours, cwd=ROOT, env=env)
        summary = proc.stdout.strip().splitlines()[-1]
    print(f"no-op rebuild: {noop:.2f} s; {summary}")

    # 4. touch (mtime only)
    target = nbs / f"{args.edit or names[0]}.ipynb"
    if not target.exists():
        target = next(nbs.glob(f"{args.edit}*.ipynb"))
    os.utime(target, None)
    touch, proc = timed(ours, cwd=ROOT, env=env)
    print(f"touch {target.stem} (mtime only, same bytes): {touch:.2f} s; "
          f"{proc.stdout.strip().splitlines()[-1]}")

    # 5. edit one notebook
    nb = nbformat.read(target, as_version=4)
    cell = nbformat.v4.new_markdown_cell("Edited for the benchmark.")
    cell["id"] = "benchmark-edit"
    nb.cells.append(cell)
    nbformat.write(nb, target)
    print(f"[load {load()}] edit one notebook ...", flush=True)
    edit, proc = timed(ours, cwd=ROOT, env=env)
    manifest = json.loads((work / "reports" / "manifest.json").read_text())
    own = next(r for r in manifest["reports"] if r["name"] == target.stem)["build_time"]["seconds"]
    print(f"edit {target.stem} (one Markdown cell added): {edit:.1f} s; its execution {own:.1f} s, "
          f"overhead {edit - own:.1f} s (naive nbconvert of it alone: {per_naive[target.stem]:.1f} s); "
          f"{proc.stdout.strip().splitlines()[-1]}")
    print(f"[load {load()}] done")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"cold/naive ratio: {cold / naive:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

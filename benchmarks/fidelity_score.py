"""Time ipsresearch.fidelity.score on many reviews (not a test; run by hand when the machine is quiet).

Usage::

    .venv/bin/python benchmarks/fidelity_score.py [N_REVIEWS ...]

For each size it simulates long-layout ratings (25 rows per review) with
``ipsresearch.synthetic.fidelity.simulate_ratings`` and reports the best of
five timings of ``fidelity.score`` on the long frame, on the wide frame and on
the long layout read from a CSV file.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from ipsresearch import fidelity
from ipsresearch.synthetic.fidelity import simulate_ratings


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(sizes: list[int]) -> None:
    print(f"{'reviews':>8} {'rows':>9} {'long s':>8} {'wide s':>8} {'csv s':>8}")
    for n in sizes:
        long = simulate_ratings(n, seed=1)
        wide = fidelity.to_wide(long)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ratings.csv"
            long.to_csv(path, index=False)
            t_long = best_of(lambda long=long: fidelity.score(long))
            t_wide = best_of(lambda wide=wide: fidelity.score(wide))
            t_csv = best_of(lambda path=path: fidelity.score(path), repeat=3)
        print(f"{n:>8} {len(long):>9} {t_long:>8.3f} {t_wide:>8.3f} {t_csv:>8.3f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 20_000, 100_000])

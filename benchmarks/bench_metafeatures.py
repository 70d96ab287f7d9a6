"""Benchmark meta-feature extraction against one gradient-boosting fit.

For each size, prints the time of ``metafeatures.compute`` (best of a few
runs) next to the time of one ``HistGradientBoostingClassifier().fit`` on the
same data, and their ratio. The goal is a ratio of at most 0.5 everywhere.

Run::

    python benchmarks/bench_metafeatures.py            # all sizes
    python benchmarks/bench_metafeatures.py --quick    # skip 1,000,000 x 50
    python benchmarks/bench_metafeatures.py --sizes 1000x20 100000x20
"""

import argparse
import os
import time
from functools import partial

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier

from metaselect.metafeatures import compute

SIZES = ["1000x20", "100000x20", "10000x1000", "1000000x50"]
QUICK_SIZES = SIZES[:-1]


def _parse_size(text):
    rows, cols = text.lower().split("x")
    return int(rows), int(cols)


def _make_data(n_rows, n_cols, seed=0):
    X, y = make_classification(
        n_samples=n_rows,
        n_features=n_cols,
        n_informative=min(10, n_cols),
        n_redundant=min(5, max(n_cols - 10, 0)),
        n_classes=3,
        random_state=seed,
    )
    return X.astype(np.float64), y


def _best_time(func, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip 1,000,000 x 50")
    parser.add_argument("--sizes", nargs="+", help="sizes as ROWSxCOLS")
    parser.add_argument("--repeats", type=int, default=3, help="extraction runs")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)

    print(f"# load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    header = f"{'size':>14} {'extract (s)':>12} {'HGB fit (s)':>12} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for size in sizes:
        n_rows, n_cols = _parse_size(size)
        X, y = _make_data(n_rows, n_cols)
        extract = _best_time(partial(compute, X, y, "classification", random_state=0), args.repeats)
        fit = _best_time(partial(HistGradientBoostingClassifier().fit, X, y), 1)
        print(
            f"{n_rows:>8,} x {n_cols:<4} {extract:>12.3f} {fit:>12.2f} {extract / fit:>7.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

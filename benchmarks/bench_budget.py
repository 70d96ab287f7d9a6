"""Budget adherence: asked versus actual ``fit`` time of MetaSelector.

Run as a script; prints a markdown table::

    python benchmarks/bench_budget.py                 # budgets 5 15 30, up to 100,000 rows
    python benchmarks/bench_budget.py --budgets 10 --sizes 1000 100000

Goal (issue 2): ``fit`` returns within the budget plus a small margin (at most
10% or 5 s), refit included, on data up to 100,000 rows. The table shows the
overrun in seconds and percent, and whether it is within 10% and within 5 s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import make_classification, make_regression

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor


def _data(task: str, n: int, p: int, seed: int):
    if task == "classification":
        return make_classification(n_samples=n, n_features=p, n_informative=p // 2, n_classes=3,
                                   random_state=seed)
    return make_regression(n_samples=n, n_features=p, n_informative=p // 2, noise=10.0, random_state=seed)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budgets", type=float, nargs="+", default=[5, 15, 30])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--tasks", nargs="+", default=["classification", "regression"])
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)

    print("| task | rows | budget (s) | fit (s) | over (s) | over (%) | within 10% | within 5 s "
          "| evaluated | timeouts | best |")
    print("|---|---:|---:|---:|---:|---:|:-:|:-:|---:|---:|---|")
    for task in args.tasks:
        cls = MetaSelectorClassifier if task == "classification" else MetaSelectorRegressor
        for n in args.sizes:
            X, y = _data(task, n, args.features, seed=0)
            for budget in args.budgets:
                model = cls(time_budget=budget, n_jobs=args.n_jobs, random_state=0)
                start = time.perf_counter()
                model.fit(X, y)
                took = time.perf_counter() - start
                over = took - budget
                board = model.leaderboard_
                print(f"| {task} | {n:,} | {budget:g} | {took:.2f} | {over:+.2f} | {100 * over / budget:+.1f} | "
                      f"{'yes' if over <= 0.1 * budget else 'no'} | {'yes' if over <= 5 else 'no'} | {len(board)} | "
                      f"{int(np.sum(board['status'] == 'timeout'))} | {model.best_config_['algorithm']} |",
                      flush=True)


if __name__ == "__main__":
    main()

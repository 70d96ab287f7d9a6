"""Does the time budget hold when things go wrong? A hanging candidate, a memory hog, a loaded machine.

Run as a script; prints a markdown table::

    python benchmarks/bench_hardening.py                  # budgets 10 and 30 s, n_jobs 1
    python benchmarks/bench_hardening.py --budgets 20 --n-jobs 1 2

Scenarios (each next to the whole built-in portfolio, on 3,000 x 20 synthetic rows):

* ``baseline``: nothing added.
* ``python hang``: a candidate whose ``fit`` never returns (a Python loop).
* ``long C call``: a candidate whose ``fit`` is one long call into compiled
  code (a large matrix inversion) that cannot be interrupted until it returns.
* ``memory hog``: a candidate that keeps allocating (up to 8 GiB) under
  ``memory_limit=1000`` MiB.
* ``loaded machine``: every core busy with another process during the fit.

Goal (issue 7): ``fit`` returns within the budget plus 10% (or 5 s), a model
is fitted and the bad candidate is recorded as failed or timed out.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from metaselect import Family, MetaSelectorClassifier
from metaselect.portfolio import FAMILY_ORDER
from metaselect.spaces import Int, SearchSpace


class _Bad(ClassifierMixin, BaseEstimator):
    """A classifier that misbehaves in ``fit`` according to ``mode``."""

    def __init__(self, mode="hang", size=1):
        self.mode = mode
        self.size = size

    def fit(self, X, y):
        if self.mode == "hang":
            while True:
                time.sleep(0.01)
        elif self.mode == "c_call":
            a = np.random.default_rng(0).normal(size=(self.size, self.size))
            np.linalg.inv(a @ a.T + np.eye(self.size))
        elif self.mode == "hog":
            blocks = [np.ones(2**27) for _ in range(64)]  # 1 GiB each, touched
            del blocks
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _bad_family(mode: str, size: int = 1) -> Family:
    return Family(f"bad_{mode}", "classification", lambda params, rs: _Bad(mode, **params),
                  SearchSpace({"size": Int(size, size + 1)}, default={"size": size}), prior=1.0)


def _burn(seconds: float) -> None:
    end = time.time() + seconds
    x = 0
    while time.time() < end:
        x += 1


def _c_call_size(seconds: float) -> int:
    """A matrix size whose inversion takes about ``seconds`` on this machine (one thread or more)."""
    size = 500
    while True:
        start = time.perf_counter()
        _Bad("c_call", size).fit(np.zeros((2, 1)), np.array([0, 1]))
        took = time.perf_counter() - start
        if took >= seconds / 8 or size > 20_000:
            return int(size * (seconds / max(took, 1e-3)) ** (1 / 3))
        size *= 2


def _scenarios(budget: float):
    portfolio = list(FAMILY_ORDER["classification"])
    c_size = _c_call_size(1.5 * budget)
    return [
        ("baseline", portfolio, {}, False),
        ("python hang", [_bad_family("hang"), *portfolio], {}, False),
        (f"long C call ({c_size}x{c_size} inverse)", [_bad_family("c_call", c_size), *portfolio], {}, False),
        ("memory hog (limit 1000 MiB)", [_bad_family("hog"), *portfolio], {"memory_limit": 1000}, False),
        ("loaded machine", portfolio, {}, True),
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budgets", type=float, nargs="+", default=[10, 30])
    parser.add_argument("--n-jobs", type=int, nargs="+", default=[1])
    parser.add_argument("--rows", type=int, default=3000)
    args = parser.parse_args(argv)
    X, y = make_classification(n_samples=args.rows, n_features=20, n_informative=10, random_state=0)

    print(f"cores: {os.cpu_count()}")
    print("| scenario | n_jobs | budget (s) | fit (s) | over (%) | within 10% or 5 s | bad candidate "
          "| evaluated | best | training score |")
    print("|---|---:|---:|---:|---:|:-:|---|---:|---|---:|")
    for budget in args.budgets:
        for name, estimators, extra, loaded in _scenarios(budget):
            for n_jobs in args.n_jobs:
                burners = []
                if loaded:
                    burners = [multiprocessing.Process(target=_burn, args=(3 * budget,))
                               for _ in range(os.cpu_count() or 1)]
                    for p in burners:
                        p.start()
                model = MetaSelectorClassifier(time_budget=budget, estimators=estimators, n_jobs=n_jobs,
                                               random_state=0, **extra)
                start = time.perf_counter()
                model.fit(X, y)
                took = time.perf_counter() - start
                for p in burners:
                    p.terminate()
                    p.join()
                board = model.leaderboard_
                bad = board[board["algorithm"].str.startswith("bad_")]
                bad_status = ", ".join(f"{s} x{n}" for s, n in bad["status"].value_counts().items()) or "-"
                over = took - budget
                ok = over <= max(0.1 * budget, 5.0)
                print(f"| {name} | {n_jobs} | {budget:g} | {took:.1f} | {100 * over / budget:+.0f} | "
                      f"{'yes' if ok else 'no'} | {bad_status} | {len(board)} | "
                      f"{model.best_config_['algorithm']} | {model.score(X, y):.3f} |", flush=True)


if __name__ == "__main__":
    main()

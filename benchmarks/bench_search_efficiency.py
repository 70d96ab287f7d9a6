"""Where the search's time goes: evaluations that count against evaluations that are wasted.

For every dataset and budget, one ``MetaSelector`` fit (one thread, ``n_jobs=1``)
on a stratified 75% split; every evaluation the search runs is recorded (by
wrapping ``Runner.evaluate``) and the table shows:

* ``evals``: evaluations run; ``ok`` / ``pruned`` / ``timeout`` / ``failed``: their
  outcome (``finished`` = ok + pruned, the evaluations whose score counts);
* ``timeout %``: seconds spent in evaluations that timed out, as a share of the
  fit's wall time (goal: under 5%);
* ``counted %``: seconds spent in finished evaluations, as a share of the fit;
* ``overhead ms``: time between the first evaluation's start and the last one's
  end not spent inside an evaluation, per evaluation (planning, ranking,
  dispatch; goal: under 10 ms);
* ``fit s`` and ``test``: the fit's wall time and its held-out score (balanced
  accuracy or R^2 on the other 25%);
* ``flaml``: FLAML's number of trials with the same budget (when ``flaml`` is
  importable and ``--flaml`` is given), for reference.

Datasets: ``bundled`` (scikit-learn's breast cancer, digits and diabetes, all
rows), ``flaml`` (the held-out datasets of ``benchmarks/compare.py``, read from
``--corpus``), or names of either. ``--models`` takes the held-out models folder of
``benchmarks/compare.py`` (its ``times.npz`` too: the fit-time model trained without the
held-out families), ``--no-fit-times`` leaves the fit-time model out. Examples::

    OMP_NUM_THREADS=1 python benchmarks/bench_search_efficiency.py --budgets 20
    python benchmarks/bench_search_efficiency.py --datasets bundled flaml --models OUT/models [--no-fit-times]
    python benchmarks/bench_search_efficiency.py --datasets flaml --budgets 5 20 60 --flaml
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.metrics import balanced_accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor
from metaselect.search import Runner

BUNDLED = {
    "breast_cancer": (load_breast_cancer, "classification"),
    "digits": (load_digits, "classification"),
    "diabetes": (load_diabetes, "regression"),
}
STATUSES = ("ok", "pruned", "timeout", "failed")


class Recorder:
    """Wraps ``Runner.evaluate`` to keep every trial and the span the evaluations covered."""

    def __init__(self):
        self.trials, self.first, self.last = [], None, None
        self._original = Runner.evaluate

    def __enter__(self):
        original = self._original

        def evaluate(runner, *args, **kwargs):
            start = time.time()
            trials = original(runner, *args, **kwargs)
            if trials:
                self.first = start if self.first is None else self.first
                self.last = time.time()
                self.trials.extend(trials)
            return trials

        Runner.evaluate = evaluate
        return self

    def __exit__(self, *exc):
        Runner.evaluate = self._original


def load(name: str, corpus: str | None):
    if name in BUNDLED:
        loader, task = BUNDLED[name]
        X, y = loader(return_X_y=True)
        return X, y, task
    from metaselect.datasets import DatasetFolder

    folder = DatasetFolder(corpus)
    X, y = folder.load(name)
    return X, y, folder[name].task


def flaml_names(corpus: str) -> list[str]:
    sys.path.insert(0, str(Path(__file__).parent))
    from compare import held_out_datasets  # the FLAML benchmark's datasets

    from metaselect.datasets import DatasetFolder

    return held_out_datasets(DatasetFolder(corpus), 12, 6, 0)


def flaml_trials(task, X, y, budget) -> float:
    try:
        from flaml import AutoML
    except ImportError:
        return float("nan")
    automl = AutoML()
    automl.fit(X, y, task="classification" if task == "classification" else "regression",
               time_budget=budget, n_jobs=1, verbose=0, seed=0)
    return float(sum(automl._iter_per_learner.values()))  # every trial (config_history keeps improvements)


def ranker(models: str | None, fit_times: bool):
    """The held-out ranker of ``compare.py`` in ``models`` (``None``: the shipped one), with or
    without the fit-time model."""
    if models is None:
        from metaselect.metamodel import MetaModelRanker

        return None if fit_times else MetaModelRanker(fit_times=False)
    sys.path.insert(0, str(Path(__file__).parent))
    from compare import _ranker_from

    return _ranker_from(Path(models), fit_times=fit_times)


def run(name, budget, corpus, seed, with_flaml, models=None, fit_times=True) -> dict:
    X, y, task = load(name, corpus)
    stratify = y if task == "classification" else None
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=stratify, random_state=seed)
    est = (MetaSelectorClassifier if task == "classification" else MetaSelectorRegressor)(
        time_budget=budget, n_jobs=1, random_state=seed, ranker=ranker(models, fit_times))
    with Recorder() as rec, threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.time()
        est.fit(X_tr, y_tr)
        wall = time.time() - start
    metric = balanced_accuracy_score if task == "classification" else r2_score
    by = {s: [t for t in rec.trials if t.status == s] for s in STATUSES}
    inside = sum(t.duration for t in rec.trials)
    span = (rec.last - rec.first) if rec.trials else 0.0
    row = {"dataset": name, "budget": budget, "evals": len(rec.trials),
           **{s: len(by[s]) for s in STATUSES},
           "finished": len(by["ok"]) + len(by["pruned"]),
           "timeout %": 100 * sum(t.duration for t in by["timeout"]) / wall,
           "counted %": 100 * sum(t.duration for t in by["ok"] + by["pruned"]) / wall,
           "overhead ms": 1000 * (span - inside) / max(len(rec.trials), 1),
           "fit s": wall, "test": metric(y_te, est.predict(X_te)),
           "winner": est.best_config_["algorithm"]}
    if with_flaml:
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row["flaml"] = flaml_trials(task, X_tr, y_tr, budget)
    return row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["bundled"],
                        help="'bundled', 'flaml', or dataset names (bundled or in --corpus)")
    parser.add_argument("--budgets", type=float, nargs="+", default=[20.0], choices=[5.0, 20.0, 60.0])
    parser.add_argument("--corpus", default="/work/shared/corpus", help="dataset folder of the FLAML benchmark")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flaml", action="store_true", help="also count FLAML's trials on the same data")
    parser.add_argument("--models", default=None,
                        help="held-out models folder of compare.py (default: the shipped meta-model)")
    parser.add_argument("--no-fit-times", action="store_true",
                        help="without the fit-time model: the network's predicted times, where it is used")
    args = parser.parse_args(argv)
    names = []
    for entry in args.datasets:
        names += list(BUNDLED) if entry == "bundled" else flaml_names(args.corpus) if entry == "flaml" else [entry]
    columns = ["dataset", "budget", "evals", "finished", *STATUSES, "timeout %", "counted %", "overhead ms",
               "fit s", "test", "winner"] + (["flaml"] if args.flaml else [])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for budget in args.budgets:
        for name in names:
            row = run(name, budget, args.corpus, args.seed, args.flaml, args.models, not args.no_fit_times)
            cells = [f"{row[c]:.3f}" if c == "test" else f"{row[c]:.1f}" if isinstance(row[c], float)
                     else str(row[c]) for c in columns]
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

"""How well the search predicts what a candidate's cross-validation will cost.

Before every evaluation the search predicts its seconds from the meta-model's
time prediction (seconds per fold at the knowledge base's reference size,
scaled to the rung by the family's power law). ``TimeModel.correction``
corrects that prediction with the times measured so far on the dataset. This
script fits a ``MetaSelector`` on datasets of a dataset folder and, for every
evaluation that finished (``ok``), compares the measured seconds with both
predictions made just before it ran: the raw one and the corrected one.

    python benchmarks/bench_time_predictions.py /work/shared/corpus --names abalone cal_housing

Prints, per dataset and overall, the median and the 90th percentile of
``|log(measured / predicted)|`` (0.69 means a factor of 2) and the median
signed log ratio (negative: predictions too high).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor
from metaselect.datasets import DatasetFolder
from metaselect.search import Runner


def record_predictions(rows: list, dataset: str):
    """Patch ``Runner.evaluate`` to log both predictions before, and the measured time after."""
    original = Runner.evaluate

    def evaluate(self, configs, n_samples, rung, **kwargs):
        before = {c: (self.time.predicted(c, n_samples), self.time.correction(c.family))
                  for c in configs}
        trials = original(self, configs, n_samples, rung, **kwargs)
        for trial in trials:
            corrected, factor = before[trial.config]
            if trial.status == "ok" and np.isfinite(corrected) and trial.duration > 0:
                rows.append({"dataset": dataset, "family": trial.config.family, "rows": n_samples,
                             "measured": trial.duration, "raw": corrected / factor, "corrected": corrected})
        return trials

    Runner.evaluate = evaluate
    return original


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--names", nargs="+", required=True)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    folder = DatasetFolder(args.folder)
    rows: list = []
    for name in args.names:
        X, y = folder.load(name)
        cls = MetaSelectorClassifier if folder[name].task == "classification" else MetaSelectorRegressor
        original = record_predictions(rows, name)
        try:
            with threadpool_limits(1):
                cls(time_budget=args.budget, random_state=args.seed, n_jobs=1).fit(X, y)
        finally:
            Runner.evaluate = original
    frame = pd.DataFrame(rows)
    for kind in ("raw", "corrected"):
        frame[f"log_{kind}"] = np.log(frame["measured"] / frame[kind])

    def stats(group: pd.DataFrame) -> pd.Series:
        out = {"evaluations": len(group)}
        for kind in ("raw", "corrected"):
            err = group[f"log_{kind}"]
            out[f"{kind} median |log|"] = err.abs().median()
            out[f"{kind} p90 |log|"] = err.abs().quantile(0.9)
            out[f"{kind} median log"] = err.median()
        return pd.Series(out)

    table = frame.groupby("dataset").apply(stats, include_groups=False)
    table.loc["all"] = stats(frame)
    print(table.round(2).to_markdown())


if __name__ == "__main__":
    main()

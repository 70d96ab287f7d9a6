"""Forests with and without their leaf cap (``FOREST_LEAF_BUDGET``) on large tables.

A fully grown tree has about one leaf per training row, so on large tables a forest is the
largest object a fit holds. ``Family.build(params, n_rows=N)`` caps a forest's leaves at
``FOREST_LEAF_BUDGET // n_estimators`` per tree where its trees could outgrow that. For each
table of the scale benchmark named, the default random forest and extra trees are fitted on the
first ``--rows`` rows of its training split (the search's preprocessing, one thread) twice,
built without the rows (the configuration as it is) and with them (capped where the cap can
bind); printed: the held-out score (at most 50,000 test rows), fit seconds, the pickled
model's size, leaves per tree. One process, sequential: pin it to a core::

    taskset -c 1 python benchmarks/bench_forest_leaves.py --tables Birthdays:93216 movielens:50000
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import pickle  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import balanced_accuracy_score, r2_score  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import CLF, load_split, select_tables  # noqa: E402

from metaselect.portfolio import Portfolio  # noqa: E402
from metaselect.preprocessing import check_X, make_candidate_pipeline  # noqa: E402

TEST_ROWS = 50_000


def measure(table, n_rows: int, seed: int = 0) -> list[dict]:
    _, X_train, X_test, y_train, y_test = load_split(table, 1_500_000, seed)
    X, y = X_train.iloc[:n_rows], np.asarray(y_train)[:n_rows]
    X_test, y_test = X_test.iloc[:TEST_ROWS], np.asarray(y_test)[:TEST_ROWS]
    task = "classification" if table.task == CLF else "regression"
    score = balanced_accuracy_score if task == "classification" else r2_score
    _, schema = check_X(X)
    portfolio = Portfolio(task)
    rows = []
    for family in ("random_forest", "extra_trees"):
        config = portfolio[family].default_config()
        for capped in (False, True):
            model = make_candidate_pipeline(portfolio[family], config.params, schema, random_state=0,
                                            n_rows=len(y) if capped else None)
            started = time.perf_counter()
            model.fit(X, y)
            fit_s = time.perf_counter() - started
            forest = model[-1]
            rows.append({"table": table.name, "rows": len(y), "family": family,
                         "max_leaf_nodes": forest.max_leaf_nodes, "score": score(y_test, model.predict(X_test)),
                         "fit s": fit_s, "model MB": len(pickle.dumps(model)) / 2**20,
                         "leaves per tree": float(np.mean([t.tree_.n_leaves for t in forest.estimators_]))})
            del model, forest
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", required=True, help="NAME:ROWS, e.g. Birthdays:93216")
    args = parser.parse_args(argv)
    rows = []
    for spec in args.tables:
        name, _, n = spec.partition(":")
        for table in select_tables("design", [name]):
            rows += measure(table, int(n or 50_000))
            print(pd.DataFrame(rows[-4:]).to_markdown(index=False, floatfmt=".4g"), flush=True)
    print("\n" + pd.DataFrame(rows).to_markdown(index=False, floatfmt=".4g"))


if __name__ == "__main__":
    main()

"""The early-stopped anchor against variants of it, each fitted alone on all training rows.

For every table of ``bench_scale.py``'s sets with more than 10,000 training rows (the early-stopped
anchor's domain), split 0 (25% held out), one thread: the histogram boosting default with its
space's most iterations (the anchor) and variants of it, each fitted on all training rows through
metaselect's preprocessing, scored on the held-out rows (R^2 or balanced accuracy). It chose the
wider twin (``metaselect.search._halving.WIDER_ANCHOR``; docs/search_guide.md)::

    OMP_NUM_THREADS=1 taskset -c 1 python benchmarks/anchor_variants.py            # the design set
    OMP_NUM_THREADS=1 taskset -c 1 python benchmarks/anchor_variants.py --set keptout

Prints one JSON line per fit and then the tables of scores, fit seconds and iterations.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale  # noqa: E402

from metaselect.portfolio import Portfolio  # noqa: E402
from metaselect.preprocessing import check_X, make_candidate_pipeline  # noqa: E402

#: name -> parameters changed from the anchor's.
VARIANTS = {
    "anchor": {},
    "leaves128": {"max_leaf_nodes": 128},
    "leaves128_lr05": {"max_leaf_nodes": 128, "learning_rate": 0.05},
    "leaves64_l2": {"max_leaf_nodes": 64, "l2_regularization": 1.0},
}
MIN_TRAIN_ROWS = 10_000


def fit_variants(table) -> list[dict]:
    from sklearn.metrics import balanced_accuracy_score, r2_score
    from sklearn.preprocessing import LabelEncoder

    _, X_train, X_test, y_train, y_test = bench_scale.load_split(table, 1_500_000, 0)
    if len(X_train) <= MIN_TRAIN_ROWS:
        return []
    family = Portfolio(table.task)["hist_gradient_boosting"]
    X_train, schema = check_X(X_train)
    X_test, _ = check_X(X_test, schema)
    metric = r2_score
    if table.task == "classification":
        labels = LabelEncoder().fit(y_train)
        y_train, y_test, metric = labels.transform(y_train), labels.transform(y_test), balanced_accuracy_score
    longest = family.space.params[family.work_param].high
    rows = []
    for name, change in VARIANTS.items():
        params = {**family.default_config().params, family.work_param: longest, **change}
        model = make_candidate_pipeline(family, params, schema, random_state=0, n_rows=len(X_train))
        started = time.perf_counter()
        model.fit(X_train, y_train)
        row = {"table": table.name, "task": table.task, "rows": len(X_train), "variant": name,
               "score": round(float(metric(y_test, model.predict(X_test))), 4),
               "fit_s": round(time.perf_counter() - started, 1), "n_iter": int(model[-1].n_iter_)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(bench_scale.SETS), default="design", dest="table_set")
    parser.add_argument("--tables", nargs="+", default=None, help="these tables (NAME or ITEM)")
    args = parser.parse_args(argv)
    rows = [row for table in bench_scale.select_tables(args.table_set, args.tables) for row in fit_variants(table)]
    frame = pd.DataFrame(rows)
    for value in ("score", "fit_s", "n_iter"):
        print(f"\n{value}\n")
        print(frame.pivot(index="table", columns="variant", values=value)[list(VARIANTS)].to_markdown())


if __name__ == "__main__":
    main()

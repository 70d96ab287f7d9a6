"""Target encoding of many-valued columns: what the search's rule keeps, and what it would have scored.

For every regression table with columns for it (``metaselect.preprocessing.target_encoded_columns``)
and at least ``--min-rows`` rows (at most ``--max-rows``, subsampled), the histogram boosting default
without and with those columns target-encoded: its 5-fold cross-validated lead on the training
split (75%, seed 0) in standard errors of the fold-by-fold difference (the search keeps target
encoding above ``TARGET_ENCODING_STANDARD_ERRORS``) and the held-out R^2 of both, fitted on the
whole training split. One thread; both variants with one model seed.

    python benchmarks/target_encoding.py ../shared/corpus kb/.data      # dataset folders
    python benchmarks/target_encoding.py --scale design keptout         # bench_scale.py's tables

Prints one line per table, then the tables kept and not kept with their mean held-out difference
and wins/ties/losses (within 0.001: a tie).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.model_selection import KFold, train_test_split  # noqa: E402
from sklearn.utils import _safe_indexing  # noqa: E402

from metaselect.portfolio import Portfolio  # noqa: E402
from metaselect.preprocessing import check_X, make_candidate_pipeline, target_encoded_columns  # noqa: E402
from metaselect.search._halving import EARLY_STOPPING_ROWS, TARGET_ENCODING_STANDARD_ERRORS  # noqa: E402

FOLDS = 5


def _tables(args):
    """``(source, name, X, y)`` of every regression table asked for."""
    if args.scale:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import bench_scale

        for set_name in args.scale:
            for table in bench_scale.select_tables(set_name, None):
                if table.task == "regression":
                    X, y = bench_scale.load_table(table)
                    yield set_name, table.name, X, y
        return
    from metaselect.datasets import DatasetFolder

    for path in args.folders:
        folder = DatasetFolder(path)
        for name in folder.names("regression"):
            X, y = folder.load(name)
            yield Path(path).name, name, X, y


def compare(X, y, max_rows: int):
    """``(columns, fold leads, held-out plain, held-out encoded)``, or ``None`` without columns."""
    if len(X) > max_rows:
        X, _, y, _ = train_test_split(X, y, train_size=max_rows, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, np.asarray(y, dtype=float), test_size=0.25,
                                                        random_state=0)
    Xc, schema = check_X(X_train.reset_index(drop=True))
    Xt = check_X(X_test.reset_index(drop=True), schema)[0]
    columns = target_encoded_columns(Xc, schema)
    if not columns:
        return None
    family = Portfolio("regression")["hist_gradient_boosting"]
    params = dict(family.default_config().params)
    if len(y_train) * (FOLDS - 1) / FOLDS > EARLY_STOPPING_ROWS:  # the anchor the search would run
        params["max_iter"] = family.space.params["max_iter"].high

    def fit(rows, encoded):
        pipe = make_candidate_pipeline(family, params, schema, random_state=7,
                                       target_encoded=columns if encoded else ())
        return pipe.fit(_safe_indexing(Xc, rows), y_train[rows])

    leads = []
    for train, test in KFold(FOLDS, shuffle=True, random_state=0).split(y_train):
        plain, encoded = (r2_score(y_train[test], fit(train, e).predict(_safe_indexing(Xc, test)))
                          for e in (False, True))
        leads.append(encoded - plain)
    every = np.arange(len(y_train))
    held = [r2_score(y_test, fit(every, e).predict(Xt)) for e in (False, True)]
    return columns, np.array(leads), held[0], held[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", help="dataset folders (metaselect.datasets.DatasetFolder)")
    parser.add_argument("--scale", nargs="+", choices=["design", "keptout"], help="bench_scale.py's tables")
    parser.add_argument("--min-rows", type=int, default=1000)
    parser.add_argument("--max-rows", type=int, default=20_000)
    args = parser.parse_args(argv)
    if not args.folders and not args.scale:
        parser.error("give dataset folders or --scale")
    warnings.filterwarnings("ignore")
    rows = []
    for source, name, X, y in _tables(args):
        if len(X) < args.min_rows:
            continue
        try:
            result = compare(X, y, args.max_rows)
        except ValueError as exc:  # a table check_X refuses
            print(f"{source} {name}: skipped ({exc})")
            continue
        if result is None:
            continue
        columns, leads, plain, encoded = result
        se = max(leads.std(ddof=1) / np.sqrt(leads.size), 1e-12)
        rows.append({"source": source, "table": name, "rows": len(X), "columns": len(columns),
                     "lead": leads.mean(), "standard_errors": leads.mean() / se,
                     "plain": plain, "encoded": encoded, "difference": encoded - plain})
        print(f"{source:8s} {name:36s} {len(X):7d} rows, {len(columns):2d} column(s): lead {leads.mean():+.4f} "
              f"({leads.mean() / se:+5.1f} SE); held out {plain:.4f} -> {encoded:.4f} ({encoded - plain:+.4f})",
              flush=True)
    if not rows:
        print("no table has columns for target encoding")
        return
    frame = pd.DataFrame(rows)
    kept = frame["standard_errors"] > TARGET_ENCODING_STANDARD_ERRORS
    for label, part in (("kept", frame[kept]), ("not kept", frame[~kept])):
        if part.empty:
            print(f"{label}: no table")
            continue
        d = part["difference"]
        print(f"{label}: {len(part)} table(s), held-out difference {d.mean():+.4f} (W/T/L "
              f"{(d > 0.001).sum()}/{(d.abs() <= 0.001).sum()}/{(d < -0.001).sum()})")


if __name__ == "__main__":
    main()

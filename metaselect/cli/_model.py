"""``metaselect fit`` and ``metaselect predict``: CSV in, joblib model and predictions out."""

from __future__ import annotations

import sys

import joblib
import pandas as pd

from ..estimator import MetaSelector
from ._common import add_search_options, format_leaderboard, read_table


def register(sub) -> None:
    fit = sub.add_parser(
        "fit",
        help="fit a MetaSelector on a CSV file and save it with joblib",
        description="Read DATA (CSV, may be gzip-compressed; empty fields are missing values, "
        "non-numeric columns are categorical), fit a MetaSelector to predict --target from every "
        "other column, print the leaderboard, and save the fitted selector to --out.",
    )
    fit.add_argument("data", metavar="DATA.csv", help="training data with a header row")
    fit.add_argument("--target", required=True, help="name of the column to predict")
    fit.add_argument("--out", required=True, help="where to write the fitted model (.joblib)")
    fit.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                     help="learning task (default: inferred from the target)")
    add_search_options(fit)
    fit.set_defaults(func=run_fit)

    predict = sub.add_parser(
        "predict",
        help="predict with a saved model for the rows of a CSV file",
        description="Load MODEL (written by 'metaselect fit'), predict for every row of DATA and "
        "write a CSV with a 'prediction' column (and one probability column per class with "
        "--proba) to --out, or to standard output.",
    )
    predict.add_argument("model", metavar="MODEL.joblib", help="a model saved by 'metaselect fit'")
    predict.add_argument("data", metavar="DATA.csv", help="rows to predict (extra columns, such as "
                         "the target, are ignored)")
    predict.add_argument("--out", default=None, help="output CSV (default: standard output)")
    predict.add_argument("--proba", action="store_true", help="add class probabilities")
    predict.set_defaults(func=run_predict)


def run_fit(args) -> int:
    frame = read_table(args.data)
    if args.target not in frame.columns:
        raise KeyError(f"target column {args.target!r} is not in {args.data}; "
                       f"columns are {list(frame.columns)}")
    X, y = frame.drop(columns=[args.target]), frame[args.target]
    model = MetaSelector(task=args.task, time_budget=args.budget, scoring=args.scoring, cv=args.cv,
                         n_jobs=args.n_jobs, random_state=args.seed, verbose=args.verbose)
    model.fit(X, y)
    joblib.dump(model, args.out)
    print(format_leaderboard(model.leaderboard_))
    print(f"\n{model.task_}: best {model.best_config_['algorithm']} "
          f"(cv score {model.best_score_:.4f}); saved to {args.out}")
    return 0


def run_predict(args) -> int:
    model = joblib.load(args.model)
    frame = read_table(args.data)
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise KeyError(f"{args.data} lacks the model's feature column(s) {missing}")
        frame = frame[list(names)]
    out = pd.DataFrame({"prediction": model.predict(frame)})
    if args.proba:
        if not hasattr(model, "predict_proba"):
            raise ValueError("this model does not provide class probabilities")
        proba = model.predict_proba(frame)
        for i, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, i]
    out.to_csv(args.out if args.out else sys.stdout, index=False)
    return 0

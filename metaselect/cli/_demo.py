"""``metaselect demo``: fit on a dataset bundled with scikit-learn and report."""

from __future__ import annotations

import time

from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.model_selection import train_test_split

from .._tasks import SCORING
from ..estimator import MetaSelectorClassifier, MetaSelectorRegressor
from ._common import add_search_options, format_leaderboard

DATASETS = {
    "breast_cancer": (load_breast_cancer, MetaSelectorClassifier),
    "iris": (load_iris, MetaSelectorClassifier),
    "wine": (load_wine, MetaSelectorClassifier),
    "diabetes": (load_diabetes, MetaSelectorRegressor),
}


def register(sub) -> None:
    parser = sub.add_parser(
        "demo",
        help="fit a MetaSelector on a bundled dataset and print the leaderboard and held-out score",
        description="Split a dataset bundled with scikit-learn 75/25, fit a MetaSelector on the "
        "training part within the budget, print the leaderboard and the score on the held-out part.",
    )
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="breast_cancer",
                        help="bundled dataset (default: breast_cancer)")
    add_search_options(parser)
    parser.set_defaults(func=run, budget=20.0)


def run(args) -> int:
    loader, estimator_cls = DATASETS[args.dataset]
    X, y = loader(return_X_y=True, as_frame=True)
    classification = estimator_cls is MetaSelectorClassifier
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=args.seed, stratify=y if classification else None
    )
    model = estimator_cls(time_budget=args.budget, scoring=args.scoring, cv=args.cv,
                          n_jobs=args.n_jobs, random_state=args.seed, verbose=args.verbose)
    print(f"Dataset {args.dataset}: {X_train.shape[0]} training rows, {X_test.shape[0]} held out, "
          f"{X.shape[1]} features. Budget {args.budget:g}s.")
    started = time.time()
    model.fit(X_train, y_train)
    print(f"\nLeaderboard (top 10 of {len(model.leaderboard_)}; fit took {time.time() - started:.1f}s):")
    print(format_leaderboard(model.leaderboard_))
    print(f"\nBest: {model.best_config_['algorithm']} {model.best_config_['params']}")
    print(f"Cross-validated score: {model.best_score_:.4f}")
    metric = args.scoring or SCORING[model.task_]
    print(f"Held-out {metric}: {model.score(X_test, y_test):.4f}")
    return 0

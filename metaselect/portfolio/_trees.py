"""Tree-based families: single trees, forests and boosting."""

from __future__ import annotations

import math
from functools import partial

from sklearn import ensemble, tree

from ..spaces import Categorical, Condition, Float, Int, SearchSpace
from ._family import Family

_IS_CLF = {"classification": True, "regression": False}


def _forest_space(task: str, bootstrap_default: bool) -> SearchSpace:
    params = {
        "n_estimators": Int(16, 512, log=True),
        "max_features": Categorical(("sqrt", "log2", 0.25, 0.5, 0.75, 1.0)),
        "min_samples_leaf": Int(1, 20, log=True),
        "min_samples_split": Int(2, 20, log=True),
        "bootstrap": Categorical((True, False)),
    }
    default = {
        "n_estimators": 100,
        "max_features": "sqrt" if task == "classification" else 1.0,
        "min_samples_leaf": 1,
        "min_samples_split": 2,
        "bootstrap": bootstrap_default,
    }
    if task == "classification":
        params["criterion"] = Categorical(("gini", "entropy"))
        params["class_weight"] = Categorical((None, "balanced", "balanced_subsample"))
        default.update(criterion="gini", class_weight=None)
    return SearchSpace(params, default=default)


#: A tree's fixed cost (bootstrap, nodes), in features examined at every split: a forest's fit time
#: is close to affine in the features each split examines (1,000 rows x 40 features, 50 trees, one
#: thread: 0.22, 0.28, 0.34, 0.54 and 1.12 s for log2, sqrt, 0.25, 0.5 and all of them).
SPLIT_OVERHEAD_FEATURES = 5.0


def _examined(max_features, n_features: int) -> float:
    """Features a split examines for scikit-learn's ``max_features`` on ``n_features`` columns."""
    if max_features == "sqrt":
        return max(1.0, n_features ** 0.5)
    if max_features == "log2":
        return max(1.0, math.log2(max(n_features, 1)))
    if max_features is None:
        return float(n_features)
    if isinstance(max_features, float):
        return max(1.0, max_features * n_features)
    return float(max_features)


def _forest_work(params, n_features):
    """Trees x (features examined per split + a tree's fixed cost); trees alone without ``n_features``."""
    if not n_features:
        return float(params["n_estimators"])
    return params["n_estimators"] * (_examined(params["max_features"], n_features) + SPLIT_OVERHEAD_FEATURES)


def _gb_work(params, n_features):
    """Trees x depth: every level of a tree scans every row (depth 1, 3, 6 and 10 on 1,000 rows x
    40 features, 50 trees, one thread: 0.22, 0.54, 0.95 and 2.13 s)."""
    return float(params["n_estimators"] * params["max_depth"])


def _adaboost_work(params, n_features):
    """Trees x (depth + 2): the reweighting and the predictions of every round cost about two
    levels of a tree (depth 1, 3 and 10, 50 rounds as above: 0.40, 0.79 and 1.56 s)."""
    return float(params["n_estimators"] * (params["max_depth"] + 2))


#: A forest's leaves in all trees together, at most: a fully grown tree has about one leaf per
#: training row, so on large tables an uncapped forest is the fit's largest object (the default
#: random forest on 93,216 rows of mosaicData Birthdays: 767 MB pickled; extra trees 1,250 MB).
#: Capped at this budget (``max_leaf_nodes`` = budget // trees: 10,485 for the default 100), the
#: same forests took 144 MB and scored the same or better on the tables where the cap binds
#: (Birthdays R^2 0.9867 -> 0.9870 and 0.9859 -> 0.9866, dslabs movielens 50,000 rows 0.2109 ->
#: 0.2183 and 0.1743 -> 0.2326; docs/search_guide.md, benchmarks/bench_forest_leaves.py).
FOREST_LEAF_BUDGET = 2**20


def _forest_row_params(params, n_rows):
    """``max_leaf_nodes`` for a forest fitted on ``n_rows`` rows when its trees could outgrow
    their share of ``FOREST_LEAF_BUDGET``; nothing otherwise (scikit-learn's best-first growth,
    which the cap switches to, took up to 46% more time on 1,000 rows where it did not bind)."""
    cap = max(FOREST_LEAF_BUDGET // int(params["n_estimators"]), 2)
    return {"max_leaf_nodes": cap} if n_rows // int(params.get("min_samples_leaf", 1)) > cap else {}


def _forest(cls_name, params, random_state):
    return getattr(ensemble, cls_name)(n_jobs=1, random_state=random_state, **params)


def _tree_space(task: str) -> SearchSpace:
    params = {
        "limit_depth": Categorical((False, True)),
        "max_depth": Int(1, 30),
        "min_samples_leaf": Int(1, 50, log=True),
        "min_samples_split": Int(2, 40, log=True),
    }
    default = {"limit_depth": False, "min_samples_leaf": 1, "min_samples_split": 2}
    if task == "classification":
        params["criterion"] = Categorical(("gini", "entropy"))
        params["class_weight"] = Categorical((None, "balanced"))
        default.update(criterion="gini", class_weight=None)
    return SearchSpace(
        params, conditions=[Condition("max_depth", "limit_depth", (True,))], default=default
    )


def _decision_tree(task, params, random_state):
    params = dict(params)
    params["max_depth"] = params.pop("max_depth", None) if params.pop("limit_depth") else None
    cls = tree.DecisionTreeClassifier if _IS_CLF[task] else tree.DecisionTreeRegressor
    return cls(random_state=random_state, **params)


def _hgb_space(task: str) -> SearchSpace:
    params = {
        "learning_rate": Float(0.01, 1.0, log=True),
        "max_iter": Int(32, 512, log=True),
        "max_leaf_nodes": Int(4, 128, log=True),
        "min_samples_leaf": Int(2, 200, log=True),
        "l2_regularization": Float(1e-10, 10.0, log=True),
        "max_features": Float(0.1, 1.0),
    }
    default = {
        "learning_rate": 0.1,
        "max_iter": 100,
        "max_leaf_nodes": 31,
        "min_samples_leaf": 20,
        "l2_regularization": 1e-10,
        "max_features": 1.0,
    }
    if task == "classification":
        params["class_weight"] = Categorical((None, "balanced"))
        default["class_weight"] = None
    return SearchSpace(params, default=default)


#: Histogram boosting's fit time grows slowly with rows (binning once, then histograms of a few
#: hundred bins): the default, one thread, from 1,000 to 19,000 rows went 0.20 -> 0.48 s on
#: keel_magic and 3.5 -> 12.0 s on letter (26 classes), from 1,000 to 30,000 rows 0.20 -> 0.54 s on
#: fried: exponents 0.30, 0.42 and 0.29. The default exponent (1.1) predicted the default 25 times
#: too slow on 15,480 rows of cal_housing (7.6 s against 0.31 s).
HGB_TIME_EXPONENT = 0.4


def _hgb(task, params, random_state):
    cls = ensemble.HistGradientBoostingClassifier if _IS_CLF[task] else ensemble.HistGradientBoostingRegressor
    return cls(random_state=random_state, **params)


def _gb_space() -> SearchSpace:
    return SearchSpace(
        {
            "n_estimators": Int(16, 512, log=True),
            "learning_rate": Float(0.01, 1.0, log=True),
            "max_depth": Int(1, 10),
            "subsample": Float(0.5, 1.0),
            "min_samples_leaf": Int(1, 50, log=True),
        },
        default={
            "n_estimators": 100,
            "learning_rate": 0.1,
            "max_depth": 3,
            "subsample": 1.0,
            "min_samples_leaf": 1,
        },
    )


def _gb(task, params, random_state):
    cls = ensemble.GradientBoostingClassifier if _IS_CLF[task] else ensemble.GradientBoostingRegressor
    return cls(random_state=random_state, **params)


def _adaboost_space(task: str) -> SearchSpace:
    params = {
        "n_estimators": Int(16, 512, log=True),
        "learning_rate": Float(0.01, 2.0, log=True),
        "max_depth": Int(1, 10),
    }
    default = {"n_estimators": 50, "learning_rate": 1.0, "max_depth": 1 if task == "classification" else 3}
    if task == "regression":
        params["loss"] = Categorical(("linear", "square", "exponential"))
        default["loss"] = "linear"
    return SearchSpace(params, default=default)


def _adaboost(task, params, random_state):
    params = dict(params)
    depth = params.pop("max_depth")
    if _IS_CLF[task]:
        base = tree.DecisionTreeClassifier(max_depth=depth)
        return ensemble.AdaBoostClassifier(base, random_state=random_state, **params)
    base = tree.DecisionTreeRegressor(max_depth=depth)
    return ensemble.AdaBoostRegressor(base, random_state=random_state, **params)


def _families(task: str, priors: dict) -> list[Family]:
    return [
        Family("random_forest", task, partial(_forest, "RandomForestClassifier" if _IS_CLF[task] else "RandomForestRegressor"),
               _forest_space(task, True), categorical="ordinal", prior=priors["random_forest"], work_model=_forest_work,
               row_params=_forest_row_params,
               description="Random forest."),
        Family("extra_trees", task, partial(_forest, "ExtraTreesClassifier" if _IS_CLF[task] else "ExtraTreesRegressor"),
               _forest_space(task, False), categorical="ordinal", prior=priors["extra_trees"], work_model=_forest_work,
               row_params=_forest_row_params,
               description="Extremely randomised trees."),
        Family("hist_gradient_boosting", task, partial(_hgb, task), _hgb_space(task), categorical="ordinal",
               accepts_sparse=False, prior=priors["hist_gradient_boosting"], work_param="max_iter",
               time_exponent=HGB_TIME_EXPONENT,
               trees_per_class=_IS_CLF[task], description="Histogram-based gradient boosting (LightGBM-style)."),
        Family("gradient_boosting", task, partial(_gb, task), _gb_space(), categorical="ordinal",
               prior=priors["gradient_boosting"], work_model=_gb_work, trees_per_class=_IS_CLF[task],
               description="Classic gradient boosting of trees."),
        Family("decision_tree", task, partial(_decision_tree, task), _tree_space(task), categorical="ordinal",
               prior=priors["decision_tree"], description="A single CART decision tree."),
        Family("adaboost", task, partial(_adaboost, task), _adaboost_space(task), categorical="ordinal",
               prior=priors["adaboost"], work_model=_adaboost_work, description="AdaBoost over shallow trees."),
    ]


_PRIORS = {
    "classification": {"random_forest": 0.85, "extra_trees": 0.75, "hist_gradient_boosting": 0.9,
                       "gradient_boosting": 0.65, "decision_tree": 0.3, "adaboost": 0.35},
    "regression": {"random_forest": 0.8, "extra_trees": 0.75, "hist_gradient_boosting": 0.9,
                   "gradient_boosting": 0.7, "decision_tree": 0.3, "adaboost": 0.35},
}

FAMILIES = _families("classification", _PRIORS["classification"]) + _families(
    "regression", _PRIORS["regression"]
)

"""Saving and loading: skops with metaselect's trust list, pickles with their versions."""

import os

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.datasets import load_diabetes, make_classification
from sklearn.linear_model import LogisticRegression

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor
from metaselect import _version as version
from metaselect.estimator import TRUSTED_TYPES, InconsistentVersionWarning, load_model, save_model
from metaselect.portfolio import Portfolio
from metaselect.preprocessing import check_X
from metaselect.preprocessing._pipeline import make_candidate_pipeline
from metaselect.search import AdaptiveHalving, StaticPriorRanker, SuccessiveHalving, ZeroShot

FAST = dict(time_budget=60, max_evals=6, cv=3, random_state=0)


def _round_trip(model, X, path):
    save_model(model, path)
    assert set(skops.io.get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)
    loaded = load_model(path)
    assert type(loaded) is type(model) and sorted(vars(loaded)) == sorted(vars(model))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    pd.testing.assert_frame_equal(loaded.leaderboard_, model.leaderboard_)
    pd.testing.assert_series_equal(loaded.meta_features_, model.meta_features_)
    assert loaded.best_config_ == model.best_config_
    assert {k: _settings(v) for k, v in loaded.get_params().items()} == {
        k: _settings(v) for k, v in model.get_params().items()}
    return loaded


def _settings(value):
    """A search strategy or ranker by its type and settings (they compare by identity)."""
    return (type(value), vars(value)) if hasattr(value, "run") or hasattr(value, "predictions") else value


def test_classifier_on_categorical_data_round_trips(tmp_path, mixed_frame):
    X, y = mixed_frame
    model = MetaSelectorClassifier(**FAST, estimators=["logistic_regression", "random_forest", "knn"])
    model.fit(X, y)
    loaded = _round_trip(model, X, tmp_path / "model.skops")
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.feature_names_in_, X.columns)


def test_regressor_and_ensemble_round_trip(tmp_path):
    X, y = load_diabetes(return_X_y=True)
    model = MetaSelectorRegressor(**dict(FAST, max_evals=8), ensemble_size=10,
                                  estimators=["ridge", "knn", "decision_tree", "elastic_net"]).fit(X, y)
    assert model.best_config_["algorithm"] == "ensemble"
    _round_trip(model, X, tmp_path / "ensemble.skops")


@pytest.mark.parametrize("search", [SuccessiveHalving(race=False), AdaptiveHalving(adapt=False), ZeroShot()])
def test_a_selector_given_its_search_and_ranker_round_trips(tmp_path, search):
    X, y = load_diabetes(return_X_y=True)
    budget = dict(time_budget=5) if isinstance(search, ZeroShot) else FAST
    model = MetaSelectorRegressor(**{**FAST, **budget}, search=search, ranker=StaticPriorRanker(),
                                  estimators=["ridge", "knn"]).fit(X, y)
    _round_trip(model, X, tmp_path / "model.skops")  # the search and ranker come back with their settings


def test_trust_list_is_what_the_families_need(mixed_frame):
    """Each type on the list is held by some fitted part of a selector; nothing else is needed."""
    X, y = mixed_frame
    X, schema = check_X(X)
    needed = set()
    dated, dated_schema = check_X(pd.DataFrame({"when": pd.date_range("2020-01-01", periods=len(y), freq="h")}))
    ridge = Portfolio("regression")["ridge"]
    pipeline = make_candidate_pipeline(ridge, ridge.default_config().params, dated_schema, 0)
    needed |= set(skops.io.get_untrusted_types(data=skops.io.dumps(pipeline.fit(dated, np.arange(len(y))))))
    for task, target in [("classification", y == "yes"), ("regression", np.linspace(0, 1, len(y)))]:
        configs = [(f, f.default_config().params) for f in Portfolio(task)]
        knn = Portfolio(task)["knn"]
        configs.append((knn, {**knn.default_config().params, "p": 1}))  # Manhattan distance
        for family, params in configs:
            pipeline = make_candidate_pipeline(family, params, schema, 0)
            try:
                pipeline.fit(X, target)
            except np.linalg.LinAlgError:  # qda on this data; it holds numpy arrays only
                continue
            needed |= set(skops.io.get_untrusted_types(data=skops.io.dumps(pipeline)))
    held_by_the_selector = {  # the selector itself, its ensembles, schema and scorer
        t for t in TRUSTED_TYPES
        if t.startswith(("metaselect.estimator.", "metaselect.ensemble.", "metaselect.search.",
                         "sklearn.metrics._scorer."))
        or t == "builtins.frozenset"  # InputSchema's canonical category forms
        or t.endswith(("InputSchema", "_score", "_error", "_loss", "matthews_corrcoef", "_deviance",
                       "_likelihood_ratio"))
    }
    assert needed <= set(TRUSTED_TYPES)
    assert set(TRUSTED_TYPES) - needed == held_by_the_selector


def test_untrusted_types_are_refused_with_their_names(tmp_path):
    path = tmp_path / "evil.skops"
    skops.io.dump({"payload": os.system}, path)
    with pytest.raises(ValueError, match=r"outside metaselect's trust list.*system"):
        load_model(path)


def test_a_model_that_is_not_a_fitted_selector_is_refused(tmp_path):
    X, y = make_classification(n_samples=50, random_state=0)
    path = tmp_path / "other.skops"
    skops.io.dump(LogisticRegression().fit(X, y), path)
    with pytest.raises(ValueError, match="not a metaselect model"):
        load_model(path)
    skops.io.dump(MetaSelectorClassifier(), path)
    with pytest.raises(ValueError, match="unfitted MetaSelectorClassifier"):
        load_model(path)


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_a_damaged_file_is_one_clear_error(tmp_path, mixed_frame, damage):
    X, y = mixed_frame
    path = tmp_path / "model.skops"
    save_model(MetaSelectorClassifier(**FAST, estimators=["logistic_regression"]).fit(X, y), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(ValueError, match="skops model file"):
        load_model(path)


def test_versions_are_checked_through_skops_and_pickle(tmp_path, mixed_frame, monkeypatch):
    X, y = mixed_frame
    model = MetaSelectorClassifier(**FAST, estimators=["logistic_regression"]).fit(X, y)
    monkeypatch.setattr(version, "__version__", "0.0.1")
    save_model(model, tmp_path / "old.skops")
    joblib.dump(model, tmp_path / "old.joblib")
    monkeypatch.undo()
    with pytest.warns(InconsistentVersionWarning, match="version 0.0.1"):
        load_model(tmp_path / "old.skops")
    with pytest.warns(InconsistentVersionWarning, match="version 0.0.1"):
        pickled = joblib.load(tmp_path / "old.joblib")
    pd.testing.assert_frame_equal(pickled.leaderboard_, model.leaderboard_)
    assert not hasattr(pickled, "_pandas") and not hasattr(pickled, "_metaselect_version")

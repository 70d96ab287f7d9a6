"""Faults a careful user meets: a fit that fails or is interrupted, and model files that are not models."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError

from metaselect import MetaSelectorClassifier, SearchFailedError
from metaselect.search import Runner

# max_evals, not the clock, ends these searches.
FAST = dict(time_budget=60, max_evals=4, cv=3, random_state=0,
            estimators=["logistic_regression", "decision_tree", "knn", "gaussian_nb"])


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture
def fitted(iris):
    X, y = iris
    return MetaSelectorClassifier(**FAST).fit(X, y)


def _state(model) -> dict:
    return {k: v for k, v in vars(model).items() if k.endswith("_") or k == "_schema"}


class _Fault(Exception):
    pass


def _raising_scorer(error):
    calls = []

    def scorer(estimator, X, y):
        calls.append(1)
        if len(calls) >= 2:  # the first candidate fold scores; the fault comes mid-search
            raise error
        return 0.5

    return scorer


def _assert_unchanged(model, before, X, predictions):
    after = _state(model)
    assert after.keys() == before.keys()
    assert all(after[k] is before[k] for k in before), [k for k in before if after[k] is not before[k]]
    np.testing.assert_array_equal(model.predict(X), predictions)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), _Fault("scorer broke")],
                         ids=["interrupt", "exception"])
def test_refit_that_fails_mid_search_leaves_the_fitted_selector_as_it_was(fitted, iris, error):
    X, y = iris
    before, predictions = _state(fitted), fitted.predict(X)
    relabelled = np.array(["setosa", "versicolor", "virginica"])[y]
    fitted.set_params(scoring=_raising_scorer(error))
    with pytest.raises((KeyboardInterrupt, _Fault, SearchFailedError)):
        fitted.fit(X[:, :3], relabelled)  # other labels, other width: nothing of it may leak
    _assert_unchanged(fitted, before, X, predictions)
    assert set(fitted.classes_) == {0, 1, 2}


def test_interrupt_during_the_refit_leaves_the_fitted_selector_as_it_was(fitted, iris, monkeypatch):
    X, y = iris
    before, predictions = _state(fitted), fitted.predict(X)

    def interrupted(self, config, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Runner, "refit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fitted.fit(X, 2 - y)
    _assert_unchanged(fitted, before, X, predictions)


def test_first_fit_that_fails_leaves_the_selector_unfitted(iris):
    X, y = iris
    model = MetaSelectorClassifier(**dict(FAST, scoring=_raising_scorer(KeyboardInterrupt())))
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert _state(model) == {}
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_a_successful_refit_replaces_the_whole_fitted_state(fitted, iris):
    import pandas as pd

    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    fitted.fit(frame, y)
    assert list(fitted.feature_names_in_) == ["a", "b", "c", "d"]
    fitted.fit(X, 2 - y)  # no column names now: the old ones must not survive
    assert not hasattr(fitted, "feature_names_in_")
    assert fitted.get_params()["scoring"] is None


class _Crash:
    """A model whose fit kills the process running it (as a segfault or the OOM killer would)."""

    def __init__(self, size=1):
        self.size = size

    def get_params(self, deep=True):
        return {"size": self.size}

    def set_params(self, **params):
        self.size = params.get("size", self.size)
        return self

    def fit(self, X, y):
        import os

        os._exit(3)


def test_a_candidate_that_kills_its_worker_fails_alone():
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.datasets import make_classification

    from metaselect import Family
    from metaselect.spaces import Int, SearchSpace

    class Crash(ClassifierMixin, BaseEstimator, _Crash):
        pass

    family = Family("crash", "classification", lambda params, rs: Crash(**params),
                    SearchSpace({"size": Int(1, 3)}, default={"size": 1}), prior=10.0)
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    model = MetaSelectorClassifier(**dict(FAST, estimators=[family, "logistic_regression", "knn"], n_jobs=2,
                                          max_evals=8))
    model.fit(X, y)
    board = model.leaderboard_
    crashed = board[board["algorithm"] == "crash"]
    assert len(crashed) and set(crashed["status"]) == {"failed"}
    assert crashed["error"].str.contains("worker process running it died").all()
    assert model.best_config_["algorithm"] != "crash"
    assert (board[board["algorithm"] != "crash"]["status"] == "ok").any()

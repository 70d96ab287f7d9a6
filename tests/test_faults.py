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

"""Resource limits: a memory-hungry candidate fails alone; the fit goes on."""

import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.dummy import DummyClassifier

from metaselect import Family, MetaSelectorClassifier
from metaselect.search import StaticPriorRanker
from metaselect.search._ram import available_memory_mb, memory_limit
from metaselect.spaces import Int, SearchSpace

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS with /proc")


class Hungry(ClassifierMixin, BaseEstimator):
    """Allocates (and touches) ``megabytes`` MiB in ``fit``, then predicts the majority class."""

    def __init__(self, megabytes=400):
        self.megabytes = megabytes

    def fit(self, X, y):
        block = np.ones(self.megabytes * 2**17)  # 8-byte floats: megabytes MiB
        self.dummy_ = DummyClassifier().fit(X, y)
        self.classes_ = self.dummy_.classes_
        del block
        return self

    def predict(self, X):
        return self.dummy_.predict(X)


def _hungry_family(megabytes):
    return Family(
        "hungry", "classification", lambda params, rs: Hungry(**params),
        SearchSpace({"megabytes": Int(megabytes, megabytes + 1)}, default={"megabytes": megabytes}),
        prior=1.0,
    )  # fmt: skip


@linux_only
def test_memory_limit_raises_memory_error_and_restores():
    with pytest.raises(MemoryError), memory_limit(100):
        np.ones(400 * 2**17)
    block = np.ones(400 * 2**17)  # the cap is gone after the block
    assert block.nbytes == 400 * 2**20


@linux_only
def test_memory_hungry_candidate_fails_alone():
    X, y = load_iris(return_X_y=True)
    model = MetaSelectorClassifier(
        estimators=[_hungry_family(600), "decision_tree"], memory_limit=150,
        time_budget=30, max_evals=4, cv=2, random_state=0,
    ).fit(X, y)  # fmt: skip
    board = model.leaderboard_
    hungry = board[board["algorithm"] == "hungry"]
    assert len(hungry) >= 1 and (hungry["status"] == "failed").all()
    assert hungry["error"].str.contains("MemoryError").all()
    assert hungry["error"].str.contains("150 MiB").all()
    assert model.best_config_["algorithm"] == "decision_tree"
    assert model.score(X, y) > 0.9


@linux_only
def test_without_a_cap_the_same_candidate_runs():
    X, y = load_iris(return_X_y=True)
    model = MetaSelectorClassifier(
        estimators=[_hungry_family(200)], memory_limit=None, time_budget=30, max_evals=1, cv=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert (model.leaderboard_["status"] == "ok").all()


@linux_only
def test_zero_shot_falls_back_when_the_top_pick_cannot_be_fitted(caplog):
    X, y = load_iris(return_X_y=True)
    ranker = StaticPriorRanker()  # ranks the hungry family (prior 1.0) first
    model = MetaSelectorClassifier(ranker=ranker,
        estimators=[_hungry_family(600), "decision_tree"], memory_limit=150, time_budget=0,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert "Zero-shot fit of hungry" in caplog.text
    assert model.best_config_["algorithm"] == "decision_tree"


def test_auto_memory_limit_is_a_share_of_what_is_available():
    available = available_memory_mb()
    if available is None:
        pytest.skip("no /proc/meminfo")
    assert 0 < available < 2**40


def test_memory_limit_parameter_is_validated():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="memory_limit"):
        MetaSelectorClassifier(memory_limit=-5).fit(X, y)


class FailsOnAllRows(ClassifierMixin, BaseEstimator):
    """Fits on a validation fold; raises on all of iris's 150 rows (the refit)."""

    def __init__(self, depth=1):
        self.depth = depth

    def fit(self, X, y):
        if len(X) >= 150:
            raise RuntimeError("cannot fit all rows")
        self.dummy_ = DummyClassifier().fit(X, y)
        self.classes_ = self.dummy_.classes_
        return self

    def predict(self, X):
        return self.dummy_.predict(X)


def test_when_every_refit_fails_a_cheap_default_is_fitted(caplog):
    families = [Family(name, "classification", lambda params, rs: FailsOnAllRows(**params),
                       SearchSpace({"depth": Int(1, 3)}, default={"depth": 1}), prior=1.0)
                for name in ("flaky_a", "flaky_b")]
    X, y = load_iris(return_X_y=True)
    # the two flaky families rank first and use up max_evals; gaussian_nb is never validated
    model = MetaSelectorClassifier(estimators=[*families, "gaussian_nb"], ranker=StaticPriorRanker(),
                                   time_budget=30, max_evals=2, cv=2, random_state=0).fit(X, y)
    assert set(model.leaderboard_["algorithm"]) == {"flaky_a", "flaky_b"}
    assert "No validated candidate could be refit" in caplog.text
    assert model.best_config_["algorithm"] == "gaussian_nb" and np.isnan(model.best_score_)
    assert model.score(X, y) > 0.9


def test_search_threads_respect_an_enclosing_limit():
    from threadpoolctl import threadpool_limits

    from metaselect.portfolio import Portfolio
    from metaselect.preprocessing import check_X
    from metaselect.search import Budget, Runner

    X, y = load_iris(return_X_y=True)
    X, schema = check_X(X)

    def runner():
        return Runner(X, y, portfolio=Portfolio("classification"), schema=schema,
                      scorer=None, cv=2, classifier=True, budget=Budget(10))

    with threadpool_limits(limits=1):
        assert runner().n_threads() == 1

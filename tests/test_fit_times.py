"""The fit-time model: one ridge regression per family on the knowledge base's recorded times."""

import numpy as np
import pytest

from metaselect.metamodel import FitTimes, MetaModelRanker, load_fit_times
from metaselect.portfolio import Config, Portfolio
from metaselect.search import RankingContext


@pytest.fixture(scope="module")
def shipped():
    return load_fit_times()


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_shipped_model_covers_every_builtin_family_it_saw(shipped, task):
    portfolio = Portfolio(task)
    assert {f for f in portfolio.families if shipped.covers(task, f)} >= {"random_forest", "hist_gradient_boosting",
                                                                           "knn", "svm", "mlp"}
    seconds = shipped.predict(portfolio.defaults(), portfolio, task, 1000, 20, 2)
    covered = [shipped.covers(task, c.family) for c in portfolio.defaults()]
    assert (seconds[covered] > 0).all() and np.isfinite(seconds[covered]).all()


@pytest.mark.parametrize("family", ["random_forest", "svm", "knn"])
def test_more_rows_take_longer(shipped, family):
    portfolio = Portfolio("classification")
    config = portfolio[family].default_config()
    small, large = (shipped.predict([config], portfolio, "classification", rows, 20, 2)[0] for rows in (100, 10_000))
    assert large > small


def test_a_custom_family_gets_no_prediction(shipped):
    from sklearn.linear_model import LogisticRegression

    from metaselect.portfolio import Family
    from metaselect.spaces import Float, SearchSpace

    space = SearchSpace({"C": Float(0.01, 10.0, log=True)}, default={"C": 1.0})
    custom = Family("logistic_regression", "classification", lambda p, rs: LogisticRegression(**p), space)
    portfolio = Portfolio("classification", [custom, "knn"])
    configs = [Config("logistic_regression", {"C": 1.0}), portfolio["knn"].default_config()]
    seconds = shipped.predict(configs, portfolio, "classification", 1000, 20, 2)
    assert np.isnan(seconds[0]) and seconds[1] > 0


def test_save_load_round_trip_and_a_foreign_file_is_named(shipped, tmp_path):
    shipped.save(tmp_path / "times.npz")
    again = load_fit_times(tmp_path / "times.npz")
    portfolio = Portfolio("regression")
    assert np.allclose(again.predict(portfolio.defaults(), portfolio, "regression", 500, 8),
                       shipped.predict(portfolio.defaults(), portfolio, "regression", 500, 8), equal_nan=True)
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(ValueError, match="other.npz is not a fit-time model"):
        FitTimes.load(tmp_path / "other.npz")


def test_the_ranker_takes_its_times_from_it_for_the_time_tasks_only(shipped):
    from sklearn.datasets import load_iris

    from metaselect.metafeatures import compute

    X, y = load_iris(return_X_y=True)
    portfolio = Portfolio("classification")
    meta = compute(X, y, "classification", random_state=0)
    context = RankingContext("classification", 150, 4, meta_features=meta, extra={"time_reference_rows": 700.0})
    configs = portfolio.defaults()
    _, times = MetaModelRanker(fit_times=shipped).predict(configs, portfolio, context)
    expected = shipped.predict(configs, portfolio, "classification", 700.0, 4, meta["n_classes"])
    assert np.allclose(times, expected) and (times > 0).all()
    _, network = MetaModelRanker(fit_times=False).predict(configs, portfolio, context)
    assert (network > 0).all() and not np.allclose(network, times)  # the network's time head
    # regression plans from what it measures (TIME_TASKS): no predicted times
    portfolio = Portfolio("regression")
    context = RankingContext("regression", 400, 10, meta_features={"n_rows": 400.0, "n_features": 10.0})
    assert np.isnan(MetaModelRanker(fit_times=shipped).predict(portfolio.defaults(), portfolio, context)[1]).all()


def test_the_shipped_model_is_what_the_shipped_knowledge_base_gives(shipped):
    from metaselect.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    refitted = FitTimes.from_knowledge_base(kb, tasks=("regression",))
    portfolio = Portfolio("regression")
    configs = portfolio.defaults() + portfolio.sample(20, random_state=0)
    assert np.allclose(refitted.predict(configs, portfolio, "regression", 700, 12),
                       shipped.predict(configs, portfolio, "regression", 700, 12), equal_nan=True)
    # without a family's datasets the model changes (it is fitted on what it is given)
    some_group = kb.metafeatures("regression")["family"].iloc[0]
    other = FitTimes.from_knowledge_base(kb, tasks=("regression",), exclude_groups={some_group})
    assert not np.allclose(other.predict(configs, portfolio, "regression", 700, 12),
                           shipped.predict(configs, portfolio, "regression", 700, 12), equal_nan=True)

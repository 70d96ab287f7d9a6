"""The shipped meta-model inside MetaSelector: ranking, predictions on the leaderboard, novelty."""

import logging
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor
from metaselect.metamodel import load_pretrained


def _iris_half():
    X, y = load_iris(return_X_y=True)
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_pretrained_models_ship(task):
    model = load_pretrained(task)
    assert model is not None and model.task == task
    assert model.info["n_members"] >= 1 and len(model.info["train_datasets"]) > 50


def test_iris_split_in_half_is_not_trusted_to_a_chance_level_pick():
    X_train, X_test, y_train, y_test = _iris_half()
    zero_shot = MetaSelectorClassifier(time_budget=0, random_state=0).fit(X_train, y_train)
    assert zero_shot.score(X_test, y_test) > 0.85  # chance is 0.33
    searched = MetaSelectorClassifier(max_evals=8, random_state=0).fit(X_train, y_train)
    assert searched.score(X_test, y_test) > 0.85


def test_leaderboard_shows_predicted_next_to_measured():
    X_train, _, y_train, _ = _iris_half()
    board = MetaSelectorClassifier(max_evals=8, random_state=0).fit(X_train, y_train).leaderboard_
    assert board["predicted_score"].notna().all() and board["predicted_time"].notna().all()
    assert (board["predicted_time"] > 0).all()


def _far_away(kind):
    rng = np.random.default_rng(0)
    if kind == "wide_heavy_tailed":  # 60 rows, 400 Cauchy features at a scale of 1e6
        return rng.standard_cauchy((60, 400)) * 1e6, np.repeat([0, 1], 30)
    X = np.zeros((200, 20))  # one informative column, nineteen constant ones
    X[:, 0] = rng.normal(size=200)
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("kind", ["wide_heavy_tailed", "mostly_constant"])
def test_far_away_datasets_are_flagged_and_searched_with_defaults(kind, caplog):
    X, y = _far_away(kind)
    with caplog.at_level(logging.WARNING, logger="metaselect"):
        model = MetaSelectorClassifier(max_evals=6, cv=3, random_state=0).fit(X, y)
    assert model.out_of_distribution_ and model.novelty_ > 1
    assert model.leaderboard_["note"].str.contains("out of distribution").all()
    assert any("unlike every dataset" in r.message for r in caplog.records)
    # Widened toward robust choices: the first bracket holds no favourite of the network's, only
    # the learned portfolio (which uses no meta-features) and the defaults.
    from metaselect.metamodel import load_learned_portfolio
    from metaselect.portfolio import Portfolio

    robust = Portfolio("classification").defaults() + load_learned_portfolio().configs("classification")
    robust = [(c.family, c.params) for c in robust]
    assert all((row.algorithm, row.params) in robust for row in model.leaderboard_.itertuples())


def test_typical_dataset_is_in_distribution():
    X_train, _, y_train, _ = _iris_half()
    model = MetaSelectorClassifier(time_budget=0, random_state=0).fit(X_train, y_train)
    assert not model.out_of_distribution_ and "note" not in model.leaderboard_


def test_regression_uses_its_own_network_only_when_asked():
    from sklearn.datasets import load_diabetes

    from metaselect.metamodel import MetaModelRanker

    X, y = load_diabetes(return_X_y=True)
    model = MetaSelectorRegressor(max_evals=4, cv=3, random_state=0).fit(X, y)
    board = model.leaderboard_  # NETWORK_TASKS and TIME_TASKS: classification only
    assert board["predicted_score"].isna().all() and board["predicted_time"].isna().all()
    assert np.isnan(model.novelty_)
    ranker = MetaModelRanker(network_tasks=("classification", "regression"))
    board = MetaSelectorRegressor(max_evals=4, cv=3, random_state=0, ranker=ranker).fit(X, y).leaderboard_
    assert board["predicted_score"].notna().all() and board["predicted_time"].notna().all()


def test_full_fit_and_predict_never_import_tensorflow():
    code = (
        "import sys; from sklearn.datasets import load_breast_cancer; import metaselect;"
        "X, y = load_breast_cancer(return_X_y=True);"
        "m = metaselect.MetaSelectorClassifier(max_evals=6, cv=3, random_state=0).fit(X, y);"
        "m.predict(X); m.predict_proba(X) if hasattr(m, 'predict_proba') else None;"
        "assert m.leaderboard_['predicted_score'].notna().all();"
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_network_runs_once_per_ranking(monkeypatch):
    from metaselect.metamodel import MetaModel
    from metaselect.search import Runner

    calls = {"network": 0, "rankings": 0}
    predict, rank = MetaModel.predict, Runner.rank

    def counted_predict(self, *args, **kwargs):
        calls["network"] += 1
        return predict(self, *args, **kwargs)

    def counted_rank(self, configs):
        calls["rankings"] += 1
        return rank(self, configs)

    monkeypatch.setattr(MetaModel, "predict", counted_predict)
    monkeypatch.setattr(Runner, "rank", counted_rank)
    X_train, _, y_train, _ = _iris_half()
    MetaSelectorClassifier(max_evals=12, cv=3, random_state=0).fit(X_train, y_train)
    assert calls["rankings"] >= 2 and calls["network"] == calls["rankings"]  # before: predict, then rank

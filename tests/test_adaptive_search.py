"""The default search: the learned portfolio first, reordered by the scores seen on the dataset."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import get_scorer

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor
from metaselect.metamodel import (
    InRunRanking,
    LearnedPortfolio,
    MetaModelRanker,
    TransferMatrix,
    load_learned_portfolio,
    load_transfer,
)
from metaselect.portfolio import Config, Portfolio
from metaselect.preprocessing import InputSchema
from metaselect.search import AdaptiveHalving, Budget, Runner, StaticPriorRanker, SuccessiveHalving

MEMBERS = [
    Config("gaussian_nb", {"var_smoothing": 1e-9}),
    Config("logistic_regression", {"C": 0.5, "class_weight": None}),
    Config("decision_tree", {"limit_depth": False, "min_samples_leaf": 4, "min_samples_split": 2,
                             "criterion": "gini", "class_weight": None}),
    Config("knn", {"n_neighbors": 7, "weights": "uniform", "p": 2}),
]


def _portfolio(members):
    return LearnedPortfolio({"classification": {"members": [m.to_dict() for m in members]}})


def _runner(ranker, families=("logistic_regression", "decision_tree", "knn", "gaussian_nb"), max_evals=6):
    X, y = make_classification(n_samples=600, n_features=6, random_state=0)
    portfolio = Portfolio("classification", list(families))
    return Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(6)), ()),
                  scorer=get_scorer("balanced_accuracy"), cv=3, classifier=True, budget=Budget(600),
                  ranker=ranker, random_state=0, max_evals=max_evals)


def test_first_bracket_runs_the_portfolio_in_its_order_without_adaptation():
    ranker = MetaModelRanker(models={}, learned_portfolio=_portfolio(MEMBERS))
    runner = _runner(ranker, max_evals=len(MEMBERS))
    AdaptiveHalving(adapt=False, pool_size=0).run(runner)
    assert [t.config for t in runner.history.trials] == MEMBERS


def test_first_bracket_starts_with_the_sbs_then_adapts():
    ranker = MetaModelRanker(learned_portfolio=_portfolio(MEMBERS))  # the shipped network and transfer matrix
    runner = _runner(ranker, max_evals=len(MEMBERS) + 2)
    AdaptiveHalving(pool_size=50).run(runner)
    tried = [t.config for t in runner.history.trials]
    assert tried[0] == MEMBERS[0] and len(tried) == len(MEMBERS) + 2
    known = set(MEMBERS) | set(runner.portfolio.defaults())  # else a favourite of the network's
    assert all(c in known or np.isfinite(runner.history.prediction(c)[0]) for c in tried)


def test_members_of_missing_or_custom_families_are_skipped():
    ranker = MetaModelRanker(models={}, learned_portfolio=_portfolio(MEMBERS))
    runner = _runner(ranker, families=("knn", "decision_tree"), max_evals=2)
    start = ranker.learned_start(runner.portfolio, runner.context)
    assert [c.family for c in start.members] == ["decision_tree", "knn"]
    AdaptiveHalving(adapt=False, pool_size=0).run(runner)
    assert [t.config for t in runner.history.trials] == start.members


def test_every_default_ends_the_first_bracket():
    ranker = MetaModelRanker(models={}, learned_portfolio=_portfolio(MEMBERS[:2]))
    runner = _runner(ranker, max_evals=4)
    AdaptiveHalving(adapt=False, pool_size=0).run(runner)
    defaults = [c for c in runner.portfolio.defaults() if c not in MEMBERS[:2]]
    assert [t.config for t in runner.history.trials] == MEMBERS[:2] + defaults[:2]


def test_every_candidate_of_the_first_bracket_has_a_predicted_time():
    # the defaults too: without a prediction a slow default got an even share and timed out
    from dataclasses import replace

    from metaselect.estimator._selector import _meta_features
    from metaselect.search import RankingContext

    X, y = make_classification(n_samples=600, n_features=6, random_state=0)
    ranker = MetaModelRanker(learned_portfolio=_portfolio(MEMBERS[:1]))  # the shipped network
    portfolio = Portfolio("classification", ["logistic_regression", "gaussian_nb", "random_forest", "mlp"])
    context = RankingContext("classification", 600, 6, meta_features=_meta_features(X, y, "classification", 0))
    context = replace(context, extra=ranker.assess(portfolio, context))
    runner = Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(6)), ()),
                    scorer=get_scorer("balanced_accuracy"), cv=3, classifier=True, budget=Budget(600),
                    ranker=ranker, context=context, random_state=0)
    search = AdaptiveHalving(pool_size=0)
    first = search.first_bracket(runner, search.guide(runner))
    assert set(first) >= set(portfolio.defaults()) and MEMBERS[0] in first
    assert all(np.isfinite(runner.history.prediction(c)[1]) for c in first)


def test_a_ranker_without_a_learned_start_gets_plain_successive_halving():
    runs = []
    for search in (AdaptiveHalving(), SuccessiveHalving()):
        runner = _runner(StaticPriorRanker(), max_evals=6)
        search.run(runner)
        runs.append([(t.config, t.n_samples) for t in runner.history.trials])
    assert runs[0] == runs[1] and len(runs[0]) == 6


def test_adaptation_reorders_untried_configurations_by_the_scores_seen():
    transfer = load_transfer()
    candidates = load_learned_portfolio().configs("classification")
    tried, untried = candidates[:3], candidates[3:]
    orders = []
    for scores in ([0.95, 0.6, 0.6], [0.6, 0.95, 0.95]):
        ranking = InRunRanking("classification", transfer.reweighting("classification")).update(tried, scores)
        orders.append(list(np.argsort(-ranking.predict(untried), kind="stable")))
    assert orders[0] != orders[1]


def test_transfer_matrix_round_trips_and_refuses_other_files(tmp_path):
    scores = np.array([[0.5, 0.9, np.nan], [-0.2, 0.4, 0.3]])

    class Table:
        datasets, encodings = ["a", "b"], np.eye(3)
        target = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.8]])

    Table.scores = scores
    path = tmp_path / "transfer.npz"
    TransferMatrix.from_tables({"regression": Table}).save(path)
    loaded = load_transfer(path).tasks["regression"]
    np.testing.assert_allclose(loaded["raw"], [[0.5, 0.9, 0.5], [0.0, 0.4, 0.3]])  # clipped, failure = worst
    np.testing.assert_allclose(loaded["target"], Table.target)
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(ValueError, match="not a transfer matrix"):
        load_transfer(tmp_path / "other.npz")


def test_shipped_transfer_matrix_matches_the_knowledge_base():
    from metaselect.knowledge import load_knowledge_base
    from metaselect.metamodel import table_from_knowledge_base

    kb, shipped = load_knowledge_base(), load_transfer()
    for task in ("classification", "regression"):
        table = table_from_knowledge_base(kb, task)
        np.testing.assert_allclose(shipped.tasks[task]["target"], table.target)
        np.testing.assert_allclose(shipped.tasks[task]["encodings"], table.encodings)


def test_zero_shot_regression_picks_the_portfolios_zero_shot_pick():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    selector = MetaSelectorRegressor(time_budget=0, random_state=0).fit(X, y)
    pick = load_learned_portfolio().zero_shot("regression")
    assert pick != load_learned_portfolio().configs("regression")[0]  # the shipped file differs here
    assert selector.best_config_ == {"algorithm": pick.family, "params": dict(pick.params)}


def test_default_search_works_with_a_static_prior_ranker():
    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    selector = MetaSelectorClassifier(time_budget=60, max_evals=5, ranker=StaticPriorRanker(),
                                      random_state=0).fit(X, y)
    assert len(selector.leaderboard_) == 5 and selector.score(X, y) > 0.5


def test_default_fit_does_not_import_tensorflow():
    code = ("import sys\nfrom sklearn.datasets import make_classification\n"
            "from metaselect import MetaSelectorClassifier\n"
            "X, y = make_classification(n_samples=200, n_features=5, random_state=0)\n"
            "MetaSelectorClassifier(time_budget=60, max_evals=4, random_state=0).fit(X, y)\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]

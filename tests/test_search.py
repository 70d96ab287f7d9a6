"""The search machinery, with a fake clock where time matters."""

import time

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import get_scorer

from metaselect.portfolio import Portfolio
from metaselect.preprocessing import InputSchema
from metaselect.search import (
    Budget,
    CandidateTimeout,
    RankingContext,
    Runner,
    StaticPriorRanker,
    SuccessiveHalving,
    Trial,
    time_limit,
)
from metaselect.search._budget import _can_use_alarm


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_budget_accounting_with_fake_clock():
    clock = FakeClock()
    budget = Budget(10, clock=clock)
    assert budget.remaining() == 10 and not budget.expired()
    clock.now += 7
    assert budget.remaining(reserve=2) == pytest.approx(1)
    clock.now += 2
    assert budget.expired(reserve=2) and budget.elapsed() == pytest.approx(9)


@pytest.mark.skipif(not _can_use_alarm(), reason="SIGALRM needs the main thread of a POSIX process")
def test_time_limit_interrupts_python_loops():
    with pytest.raises(CandidateTimeout):
        with time_limit(0.2):
            while True:
                time.sleep(0.01)


def test_halving_resources():
    sh = SuccessiveHalving(eta=3, min_resources=500)
    assert sh.resources(13, 100_000) == [3703, 11111, 33333, 100_000]
    assert sh.resources(13, 2000) == [500, 666, 2000]
    assert sh.resources(13, 300) == [300]
    assert sh.resources(1, 5000) == [5000]


def _runner(max_evals, budget, n=1500):
    X, y = make_classification(n_samples=n, n_features=6, random_state=0)
    portfolio = Portfolio("classification", ["logistic_regression", "decision_tree", "knn", "gaussian_nb"])
    return Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(6)), ()),
                  scorer=get_scorer("accuracy"), cv=3, classifier=True, budget=budget,
                  random_state=0, max_evals=max_evals), portfolio


def test_halving_prunes_and_promotes_on_more_rows():
    runner, portfolio = _runner(max_evals=4, budget=Budget(600))
    context = RankingContext("classification", 1500, 6)
    SuccessiveHalving(min_resources=500).run(runner, StaticPriorRanker(), portfolio, context)
    sizes = [t.n_samples for t in runner.trials]
    assert sizes[:4] == [500] * 4 and len(runner.trials) == 4  # max_evals stops it
    runner, portfolio = _runner(max_evals=6, budget=Budget(600))
    SuccessiveHalving(min_resources=500).run(runner, StaticPriorRanker(), portfolio, context)
    by_rung = {}
    for t in runner.trials:  # one bracket: 4 on 500 rows, the best 2 on all 1500
        by_rung.setdefault(t.n_samples, []).append(t)
    assert len(by_rung[500]) == 4 and len(by_rung[1500]) == 2
    assert sum(t.status == "pruned" for t in by_rung[500]) == 2
    best = runner.best_trials()[0]
    assert best.n_samples == 1500


def test_runner_stops_when_the_fake_clock_runs_out():
    clock = FakeClock()
    runner, portfolio = _runner(max_evals=None, budget=Budget(5, clock=clock))
    assert runner.can_continue()
    clock.now += 6
    assert not runner.can_continue()
    assert runner.evaluate(portfolio.defaults(), 500, 0) == []


def test_same_rows_and_folds_for_every_candidate_of_a_rung():
    runner, _ = _runner(max_evals=None, budget=Budget(60))
    idx_a, splits_a = runner.rows(600)
    idx_b, splits_b = runner.rows(600)
    assert idx_a is idx_b and len(splits_a) == 3
    labels = runner.y[idx_a]
    assert abs(labels.mean() - runner.y.mean()) < 0.02  # stratified


def test_static_prior_ranker_prefers_defaults_and_penalises_svm_on_big_data():
    portfolio = Portfolio("classification")
    ranker = StaticPriorRanker()
    small = ranker.rank(portfolio.defaults(), portfolio, RankingContext("classification", 1000, 5))
    big = ranker.rank(portfolio.defaults(), portfolio, RankingContext("classification", 100_000, 5))
    assert small[0].family == "hist_gradient_boosting"
    assert [c.family for c in big].index("svm") > [c.family for c in small].index("svm")
    sampled = portfolio.sample(1, random_state=0)[0]
    default = portfolio[sampled.family].default_config()
    scores = ranker.score([sampled, default], portfolio, RankingContext("classification", 10, 2))
    assert scores[1] > scores[0]
    assert np.all(np.isfinite(scores))


def test_neighbours_stay_in_family_and_near():
    from metaselect.search._propose import neighbours

    portfolio = Portfolio("classification")
    base = portfolio["random_forest"].default_config()
    near = neighbours(base, portfolio, np.random.default_rng(0), 30, scale=0.05)
    space = portfolio["random_forest"].space
    for config in near:
        assert config.family == "random_forest"
        space.validate(config.params)
        assert np.abs(space.encode(config.params) - space.encode(base.params)).max() <= 1.0
    assert len(set(near)) > 5  # real variation


def test_residual_correction_learns_what_the_ranker_missed():
    from metaselect.search._propose import residual_correction

    rng = np.random.default_rng(0)
    enc = rng.random((30, 4))
    predicted = rng.random(30)
    measured = 0.5 * predicted + 2.0 * enc[:, 0]  # the ranker ignores slot 0
    correct = residual_correction(list(measured[:20]), predicted[:20], enc[:20])
    corrected = correct(predicted[20:], enc[20:])
    from scipy.stats import spearmanr

    assert spearmanr(corrected, measured[20:]).statistic > spearmanr(predicted[20:], measured[20:]).statistic + 0.3
    identity = residual_correction([0.5, 0.6], predicted[:2], enc[:2])
    np.testing.assert_array_equal(identity(predicted, enc), predicted)


def test_later_brackets_propose_near_the_best():
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    portfolio = Portfolio("classification", ["logistic_regression", "knn", "decision_tree"])
    runner = Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(6)), ()),
                    scorer=get_scorer("accuracy"), cv=3, classifier=True, budget=Budget(600),
                    random_state=0, max_evals=12)
    SuccessiveHalving(bracket_size=6).run(runner, StaticPriorRanker(), portfolio,
                                           RankingContext("classification", 300, 6))
    assert len(runner.trials) == 12
    first = {t.config for t in runner.trials[:3]}
    assert first == set(portfolio.defaults())
    best_family = max(runner.trials[:3], key=lambda t: t.mean_score).config.family
    later = [t.config for t in runner.trials[3:]]
    assert len(set(later)) == len(later) and not (set(later) & first)
    assert best_family in {c.family for c in later}


def test_best_trials_compare_candidates_across_the_last_two_rungs():
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    ridge_like, tree, knn = portfolio.defaults()[:3]
    n = runner.n_samples

    def trial(config, rows, score, status="ok"):
        t = Trial(runner.candidate_id(config), config, 0, rows, status=status, scores=[score])
        runner.trials.append(t)
        return t

    trial(tree, n // 9, 0.99)           # a lucky score on a ninth of the rows: not comparable
    trial(knn, n // 3, 0.80, "pruned")  # stopped on a third of the rows (out of time)
    strong = trial(ridge_like, n // 3, 0.95, "pruned")
    weak = trial(tree, n, 0.40)         # the only one that ran on all rows
    assert runner.best_trials(1) == [strong]
    ranked = runner.best_trials()
    assert [t.mean_score for t in ranked] == [0.95, 0.80, 0.40]
    assert ranked[-1] is weak  # the tree is ranked by its latest trial, on all rows

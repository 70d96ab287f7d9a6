"""The search machinery, with a fake clock where time matters."""

import signal
import threading
import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris, make_classification
from sklearn.metrics import get_scorer

from metaselect import MetaSelectorClassifier
from metaselect.portfolio import Config, Family, Portfolio
from metaselect.preprocessing import InputSchema
from metaselect.search import (
    Budget,
    CandidateTimeout,
    RankingContext,
    Refitter,
    Runner,
    SearchFailedError,
    SearchStrategy,
    StaticPriorRanker,
    SuccessiveHalving,
    Trial,
    TrialHistory,
    ZeroShot,
    evaluate_candidate,
    time_limit,
)
from metaselect.search._planning import SHARE_MARGIN
from metaselect.spaces import Float, SearchSpace

#: Where a time-out can interrupt a fit (a POSIX process's main thread), as the budget checks it.
CAN_ALARM = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


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


@pytest.mark.skipif(not CAN_ALARM, reason="SIGALRM needs the main thread of a POSIX process")
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
    # a holdout validates a fifth of a rung: the smallest rung has five times the rows
    assert sh.resources(13, 100_000, validated_share=0.2) == [3703, 11111, 33333, 100_000]
    assert sh.resources(13, 20_000, validated_share=0.2) == [2500, 6666, 20_000]
    assert sh.resources(13, 2000, validated_share=0.2) == [2000]


def _runner(max_evals, budget, n=1500):
    X, y = make_classification(n_samples=n, n_features=6, random_state=0)
    portfolio = Portfolio("classification", ["logistic_regression", "decision_tree", "knn", "gaussian_nb"])
    return Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(6)), ()),
                  scorer=get_scorer("accuracy"), cv=3, classifier=True, budget=budget,
                  random_state=0, max_evals=max_evals), portfolio


def test_halving_prunes_and_promotes_on_more_rows():
    runner, portfolio = _runner(max_evals=4, budget=Budget(600))
    SuccessiveHalving(min_resources=500).run(runner)
    sizes = [t.n_samples for t in runner.history.trials]
    assert sizes[:4] == [500] * 4 and len(runner.history.trials) == 4  # max_evals stops it
    runner, portfolio = _runner(max_evals=6, budget=Budget(600))
    SuccessiveHalving(min_resources=500).run(runner)
    by_rung = {}
    for t in runner.history.trials:  # one bracket: 4 on 500 rows, the best 2 on all 1500
        by_rung.setdefault(t.n_samples, []).append(t)
    assert len(by_rung[500]) == 4 and len(by_rung[1500]) == 2
    assert sum(t.status == "pruned" for t in by_rung[500]) == 2
    best = runner.history.best()[0]
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
    SuccessiveHalving(bracket_size=6).run(runner)
    assert len(runner.history.trials) == 12
    first = {t.config for t in runner.history.trials[:3]}
    assert first == set(portfolio.defaults())
    best_family = max(runner.history.trials[:3], key=lambda t: t.mean_score).config.family
    later = [t.config for t in runner.history.trials[3:]]
    assert len(set(later)) == len(later) and not (set(later) & first)
    assert best_family in {c.family for c in later}


def test_best_trials_compare_candidates_across_the_last_two_rungs():
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    ridge_like, tree, knn = portfolio.defaults()[:3]
    n = runner.n_samples

    def trial(config, rows, score, status="ok"):
        t = Trial(runner.history.candidate_id(config), config, 0, rows, status=status, scores=[score])
        runner.history.record([t])
        return t

    trial(tree, n // 9, 0.99)           # a lucky score on a ninth of the rows: not comparable
    trial(knn, n // 3, 0.80, "pruned")  # stopped on a third of the rows (out of time)
    strong = trial(ridge_like, n // 3, 0.95, "pruned")
    weak = trial(tree, n, 0.40)         # the only one that ran on all rows
    assert runner.history.best(1) == [strong]
    ranked = runner.history.best()
    assert [t.mean_score for t in ranked] == [0.95, 0.80, 0.40]
    assert ranked[-1] is weak  # the tree is ranked by its latest trial, on all rows


def test_a_candidate_that_timed_out_on_more_rows_does_not_compete():
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    forest_like, tree = portfolio.defaults()[:2]
    n = runner.n_samples
    runner.history.record([Trial(runner.history.candidate_id(forest_like), forest_like, 0, n // 3, "pruned", [0.95]),
                      Trial(runner.history.candidate_id(forest_like), forest_like, 1, n, "timeout"),
                      Trial(runner.history.candidate_id(tree), tree, 0, n // 3, "pruned", [0.90]),
                      Trial(runner.history.candidate_id(tree), tree, 1, n, "ok", [0.85])])
    assert [t.config for t in runner.history.best()] == [tree]
    alone = TrialHistory()
    alone.record(list(runner.history.trials[:2]))  # nothing else left: it still competes
    assert [t.config for t in alone.best()] == [forest_like]


def test_refit_falls_back_to_the_next_best_not_the_cheapest_and_says_so(monkeypatch):
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    n = runner.n_samples
    configs = portfolio.defaults()
    for config, score, fit_time in zip(configs, [0.95, 0.90, 0.80, 0.60], [0.3, 0.2, 0.1, 0.01], strict=True):
        runner.history.record([Trial(runner.history.candidate_id(config), config, 0, n, "ok", [score],
                                      fit_time=fit_time)])
    refits = []

    def refit(config, seconds=None, n_samples=None, iterations=None):
        refits.append(config)
        if config == configs[0]:
            raise CandidateTimeout("refit ran out of time")
        return config

    monkeypatch.setattr(runner, "refit", refit)
    with pytest.warns(UserWarning, match=f"{configs[0].family}.*0.9500.*{configs[1].family}.*0.9000"):
        winner = Refitter(runner).winner()
    assert refits == configs[:2] and winner.estimator == configs[1] and winner.score == 0.90


def test_when_no_refit_on_all_rows_fits_the_best_is_fitted_on_the_rows_it_was_validated_on():
    clock = FakeClock()
    runner, portfolio = _runner(max_evals=None, budget=Budget(10.0, clock=clock), n=3000)
    tree, knn = (portfolio[f].default_config() for f in ("decision_tree", "knn"))
    # validated on 600 of 3,000 rows; on all rows each would take far more than the 10 s left
    for config, score in ((tree, 0.9), (knn, 0.8)):
        runner.history.record([Trial(runner.history.candidate_id(config), config, 0, 600, "ok", [score],
                                     fit_time=2.0)])
    assert not any(Refitter(runner).fits(t) for t in runner.history.best())
    assert runner.time.refit_seconds(runner.history.best()[0], 600) < 10.0
    with pytest.warns(UserWarning, match="decision_tree .*fitted on the 600 rows it was validated on"):
        winner = Refitter(runner).winner()
    assert winner.config == tree and winner.score == 0.9
    assert winner.estimator[-1].tree_.n_node_samples[0] == 600  # the rung's rows, not all 3,000


def test_the_runner_builds_forests_for_the_rows_they_are_fitted_on():
    from metaselect.portfolio._trees import FOREST_LEAF_BUDGET

    X, y = make_classification(n_samples=3000, n_features=4, random_state=0)
    portfolio = Portfolio("classification", ["extra_trees"])
    runner = Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(4)), ()),
                    scorer=get_scorer("accuracy"), cv=3, classifier=True, budget=Budget(600), random_state=0)
    cap = FOREST_LEAF_BUDGET // 512  # 2,048 leaves a tree for 512 trees
    many = Config("extra_trees", {**portfolio["extra_trees"].space.default(), "n_estimators": 512,
                                  "max_features": "log2"})
    assert runner.build(many, n_rows=2000)[-1].max_leaf_nodes is None  # a 3-fold CV's 2,000: below the cap
    model = runner.refit(many)[-1]  # on all 3,000 rows: capped
    assert model.max_leaf_nodes == cap and max(t.tree_.n_leaves for t in model.estimators_) <= cap
    assert runner.refit(many, n_samples=1000)[-1].max_leaf_nodes is None  # on a rung's 1,000 rows: not


def test_a_refit_that_breaks_on_all_rows_is_replaced_by_the_next_best_and_said(monkeypatch):
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    configs = portfolio.defaults()
    for config, score in zip(configs, [0.95, 0.90, 0.80, 0.60], strict=True):
        runner.history.record([Trial(runner.history.candidate_id(config), config, 0, runner.n_samples, "ok",
                                      [score], fit_time=0.01)])
    X, y = runner.X, runner.y

    def refit(config, seconds=None, n_samples=None, iterations=None):  # the best one's fit on all rows predicts a single class
        model = DummyClassifier(strategy="constant", constant=1) if config == configs[0] else LogisticRegression()
        return model.fit(X, y)

    monkeypatch.setattr(runner, "refit", refit)
    with pytest.warns(UserWarning, match=f"{configs[0].family}.*0.9500.*own training rows.*{configs[1].family}"):
        winner = Refitter(runner).winner()
    assert winner.config == configs[1] and winner.score == 0.90
    # a sound refit scores about its validated score or more on its training rows: it is kept
    assert runner.training_score(winner.estimator) > 0.85 and not Refitter(runner).broken(
        runner.history.best()[1], winner.estimator)
    # nor is an ensemble member kept broken
    assert Refitter(runner).member(runner.history.best()[0]) is None


def _measured(runner, config, rows, seconds, predicted_per_fold, status="ok"):
    """A trial of ``config`` on ``rows`` that took ``seconds`` where the ranker predicted
    ``predicted_per_fold`` seconds per fold at ``time_reference_rows``."""
    trial = Trial(runner.history.candidate_id(config), config, 0, rows, status=status, scores=[0.5],
                  duration=seconds, predicted_time=predicted_per_fold)
    runner.history.record([trial])
    return trial


def test_time_correction_learns_how_far_the_ranker_is_off_per_family():
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    logistic, tree, knn, _ = portfolio.defaults()
    runner.history.remember(portfolio.defaults(), [0.5] * 4, [0.01] * 4)
    assert runner.time.correction("knn") == 1.0  # nothing measured yet
    full = runner.time.predicted(logistic, 1500)
    assert full == pytest.approx(0.01 * runner.time.scale(logistic, 1500))
    # logistic regression runs 4x faster than predicted on the most rows it reached; a
    # slow small rung before that does not count against it
    _measured(runner, logistic, 500, 10 * 0.01 * runner.time.scale(logistic, 500), 0.01)
    _measured(runner, logistic, 1500, 0.25 * full, 0.01)
    _measured(runner, logistic, 1500, 0.25 * full, 0.01)
    _measured(runner, tree, 1500, 0.25 * runner.time.scale(tree, 1500) * 0.01, 0.01)
    assert runner.time.correction("logistic_regression") == pytest.approx(0.25)
    assert runner.time.predicted(logistic, 1500) == pytest.approx(0.25 * full)
    # a family never measured takes the median over every evaluation (0.25 of 4, 10 of 1)
    assert runner.time.correction("knn") == pytest.approx(0.25)
    # a time-out is a lower bound, failures say nothing about speed
    _measured(runner, knn, 1500, 40 * 0.01 * runner.time.scale(knn, 1500), 0.01, status="timeout")
    _measured(runner, knn, 1500, 1e-6, 0.01, status="failed")
    assert runner.time.correction("knn") > 5.0


def _planned(budget_seconds, per_fold, n=1500, clock=None):
    """A runner whose ranker predicted ``per_fold[i]`` seconds per fold for the i-th default."""
    runner, portfolio = _runner(max_evals=None, budget=Budget(budget_seconds, clock=clock or FakeClock()), n=n)
    runner.reserve = 0.0
    configs = portfolio.defaults()
    runner.history.remember(configs, [0.5] * len(configs), per_fold)
    return runner, configs


def test_later_brackets_keep_what_is_predicted_to_finish():
    sh = SuccessiveHalving(min_resources=500)
    runner, configs = _planned(10.0, [0.001, 0.001, 0.001, 0.001])
    assert sh.planner(runner).within_budget(configs) == configs  # cheap: the whole bracket
    # the third is predicted to need more than the time left on all rows: dropped, and
    # of the rest the longest prefix whose bracket fits is kept
    alone = [sh.planner(runner).bracket_seconds([c]) for c in configs]
    runner, configs = _planned(10.0, [0.001, 0.001, 10.0 / alone[2] * 0.002, 0.001])
    assert sh.planner(runner).bracket_seconds([configs[2]]) > 10.0
    kept = sh.planner(runner).within_budget(configs)
    assert kept == [configs[0], configs[1], configs[3]]
    assert sh.planner(runner).bracket_seconds(kept) <= 10.0
    # nothing fits: the search stops rather than start what cannot finish
    runner, configs = _planned(10.0, [5.0, 5.0, 5.0, 5.0])
    assert sh.planner(runner).within_budget(configs) == []
    # without time predictions the bracket is kept whole
    runner.history._predictions.clear()
    assert sh.planner(runner).within_budget(configs) == configs


def test_a_later_bracket_drops_candidates_once_measured_times_say_it_cannot_finish(monkeypatch):
    clock = FakeClock()
    runner, configs = _planned(100.0, [0.0001] * 4, clock=clock)
    sh = SuccessiveHalving(min_resources=500)
    sizes = sh.resources(len(configs), runner.n_samples)
    assert sizes == [500, 1500]
    started = []

    def fake_evaluate(wave, n_samples, rung, share=None, reserve=None, race=False):
        # every evaluation takes 12 s of the fake clock, far more than predicted
        trials = []
        for config in wave:
            started.append(config)
            clock.now += 12.0
            trials.append(_measured(runner, config, n_samples, 12.0, 0.0001))
        return trials

    monkeypatch.setattr(runner, "evaluate", fake_evaluate)
    trials = sh.planner(runner).first_rung(configs, sizes, replan=True)
    # after the first wave the corrected predictions say about 12 s a candidate on 500 rows
    # and about 36 s on all 1500: with 88 s left, three more first-rung evaluations and two
    # promotions (108 s) do not fit; the slowest predicted are dropped until the rest fits
    assert 2 <= len(started) <= 3 and [t.config for t in trials] == started
    left = runner.time_left()
    assert sh.planner(runner).bracket_seconds(started, sizes=sizes, started=len(started)) <= left + 1e-9


def test_the_first_rung_runs_the_cheapest_first_with_a_share_sized_to_its_prediction(monkeypatch):
    clock = FakeClock()
    per_fold = [40.0, 0.0001, 0.01, 0.002]  # the first default is predicted slow, the second cheapest
    runner, configs = _planned(100.0, per_fold, clock=clock)
    sh = SuccessiveHalving(min_resources=500)
    calls = []

    def fake_evaluate(wave, n_samples, rung, share=None, reserve=None, race=False):
        calls.append((wave, share))
        return [_measured(runner, c, n_samples, 0.0, per_fold[configs.index(c)]) for c in wave]

    monkeypatch.setattr(runner, "evaluate", fake_evaluate)
    sh.planner(runner).first_rung(configs, sh.resources(len(configs), runner.n_samples))
    order = [wave[0] for wave, _ in calls]
    assert order == [configs[1], configs[3], configs[2], configs[0]]
    predicted = runner.time.predicted(configs[0], 500)
    assert 10 < predicted < 50 and calls[-1][1] >= SHARE_MARGIN * predicted - 1e-9
    # a candidate predicted not to finish in the time left is not started at all
    runner, configs = _planned(100.0, [1e6, 0.0001, 0.0001, 0.0001], clock=FakeClock())
    calls.clear()
    monkeypatch.setattr(runner, "evaluate", fake_evaluate)
    sh.planner(runner).first_rung(configs, sh.resources(len(configs), runner.n_samples))
    assert configs[0] not in [wave[0] for wave, _ in calls] and len(calls) == 3


def test_the_first_rung_does_not_start_a_family_again_after_it_could_not_finish_a_fold(monkeypatch, caplog):
    from metaselect.portfolio import Config

    runner, (logistic, tree, knn, bayes) = _planned(100.0, [0.001] * 4, clock=FakeClock())
    deeper = Config("decision_tree", {**tree.params, "min_samples_leaf": 3})
    runner.history.remember([tree, deeper, logistic], [0.5] * 3, [0.0001, 0.002, 0.003])  # tree first
    started = []

    def fake_evaluate(wave, n_samples, rung, share=None, reserve=None, race=False):
        started.extend(wave)
        trials = [_measured(runner, c, n_samples, 1.0, 0.001, status="timeout" if c.family == "decision_tree"
                            else "ok") for c in wave]
        for trial in trials:
            trial.scores = [] if trial.status == "timeout" else trial.scores  # the tree: no fold finished
        return trials

    monkeypatch.setattr(runner, "evaluate", fake_evaluate)
    sh = SuccessiveHalving(min_resources=500)
    with caplog.at_level("INFO", logger="metaselect.search"):
        sh.planner(runner).first_rung([tree, deeper, logistic], [500, 1500])
    assert started == [tree, logistic]
    assert "could not finish a fold" in caplog.text


def test_the_first_rung_stops_starting_candidates_after_its_share_of_the_time(monkeypatch):
    clock = FakeClock()
    runner, defaults = _planned(100.0, [0.0001] * 4, clock=clock)
    portfolio = runner.portfolio
    sampled = [c for c in portfolio.sample(20, random_state=0) if c not in defaults][:2]
    configs = [defaults[0], sampled[0], sampled[1], defaults[1]]
    sh = SuccessiveHalving(min_resources=500)
    sizes = sh.resources(len(configs), runner.n_samples)  # two rungs: ~50 s each
    started = []

    def fake_evaluate(wave, n_samples, rung, share=None, reserve=None, race=False):
        started.extend(wave)
        clock.now += 30.0  # 10 s measured inside each evaluation (predicted: far less), 20 s between
        return [_measured(runner, c, n_samples, 10.0, 0.0001) for c in wave]

    monkeypatch.setattr(runner, "evaluate", fake_evaluate)
    trials = sh.planner(runner).first_rung(configs, sizes)  # no re-planning: the time cap alone
    # 30 s, then 60 s >= 50 s: the sampled configuration not started yet is dropped, the
    # default still runs
    # (whatever the cheapest-first order): after two waves only defaults start, and every default runs
    assert len(started) >= 2 and all(c in defaults for c in started[2:])
    assert {defaults[0], defaults[1]} <= set(started) and not set(sampled) <= set(started)
    assert [t.config for t in trials] == started
    # with time to spare every candidate starts
    clock.now, started[:] = 1000.0, []
    runner.budget = Budget(1000.0, clock=clock)
    assert len(sh.planner(runner).first_rung(configs, sizes)) == 4 and set(started) == set(configs)


def test_the_reserve_follows_the_best_candidate_whose_refit_can_still_fit():
    clock = FakeClock()
    runner, portfolio = _runner(max_evals=None, budget=Budget(20.0, clock=clock))
    slow, quick = portfolio.defaults()[:2]
    n = runner.n_samples
    best, other = (Trial(runner.history.candidate_id(c), c, 0, n, "ok", [score], fit_time=fit_time)
                   for c, score, fit_time in ((slow, 0.95, 4.0), (quick, 0.90, 0.1)))
    runner.history.record([best, other])
    assert 5.0 < runner.time.refit_seconds(best) < 8.0  # 4 s on two thirds of the rows
    runner.update_reserve()
    assert runner.reserve == pytest.approx(1.25 * runner.time.refit_seconds(best))  # it fits: time is kept
    clock.now += 16.0  # 4 s left, plus the 1 s allowance: the best's refit no longer fits
    runner.update_reserve()
    assert runner.reserve == pytest.approx(1.25 * runner.time.refit_seconds(other))
    assert list(Refitter(runner).order())[0].config == quick  # as the refitter will choose


def test_a_rung_in_several_calls_keeps_the_reserve_of_its_start():
    runner, portfolio = _runner(max_evals=None, budget=Budget(10))
    runner.reserve = 9.9  # as if the best so far were predicted to take 9.9 s to refit
    assert runner.evaluate(portfolio.defaults()[:1], 500, 0) == []
    trials = runner.evaluate(portfolio.defaults()[:1], 500, 0, reserve=0.0)
    assert len(trials) == 1 and trials[0].status == "ok"


def test_holdout_rungs_have_one_shuffled_stratified_split_of_a_fifth():
    X, y = make_classification(n_samples=3000, n_features=6, weights=[0.8], random_state=0)
    portfolio = Portfolio("classification", ["gaussian_nb"])
    runner = Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(6)), ()),
                    scorer=get_scorer("accuracy"), cv="holdout", classifier=True, budget=Budget(60))
    assert runner.rows.holdout and runner.validated_share == pytest.approx(0.2)
    for n in (2500, 3000):
        idx, splits = runner.rows(n)
        assert len(splits) == 1
        train, test = splits[0]
        assert len(test) == n // 5 and sorted(np.r_[train, test]) == sorted(idx)
        assert abs(y[test].mean() - y[idx].mean()) < 0.01  # stratified
        assert not np.array_equal(test, idx[: len(test)])  # shuffled, not the first rows
    assert runner.rows.train_rows(3000) == 2400
    assert Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(6)), ()),
                  scorer=get_scorer("accuracy"), cv=5, classifier=True, budget=Budget(60)).validated_share == 1.0


def test_no_survivor_is_promoted_when_none_is_predicted_to_finish():
    clock = FakeClock()
    runner, portfolio = _runner(max_evals=None, budget=Budget(20, clock=clock))
    fast, slow = portfolio.defaults()[:2]
    for config, fit_time in ((fast, 0.5), (slow, 4.0)):
        runner.history.record([Trial(runner.history.candidate_id(config), config, 0, 500, "ok", [0.9],
                                      fit_time=fit_time, score_time=0.0)])
    runner.reserve = 0.0
    clock.now += 10  # 10 s left: 3 folds on 3x the rows take ~4.5 s (fast) and ~36 s (slow)
    assert SuccessiveHalving().planner(runner).affordable([slow, fast], 1500) == [fast]
    assert runner.history.trials[1].status == "pruned" and "exceeds" in runner.history.trials[1].error
    clock.now += 7
    assert SuccessiveHalving().planner(runner).affordable([fast], 1500) == []  # not run anyway: the bracket ends
    assert runner.history.trials[0].status == "pruned"


# -- strategies as objects: the ``search`` parameter ------------------------------------------
class _Sleeper(ClassifierMixin, BaseEstimator):
    """Each fit sleeps ``seconds`` (wall time, interruptible): a candidate of known cost."""

    def __init__(self, seconds=0.5):
        self.seconds = seconds

    def fit(self, X, y):
        end = time.time() + self.seconds
        while time.time() < end:
            time.sleep(0.005)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _slow_family():
    return Family("slow", "classification", lambda params, rs: _Sleeper(**params),
                  SearchSpace({"seconds": Float(59.0, 61.0)}, default={"seconds": 60.0}), prior=1.0)


class _DefaultsOnAllRows(SearchStrategy):
    """A whole strategy in one class: every default, ranked, cross-validated once on all rows."""

    def run(self, runner):
        runner.evaluate(runner.rank(runner.portfolio.defaults()).ranked(), runner.n_samples, rung=0)
        return []


def test_a_new_strategy_is_one_class():
    X, y = load_iris(return_X_y=True)
    model = MetaSelectorClassifier(search=_DefaultsOnAllRows(), estimators=["logistic_regression", "knn",
                                   "decision_tree"], cv=3, time_budget=30, random_state=0).fit(X, y)
    board = model.leaderboard_
    assert len(board) == 3 and (board["n_samples"] == len(y)).all() and (board["status"] == "ok").all()
    assert model.best_config_["algorithm"] == board.loc[board["mean_score"].idxmax(), "algorithm"]
    assert model.best_score_ == pytest.approx(board["mean_score"].max())


def test_successive_halving_parameters_are_reachable_and_search_is_validated():
    X, y = load_iris(return_X_y=True)
    model = MetaSelectorClassifier(search=SuccessiveHalving(min_resources=60), estimators=["logistic_regression",
                                   "knn", "decision_tree"], cv=3, max_evals=4, random_state=0).fit(X, y)
    assert model.leaderboard_["n_samples"].min() == 60
    with pytest.raises(ValueError, match="'search' parameter"):
        MetaSelectorClassifier(search="halving").fit(X, y)


def test_strategies_leave_their_parameters_untouched_across_fits():
    X, y = load_iris(return_X_y=True)
    search = SuccessiveHalving(min_resources=60)
    before = dict(vars(search))
    MetaSelectorClassifier(search=search, estimators=["knn", "decision_tree"], cv=3, max_evals=3,
                           random_state=0).fit(X, y)
    assert vars(search) == before


# -- issue 16: one outcome for one cause ----------------------------------------------------
def test_a_shared_error_is_named_even_when_another_candidate_timed_out():
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    forest_like, tree, knn, _ = portfolio.defaults()
    error = "ValueError: multi_class must be in ('ovo', 'ovr')"
    runner.history.record([Trial(0, forest_like, 0, 500, "timeout", error="time share of 1.2s exceeded"),
                            Trial(1, tree, 0, 500, "failed", error=error),
                            Trial(2, knn, 0, 500, "failed", error=error)])
    with pytest.raises(SearchFailedError, match=r"same error: ValueError: multi_class"):
        Refitter(runner).winner()
    # different errors and a time-out: a budget problem, the cheap default is fitted
    runner, _ = _runner(max_evals=None, budget=Budget(60))
    runner.history.record([Trial(0, forest_like, 0, 500, "timeout"), Trial(1, tree, 0, 500, "failed", error="A"),
                            Trial(2, knn, 0, 500, "failed", error="B")])
    assert Refitter(runner).winner().config.family == "gaussian_nb"


@pytest.mark.skipif(not CAN_ALARM, reason="SIGALRM needs the main thread of a POSIX process")
def test_a_scorer_that_cannot_work_raises_whatever_timed_out():
    X, y = load_iris(return_X_y=True)  # three classes: roc_auc cannot score them
    model = MetaSelectorClassifier(scoring="roc_auc", estimators=[_slow_family(), "knn", "logistic_regression"],
                                   cv=3, time_budget=6, max_evals=3, random_state=0)
    with pytest.raises(SearchFailedError, match="multi_class"):
        model.fit(X, y)  # before: the slow candidate timed out and an unvalidated model was saved


# -- issue 16: zero-shot keeps a limit --------------------------------------------------------
class _TimePredictingRanker(StaticPriorRanker):
    """The static prior, predicting 10,000 s per fold for the slow family and 0.1 ms for the rest."""

    def predict(self, configs, portfolio, context):
        seconds = np.array([1e4 if c.family == "slow" else 1e-4 for c in configs])
        return np.full(len(configs), np.nan), seconds


def test_zero_shot_passes_over_a_pick_predicted_to_exceed_its_limit():
    X, y = load_iris(return_X_y=True)
    model = MetaSelectorClassifier(time_budget=0, estimators=[_slow_family(), "gaussian_nb"],
                                   ranker=_TimePredictingRanker()).fit(X, y)
    assert model.best_config_["algorithm"] == "gaussian_nb"  # the slow top pick was never started
    assert model.fit_time_ < 10  # it would have run for ZeroShot().max_time = 30 s


@pytest.mark.skipif(not CAN_ALARM, reason="SIGALRM needs the main thread of a POSIX process")
def test_zero_shot_stops_a_pick_at_its_time_limit():
    X, y = load_iris(return_X_y=True)
    model = MetaSelectorClassifier(time_budget=0, search=ZeroShot(pool_size=0, max_time=1.0),
                                   estimators=[_slow_family(), "gaussian_nb"], ranker=StaticPriorRanker())
    model.fit(X, y)
    assert model.best_config_["algorithm"] == "gaussian_nb" and np.isnan(model.best_score_)
    assert model.fit_time_ < 10  # the slow pick alone would take 60 s


# -- no wasted evaluations ------------------------------------------------------------------
def _five_folds():
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    folds = [(np.setdiff1d(np.arange(100), np.arange(i, 100, 5)), np.arange(i, 100, 5)) for i in range(5)]
    return X, y, folds


def test_a_candidate_whose_first_fold_says_it_cannot_finish_stops_there():
    X, y, folds = _five_folds()
    config = Portfolio("classification", ["gaussian_nb"]).defaults()[0]
    # 0.5 s a fold, 2.5 s for five, a share of 2 s: stopped after the first fold, not at 2 s
    trial = evaluate_candidate(Trial(0, config, 0, 100), _Sleeper(0.5), X, y, folds, get_scorer("accuracy"),
                               2.0, time.time() + 60)
    assert trial.status == "timeout" and "projected" in trial.error and len(trial.scores) == 1
    assert trial.duration < 1.5 and trial.fit_time >= 0.5


@pytest.mark.skipif(not CAN_ALARM, reason="SIGALRM needs the main thread of a POSIX process")
def test_a_first_fold_past_its_part_of_the_share_is_stopped_inside_the_fit():
    X, y, folds = _five_folds()
    config = Portfolio("classification", ["gaussian_nb"]).defaults()[0]
    # a fold takes 5 s; the first fold may take 1.5 / 5 of a 2 s share
    trial = evaluate_candidate(Trial(0, config, 0, 100), _Sleeper(5.0), X, y, folds, get_scorer("accuracy"),
                               2.0, time.time() + 60)
    assert trial.status == "timeout" and not trial.scores and trial.duration < 1.5


def test_a_time_out_is_a_floor_for_its_family_not_shrunk_towards_faster_ones():
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    logistic, tree, knn, nb = portfolio.defaults()
    runner.history.remember(portfolio.defaults(), [0.5] * 4, [0.01] * 4)
    for config in (logistic, tree, nb):  # three families run at the predicted time
        _measured(runner, config, 500, 0.01 * runner.time.scale(config, 500), 0.01)
    # knn stopped in its first fold after 2 s: every one of its 3 folds takes longer
    _measured(runner, knn, 500, 2.0, 0.01, status="timeout")
    assert runner.time.predicted(knn, 500) >= 3 * 2.0 - 1e-9


def test_the_last_resort_tries_every_cheap_default_after_zero_shot_spent_its_time(monkeypatch):
    runner, portfolio = _runner(max_evals=None, budget=Budget(0))
    tried = []

    def refit(config, seconds=None, n_samples=None, iterations=None):
        tried.append((config.family, seconds))
        if config.family == "gaussian_nb":
            raise CandidateTimeout("a loaded machine")
        return config

    monkeypatch.setattr(runner, "refit", refit)
    winner = Refitter(runner).last_resort("the zero-shot picks ran out of time", seconds=-0.1)
    assert [f for f, _ in tried] == ["gaussian_nb", "logistic_regression"]
    assert winner.config.family == "logistic_regression" and all(s >= 2.0 for _, s in tried)


# -- racing: a candidate that trails the best on its first folds stops there -------------------
class _Constant(ClassifierMixin, BaseEstimator):
    """Predicts one class: a candidate of known, poor score."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_a_candidate_trailing_the_best_on_its_first_fold_is_pruned_there_with_an_estimate():
    from sklearn.linear_model import LogisticRegression

    X, y, folds = _five_folds()
    config = Portfolio("classification", ["gaussian_nb"]).defaults()[0]
    scorer = get_scorer("accuracy")
    best = evaluate_candidate(Trial(0, config, 0, 100), LogisticRegression(), X, y, folds, scorer, 60.0,
                              time.time() + 60)
    assert best.status == "ok" and best.complete and best.n_folds == 5
    trailing = evaluate_candidate(Trial(1, config, 0, 100), _Constant(), X, y, folds, scorer, 60.0,
                                  time.time() + 60, race=best.scores)
    assert trailing.status == "pruned" and len(trailing.scores) == 1 and not trailing.complete
    assert "stopped after 1 of 5 folds" in trailing.error
    # its estimate: the best's mean plus the gap on the fold it ran
    assert trailing.rank_score == pytest.approx(best.mean_score + trailing.scores[0] - best.scores[0])
    # the same candidate without a race runs every fold; an equal one is never stopped
    alone = evaluate_candidate(Trial(2, config, 0, 100), _Constant(), X, y, folds, scorer, 60.0, time.time() + 60)
    assert alone.status == "ok" and len(alone.scores) == 5
    equal = evaluate_candidate(Trial(3, config, 0, 100), LogisticRegression(), X, y, folds, scorer, 60.0,
                               time.time() + 60, race=best.scores)
    assert equal.status == "ok" and equal.scores == best.scores


def test_a_raced_trial_competes_with_its_estimate_not_its_easy_first_folds():
    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    logistic, tree, *_ = portfolio.defaults()
    best = Trial(runner.history.candidate_id(logistic), logistic, 0, 1500, "ok", [0.99, 0.80, 0.80], n_folds=3)
    # trailed by 0.02 on an easy first fold: its mean there (0.97) is above the best's mean (0.863)
    raced = Trial(runner.history.candidate_id(tree), tree, 0, 1500, "pruned", [0.97], n_folds=3,
                  estimate=best.mean_score - 0.02)
    runner.history.record([best, raced])
    assert raced.mean_score > best.mean_score
    assert [t.config for t in runner.history.best()] == [logistic, tree]
    assert runner.history.incumbent(1500, 3) is best  # complete trials only
    # its seconds: the measured seconds per fold times every fold
    raced.fit_time, raced.score_time, raced.duration = 0.2, 0.05, 0.25
    assert runner.time.measured_seconds(raced) == pytest.approx(0.75)


def _raced(X, y, search):
    model = MetaSelectorClassifier(time_budget=3600, max_evals=12, cv=5, random_state=0, memory_limit=None,
                                   ranker=StaticPriorRanker(), search=search,
                                   estimators=["logistic_regression", "knn", "decision_tree", "lda", "gaussian_nb"]).fit(X, y)
    board = model.leaderboard_
    return model, board[board["error"].str.startswith("stopped after")]


def test_the_search_races_on_all_rows_and_never_ends_on_a_raced_candidate():
    X, y = make_classification(n_samples=1000, n_features=8, flip_y=0.2, random_state=0)  # folds of 200 rows
    model, raced = _raced(X, y, SuccessiveHalving(min_resources=1000))
    assert len(raced) and (raced["status"] == "pruned").all()
    complete = model.leaderboard_[model.leaderboard_["status"] == "ok"]
    assert model.best_score_ == pytest.approx(complete["mean_score"].max())
    # without racing every candidate runs all its folds
    assert _raced(X, y, SuccessiveHalving(min_resources=1000, race=False))[1].empty
    # nor on folds too small for a fold's score to say much (iris: 30 rows a fold)
    assert _raced(*load_iris(return_X_y=True), SuccessiveHalving())[1].empty


def test_predicted_times_follow_a_configurations_work():
    from metaselect.portfolio import Config

    runner, _ = _runner(max_evals=None, budget=Budget(60))
    forests = Portfolio("classification", ["random_forest"])
    runner.portfolio = forests
    runner.time.portfolio = forests
    small, large = Config("random_forest", {**forests.defaults()[0].params, "n_estimators": 25}), forests.defaults()[0]
    assert forests["random_forest"].work(small.params) == pytest.approx(0.25)
    runner.history.remember([small, large], [0.5, 0.5], [0.1, 0.1])  # the ranker predicts them alike
    assert runner.time.predicted(large, 1500) == pytest.approx(4 * runner.time.predicted(small, 1500))
    # measured ten times slower on the small one: the large one is corrected in proportion
    before = runner.time.predicted(small, 1500)
    _measured(runner, small, 1500, 10 * before, 0.1)
    assert runner.time.predicted(small, 1500) == pytest.approx(10 * before)
    assert runner.time.predicted(large, 1500) == pytest.approx(40 * before)


def test_predicted_times_follow_the_features_a_forest_examines_and_a_boostings_depth():
    from metaselect.portfolio import Config

    trees = Portfolio("classification", ["random_forest", "gradient_boosting", "adaboost"])
    forest, boosting, ada = (trees[name] for name in ("random_forest", "gradient_boosting", "adaboost"))
    default = forest.space.default()  # max_features="sqrt": 10 of 100 columns
    assert forest.work({**default, "max_features": 1.0}, 100) == pytest.approx((100 + 5) / (10 + 5))
    assert forest.work({**default, "max_features": 0.5, "n_estimators": 50}, 100) == pytest.approx(0.5 * 55 / 15)
    assert forest.work({**default, "max_features": 1.0}) == 1.0  # columns unknown: the trees alone
    assert boosting.work({**boosting.space.default(), "max_depth": 6}) == pytest.approx(2.0)
    assert ada.work({**ada.space.default(), "max_depth": 4}) == pytest.approx((4 + 2) / (1 + 2))
    # the search's time model knows the data's columns (6 here)
    runner, _ = _runner(max_evals=None, budget=Budget(60))
    runner.portfolio = runner.time.portfolio = trees
    every, usual = Config("random_forest", {**default, "max_features": 1.0}), Config("random_forest", default)
    runner.history.remember([every, usual], [0.5, 0.5], [0.1, 0.1])  # the ranker predicts them alike
    assert runner.time.predicted(every, 1500) == pytest.approx(
        (6 + 5) / (6 ** 0.5 + 5) * runner.time.predicted(usual, 1500))


def test_a_family_that_could_not_finish_a_fold_is_not_started_again_with_as_much_work():
    from metaselect.portfolio import Config

    runner, _ = _runner(max_evals=None, budget=Budget(60))
    forests = Portfolio("classification", ["random_forest"])
    runner.portfolio = runner.time.portfolio = forests
    default = forests.defaults()[0]
    smaller, larger = (Config("random_forest", {**default.params, "n_estimators": n}) for n in (50, 200))
    stuck = _measured(runner, default, 500, 0.6, 0.1, status="timeout")
    stuck.scores = []  # stopped in its first fold
    assert runner.time.outrun_by(default, 500) is stuck and runner.time.outrun_by(larger, 500) is stuck
    assert runner.time.outrun_by(smaller, 500) is None  # less work: it may finish
    assert runner.time.outrun_by(larger, 1500) is None  # other rows
    stuck.scores = [0.5]  # a fold finished: its time is known, and its retry is sized from it
    assert runner.time.outrun_by(larger, 500) is None


def test_predicted_times_of_gradient_boosting_grow_with_the_classes():
    from metaselect.portfolio import Config

    def predicted(n_classes, family, task="classification"):
        X, y = make_classification(n_samples=600, n_features=6, n_informative=4, n_classes=n_classes,
                                   random_state=0)
        portfolio = Portfolio(task, [family])
        runner = Runner(X, y if task == "classification" else X[:, 0], portfolio=portfolio,
                        schema=InputSchema(tuple(range(6)), ()), scorer=get_scorer("r2"), cv=3,
                        classifier=task == "classification", budget=Budget(60), random_state=0)
        config = Config(family, portfolio.defaults()[0].params)
        runner.history.remember([config], [0.5], [0.1])
        return runner.time.predicted(config, 600)

    assert predicted(5, "gradient_boosting") == pytest.approx(5 * predicted(2, "gradient_boosting"))
    assert predicted(4, "hist_gradient_boosting") == pytest.approx(4 * predicted(2, "hist_gradient_boosting"))
    assert predicted(5, "random_forest") == pytest.approx(predicted(2, "random_forest"))  # one tree for all
    assert predicted(5, "gradient_boosting", "regression") == pytest.approx(predicted(2, "gradient_boosting"))


def test_later_brackets_propose_what_fits_in_the_time_left_first():
    from metaselect.search._propose import propose

    runner, portfolio = _runner(max_evals=None, budget=Budget(60))
    for trial_config in portfolio.defaults():
        _measured(runner, trial_config, 1500, 0.1, 0.01)
    slow = {"knn", "decision_tree"}
    everything = propose(runner, 4, 0, per_family=2)
    fitting = propose(runner, 4, 0, per_family=2, fits=lambda c: c.family not in slow)
    assert {c.family for c in everything} & slow  # the most promising include slow families
    assert len(fitting) == 4 and not {c.family for c in fitting} & slow
    # when nothing fits, the most promising still come (the bracket is then dropped whole, logged)
    assert propose(runner, 4, 0, per_family=2, fits=lambda c: False) == everything


def test_encodings_are_remembered_but_never_shared():
    from metaselect.portfolio import encode_config

    config = Portfolio("classification", ["random_forest"]).defaults()[0]
    first = encode_config(config, "classification")
    first[:] = -1
    second = encode_config(config, "classification")
    assert (second >= 0).all() and second.flags.writeable


def test_an_exhausted_search_space_ends_the_search_early_and_says_so(caplog):
    from metaselect.spaces import Categorical

    X, y = load_iris(return_X_y=True)
    tiny = Family("tiny", "classification", lambda params, rs: _Constant(),
                  SearchSpace({"flavour": Categorical(["a", "b"])}, default={"flavour": "a"}), prior=1.0)
    with caplog.at_level("INFO", logger="metaselect.search"):
        model = MetaSelectorClassifier(time_budget=60, estimators=[tiny], ranker=StaticPriorRanker(),
                                       random_state=0, memory_limit=None).fit(X, y)
    assert len(model.leaderboard_) == 2  # both configurations, each once
    assert "search space is exhausted" in caplog.text
    assert model.fit_time_ < 30


def test_a_later_rung_sizes_each_survivors_share_and_prunes_those_that_no_longer_fit(monkeypatch):
    clock = FakeClock()
    runner, configs = _planned(100.0, [0.001] * 4, clock=clock)
    best, slow, *_ = configs
    # on 500 rows (3 folds): the best 1 s a fold, the other 20 s a fold
    for config, per_fold in ((best, 1.0), (slow, 20.0)):
        trial = _measured(runner, config, 500, 3 * per_fold, 0.001)
        trial.fit_time, trial.score_time = per_fold, 0.0
    calls = []

    def fake_evaluate(wave, n_samples, rung, share=None, reserve=None, race=False):
        calls.append((list(wave), share))
        clock.now += 30.0
        return [_measured(runner, c, n_samples, 30.0, 0.001) for c in wave]

    monkeypatch.setattr(runner, "evaluate", fake_evaluate)
    SuccessiveHalving().planner(runner).later_rung([best, slow], 1500, 1)
    expected = runner.time.extrapolated(runner.history.trials[0], 1500)
    assert len(calls) == 1 and calls[0][0] == [best] and calls[0][1] >= SHARE_MARGIN * expected
    # the slow one extrapolates to about 180 s: pruned before it starts, keeping its score on 500 rows
    assert runner.history.last(slow).status == "pruned" and "exceeds" in runner.history.last(slow).error


# -- issue 23: the boosting default on all rows first ---------------------------------------
class _QuickRanker(StaticPriorRanker):
    """The static prior, predicting ``seconds`` per fold for histogram boosting, 1 ms for the rest."""

    def __init__(self, seconds=1e-3):
        super().__init__()
        self.seconds = seconds

    def predict(self, configs, portfolio, context):
        times = [self.seconds if c.family == "hist_gradient_boosting" else 1e-3 for c in configs]
        return np.full(len(configs), np.nan), np.array(times)


def _boosting_default_trials(search, ranker, n=3000, max_evals=5):
    from sklearn.datasets import make_friedman1

    from metaselect import MetaSelectorRegressor

    X, y = make_friedman1(n_samples=n, random_state=0)
    model = MetaSelectorRegressor(time_budget=60, max_evals=max_evals, cv=3, random_state=0, search=search,
                                  ranker=ranker, estimators=["hist_gradient_boosting", "ridge", "knn"])
    board = model.fit(X, y).leaderboard_
    default = Portfolio("regression")["hist_gradient_boosting"].default_config().params
    return board[board["algorithm"].eq("hist_gradient_boosting") & board["params"].eq(default)]


def test_the_boosting_default_is_validated_on_all_rows_before_the_first_rung():
    trials = _boosting_default_trials(SuccessiveHalving(), _QuickRanker())
    assert trials["n_samples"].tolist() == [3000] and trials["status"].tolist() == ["ok"]


def test_without_the_anchor_or_when_it_is_predicted_slow_the_default_starts_on_the_first_rung():
    for search, ranker in [(SuccessiveHalving(anchor=False), _QuickRanker()),
                           (SuccessiveHalving(), _QuickRanker(seconds=1e4))]:
        trials = _boosting_default_trials(search, ranker, max_evals=3)
        assert 3000 not in trials["n_samples"].tolist(), (search, ranker.seconds)


def test_on_more_than_early_stopping_rows_the_anchor_is_the_early_stopped_default():
    from sklearn.datasets import make_friedman1

    from metaselect import MetaSelectorRegressor
    from metaselect.search._halving import EARLY_STOPPING_ROWS

    n = int(EARLY_STOPPING_ROWS * 1.6)  # 3-fold CV: 10,667 training rows per fold
    X, y = make_friedman1(n_samples=n, random_state=0)
    model = MetaSelectorRegressor(time_budget=60, max_evals=2, cv=3, random_state=0, search=SuccessiveHalving(),
                                  ranker=_QuickRanker(), estimators=["hist_gradient_boosting", "ridge"])
    board = model.fit(X, y).leaderboard_
    on_all_rows = board[board["n_samples"].eq(n)]
    longest = Portfolio("regression")["hist_gradient_boosting"].space.params["max_iter"].high
    early_stopped = {**Portfolio("regression")["hist_gradient_boosting"].default_config().params, "max_iter": longest}
    anchor = on_all_rows[on_all_rows["params"].eq(early_stopped)]
    assert anchor["algorithm"].tolist() == ["hist_gradient_boosting"] and anchor["status"].tolist() == ["ok"]


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_after_the_early_stopped_anchor_its_wider_twin_runs_on_all_rows_in_regression(task):
    from sklearn.datasets import make_classification, make_friedman1

    from metaselect import MetaSelectorClassifier, MetaSelectorRegressor
    from metaselect.search._halving import EARLY_STOPPING_ROWS, WIDER_ANCHOR

    n = int(EARLY_STOPPING_ROWS * 1.6)
    if task == "regression":
        X, y = make_friedman1(n_samples=n, random_state=0)
        model = MetaSelectorRegressor(estimators=["hist_gradient_boosting", "ridge"])
    else:
        X, y = make_classification(n_samples=n, random_state=0)
        model = MetaSelectorClassifier(estimators=["hist_gradient_boosting", "logistic_regression"])
    model.set_params(time_budget=60, max_evals=3, cv=3, random_state=0, search=SuccessiveHalving(),
                     ranker=_QuickRanker())
    board = model.fit(X, y).leaderboard_
    family = Portfolio(task)["hist_gradient_boosting"]
    anchor = {**family.default_config().params, "max_iter": family.space.params["max_iter"].high}
    on_all_rows = board[board["n_samples"].eq(n)]["params"].tolist()
    assert on_all_rows[0] == anchor
    assert ({**anchor, **WIDER_ANCHOR} in on_all_rows) == (task == "regression")


def test_a_twin_shares_its_origins_candidate_id_and_shifts_no_later_one():
    from metaselect.search import TrialHistory

    anchor, wider, other = (Config("hist_gradient_boosting", {**Portfolio("regression")[
        "hist_gradient_boosting"].default_config().params, "max_leaf_nodes": k}) for k in (31, 128, 64))
    history = TrialHistory()
    assert history.candidate_id(anchor) == 0
    history.twin(wider, anchor.with_target_encoding())
    assert history.seen(wider) and history.candidate_id(wider) == 0 and history.candidate_id(other) == 1
    with pytest.raises(ValueError, match="a twin must be new"):
        history.twin(wider, anchor)


def test_a_strategy_sees_the_declared_view_read_only():
    from metaselect.search import SearchView

    class Peeking(SearchStrategy):
        def __init__(self, action="read"):
            self.action = action

        def run(self, runner):
            assert runner.n_samples > 0 and runner.portfolio.task == "classification"  # declared: allowed
            if self.action == "read":
                runner.budget  # noqa: B018 - the runner has it; the view does not show it
            else:
                runner.reserve = 0.0
            return []

    X, y = make_classification(120, 5, random_state=0)
    with pytest.raises(AttributeError, match="sees only the runner's .*'budget' is not one of them"):
        MetaSelectorClassifier(search=Peeking("read"), max_evals=2, random_state=0).fit(X, y)
    with pytest.raises(AttributeError, match="cannot set 'reserve'"):
        MetaSelectorClassifier(search=Peeking("write"), max_evals=2, random_state=0).fit(X, y)
    assert {"rank", "evaluate", "history", "time_left"} <= SearchView.MEMBERS and "budget" not in SearchView.MEMBERS


# -- issue 23: the anchor is kept unless beaten beyond noise ------------------------------
def test_a_lead_within_its_standard_error_does_not_beat_the_reference():
    config_a, config_b = Config("ridge", {"alpha": 1.0}), Config("ridge", {"alpha": 2.0})

    def trial(config, scores, rows=1000):
        return Trial(0, config, 0, rows, scores=list(scores), n_folds=len(scores))

    reference = trial(config_b, [0.30, 0.35, 0.32, 0.31, 0.33])
    noisy = trial(config_a, [0.33, 0.32, 0.34, 0.29, 0.34])  # leads by 0.002, fold leads -0.03 to +0.03
    clear = trial(config_a, [0.32, 0.37, 0.34, 0.33, 0.35])  # leads by 0.02 on every fold
    assert not TrialHistory.beats(noisy, reference) and TrialHistory.beats(clear, reference)
    # not on the same folds: the higher score wins
    assert TrialHistory.beats(trial(config_a, [0.325] * 5, rows=900), reference)  # 0.325 > 0.322
    # the same scores up to rounding (the same model) do not beat it
    assert not TrialHistory.beats(trial(config_a, [s + 1e-13 for s in reference.scores]), reference)


def test_the_refit_keeps_the_reference_unless_the_best_beats_it_beyond_noise():
    from sklearn.datasets import make_friedman1

    X, y = make_friedman1(n_samples=600, random_state=0)
    runner = Runner(X, y, portfolio=Portfolio("regression", ["ridge"]), schema=InputSchema(tuple(range(10)), ()),
                    scorer=get_scorer("r2"), cv=3, classifier=False, budget=Budget(600), random_state=0)
    ridge, stronger = Config("ridge", {"alpha": 1.0}), Config("ridge", {"alpha": 10.0})
    anchor = Trial(runner.history.candidate_id(ridge), ridge, 0, 600, scores=[0.30, 0.35, 0.32], n_folds=3)
    best = Trial(runner.history.candidate_id(stronger), stronger, 0, 600, scores=[0.33, 0.32, 0.335], n_folds=3)
    runner.history.record([anchor, best])
    assert Refitter(runner).ranked()[0] is best  # no reference: the best first
    runner.keep_unless_beaten(anchor)
    assert Refitter(runner).ranked()[0] is anchor and Refitter(runner).winner().config == ridge
    best.scores = [0.36, 0.40, 0.37]  # now it leads on every fold
    assert Refitter(runner).ranked()[0] is best


def test_a_model_that_stopped_early_is_refit_with_the_iterations_its_folds_kept():
    from sklearn.datasets import make_friedman1

    # folds of more than 10,000 rows: scikit-learn's histogram boosting stops early on a split of its own
    X, y = make_friedman1(n_samples=22_000, n_features=5, noise=1.0, random_state=0)
    portfolio = Portfolio("regression", ["hist_gradient_boosting", "ridge"])
    runner = Runner(X, y, portfolio=portfolio, schema=InputSchema(tuple(range(5)), ()),
                    scorer=get_scorer("r2"), cv=2, classifier=False, budget=Budget(600), random_state=0)
    ridge = portfolio["ridge"].default_config()
    boosting = Config("hist_gradient_boosting", {**portfolio["hist_gradient_boosting"].space.default(),
                                                 "learning_rate": 1.0})  # stops long before its 100
    (trial, linear), (small,) = (runner.evaluate([boosting, ridge], runner.n_samples, 0),
                                  runner.evaluate([boosting], 10_000, 0))
    assert [rows for _, rows in trial.iterations] == [11_000, 11_000]
    assert all(0 < i < 50 for i, _ in trial.iterations)
    assert linear.iterations == [] and small.iterations == []  # no early stop on 5,000 rows a fold
    expected = round(float(np.mean([i for i, _ in trial.iterations])) * 2)  # folds of half the rows
    assert Refitter.iterations(trial, runner.n_samples) == expected
    assert Refitter.iterations(trial, 10_000) is None  # not on other rows than it was validated on
    model = Refitter(runner).winner().estimator[-1]
    assert model.n_iter_ == model.max_iter == expected and not model.do_early_stopping_
    assert runner.refit(boosting, iterations=10_000)[-1].max_iter == 100  # at most the configuration's

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer, log_loss, mean_squared_error, roc_auc_score
from sklearn.model_selection import cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from metaselect.ensemble import (
    SUPPORTED_SCORERS,
    EnsembleClassifier,
    EnsembleRegressor,
    ensemble_selection,
    make_score_func,
)

CLASSES = np.array(["no", "yes"])


def _proba(p_true, y_index):
    """Binary probabilities giving the true class (index in ``y_index``) probability ``p_true``."""
    p_true = np.asarray(p_true, dtype=float)
    proba = np.empty((len(p_true), 2))
    proba[np.arange(len(p_true)), y_index] = p_true
    proba[np.arange(len(p_true)), 1 - y_index] = 1 - p_true
    return proba


@pytest.fixture
def complementary():
    """Two classifiers right on 7/10 rows each, on different rows; their average is right on all 10."""
    y_index = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    first = _proba([0.9] * 7 + [0.4] * 3, y_index)  # wrong (mildly) on rows 7-9
    second = _proba([0.4] * 3 + [0.9] * 7, y_index)  # wrong (mildly) on rows 0-2
    constant = np.full((10, 2), 0.5)  # always predicts "no": 50%
    return [first, second, constant], CLASSES[y_index]


def _selection_score(predictions, y, weights, score):
    return score(y, np.tensordot(weights, np.stack(predictions), axes=1))


def test_size_one_picks_best_single_model(complementary):
    predictions, y = complementary
    y_index = (y == "yes").astype(int)
    best = _proba([0.9] * 8 + [0.2] * 2, y_index)  # 80%
    score = make_score_func("accuracy", "classification", CLASSES)
    weights = ensemble_selection([*predictions, best], y, score, size=1, task="classification")
    np.testing.assert_array_equal(weights, [0, 0, 0, 1])  # the 80% model, not a 70% one


@pytest.mark.parametrize("size", [2, 3, 4])
def test_complementary_members_beat_every_single_member(complementary, size):
    predictions, y = complementary
    score = make_score_func("balanced_accuracy", "classification", CLASSES)
    singles = [score(y, p) for p in predictions]
    assert max(singles) == pytest.approx(0.7)
    weights = ensemble_selection(predictions, y, score, size=size, task="classification")
    assert weights[0] > 0 and weights[1] > 0 and weights[2] == 0
    assert weights.sum() == pytest.approx(1.0)
    assert _selection_score(predictions, y, weights, score) == pytest.approx(1.0)


def test_replacement_gives_a_dominant_member_more_than_one_share():
    y = np.linspace(-2, 2, 12)
    predictions = [y + 1.0, y - 3.0]  # the 3:1 mix is exact
    score = make_score_func("neg_mean_squared_error", "regression")
    weights = ensemble_selection(predictions, y, score, size=4, task="regression")
    np.testing.assert_allclose(weights, [0.75, 0.25])
    assert weights[0] > 1 / 4
    assert _selection_score(predictions, y, weights, score) == pytest.approx(0.0)


def test_n_init_starts_from_the_best_members():
    y = np.linspace(-2, 2, 12)
    predictions = [y + 1.0, y - 3.0, y + 2.0]
    score = make_score_func("neg_mean_squared_error", "regression")
    plain = ensemble_selection(predictions, y, score, size=2, task="regression")
    started = ensemble_selection(predictions, y, score, size=2, task="regression", n_init=2)
    np.testing.assert_allclose(plain, [1.0, 0.0, 0.0])  # ties go to the lowest index
    np.testing.assert_allclose(started, [0.5, 0.0, 0.5])


def test_nan_candidates_are_skipped(complementary):
    predictions, y = complementary
    perfect_but_nan = _proba(np.full(10, 0.99), (y == "yes").astype(int))
    perfect_but_nan[3, :] = np.nan
    score = make_score_func("accuracy", "classification", CLASSES)
    weights = ensemble_selection(
        [perfect_but_nan, *predictions], y, score, size=3, task="classification"
    )
    assert weights[0] == 0
    assert weights.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="NaN"):
        ensemble_selection([perfect_but_nan], y, score, task="classification")


def test_regression_averaging_accepts_column_vectors():
    y = np.arange(6.0)
    predictions = [(y + 2.0).reshape(-1, 1), y - 2.0, np.zeros(6)]
    weights = ensemble_selection(
        predictions, y, make_score_func("r2", "regression"), size=2, task="regression"
    )
    np.testing.assert_allclose(weights, [0.5, 0.5, 0.0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 0}, "'size' parameter"),
        ({"n_init": 3, "size": 2}, "'n_init' parameter"),
        ({"task": "ranking"}, "'task' parameter"),
    ],
)
def test_selection_rejects_bad_parameters(kwargs, match):
    y = np.arange(4.0)
    with pytest.raises(ValueError, match=match):
        ensemble_selection(
            [y, y], y, make_score_func("r2", "regression"), **{"task": "regression", **kwargs}
        )


def test_selection_rejects_mismatched_shapes():
    y = np.arange(4.0)
    with pytest.raises(ValueError, match="same"):
        ensemble_selection([y, y[:3]], y, make_score_func("r2", "regression"), task="regression")


@pytest.mark.parametrize(
    "scoring, task",
    [
        ("r2", "classification"),
        ("accuracy", "regression"),
        ("neg_brier_score", "classification"),
        ("nope", "regression"),
    ],
)
def test_unsupported_scorer_is_named(scoring, task):
    with pytest.raises(ValueError, match=f"Scorer '{scoring}' is not supported .* {task}"):
        make_score_func(scoring, task, CLASSES)


def test_roc_auc_is_binary_only_like_sklearn():
    with pytest.raises(ValueError, match="roc_auc_ovr"):
        make_score_func("roc_auc", "classification", [0, 1, 2])


def test_probability_scorers_match_sklearn(complementary):
    predictions, y = complementary
    proba = predictions[0]
    assert make_score_func("neg_log_loss", "classification", CLASSES)(y, proba) == pytest.approx(
        -log_loss(y, proba)
    )
    expected_auc = roc_auc_score(y == "yes", proba[:, 1])
    assert make_score_func("roc_auc", "classification", CLASSES)(y, proba) == pytest.approx(
        expected_auc
    )


@pytest.mark.parametrize("name", ["balanced_accuracy", "neg_log_loss", "roc_auc_ovr", "f1_macro"])
def test_scorer_callable_matches_scorer_name(name):
    rng = np.random.default_rng(0)
    classes = np.array([3, 5, 7])
    y = np.resize(classes, 30)
    proba = rng.dirichlet(np.ones(3), size=30)
    by_name = make_score_func(name, "classification", classes)(y, proba)
    by_scorer = make_score_func(get_scorer(name), "classification", classes)(y, proba)
    assert by_name == pytest.approx(by_scorer)


def test_regression_scorer_callable_matches_name():
    y, prediction = np.arange(5.0), np.array([0.0, 1.5, 2.0, 2.5, 4.0])
    expected = -mean_squared_error(y, prediction)
    assert make_score_func("neg_mean_squared_error", "regression")(y, prediction) == pytest.approx(
        expected
    )
    assert make_score_func(get_scorer("neg_mean_squared_error"), "regression")(
        y, prediction
    ) == pytest.approx(expected)


def test_every_supported_name_runs():
    rng = np.random.default_rng(1)
    y, proba = np.resize([0, 1], 20), rng.dirichlet([1, 1], size=20)
    for name in SUPPORTED_SCORERS["classification"]:
        assert np.isfinite(make_score_func(name, "classification", [0, 1])(y, proba)), name
    values = rng.normal(size=20)
    for name in SUPPORTED_SCORERS["regression"]:
        assert np.isfinite(make_score_func(name, "regression")(values + 1, values)), name


@pytest.fixture(scope="module")
def classification_members():
    X, y_index = make_classification(
        n_samples=80, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    y = np.array(["a", "b", "c"])[y_index]
    members = [
        make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),
        DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y),
        GaussianNB().fit(X, y),
    ]
    return X, y, members


def test_classifier_is_the_weighted_average_of_members(classification_members):
    X, y, members = classification_members
    ensemble = EnsembleClassifier(members, [3, 0, 1])
    assert ensemble.estimators_ == [members[0], members[2]]  # zero weight dropped
    np.testing.assert_allclose(ensemble.weights_, [0.75, 0.25])
    expected = 0.75 * members[0].predict_proba(X) + 0.25 * members[2].predict_proba(X)
    np.testing.assert_allclose(ensemble.predict_proba(X), expected)
    np.testing.assert_array_equal(
        ensemble.predict(X), np.array(["a", "b", "c"])[expected.argmax(axis=1)]
    )
    np.testing.assert_array_equal(ensemble.classes_, ["a", "b", "c"])
    assert ensemble.n_features_in_ == X.shape[1]
    check_is_fitted(ensemble)
    assert 0.5 < ensemble.score(X, y) <= 1.0


def test_classifier_aligns_members_on_classes(classification_members):
    X, y, members = classification_members
    no_c = DummyClassifier(strategy="prior").fit(X[y != "c"], y[y != "c"])  # never saw "c"
    ensemble = EnsembleClassifier([members[0], no_c], [0.5, 0.5], classes=["c", "b", "a"])
    full = members[0].predict_proba(X)[:, ::-1]
    partial = np.column_stack([np.zeros(len(X)), no_c.predict_proba(X)[:, ::-1]])
    np.testing.assert_allclose(ensemble.predict_proba(X), 0.5 * full + 0.5 * partial)
    np.testing.assert_allclose(ensemble.predict_proba(X).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="not in classes_"):
        EnsembleClassifier([members[0]], [1.0], classes=["a", "b"]).predict_proba(X)


def test_regressor_is_the_weighted_average_of_members():
    X, y = make_regression(n_samples=60, n_features=4, noise=5.0, random_state=0)
    members = [Ridge().fit(X, y), DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)]
    ensemble = EnsembleRegressor(members, [0.2, 0.8])
    np.testing.assert_allclose(
        ensemble.predict(X), 0.2 * members[0].predict(X) + 0.8 * members[1].predict(X)
    )
    assert ensemble.n_features_in_ == 4
    assert ensemble.score(X, y) > 0.5


def test_pickle_round_trip_and_repr(classification_members):
    X, _, members = classification_members
    ensemble = EnsembleClassifier(members, [1, 1, 2])
    restored = pickle.loads(pickle.dumps(ensemble))
    np.testing.assert_array_equal(restored.predict_proba(X), ensemble.predict_proba(X))
    assert repr(ensemble).startswith("EnsembleClassifier(")
    assert "weights=[1, 1, 2]" in repr(ensemble)


def test_clone_is_unfitted_and_fit_refits_members(classification_members):
    X, y, members = classification_members
    ensemble = EnsembleClassifier(members, [1, 0, 1])
    copy = clone(ensemble)
    with pytest.raises(NotFittedError):
        copy.predict(X)
    assert copy.fit(X, y) is copy
    assert all(
        refit is not original
        for refit, original in zip(copy.estimators_, ensemble.estimators_, strict=True)
    )
    # same data and deterministic members: the refitted ensemble predicts the same
    np.testing.assert_allclose(copy.predict_proba(X), ensemble.predict_proba(X))
    with pytest.raises(ValueError, match="not in 'classes'"):
        EnsembleClassifier(members, [1, 1, 1], classes=["a", "b"]).fit(X, y)


@pytest.mark.parametrize("weights", [[1, 1], [0, 0, 0], [1, -1, 1], [1, np.nan, 1]])
def test_invalid_weights_raise(classification_members, weights):
    X, _, members = classification_members
    with pytest.raises(ValueError, match="'weights'"):
        EnsembleClassifier(members, weights).predict(X)


def test_selection_on_out_of_fold_predictions_builds_an_ensemble(classification_members):
    X, y, members = classification_members
    classes = np.unique(y)
    oof = [cross_val_predict(clone(m), X, y, cv=3, method="predict_proba") for m in members]
    score = make_score_func("neg_log_loss", "classification", classes)
    weights = ensemble_selection(oof, y, score, size=10, task="classification")
    assert score(y, np.tensordot(weights, np.stack(oof), axes=1)) >= max(score(y, p) for p in oof)
    ensemble = EnsembleClassifier(members, weights, classes=classes)
    assert ensemble.predict(X).shape == y.shape


@parametrize_with_checks(
    [
        EnsembleClassifier([GaussianNB(), DecisionTreeClassifier(random_state=0)], [2, 1]),
        EnsembleRegressor([Ridge(), DecisionTreeRegressor(random_state=0)], [1, 2]),
    ]
)
def test_sklearn_compatible_when_refitted(estimator, check):
    check(estimator)

"""MetaSelector in the places scikit-learn users put estimators."""

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_diabetes, load_iris, make_classification, make_regression
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score, balanced_accuracy_score, mean_absolute_error, r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from metaselect import (
    Family,
    MetaSelector,
    MetaSelectorClassifier,
    MetaSelectorRegressor,
    SearchFailedError,
)
from metaselect.estimator import LEADERBOARD_COLUMNS
from metaselect.preprocessing import UnseenCategoryWarning
from metaselect.spaces import Float, SearchSpace

# max_evals, not the clock, ends these searches, so results do not depend on machine speed: the
# budget is far beyond what 6 evaluations on small data take, so no time share or time-based
# decision binds (the first rung stops starting new candidates after its share of the budget);
# memory_limit=None: the cap does not depend on the memory free when a fit starts.
FAST = dict(time_budget=3600, max_evals=6, cv=3, memory_limit=None, random_state=0)
LIGHT = ["logistic_regression", "decision_tree", "knn"]
FAST_CLF = dict(FAST, estimators=LIGHT + ["random_forest", "gaussian_nb", "lda"])
FAST_REG = dict(FAST, estimators=["ridge", "decision_tree", "knn", "elastic_net"])


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_classifier_and_regressor_kinds():
    assert is_classifier(MetaSelectorClassifier())
    assert is_regressor(MetaSelectorRegressor())
    assert not is_classifier(MetaSelector()) and not is_regressor(MetaSelector())


def test_fit_exposes_documented_attributes(iris):
    X, y = iris
    model = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    assert model.n_features_in_ == 4
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert list(model.leaderboard_.columns) == LEADERBOARD_COLUMNS
    assert len(model.leaderboard_) == 6
    assert set(model.leaderboard_["status"]) <= {"ok", "pruned", "failed", "timeout"}
    best = model.leaderboard_.iloc[0]
    assert best["algorithm"] == model.best_config_["algorithm"]
    assert best["mean_score"] == pytest.approx(model.best_score_)
    assert model.best_score_ > 0.85
    # predict_proba exists exactly when the winner has it, and then gives distributions
    assert hasattr(model, "predict_proba") == hasattr(model.best_estimator_, "predict_proba")
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert model.score(X, y) > 0.85


def test_auto_task_detection(iris):
    X, y = iris
    assert MetaSelector(**FAST).fit(X, y).task_ == "classification"
    Xd, yd = load_diabetes(return_X_y=True)
    model = MetaSelector(**FAST).fit(Xd, yd)
    assert model.task_ == "regression" and not hasattr(model, "classes_")


def test_default_scoring_is_balanced_accuracy_and_r2(iris):
    X, y = iris
    assert MetaSelectorClassifier(**FAST_CLF).fit(X, y).scorer_._score_func.__name__ == "balanced_accuracy_score"
    Xd, yd = load_diabetes(return_X_y=True)
    assert MetaSelectorRegressor(**FAST_REG).fit(Xd, yd).scorer_._score_func.__name__ == "r2_score"


def test_custom_scoring_name_and_callable(iris):
    X, y = iris
    model = MetaSelectorClassifier(scoring="accuracy", **FAST_CLF).fit(X, y)
    assert model.scorer_._score_func.__name__ == "accuracy_score"
    calls = []

    def scorer(estimator, X_, y_):
        calls.append(len(y_))
        return float(np.mean(estimator.predict(X_) == y_))

    MetaSelectorClassifier(scoring=scorer, **FAST_CLF).fit(X, y)
    assert calls and sum(calls) >= 150


def test_score_uses_the_search_scorer_on_every_class():
    """``score`` is ``scorer_`` (balanced accuracy by default), not the mixins' accuracy / R^2:
    on imbalanced classes the two differ, and a custom scoring is used as given."""
    X, y = make_classification(n_samples=400, weights=[0.85], flip_y=0.1, random_state=0)
    weights = np.random.RandomState(0).randint(1, 4, len(y)).astype(float)
    for cls in (MetaSelectorClassifier, MetaSelector):
        model = cls(**dict(FAST, max_evals=1), estimators=["decision_tree"]).fit(X[:200], y[:200])
        predicted = model.predict(X[200:])
        assert accuracy_score(y[200:], predicted) != pytest.approx(balanced_accuracy_score(y[200:], predicted))
        assert model.score(X[200:], y[200:]) == pytest.approx(balanced_accuracy_score(y[200:], predicted))
        assert model.score(X[200:], y[200:], sample_weight=weights[200:]) == pytest.approx(
            balanced_accuracy_score(y[200:], predicted, sample_weight=weights[200:]))
    Xr, yr = load_diabetes(return_X_y=True)
    model = MetaSelectorRegressor(**dict(FAST, max_evals=1), estimators=["ridge"],
                                  scoring="neg_mean_absolute_error").fit(Xr[:300], yr[:300])
    predicted = model.predict(Xr[300:])
    assert model.score(Xr[300:], yr[300:]) == pytest.approx(-mean_absolute_error(yr[300:], predicted))
    assert model.score(Xr[300:], yr[300:]) != pytest.approx(r2_score(yr[300:], predicted))
    assert MetaSelectorRegressor(**dict(FAST, max_evals=1), estimators=["ridge"]).fit(Xr[:300], yr[:300]).score(
        Xr[300:], yr[300:]) == pytest.approx(r2_score(yr[300:], predicted))


def test_in_pipeline_and_cross_val_score(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), MetaSelectorClassifier(estimators=LIGHT, **FAST))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85


def test_grid_search_over_own_parameter(iris):
    X, y = iris
    grid = GridSearchCV(
        MetaSelectorClassifier(estimators=LIGHT, **FAST), {"max_evals": [1, 3]}, cv=2
    )
    grid.fit(X, y)
    assert grid.best_params_["max_evals"] in (1, 3)
    assert len(grid.best_estimator_.leaderboard_) == grid.best_params_["max_evals"]


def test_clone_keeps_parameters_untouched():
    model = MetaSelectorClassifier(time_budget=5, estimators=["knn"], random_state=3)
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    assert twin.estimators is not model.estimators


def test_joblib_round_trip(tmp_path, mixed_frame):
    X, y = mixed_frame
    model = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_dataframe_with_categoricals_missing_values_and_string_labels(mixed_frame):
    X, y = mixed_frame
    model = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    assert set(model.classes_) == {"no", "yes"}
    np.testing.assert_array_equal(model.feature_names_in_, X.columns)
    assert model.score(X, y) > 0.7  # the label depends on a categorical column
    unseen = X.head(5).copy()
    unseen["city"] = ["zzz", None, "a", "b", "new"]
    with pytest.warns(UnseenCategoryWarning, match=r"\{'city': 2\}"):
        assert set(model.predict(unseen)) <= {"no", "yes"}


def test_dataframe_columns_must_match_at_predict(mixed_frame):
    X, y = mixed_frame
    model = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X.rename(columns={"x1": "other"}))


def test_text_in_a_numeric_column_at_predict_warns_and_names_the_column(mixed_frame):
    X, y = mixed_frame
    model = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    text = X.head(4).astype({"x1": object})
    text.loc[text.index[:2], "x1"] = ["n/a", "?"]
    with pytest.warns(DataConversionWarning, match=r"not numbers.*'x1': 2") as record:
        assert set(model.predict(text)) <= {"no", "yes"}
    assert record[0].filename == __file__  # points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X.head(4).astype({"x1": object}))  # numbers stored as objects: no warning


def test_sparse_input():
    import scipy.sparse as sp

    X, y = make_classification(n_samples=120, n_features=8, random_state=0)
    model = MetaSelectorClassifier(**FAST_CLF).fit(sp.csr_matrix(X), y)
    assert model.score(sp.csr_matrix(X), y) > 0.7


def _broken_family():
    class Broken:
        def __init__(self, value=0.0):
            self.value = value

        def get_params(self, deep=True):
            return {"value": self.value}

        def set_params(self, **params):
            self.value = params.get("value", self.value)
            return self

        def fit(self, X, y):
            raise RuntimeError("this candidate always fails")

    return Family(
        "broken", "classification", lambda params, rs: Broken(**params),
        SearchSpace({"value": Float(0.0, 1.0)}, default={"value": 0.5}), prior=1.0,
    )  # fmt: skip


def test_failing_candidate_is_recorded_and_skipped(iris):
    X, y = iris
    model = MetaSelectorClassifier(estimators=[_broken_family(), "knn"], **FAST).fit(X, y)
    board = model.leaderboard_
    broken = board[board["algorithm"] == "broken"]
    assert len(broken) >= 1 and (broken["status"] == "failed").all()
    assert broken["error"].str.contains("always fails").all()
    assert model.best_config_["algorithm"] == "knn"


def test_all_candidates_failing_raises_with_reasons(iris):
    X, y = iris
    with pytest.raises(SearchFailedError, match="always fails"):
        MetaSelectorClassifier(estimators=[_broken_family()], **FAST).fit(X, y)


def test_same_random_state_same_result(iris):
    X, y = iris
    a = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    b = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    pd.testing.assert_series_equal(a.leaderboard_["mean_score"], b.leaderboard_["mean_score"])
    assert a.best_config_ == b.best_config_


def test_n_jobs_gives_the_same_leaderboard(iris):
    # The default search adapts its order after each wave (a configuration per worker), so its
    # leaderboard depends on n_jobs by design; successive halving without adaptation does not.
    from metaselect.search import SuccessiveHalving

    X, y = iris
    a = MetaSelectorClassifier(search=SuccessiveHalving(), **FAST_CLF).fit(X, y)
    b = MetaSelectorClassifier(n_jobs=2, search=SuccessiveHalving(), **FAST_CLF).fit(X, y)
    pd.testing.assert_series_equal(a.leaderboard_["mean_score"], b.leaderboard_["mean_score"])


def test_zero_budget_fits_top_ranked_default_without_search(iris):
    X, y = iris
    model = MetaSelectorClassifier(time_budget=0, random_state=0).fit(X, y)
    assert model.leaderboard_.empty
    assert model.score(X, y) > 0.8


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.empty((0, 3)), np.array([]), "0 sample"),
        (np.ones((10, 2)), np.zeros(10), "at least 2 classes"),
        (np.ones((10, 2)), np.r_[np.zeros(5), np.ones(4), np.nan], "NaN"),
        (np.ones((10, 2)), np.r_[np.zeros(5), np.ones(4), np.inf], "infinity"),
        (np.ones((10, 2)), np.r_[np.zeros(5), np.ones(4)], "inconsistent numbers of samples"),
    ],
)
def test_bad_input_is_named(X, y, match):
    with pytest.raises(ValueError, match=match):
        MetaSelectorClassifier(**FAST_CLF).fit(X, y)


def test_nan_regression_target_is_named():
    with pytest.raises(ValueError, match="y contains NaN"):
        MetaSelectorRegressor(**FAST_REG).fit(np.ones((5, 2)), [1.0, 2.0, np.nan, 3.0, 4.0])


def test_wrong_number_of_columns_at_predict(iris):
    X, y = iris
    model = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but MetaSelectorClassifier is expecting 4"):
        model.predict(X[:, :3])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"task": "ranking"}, "'task' parameter"),
        ({"scoring": "no_such_metric"}, "'scoring' parameter"),
        ({"time_budget": -1}, "'time_budget' parameter"),
        ({"cv": "kfold"}, "'cv' parameter"),
    ],
)
def test_bad_parameters_are_named(iris, params, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        MetaSelector(**params).fit(X, y)


def test_unknown_family_is_named(iris):
    X, y = iris
    with pytest.raises(ValueError, match="Unknown classification family 'xgboost'"):
        MetaSelectorClassifier(estimators=["xgboost"]).fit(X, y)


def test_meta_features_are_exposed(mixed_frame):
    from metaselect.metafeatures import feature_names

    X, y = mixed_frame
    model = MetaSelectorClassifier(**FAST_CLF).fit(X, y)
    assert list(model.meta_features_.index) == feature_names()
    assert np.isfinite(model.meta_features_.to_numpy()).all()
    assert model.meta_features_["n_rows"] == len(X)
    assert model.meta_features_["frac_categorical"] == pytest.approx(2 / 5)


def test_numeric_looking_string_labels_with_balanced_class_weight():
    # scikit-learn's forests reject class_weight="balanced" on labels such as "1"/"2";
    # the selector searches on label positions and maps predictions back.
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    labels = np.where(y == 1, "2", "1")
    model = MetaSelectorClassifier(estimators=["random_forest"], max_evals=12, cv=3, random_state=0)
    model.fit(X, labels)
    board = model.leaderboard_
    assert any(p.get("class_weight") == "balanced" for p in board["params"])
    assert not (board["status"] == "failed").any()
    assert set(model.predict(X)) <= {"1", "2"} and list(model.classes_) == ["1", "2"]


def test_ensemble_selection_replaces_the_best_single_model_when_it_helps(tmp_path):
    Xd, yd = load_diabetes(return_X_y=True)
    params = dict(estimators=["ridge", "knn", "decision_tree", "elastic_net"], max_evals=8, cv=3,
                  random_state=0)
    single = MetaSelectorRegressor(**params).fit(Xd, yd)
    model = MetaSelectorRegressor(ensemble_size=10, **params).fit(Xd, yd)
    assert model.best_config_["algorithm"] == "ensemble"
    members = model.best_config_["params"]["members"]
    assert len(members) >= 2 and sum(m["weight"] for m in members) == pytest.approx(1.0)
    assert model.best_score_ > single.best_score_ - 0.01  # out of fold vs mean of folds
    by_hand = sum(w * e.predict(Xd) for w, e in zip(model.best_estimator_.weights_,
                                                    model.best_estimator_.estimators_, strict=True))
    np.testing.assert_allclose(model.predict(Xd), by_hand)
    joblib.dump(model, tmp_path / "ensemble.joblib")
    np.testing.assert_allclose(joblib.load(tmp_path / "ensemble.joblib").predict(Xd), model.predict(Xd))


def test_ensemble_for_classification_maps_labels_back():
    X, y = make_classification(n_samples=400, n_features=10, n_informative=4, flip_y=0.1, random_state=0)
    labels = np.where(y == 1, "yes", "no")
    model = MetaSelectorClassifier(ensemble_size=10, estimators=LIGHT + ["gaussian_nb", "random_forest"],
                                   max_evals=8, cv=3, random_state=0).fit(X, labels)
    assert model.best_config_["algorithm"] == "ensemble"
    assert set(model.predict(X)) == {"no", "yes"}
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))


def test_budget_spent_before_any_candidate_finished_falls_back_to_a_cheap_default(caplog):
    import time

    from metaselect.search import SearchStrategy

    class Stalled(SearchStrategy):
        """Spends the whole budget without a single evaluation finishing."""

        def run(self, runner):
            while runner.time_left() > 0:
                time.sleep(0.05)
            return []

    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    with caplog.at_level("WARNING", logger="metaselect"):
        model = MetaSelectorClassifier(time_budget=1, search=Stalled(), random_state=0).fit(X, y)
    assert model.leaderboard_.empty
    assert model.best_config_["algorithm"] == "gaussian_nb" and np.isnan(model.best_score_)
    assert any("without validation" in r.message for r in caplog.records)
    assert model.score(X, y) > 0.6


def test_ensemble_members_all_have_probabilities():
    # SVC (no predict_proba) can be among the best; it must not enter a probability ensemble.
    X, y = make_classification(n_samples=300, n_features=8, flip_y=0.1, random_state=1)
    model = MetaSelectorClassifier(ensemble_size=10, estimators=["svm", "logistic_regression", "knn"],
                                   max_evals=9, cv=3, random_state=0).fit(X, y)
    assert "svm" in set(model.leaderboard_["algorithm"])
    if model.best_config_["algorithm"] == "ensemble":
        assert all(m["algorithm"] != "svm" for m in model.best_config_["params"]["members"])
        model.predict_proba(X)
    model.predict(X)


def test_tiny_data_gets_no_more_folds_than_it_can_fill():
    X = np.arange(16, dtype=float).reshape(8, 2)
    clf = MetaSelectorClassifier(estimators=["logistic_regression", "decision_tree"], max_evals=2,
                                 random_state=0).fit(X, [0, 0, 0, 1, 1, 1, 1, 0])  # cv="auto": 5-fold
    assert (clf.leaderboard_["status"] == "ok").all()
    reg = MetaSelectorRegressor(estimators=["ridge", "decision_tree"], max_evals=2,
                                random_state=0).fit(X, np.arange(8.0))
    assert (reg.leaderboard_["status"] == "ok").all()  # 4 folds of 2 rows, not 5 with a 1-row fold
    with pytest.raises(ValueError, match="at least 2 samples of some class"):
        MetaSelectorClassifier().fit(X[:3], ["a", "b", "c"])


def test_holdout_validates_each_candidate_once_on_a_held_out_fifth():
    X, y = make_classification(n_samples=3000, n_features=6, random_state=0)
    model = MetaSelectorClassifier(cv="holdout", estimators=["logistic_regression", "decision_tree"],
                                   max_evals=3, random_state=0).fit(X, y)
    assert model.cv_ == "holdout"
    board = model.leaderboard_
    assert (board["status"] == "ok").any() and (board.loc[board["status"] == "ok", "std_score"] == 0).all()
    assert board["n_samples"].min() == 2500  # a rung validates 500 rows: a fifth of 2,500
    reg = MetaSelectorRegressor(cv="holdout", estimators=["ridge", "decision_tree"], max_evals=2,
                                random_state=0).fit(X, y.astype(float))
    assert reg.score(X, y.astype(float)) > 0.3


def test_auto_cv_holds_out_only_on_data_large_for_the_budget():
    X, y = make_classification(n_samples=5000, n_features=10, random_state=0)
    fast = dict(estimators=["gaussian_nb"], max_evals=1, random_state=0)
    assert MetaSelectorClassifier(time_budget=19, **fast).fit(X, y).cv_ == "holdout"  # 50,000 cells
    assert MetaSelectorClassifier(time_budget=20, **fast).fit(X, y).cv_ == 5  # 2,500 cells a second
    assert MetaSelectorClassifier(time_budget=1, **fast).fit(X[:4999], y[:4999]).cv_ == 5  # too few rows
    assert MetaSelectorClassifier(time_budget=1, cv=3, **fast).fit(X, y).cv_ == 3  # as given


def test_ensemble_on_a_holdout_selects_on_the_held_out_rows():
    X, y = make_regression(n_samples=2500, n_features=8, noise=10.0, random_state=0)
    y = y + 100 * np.sign(X[:, 0]) * np.abs(X[:, 1])  # an interaction the linear members miss
    model = MetaSelectorRegressor(cv="holdout", ensemble_size=10, max_evals=8, random_state=0,
                                  estimators=["ridge", "knn", "decision_tree", "random_forest"]).fit(X, y)
    assert model.best_config_["algorithm"] == "ensemble"
    single = model.leaderboard_.query("status == 'ok' and n_samples == 2500")["mean_score"].max()
    assert model.best_score_ > single  # the ensemble's score on the held-out rows beats the best member


def test_html_repr_of_a_selector_fitted_on_categorical_data(mixed_frame):
    X, y = mixed_frame
    model = MetaSelectorClassifier(**dict(FAST, estimators=["logistic_regression"])).fit(X, y)
    html = model._repr_html_()  # raised TypeError: len() of unsized object
    assert "logistic_regression" in html
    names = model.best_estimator_[:-1].get_feature_names_out()  # the categorical columns' included
    assert names.ndim == 1 and len(names) > X.shape[1] and all(isinstance(n, str) for n in names)


def test_a_ranker_without_what_the_fit_calls_is_refused_before_the_search():
    from sklearn.utils._param_validation import InvalidParameterError

    class OnlyRank:
        def rank(self, configs, portfolio, context):
            return list(configs)

    X, y = make_classification(60, 4, random_state=0)
    with pytest.raises(InvalidParameterError, match="'ranker' parameter"):
        MetaSelectorClassifier(ranker=OnlyRank(), time_budget=1).fit(X, y)

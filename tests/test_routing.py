"""Sample weights, groups and other metadata through ``fit`` and scikit-learn's metadata routing."""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import balanced_accuracy_score, get_scorer, make_scorer
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from metaselect import MetaSelectorClassifier, StaticPriorRanker
from metaselect.portfolio import Family
from metaselect.spaces import Int, SearchSpace


@pytest.fixture
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    rows = np.random.RandomState(0).permutation(len(y))[:160]
    return X[rows], y[rows]


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _tree_selector(**params):
    """One deterministic family, one evaluation, a ranker that ignores the meta-features."""
    return MetaSelectorClassifier(estimators=["decision_tree"], max_evals=1, ranker=StaticPriorRanker(),
                                  time_budget=60, random_state=0, **params)


def _same_tree(a, b):
    tree_a, tree_b = a.best_estimator_[-1].tree_, b.best_estimator_[-1].tree_
    return (tree_a.node_count == tree_b.node_count
            and np.array_equal(tree_a.feature, tree_b.feature)
            and np.array_equal(tree_a.threshold, tree_b.threshold)
            and np.allclose(tree_a.value, tree_b.value))


def test_integer_weights_give_the_model_of_duplicated_rows(cancer):
    """A CART tree grown on weighted rows is the tree grown on the rows repeated that many times
    (same splits, same class proportions in every leaf). The validation folds are given as
    lists so that the repeated copies of a row stay on one side, and the weighted balanced
    accuracy of a fold equals the plain one on its repeated rows: scores must match too."""
    X, y = cancer
    weights = np.random.RandomState(1).randint(1, 4, len(y))
    repeat = np.repeat(np.arange(len(y)), weights)
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    # The same folds on the repeated rows: positions in ``repeat`` of each original row.
    folds_repeated = [(np.flatnonzero(np.isin(repeat, tr)), np.flatnonzero(np.isin(repeat, te))) for tr, te in folds]
    weighted = _tree_selector(cv=folds).fit(X, y, sample_weight=weights)
    repeated = _tree_selector(cv=folds_repeated).fit(X[repeat], y[repeat])
    unweighted = _tree_selector(cv=folds).fit(X, y)

    assert weighted.best_config_ == repeated.best_config_
    assert weighted.leaderboard_["n_samples"].tolist() == [len(y)]  # one rung, on every row
    assert _same_tree(weighted, repeated)
    np.testing.assert_array_equal(weighted.predict_proba(X), repeated.predict_proba(X))
    assert weighted.best_score_ == pytest.approx(repeated.best_score_, abs=1e-12)
    # ... and the weights made a difference: without them, another tree and another score.
    assert not _same_tree(weighted, unweighted)
    assert weighted.best_score_ != pytest.approx(unweighted.best_score_, abs=1e-9)


class _RowRecorder(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; remembers the row ids (column 0) it was trained on."""

    def __init__(self, depth=1):
        self.depth = depth

    def fit(self, X, y):
        self.train_ids_ = np.asarray(X)[:, 0].astype(int)
        self.classes_, counts = np.unique(y, return_counts=True)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_group_kfold_keeps_every_group_on_one_side_of_each_split():
    """Rung sizes start at 500 rows: 3,000 rows give subsampled rungs, whose groups must
    follow their rows."""
    rng = np.random.RandomState(2)
    X = np.column_stack([np.arange(3000), rng.normal(size=(3000, 3))])  # column 0: the row id
    y = rng.randint(0, 2, 3000)
    groups = rng.randint(0, 200, 3000)
    seen = []

    def scorer(pipeline, X_test, y_test):
        seen.append((pipeline[-1].train_ids_, np.asarray(X_test)[:, 0].astype(int)))
        return 0.5

    recorder = Family("recorder", "classification", lambda params, rs: _RowRecorder(**params),
                      SearchSpace({"depth": Int(1, 50)}, default={"depth": 1}), prior=1.0)
    model = MetaSelectorClassifier(estimators=[recorder], max_evals=12, cv=GroupKFold(5), scoring=scorer,
                                   ranker=StaticPriorRanker(), random_state=0)
    model.fit(X, y, groups=groups)

    folds = [(train, test) for train, test in seen if len(train) < len(X)]  # not the refit's check
    assert len(folds) == 5 * 12 and len(seen) - len(folds) <= 1  # every fold of every evaluation
    assert len(set(model.leaderboard_["n_samples"])) > 1  # subsampled rungs, then all rows
    for train_ids, test_ids in folds:
        assert len(test_ids) and len(train_ids)
        assert not set(groups[train_ids]) & set(groups[test_ids])


def test_without_groups_the_same_search_mixes_groups(cancer):
    """The check above can fail: plain K-fold puts rows of one group on both sides."""
    X, y = cancer
    groups = np.random.RandomState(2).randint(0, 30, len(y))
    mixed = [set(groups[tr]) & set(groups[te]) for tr, te in KFold(5).split(X)]
    assert all(mixed)


def test_unweighted_family_is_skipped_with_the_reason(cancer):
    X, y = cancer
    model = MetaSelectorClassifier(estimators=["knn", "decision_tree"], max_evals=4, cv=3,
                                   ranker=StaticPriorRanker(), random_state=0)
    model.fit(X, y, sample_weight=np.ones(len(y)))
    knn = model.leaderboard_[model.leaderboard_["algorithm"] == "knn"]
    assert len(knn) and (knn["status"] == "skipped").all()
    assert knn["error"].str.contains("sample_weight").all()
    assert model.best_config_["algorithm"] == "decision_tree"
    unweighted = MetaSelectorClassifier(estimators=["knn"], max_evals=1, cv=3, random_state=0).fit(X, y)
    assert (unweighted.leaderboard_["status"] == "ok").all()


@pytest.mark.parametrize("kwargs, match", [
    ({"sample_weight": np.ones(5)}, "sample_weight must have one value per row"),
    ({"sample_weight": -np.ones(160)}, "[Nn]egative"),
    ({"sample_weight": np.zeros(160)}, "at least one non-zero"),
    ({"groups": np.ones(3)}, "groups must have one value per row"),
])
def test_bad_metadata_is_named(cancer, kwargs, match):
    X, y = cancer
    with pytest.raises(ValueError, match=match):
        _tree_selector(cv=3).fit(X, y, **kwargs)


def test_weights_on_one_class_only_are_named(cancer):
    """As scikit-learn's classifiers do (check_classifiers_one_label_sample_weights): a ValueError
    naming the class, not a search whose every candidate fails."""
    X, y = cancer
    with pytest.raises(ValueError, match="positive on rows of one class only"):
        _tree_selector(cv=3).fit(X, y, sample_weight=(y == 1).astype(float))
    _tree_selector(cv=3).fit(X, y, sample_weight=(y == 1) + 0.5)  # both classes weighted: fits


def test_other_metadata_needs_routing(cancer):
    X, y = cancer
    with pytest.raises(TypeError, match="enable_metadata_routing"):
        _tree_selector(cv=3).fit(X, y, extra=np.ones(len(y)))


def test_groups_with_built_in_cv_warn(cancer, caplog):
    X, y = cancer
    _tree_selector(cv=3).fit(X, y, groups=np.arange(len(y)) % 7)
    assert "GroupKFold" in caplog.text


def test_metadata_routing_declares_self_splitter_and_scorer():
    scorer = get_scorer("balanced_accuracy")
    selector = MetaSelectorClassifier(cv=GroupKFold(3), scoring=scorer)
    routing = selector.get_metadata_routing()._serialize()
    assert set(routing["$self_request"]["fit"]) == {"sample_weight", "groups"}
    assert routing["splitter"]["router"]["split"] == {"groups": True}
    assert {"caller": "fit", "callee": "score"} in routing["scorer"]["mapping"]
    plain = MetaSelectorClassifier().get_metadata_routing()._serialize()
    assert set(plain) == {"$self_request"}


def test_routed_score_metadata_reaches_the_scorer_fold_by_fold(cancer, routing):
    X, y = cancer
    received = []

    def metric(y_true, y_pred, *, marker):
        received.append((len(y_true), np.asarray(marker)))
        return balanced_accuracy_score(y_true, y_pred)

    scorer = make_scorer(metric).set_score_request(marker=True)
    marker = np.arange(len(y))
    _tree_selector(cv=KFold(4), scoring=scorer).fit(X, y, marker=marker)
    assert len(received) == 4
    for n, values in received:  # each fold gets its own rows' values
        assert len(values) == n == len(y) // 4
    assert sorted(np.concatenate([v for _, v in received]).tolist()) == marker.tolist()
    with pytest.raises(TypeError, match="unexpected argument"):
        _tree_selector(cv=KFold(4), scoring=scorer).fit(X, y, marker=marker, other=marker)


def test_inside_pipeline_with_routing_weights_reach_the_selector(cancer, routing):
    X, y = cancer
    weights = np.random.RandomState(1).randint(0, 3, len(y)).astype(float)
    direct = _tree_selector(cv=3).fit(X, y, sample_weight=weights)
    selector = _tree_selector(cv=3).set_fit_request(sample_weight=True)
    pipe = Pipeline([("identity", FunctionTransformer()), ("select", selector)]).fit(X, y, sample_weight=weights)
    assert _same_tree(pipe[-1], direct)
    unrequested = Pipeline([("select", _tree_selector(cv=3))])
    with pytest.raises(sklearn.exceptions.UnsetMetadataPassedError):
        unrequested.fit(X, y, sample_weight=weights)


def test_grid_search_and_cross_validate_route_weights_and_groups(cancer, routing):
    X, y = cancer
    weights = np.random.RandomState(1).randint(1, 3, len(y)).astype(float)
    groups = np.arange(len(y)) % 12
    selector = _tree_selector(cv=GroupKFold(3)).set_fit_request(sample_weight=True, groups=True)
    search = GridSearchCV(selector, {"max_evals": [1]}, cv=GroupKFold(3),
                          scoring=get_scorer("balanced_accuracy").set_score_request(sample_weight=True))
    search.fit(X, y, sample_weight=weights, groups=groups)
    direct = _tree_selector(cv=GroupKFold(3)).fit(X, y, sample_weight=weights, groups=groups)
    assert _same_tree(search.best_estimator_, direct)

    selector = selector.set_score_request(sample_weight=True)
    result = cross_validate(selector, X, y, cv=GroupKFold(3), params={"sample_weight": weights, "groups": groups},
                            return_estimator=True)
    assert len(result["test_score"]) == 3 and np.isfinite(result["test_score"]).all()
    for fitted in result["estimator"]:
        assert fitted.leaderboard_["status"].eq("ok").all()


def test_score_takes_sample_weight(cancer):
    from metaselect import MetaSelector

    X, y = cancer
    model = MetaSelector(estimators=["decision_tree"], max_evals=1, cv=3, random_state=0,
                         ranker=StaticPriorRanker()).fit(X[:100], y[:100])
    weights = (np.arange(60) % 2).astype(float)
    expected = model.scorer_(model, X[100:], y[100:], sample_weight=weights)
    assert model.score(X[100:], y[100:], sample_weight=weights) == pytest.approx(expected)
    odd = model.scorer_(model, X[101::2], y[101::2])
    assert model.score(X[100:], y[100:], sample_weight=weights) == pytest.approx(odd)



def test_weighted_selector_round_trips_through_skops(cancer, tmp_path):
    """A selector fitted with weights (a family skipped for them) saves and loads with skops'
    trust list, and predicts as before."""
    import skops.io

    from metaselect.estimator import TRUSTED_TYPES, load_model, save_model

    X, y = cancer
    weights = np.random.RandomState(1).randint(1, 4, len(y)).astype(float)
    model = MetaSelectorClassifier(estimators=["knn", "decision_tree", "logistic_regression"], max_evals=6,
                                   cv=3, random_state=0)  # the default ranker: in the trust list
    model.fit(X, y, sample_weight=weights)
    assert (model.leaderboard_["status"] == "skipped").any()
    path = tmp_path / "weighted.skops"
    save_model(model, path)
    assert set(skops.io.get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.best_config_ == model.best_config_
    assert loaded.leaderboard_["error"].tolist() == model.leaderboard_["error"].tolist()
    assert loaded.score(X, y, sample_weight=weights) == pytest.approx(model.score(X, y, sample_weight=weights))

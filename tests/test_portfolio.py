import numpy as np
import pytest
from sklearn.base import clone

from metaselect.portfolio import (
    FAMILY_ORDER,
    Config,
    Portfolio,
    builtin_families,
    decode_config,
    encode_config,
    encoding_names,
)


@pytest.mark.parametrize("task, minimum", [("classification", 10), ("regression", 8)])
def test_enough_families(task, minimum):
    assert len(Portfolio(task)) >= minimum


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_every_config_builds_and_encodes_stably(task):
    portfolio = Portfolio(task)
    names = encoding_names(task)
    assert len(names) == len(set(names))
    for config in portfolio.defaults() + portfolio.sample(60, random_state=0):
        clone(portfolio.build(config, random_state=0))
        vector = encode_config(config, task)
        assert vector.shape == (len(names),)
        assert vector[: len(FAMILY_ORDER[task])].sum() == 1
        back = decode_config(vector, task)
        assert back.family == config.family
        for key, value in config.params.items():
            assert back.params[key] == (pytest.approx(value) if isinstance(value, float) else value)


def test_encoding_layout_starts_with_family_one_hot():
    names = encoding_names("classification")
    assert names[: len(FAMILY_ORDER["classification"])] == [
        f"family={f.name}" for f in builtin_families("classification")
    ]
    assert "svm:kernel=rbf" in names and "mlp:width" in names


def test_defaults_match_scikit_learn_defaults_where_they_exist():
    rf = Portfolio("classification").build(Config("random_forest", Portfolio("classification")["random_forest"].space.default()))
    assert rf.n_estimators == 100 and rf.max_features == "sqrt"


def test_sampling_is_seeded_and_weighted():
    p = Portfolio("regression")
    assert p.sample(20, random_state=1) == p.sample(20, random_state=1)
    only_knn = p.sample(30, random_state=0, weights={name: float(name == "knn") for name in p.families})
    assert {c.family for c in only_knn} == {"knn"}


def test_config_value_semantics():
    a, b = Config("knn", {"p": 2, "n_neighbors": 5}), Config("knn", {"n_neighbors": 5, "p": 2})
    assert a == b and hash(a) == hash(b) and Config.from_dict(a.to_dict()) == a


def test_restricted_portfolio_and_errors():
    assert list(Portfolio("classification", ["knn", "svm"]).families) == ["knn", "svm"]
    with pytest.raises(ValueError, match="Unknown regression family"):
        Portfolio("regression", ["logistic_regression"])
    with pytest.raises(ValueError, match="task must be"):
        Portfolio("ranking")
    with pytest.raises(ValueError, match="not a built-in"):
        encode_config(Config("nope", {}), "classification")
    assert np.isfinite(encode_config(Portfolio("classification").defaults()[0], "classification")).all()


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("family", ["random_forest", "extra_trees"])
def test_forests_cap_their_leaves_only_where_their_trees_could_outgrow_the_budget(task, family):
    from metaselect.portfolio._trees import FOREST_LEAF_BUDGET

    portfolio = Portfolio(task)
    default = portfolio[family].default_config()  # 100 trees: FOREST_LEAF_BUDGET // 100 leaves each
    cap = FOREST_LEAF_BUDGET // 100
    assert portfolio.build(default, n_rows=cap + 1).max_leaf_nodes == cap
    assert portfolio.build(default, n_rows=cap).max_leaf_nodes is None  # it cannot bind: left alone
    assert portfolio.build(default).max_leaf_nodes is None  # rows unknown: the configuration as it is
    wide_leaves = Config(family, {**default.params, "min_samples_leaf": 4})  # at most rows / 4 leaves
    assert portfolio.build(wide_leaves, n_rows=4 * cap).max_leaf_nodes is None
    many = Config(family, {**default.params, "n_estimators": 512})
    assert portfolio.build(many, n_rows=3000).max_leaf_nodes == FOREST_LEAF_BUDGET // 512
    assert Config.from_dict(many.to_dict()) == many  # the cap is not part of the configuration

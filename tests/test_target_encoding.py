"""Target encoding of many-valued columns (issue 23): which columns, the encoder, the search's choice."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import TargetEncoder

from metaselect import MetaSelectorRegressor
from metaselect.portfolio import Config, Portfolio
from metaselect.preprocessing import (
    MIN_TARGET_ENCODED_VALUES,
    check_X,
    make_candidate_pipeline,
    target_encoded_columns,
)
from metaselect.search import SuccessiveHalving, TrialHistory

N_IDS = 600  # more identifiers than histogram bins and ordinal codes keep apart


def _ids_table(n=3000, seed=0):
    """A regression table whose target is mostly each identifier's own effect: ``who`` (a number)
    and ``team`` (text) hold 600 values each, ``x`` is a continuous feature, ``day`` a number of
    few values and ``score`` whole numbers of many values that mean nothing; ``seed`` draws
    other rows of the same identifiers' effects."""
    effect, team_effect = np.random.default_rng(0).normal(size=(2, N_IDS))  # the same for every seed
    rng = np.random.default_rng(seed + 1)
    who = rng.integers(0, N_IDS, n)
    team = rng.integers(0, N_IDS, n)
    x = rng.normal(size=n)
    X = pd.DataFrame({"who": who, "team": [f"t{k}" for k in team], "x": x, "day": rng.integers(0, 7, n),
                      "score": rng.integers(0, 10_000, n)})
    y = 2.0 * effect[who] + team_effect[team] + 0.5 * x + rng.normal(scale=0.3, size=n)
    return X, y


def test_the_columns_taken_are_the_many_valued_categories_and_whole_numbers():
    X, y = _ids_table()
    Xc, schema = check_X(X)
    # positions: who 0, team 1, x 2, day 3, score 4: x is continuous, day has 7 values, and score's
    # values are mostly on one row each (10,000 values, 3,000 rows): no mean of their own to encode
    assert target_encoded_columns(Xc, schema) == (1, 0)
    assert target_encoded_columns(*check_X(X.assign(score=X["score"] // 20))) == (1, 0, 4)  # 2 rows or more
    few = X.assign(who=X["who"] % (MIN_TARGET_ENCODED_VALUES - 1), team="t", score=X["score"] + 0.5)
    assert target_encoded_columns(*check_X(few)) == ()
    sparse, schema = check_X(sp.random(50, 3, density=0.5, format="csr", random_state=0))
    assert target_encoded_columns(sparse, schema) == ()


def test_the_pipeline_adds_one_cross_fitted_encoding_per_column():
    X, y = _ids_table()
    Xc, schema = check_X(X)
    family = Portfolio("regression")["ridge"]
    columns = (0, 1, 4)  # the identifiers and the noise
    plain = make_candidate_pipeline(family, family.default_config().params, schema, random_state=0)
    encoded = make_candidate_pipeline(family, family.default_config().params, schema, random_state=0,
                                      target_encoded=columns)
    width = plain[0].fit_transform(Xc, y).shape[1]
    dense = lambda a: a.toarray() if sp.issparse(a) else np.asarray(a)  # noqa: E731
    train = dense(encoded[0].fit_transform(Xc, y))
    assert train.shape[1] == width + len(columns)
    assert any(isinstance(step, TargetEncoder) for _, t, _ in encoded[0].transformers_ for step in t)
    # cross-fitted: on its training rows the score column (noise) is encoded from other rows, so it
    # says next to nothing about the target, where the same rows encoded after the fit would
    later = dense(encoded[0].transform(Xc))
    assert abs(np.corrcoef(train[:, -1], y)[0, 1]) < 0.1 < np.corrcoef(later[:, -1], y)[0, 1]
    assert encoded.fit(Xc, y).score(Xc, y) > plain.fit(Xc, y).score(Xc, y)


def test_a_configuration_with_target_encoding_is_another_candidate_with_the_same_prediction():
    config = Config("ridge", {"alpha": 1.0})
    encoded = config.with_target_encoding()
    assert encoded != config and encoded.params == config.params and encoded.target_encoding
    assert encoded.with_target_encoding(False) == config and config.with_target_encoding(False) is config
    assert Config.from_dict(encoded.to_dict()) == encoded and config.to_dict() == {"family": "ridge",
                                                                                     "params": {"alpha": 1.0}}
    assert pickle.loads(pickle.dumps(encoded)) == encoded and pickle.loads(pickle.dumps(config)) == config
    history = TrialHistory()
    history.remember([encoded], [0.7], [0.1])
    assert history.prediction(config) == (0.7, 0.1) == history.prediction(encoded)
    first = history.candidate_id(config)
    assert history.seen(encoded) and not history.seen(Config("ridge", {"alpha": 2.0}))
    # one id, so one seed: the variants differ only in the encoding
    assert history.candidate_id(encoded) == first != history.candidate_id(Config("ridge", {"alpha": 2.0}))


def _fit(X, y, **search):
    model = MetaSelectorRegressor(time_budget=60, max_evals=8, cv=3, random_state=0,
                                  search=SuccessiveHalving(**search),
                                  estimators=["hist_gradient_boosting", "ridge"])
    return model.fit(X, y)


def test_the_search_keeps_target_encoding_where_the_anchor_gains_beyond_noise():
    X, y = _ids_table()
    model = _fit(X, y)
    board = model.leaderboard_
    on_all_rows = board[board["n_samples"].eq(len(y)) & board["algorithm"].eq("hist_gradient_boosting")]
    assert sorted(on_all_rows["target_encoding"].tolist()) == [False, True]  # the anchor both ways
    plain, encoded = (on_all_rows[on_all_rows["target_encoding"].eq(flag)]["mean_score"].iloc[0]
                      for flag in (False, True))
    assert encoded > plain
    later = board[board["n_samples"].lt(len(y))]
    assert len(later) and later["target_encoding"].all()  # every candidate after the choice
    assert model.best_config_["target_encoding"] is True and model.best_config_["algorithm"]
    steps = [s for _, t, _ in model.best_estimator_[0].transformers_ for s in getattr(t, "steps", [])]
    assert any(isinstance(step, TargetEncoder) for _, step in steps)
    X_new, y_new = _ids_table(500, seed=1)
    assert model.score(X_new, y_new) > 0.5
    assert np.array_equal(pickle.loads(pickle.dumps(model)).predict(X_new), model.predict(X_new))


def test_no_target_encoding_without_many_valued_columns_or_when_switched_off():
    X, y = _ids_table()
    for data, search in ((X[["x", "day"]], {}), (X, {"target_encoding": False})):
        model = _fit(data, y, **search)
        assert not model.leaderboard_["target_encoding"].any(), search
        assert "target_encoding" not in model.best_config_


@pytest.mark.parametrize("flag", [True, False])
def test_target_encoding_that_does_not_gain_is_not_kept(flag):
    X, y = _ids_table()
    y = 0.5 * X["x"].to_numpy() + np.random.default_rng(1).normal(scale=0.3, size=len(y))  # ids say nothing
    board = _fit(X, y, target_encoding=True if flag else "auto").leaderboard_
    assert board[board["n_samples"].lt(len(y))]["target_encoding"].eq(False).all()


def test_a_lead_must_exceed_the_asked_number_of_standard_errors():
    from metaselect.search import Trial

    def trial(alpha, scores):
        return Trial(0, Config("ridge", {"alpha": alpha}), 0, 1000, scores=list(scores), n_folds=len(scores))

    reference = trial(1.0, [0.30, 0.35, 0.32, 0.31, 0.33])
    # leads 0.004, 0.010, 0.002, 0.008, 0.006: mean 0.006, standard error about 0.0014
    lead = trial(2.0, [0.304, 0.360, 0.322, 0.318, 0.336])
    assert TrialHistory.beats(lead, reference) and TrialHistory.beats(lead, reference, 2.0)
    assert not TrialHistory.beats(lead, reference, 5.0)

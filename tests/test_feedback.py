"""What a person sees: progress bar and logs, the notebook diagram, version warnings on load."""

import logging
import pickle

import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning
from sklearn.utils import estimator_html_repr

from metaselect import MetaSelectorClassifier, _version
from metaselect.estimator import InconsistentVersionWarning

FAST = dict(time_budget=30, max_evals=5, cv=2, random_state=0,
            estimators=["logistic_regression", "decision_tree", "knn"])  # fmt: skip


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def fitted(iris):
    return MetaSelectorClassifier(**FAST).fit(*iris)


def test_verbose_1_draws_a_progress_bar_with_the_best_score(iris, capsys):
    MetaSelectorClassifier(**dict(FAST, verbose=1)).fit(*iris)
    err = capsys.readouterr().err
    assert "metaselect:" in err and "/30s" in err  # the bar counts the budget's seconds
    assert "best=" in err and "evaluated=5" in err
    assert "[metaselect] best:" in err  # the winner's log line, printed above the bar


def test_verbose_2_logs_every_candidate(iris, caplog):
    with caplog.at_level(logging.DEBUG, logger="metaselect"):
        model = MetaSelectorClassifier(**dict(FAST, verbose=2)).fit(*iris)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("candidate ")]
    assert len(lines) == len(model.leaderboard_) == 5
    assert any("decision_tree" in line and "-> ok" in line for line in lines)


def test_verbose_0_is_silent(iris, capsys):
    MetaSelectorClassifier(**FAST).fit(*iris)
    assert capsys.readouterr().err == ""


def test_verbosity_leaves_the_logger_as_it_was(iris):
    logger = logging.getLogger("metaselect")
    level, handlers = logger.level, list(logger.handlers)
    MetaSelectorClassifier(**dict(FAST, verbose=2)).fit(*iris)
    assert logger.level == level and logger.handlers == handlers


def test_html_repr_of_a_fitted_selector_shows_the_chosen_pipeline(fitted):
    html = estimator_html_repr(fitted)
    assert f"best_estimator_: {fitted.best_config_['algorithm']}" in html
    model_class = type(fitted.best_estimator_.steps[-1][1]).__name__
    assert model_class in html  # the winning model inside the drawn pipeline
    assert "Pipeline" in html


def test_html_repr_of_an_unfitted_selector(fitted):
    html = estimator_html_repr(MetaSelectorClassifier(time_budget=5))
    assert "MetaSelectorClassifier" in html and "best_estimator_" not in html


def test_html_repr_of_an_ensemble_shows_its_members(iris):
    model = MetaSelectorClassifier(**dict(FAST, max_evals=8, ensemble_size=10)).fit(*iris)
    html = estimator_html_repr(model)
    if model.best_config_["algorithm"] == "ensemble":
        assert "weight" in html and "EnsembleClassifier" in html
    else:  # no ensemble beat the best single model: the pipeline is drawn
        assert f"best_estimator_: {model.best_config_['algorithm']}" in html


def test_pickle_records_versions_and_round_trips_silently(fitted, iris, recwarn):
    state = fitted.__getstate__()
    assert state["_metaselect_version"] == _version.__version__
    assert "_sklearn_version" in state
    loaded = pickle.loads(pickle.dumps(fitted))
    assert not [w for w in recwarn if issubclass(w.category, (InconsistentVersionWarning, SklearnVersionWarning))]
    assert (loaded.predict(iris[0]) == fitted.predict(iris[0])).all()


def test_loading_under_another_metaselect_version_warns(fitted, monkeypatch):
    payload = pickle.dumps(fitted)
    monkeypatch.setattr(_version, "__version__", "99.0.0")
    with pytest.warns(InconsistentVersionWarning, match=r"metaselect version 0\..* when using version 99\.0\.0"):
        pickle.loads(payload)


def test_loading_under_another_sklearn_version_warns(fitted):
    state = fitted.__getstate__()
    state["_sklearn_version"] = "0.1"
    fresh = MetaSelectorClassifier.__new__(MetaSelectorClassifier)
    with pytest.warns(SklearnVersionWarning):
        fresh.__setstate__(state)


def test_joblib_file_loaded_under_another_metaselect_version_warns(fitted, tmp_path, monkeypatch):
    import joblib

    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    monkeypatch.setattr(_version, "__version__", "99.0.0")
    with pytest.warns(InconsistentVersionWarning, match="refit it under this version"):
        loaded = joblib.load(path)
    assert loaded.best_config_ == fitted.best_config_

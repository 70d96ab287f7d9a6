"""The command line, run in-process through its entry point."""
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest

from metaselect.cli import build_parser, main


@pytest.fixture
def csv_file(tmp_path, mixed_frame):
    X, y = mixed_frame
    frame = X.assign(label=y)
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path


def test_help_explains_each_command(capsys):
    parser = build_parser()
    for command in ("demo", "fit", "predict"):
        with pytest.raises(SystemExit):
            parser.parse_args([command, "--help"])
        out = capsys.readouterr().out
        assert "usage: metaselect " + command in out and "--" in out


def test_fit_then_predict(tmp_path, csv_file, capsys):
    model = tmp_path / "model.skops"
    assert main(["fit", str(csv_file), "--target", "label", "--out", str(model),
                 "--budget", "20", "--cv", "3"]) == 0
    assert model.exists() and "classification: best" in capsys.readouterr().out
    assert zipfile.is_zipfile(model) and not list(tmp_path.glob(".*.tmp"))  # skops, moved into place
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model), str(csv_file), "--out", str(out), "--proba"]) == 0
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["prediction", "proba_no", "proba_yes"]
    assert len(pred) == len(pd.read_csv(csv_file))
    np.testing.assert_allclose(pred[["proba_no", "proba_yes"]].sum(axis=1), 1.0)


def test_fit_reports_a_missing_target_clearly(csv_file, tmp_path, capsys):
    assert main(["fit", str(csv_file), "--target", "nope", "--out", str(tmp_path / "m")]) == 1
    assert "target column 'nope'" in capsys.readouterr().err


def test_demo_runs_and_prints_leaderboard_and_held_out_score(capsys):
    assert main(["demo", "--dataset", "iris", "--budget", "3", "--cv", "3"]) == 0
    out = capsys.readouterr().out
    assert "Leaderboard" in out and "Held-out balanced_accuracy" in out


def test_experience_then_fine_tune_then_use(tmp_path, capsys):
    pytest.importorskip("tensorflow")
    from sklearn.datasets import load_breast_cancer, load_wine

    from metaselect import MetaSelectorClassifier
    from metaselect.metamodel import MetaModelRanker, load_models

    experience = tmp_path / "experience"
    for loader in (load_wine, load_breast_cancer):
        X, y = loader(return_X_y=True)
        MetaSelectorClassifier(max_evals=5, cv=3, random_state=0, knowledge_base=str(experience)).fit(X, y)
    assert len(list(experience.glob("*.json"))) == 2
    out = tmp_path / "models"
    assert main(["fine-tune", str(experience), "--out", str(out), "--epochs", "5"]) == 0
    assert "fine-tuned on 2 dataset(s)" in capsys.readouterr().out
    models = load_models(out)
    assert set(models) == {"classification"}
    X, y = load_wine(return_X_y=True)
    model = MetaSelectorClassifier(max_evals=3, cv=3, random_state=0,
                                   ranker=MetaModelRanker(models=models)).fit(X, y)
    assert model.leaderboard_["predicted_score"].notna().all()


@pytest.mark.parametrize("value, expected", [("auto", "auto"), ("holdout", "holdout"), ("3", 3)])
def test_cv_option_takes_auto_holdout_or_folds(value, expected):
    assert build_parser().parse_args(["demo", "--cv", value]).cv == expected


@pytest.mark.parametrize("value", ["1", "five"])
def test_bad_cv_option_is_named(value, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo", "--cv", value])
    assert "expected 'auto', 'holdout' or a number of folds" in capsys.readouterr().err


@pytest.fixture(scope="module")
def fitted_models(tmp_path_factory):
    """A small fitted selector saved as skops and as a pickle, with the CSV it predicts."""
    from sklearn.datasets import load_iris

    from metaselect import MetaSelectorClassifier
    from metaselect.estimator import save_model

    folder = tmp_path_factory.mktemp("models")
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = MetaSelectorClassifier(max_evals=3, cv=3, random_state=0,
                                   estimators=["logistic_regression", "knn"]).fit(X, y)
    save_model(model, folder / "model.skops")
    joblib.dump(model, folder / "model.joblib")
    X.to_csv(folder / "rows.csv", index=False)
    return folder, model.predict(X)


def _one_line_error(capsys, command):
    err = capsys.readouterr().err
    assert err.startswith(f"metaselect {command}: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_predict_refuses_a_pickle_without_the_flag_that_names_the_risk(fitted_models, capsys):
    folder, expected = fitted_models
    assert main(["predict", str(folder / "model.joblib"), str(folder / "rows.csv")]) == 1
    assert "runs any code" in _one_line_error(capsys, "predict")
    out = folder / "pickle.csv"
    assert main(["predict", str(folder / "model.joblib"), str(folder / "rows.csv"), "--allow-pickle",
                 "--out", str(out)]) == 0
    np.testing.assert_array_equal(pd.read_csv(out)["prediction"], expected)
    out = folder / "skops.csv"
    assert main(["predict", str(folder / "model.skops"), str(folder / "rows.csv"), "--out", str(out)]) == 0
    np.testing.assert_array_equal(pd.read_csv(out)["prediction"], expected)


def test_help_says_pickles_run_code(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["predict", "--help"])
    assert "--allow-pickle" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["model.skops", "model.joblib"])
def test_a_truncated_model_file_is_one_clear_error(fitted_models, tmp_path, capsys, name):
    folder, _ = fitted_models
    data = (folder / name).read_bytes()
    damaged = tmp_path / name
    damaged.write_bytes(data[: len(data) // 2])
    assert main(["predict", str(damaged), str(folder / "rows.csv"), "--allow-pickle"]) == 1
    assert "model file" in _one_line_error(capsys, "predict")


def test_a_pickle_of_something_else_is_refused(fitted_models, tmp_path, capsys):
    folder, _ = fitted_models
    joblib.dump({"not": "a model"}, tmp_path / "other.joblib")
    assert main(["predict", str(tmp_path / "other.joblib"), str(folder / "rows.csv"),
                 "--allow-pickle"]) == 1
    assert "not a metaselect model" in _one_line_error(capsys, "predict")


@pytest.mark.parametrize("out", ["missing/model.skops", "."])
def test_fit_checks_its_output_path_before_spending_the_budget(csv_file, tmp_path, capsys,
                                                                monkeypatch, out):
    from metaselect import MetaSelector

    def no_fit(self, X, y):
        raise AssertionError("the budget was spent before the output path was checked")

    monkeypatch.setattr(MetaSelector, "fit", no_fit)
    assert main(["fit", str(csv_file), "--target", "label", "--out", str(tmp_path / out)]) == 1
    _one_line_error(capsys, "fit")


def test_library_errors_are_one_line_without_a_traceback(tmp_path, capsys, monkeypatch):
    from metaselect import MetaSelector, SearchFailedError

    path = tmp_path / "one_class.csv"
    pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": ["a"] * 4}).to_csv(path, index=False)
    args = ["fit", str(path), "--target", "y", "--task", "classification", "--out", str(tmp_path / "m")]
    assert main(args) == 1
    assert "at least 2 classes" in _one_line_error(capsys, "fit")

    def every_candidate_failed(self, X, y):
        raise SearchFailedError("every candidate failed. Why:\n  - knn: ValueError: bad scorer")

    monkeypatch.setattr(MetaSelector, "fit", every_candidate_failed)
    assert main(args) == 1
    assert "every candidate failed. Why: knn: ValueError: bad scorer" in _one_line_error(capsys, "fit")


def test_an_interrupted_fit_keeps_the_model_already_saved(csv_file, fitted_models, tmp_path, capsys,
                                                          monkeypatch):
    from metaselect import MetaSelector

    folder, _ = fitted_models
    saved = tmp_path / "model.skops"
    saved.write_bytes((folder / "model.skops").read_bytes())

    def interrupted(self, X, y):
        raise KeyboardInterrupt

    monkeypatch.setattr(MetaSelector, "fit", interrupted)
    assert main(["fit", str(csv_file), "--target", "label", "--out", str(saved)]) == 130
    assert capsys.readouterr().err == "metaselect fit: interrupted\n"
    assert saved.read_bytes() == (folder / "model.skops").read_bytes()


def test_a_crafted_pickle_runs_no_code_without_the_flag(fitted_models, tmp_path, capsys):
    folder, _ = fitted_models
    marker = tmp_path / "code_ran"
    evil = tmp_path / "evil.joblib"  # protocol 0: calls os.system("touch MARKER") when unpickled
    evil.write_bytes(b"cposix\nsystem\n(V" + f"touch {marker}".encode() + b"\ntR.")
    assert main(["predict", str(evil), str(folder / "rows.csv")]) == 1
    assert "--allow-pickle" in _one_line_error(capsys, "predict")
    assert not marker.exists()

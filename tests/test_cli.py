"""The command line, run in-process through its entry point."""


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
    model = tmp_path / "model.joblib"
    assert main(["fit", str(csv_file), "--target", "label", "--out", str(model),
                 "--budget", "20", "--cv", "3"]) == 0
    assert model.exists() and "classification: best" in capsys.readouterr().out
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

"""``metaselect fit`` and ``metaselect predict``: CSV in, a saved model and predictions out.

Models are saved in the skops format, which stores state and loads only trusted
types. A ``.joblib``, ``.pkl`` or ``.pickle`` suffix saves a pickle instead;
``predict`` loads a pickle only with ``--allow-pickle``, because loading a
pickle runs whatever code the file holds.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import joblib
import pandas as pd

from ..estimator import MetaSelector, load_model, save_model
from ..estimator._persistence import check_fitted_selector
from ._common import add_search_options, format_leaderboard, read_table

PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")
ZIP_MAGIC = b"PK\x03\x04"
PICKLE_RISK = ("loading a pickle runs any code it holds: pass --allow-pickle only for a file you "
               "made or trust")


def register(sub) -> None:
    fit = sub.add_parser(
        "fit",
        help="fit a MetaSelector on a CSV file and save it (skops format)",
        description="Read DATA (CSV, may be gzip-compressed; empty fields are missing values, "
        "non-numeric columns are categorical), fit a MetaSelector to predict --target from every "
        "other column, print the leaderboard, and save the fitted selector to --out. The output "
        "folder is checked before the budget is spent.",
    )
    fit.add_argument("data", metavar="DATA.csv", help="training data with a header row")
    fit.add_argument("--target", required=True, help="name of the column to predict")
    fit.add_argument("--out", required=True, metavar="MODEL.skops",
                     help="where to write the fitted model: skops format (state only, loads no "
                          "code); a .joblib/.pkl/.pickle suffix writes a pickle instead")
    fit.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                     help="learning task (default: inferred from the target)")
    add_search_options(fit)
    fit.set_defaults(func=run_fit)

    predict = sub.add_parser(
        "predict",
        help="predict with a saved model for the rows of a CSV file",
        description="Load MODEL (written by 'metaselect fit'), predict for every row of DATA and "
        "write a CSV with a 'prediction' column (and one probability column per class with "
        "--proba) to --out, or to standard output. A skops model loads only the types a "
        "selector holds; a pickle (joblib) model needs --allow-pickle.",
    )
    predict.add_argument("model", metavar="MODEL.skops", help="a model saved by 'metaselect fit'")
    predict.add_argument("data", metavar="DATA.csv", help="rows to predict (extra columns, such as "
                         "the target, are ignored)")
    predict.add_argument("--out", default=None, help="output CSV (default: standard output)")
    predict.add_argument("--proba", action="store_true", help="add class probabilities")
    predict.add_argument("--allow-pickle", action="store_true",
                         help="also load a pickle/joblib model file. Loading a pickle RUNS ANY CODE "
                              "IT HOLDS: use only for a file you made or trust")
    predict.set_defaults(func=run_predict)


def check_output_path(path: str) -> Path:
    """Raise ``ValueError`` unless a file can be written at ``path`` (checked before the fit)."""
    out = Path(path)
    folder = out.parent
    if out.is_dir():
        raise ValueError(f"--out {path} is a folder; give a file name such as {out / 'model.skops'}")
    if not folder.is_dir():
        raise ValueError(f"--out {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ValueError(f"--out {path}: no permission to write there")
    return out


def save(model, out: Path) -> None:
    """Write ``model`` beside ``out`` and move it into place: an interrupted save leaves no
    half-written file, and a model already at ``out`` stays until the new one is whole."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if out.suffix in PICKLE_SUFFIXES:
            joblib.dump(model, tmp)
        else:
            save_model(model, tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load(path: str, *, allow_pickle: bool = False):
    """The fitted selector in ``path``: a skops file, or a pickle when ``allow_pickle``."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"No such model file: {path}")
    with open(path, "rb") as stream:
        zipped = stream.read(4) == ZIP_MAGIC  # skops files are zip archives; a truncated one too
    if zipped:
        return load_model(path)
    if not allow_pickle:
        raise ValueError(f"{path} is not a skops model file; if it is a pickle (joblib) file, "
                         f"{PICKLE_RISK}")
    try:
        model = joblib.load(path)
    except Exception as exc:  # a damaged pickle fails in many ways; each becomes one clear error
        raise ValueError(f"{path} is not a readable model file ({type(exc).__name__}: {exc})") from exc
    check_fitted_selector(model, path)
    return model


def run_fit(args) -> int:
    out = check_output_path(args.out)
    frame = read_table(args.data)
    if args.target not in frame.columns:
        raise KeyError(f"target column {args.target!r} is not in {args.data}; "
                       f"columns are {list(frame.columns)}")
    X, y = frame.drop(columns=[args.target]), frame[args.target]
    model = MetaSelector(task=args.task, time_budget=args.budget, scoring=args.scoring, cv=args.cv,
                         n_jobs=args.n_jobs, random_state=args.seed, verbose=args.verbose)
    model.fit(X, y)
    save(model, out)
    print(format_leaderboard(model.leaderboard_))
    print(f"\n{model.task_}: best {model.best_config_['algorithm']} "
          f"(cv score {model.best_score_:.4f}); saved to {args.out}")
    return 0


def run_predict(args) -> int:
    model = load(args.model, allow_pickle=args.allow_pickle)
    frame = read_table(args.data)
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise KeyError(f"{args.data} lacks the model's feature column(s) {missing}")
        frame = frame[list(names)]
    out = pd.DataFrame({"prediction": model.predict(frame)})
    if args.proba:
        if not hasattr(model, "predict_proba"):
            raise ValueError("this model does not provide class probabilities")
        proba = model.predict_proba(frame)
        for i, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, i]
    out.to_csv(args.out if args.out else sys.stdout, index=False)
    return 0

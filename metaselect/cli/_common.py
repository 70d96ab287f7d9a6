"""Helpers shared by sub-commands: reading tables and printing leaderboards."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

LEADERBOARD_VIEW = ["algorithm", "status", "mean_score", "std_score", "n_samples", "fit_time"]


def read_table(path: str) -> pd.DataFrame:
    """Read a CSV file (optionally gzip-compressed); empty fields are missing values."""
    if not Path(path).exists():
        raise FileNotFoundError(f"No such data file: {path}")
    return pd.read_csv(path)


def format_leaderboard(board: pd.DataFrame, top: int = 10) -> str:
    view = board[LEADERBOARD_VIEW].head(top).copy()
    return view.to_string(index=True, float_format=lambda v: f"{v:.4f}")


def _cv(text: str):
    """``--cv``: ``auto``, ``holdout`` or a number of folds (at least 2)."""
    if text in ("auto", "holdout"):
        return text
    try:
        folds = int(text)
    except ValueError:
        folds = 0
    if folds < 2:
        raise argparse.ArgumentTypeError(f"expected 'auto', 'holdout' or a number of folds of at least 2, "
                                         f"got {text!r}")
    return folds


def add_search_options(parser) -> None:
    parser.add_argument("--budget", type=float, default=60.0,
                        help="time budget in seconds for the whole fit (default: 60)")
    parser.add_argument("--scoring", default=None,
                        help="scikit-learn scorer name (default: balanced_accuracy or r2)")
    parser.add_argument("--cv", type=_cv, default="auto",
                        help="validation: 'auto' (default: 5-fold, or a holdout on data large for the "
                             "budget), 'holdout', or a number of cross-validation folds")
    parser.add_argument("--n-jobs", type=int, default=None, help="parallel candidate evaluations")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="-v: progress per bracket, -vv: every candidate")

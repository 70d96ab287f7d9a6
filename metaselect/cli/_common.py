"""Helpers shared by sub-commands: reading tables and printing leaderboards."""

from __future__ import annotations

import argparse
import zlib
from pathlib import Path

import pandas as pd

LEADERBOARD_VIEW = ["algorithm", "status", "mean_score", "std_score", "n_samples", "fit_time"]


#: Text that starts like an ISO 8601 date (``2024-03-01``, ``2024-03-01T12:30:00+01:00``).
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"


def read_table(path: str) -> pd.DataFrame:
    """Read a CSV file (optionally gzip-compressed); empty fields are missing values.

    Text columns whose every value is an ISO 8601 date or date-time become datetime
    columns (time zones kept; mixed offsets in UTC), so that they become date features.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is a folder, or cannot be read as a (gzip-compressed) CSV table.
    """
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"No such data file: {path}")
    if not file.is_file():
        raise ValueError(f"{path} is not a file (a folder?); give a CSV file.")
    kind = "gzip-compressed CSV" if file.suffix == ".gz" else "CSV"
    try:
        frame = pd.read_csv(file)
    except (OSError, EOFError, UnicodeDecodeError, zlib.error, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise ValueError(f"Cannot read {path} as a {kind} table: {type(exc).__name__}: {exc}") from exc
    return _parse_dates(frame)


def _parse_dates(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "biufcmM" or column.isna().all():
            continue
        text = column.dropna()
        if not text.map(lambda v: isinstance(v, str)).all() or not text.str.fullmatch(_ISO_DATE).all():
            continue
        try:
            frame[name] = pd.to_datetime(column, format="ISO8601")
        except (TypeError, ValueError):  # mixed offsets: one time line, in UTC
            frame[name] = pd.to_datetime(column, format="ISO8601", utc=True)
    return frame


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

"""The leaderboard: one row per evaluated candidate, best first."""

from __future__ import annotations

import pandas as pd

from ..search import STATUSES

__all__ = ["LEADERBOARD_COLUMNS", "make_leaderboard"]

LEADERBOARD_COLUMNS = [
    "algorithm", "params", "target_encoding", "status", "mean_score", "std_score", "n_samples", "rung",
    "fit_time", "predicted_score", "predicted_time", "error",
]  # fmt: skip

_STATUS_ORDER = {status: i for i, status in enumerate(STATUSES)}


def make_leaderboard(trials) -> pd.DataFrame:
    """Each configuration's last trial; ok first, then by rows reached and score."""
    last = {}
    for trial in trials:
        last[trial.config] = trial
    rows = [
        {
            "algorithm": t.config.family,
            "params": dict(t.config.params),
            "target_encoding": t.config.target_encoding,
            "status": t.status,
            "mean_score": t.mean_score,
            "std_score": t.std_score,
            "n_samples": t.n_samples,
            "rung": t.rung,
            "fit_time": t.fit_time,
            "predicted_score": t.predicted_score,
            "predicted_time": t.predicted_time,
            "error": t.error,
        }
        for t in last.values()
    ]
    board = pd.DataFrame(rows, columns=LEADERBOARD_COLUMNS)
    if board.empty:
        return board
    board["_order"] = board["status"].map(_STATUS_ORDER)
    board = board.sort_values(["_order", "n_samples", "mean_score"], ascending=[True, False, False])
    return board.drop(columns="_order").reset_index(drop=True)

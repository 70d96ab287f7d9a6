"""What the search measured: score against time, and predicted against measured."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from ..search import VALIDATED
from ._axes import fitted_board, new_axes

__all__ = ["plot_leaderboard", "plot_predictions"]


def plot_leaderboard(selector, ax=None):
    """Cross-validated score against fit time per fold, one colour per algorithm family.

    Candidates evaluated on all rows are drawn filled, those stopped on a
    subsample hollow; the winner is circled.

    Parameters
    ----------
    selector : fitted MetaSelector
    ax : matplotlib Axes, default=None
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> from metaselect.plotting import plot_leaderboard
    >>> ax = plot_leaderboard(model)  # doctest: +SKIP
    """
    board = fitted_board(selector)
    ax = new_axes(ax)
    ok = board[(board["status"].isin(VALIDATED)) & np.isfinite(board["mean_score"])]
    full = ok["n_samples"] == ok["n_samples"].max() if len(ok) else ok["n_samples"]
    for i, (family, rows) in enumerate(ok.groupby("algorithm", sort=True)):
        colour = f"C{i % 10}"
        on_all = full[rows.index]
        ax.scatter(rows["fit_time"][on_all], rows["mean_score"][on_all], color=colour, label=family, s=30)
        ax.scatter(rows["fit_time"][~on_all], rows["mean_score"][~on_all], facecolors="none",
                   edgecolors=colour, s=30)
    best = selector.best_config_
    winner = ok[(ok["algorithm"] == best["algorithm"]) & full]
    if len(winner):
        top = winner.loc[winner["mean_score"].idxmax()]
        ax.scatter([top["fit_time"]], [top["mean_score"]], s=160, facecolors="none", edgecolors="black",
                   linewidths=1.5, label=f"best: {best['algorithm']}")
    ax.set_xscale("log")
    ax.set_xlabel("fit time per fold (s, log scale)")
    ax.set_ylabel(f"cross-validated score ({_scoring_name(selector)})")
    n_failed = int((~board["status"].isin(VALIDATED)).sum())
    ax.set_title(f"{len(ok)} candidates scored, {n_failed} failed/timed out/skipped")
    if len(ok):
        ax.legend(fontsize="small", loc="best")
    return ax


def plot_predictions(selector, axes=None):
    """The meta-model's predicted score and time against the measured ones.

    Predicted scores are normalised per dataset (their scale differs from the
    measured score's), so the left panel is read by its rank correlation,
    given in the title; the right panel compares seconds per fold directly
    (the prediction is extrapolated from 1000 training rows to the rung's size
    by the family's time exponent only for the search's planning, so points
    from small rungs sit below the diagonal).

    Parameters
    ----------
    selector : fitted MetaSelector
    axes : sequence of two matplotlib Axes, default=None

    Returns
    -------
    axes : list of two matplotlib Axes
    """
    board = fitted_board(selector)
    axes = new_axes(axes, ncols=2)
    ok = board[board["status"].isin(VALIDATED)]
    score_rows = ok[np.isfinite(ok["predicted_score"]) & np.isfinite(ok["mean_score"])]
    ax = axes[0]
    ax.scatter(score_rows["predicted_score"], score_rows["mean_score"], s=25)
    rho = spearmanr(score_rows["predicted_score"], score_rows["mean_score"]).statistic if len(score_rows) > 2 \
        else float("nan")
    ax.set_xlabel("predicted score (normalised per dataset)")
    ax.set_ylabel("measured CV score")
    ax.set_title(f"score: Spearman rho = {rho:.2f} (n={len(score_rows)})")
    time_rows = ok[np.isfinite(ok["predicted_time"]) & (ok["fit_time"] > 0)]
    ax = axes[1]
    ax.scatter(time_rows["predicted_time"], time_rows["fit_time"], s=25)
    if len(time_rows):
        low = max(1e-4, float(min(time_rows["predicted_time"].min(), time_rows["fit_time"].min())))
        high = float(max(time_rows["predicted_time"].max(), time_rows["fit_time"].max()))
        ax.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1, label="y = x")
        ax.legend(fontsize="small")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("predicted fit time per fold at 1000 rows (s)")
    ax.set_ylabel("measured fit time per fold (s)")
    ax.set_title(f"time (n={len(time_rows)})")
    return axes


def _scoring_name(selector) -> str:
    scoring = selector.scoring
    if scoring is None:
        return "balanced accuracy" if selector.task_ == "classification" else "R^2"
    return scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "custom")

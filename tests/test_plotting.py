"""Plots of a fitted selector: they draw what the leaderboard and the knowledge base hold."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError

from metaselect import MetaSelectorClassifier
from metaselect.plotting import (
    dataset_coordinates,
    plot_dataset_position,
    plot_leaderboard,
    plot_predictions,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def fitted():
    X, y = load_iris(return_X_y=True)
    # max_evals ends the search: with 60 s a candidate's first fold got about 3.5 s (half of a
    # 7 s share) and could time out on a loaded machine, so the leaderboard depended on its speed
    return MetaSelectorClassifier(time_budget=3600, max_evals=8, cv=3, memory_limit=None,
                                  random_state=0).fit(X, y)


def _points(ax):
    return sum(len(c.get_offsets()) for c in ax.collections)


def test_plot_leaderboard_draws_every_scored_candidate(fitted):
    ax = plot_leaderboard(fitted)
    board = fitted.leaderboard_
    scored = board["status"].isin(["ok", "pruned"]) & np.isfinite(board["mean_score"])
    assert _points(ax) == scored.sum() + 1  # plus the ring around the winner
    assert ax.get_xscale() == "log" and "balanced accuracy" in ax.get_ylabel()
    labels = ax.get_legend_handles_labels()[1]
    assert f"best: {fitted.best_config_['algorithm']}" in labels
    assert set(board.loc[scored, "algorithm"]) <= set(labels)


def test_plot_predictions_compares_predicted_and_measured(fitted):
    score_ax, time_ax = plot_predictions(fitted)
    board = fitted.leaderboard_
    scored = board["status"].isin(["ok", "pruned"]) & np.isfinite(board["mean_score"])
    # one point per scored candidate with a prediction; a failed or timed-out one has no score to draw
    assert _points(score_ax) == (scored & np.isfinite(board["predicted_score"])).sum() > 0
    assert "Spearman" in score_ax.get_title()
    assert time_ax.get_xscale() == time_ax.get_yscale() == "log"


def test_dataset_position_places_this_dataset_among_the_knowledge_base(fitted):
    coords = dataset_coordinates(fitted)
    assert coords["is_this"].sum() == 1 and len(coords) > 100  # the shipped knowledge base
    assert coords.loc["this dataset", "distance"] == 0
    assert (coords.loc[~coords["is_this"], "distance"] > 0).all()
    ax = plot_dataset_position(fitted, n_labels=3)
    assert len(ax.texts) == 3 and "novelty" in ax.get_title()
    nearest = coords[~coords["is_this"]].nsmallest(3, "distance").index
    assert {t.get_text() for t in ax.texts} == set(nearest)


def test_plots_draw_into_given_axes(fitted):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3)
    assert plot_leaderboard(fitted, ax=axes[0]) is axes[0]
    assert plot_dataset_position(fitted, ax=axes[1]) is axes[1]
    plt.close(fig)


def test_plots_need_a_fitted_selector():
    with pytest.raises(NotFittedError):
        plot_leaderboard(MetaSelectorClassifier())
    with pytest.raises(NotFittedError):
        dataset_coordinates(MetaSelectorClassifier())


def test_missing_matplotlib_is_explained(fitted, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_leaderboard(fitted)

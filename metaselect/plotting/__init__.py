"""Plots of a fitted selector (matplotlib, imported only when a plot is drawn).

:func:`plot_leaderboard` draws measured score against fit time,
:func:`plot_predictions` the meta-model's predictions against what was
measured, and :func:`plot_dataset_position` where the dataset lies among the
knowledge base's datasets in meta-feature space.
"""

from ._leaderboard import plot_leaderboard, plot_predictions
from ._position import dataset_coordinates, plot_dataset_position

__all__ = ["dataset_coordinates", "plot_dataset_position", "plot_leaderboard", "plot_predictions"]

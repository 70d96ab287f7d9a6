"""
Reading the leaderboard
=======================

Every candidate the search evaluated is a row of ``leaderboard_``: what it was,
how far it got, what it scored and how long it took, next to what the
meta-model predicted. This example fits a selector on the wine data and reads
the leaderboard with pandas and with the plots in :mod:`metaselect.plotting`.
"""

# %%
# Fit
# ---
# ``max_evals`` bounds the search so the example runs the same everywhere.
import matplotlib.pyplot as plt
from sklearn.datasets import load_wine

from metaselect import MetaSelectorClassifier
from metaselect.plotting import plot_dataset_position, plot_leaderboard, plot_predictions

X, y = load_wine(return_X_y=True, as_frame=True)
model = MetaSelectorClassifier(time_budget=20, max_evals=24, random_state=0).fit(X, y)
board = model.leaderboard_

# %%
# One row per evaluation
# ----------------------
# Successive halving evaluates many candidates on a subsample (``n_samples``)
# and promotes the best to more rows; ``status`` says how each ended: ``ok``,
# ``pruned`` (a better one was promoted instead), ``failed`` (``error`` says
# why), ``timeout`` or ``skipped`` (the budget ran out first).
print(board[["algorithm", "n_samples", "status", "mean_score", "std_score", "fit_time"]].head(10))
print(board["status"].value_counts())

# %%
# The best of each family, on the largest rung it reached
best_per_family = (board[board["status"].isin(["ok", "pruned"])]
                   .sort_values(["n_samples", "mean_score"], ascending=False)
                   .groupby("algorithm", sort=False).head(1))
print(best_per_family[["algorithm", "n_samples", "mean_score", "params"]])

# %%
# The winner, refit on all rows
print(model.best_config_, round(model.best_score_, 4))

# %%
# Score against time
# ------------------
# Filled points ran on all rows, hollow ones stopped on a subsample; the
# winner is circled.
plot_leaderboard(model)
plt.show()

# %%
# What the meta-model expected
# ----------------------------
# ``predicted_score`` is normalised per dataset, so read the left panel by its
# rank correlation; ``predicted_time`` is seconds per fold at 1000 rows.
plot_predictions(model)
plt.tight_layout()
plt.show()

# %%
# Where the dataset lies among the knowledge base's
# -------------------------------------------------
# The meta-model trusts its ranking for datasets close to those it learnt
# from; ``novelty_`` measures that distance and ``out_of_distribution_`` flags
# a dataset too far away, for which the search widens towards robust defaults.
print("novelty:", round(model.novelty_, 2), "out of distribution:", model.out_of_distribution_)
plot_dataset_position(model)
plt.show()

"""
Quickstart: fit a MetaSelector and read its leaderboard
=======================================================

Fit on scikit-learn's breast-cancer data within a few seconds, look at what the
search tried, and score the refit winner on held-out rows.
"""

# %%
# Fit
# ---
# :class:`~metaselect.MetaSelectorClassifier` describes the dataset by its
# meta-features, lets the pre-trained meta-model rank candidate
# configurations, cross-validates the most promising ones within
# ``time_budget`` seconds and refits the best on all rows.
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from metaselect import MetaSelectorClassifier

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

model = MetaSelectorClassifier(time_budget=8, random_state=0).fit(X_train, y_train)

# %%
# The leaderboard
# ---------------
# One row per candidate: the score and time predicted by the meta-model next
# to the measured cross-validated score and fit time, and the number of rows
# it was evaluated on (successive halving tries many candidates on few rows,
# then the best on more).
columns = [
    "algorithm",
    "status",
    "mean_score",
    "predicted_score",
    "fit_time",
    "predicted_time",
    "n_samples",
]
print(model.leaderboard_[columns].head(10).to_string())

# %%
# The winner and its held-out score
# ---------------------------------
# ``score`` uses the scorer the search optimised: balanced accuracy by default
# for classification (R^2 for regression).
print("winner:", model.best_config_)
print("held-out balanced accuracy:", round(model.score(X_test, y_test), 4))

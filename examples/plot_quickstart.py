"""
Quickstart: fit a MetaSelector and read its leaderboard
=======================================================

Fit on scikit-learn's breast-cancer data within 15 seconds, look at what the
search tried, and score the refit winner on held-out rows.
"""

# %%
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from metaselect import MetaSelectorClassifier

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

model = MetaSelectorClassifier(time_budget=15, random_state=0).fit(X_train, y_train)

# %%
# One row per candidate: predicted (by the meta-model) next to measured score and time.
print(model.leaderboard_[["algorithm", "status", "mean_score", "predicted_score",
                          "fit_time", "predicted_time", "n_samples"]].head(10))
print("winner:", model.best_config_)
print("held-out balanced accuracy:", round(model.score(X_test, y_test), 4))

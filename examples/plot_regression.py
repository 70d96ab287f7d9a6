"""
Regression
==========

`MetaSelectorRegressor` optimises R^2 by default; any scikit-learn scorer name works.
"""

# %%
from sklearn.datasets import load_diabetes
from sklearn.model_selection import cross_val_score

from metaselect import MetaSelectorRegressor

X, y = load_diabetes(return_X_y=True)
model = MetaSelectorRegressor(time_budget=5, max_evals=10, random_state=0)
print("outer 3-fold R^2:", cross_val_score(model, X, y, cv=3).round(3))

"""
Regression
==========

:class:`~metaselect.MetaSelectorRegressor` optimises R^2 by default; any
scikit-learn scorer name works.
"""

# %%
# An outer cross-validation of the whole selector: each outer fold runs its own
# search on its training rows, so the scores are an honest estimate of what
# ``fit`` delivers.
from sklearn.datasets import load_diabetes
from sklearn.model_selection import cross_val_score

from metaselect import MetaSelectorRegressor

X, y = load_diabetes(return_X_y=True)
model = MetaSelectorRegressor(time_budget=3, max_evals=8, random_state=0)
print("outer 3-fold R^2:", cross_val_score(model, X, y, cv=3).round(3))

# %%
# Another scorer: the search then maximises the negated mean absolute error.
model = MetaSelectorRegressor(
    scoring="neg_mean_absolute_error", time_budget=3, max_evals=8, random_state=0
).fit(X, y)
print(model.best_config_["algorithm"], "CV MAE:", round(-model.best_score_, 1))

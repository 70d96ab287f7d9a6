"""
Inside a Pipeline, tuned by GridSearchCV
========================================

MetaSelector is an ordinary estimator: it can sit at the end of a Pipeline and a
GridSearchCV can search over its own parameters (here, the scoring it optimises).
"""

# %%
from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from metaselect import MetaSelectorClassifier

X, y = load_wine(return_X_y=True)
selector = MetaSelectorClassifier(time_budget=3, max_evals=6, random_state=0)
pipe = make_pipeline(StandardScaler(), selector)

# %%
# Each of the 2 x 2 grid-search fits runs its own small search, then the best
# setting is refit on all rows.
grid = GridSearchCV(
    pipe, {"metaselectorclassifier__scoring": ["balanced_accuracy", "f1_macro"]}, cv=2
)
grid.fit(X, y)
print(grid.best_params_, round(grid.best_score_, 3))
print("refit winner:", grid.best_estimator_[-1].best_config_["algorithm"])

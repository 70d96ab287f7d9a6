"""
Pandas data with categorical columns, missing values and string labels
======================================================================

No preprocessing by hand: imputation, encoding and scaling are part of every
candidate pipeline, so cross-validation never leaks.
"""

# %%
# A mixed DataFrame: numeric, boolean, object and categorical columns, missing
# values in two of them, and string labels.
import numpy as np
import pandas as pd

from metaselect import MetaSelectorClassifier

rng = np.random.default_rng(0)
n = 600
frame = pd.DataFrame(
    {
        "age": rng.integers(18, 80, n).astype(float),
        "income": rng.lognormal(10, 1, n),
        "city": rng.choice(["paris", "lyon", "nice", None], n),
        "member": rng.random(n) > 0.6,
        "plan": pd.Categorical(rng.choice(["basic", "plus", "pro"], n)),
    }
)
frame.loc[rng.choice(n, 60, replace=False), "income"] = np.nan
churn = np.where(
    (frame["plan"] == "basic") & (frame["age"] < 40) | (rng.random(n) < 0.1), "churn", "stay"
)
frame.head()

# %%
# Fit it as it is.
model = MetaSelectorClassifier(time_budget=6, random_state=0).fit(frame, churn)
print(model.best_config_["algorithm"], round(model.best_score_, 3))

# %%
# New rows may hold categories never seen in training, or missing values.
new = frame.head(3).assign(city=["marseille", None, "lyon"])
print(model.predict(new), model.classes_)

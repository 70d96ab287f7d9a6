import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def mixed_frame():
    """A DataFrame with numeric, boolean, categorical and object columns, and missing values."""
    rng = np.random.default_rng(0)
    n = 160
    x1 = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n).astype(object)
    frame = pd.DataFrame(
        {
            "x1": x1,
            "x2": rng.integers(0, 10, size=n).astype(float),
            "flag": rng.random(n) > 0.5,
            "color": pd.Categorical(color),
            "city": rng.choice(["a", "b", None], size=n),
        }
    )
    frame.loc[rng.choice(n, 15, replace=False), "x1"] = np.nan
    frame.loc[rng.choice(n, 10, replace=False), "color"] = np.nan
    y = np.where((x1 > 0) ^ (color == "red"), "yes", "no")
    return frame, y

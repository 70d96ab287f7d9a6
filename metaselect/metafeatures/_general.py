"""General meta-features: size, column kinds, missing values and classes.

Sizes, column kinds, missing values and class balance are exact (computed on
all the data, in one chunked pass); ``frac_binary`` and
``mean_categorical_levels`` are estimated on the subsample.
"""

import numpy as np


def _class_balance(y, task):
    if task != "classification":
        return {}
    counts = np.bincount(y)
    counts = counts[counts > 0]
    freq = counts / counts.sum()
    result = {
        "n_classes": float(counts.size),
        "minority_class_frac": float(freq.min()),
        "majority_class_frac": float(freq.max()),
    }
    if counts.size > 1:
        entropy = -np.sum(freq * np.log(freq))
        result["class_entropy_ratio"] = float(entropy / np.log(counts.size))
    return result


def general_features(table, y, task, sample):
    """Compute the ``general`` group.

    Parameters
    ----------
    table : table object
        The whole data (see ``_data.as_table``).
    y : ndarray of shape (n_samples,)
        Encoded target of all rows.
    task : {"classification", "regression"}
        The learning task.
    sample : Sample
        The subsample, for the column-profile estimates.

    Returns
    -------
    dict of str to float
        Values of the group; missing keys take their neutral value.
    """
    n, d = table.n_rows, table.n_features
    cells, rows, features = table.missing_summary()
    n_cat = int(table.is_categorical.sum())
    n_unique = sample.n_unique
    cat_levels = n_unique[sample.numeric.shape[1] :]
    result = {
        "n_rows": float(n),
        "n_features": float(d),
        "log_n_rows": float(np.log10(n)),
        "log_n_features": float(np.log10(d)),
        "log_rows_per_feature": float(np.log10(n / d)),
        "frac_numeric": (d - n_cat) / d,
        "frac_categorical": n_cat / d,
        "frac_binary": float(np.mean(n_unique == 2)),
        "mean_categorical_levels": float(cat_levels.mean()) if cat_levels.size else 0.0,
        "frac_missing_cells": cells / (n * d),
        "frac_rows_with_missing": rows / n,
        "frac_features_with_missing": features / d,
        "is_sparse": float(table.is_sparse),
    }
    result.update(_class_balance(y, task))
    return result

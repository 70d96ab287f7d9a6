"""Model-based meta-features: the shape of a fully grown decision tree.

A :class:`~sklearn.tree.DecisionTreeClassifier` with default settings (as in
PyMFE) is fitted on the subsample's model matrix. For regression it is fitted
to the equal-frequency target bins, so that leaves count concept complexity
rather than distinct target values.
"""

import warnings

import numpy as np
from sklearn.tree import DecisionTreeClassifier

from ._landmarkers import _MANY_CLASSES_WARNING


def _node_depths(tree):
    depth = np.zeros(tree.node_count, dtype=np.int64)
    internal = np.flatnonzero(tree.children_left >= 0)
    for node in internal:  # children always come after their parent
        depth[tree.children_left[node]] = depth[node] + 1
        depth[tree.children_right[node]] = depth[node] + 1
    return depth


def model_based_features(sample):
    """Compute the ``model_based`` group.

    Parameters
    ----------
    sample : Sample
        The subsample.

    Returns
    -------
    dict of str to float
        Values of the group; missing keys take their neutral value.
    """
    if sample.n_columns == 0:
        return {}
    model = DecisionTreeClassifier(random_state=sample.seeds["tree"])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _MANY_CLASSES_WARNING, UserWarning)
        tree = model.fit(sample.model_matrix, sample.strata).tree_
    is_leaf = tree.children_left < 0
    leaf_depth = _node_depths(tree)[is_leaf]
    n_leaves = int(is_leaf.sum())
    p = sample.n_columns
    importance = model.feature_importances_
    result = {
        "tree_depth": float(tree.max_depth),
        "tree_n_leaves": float(n_leaves),
        "tree_leaves_per_class": n_leaves / sample.n_strata,
        "tree_leaves_per_row": n_leaves / sample.n_rows,
        "tree_leaf_depth_mean": leaf_depth.mean(),
        "tree_leaf_depth_sd": leaf_depth.std(),
        "tree_frac_features_used": np.unique(tree.feature[~is_leaf]).size / p,
        "tree_importance_max": importance.max(),
    }
    used = importance[importance > 0]
    if p > 1 and used.size:
        entropy = -np.sum(used * np.log(used))
        result["tree_importance_entropy_ratio"] = entropy / np.log(p)
    return result

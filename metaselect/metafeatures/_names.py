"""Names, groups and neutral values of the meta-features.

The order of :data:`GROUPS` (and of the names inside each group) is the fixed
order used to vectorise meta-features; it must only ever be extended at the
end of a group, never reordered.
"""

GROUPS = {
    "general": [
        "n_rows",
        "n_features",
        "log_n_rows",
        "log_n_features",
        "log_rows_per_feature",
        "frac_numeric",
        "frac_categorical",
        "frac_binary",
        "mean_categorical_levels",
        "frac_missing_cells",
        "frac_rows_with_missing",
        "frac_features_with_missing",
        "is_sparse",
        "n_classes",
        "class_entropy_ratio",
        "minority_class_frac",
        "majority_class_frac",
    ],
    "statistical": [
        "skew_mean",
        "skew_min",
        "skew_q25",
        "skew_median",
        "skew_q75",
        "skew_max",
        "kurt_mean",
        "kurt_min",
        "kurt_q25",
        "kurt_median",
        "kurt_q75",
        "kurt_max",
        "abs_corr_mean",
        "abs_corr_max",
        "frac_high_corr_pairs",
        "pca_frac_components_95",
        "pca_first_component_ratio",
        "frac_outlier_cells",
        "frac_features_with_outliers",
        "cv_median",
        "log_sd_ratio",
        "frac_constant_features",
        "frac_zero_cells",
        "target_skew",
        "target_kurt",
    ],
    "information": [
        "target_entropy",
        "feature_entropy_mean",
        "mutual_info_mean",
        "mutual_info_max",
        "mutual_info_norm",
        "equivalent_n_features",
        "noise_signal_ratio",
    ],
    "landmarkers": [
        "lm_baseline",
        "lm_1nn",
        "lm_stump",
        "lm_naive_bayes",
        "lm_linear",
        "lm_random_node",
        "lm_1nn_time",
        "lm_stump_time",
        "lm_naive_bayes_time",
        "lm_linear_time",
        "lm_random_node_time",
    ],
    "model_based": [
        "tree_depth",
        "tree_n_leaves",
        "tree_leaves_per_class",
        "tree_leaves_per_row",
        "tree_leaf_depth_mean",
        "tree_leaf_depth_sd",
        "tree_frac_features_used",
        "tree_importance_max",
        "tree_importance_entropy_ratio",
    ],
}

#: Value used when a meta-feature cannot be defined for a dataset (for example
#: a correlation with fewer than two numeric features). Landmarker scores are
#: not listed: their neutral value is the score of the constant predictor.
NEUTRAL = {
    **{name: 0.0 for names in GROUPS.values() for name in names},
    "class_entropy_ratio": 1.0,
    "minority_class_frac": 1.0,
    "majority_class_frac": 1.0,
    "pca_frac_components_95": 1.0,
    "pca_first_component_ratio": 1.0,
    "tree_n_leaves": 1.0,
    "tree_importance_entropy_ratio": 1.0,
}

TIME_FEATURES = tuple(name for name in GROUPS["landmarkers"] if name.endswith("_time"))


def check_groups(groups):
    """Validate a ``groups`` argument and return the group names in order.

    Parameters
    ----------
    groups : None, str or iterable of str
        Group names; ``None`` means every group.

    Returns
    -------
    list of str
        The requested groups, in the fixed order of :data:`GROUPS`.
    """
    if groups is None:
        return list(GROUPS)
    if isinstance(groups, str):
        groups = [groups]
    groups = set(groups)
    unknown = groups.difference(GROUPS)
    if unknown:
        raise ValueError(
            f"The 'groups' parameter must be None or a subset of {list(GROUPS)}. "
            f"Got unknown group(s) {sorted(unknown)} instead."
        )
    return [group for group in GROUPS if group in groups]


def feature_names(groups=None):
    """Return the meta-feature names in their fixed vectorisation order.

    Parameters
    ----------
    groups : None, str or iterable of str, default=None
        Restrict to these groups (see :data:`GROUPS`); ``None`` means all.

    Returns
    -------
    list of str
        Names, group by group, in the order of :data:`GROUPS`.

    Examples
    --------
    >>> from metaselect.metafeatures import feature_names
    >>> feature_names("general")[:3]
    ['n_rows', 'n_features', 'log_n_rows']
    """
    return [name for group in check_groups(groups) for name in GROUPS[group]]

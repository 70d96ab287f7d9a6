"""Agreement with PyMFE on the features that both libraries define alike.

PyMFE is the reference implementation of most classical meta-features. We
compare on scikit-learn's bundled datasets, all smaller than the default
``max_rows``, so that no subsampling is involved. Tolerances:

* exact (1e-9 relative) for general, statistical and decision-tree features;
* 1e-4 relative for mutual information and what derives from it, because
  PyMFE adds 1e-8 to every joint-probability cell before taking logarithms.

Where a definition deliberately differs, the PyMFE value is converted first
(see ``docs/metafeatures.md``): skewness and kurtosis use PyMFE's
``method=1`` (scipy's biased estimators), ``nr_outliers`` is divided by the
number of numeric features, ``leaves_branch.sd`` uses ddof=1, and for the
regression dataset PyMFE is given our equal-frequency target bins. PyMFE's
decision tree is seeded with the seed our ``compute`` derives from
``random_state=0``, so ties between equally good splits are broken alike.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

from metaselect.metafeatures import compute
from metaselect.metafeatures._compute import _draw_seeds
from metaselect.metafeatures._subsample import quantile_bins

pymfe_mfe = pytest.importorskip("pymfe.mfe")

EXACT = 1e-9
SMOOTHED = 1e-4

# ours -> (PyMFE name, tolerance, conversion of the PyMFE value)
SHARED = {
    "n_rows": ("nr_inst", EXACT, None),
    "n_features": ("nr_attr", EXACT, None),
    "log_rows_per_feature": ("inst_to_attr", EXACT, np.log10),
    "frac_binary": ("nr_bin", EXACT, "per_feature"),
    "frac_numeric": ("nr_num", EXACT, "per_feature"),
    "frac_categorical": ("nr_cat", EXACT, "per_feature"),
    "skew_mean": ("skewness.mean", EXACT, None),
    "skew_min": ("skewness.min", EXACT, None),
    "skew_median": ("skewness.median", EXACT, None),
    "skew_max": ("skewness.max", EXACT, None),
    "kurt_mean": ("kurtosis.mean", EXACT, None),
    "kurt_min": ("kurtosis.min", EXACT, None),
    "kurt_median": ("kurtosis.median", EXACT, None),
    "kurt_max": ("kurtosis.max", EXACT, None),
    "abs_corr_mean": ("cor.mean", EXACT, None),
    "abs_corr_max": ("cor.max", EXACT, None),
    "frac_high_corr_pairs": ("nr_cor_attr", EXACT, None),
    "frac_features_with_outliers": ("nr_outliers", EXACT, "per_feature"),
    "target_entropy": ("class_ent", EXACT, None),
    "feature_entropy_mean": ("attr_ent.mean", EXACT, None),
    "mutual_info_mean": ("mut_inf.mean", SMOOTHED, None),
    "mutual_info_max": ("mut_inf.max", SMOOTHED, None),
    "equivalent_n_features": ("eq_num_attr", SMOOTHED, None),
    "noise_signal_ratio": ("ns_ratio", SMOOTHED, None),
    "tree_n_leaves": ("leaves", EXACT, None),
    "tree_depth": ("tree_depth.max", EXACT, None),
    "tree_leaf_depth_mean": ("leaves_branch.mean", EXACT, None),
    "tree_leaf_depth_sd": ("leaves_branch.sd", EXACT, "ddof0"),
    "tree_importance_max": ("var_importance.max", EXACT, None),
}
CLASSIFICATION_ONLY = {
    "n_classes": ("nr_class", EXACT, None),
    "minority_class_frac": ("freq_class.min", EXACT, None),
    "majority_class_frac": ("freq_class.max", EXACT, None),
}


def _pymfe_values(X, y, tree_seed):
    features = sorted(
        {name.split(".")[0] for name, _, _ in [*SHARED.values(), *CLASSIFICATION_ONLY.values()]}
    )
    mfe = pymfe_mfe.MFE(
        features=features,
        summary=["mean", "min", "median", "max", "sd"],
        random_state=tree_seed,  # the same tie-breaking as our tree
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mfe.fit(X, y)
        names, values = mfe.extract(skewness={"method": 1}, kurtosis={"method": 1})
    return dict(zip(names, values, strict=True))


def _convert(value, how, theirs):
    if how == "per_feature":
        return value / theirs["nr_attr"]
    if how == "ddof0":
        n = theirs["leaves"]
        return value * np.sqrt((n - 1) / n)
    return how(value) if how else value


DATASETS = {
    "iris": (load_iris, "classification"),
    "wine": (load_wine, "classification"),
    "breast_cancer": (load_breast_cancer, "classification"),
    "diabetes": (load_diabetes, "regression"),
}


@pytest.mark.parametrize("dataset", DATASETS)
def test_agreement_with_pymfe(dataset):
    load, task = DATASETS[dataset]
    X, y = load(return_X_y=True)
    ours = compute(X, y, task, random_state=0)
    tree_seed = _draw_seeds(0)["tree"]
    shared = dict(SHARED)
    if task == "classification":
        shared.update(CLASSIFICATION_ONLY)
        theirs = _pymfe_values(X, y, tree_seed)
    else:  # PyMFE is classification-only: give it our target bins
        theirs = _pymfe_values(X, quantile_bins(y), tree_seed)
    mismatches = {}
    for name, (their_name, rel, how) in shared.items():
        expected = _convert(float(theirs[their_name]), how, theirs)
        if ours[name] != pytest.approx(expected, rel=rel, abs=1e-12):
            mismatches[name] = (ours[name], their_name, expected)
    assert not mismatches


LANDMARKERS = {
    "lm_stump": "best_node.mean",
    "lm_naive_bayes": "naive_bayes.mean",
    "lm_linear": "linear_discr.mean",
}


@pytest.mark.parametrize("dataset", ["iris", "wine", "breast_cancer"])
def test_landmarkers_close_to_pymfe(dataset):
    """Scale-invariant landmarkers agree up to the choice of folds.

    PyMFE uses 10 folds and unshrunk LDA, we use 5 folds and shrinkage 0.1;
    the scores agree within 0.05 accuracy. (1-NN is not compared: PyMFE does
    not standardise the columns.)
    """
    X, y = DATASETS[dataset][0](return_X_y=True)
    ours = compute(X, y, "classification", random_state=0)
    mfe = pymfe_mfe.MFE(groups=["landmarking"], summary=["mean"], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = dict(zip(*mfe.fit(X, y).extract(), strict=True))
    for name, their_name in LANDMARKERS.items():
        assert ours[name] == pytest.approx(theirs[their_name], abs=0.05), name

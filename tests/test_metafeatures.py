"""Behaviour tests for metaselect.metafeatures."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.datasets import load_iris, make_classification, make_regression

from metaselect.metafeatures import (
    GROUPS,
    NEUTRAL,
    TIME_FEATURES,
    _landmarkers,
    compute,
    feature_names,
)
from metaselect.metafeatures._subsample import stratified_folds, stratified_rows


def _check_vector(mf, groups=None):
    assert isinstance(mf, pd.Series)
    assert mf.dtype == np.float64
    assert list(mf.index) == feature_names(groups)
    assert np.isfinite(mf.to_numpy()).all(), mf[~np.isfinite(mf)]


def _not_time(mf):
    return mf.drop(list(TIME_FEATURES), errors="ignore")


@pytest.fixture
def mixed_frame():
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "int": rng.integers(0, 100, size=n),
            "flag": rng.random(n) > 0.5,
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], size=n)),
            "obj": rng.choice(["x", "y", None], size=n).astype(object),
            "text": pd.array(rng.choice(["u", "v", "w", "z"], size=n), dtype="string"),
            "const": np.ones(n),
            "when": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 99, n), "D"),
        }
    )
    frame.loc[::7, "num"] = np.nan
    frame.loc[::11, "cat"] = np.nan
    frame.loc[::13, "text"] = pd.NA
    y = np.where(frame["num"].fillna(0) > 0, "pos", "neg")
    return frame, y


def test_names_groups_and_count():
    names = feature_names()
    assert len(names) == len(set(names)) >= 50
    assert names == [name for group in GROUPS.values() for name in group]
    assert set(NEUTRAL) == set(names)
    assert feature_names(["model_based", "general"]) == GROUPS["general"] + GROUPS["model_based"]
    with pytest.raises(ValueError, match="groups"):
        feature_names("nope")


def test_iris_values():
    X, y = load_iris(return_X_y=True)
    mf = compute(X, y, "classification", random_state=0)
    _check_vector(mf)
    assert mf["n_rows"] == 150 and mf["n_features"] == 4 and mf["n_classes"] == 3
    assert mf["class_entropy_ratio"] == pytest.approx(1.0)
    assert mf["minority_class_frac"] == pytest.approx(1 / 3)
    assert mf["target_entropy"] == pytest.approx(np.log2(3))
    assert mf["frac_numeric"] == 1.0 and mf["frac_missing_cells"] == 0.0
    # Iris is easy: the non-trivial landmarkers beat the constant predictor.
    assert mf["lm_baseline"] == pytest.approx(1 / 3)
    for name in ("lm_1nn", "lm_naive_bayes", "lm_linear"):
        assert mf[name] > 0.75
    assert 0 < mf["abs_corr_mean"] <= mf["abs_corr_max"] <= 1


def test_mixed_frame_with_missing_values(mixed_frame):
    frame, y = mixed_frame
    mf = compute(frame, y, "classification", random_state=0)
    _check_vector(mf)
    assert mf["frac_categorical"] == pytest.approx(3 / 8)
    assert mf["frac_numeric"] == pytest.approx(5 / 8)
    n_missing = frame.isna().to_numpy().sum()
    assert mf["frac_missing_cells"] == pytest.approx(n_missing / frame.size)
    assert mf["frac_rows_with_missing"] == pytest.approx(frame.isna().any(axis=1).mean())
    assert mf["frac_features_with_missing"] == pytest.approx(4 / 8)
    assert mf["frac_binary"] == pytest.approx(2 / 8)  # "flag" and "obj" (x/y/None)
    assert mf["frac_constant_features"] == pytest.approx(1 / 8)


def test_object_array_and_string_labels(mixed_frame):
    frame, y = mixed_frame
    X = frame[["num", "obj", "cat"]].astype(object).to_numpy()
    mf = compute(X, list(y), "classification", random_state=0)
    _check_vector(mf)
    assert mf["n_classes"] == 2
    assert mf["frac_categorical"] == pytest.approx(2 / 3)


def test_string_labels_equal_integer_labels():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    a = compute(X, names, "classification", random_state=3)
    b = compute(X, y, "classification", random_state=3)
    pd.testing.assert_series_equal(_not_time(a), _not_time(b))


@pytest.mark.parametrize(
    "X, y",
    [
        (np.arange(30.0).reshape(30, 1), np.arange(30) % 2),  # single feature
        (np.random.default_rng(0).normal(size=(8, 40)), [0, 1] * 4),  # p > n
        (np.ones((25, 3)), np.arange(25) % 3),  # all constant
        (np.full((25, 3), np.nan), np.arange(25) % 3),  # all missing
        (np.random.default_rng(1).normal(size=(30, 4)), [0] * 29 + [1]),  # singleton
        (np.random.default_rng(2).normal(size=(20, 4)), np.zeros(20)),  # one class
        (np.random.default_rng(3).normal(size=(12, 3)), np.arange(12)),  # all singletons
        (np.array([[1.0, 2.0]]), [1]),  # one row
        (np.array([[1.0, np.inf], [2.0, -np.inf], [0.0, 1.0]]), [0, 1, 0]),  # inf
    ],
    ids=[
        "one-feature",
        "p>n",
        "constant",
        "all-nan",
        "singleton",
        "one-class",
        "all-singletons",
        "one-row",
        "inf",
    ],
)
def test_awkward_inputs_give_finite_vectors(X, y):
    for task in ("classification", "regression"):
        mf = compute(X, np.asarray(y, dtype=float), task, random_state=0)
        _check_vector(mf)
        assert mf["n_rows"] == np.shape(X)[0]


def test_mixed_frame_regression(mixed_frame):
    frame, _ = mixed_frame
    days = (frame["when"] - frame["when"].min()).dt.days.to_numpy()
    target = frame["int"].to_numpy() * 0.5 + days
    mf = compute(frame, target, "regression", random_state=0)
    _check_vector(mf)
    assert mf["frac_categorical"] == pytest.approx(3 / 8)
    assert mf["lm_linear"] > 0.5  # the target is linear in two columns


def test_docs_list_every_feature():
    doc = (Path(__file__).parents[1] / "docs" / "metafeatures.md").read_text()
    assert [name for name in feature_names() if f"`{name}`" not in doc] == []


def test_constant_and_missing_inputs_use_neutral_values():
    mf = compute(np.ones((25, 3)), np.arange(25) % 3, "classification", random_state=0)
    for name in GROUPS["statistical"]:
        if name != "frac_constant_features":
            assert mf[name] == NEUTRAL[name], name
    assert mf["frac_constant_features"] == 1.0
    assert mf["mutual_info_max"] == 0.0
    assert mf["tree_n_leaves"] == 1.0
    nan = compute(np.full((25, 3), np.nan), np.arange(25) % 3, "classification")
    assert nan["frac_missing_cells"] == 1.0 and nan["frac_rows_with_missing"] == 1.0


def test_single_class_member_is_kept_by_subsampling():
    X, y = make_classification(3000, 5, weights=[0.9999], flip_y=0, random_state=0)
    y[7] = 2  # a class with one member
    mf = compute(X, y, "classification", random_state=0, max_rows=100)
    _check_vector(mf)
    assert mf["n_classes"] == 3
    assert mf["minority_class_frac"] == pytest.approx(1 / 3000)


def test_sparse_input_matches_dense():
    X, y = make_classification(200, 8, random_state=0)
    X[X < 0.5] = 0.0
    for convert in (sp.csr_matrix, sp.csc_matrix, sp.csr_array):
        sparse = compute(convert(X), y, "classification", random_state=1)
        dense = compute(X, y, "classification", random_state=1)
        _check_vector(sparse)
        assert sparse["is_sparse"] == 1.0 and dense["is_sparse"] == 0.0
        pd.testing.assert_series_equal(
            _not_time(sparse).drop("is_sparse"), _not_time(dense).drop("is_sparse")
        )
    assert dense["frac_zero_cells"] == pytest.approx(np.mean(X == 0))


def test_sparse_missing_values():
    X = sp.random(50, 10, density=0.3, format="csr", random_state=0)
    X.data[:5] = np.nan
    mf = compute(X, np.arange(50) % 2, "classification", random_state=0)
    _check_vector(mf)
    assert mf["frac_missing_cells"] == pytest.approx(5 / 500)


def test_regression():
    X, y = make_regression(300, 6, n_informative=3, noise=1.0, random_state=0)
    mf = compute(X, y, "regression", random_state=0)
    _check_vector(mf)
    assert mf["n_classes"] == NEUTRAL["n_classes"]
    assert mf["target_entropy"] == pytest.approx(np.log2(10), abs=1e-6)  # 10 bins
    assert mf["lm_linear"] > 0.95 > mf["lm_stump"]  # a linear concept
    assert mf["lm_baseline"] <= 0.0
    assert mf["target_skew"] == pytest.approx(pd.Series(y).skew(), abs=0.05)
    skewed = compute(X, np.exp(y / y.std()), "regression", random_state=0)
    assert skewed["target_skew"] > 1.0


def test_regression_rejects_non_finite_target():
    with pytest.raises(ValueError, match="NaN"):
        compute(np.ones((3, 2)), [1.0, np.nan, 2.0], "regression")


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_repeatable_for_fixed_random_state(task, monkeypatch):
    X, y = make_classification(3000, 150, n_informative=10, random_state=0)
    X[::5, 3] = np.nan
    kwargs = dict(random_state=42, max_rows=500, max_features=40)
    a = compute(X, y, task, **kwargs)
    b = compute(X, y, task, **kwargs)
    pd.testing.assert_series_equal(_not_time(a), _not_time(b), check_exact=True)
    other = compute(X, y, task, random_state=7, max_rows=500, max_features=40)
    assert not _not_time(a).equals(_not_time(other))
    # With a fake clock even the time features are repeatable.
    ticks = iter(range(1000))
    monkeypatch.setattr(_landmarkers, "_clock", lambda: float(next(ticks)))
    timed = compute(X, y, task, **kwargs)
    assert (timed[list(TIME_FEATURES)] == 1.0).all()


def test_subsampling_caps_are_respected(monkeypatch):
    seen = {}
    original = _landmarkers.landmarker_features

    def spy(sample):
        seen["shape"] = (sample.n_rows, sample.n_columns)
        return original(sample)

    monkeypatch.setattr("metaselect.metafeatures._compute.landmarker_features", spy)
    X, y = make_classification(1500, 60, random_state=0)
    mf = compute(X, y, "classification", random_state=0, max_rows=300, max_features=25)
    assert seen["shape"] == (300, 25)
    assert mf["n_rows"] == 1500 and mf["n_features"] == 60  # exact, not sampled
    assert mf["tree_leaves_per_row"] == pytest.approx(mf["tree_n_leaves"] / 300)


def test_stratified_rows_keep_class_proportions_and_rare_classes():
    strata = np.repeat([0, 1, 2, 3], [9000, 900, 99, 1])
    rows = stratified_rows(strata, 1000, np.random.default_rng(0))
    assert rows.size == 1000 and np.unique(rows).size == 1000
    counts = np.bincount(strata[rows], minlength=4)
    assert counts[3] == 1 and counts[2] in (9, 10)
    assert abs(counts[0] - 900) <= 2


def test_stratified_folds_are_balanced():
    strata = np.repeat([0, 1, 2], [50, 20, 1])
    folds = stratified_folds(strata, 5, np.random.default_rng(0))
    assert np.bincount(folds).max() - np.bincount(folds).min() <= 1
    for s in (0, 1):
        assert np.all(np.bincount(folds[strata == s], minlength=5) == (50, 20)[s] // 5)


def test_groups_argument_skips_groups():
    X, y = load_iris(return_X_y=True)
    full = compute(X, y, "classification", random_state=0)
    part = compute(X, y, "classification", random_state=0, groups=["general", "statistical"])
    _check_vector(part, ["general", "statistical"])
    pd.testing.assert_series_equal(part, full[part.index])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(task="clustering"), "task"),
        (dict(task="classification", max_rows=5), "max_rows"),
        (dict(task="classification", max_features=0), "max_features"),
        (dict(task="classification", groups=["general", "bogus"]), "groups"),
    ],
)
def test_invalid_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compute(np.ones((5, 2)), [0, 1, 0, 1, 0], **kwargs)


def test_invalid_shapes():
    with pytest.raises(ValueError, match="2-D"):
        compute(np.ones(5), np.ones(5), "regression")
    with pytest.raises(ValueError, match="one value per row"):
        compute(np.ones((5, 2)), np.ones(4), "regression")
    with pytest.raises(ValueError, match="at least one"):
        compute(np.ones((5, 0)), np.ones(5), "regression")
    with pytest.raises(ValueError, match="missing labels"):
        compute(np.ones((3, 2)), ["a", None, "b"], "classification")


def test_informative_features_have_more_mutual_information():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    noise = compute(rng.normal(size=(500, 5)), y, "classification", random_state=0)
    signal_X = rng.normal(size=(500, 5)) + 3 * y[:, None]
    signal = compute(signal_X, y, "classification", random_state=0)
    assert signal["mutual_info_mean"] > 5 * noise["mutual_info_mean"]
    assert signal["lm_stump"] > 0.9 > 0.65 > noise["lm_stump"]
    assert signal["tree_n_leaves"] < noise["tree_n_leaves"]


@settings(max_examples=40, deadline=None)
@given(
    X=hnp.arrays(
        np.float64,
        shape=hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
        elements=st.floats(allow_nan=True, allow_infinity=True),
    ),
    data=st.data(),
)
def test_any_numeric_array_gives_a_finite_vector(X, data):
    y = data.draw(hnp.arrays(np.int64, X.shape[0], elements=st.integers(0, 3)))
    for task in ("classification", "regression"):
        mf = compute(X, y, task, random_state=0)
        _check_vector(mf)

"""Data that changes form between fit and predict: categorical codes and datetimes (issue 16)."""

import io
import re
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from metaselect import MetaSelectorClassifier, metafeatures
from metaselect.portfolio import Portfolio
from metaselect.preprocessing import (
    DATETIME_FEATURES,
    MAX_NATIVE_CATEGORIES,
    UnseenCategoryWarning,
    check_X,
    make_candidate_pipeline,
    make_preprocessor,
    native_columns,
)


def selector():
    return MetaSelectorClassifier(time_budget=10, max_evals=3, cv=2, random_state=0,
                                  estimators=["decision_tree", "logistic_regression"])


def csv_round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    buffer.seek(0)
    return pd.read_csv(buffer)


# -- categorical codes ---------------------------------------------------------------
def coded_data(n=400, seed=0):
    """A categorical column of numeric codes (101..104) plus one text value, which decides y."""
    rng = np.random.default_rng(seed)
    codes = rng.choice([101, 102, 103, 104], n).astype(object)
    codes[0] = "other"
    y = np.array(["a" if c in (101, 103, "other") else "b" for c in codes])
    return pd.DataFrame({"code": codes, "noise": rng.normal(size=n)}), y


def test_numeric_codes_survive_a_csv_with_a_blank_cell():
    X, y = coded_data()
    model = selector().fit(X[:300], y[:300])
    test = X[300:].reset_index(drop=True)
    test.loc[0, "code"] = np.nan  # one blank cell: pandas reads the column back as float
    back = csv_round_trip(test)
    assert back["code"].dtype == float
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnseenCategoryWarning)  # 101.0 is 101: nothing unseen
        predicted = model.predict(back)
    assert (predicted[1:] == y[301:]).mean() == 1.0


@pytest.mark.parametrize("values", [
    [101, 101.0, "101", "101.0", " 101 ", np.int64(101), np.float32(101)],
    [0.5, "0.5", "5e-1", np.float64(0.5)],
])
def test_one_canonical_form_for_numbers_and_their_text(values):
    X = pd.DataFrame({"c": pd.Series(values + ["x"], dtype=object)})
    Xt, _ = check_X(X)
    assert Xt[0].iloc[:-1].nunique() == 1


def test_missing_values_stay_missing_and_booleans_keep_their_name():
    X = pd.DataFrame({"c": pd.Series([None, np.nan, pd.NA, True, "a"], dtype=object)})
    Xt, _ = check_X(X)
    assert Xt[0].isna().tolist() == [True, True, True, False, False]
    assert Xt[0].iloc[3] == "True"


def test_unhashable_values_are_categories_by_their_text():
    X = pd.DataFrame({"c": pd.Series([[1], [1], {"a": 1}, None, "x"], dtype=object)})
    assert check_X(X)[0][0].tolist()[:3] == ["[1]", "[1]", "{'a': 1}"]


def test_two_spellings_of_one_number_at_fit_are_kept_apart():
    X = pd.DataFrame({"zip": ["007", "7", "010", "x"]})
    Xt, schema = check_X(X)
    assert Xt[0].tolist() == ["007", "7", "010", "x"]
    assert schema.literal == (0,)
    again, _ = check_X(pd.DataFrame({"zip": [7.0, "007"]}), schema)
    assert again[0].tolist() == ["7", "007"]  # numbers still take their canonical form
    assert check_X(pd.DataFrame({"code": ["101", "101.0", "+101", "x"]}))[1].literal == (0,)
    assert check_X(pd.DataFrame({"code": ["101", "101.0", "x"]}))[1].literal == ()


def test_unseen_categories_are_counted_per_column_at_predict_time():
    X = pd.DataFrame({"a": ["x", "y", "x", "y"], "b": [1, 2, "z", 1], "n": [1.0, 2, 3, 4]})
    _, schema = check_X(X)
    new = pd.DataFrame({"a": ["x", "w", "v", None], "b": [2.0, 1.0, 3.0, np.nan], "n": [1.0, 2, 3, 4]})
    with pytest.warns(UnseenCategoryWarning, match=r"\{'a': 2, 'b': 1\}"):
        check_X(new, schema)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnseenCategoryWarning)
        check_X(pd.DataFrame({"a": ["y"], "b": ["2"], "n": [0.0]}), schema)


# -- datetimes and timedeltas --------------------------------------------------------
def dated_data(n=300, seed=0, tz=None):
    """Every timestamp distinct; y is whether it falls in the afternoon."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, 3 * 365 * 86400, n)
    when = pd.Series(pd.to_datetime(seconds, unit="s"))
    if tz is not None:
        when = when.dt.tz_localize("UTC").dt.tz_convert(tz)
    y = np.where(when.dt.hour >= 12, "pm", "am")
    when.iloc[5] = pd.NaT
    took = pd.Series(pd.to_timedelta(rng.integers(0, 1000, n), unit="s"))
    return pd.DataFrame({"when": when, "took": took, "noise": rng.normal(size=n)}), y


def test_check_X_records_datetimes_and_turns_timedeltas_into_seconds():
    X, _ = dated_data(tz="Europe/Paris")
    Xt, schema = check_X(X)
    assert schema.datetime == (0,) and schema.timedelta == (1,) and 1 in schema.numeric
    assert str(schema.timezones[0]) == "Europe/Paris"
    assert schema.categorical == ()
    assert Xt[1].dtype == float and Xt[1].iloc[0] == X["took"].iloc[0].total_seconds()


@pytest.mark.parametrize("tz", [None, "America/New_York"])
def test_datetimes_become_features_in_every_pipeline(tz):
    X, _ = dated_data(tz=tz)
    Xt, schema = check_X(X)
    out = make_preprocessor(schema, scale=False, categorical="onehot").fit_transform(Xt)
    # took and noise (nothing missing), then the datetime features and their NaT indicators
    assert out.shape[1] == 2 + 2 * len(DATETIME_FEATURES)
    local = X["when"].iloc[0]
    row = out[0, 2:2 + len(DATETIME_FEATURES)]
    assert row[:4].tolist() == [local.year, local.month, local.day, local.day_of_week]
    assert row[5] == pytest.approx(local.timestamp())


def test_a_datetime_pattern_is_learned_and_survives_a_csv_round_trip():
    X, y = dated_data(n=400, tz="Europe/Paris")
    model = selector().fit(X[:300], y[:300])
    test = X[300:].reset_index(drop=True)
    accuracy = (model.predict(test) == y[300:]).mean()
    assert accuracy > 0.95  # one category per timestamp would be a coin toss
    back = csv_round_trip(test)  # text: "2021-03-04 13:00:00+01:00", "0 days 00:05:00"
    assert not pd.api.types.is_datetime64_any_dtype(back["when"].dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(model.predict(back), model.predict(test))


def test_naive_datetimes_at_predict_time_are_read_in_the_fit_time_zone():
    X, _ = dated_data(tz="Asia/Tokyo")
    Xt, schema = check_X(X)
    naive = X.assign(when=X["when"].dt.tz_localize(None))
    again, _ = check_X(naive, schema)
    pd.testing.assert_series_equal(again[0], Xt[0])


def test_unreadable_dates_at_predict_time_are_missing_with_a_warning():
    X, _ = dated_data()
    _, schema = check_X(X)
    new = X.head(3).astype({"when": object})
    new.loc[0, "when"] = "not a date"
    with pytest.warns(UserWarning, match=r"'when': 1"):
        again, _ = check_X(new, schema)
    assert again[0].isna().tolist() == [True, False, False]


@pytest.mark.parametrize("tz", [None, "UTC", "Europe/Paris"])
def test_metafeatures_compute_on_datetime_columns(tz):
    X, y = dated_data(tz=tz)
    Xt, _ = check_X(X)
    values = metafeatures.compute(Xt, y, "classification", random_state=0)
    assert values["n_features"] == 3 and values["frac_categorical"] == 0
    assert np.isfinite(values.drop(metafeatures.TIME_FEATURES, errors="ignore")).mean() > 0.5


# -- the command line's data files ---------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda p: (p / "data.csv.gz").write_text("a,b\n1,2\n"), "Cannot read .*data.csv.gz as a gzip"),
    (lambda p: (p / "data.csv.gz").write_bytes(b"\x1f\x8b\x08\x00cut"), "Cannot read .*gzip"),
    (lambda p: (p / "data.csv").mkdir(), "is not a file"),
    (lambda p: (p / "data.csv").write_text(""), "Cannot read .*data.csv as a CSV"),
])
def test_unreadable_data_files_get_one_line_errors(tmp_path, capsys, make, match):
    from metaselect.cli import main

    make(tmp_path)
    data = next(tmp_path.iterdir())
    assert main(["fit", str(data), "--target", "b", "--out", str(tmp_path / "m.joblib")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(match, err)


def test_cli_reads_iso_dates_as_datetimes(tmp_path):
    from metaselect.cli._common import read_table

    path = tmp_path / "dates.csv"
    pd.DataFrame({"day": ["2024-01-01", "2024-02-29", None], "at": ["2024-01-01T10:00:00+01:00"] * 3,
                  "code": ["2024-01-01", "x", "y"], "n": [1, 2, 3]}).to_csv(path, index=False)
    frame = read_table(str(path))
    assert pd.api.types.is_datetime64_any_dtype(frame["day"]) and frame["day"].isna().sum() == 1
    assert str(frame["at"].dt.tz) == "UTC+01:00"
    assert not pd.api.types.is_datetime64_any_dtype(frame["code"])


def test_category_coercer_names_its_features_without_input_names():
    from metaselect.preprocessing import CategoryCoercer

    coercer = CategoryCoercer().fit(pd.DataFrame({"a": ["x"], "b": ["y"]}))
    assert coercer.get_feature_names_out().tolist() == ["a", "b"]  # was a 0-d array: html repr broke
    assert CategoryCoercer().fit(np.array([["x"]], dtype=object)).get_feature_names_out().tolist() == ["x0"]


# -- native categories ---------------------------------------------------------------
def alternating_data(n=400, seed=0):
    """Eight categories whose target alternates in their sorted order (a, c, e, g are 1), one
    column of many values (more than ``MAX_NATIVE_CATEGORIES``) and noise."""
    rng = np.random.default_rng(seed)
    cats = rng.choice(list("abcdefgh"), n)
    many = rng.permutation(n).astype(str)  # a value a row: more than MAX_NATIVE_CATEGORIES
    X = pd.DataFrame({"noise": rng.normal(size=n), "cat": cats, "many": many})
    return X, np.isin(cats, list("aceg")).astype(float)


def few_leaves(categorical):
    family = Portfolio("regression").families["hist_gradient_boosting"]
    return replace(family, categorical=categorical), {
        **family.space.default(), "max_iter": 32, "learning_rate": 1.0, "min_samples_leaf": 100}


def test_native_columns_are_the_categorical_ones_with_few_values():
    X, _ = alternating_data()
    _, schema = check_X(X)
    assert X["many"].nunique() > MAX_NATIVE_CATEGORIES
    assert native_columns(schema) == (1,)  # "cat"; "many" has too many values
    assert native_columns(replace(schema, categories=())) == ()  # pickled before the values were kept


def test_a_native_model_splits_categories_in_any_order_and_predicts_unseen_and_missing():
    X, y = alternating_data()
    Xt, schema = check_X(X)
    scores = {}
    for categorical in ("ordinal", "native"):
        family, params = few_leaves(categorical)
        pipe = make_candidate_pipeline(family, params, schema, random_state=0)
        scores[categorical] = pipe.fit(Xt[:300], y[:300]).score(Xt[300:], y[300:])
    # the model's first feature is "cat" as a category; "many" and the noise are numbers
    assert pipe[-1].is_categorical_.tolist() == [True, False, False]
    # leaves of 100 of the 300 rows: one cut of the codes leaves at least three categories each side
    assert scores["native"] > 0.99 > 0.5 > scores["ordinal"]
    test = X[300:310].copy()
    test.loc[test.index[:2], "cat"] = ["unseen", np.nan]
    with pytest.warns(UnseenCategoryWarning):
        unseen, _ = check_X(test, schema)
    assert np.isfinite(pipe.predict(unseen)).all()

"""Dataset folders: reading, typing and manifest validation."""

import gzip

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris

from metaselect.datasets import MANIFEST_COLUMNS, DatasetFolder, ManifestError, add_dataset

HEADER = ",".join(MANIFEST_COLUMNS)


def write_folder(root, rows, files):
    """A dataset folder with manifest ``rows`` (strings) and ``files`` {name: csv text}."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "manifest.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    for name, text in files.items():
        with gzip.open(root / "data" / f"{name}.csv.gz", "wt") as fh:
            fh.write(text)
    return root


CSV = "a,colour,label\n1.5,red,yes\n,NA,no\n2.0,,yes\n3.0,blue,no\n"


def test_load_types_missing_values_and_categories(tmp_path):
    folder = DatasetFolder(write_folder(
        tmp_path, ["toy,classification,label,4,2,2,unit,toys"], {"toy": CSV}))
    assert len(folder) == 1 and "toy" in folder and folder.names("regression") == []
    X, y = folder.load("toy")
    assert list(X.columns) == ["a", "colour"]
    assert X["a"].dtype == np.float64 and np.isnan(X["a"][1])
    # Only empty fields are missing: the string "NA" is a category.
    assert X["colour"][1] == "NA" and pd.isna(X["colour"][2])
    assert list(y) == ["yes", "no", "yes", "no"]
    assert folder.manifest().loc["toy", "family"] == "toys"


def test_regression_target_is_float_and_missing_targets_dropped(tmp_path):
    csv = "x,t\n1,0.5\n2,\n3,1.5\n"
    folder = DatasetFolder(write_folder(tmp_path, ["r,regression,t,3,1,0,unit,"], {"r": csv}))
    X, y = folder.load("r")
    assert y.dtype == np.float64 and list(y) == [0.5, 1.5] and len(X) == 2
    assert folder["r"].family == "r"  # an empty family defaults to the name


@pytest.mark.parametrize(
    "rows, files, match",
    [
        (["toy,classification,label,4,2,2,unit,toys"], {}, "does not exist"),
        (["toy,clustering,label,4,2,2,unit,toys"], {"toy": CSV}, "task must be one of"),
        (["toy,classification,label,four,2,2,unit,toys"], {"toy": CSV}, "n_rows must be an integer"),
        (["toy,classification,label,4,2,2,unit,toys"] * 2, {"toy": CSV}, "duplicate dataset name"),
        (["../toy,classification,label,4,2,2,unit,toys"], {"toy": CSV}, "invalid dataset name"),
        (["..,classification,label,4,2,2,unit,toys"], {"..": CSV}, "invalid dataset name"),
        ([".,classification,label,4,2,2,unit,toys"], {".": CSV}, "invalid dataset name"),
        (["toy,classification,,4,2,2,unit,toys"], {"toy": CSV}, "empty target"),
    ],
)
def test_manifest_errors_name_the_line(tmp_path, rows, files, match):
    write_folder(tmp_path, rows, files)
    with pytest.raises(ManifestError, match=match) as info:
        DatasetFolder(tmp_path)
    assert "manifest.csv, line" in str(info.value)


def test_missing_manifest_columns(tmp_path):
    (tmp_path / "manifest.csv").write_text("name,task\ntoy,classification\n")
    with pytest.raises(ManifestError, match=r"missing column\(s\) \['target'"):
        DatasetFolder(tmp_path)


def test_missing_folder_manifest_and_target(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such dataset folder"):
        DatasetFolder(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no manifest.csv"):
        DatasetFolder(tmp_path)
    folder = DatasetFolder(write_folder(
        tmp_path, ["toy,classification,cls,4,2,2,unit,toys"], {"toy": CSV}))
    with pytest.raises(ManifestError, match="target column 'cls' is not in"):
        folder.load("toy")
    with pytest.raises(KeyError, match="No dataset 'other'"):
        folder.load("other")


def test_add_dataset_writes_a_loadable_folder(tmp_path):
    X, y = load_iris(return_X_y=True, as_frame=True)
    add_dataset(tmp_path, "iris", X, y, task="classification", family="flowers")
    X2, y2 = load_diabetes(return_X_y=True)
    folder = add_dataset(tmp_path, "diabetes", X2, y2, task="regression")
    assert folder.names() == ["iris", "diabetes"]
    assert folder["iris"].family == "flowers" and folder["diabetes"].family == "diabetes"
    assert folder["iris"].n_classes == 3 and folder["diabetes"].n_features == 10
    X_loaded, y_loaded = folder.load("iris")
    assert list(X_loaded.columns) == list(X.columns) and (y_loaded.to_numpy() == y.to_numpy()).all()
    with pytest.raises(ValueError, match="already has a dataset named 'iris'"):
        add_dataset(tmp_path, "iris", X, y, task="classification")
    with pytest.raises(ValueError, match="X has 150 rows but y has 3"):
        add_dataset(tmp_path, "short", X, y[:3], task="classification")
    for name in ("a b", "..", ".hidden", "a/b", "iris\n"):
        with pytest.raises(ValueError, match="Invalid dataset name"):
            add_dataset(tmp_path, name, X, y, task="classification")

"""Dataset folders: a ``manifest.csv`` plus ``data/<name>.csv.gz`` files.

The format (see ``docs/knowledge_base.md``)::

    FOLDER/manifest.csv        name,task,target,n_rows,n_features,n_classes,source,family
    FOLDER/data/<name>.csv.gz  gzip CSV with a header row; empty fields are missing

Non-numeric columns are categorical; every column but the target is a feature.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..portfolio import TASKS

__all__ = ["MANIFEST_COLUMNS", "DatasetFolder", "DatasetInfo", "ManifestError", "add_dataset"]

logger = logging.getLogger(__name__)

#: Columns every manifest must have, in this order of meaning.
MANIFEST_COLUMNS = ("name", "task", "target", "n_rows", "n_features", "n_classes", "source", "family")
#: Dataset names: one plain file name (it names ``data/<name>.csv.gz`` and a knowledge base's
#: ``results/<name>/``), so no path separator and no leading dot (``.``, ``..``, hidden files).
_NAME = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")
_NAME_RULE = "letters, digits, _ . - only, not starting with a dot"
_INT_COLUMNS = ("n_rows", "n_features", "n_classes")


class ManifestError(ValueError):
    """A dataset folder's manifest (or a data file it names) is malformed."""


@dataclass(frozen=True)
class DatasetInfo:
    """One row of a manifest: what a dataset is, as declared by its folder."""

    name: str
    task: str
    target: str
    n_rows: int
    n_features: int
    n_classes: int
    source: str
    family: str

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in MANIFEST_COLUMNS}


class DatasetFolder:
    """A collection of datasets in the dataset-folder format.

    Parameters
    ----------
    path : str or path-like
        The folder holding ``manifest.csv`` and ``data/``.

    Attributes
    ----------
    path : pathlib.Path
    datasets : dict of str to DatasetInfo
        The manifest's rows, by name, in manifest order.

    Raises
    ------
    FileNotFoundError
        If the folder or its manifest does not exist.
    ManifestError
        If the manifest lacks columns, has duplicate or invalid names, an
        unknown task, non-integer counts, or names a missing data file.

    Examples
    --------
    >>> folder = DatasetFolder("/path/to/corpus")  # doctest: +SKIP
    >>> X, y = folder.load("iris")  # doctest: +SKIP
    """

    def __init__(self, path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise FileNotFoundError(f"No such dataset folder: {self.path}")
        self.manifest_path = self.path / "manifest.csv"
        if not self.manifest_path.is_file():
            raise FileNotFoundError(f"Dataset folder {self.path} has no manifest.csv")
        self.datasets = {info.name: info for info in _read_manifest(self.manifest_path)}

    def __len__(self) -> int:
        return len(self.datasets)

    def __iter__(self):
        return iter(self.datasets.values())

    def __contains__(self, name: str) -> bool:
        return name in self.datasets

    def __getitem__(self, name: str) -> DatasetInfo:
        try:
            return self.datasets[name]
        except KeyError:
            raise KeyError(f"No dataset {name!r} in {self.manifest_path}") from None

    def names(self, task: str | None = None) -> list[str]:
        """Dataset names in manifest order, optionally only those of ``task``."""
        return [d.name for d in self if task is None or d.task == task]

    def data_path(self, name: str) -> Path:
        return self.path / "data" / f"{self[name].name}.csv.gz"

    def manifest(self) -> pd.DataFrame:
        """The manifest as a DataFrame indexed by name."""
        return pd.DataFrame([d.to_dict() for d in self], columns=MANIFEST_COLUMNS).set_index("name")

    def load(self, name: str) -> tuple[pd.DataFrame, pd.Series]:
        """Read one dataset.

        Returns
        -------
        X : pandas.DataFrame
            The features; numeric columns as float, others as object
            (categorical), missing values as NaN.
        y : pandas.Series
            The target.
        """
        info = self[name]
        frame = pd.read_csv(self.data_path(name), keep_default_na=False, na_values=[""], low_memory=False)
        if info.target not in frame.columns:
            raise ManifestError(
                f"Dataset {name!r}: target column {info.target!r} is not in "
                f"{self.data_path(name)} (columns: {list(frame.columns)[:10]}...)"
            )
        y = frame.pop(info.target)
        if y.isna().any():
            keep = y.notna().to_numpy()
            logger.warning("Dataset %r: dropping %d rows with a missing target.", name, (~keep).sum())
            frame, y = frame[keep].reset_index(drop=True), y[keep].reset_index(drop=True)
        if frame.shape[1] == 0:
            raise ManifestError(f"Dataset {name!r} has no feature column besides the target.")
        if info.task == "regression":
            y = pd.to_numeric(y, errors="raise").astype(float)
        else:
            y = y.astype(str) if y.dtype == object else y
        return frame, y


def add_dataset(path, name: str, X, y, *, task: str, family: str | None = None,
                source: str = "user") -> DatasetFolder:
    """Write ``(X, y)`` into the dataset folder at ``path`` (created if missing).

    Parameters
    ----------
    path : str or path-like
        The dataset folder; its ``manifest.csv`` gets one row for the dataset.
    name : str
        Letters, digits, ``_ . -``, not starting with a dot; must not be in the folder yet.
    X : DataFrame or array-like of shape (n_samples, n_features)
        Arrays get columns ``x0, x1, ...``.
    y : array-like of shape (n_samples,)
    task : {"classification", "regression"}
    family : str, default=None
        Datasets of one family (versions, subsamples of one source) are held
        out together in meta-evaluations. ``None``: the dataset's own name.
    source : str, default="user"
        Where the data came from, for the record.

    Returns
    -------
    DatasetFolder
        The folder, re-read.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True, as_frame=True)
    >>> folder = add_dataset("my_corpus", "iris", X, y, task="classification")  # doctest: +SKIP
    """
    path = Path(path)
    if not _NAME.fullmatch(str(name)):
        raise ValueError(f"Invalid dataset name {name!r}: use {_NAME_RULE}.")
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}.")
    frame = X.copy() if isinstance(X, pd.DataFrame) else pd.DataFrame(X).add_prefix("x")
    frame.columns = [str(c) for c in frame.columns]
    target = "target"
    while target in frame.columns:
        target = "_" + target
    if len(y) != len(frame):
        raise ValueError(f"Dataset {name!r}: X has {len(frame)} rows but y has {len(y)}.")
    frame[target] = list(y)
    manifest = path / "manifest.csv"
    if manifest.is_file() and name in DatasetFolder(path):
        raise ValueError(f"Dataset folder {path} already has a dataset named {name!r}.")
    (path / "data").mkdir(parents=True, exist_ok=True)
    frame.to_csv(path / "data" / f"{name}.csv.gz", index=False)
    n_classes = int(pd.Series(frame[target]).nunique()) if task == "classification" else 0
    row = pd.DataFrame([{"name": name, "task": task, "target": target, "n_rows": len(frame),
                         "n_features": frame.shape[1] - 1, "n_classes": n_classes, "source": source,
                         "family": family or name}], columns=MANIFEST_COLUMNS)
    row.to_csv(manifest, mode="a", header=not manifest.is_file(), index=False)
    return DatasetFolder(path)


def _read_manifest(path: Path) -> list[DatasetInfo]:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot be read as CSV ({exc})") from exc
    missing = [c for c in MANIFEST_COLUMNS if c not in table.columns]
    if missing:
        raise ManifestError(f"{path}: missing column(s) {missing}; a manifest needs {list(MANIFEST_COLUMNS)}")
    infos, seen = [], set()
    data_dir = path.parent / "data"
    for line, row in enumerate(table.to_dict("records"), start=2):
        where = f"{path}, line {line}"
        name = row["name"].strip()
        if not _NAME.fullmatch(name):
            raise ManifestError(f"{where}: invalid dataset name {name!r} ({_NAME_RULE})")
        if name in seen:
            raise ManifestError(f"{where}: duplicate dataset name {name!r}")
        seen.add(name)
        if row["task"] not in TASKS:
            raise ManifestError(f"{where}: task must be one of {TASKS}, got {row['task']!r}")
        if not row["target"]:
            raise ManifestError(f"{where}: empty target for dataset {name!r}")
        counts = {}
        for col in _INT_COLUMNS:
            try:
                counts[col] = int(row[col])
            except ValueError:
                raise ManifestError(f"{where}: {col} must be an integer, got {row[col]!r}") from None
            if counts[col] < 0:
                raise ManifestError(f"{where}: {col} must be >= 0, got {counts[col]}")
        if not (data_dir / f"{name}.csv.gz").is_file():
            raise ManifestError(f"{where}: data file {data_dir / (name + '.csv.gz')} does not exist")
        infos.append(DatasetInfo(name=name, task=row["task"], target=row["target"],
                                 source=row["source"], family=row["family"] or name, **counts))
    return infos

"""The knowledge base as one object: load a build directory or a packed file, query it as tables.

Packed file format (``.json.gz``, gzip'd JSON, no pickle)::

    format            "metaselect-knowledge-base"
    schema_version    SCHEMA_VERSION (checked on load)
    encoding_version  ENCODING_VERSION of the configuration encoding (checked on load)
    versions          python / numpy / pandas / scikit-learn / metaselect of the build
    settings          n_configs, cv, max_rows, time_limit, chunk_size, random_state, scoring
    configs           {task: {config_id: {"family", "params"}}}
    encodings         {task: {"names": [...], "values": {config_id: [...]}}}
    metafeature_names [...]
    datasets          [{name, task, target, n_rows, ..., family, n_rows_original,
                        n_rows_used, folds, metafeature_status, metafeatures: [...]}]
    results           columns dataset, config_id, status, fold_scores, fit_time,
                      predict_time, error (one entry per dataset and configuration)
    notes             free text: how the build was run (optional)
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..portfolio import ENCODING_VERSION, Config, encode_config, encoding_names
from ._configs import config_table
from ._records import (
    RECORD_STATUSES,
    SCHEMA_VERSION,
    CorruptResultError,
    KnowledgeBaseVersionError,
    check_chunk,
    check_meta,
    chunk_ids,
    read_header,
    read_json,
    write_json,
)
from ._versions import library_versions

__all__ = ["SHIPPED_PATH", "KnowledgeBase", "load_knowledge_base"]

logger = logging.getLogger(__name__)

FORMAT = "metaselect-knowledge-base"
#: The knowledge base shipped with the package.
SHIPPED_PATH = Path(__file__).parent / "data" / "knowledge_base.json.gz"
#: Advice for a file that is not a readable packed knowledge base.
PACKED_ADVICE = ("A knowledge base is a packed .json.gz file (written by `metaselect pack-kb` or "
                 "KnowledgeBase.save) or a build directory (written by `metaselect build-kb`); pack a "
                 "damaged file again from its build directory")
RESULT_COLUMNS = ("dataset", "config_id", "status", "fold_scores", "fit_time", "predict_time", "error")
INFO_COLUMNS = ("task", "family", "source", "n_rows_original", "n_rows_used", "n_features", "n_classes")


class KnowledgeBase:
    """Cross-validated results of a fixed configuration set on many datasets.

    Build one with :func:`build_knowledge_base`, then load it with
    :meth:`from_directory` or, packed into one file, :func:`load_knowledge_base`.

    Attributes
    ----------
    schema_version, encoding_version : int
    versions : dict
        Library versions of the build.
    settings : dict
        The build settings (folds, row cap, time limit, seed, scoring).
    config_sets : dict of str to dict of str to Config
        The configurations of each task, by id.
    dataset_names : list of str
    metafeature_names : list of str
        The meta-feature columns of :meth:`metafeatures`.
    notes : str
        How the knowledge base was built (free text).

    Examples
    --------
    >>> from metaselect.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> sorted(kb.results().columns)[:3]
    ['config_id', 'dataset', 'error']
    """

    def __init__(self, payload: dict, source: str = "<memory>") -> None:
        _check_payload(payload, source)
        self._payload = payload
        self.source = source
        self.schema_version = payload["schema_version"]
        self.encoding_version = payload["encoding_version"]
        self.versions = dict(payload["versions"])
        self.settings = dict(payload["settings"])
        self.config_sets = {task: {cid: Config.from_dict(c) for cid, c in configs.items()}
                            for task, configs in payload["configs"].items()}
        self.dataset_names = [d["name"] for d in payload["datasets"]]
        self.metafeature_names = list(payload["metafeature_names"])
        self.notes = str(payload.get("notes", ""))

    def __repr__(self) -> str:
        tasks = {d["task"] for d in self._payload["datasets"]}
        configs = sum(len(c) for task, c in self.config_sets.items() if task in tasks)
        return f"KnowledgeBase({len(self.dataset_names)} datasets, {configs} configurations, source={self.source!r})"

    # -- construction ----------------------------------------------------------
    @classmethod
    def from_directory(cls, path, notes: str = "") -> KnowledgeBase:
        """Collect a build directory; datasets with missing result files are left out (logged).

        ``notes`` (free text, e.g. how the build was run) is kept in the packed file.
        """
        path = Path(path)
        header = read_header(path)
        datasets, results = [], {col: [] for col in RESULT_COLUMNS}
        incomplete = []
        for folder in sorted(p for p in (path / "results").iterdir() if p.is_dir()):
            entry = _collect_dataset(folder, header)
            if entry is None:
                incomplete.append(folder.name)
                continue
            datasets.append(entry[0])
            for col in RESULT_COLUMNS:
                results[col].extend(entry[1][col])
        if incomplete:
            logger.warning("%d dataset(s) of %s are incomplete and left out: %s", len(incomplete),
                           path, ", ".join(incomplete))
        names = {tuple(d.pop("metafeature_names")) for d in datasets}
        if len(names) > 1:
            raise ValueError(f"The datasets of {path} have different meta-feature names (built "
                             "with different metaselect versions?); delete their meta.json.gz files "
                             "and run build-kb again to recompute them.")
        payload = {"format": FORMAT, "schema_version": SCHEMA_VERSION,
                   "encoding_version": header["encoding_version"], "versions": header["versions"],
                   "packed_with": library_versions(), "settings": header["settings"],
                   "configs": header["configs"], "encodings": _encodings(header["configs"]),
                   "metafeature_names": list(next(iter(names), ())), "datasets": datasets,
                   "results": results, "notes": str(notes)}
        return cls(payload, source=str(path))

    @classmethod
    def read(cls, path) -> KnowledgeBase:
        """Load a packed knowledge-base file (see the module docstring)."""
        try:
            payload = read_json(path)
        except CorruptResultError as exc:
            raise CorruptResultError(path, exc.reason, PACKED_ADVICE) from exc
        return cls(payload, source=str(path))

    def with_metafeatures(self, folder, n_jobs=None) -> KnowledgeBase:
        """A copy whose meta-features are recomputed, by this metaselect, from the datasets in ``folder``.

        For a knowledge base packed before the meta-features changed (new ones
        added): the evaluations stay, only the meta-features of every dataset are
        computed again, with the seed of the original build. ``folder`` must hold
        every dataset of the knowledge base, unchanged (their folds are checked).
        Runs through joblib with ``n_jobs``.
        """
        from joblib import Parallel, delayed

        from ._evaluate import describe

        settings = self.settings
        fresh = Parallel(n_jobs=n_jobs)(
            delayed(describe)(str(folder), name, settings["max_rows"], settings["cv"], settings["random_state"],
                              settings.get("repetition", 0))
            for name in self.dataset_names)
        payload = dict(self._payload, datasets=[dict(d) for d in self._payload["datasets"]],
                       packed_with=library_versions())
        (names,) = {tuple(f["metafeature_names"]) for f in fresh}  # one metaselect: one list
        for entry, new in zip(payload["datasets"], fresh, strict=True):
            if new["folds"] != entry["folds"]:
                raise ValueError(f"Dataset {entry['name']!r} of {folder} is not the one this knowledge "
                                 "base was built on (its cross-validation folds differ).")
            entry["metafeature_status"], entry["metafeatures"] = new["metafeature_status"], new["metafeatures"]
        payload["metafeature_names"] = list(names)
        return type(self)(payload, source=f"{self.source} (meta-features from {folder})")

    def merged(self, *others: KnowledgeBase, notes: str | None = None) -> KnowledgeBase:
        """One knowledge base holding the datasets of this one and of ``others``.

        They must agree on what makes results comparable: the build settings (folds,
        row cap, time limit, seed, scoring), the configuration sets, the encoding and
        the meta-feature names; a dataset name may appear once. ``notes``: the merged
        file's notes (default: the notes of every part, in order).
        """
        parts = (self, *others)
        for other in others:
            for key in ("settings", "configs", "encoding_version", "metafeature_names"):
                if other._payload[key] != self._payload[key]:
                    raise ValueError(f"Cannot merge {other.source} into {self.source}: their {key} "
                                     "differ (results built differently are not comparable).")
        names = [n for kb in parts for n in kb.dataset_names]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Cannot merge: dataset name(s) {repeated} appear in more than one part.")
        payload = dict(self._payload, packed_with=library_versions(),
                       datasets=[dict(d) for kb in parts for d in kb._payload["datasets"]],
                       results={col: [v for kb in parts for v in kb._payload["results"][col]]
                                for col in RESULT_COLUMNS},
                       notes=_joined_notes(parts, notes))
        return type(self)(payload, source=" + ".join(kb.source for kb in parts))

    def widened(self, *others: KnowledgeBase, notes: str | None = None) -> KnowledgeBase:
        """One knowledge base holding this one's configurations and those of ``others``, on the
        same datasets (a build with ``build_knowledge_base(..., configs=...)``).

        They must agree on the build settings (but the configuration set's), the encoding and
        the meta-feature names, hold the same datasets with the same folds, and use distinct
        configuration ids. The datasets' meta-features are this one's. ``notes``: the widened
        file's notes (default: the notes of every part, in order).
        """
        def comparable(settings):
            return {k: v for k, v in settings.items() if k not in ("n_configs", "configs")}

        parts = (self, *others)
        folds = {d["name"]: d["folds"] for d in self._payload["datasets"]}
        configs = {task: dict(c) for task, c in self._payload["configs"].items()}
        for other in others:
            for key in ("encoding_version", "metafeature_names"):
                if other._payload[key] != self._payload[key]:
                    raise ValueError(f"Cannot widen {self.source} with {other.source}: their {key} differ.")
            if comparable(other.settings) != comparable(self.settings):
                raise ValueError(f"Cannot widen {self.source} with {other.source}: their settings differ "
                                 "(results built differently are not comparable).")
            theirs = {d["name"]: d["folds"] for d in other._payload["datasets"]}
            if theirs != folds:
                missing = sorted(set(folds).symmetric_difference(theirs))
                raise ValueError(f"Cannot widen {self.source} with {other.source}: they must hold the same "
                                 "datasets with the same folds; "
                                 + (f"only one holds {missing[:5]}." if missing else "the folds differ."))
            for task, by_id in other._payload["configs"].items():
                repeated = sorted(set(by_id) & set(configs.get(task, {})))
                if repeated:
                    raise ValueError(f"Cannot widen: {task} configuration id(s) {repeated[:5]} appear in "
                                     "more than one part.")
                configs.setdefault(task, {}).update(by_id)
        payload = dict(self._payload, packed_with=library_versions(), configs=configs,
                       encodings=_encodings(configs),
                       results={col: [v for kb in parts for v in kb._payload["results"][col]]
                                for col in RESULT_COLUMNS},
                       notes=_joined_notes(parts, notes))
        return type(self)(payload, source=" + ".join(kb.source for kb in parts))

    def pooled(self, *repetitions: KnowledgeBase, notes: str | None = None) -> KnowledgeBase:
        """This knowledge base with the folds of other repetitions of its cross-validation pooled in.

        ``repetitions`` are builds with the same settings but ``repetition`` (the same rows,
        configurations and models, other folds: ``build_knowledge_base(..., repetition=1)``) on
        the same datasets. Each result's ``fold_scores`` become every repetition's folds in
        turn, so its mean score is the mean over all of them: less fold noise in what a
        meta-model learns from. A result is ``ok`` when it is in every repetition (else the
        first other status, with its error); its times are the repetitions' mean. The settings
        gain ``repetitions`` (the repetitions pooled, in order); the meta-features are this one's.
        """
        def comparable(settings):
            return {k: v for k, v in settings.items() if k not in ("repetition", "repetitions")}

        parts = (self, *repetitions)
        order = [kb.settings.get("repetition", 0) for kb in parts]
        if len(set(order)) < len(order) or "repetitions" in self.settings:
            raise ValueError(f"Cannot pool: the repetitions must differ and not be pooled already; got {order}.")
        names = sorted(self.dataset_names)
        for other in repetitions:
            for key in ("configs", "encoding_version", "metafeature_names"):
                if other._payload[key] != self._payload[key]:
                    raise ValueError(f"Cannot pool {other.source} into {self.source}: their {key} differ.")
            if comparable(other.settings) != comparable(self.settings):
                raise ValueError(f"Cannot pool {other.source} into {self.source}: their settings differ "
                                 "beyond the repetition.")
            if sorted(other.dataset_names) != names:
                missing = sorted(set(names).symmetric_difference(other.dataset_names))
                raise ValueError(f"Cannot pool {other.source} into {self.source}: only one holds {missing[:5]}.")
        index = parts[0].results().set_index(["dataset", "config_id"]).index

        def column(name):  # (results, repetitions), in the first one's order
            return pd.concat([kb.results().set_index(["dataset", "config_id"])[name] for kb in parts],
                             axis=1).reindex(index)

        statuses, errors = column("status").to_numpy(), column("error").to_numpy()
        first_not_ok = np.arange(len(index)), (statuses != "ok").argmax(axis=1)  # column 0 when all ok
        results = {"dataset": list(index.get_level_values(0)), "config_id": list(index.get_level_values(1)),
                   "status": list(statuses[first_not_ok]),
                   "fold_scores": [sum(map(list, row), []) for row in column("fold_scores").to_numpy()],
                   "error": list(errors[first_not_ok])}
        for col in ("fit_time", "predict_time"):
            results[col] = [None if np.isnan(v) else float(v) for v in column(col).mean(axis=1)]
        payload = dict(self._payload, packed_with=library_versions(),
                       settings={**self.settings, "repetitions": order}, results=results,
                       notes=_joined_notes(parts, notes))
        return type(self)(payload, source=" + ".join(kb.source for kb in parts))

    def save(self, path) -> None:
        """Write the packed file (gzip'd JSON when ``path`` ends in ``.gz``), atomically."""
        write_json(path, self._payload)

    # -- tables ----------------------------------------------------------------
    def results(self, task: str | None = None) -> pd.DataFrame:
        """One row per (dataset, configuration).

        Columns: ``task``, ``dataset``, ``config_id``, ``family`` (algorithm),
        ``status`` (ok / failed / timeout), ``mean_score`` (NaN unless ok),
        ``fold_scores`` (list; a timeout keeps the folds finished in time),
        ``fit_time`` and ``predict_time`` (mean seconds per fold) and ``error``.
        """
        res = self._payload["results"]
        frame = pd.DataFrame({col: res[col] for col in RESULT_COLUMNS})
        tasks = {d["name"]: d["task"] for d in self._payload["datasets"]}
        frame.insert(0, "task", frame["dataset"].map(tasks))
        frame.insert(3, "family", frame["config_id"].str.split(":").str[0])
        ok = frame["status"] == "ok"
        frame.insert(5, "mean_score", [float(np.mean(s)) if good and s else np.nan
                                       for s, good in zip(frame["fold_scores"], ok, strict=True)])
        for col in ("fit_time", "predict_time"):
            frame[col] = pd.to_numeric(frame[col]).astype(float)
        return frame if task is None else frame[frame["task"] == task].reset_index(drop=True)

    def datasets(self, task: str | None = None) -> pd.DataFrame:
        """Dataset info indexed by name: task, family, source, original and used rows, ..."""
        frame = pd.DataFrame([{k: v for k, v in d.items() if k != "metafeatures"}
                              for d in self._payload["datasets"]]).set_index("name")
        return frame if task is None else frame[frame["task"] == task]

    def metafeatures(self, task: str | None = None) -> pd.DataFrame:
        """Meta-features per dataset (index: name), after the info columns ``INFO_COLUMNS``."""
        names = self._payload["metafeature_names"]
        rows = {d["name"]: [np.nan if v is None else v for v in d["metafeatures"]]
                for d in self._payload["datasets"]}
        values = pd.DataFrame.from_dict(rows, orient="index", columns=names, dtype=float)
        frame = pd.concat([self.datasets()[list(INFO_COLUMNS)], values], axis=1)
        frame.index.name = "dataset"
        return frame if task is None else frame[frame["task"] == task]

    def configs(self, task: str) -> pd.DataFrame:
        """The configuration table of ``task``: id, family, params (JSON) and encoding slots."""
        return config_table(task, self.config_sets[task])

    def score_matrix(self, task: str) -> pd.DataFrame:
        """Mean scores as a datasets x configurations table (NaN where not ok)."""
        res = self.results(task)
        matrix = res.pivot(index="dataset", columns="config_id", values="mean_score")
        return matrix.reindex(columns=list(self.config_sets[task]))


def load_knowledge_base(path=None) -> KnowledgeBase:
    """Load a knowledge base: the shipped one (no argument), a packed file or a build directory.

    Raises
    ------
    KnowledgeBaseVersionError
        If it was written with another schema or configuration-encoding version.
    CorruptResultError
        If a file cannot be read or breaks the schema (the message names it).
    """
    path = SHIPPED_PATH if path is None else Path(path)
    if path.is_dir():
        return KnowledgeBase.from_directory(path)
    if not path.exists():
        raise FileNotFoundError(f"No knowledge base at {path}")
    return KnowledgeBase.read(path)


def _collect_dataset(folder: Path, header: dict):
    meta_path = folder / "meta.json.gz"
    if not meta_path.exists():
        return None
    meta = check_meta(read_json(meta_path), meta_path, folder.name)
    task = meta["info"]["task"]
    ids = list(header["configs"][task])
    results = {col: [] for col in RESULT_COLUMNS}
    for k, chunk in enumerate(chunk_ids(ids, header["settings"]["chunk_size"])):
        path = folder / f"chunk_{k:03d}.json.gz"
        if not path.exists():
            return None
        for record in check_chunk(read_json(path), path, folder.name, chunk, meta["folds"])["records"]:
            results["dataset"].append(folder.name)
            for col in RESULT_COLUMNS[1:]:
                results[col].append(record[col])
    entry = {"name": folder.name, **{k: v for k, v in meta["info"].items() if k != "name"},
             "n_rows_original": meta["n_rows_original"], "n_rows_used": meta["n_rows_used"],
             "folds": meta["folds"], "metafeature_status": meta["metafeature_status"],
             "metafeature_names": meta["metafeature_names"], "metafeatures": meta["metafeatures"]}
    return entry, results


def _joined_notes(parts, notes: str | None) -> str:
    """``notes``, or (``None``) every part's notes in order."""
    return "\n\n".join(kb.notes for kb in parts if kb.notes) if notes is None else notes


def _encodings(configs: dict) -> dict:
    return {task: {"names": encoding_names(task),
                   "values": {cid: [round(float(v), 6) for v in encode_config(Config.from_dict(c), task)]
                              for cid, c in cfgs.items()}}
            for task, cfgs in configs.items()}


def _check_payload(payload: dict, source: str) -> None:
    if payload.get("format") != FORMAT:
        raise CorruptResultError(source, f"not a packed knowledge base (format {payload.get('format')!r})",
                                 PACKED_ADVICE)
    if payload.get("schema_version") != SCHEMA_VERSION:
        raise KnowledgeBaseVersionError(
            f"{source} has knowledge-base schema version {payload.get('schema_version')!r}; this "
            f"metaselect reads version {SCHEMA_VERSION}.")
    if payload.get("encoding_version") != ENCODING_VERSION:
        raise KnowledgeBaseVersionError(
            f"{source} uses configuration encoding version {payload.get('encoding_version')!r}; "
            f"this metaselect uses {ENCODING_VERSION}. Rebuild the knowledge base.")
    missing = [k for k in ("versions", "settings", "configs", "encodings", "metafeature_names",
                           "datasets", "results") if k not in payload]
    if missing:
        raise CorruptResultError(source, f"missing field(s) {missing}")
    res = payload["results"]
    if sorted(res) != sorted(RESULT_COLUMNS) or len({len(res[c]) for c in RESULT_COLUMNS}) != 1:
        raise CorruptResultError(source, f"results must be columns {list(RESULT_COLUMNS)} of one length")
    tasks = {d["name"]: d["task"] for d in payload["datasets"]}
    if len(tasks) != len(payload["datasets"]):
        raise CorruptResultError(source, "duplicate dataset names")
    bad = [s for s in set(res["status"]) if s not in RECORD_STATUSES]
    if bad:
        raise CorruptResultError(source, f"unknown status(es) {bad}")
    pairs = set()
    for name, cid in zip(res["dataset"], res["config_id"], strict=True):
        if name not in tasks or cid not in payload["configs"][tasks[name]]:
            raise CorruptResultError(source, f"result for unknown dataset/configuration {name}/{cid}")
        pairs.add((name, cid))
    if len(pairs) != len(res["dataset"]):
        raise CorruptResultError(source, "duplicate (dataset, config_id) records")

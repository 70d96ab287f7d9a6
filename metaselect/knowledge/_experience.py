"""Experience: what ``MetaSelector(knowledge_base=FOLDER)`` remembers from each fit.

Each fit writes one JSON record into ``FOLDER`` (atomically; the same data
fitted again replaces its record): the dataset's meta-features and every
configuration the search ran on the most rows, with its cross-validated score
and fit time. :func:`experience_tables` turns such a folder, or a knowledge
base built with ``metaselect build-kb``, into training tables for fine-tuning
the meta-model.

A record is written to a temporary file whose name does not end in ``.json``,
then moved into place; readers skip temporary files, and each writer removes
those of writers that are gone (see ``_records.remove_stale_temporaries``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import joblib
import numpy as np

from ..portfolio import ENCODING_VERSION, FAMILY_ORDER, Config, encode_config
from ._records import TMP_MARKER, remove_stale_temporaries, temporary_path

__all__ = ["EXPERIENCE_SCHEMA_VERSION", "experience_tables", "read_experience", "write_experience"]

logger = logging.getLogger(__name__)

EXPERIENCE_SCHEMA_VERSION = 1
KIND = "metaselect-experience"


def write_experience(folder, X, y, task: str, meta_features, trials) -> Path:
    """Record one fit: meta-features and the trials on the most rows (built-in families only)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ok = [t for t in trials if t.status == "ok"]
    top = max((t.n_samples for t in ok), default=0)
    kept = [t for t in trials if t.config.family in FAMILY_ORDER[task]
            and (t.n_samples == top or t.status in ("failed", "timeout"))]
    digest = joblib.hash((X, y))
    record = {
        "kind": KIND,
        "schema_version": EXPERIENCE_SCHEMA_VERSION,
        "encoding_version": ENCODING_VERSION,
        "dataset": f"{task}-{digest[:16]}",
        "task": task,
        "n_rows": int(len(y)),
        "meta_names": list(meta_features.index),
        "meta_features": [float(v) for v in meta_features.to_numpy()],
        "trials": [
            {"config": t.config.to_dict(), "status": t.status,
             "mean_score": None if not np.isfinite(t.mean_score) else t.mean_score,
             "fit_time": None if not np.isfinite(t.fit_time) else t.fit_time, "n_samples": t.n_samples}
            for t in kept
        ],
    }
    path = folder / f"{record['dataset']}.json"
    remove_stale_temporaries(folder)
    tmp = temporary_path(path)
    try:
        tmp.write_text(json.dumps(record))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_experience(folder) -> list[dict]:
    """Every valid record of an experience folder (a broken one is reported and skipped).

    Temporary files of writers (``*.tmp-*``, and ``.tmp-*.json`` of older versions) are not records.
    """
    records = []
    for path in sorted(Path(folder).glob("*.json")):
        if TMP_MARKER in path.name:
            continue
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            logger.warning("Skipping unreadable experience record %s: %s", path, exc)
            continue
        if record.get("kind") != KIND or record.get("schema_version") != EXPERIENCE_SCHEMA_VERSION:
            raise ValueError(f"{path} is not a metaselect experience record of schema "
                             f"version {EXPERIENCE_SCHEMA_VERSION}.")
        if record.get("encoding_version") != ENCODING_VERSION:
            raise ValueError(f"{path} uses configuration encoding {record.get('encoding_version')}, "
                             f"this metaselect uses {ENCODING_VERSION}.")
        records.append(record)
    return records


def experience_tables(path) -> dict:
    """``{task: MetaTable}`` from an experience folder or a knowledge base."""
    from ..metamodel import MetaTable, table_from_knowledge_base
    from ._kb import load_knowledge_base

    path = Path(path)
    if path.is_file() or (path / "kb.json").exists():
        kb = load_knowledge_base(path)
        tasks = sorted(set(kb.datasets()["task"]))
        return {task: table_from_knowledge_base(kb, task) for task in tasks}
    tables = {}
    for task in ("classification", "regression"):
        records = [r for r in read_experience(path) if r["task"] == task and r["trials"]]
        if not records:
            continue
        configs = sorted({Config.from_dict(t["config"]) for r in records for t in r["trials"]},
                         key=lambda c: c._key)
        index = {c: j for j, c in enumerate(configs)}
        names = records[0]["meta_names"]
        scores = np.full((len(records), len(configs)), np.nan)
        times = np.full_like(scores, np.nan)
        evaluated = np.zeros(scores.shape, dtype=bool)
        meta = np.zeros((len(records), len(names)))
        for i, r in enumerate(records):
            values = dict(zip(r["meta_names"], r["meta_features"], strict=True))
            meta[i] = [values.get(n, 0.0) for n in names]
            for t in r["trials"]:
                j = index[Config.from_dict(t["config"])]
                evaluated[i, j] = True
                if t["status"] == "ok" and t["mean_score"] is not None:
                    scores[i, j] = t["mean_score"]
                    times[i, j] = np.log1p(t["fit_time"]) if t["fit_time"] is not None else np.nan
        encodings = np.array([encode_config(c, task) for c in configs])
        datasets = [r["dataset"] for r in records]
        tables[task] = MetaTable(task, datasets, datasets, meta, names, [c._key for c in configs],
                                 encodings, scores, times, evaluated)
    return tables

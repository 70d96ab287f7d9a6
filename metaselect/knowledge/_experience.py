"""Experience: what ``MetaSelector(knowledge_base=FOLDER)`` remembers from each fit.

Each fit writes one JSON record into ``FOLDER`` (atomically; the same data
fitted again replaces its record): the dataset's meta-features, every
configuration the search ran on the most rows with its cross-validated score
and fit time (at most :data:`MAX_TRIALS`, the best first), and the validation
used (scoring and cross-validation). Two consumers read it:
:func:`metaselect.metamodel.learn_from_experience` (numpy, at the start of each
fit: a portfolio and transfer rows from the folder) and
:func:`metaselect.metamodel.experience_tables`, which turns such a folder, or a
knowledge base built with ``metaselect build-kb``, into training tables for
fine-tuning the network. This module only writes and reads records: it imports
nothing of the meta-model.

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

from .._tasks import SCORING
from ..portfolio import ENCODING_VERSION, FAMILY_ORDER
from ._records import TMP_MARKER, remove_stale_temporaries, temporary_path

__all__ = ["EXPERIENCE_SCHEMA_VERSION", "read_experience", "reset_experience", "write_experience"]

logger = logging.getLogger(__name__)

#: Version 2 added ``scoring`` and ``cv`` (the validation used); version 1 records are read as
#: scored with the knowledge base's metric.
EXPERIENCE_SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
KIND = "metaselect-experience"
#: Trials kept per record (the best first; failures and time-outs after): a record stays under
#: about 100 kB however long the search ran.
MAX_TRIALS = 300


def write_experience(folder, X, y, task: str, meta_features, trials, *, scoring: str = "",
                     cv: str = "") -> Path:
    """Record one fit: meta-features, the trials on the most rows (built-in families only) and
    the validation (``scoring``: the scorer's name, ``cv``: a description of the splits)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ok = [t for t in trials if t.status == "ok"]
    top = max((t.n_samples for t in ok), default=0)
    kept = [t for t in trials if t.config.family in FAMILY_ORDER[task]
            and (t.n_samples == top or t.status in ("failed", "timeout"))]
    kept.sort(key=lambda t: -t.mean_score if t.status == "ok" and np.isfinite(t.mean_score) else np.inf)
    kept = kept[:MAX_TRIALS]
    digest = joblib.hash((X, y))
    record = {
        "kind": KIND,
        "schema_version": EXPERIENCE_SCHEMA_VERSION,
        "encoding_version": ENCODING_VERSION,
        "dataset": f"{task}-{digest[:16]}",
        "task": task,
        "n_rows": int(len(y)),
        "scoring": str(scoring),
        "cv": str(cv),
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
    """Every valid record of an experience folder, oldest file name first.

    A broken record, or one of a schema or encoding this version does not read, is reported
    (a warning) and skipped; other JSON files and writers' temporaries (``*.tmp-*``, and
    ``.tmp-*.json`` of older versions) are not records.
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
        if not isinstance(record, dict) or record.get("kind") != KIND:
            continue  # another file in the folder: not ours
        if record.get("schema_version") not in READABLE_VERSIONS:
            logger.warning("Skipping %s: experience schema version %s; this metaselect reads %s.", path,
                           record.get("schema_version"), " or ".join(map(str, READABLE_VERSIONS)))
            continue
        if record.get("encoding_version") != ENCODING_VERSION:
            logger.warning("Skipping %s: configuration encoding %s; this metaselect uses %s.", path,
                           record.get("encoding_version"), ENCODING_VERSION)
            continue
        record.setdefault("scoring", SCORING[record.get("task")] if record.get("task") in SCORING else "")
        record["path"] = str(path)
        records.append(record)
    return records


def reset_experience(folder) -> int:
    """Forget what ``folder`` taught: remove its records; returns how many.

    Only experience records are removed (and temporaries of writers that are gone);
    anything else in the folder stays, and a fit writing at the same time keeps its record.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.glob("*.json")):
        if TMP_MARKER in path.name:
            continue
        try:
            is_record = json.loads(path.read_text()).get("kind") == KIND
        except (OSError, json.JSONDecodeError, AttributeError):
            continue
        if is_record:
            path.unlink(missing_ok=True)
            removed += 1
    remove_stale_temporaries(folder)
    return removed

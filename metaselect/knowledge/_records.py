"""Records of a knowledge-base build: plain, validated data and its atomic storage.

A build directory holds ``kb.json`` (settings and configuration set) and, per
dataset, ``results/<dataset>/meta.json.gz`` (dataset info and meta-features)
and ``results/<dataset>/chunk_<k>.json.gz`` (one record per configuration of
chunk ``k``). Every file carries :data:`SCHEMA_VERSION` and is written to a
temporary file first, then moved into place with :func:`os.replace`, so an
interrupted build never leaves a half-written result behind.

:func:`read_header` and :func:`chunk_ids` are that layout's readers: the builder
writes it and :mod:`._kb` reads it, and both take it from here.

Temporary files are named ``<file>.tmp-<host>_<pid>_<random>``: unique per
writer, so builds running at once on one directory never collide, and
:func:`remove_stale_temporaries` deletes only those of writers that are gone
(a dead process of this host, or older than :data:`STALE_AFTER` seconds).
Readers never look at them.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import re
import socket
import time
import uuid
import zlib
from pathlib import Path

from ..portfolio import ENCODING_VERSION

#: The header file of a build directory (settings and configuration set).
HEADER = "kb.json"

__all__ = [
    "HEADER",
    "RECORD_STATUSES",
    "SCHEMA_VERSION",
    "CorruptResultError",
    "KnowledgeBaseVersionError",
    "check_chunk",
    "check_meta",
    "read_json",
    "remove_stale_temporaries",
    "temporary_path",
    "write_json",
]

logger = logging.getLogger(__name__)

#: Version of every knowledge-base file layout; bumped on any incompatible change.
SCHEMA_VERSION = 1
#: Status of one configuration on one dataset.
RECORD_STATUSES = ("ok", "failed", "timeout")
TMP_MARKER = ".tmp-"
#: A temporary file older than this (seconds) belongs to a writer that is gone, wherever it ran:
#: writing one result file takes well under a second.
STALE_AFTER = 3600.0
#: Advice for a corrupted file of a build directory.
REBUILD_ADVICE = ("Run the same build-kb command again: it sets the file aside (renamed with a "
                  "'.corrupt' suffix) and recomputes it")

_RECORD_KEYS = {"config_id": str, "status": str, "fold_scores": list, "fit_time": (float, int, type(None)),
                "predict_time": (float, int, type(None)), "duration": (float, int), "error": str}
_META_KEYS = {"dataset": str, "info": dict, "n_rows_original": int, "n_rows_used": int, "folds": str,
              "metafeature_status": str, "metafeature_names": list, "metafeatures": list}
_CHUNK_KEYS = {"dataset": str, "task": str, "folds": str, "config_ids": list,
               "records": list}


class CorruptResultError(ValueError):
    """A knowledge-base file cannot be read or does not follow the schema."""

    def __init__(self, path, reason: str, advice: str = REBUILD_ADVICE) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"Knowledge-base file {self.path} is unreadable or corrupted: {reason}. {advice}.")


class KnowledgeBaseVersionError(ValueError):
    """A knowledge base was written with another schema or encoding version."""


def write_json(path, payload: dict) -> None:
    """Write ``payload`` as (gzip'd if the name ends in ``.gz``) JSON, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    data = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    try:
        with open(tmp, "wb") as fh:
            fh.write(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"


def temporary_path(path) -> Path:
    """A temporary name next to ``path``, unique to this process and call."""
    path = Path(path)
    return path.with_name(f"{path.name}{TMP_MARKER}{_host()}_{os.getpid()}_{uuid.uuid4().hex[:12]}")


def _writer_gone(tmp: Path, now: float) -> bool:
    """Whether the process that wrote ``tmp`` is gone (see the module docstring)."""
    try:
        if now - tmp.stat().st_mtime > STALE_AFTER:
            return True
    except FileNotFoundError:  # its writer just finished
        return False
    match = re.fullmatch(r"([A-Za-z0-9-]+)_(\d+)_[0-9a-f]+", tmp.name.rsplit(TMP_MARKER, 1)[1])
    if match is None or match[1] != _host() or os.name != "posix":
        return False  # another host, or no way to ask: wait until it is old
    try:
        os.kill(int(match[2]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def remove_stale_temporaries(directory, pattern: str = "*") -> list[Path]:
    """Delete the temporary files in ``directory`` (matching ``pattern``) whose writer is gone.

    A live writer's file (this host's running process, or recent from another host)
    is left alone. Returns the deleted paths.
    """
    now, removed = time.time(), []
    for tmp in Path(directory).glob(f"{pattern}{TMP_MARKER}*"):
        if _writer_gone(tmp, now):
            logger.info("Removing the unfinished file %s of a writer that is gone.", tmp)
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def read_json(path) -> dict:
    """Read a file written by :func:`write_json`; raises :class:`CorruptResultError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        payload = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise CorruptResultError(path, f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(payload, dict):
        raise CorruptResultError(path, "the top level is not a JSON object")
    return payload


def check_schema(payload: dict, path) -> None:
    """Raise unless ``payload`` carries this library's :data:`SCHEMA_VERSION`."""
    version = payload.get("schema_version")
    if version != SCHEMA_VERSION:
        raise KnowledgeBaseVersionError(
            f"{path} has knowledge-base schema version {version!r}; this metaselect reads "
            f"version {SCHEMA_VERSION}. Rebuild it with this version of metaselect."
        )


def _check_keys(payload: dict, keys: dict, path, what: str) -> None:
    for key, kind in keys.items():
        if key not in payload:
            raise CorruptResultError(path, f"{what} lacks {key!r}")
        if not isinstance(payload[key], kind) or isinstance(payload[key], bool):
            raise CorruptResultError(path, f"{what} field {key!r} has type {type(payload[key]).__name__}")


def check_meta(payload: dict, path, dataset: str) -> dict:
    """Validate a dataset's ``meta.json.gz`` payload; returns it."""
    check_schema(payload, path)
    _check_keys(payload, _META_KEYS, path, "meta record")
    if payload["dataset"] != dataset:
        raise CorruptResultError(path, f"it describes dataset {payload['dataset']!r}, not {dataset!r}")
    if len(payload["metafeatures"]) != len(payload["metafeature_names"]):
        raise CorruptResultError(path, "meta-feature names and values differ in length")
    return payload


def check_chunk(payload: dict, path, dataset: str, config_ids: list[str], folds: str | None) -> dict:
    """Validate a chunk payload against the expected configurations and folds; returns it."""
    check_schema(payload, path)
    _check_keys(payload, _CHUNK_KEYS, path, "chunk")
    if payload["dataset"] != dataset:
        raise CorruptResultError(path, f"it holds dataset {payload['dataset']!r}, not {dataset!r}")
    if payload["config_ids"] != config_ids:
        raise CorruptResultError(path, "its configurations differ from the knowledge base's set")
    if folds is not None and payload["folds"] != folds:
        raise CorruptResultError(path, "its cross-validation folds differ from the dataset's")
    records = payload["records"]
    if [r.get("config_id") if isinstance(r, dict) else None for r in records] != config_ids:
        raise CorruptResultError(path, "its records do not match its configuration ids")
    for record in records:
        _check_keys(record, _RECORD_KEYS, path, "record")
        if record["status"] not in RECORD_STATUSES:
            raise CorruptResultError(path, f"unknown status {record['status']!r}")
        if not all(isinstance(s, float | int) and math.isfinite(s) for s in record["fold_scores"]):
            raise CorruptResultError(path, "fold scores must be finite numbers")
    return payload


def chunk_ids(config_ids: list[str], chunk_size: int) -> list[list[str]]:
    return [config_ids[i : i + chunk_size] for i in range(0, len(config_ids), chunk_size)]


def read_header(out) -> dict:
    """Read and check the ``kb.json`` header of a build directory."""
    path = Path(out) / HEADER
    if not path.is_file():
        raise FileNotFoundError(f"{out} is not a knowledge-base build directory: it has no {HEADER} "
                                "(written by `metaselect build-kb`).")
    header = read_json(path)
    check_schema(header, path)
    if header.get("encoding_version") != ENCODING_VERSION:
        raise KnowledgeBaseVersionError(
            f"{path} uses configuration encoding version {header.get('encoding_version')!r}; this "
            f"metaselect uses {ENCODING_VERSION}. Rebuild the knowledge base.")
    return header

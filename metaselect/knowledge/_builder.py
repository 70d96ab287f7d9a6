"""Build a knowledge base: every configuration of a fixed set on every dataset of a folder.

The build is a list of independent work units (per dataset: its meta-features,
and one unit per chunk of configurations) run through joblib, so it scales with
cores and works with any joblib backend. Each finished unit is written at once,
atomically, into the build directory; running the same build again skips what
is there, so an interrupted build resumes without losing finished results, and
a build on another folder adds its datasets.

Faults: a result file that cannot be read (truncated, garbled) is renamed
``<file>.corrupt`` with a warning and its unit run again, so nothing readable
is lost and the build completes; builds running at once on one directory
(``--reverse``) each write under their own temporary names and only remove
those of writers that are gone (see ``_records``); a killed build is resumed
by running it again.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from joblib import Parallel, delayed, effective_n_jobs

from .._tasks import SCORING
from ..datasets import DatasetFolder
from ..portfolio import ENCODING_VERSION, Config, encode_config
from ._configs import DEFAULT_N_CONFIGS, config_set
from ._evaluate import describe, evaluate_chunk
from ._records import (
    HEADER,
    SCHEMA_VERSION,
    CorruptResultError,
    check_chunk,
    check_meta,
    chunk_ids,
    read_header,
    read_json,
    remove_stale_temporaries,
    write_json,
)
from ._versions import library_versions

__all__ = ["build_knowledge_base", "build_settings"]

logger = logging.getLogger(__name__)

#: Default row cap: larger datasets are subsampled (stratified) to about this many rows.
DEFAULT_MAX_ROWS = 1000
#: Default seconds allowed to one configuration's whole cross-validation on one dataset.
DEFAULT_TIME_LIMIT = 10.0
DEFAULT_CV = 3
DEFAULT_CHUNK_SIZE = 8


def build_settings(n_configs=DEFAULT_N_CONFIGS, cv=DEFAULT_CV, max_rows=DEFAULT_MAX_ROWS,
                  time_limit=DEFAULT_TIME_LIMIT, chunk_size=DEFAULT_CHUNK_SIZE, random_state=0,
                  repetition=0) -> dict:
    """The settings that define a build (validated); two builds merge only if they agree.
    ``repetition`` is recorded only when it is not 0 (builds before it existed agree)."""
    checks = {"n_configs": (n_configs, 1), "cv": (cv, 2), "max_rows": (max_rows, 20),
              "chunk_size": (chunk_size, 1), "random_state": (random_state, 0), "repetition": (repetition, 0)}
    for name, (value, low) in checks.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"The {name!r} parameter of build_knowledge_base must be an int in the "
                             f"range [{low}, inf). Got {value!r} instead.")
    if not isinstance(time_limit, int | float) or not time_limit > 0:
        raise ValueError(f"The 'time_limit' parameter of build_knowledge_base must be a positive "
                         f"number. Got {time_limit!r} instead.")
    settings = {"n_configs": n_configs, "cv": cv, "max_rows": max_rows, "time_limit": float(time_limit),
                "chunk_size": chunk_size, "random_state": random_state, "scoring": dict(SCORING)}
    return {**settings, "repetition": repetition} if repetition else settings


def _open_build(out: Path, settings: dict, configs=None) -> dict:
    """Create the build directory's header, or check that an existing one agrees."""
    if configs is None:
        configs = {task: config_set(task, settings["n_configs"], settings["random_state"]) for task in SCORING}
    configs = {task: {cid: c.to_dict() for cid, c in configs.get(task, {}).items()} for task in SCORING}
    if (out / HEADER).exists():
        header = read_header(out)
        if header["settings"] != settings:
            raise ValueError(
                f"The knowledge base in {out} was built with settings {header['settings']}; this "
                f"build asks for {settings}. Use the same settings to resume or extend it, or "
                "another --out directory.")
        if header["configs"] != configs:
            given = "the one given" if settings.get("configs") == "given" else "the one these settings give"
            raise ValueError(f"The configuration set of {out} differs from {given} (another metaselect "
                             "version?); use another --out directory.")
        return header
    header = {"schema_version": SCHEMA_VERSION, "encoding_version": ENCODING_VERSION,
              "versions": library_versions(), "settings": settings, "configs": configs}
    write_json(out / HEADER, header)
    return header


def result_dir(out, name: str) -> Path:
    """``out/results/<name>``; ``name`` must be one plain path component (not ``..``, no separator)."""
    if not name or name.startswith(".") or Path(name).name != name or Path(name).is_absolute():
        raise ValueError(f"Invalid dataset name {name!r}: a dataset's results must stay in its own "
                         f"folder under {Path(out) / 'results'}.")
    return Path(out) / "results" / name


def _remove_stale_temporaries(out: Path) -> None:
    remove_stale_temporaries(out)  # the header's
    for folder in (out / "results").glob("*"):
        if folder.is_dir():
            remove_stale_temporaries(folder)


def _checked(path: Path, check, *args):
    """``check(read_json(path), path, *args)``, or ``None`` if ``path`` is missing or corrupted.

    A corrupted file is set aside as ``<file>.corrupt`` (nothing is deleted), with a warning;
    one that another build set aside meanwhile counts as missing.
    """
    try:
        return check(read_json(path), path, *args)
    except FileNotFoundError:
        return None
    except CorruptResultError as exc:
        aside = path.with_name(f"{path.name}.corrupt")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            return None
        logger.warning("Knowledge-base file %s is unreadable or corrupted (%s); set aside as %s, and "
                       "its unit runs again.", path, exc.reason, aside)
        return None


def _pending_units(folder: DatasetFolder, out: Path, header: dict, datasets) -> list[tuple]:
    """The work units without a valid result file (existing files are validated)."""
    settings = header["settings"]
    units = []
    for name in datasets:
        info = folder[name]
        ids = list(header["configs"][info.task])
        meta_path = result_dir(out, name) / "meta.json.gz"
        meta = _checked(meta_path, check_meta, name)
        if meta is None:
            units.append((name, "meta", None))
        elif meta["info"] != info.to_dict():
            raise ValueError(f"{out} already holds a different dataset named {name!r} "
                             f"({meta['info']} vs {info.to_dict()}); rename one of them.")
        folds = None if meta is None else meta["folds"]
        for k, chunk in enumerate(chunk_ids(ids, settings["chunk_size"])):
            path = result_dir(out, name) / f"chunk_{k:03d}.json.gz"
            if _checked(path, check_chunk, name, chunk, folds) is None:
                units.append((name, k, chunk))
    return units


def build_knowledge_base(folder, out, *, n_configs: int = DEFAULT_N_CONFIGS, cv: int = DEFAULT_CV,
                         max_rows: int = DEFAULT_MAX_ROWS, time_limit: float = DEFAULT_TIME_LIMIT,
                         chunk_size: int = DEFAULT_CHUNK_SIZE, n_jobs=None, random_state: int = 0,
                         repetition: int = 0, configs=None, datasets=None, progress: bool = True,
                         callback: Callable[[dict], None] | None = None) -> dict:
    """Evaluate the configuration set on every dataset of ``folder``; results go to ``out``.

    Parameters
    ----------
    folder : str or path-like
        A dataset folder (see :class:`metaselect.datasets.DatasetFolder`).
    out : str or path-like
        The build directory; created if missing. An existing one is resumed
        (finished results are kept) or extended with the folder's new datasets.
    n_configs : int, default=100
        Minimum number of configurations per task (see :func:`config_set`).
    cv : int, default=3
        Cross-validation folds (stratified for classification), the same for
        every configuration of a dataset.
    max_rows : int, default=1000
        Row cap: larger datasets are subsampled, stratified by class for
        classification; the original size is recorded.
    time_limit : float, default=10.0
        Seconds for one configuration's cross-validation; past it the record
        has status ``"timeout"`` and keeps the folds finished in time.
    chunk_size : int, default=8
        Configurations per work unit (and per result file).
    n_jobs : int or None, default=None
        Parallel work units (joblib; ``-1`` means all cores). The active joblib
        backend is used, so ``with joblib.parallel_config("dask"):`` works.
    random_state : int, default=0
        Seed of the configuration set, the subsamples, the folds and the models.
    repetition : int, default=0
        Another repetition of the cross-validation: the same rows, configurations
        and models, other folds (``1``, ``2``, ...). A repetition is its own build
        (in its own ``out``); averaging it with the first lowers the fold noise of
        every score.
    configs : dict, default=None
        The configurations to evaluate, ``{task: {config_id: Config}}`` (a task
        left out gets none), in place of :func:`config_set`'s; ``n_configs`` is
        then not used. For more configurations on datasets already built: the
        two builds join with :meth:`KnowledgeBase.widened`. A resumed build must
        be given the same ones.
    datasets : list of str, default=None
        Only these datasets of the folder (default: all).
    progress : bool, default=True
        Show a tqdm progress bar with an ETA.
    callback : callable, default=None
        Called with a summary dict after each unit is written (tests use it
        to interrupt a build).

    Returns
    -------
    dict
        Counts of this run: ``units``, ``skipped`` (already done), ``records``
        and ``statuses`` (``Counter`` of record statuses), plus ``wall_time``.

    Examples
    --------
    >>> build_knowledge_base("corpus/", "kb/", n_jobs=-1)  # doctest: +SKIP
    """
    settings = build_settings(n_configs, cv, max_rows, time_limit, chunk_size, random_state, repetition)
    if configs is not None:
        configs = _given_configs(configs)
        settings["configs"] = "given"
    folder = DatasetFolder(folder)
    out = Path(out)
    names = folder.names() if datasets is None else [folder[n].name for n in datasets]
    header = _open_build(out, settings, configs)
    _remove_stale_temporaries(out)
    units = _pending_units(folder, out, header, names)
    total = sum(1 + math.ceil(len(header["configs"][folder[n].task]) / chunk_size) for n in names)
    logger.info("Knowledge base %s: %d of %d work units to run on %d dataset(s).",
                out, len(units), total, len(names))
    summary = {"units": 0, "skipped": total - len(units), "records": 0, "statuses": Counter(),
               "wall_time": 0.0}
    start = time.time()
    bar = _progress_bar(len(units), progress)
    try:
        for name, kind, payload in _run(_jobs(folder, header, units, settings), n_jobs):
            _store(out, name, kind, payload, summary)
            bar.update(1)
            if callback is not None:
                callback({"dataset": name, "unit": kind, **summary})
    finally:
        bar.close()
        summary["wall_time"] = time.time() - start
    logger.info("Build finished in %.0fs: %d units, record statuses %s.", summary["wall_time"],
                summary["units"], dict(summary["statuses"]))
    return summary


def _given_configs(configs) -> dict:
    """``configs`` checked: ``{task: {str id: Config}}`` with known tasks."""
    if not isinstance(configs, Mapping) or set(configs) - set(SCORING):
        raise ValueError(f"configs must map tasks ({sorted(SCORING)}) to {{id: Config}}; got "
                         f"{sorted(configs) if isinstance(configs, Mapping) else type(configs).__name__}.")
    for task, by_id in configs.items():
        for cid, config in by_id.items():
            if not isinstance(cid, str) or not isinstance(config, Config):
                raise ValueError(f"configs[{task!r}] must map str ids to Config; got {cid!r}: {config!r}.")
            encode_config(config, task)  # a built-in family's valid configuration, or a ValueError naming it
    return configs


def _jobs(folder, header, units, settings):
    path = str(folder.path)
    kw = {"max_rows": settings["max_rows"], "cv": settings["cv"],
          "random_state": settings["random_state"], "repetition": settings.get("repetition", 0)}
    for name, kind, ids in units:
        if kind == "meta":
            yield delayed(_tagged)(name, kind, describe, path, name, **kw)
        else:
            task = folder[name].task
            chunk = [(cid, header["configs"][task][cid]) for cid in ids]
            yield delayed(_tagged)(name, kind, evaluate_chunk, path, name, task, chunk,
                                   time_limit=settings["time_limit"], **kw)


def _tagged(name, kind, func, *args, **kwargs):
    return name, kind, func(*args, **kwargs)


def _run(jobs, n_jobs):
    """Results as they finish (unordered) where the backend allows, else in order."""
    jobs = list(jobs)
    try:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    except ValueError:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    logger.debug("Running %d units on %d worker(s).", len(jobs), effective_n_jobs(n_jobs))
    return parallel(jobs)


def _store(out: Path, name: str, kind, payload: dict, summary: dict) -> None:
    payload = {"schema_version": SCHEMA_VERSION, **payload}
    if kind == "meta":
        write_json(result_dir(out, name) / "meta.json.gz", payload)
        if payload["metafeature_status"] != "ok":
            logger.warning("%s: meta-features %s", name, payload["metafeature_status"])
    else:
        write_json(result_dir(out, name) / f"chunk_{kind:03d}.json.gz", payload)
        for record in payload["records"]:
            summary["statuses"][record["status"]] += 1
            summary["records"] += 1
            if record["status"] != "ok":
                logger.info("%s %s: %s %s", name, record["config_id"], record["status"],
                            record["error"])
    summary["units"] += 1


def _progress_bar(total: int, enabled: bool):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: fall back to a silent counter
        return _NoBar()
    return tqdm(total=total, disable=not enabled, unit="unit", desc="build-kb", smoothing=0.05)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass

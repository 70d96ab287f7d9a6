"""The learned portfolio: a short list of configurations to try first, greedy over the knowledge base.

Start empty; repeatedly add the configuration that most raises the mean, over
the training datasets, of the best normalised score reached so far (the
auto-sklearn 2.0 / TabRepo portfolio), optionally divided by its cost in
seconds raised to ``cost_power`` (gain per second). The first member is always
the configuration with the best mean normalised score (the single best, SBS).

Each task also records its *zero-shot pick*: the configuration with the best mean
raw score, a failure or a score below the task's floor counting as the floor
(``SCORE_FLOOR``: R^2 -1, balanced accuracy 0). Normalised scores put a
configuration that fails badly somewhere (R^2 -0.8) level with one that merely
trails there, which a search can afford (it tries more) and a single pick cannot.

It lives with the meta-model rather than in :mod:`metaselect.portfolio` (the
algorithm families and their spaces) or :mod:`metaselect.knowledge` (the raw
results): like the network it is *learned* from a :class:`MetaTable`, shipped
in ``metamodel/data``, rebuilt by the same commands (``metaselect train-meta``,
``fine-tune``) and read by the same consumer (the ranker / the first bracket).
Building it needs numpy only.

The shipped file ``metamodel/data/portfolio.json`` is plain JSON::

    format          "metaselect-learned-portfolio"
    schema_version  SCHEMA_VERSION (checked on load)
    encoding_version ENCODING_VERSION (checked on load)
    tasks           {task: {"members": [{"family", "params", "gain", "seconds"}, ...],
                            "zero_shot": {"family", "params", "mean_score"} (optional),
                            "cost_power", "n_datasets", "datasets_digest"}}
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import numpy as np

from .._tasks import TASKS
from ..portfolio import ENCODING_VERSION, Config

__all__ = ["PORTFOLIO_SCHEMA_VERSION", "LearnedPortfolio", "greedy_portfolio", "load_learned_portfolio"]

FORMAT = "metaselect-learned-portfolio"
#: Layout version of the portfolio file.
PORTFOLIO_SCHEMA_VERSION = 1
#: Members kept per task (auto-sklearn 2.0 ships 32).
DEFAULT_SIZE = 32
#: Gain is divided by seconds ** COST_POWER from the second member on. Chosen by the
#: anytime yardstick (docs/metamodel.md, "Anytime yardstick").
COST_POWER = 0.0
#: The score a failure, or anything below it, counts as when the zero-shot pick is chosen. For
#: regression: across the knowledge base's 61 regression datasets, picked by leaving out one
#: family at a time and scored with this floor, the best mean R^2 (a random forest) reaches
#: 0.552 where the first member by normalised score (a gradient boosting) reaches 0.532; among
#: 581 configurations with an R^2 below -0.2 somewhere, the multi-layer perceptron the held-out
#: portfolio put first scored below 0 on 12 datasets, the random forest on 8.
SCORE_FLOOR = {"classification": 0.0, "regression": -1.0}


def greedy_portfolio(target, seconds=None, *, size: int | None = None, cost_power: float = 0.0,
                     weights=None, start=()) -> list[int]:
    """Column indices of ``target`` in greedy portfolio order.

    Parameters
    ----------
    target : ndarray (n_datasets, n_configs)
        Normalised scores (higher is better); NaN where a configuration was not
        run on a dataset (it then neither gains nor loses there).
    seconds : ndarray (n_datasets, n_configs), default=None
        Cost of each evaluation; the per-configuration geometric mean over the
        datasets where it is known divides the gain (``** cost_power``) from
        the second member on.
    size : int, default=None
        Members to return (default: all configurations).
    cost_power : float, default=0.0
        0 is the plain greedy portfolio, 1 gain per second.
    weights : ndarray (n_datasets,), default=None
        Each dataset's weight in the mean (a user's own datasets against the
        knowledge base's, :func:`~metaselect.metamodel.learn_from_experience`);
        equal by default.
    start : sequence of int, default=()
        Columns that open the portfolio, in this order; the greedy choice continues after them.

    Returns
    -------
    list of int
        The first is the configuration with the best mean score; ties are
        broken by mean score, then by column order.
    """
    target = np.asarray(target, dtype=float)
    if target.ndim != 2 or target.shape[0] == 0 or target.shape[1] == 0:
        raise ValueError(f"target must be a non-empty 2-d array (datasets x configurations); got shape {target.shape}.")
    n_datasets, n_configs = target.shape
    size = n_configs if size is None else min(int(size), n_configs)
    w = np.full(n_datasets, 1.0 / n_datasets) if weights is None else np.asarray(weights, float) / np.sum(weights)
    if w.shape != (n_datasets,) or not np.all(np.isfinite(w) & (w >= 0)):
        raise ValueError(f"weights must be {n_datasets} non-negative numbers, one per dataset.")
    known = np.isfinite(target)
    filled = np.where(known, target, -np.inf)
    mass = (known * w[:, None]).sum(0)
    mean = np.where(mass > 0, (np.where(known, target, 0.0) * w[:, None]).sum(0) / np.maximum(mass, 1e-300), 0.0)
    cost = np.ones(n_configs)
    if seconds is not None and cost_power:
        cost = _typical_seconds(seconds) ** cost_power
    current = np.full(n_datasets, -np.inf)
    order: list[int] = []
    available = np.ones(n_configs, dtype=bool)
    for c in list(start)[:size]:
        order.append(int(c))
        available[c] = False
        current = np.maximum(current, filled[:, c])
    for step in range(len(order), size):
        best = np.maximum(filled, current[:, None])
        gain = w @ np.where(np.isfinite(best), best, 0.0) - w @ np.where(np.isfinite(current), current, 0.0)
        # Datasets without any score yet count a configuration's score as its gain.
        value = gain / (1.0 if step == 0 else cost)
        value = np.where(available, value + 1e-9 * mean, -np.inf)
        c = int(np.argmax(value))
        order.append(c)
        available[c] = False
        current = np.maximum(current, filled[:, c])
    return order


def _typical_seconds(seconds) -> np.ndarray:
    """Geometric mean of each column's finite positive entries (1e-3 floor; 1 s if none)."""
    s = np.asarray(seconds, dtype=float)
    logs = np.where(np.isfinite(s) & (s > 0), np.log(np.maximum(s, 1e-3)), np.nan)
    count = np.isfinite(logs).sum(0)
    mean = np.where(count > 0, np.nansum(np.nan_to_num(logs), 0) / np.maximum(count, 1), 0.0)
    return np.exp(mean)


def table_seconds(table) -> np.ndarray:
    """Seconds per fold from a :class:`MetaTable`; a failed or timed-out run costs the dataset's slowest."""
    seconds = np.expm1(np.asarray(table.log_time, dtype=float))
    slowest = np.nanmax(np.where(np.isfinite(seconds), seconds, np.nan), axis=1, keepdims=True)
    slowest = np.where(np.isfinite(slowest), slowest, 1.0)
    run = np.isfinite(table.scores) | table.mask
    return np.where(np.isfinite(seconds), seconds, np.where(run, slowest, np.nan))


class LearnedPortfolio:
    """Greedy portfolios per task, as :class:`~metaselect.portfolio.Config` lists.

    Parameters
    ----------
    tasks : dict of str to dict
        Per task: ``members`` (list of dicts with ``family``, ``params``,
        ``gain``, ``seconds``) and provenance (see the module docstring).

    Examples
    --------
    >>> from metaselect.metamodel import load_learned_portfolio
    >>> portfolio = load_learned_portfolio()
    >>> portfolio.configs("classification")[0].family
    'random_forest'
    """

    def __init__(self, tasks: dict) -> None:
        self.tasks = {task: dict(entry) for task, entry in tasks.items()}

    def configs(self, task: str, n: int | None = None) -> list[Config]:
        """The first ``n`` members of ``task``'s portfolio (all by default); empty if none."""
        members = self.tasks.get(task, {}).get("members", [])
        return [Config(m["family"], m["params"]) for m in members[:n]]

    def zero_shot(self, task: str) -> Config | None:
        """``task``'s zero-shot pick (best mean score with failures at the floor), else its first member."""
        entry = self.tasks.get(task, {}).get("zero_shot")
        if entry is not None:
            return Config(entry["family"], entry["params"])
        first = self.configs(task, 1)
        return first[0] if first else None

    @classmethod
    def from_tables(cls, tables, *, size: int = DEFAULT_SIZE, cost_power: float = COST_POWER) -> LearnedPortfolio:
        """Build from ``{task: [(MetaTable, configs), ...]}``, configurations matched by value.

        ``configs`` lists the :class:`Config` of each of the table's columns. Cells
        a table did not run count neither way (see :func:`greedy_portfolio`).
        """
        out = {}
        for task, parts in tables.items():
            columns = list(dict.fromkeys(c for _, configs in parts for c in configs))
            index = {c: j for j, c in enumerate(columns)}
            rows_t, rows_s, rows_f, names = [], [], [], []
            for table, configs in parts:
                if len(configs) != len(table.config_ids):
                    raise ValueError(f"{len(configs)} configurations given for a table of {len(table.config_ids)}.")
                target = np.where(table.mask, table.target, np.nan)
                t = np.full((len(table.datasets), len(columns)), np.nan)
                s, f = np.full_like(t, np.nan), np.full_like(t, np.nan)
                cols = [index[c] for c in configs]
                t[:, cols], s[:, cols], f[:, cols] = target, table_seconds(table), _floored(table, task)
                rows_t.append(t)
                rows_s.append(s)
                rows_f.append(f)
                names += list(table.datasets)
            target, seconds, floored = np.vstack(rows_t), np.vstack(rows_s), np.vstack(rows_f)
            order = greedy_portfolio(target, seconds, size=size, cost_power=cost_power)
            typical = _typical_seconds(seconds)
            ordered = np.where(np.isfinite(target[:, order]), target[:, order], 0.0)
            gains = np.diff(np.maximum.accumulate(ordered, axis=1).mean(0), prepend=0.0)
            out[task] = {
                "members": [{**columns[c].to_dict(), "gain": round(float(g), 6),
                             "seconds": round(float(typical[c]), 6)} for c, g in zip(order, gains, strict=True)],
                "zero_shot": _zero_shot(floored, columns),
                "cost_power": float(cost_power), "n_datasets": len(names),
                "datasets_digest": hashlib.sha1("\n".join(sorted(names)).encode()).hexdigest()[:12],
            }
        return cls(out)

    @classmethod
    def from_knowledge_base(cls, kb, tasks=TASKS, **kwargs) -> LearnedPortfolio:
        """Build from every dataset of a :class:`~metaselect.knowledge.KnowledgeBase`."""
        from ._table import table_from_knowledge_base

        parts = {}
        for task in tasks:
            table = table_from_knowledge_base(kb, task)
            parts[task] = [(table, [kb.config_sets[task][cid] for cid in table.config_ids])]
        return cls.from_tables(parts, **kwargs)

    @classmethod
    def from_experience(cls, experience, base=None, **kwargs) -> LearnedPortfolio:
        """Rebuild from the knowledge base ``base`` (default: the shipped one) plus the knowledge base ``experience``.

        ``experience`` is a knowledge base built with ``metaselect build-kb`` on your own
        datasets; configurations are matched by value, so your datasets count for the
        shipped configurations they ran and add the others, each dataset as one more
        row. A folder that ``MetaSelector(knowledge_base=FOLDER)`` wrote is learned from
        by :func:`~metaselect.metamodel.learn_from_experience` instead.
        """
        from ..knowledge import load_knowledge_base
        from ._table import table_from_knowledge_base

        if not is_knowledge_base(experience):
            raise ValueError(f"{experience} is not a knowledge base; an experience folder is learned from "
                             "with metaselect.metamodel.learn_from_experience(FOLDER).")
        parts = {}
        for kb in (load_knowledge_base(base), load_knowledge_base(experience)):
            for task in sorted(set(kb.datasets()["task"])):
                table = table_from_knowledge_base(kb, task)
                parts.setdefault(task, []).append((table, [kb.config_sets[task][cid] for cid in table.config_ids]))
        return cls.from_tables(parts, **kwargs)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "schema_version": PORTFOLIO_SCHEMA_VERSION,
                "encoding_version": ENCODING_VERSION, "tasks": self.tasks}

    def save(self, path) -> None:
        """Write the JSON file (atomically)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n")
        tmp.replace(path)

    @classmethod
    def from_dict(cls, data: dict, source: str = "<memory>") -> LearnedPortfolio:
        """Validate and load; raises ``ValueError`` naming what is wrong."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{source} is not a learned portfolio file (format "
                             f"{data.get('format') if isinstance(data, dict) else type(data).__name__!r}).")
        if data.get("schema_version") != PORTFOLIO_SCHEMA_VERSION:
            raise ValueError(f"{source} has portfolio schema version {data.get('schema_version')!r}; this "
                             f"metaselect reads version {PORTFOLIO_SCHEMA_VERSION}. Rebuild it with "
                             "'metaselect train-meta'.")
        if data.get("encoding_version") != ENCODING_VERSION:
            raise ValueError(f"{source} was built for configuration encoding version "
                             f"{data.get('encoding_version')!r}; this metaselect uses {ENCODING_VERSION}.")
        tasks = data.get("tasks")
        if not isinstance(tasks, dict):
            raise ValueError(f"{source}: 'tasks' must be a mapping of task to portfolio.")
        for task, entry in tasks.items():
            members = entry.get("members") if isinstance(entry, dict) else None
            if not isinstance(members, list) or not all(_is_config(m) for m in members):
                raise ValueError(f"{source}: task {task!r} needs 'members', a list of "
                                 "{'family': str, 'params': dict, ...}.")
            if "zero_shot" in entry and not _is_config(entry["zero_shot"]):
                raise ValueError(f"{source}: task {task!r}: 'zero_shot' must be "
                                 "{'family': str, 'params': dict, ...}.")
        return cls(tasks)


def _is_config(entry) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("family"), str) and isinstance(entry.get("params"), dict)


def _floored(table, task: str) -> np.ndarray:
    """Raw scores of ``table``: at least the task's floor, a failure at the floor, NaN where not run."""
    floor = SCORE_FLOOR.get(task, 0.0)
    raw = np.asarray(table.scores, dtype=float)
    run = np.isfinite(raw) | table.mask
    return np.where(table.mask, np.maximum(np.nan_to_num(raw, nan=floor), floor), np.where(run, floor, np.nan))


def _zero_shot(floored: np.ndarray, columns: list[Config]) -> dict:
    """The column with the best mean floored score over the datasets that ran it (ties: first)."""
    count = np.isfinite(floored).sum(0)
    mean = np.where(count > 0, np.nansum(floored, 0) / np.maximum(count, 1), -np.inf)
    best = int(np.argmax(mean))
    return {**columns[best].to_dict(), "mean_score": round(float(mean[best]), 6)}


def is_knowledge_base(path) -> bool:
    """Whether ``path`` is a packed knowledge base or a build directory (not an experience folder)."""
    path = Path(path)
    return path.is_file() or (path / "kb.json").exists()


def load_learned_portfolio(path=None) -> LearnedPortfolio:
    """The portfolio file at ``path``, or the one shipped in the package."""
    if path is None:
        text = (resources.files("metaselect.metamodel") / "data" / "portfolio.json").read_text()
        source = "the shipped portfolio.json"
    else:
        text, source = Path(path).read_text(), str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source} is not valid JSON: {exc}") from exc
    return LearnedPortfolio.from_dict(data, source)

"""Learning from the user's own fits, numpy only: a portfolio and transfer rows from an experience folder.

``MetaSelector(knowledge_base=FOLDER)`` records every fit in ``FOLDER``
(:mod:`metaselect.knowledge._experience`). At the start of the next fit,
:func:`learn_from_experience` blends those records with what the package ships
(the transfer matrix: the knowledge base's scores of its configurations, and the
learned portfolio), in milliseconds and without TensorFlow:

* **the portfolio** opens with the shipped portfolio's first member (the single
  best configuration of the knowledge base) and continues greedily
  (:func:`greedy_portfolio`) over the knowledge base's datasets and the user's,
  the user's datasets weighing ``alpha = k / (k + prior_fits)`` in all after ``k``
  recorded fits of the task (the knowledge base the rest). A user dataset's row
  holds the configurations its fit ran on the most rows, min-max normalised
  among them; the others count neither way, so the user's datasets speak for
  what they ran and the knowledge base for the rest. The first member stays:
  the configurations a fit reports are the survivors of its search, their
  scores the best of many noisy ones, and letting them displace the single best
  made the first pick worse on every domain measured (the benchmark below);
* **the zero-shot pick** stays the shipped one unless a configuration beat it on
  the user's datasets where both ran, its advantage shrunk by ``prior_fits``
  datasets of no difference and above :data:`ZERO_SHOT_MARGIN` (failures and
  scores below the task's floor at the floor, :data:`SCORE_FLOOR`; see
  :func:`_zero_shot`): an unpaired mean over the datasets each configuration ran
  on picked worse than the shipped pick on every domain measured;
* **transfer rows**: each user dataset joins the in-run adaptation's matrix, the
  configurations it did not run filled in by that adaptation's own estimate (the
  knowledge base's datasets weighted by how well they match the scores the user
  saw), with the same ``alpha`` split of the prior weight.

Only records validated with the knowledge base's metric (balanced accuracy, R^2)
are learned from; others stay in the folder, unused. ``metaselect fine-tune FOLDER``
(TensorFlow) retrains the network on the same records into ``FOLDER/metamodel``;
:meth:`Experience.ranker` uses those models where they exist.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .._tasks import SCORING
from ..knowledge import load_knowledge_base
from ..knowledge._configs import config_set
from ..knowledge._experience import read_experience
from ..portfolio import FAMILY_ORDER, Config, encode_config
from ._portfolio import (
    DEFAULT_SIZE,
    SCORE_FLOOR,
    LearnedPortfolio,
    greedy_portfolio,
    is_knowledge_base,
)
from ._ranker import NETWORK_TASKS, MetaModelRanker, _cached, _cached_pretrained
from ._table import MetaTable, normalise_scores, table_from_knowledge_base
from ._transfer import TransferMatrix, clip_fill

__all__ = ["PRIOR_FITS", "Experience", "experience_tables", "learn_from_experience"]

logger = logging.getLogger(__name__)

#: The knowledge base counts as this many of the user's fits (see the module docstring): after
#: 8 fits the user's datasets weigh half. Chosen among 0.5, 1, 2, 4 and 8 on two domains (AER,
#: Ecdat: the mean difference to the shipped portfolio at 3 and 5 evaluations, k = 1, 3, 5, was
#: -0.009 for 8 and -0.024 for 2) and checked on three others (docs/metamodel.md, "Learning
#: from your own fits"; benchmarks/bench_experience.py).
PRIOR_FITS = 8.0
#: A challenger replaces the shipped zero-shot pick when its shrunk paired advantage exceeds this
#: (in the task's score: R^2, balanced accuracy). Not chosen on data: in the benchmark's records the
#: search never ran the shipped pick, so no pairs existed; it only keeps one lucky dataset (a gain
#: of 0.05 against a prior of 8 datasets) from replacing it.
ZERO_SHOT_MARGIN = 0.01
#: Where ``metaselect fine-tune FOLDER`` writes its models by default, inside the folder.
MODELS_FOLDER = "metamodel"


class Experience:
    """What an experience folder taught: a learned portfolio, a transfer matrix and fine-tuned models.

    Attributes
    ----------
    portfolio : LearnedPortfolio
    transfer : TransferMatrix
    models : dict of task -> MetaModel
        Fine-tuned networks found in ``FOLDER/metamodel`` (empty if none).
    n_fits : dict of task -> int
        Records learned from, per task.
    ignored : int
        Records not learned from (another metric, or no finished trial).
    """

    def __init__(self, portfolio, transfer, models=None, n_fits=None, ignored=0) -> None:
        self.portfolio = portfolio
        self.transfer = transfer
        self.models = dict(models or {})
        self.n_fits = dict(n_fits or {})
        self.ignored = int(ignored)

    def ranker(self):
        """A :class:`MetaModelRanker` using the learned portfolio, transfer rows and models."""
        models = None
        if self.models:
            models = {task: self.models.get(task) or _cached_pretrained(task) for task in FAMILY_ORDER}
        return MetaModelRanker(models=models, learned_portfolio=self.portfolio, transfer=self.transfer)

    def describe(self, n: int = 5) -> str:
        """A few lines: records per task, the zero-shot pick and the portfolio's first members."""
        lines = []
        for task in FAMILY_ORDER:
            k = self.n_fits.get(task, 0)
            weight = self.portfolio.tasks.get(task, {}).get("experience_weight", 0.0)
            network = ""
            if task in self.models:
                network = ("; fine-tuned network" if task in NETWORK_TASKS else
                           "; fine-tuned network, not used (this task's default does without the network)")
            lines.append(f"{task}: {k} fit(s) learned from (weight {weight:.2f} against the shipped "
                         f"knowledge base){network}")
            zero = self.portfolio.zero_shot(task)
            if zero is not None:
                lines.append(f"  zero-shot pick: {zero.family} {zero.params}")
            for i, c in enumerate(self.portfolio.configs(task, n), 1):
                lines.append(f"  {i}. {c.family} {c.params}")
        if self.ignored:
            lines.append(f"{self.ignored} record(s) not learned from (another metric, or nothing finished)")
        return "\n".join(lines)


def learn_from_experience(folder, *, prior_fits: float = PRIOR_FITS, portfolio=None, transfer=None) -> Experience:
    """Blend the fits recorded in ``folder`` with the shipped portfolio and transfer matrix.

    Parameters
    ----------
    folder : str or path-like
        An experience folder written by ``MetaSelector(knowledge_base=folder)``;
        a missing or empty one teaches nothing (the shipped state is returned).
    prior_fits : float, default=PRIOR_FITS
        How many of the user's fits the knowledge base counts as.
    portfolio, transfer : default=None
        The base :class:`LearnedPortfolio` and :class:`TransferMatrix`; ``None``: the shipped ones.

    Returns
    -------
    Experience
    """
    if not prior_fits > 0:
        raise ValueError(f"prior_fits must be positive, got {prior_fits!r}.")
    portfolio = portfolio if portfolio is not None else _cached("portfolio")
    transfer = transfer if transfer is not None else _cached("transfer")
    folder = Path(folder)
    records = read_experience(folder) if folder.is_dir() else []
    tasks, transfer_tasks, n_fits, used = dict(portfolio.tasks), dict(transfer.tasks), {}, 0
    for task, entry in transfer.tasks.items():
        rows = [_row(r, task) for r in records if r["task"] == task and r["scoring"] == SCORING.get(task)]
        rows = [row for row in rows if row]
        if not rows:
            continue
        used += len(rows)
        n_fits[task] = len(rows)
        alpha = len(rows) / (len(rows) + prior_fits)
        base_configs = _columns(task, entry["encodings"])
        estimated = _estimated_rows(task, entry, base_configs, rows)
        tasks[task] = _portfolio_entry(task, entry, base_configs, rows, estimated, alpha, portfolio, prior_fits)
        transfer_tasks[task] = _transfer_entry(entry, estimated, alpha)
    models = _fine_tuned(folder / MODELS_FOLDER)
    return Experience(LearnedPortfolio(tasks), TransferMatrix(transfer_tasks), models, n_fits,
                      ignored=len(records) - used)


def _row(record: dict, task: str) -> dict[Config, tuple[float, float]]:
    """config -> (score, fit seconds) of one record's trials; a failure scores the task's floor."""
    floor = SCORE_FLOOR.get(task, 0.0)
    out = {}
    for trial in record["trials"]:
        config = Config.from_dict(trial["config"])
        if config.family not in FAMILY_ORDER.get(task, ()):
            continue
        score = trial["mean_score"] if trial["status"] == "ok" and trial["mean_score"] is not None else floor
        out[config] = (max(float(score), floor), float(trial["fit_time"] or 0.0))
    return out if any(trial["status"] == "ok" for trial in record["trials"]) else {}


def _columns(task: str, encodings) -> list[Config | None]:
    """The configuration of each transfer column: the knowledge base's set, matched by encoding."""
    known = {np.asarray(encode_config(c, task), float).tobytes(): c for c in config_set(task).values()}
    return [known.get(np.asarray(row, float).tobytes()) for row in encodings]


def _matrix(task, base_configs, rows):
    """Columns (the base's, then configurations only the user ran) and the user rows' floored scores."""
    columns = list(base_configs) + sorted({c for row in rows for c in row} - set(base_configs),
                                          key=lambda c: c._key)
    index = {c: j for j, c in enumerate(columns) if c is not None}
    scores = np.full((len(rows), len(columns)), np.nan)
    for i, row in enumerate(rows):
        for config, (score, _) in row.items():
            scores[i, index[config]] = score
    return columns, scores


def _portfolio_entry(task, entry, base_configs, rows, estimated, alpha, portfolio, prior_fits) -> dict:
    columns, user = _matrix(task, base_configs, rows)
    n_base, n_user = len(entry["target"]), len(rows)
    base_target = np.full((n_base, len(columns)), np.nan)
    base_target[:, : len(base_configs)] = entry["target"]
    user_target = np.where(np.isfinite(user), normalise_scores(user), np.nan)
    target = np.vstack([base_target, user_target])
    weights = np.concatenate([np.full(n_base, (1 - alpha) / n_base), np.full(n_user, alpha / n_user)])
    usable = np.array([c is not None for c in columns])
    first = [columns.index(c) for c in portfolio.configs(task, 1) if c in columns]
    order = [j for j in greedy_portfolio(np.where(usable, target, np.nan), weights=weights, start=first)
             if usable[j]]
    order = order[:DEFAULT_SIZE]
    ordered = np.where(np.isfinite(target[:, order]), target[:, order], 0.0)
    gains = np.diff(weights @ np.maximum.accumulate(ordered, axis=1), prepend=0.0)
    seconds = _seconds(task, columns, rows, portfolio)
    return {**portfolio.tasks.get(task, {}),
            "members": [{**columns[j].to_dict(), "gain": round(float(g), 6), "seconds": round(seconds[j], 6)}
                        for j, g in zip(order, gains, strict=True)],
            "zero_shot": _zero_shot(portfolio, task, columns, user, prior_fits),
            "n_experience": n_user, "experience_weight": round(alpha, 6)}


def _seconds(task, columns, rows, portfolio) -> list[float]:
    """Typical seconds per column: the shipped member's where known, else the user's median fit time."""
    shipped = {Config(m["family"], m["params"]): m.get("seconds", 0.0)
               for m in portfolio.tasks.get(task, {}).get("members", [])}
    out = []
    for c in columns:
        times = [row[c][1] for row in rows if c in row]
        out.append(float(shipped.get(c, np.median(times) if times else 0.0)))
    return out


def _zero_shot(portfolio, task, columns, user, prior_fits) -> dict | None:
    """The shipped pick, unless a configuration beat it on the user's datasets where both ran.

    Paired, because the datasets a configuration ran on differ between configurations
    (a search runs what looks promising there): an unpaired mean favoured whatever
    happened to run on the easier tables and lost to the shipped pick on every domain
    measured. A challenger's advantage is the sum of its score minus the pick's over
    the datasets where both ran, divided by their number plus ``prior_fits`` (shrunk
    towards no advantage); the best one replaces the pick when that exceeds
    :data:`ZERO_SHOT_MARGIN`.
    """
    shipped = portfolio.tasks.get(task, {}).get("zero_shot")
    pick = portfolio.zero_shot(task)
    if pick is None or pick not in columns:
        return shipped
    base = user[:, columns.index(pick)]
    both = np.isfinite(user) & np.isfinite(base)[:, None]
    advantage = np.where(both, user - base[:, None], 0.0).sum(0) / (both.sum(0) + prior_fits)
    usable = np.array([c is not None and c != pick for c in columns]) & (both.sum(0) > 0)
    if not usable.any() or np.max(np.where(usable, advantage, -np.inf)) <= ZERO_SHOT_MARGIN:
        return shipped
    best = int(np.argmax(np.where(usable, advantage, -np.inf)))
    return {**columns[best].to_dict(), "advantage": round(float(advantage[best]), 6), "n_paired": int(both[:, best].sum())}


def _estimated_rows(task, entry, base_configs, rows) -> np.ndarray:
    """Each user dataset's raw scores (clipped at 0) on the transfer columns: what its fit saw,
    and for the rest the in-run adaptation's estimate (the knowledge base's datasets weighted by
    how well they match what was seen)."""
    encodings = np.asarray(entry["encodings"], float)
    index = {c: j for j, c in enumerate(base_configs) if c is not None}
    reweighting = TransferMatrix({task: entry}).reweighting(task)
    prior_estimate = reweighting.weights_ @ entry["raw"]
    out = []
    for row in rows:
        seen = [(index[c], max(s, 0.0)) for c, (s, _) in row.items() if c in index]
        if seen:  # each update replaces the observations: one adapter serves every row
            reweighting.update(encodings[[j for j, _ in seen]], [s for _, s in seen])
        estimate = reweighting.weights_ @ entry["raw"] if seen else prior_estimate.copy()
        for j, s in seen:
            estimate[j] = s
        out.append(estimate)
    return np.array(out)


def _transfer_entry(entry, estimated, alpha) -> dict:
    """The transfer matrix's rows plus one per user dataset (:func:`_estimated_rows`)."""
    raw = np.vstack([entry["raw"], clip_fill(estimated)])
    n_base, n_user = len(entry["raw"]), len(estimated)
    prior = entry.get("prior", np.full(n_base, 1.0 / n_base))
    prior = np.concatenate([np.asarray(prior, float) / np.sum(prior) * (1 - alpha), np.full(n_user, alpha / n_user)])
    return {**entry, "target": np.vstack([entry["target"], normalise_scores(raw[n_base:])]), "raw": raw,
            "prior": prior}


def _fine_tuned(folder: Path) -> dict:
    """Models ``metaselect fine-tune`` wrote into ``folder`` (``metamodel_<task>.npz``)."""
    from ._model import MetaModel

    models = {}
    for task in FAMILY_ORDER:
        path = folder / f"metamodel_{task}.npz"
        if path.is_file():
            try:
                models[task] = MetaModel.load(path)
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("Not using the fine-tuned model %s: %s", path, exc)
    return models


def experience_tables(path) -> dict:
    """``{task: MetaTable}`` from an experience folder or a knowledge base (what ``fine-tune`` trains on).

    From a folder, only records validated with the knowledge base's metric are used, as
    in :func:`learn_from_experience`.
    """
    path = Path(path)
    if is_knowledge_base(path):
        kb = load_knowledge_base(path)
        return {task: table_from_knowledge_base(kb, task) for task in sorted(set(kb.datasets()["task"]))}
    tables = {}
    records = read_experience(path) if path.is_dir() else []
    for task in FAMILY_ORDER:
        mine = [r for r in records if r["task"] == task and r["trials"] and r["scoring"] == SCORING.get(task)]
        if not mine:
            continue
        configs = sorted({Config.from_dict(t["config"]) for r in mine for t in r["trials"]}, key=lambda c: c._key)
        index = {c: j for j, c in enumerate(configs)}
        names = mine[0]["meta_names"]
        scores = np.full((len(mine), len(configs)), np.nan)
        times = np.full_like(scores, np.nan)
        evaluated = np.zeros(scores.shape, dtype=bool)
        meta = np.zeros((len(mine), len(names)))
        for i, r in enumerate(mine):
            values = dict(zip(r["meta_names"], r["meta_features"], strict=True))
            meta[i] = [values.get(n, 0.0) for n in names]
            for t in r["trials"]:
                j = index[Config.from_dict(t["config"])]
                evaluated[i, j] = True
                if t["status"] == "ok" and t["mean_score"] is not None:
                    scores[i, j] = t["mean_score"]
                    times[i, j] = np.log1p(t["fit_time"]) if t["fit_time"] is not None else np.nan
        encodings = np.array([encode_config(c, task) for c in configs])
        datasets = [r["dataset"] for r in mine]
        tables[task] = MetaTable(task, datasets, datasets, meta, names, [c._key for c in configs],
                                 encodings, scores, times, evaluated)
    return tables

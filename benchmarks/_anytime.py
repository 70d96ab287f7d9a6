"""The anytime simulation behind ``meta_eval.py --anytime``: replay strategies on the knowledge base.

For each held-out dataset a strategy proposes configurations one at a time;
each evaluation "costs" the knowledge base's measured seconds (3-fold CV at up
to 1,000 rows: fit + predict per fold times the folds; a time-out costs the
build's time limit; a failure its measured time, else the dataset's median)
and "scores" its measured score. An adaptive strategy sees only the raw scores
of what it has evaluated so far. After K evaluations and after t simulated
seconds, the best-so-far is scored: normalised (0 = the dataset's worst
configuration, 1 = its best) and as the closed gap between the SBS of the
training datasets and the VBS, pooled over the held-out datasets as in
``meta_eval.py``. Before anything has finished, the best-so-far is the
dataset's worst score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaselect.metamodel import ABLRAdapter, DatasetReweighting, ResidualAdapter, greedy_portfolio
from metaselect.portfolio import FAMILY_ORDER

COUNTS = (1, 3, 5, 10, 20)
SECONDS = (5.0, 20.0, 60.0)
#: Adaptive strategies refit for at least this many steps, and on until 60 simulated seconds or the
#: maximum; the rest of the sequence follows their last prediction.
MIN_ADAPTIVE_STEPS, MAX_ADAPTIVE_STEPS = 20, 30


def evaluation_seconds(kb, table) -> np.ndarray:
    """(datasets, configurations) simulated seconds of one cross-validated evaluation."""
    cv = int(kb.settings.get("cv", 3))
    limit = float(kb.settings.get("time_limit", 5.0))
    res = kb.results(table.task)
    rows = {d: i for i, d in enumerate(table.datasets)}
    cols = {c: j for j, c in enumerate(table.config_ids)}
    out = np.full((len(table.datasets), len(table.config_ids)), np.nan)
    per_fold = (res["fit_time"] + res["predict_time"].fillna(0.0)).to_numpy()
    for d, c, status, t in zip(res["dataset"], res["config_id"], res["status"], per_fold, strict=True):
        if d in rows and c in cols:
            out[rows[d], cols[c]] = limit if status == "timeout" else cv * t
    median = np.nanmedian(out, axis=1, keepdims=True)
    return np.where(np.isfinite(out), out, median)


@dataclass
class Fold:
    """What a strategy may know: the training datasets (all columns) and the test meta-features."""

    target: np.ndarray  # (n_train, n_configs) normalised
    raw: np.ndarray  # (n_train, n_configs) raw, clipped, failures at the worst
    seconds: np.ndarray  # (n_train, n_configs)
    z_train: np.ndarray
    z_test: np.ndarray
    encodings: np.ndarray
    task: str
    model: object = None  # the network trained on this fold, or None
    test_meta: np.ndarray | None = None  # raw meta-features of the test datasets


def run_adaptive(n_configs: int, seconds_row: np.ndarray, observe, choose) -> np.ndarray:
    """``choose(tried, scores)`` -> preference over all configurations; returns the full sequence."""
    tried, scores, spent = [], [], 0.0
    pref = None
    while len(tried) < n_configs:
        if len(tried) >= MIN_ADAPTIVE_STEPS and (spent > SECONDS[-1] or len(tried) >= MAX_ADAPTIVE_STEPS):
            break
        pref = np.asarray(choose(tried, scores), dtype=float).copy()
        pref[tried] = -np.inf
        c = int(np.argmax(pref))
        tried.append(c)
        scores.append(observe(c))
        spent += seconds_row[c]
    rest = [c for c in np.argsort(-pref, kind="stable") if c not in set(tried)] if pref is not None else []
    return np.array(tried + rest, dtype=int)


# -- strategies: (fold, i, observe, seconds_row) -> sequence ----------------------------
def static(order_fn):
    def strategy(fold, i, observe, seconds_row):
        return np.asarray(order_fn(fold, i), dtype=int)
    return strategy


def sbs_list(fold, i):
    return np.argsort(-fold.target.mean(0), kind="stable")


def greedy(matrix: str, cost_power: float = 0.0):
    cache = {}

    def order(fold, i):
        key = id(fold)
        if key not in cache:
            cache.clear()
            cache[key] = greedy_portfolio(getattr(fold, matrix), fold.seconds, cost_power=cost_power)
        return cache[key]
    return order


def nearest(fold, i):
    """auto-sklearn 1: the best configuration of each training dataset, nearest first, then the SBS list."""
    dist = np.linalg.norm(fold.z_train - fold.z_test[i], axis=1)
    order = [int(np.argmax(fold.target[j])) for j in np.argsort(dist, kind="stable")]
    return list(dict.fromkeys(order + list(sbs_list(fold, i))))


def _meta(fold, i):
    return fold.test_meta[i]


def network_static(fold, i):
    score, _ = fold.model.predict(_meta(fold, i), fold.encodings)
    return np.argsort(-score, kind="stable")


def _expected_improvement(mean, std, best):
    from scipy.stats import norm

    std = np.maximum(std, 1e-9)
    u = (mean - best) / std
    return (mean - best) * norm.cdf(u) + std * norm.pdf(u)


def network_adaptive(kind: str, first_from_portfolio: bool = False, ei: bool = False):
    def strategy(fold, i, observe, seconds_row):
        cls = {"residual": ResidualAdapter, "ablr": ABLRAdapter}[kind]
        adapter = cls(fold.model, _meta(fold, i), fold.encodings)
        first = greedy("target")(fold, i)[0] if first_from_portfolio else None

        def choose(tried, scores):
            if not tried and first is not None:
                pref = np.zeros(len(fold.encodings))
                pref[first] = 1.0
                return pref
            adapter.update(fold.encodings[tried], scores)
            if ei and tried:
                mean, std = adapter.predict(fold.encodings, return_std=True)
                return _expected_improvement(mean, std, max(scores))
            return adapter.predict(fold.encodings)
        return run_adaptive(len(fold.encodings), seconds_row, observe, choose)
    return strategy


def reweighted(improvement: bool, bandwidth: float = 0.05, meta_prior: bool = False):
    def strategy(fold, i, observe, seconds_row):
        prior = None
        if meta_prior:
            dist = np.linalg.norm(fold.z_train - fold.z_test[i], axis=1)
            prior = np.exp(-0.5 * (dist / np.median(dist)) ** 2)
        slots = len(FAMILY_ORDER[fold.task])
        adapter = DatasetReweighting(fold.encodings, fold.target, fold.raw, bandwidth, prior, slots)

        def choose(tried, scores):
            adapter.update(fold.encodings[tried], scores)
            return adapter.predict(fold.encodings, improvement=improvement) + 1e-9 * fold.target.mean(0)
        return run_adaptive(len(fold.encodings), seconds_row, observe, choose)
    return strategy


def hybrid_rank_mean(bandwidth: float = 0.1):
    """Portfolio[0] first; then the mean of the ranks under ABLR and under the reweighted greedy gain."""
    def strategy(fold, i, observe, seconds_row):
        ablr = ABLRAdapter(fold.model, _meta(fold, i), fold.encodings)
        slots = len(FAMILY_ORDER[fold.task])
        rew = DatasetReweighting(fold.encodings, fold.target, fold.raw, bandwidth, None, slots)
        first = greedy("target")(fold, i)[0]

        def choose(tried, scores):
            if not tried:
                pref = np.zeros(len(fold.encodings))
                pref[first] = 1.0
                return pref
            a = ablr.update(fold.encodings[tried], scores).predict(fold.encodings)
            g = rew.update(fold.encodings[tried], scores).predict(fold.encodings, improvement=True)
            return np.argsort(np.argsort(a)) + np.argsort(np.argsort(g + 1e-9 * fold.target.mean(0)))
        return run_adaptive(len(fold.encodings), seconds_row, observe, choose)
    return strategy


STRATEGIES = {
    "SBS list": (static(sbs_list), False),
    "greedy portfolio (normalised)": (static(greedy("target")), False),
    "greedy portfolio (raw)": (static(greedy("raw")), False),
    "cost-aware greedy (gain/s)": (static(greedy("target", 1.0)), False),
    "cost-aware greedy (gain/sqrt s)": (static(greedy("target", 0.5)), False),
    "nearest datasets": (static(nearest), False),
    "reweighted datasets: mean score": (reweighted(False), False),
    "reweighted datasets: greedy gain": (reweighted(True), False),
    "reweighted datasets: greedy gain, meta prior": (reweighted(True, meta_prior=True), False),
    "reweighted datasets: greedy gain, h=0.1": (reweighted(True, bandwidth=0.1), False),
    "reweighted datasets: greedy gain, h=0.2": (reweighted(True, bandwidth=0.2), False),
    "network (static)": (static(network_static), True),
    "network + residual": (network_adaptive("residual"), True),
    "network + ABLR": (network_adaptive("ablr"), True),
    "network + ABLR (EI)": (network_adaptive("ablr", ei=True), True),
    "hybrid: portfolio[0], then network + ABLR": (network_adaptive("ablr", first_from_portfolio=True), True),
    "hybrid: portfolio[0], then ranks of ABLR + reweighted gain": (hybrid_rank_mean(), True),
}


def best_so_far(sequence, values, seconds_row, worst):
    """Best-so-far of ``values`` after each count in COUNTS and each time in SECONDS."""
    seq_values = values[sequence]
    running = np.maximum.accumulate(seq_values)
    at_count = [running[min(k, len(running)) - 1] for k in COUNTS]
    finished = np.cumsum(seconds_row[sequence])
    at_time = []
    for t in SECONDS:
        n = int(np.searchsorted(finished, t, side="right"))
        at_time.append(running[n - 1] if n else worst)
    return np.array(at_count + at_time)

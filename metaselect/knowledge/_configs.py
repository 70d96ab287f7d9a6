"""The configuration set of a knowledge base: every family's default plus seeded samples."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ..portfolio import ENCODING_VERSION, Config, Portfolio, encode_config, encoding_names

__all__ = ["DEFAULT_N_CONFIGS", "config_set", "config_table", "neighbourhood_set"]

#: Default minimum number of configurations per task.
DEFAULT_N_CONFIGS = 100
_MAX_DRAWS = 50


def config_set(task: str, n_configs: int = DEFAULT_N_CONFIGS, random_state: int = 0) -> dict[str, Config]:
    """The configurations evaluated on every dataset of ``task``.

    Each built-in family gets ``ceil(n_configs / n_families)`` configurations:
    its default (id ``"<family>:00"``) and distinct random samples of its
    search space (ids ``"<family>:01"``, ...). Families whose space is too
    small for that many distinct configurations get fewer.

    Parameters
    ----------
    task : {"classification", "regression"}
    n_configs : int, default=100
        Minimum total number of configurations (before de-duplication).
    random_state : int, default=0
        Seed of the samples; the same seed gives the same set.

    Returns
    -------
    dict of str to Config
        Configurations by id, families in encoding order.
    """
    if isinstance(n_configs, bool) or not isinstance(n_configs, int) or n_configs < 1:
        raise ValueError(f"n_configs must be a positive int, got {n_configs!r}.")
    portfolio = Portfolio(task)
    per_family = math.ceil(n_configs / len(portfolio))
    seeds = np.random.SeedSequence(int(random_state)).spawn(len(portfolio))
    configs: dict[str, Config] = {}
    for family, seed in zip(portfolio, seeds, strict=True):
        rng = np.random.default_rng(seed)
        chosen = [family.default_config()]
        for _ in range(_MAX_DRAWS * per_family):
            if len(chosen) >= per_family:
                break
            candidate = Config(family.name, family.space.sample(rng))
            if candidate not in chosen:
                chosen.append(candidate)
        for k, config in enumerate(chosen):
            configs[f"{family.name}:{k:02d}"] = config
    return configs


def neighbourhood_set(kb, task: str, n_configs: int, random_state: int = 0,
                      scale: float = 0.15) -> dict[str, Config]:
    """``n_configs`` new configurations near the ones that win somewhere in ``kb``.

    The winners are the configurations with the best mean cross-validated score
    on at least one dataset of ``task``. Each turn goes to the winner with the
    highest ``sqrt(wins) / (1 + turns so far)`` (ties: more wins, then id):
    more neighbours for a configuration that wins often, while one that wins
    once still gets some. The winner adds one configuration of its family near
    it (its encoding plus Gaussian noise of standard deviation ``scale``,
    decoded: :meth:`~metaselect.spaces.SearchSpace.neighbours`) when that is
    neither in ``kb``'s configuration set nor already chosen, until there are
    ``n_configs`` (fewer when the spaces near the winners run out).

    Parameters
    ----------
    kb : KnowledgeBase
    task : {"classification", "regression"}
    n_configs : int
    random_state : int, default=0
        Seed of the noise; the same knowledge base and seed give the same set.
    scale : float, default=0.15

    Returns
    -------
    dict of str to Config
        Ids ``"<family>:n00"``, ``"<family>:n01"``, ... (numbered per family, in
        the order chosen), so they never collide with :func:`config_set`'s.
    """
    if isinstance(n_configs, bool) or not isinstance(n_configs, int) or n_configs < 1:
        raise ValueError(f"n_configs must be a positive int, got {n_configs!r}.")
    results = kb.results(task)
    ok = results[results["status"] == "ok"]
    if ok.empty:
        raise ValueError(f"The knowledge base has no {task} results to find winners in.")
    best = ok.loc[ok.groupby("dataset")["mean_score"].idxmax(), "config_id"]
    wins = best.value_counts()
    known = kb.config_sets[task]
    spaces = {family.name: family.space for family in Portfolio(task)}
    rng = np.random.default_rng(random_state)
    turns = dict.fromkeys(wins.index, 0)
    taken = set(known.values())
    chosen: list[Config] = []
    for _ in range(_MAX_DRAWS * n_configs):
        if len(chosen) >= n_configs:
            break
        cid = max(turns, key=lambda c: (math.sqrt(wins[c]) / (1 + turns[c]), wins[c], c))
        turns[cid] += 1
        winner = known[cid]
        (params,) = spaces[winner.family].neighbours(winner.params, rng, 1, scale)
        candidate = Config(winner.family, params)
        if candidate not in taken:
            taken.add(candidate)
            chosen.append(candidate)
    counts: dict[str, int] = {}
    out = {}
    for config in chosen:
        k = counts[config.family] = counts.get(config.family, -1) + 1
        out[f"{config.family}:n{k:02d}"] = config
    return out


def config_table(task: str, configs: dict[str, Config]):
    """A DataFrame of ``configs``: id, family, params (JSON) and one column per encoding slot."""
    names = encoding_names(task)
    rows = []
    for cid, config in configs.items():
        row = {"task": task, "config_id": cid, "family": config.family,
               "params": json.dumps(config.params, sort_keys=True)}
        row.update(zip(names, encode_config(config, task), strict=True))
        rows.append(row)
    table = pd.DataFrame(rows, columns=["task", "config_id", "family", "params", *names])
    table.attrs["encoding_version"] = ENCODING_VERSION
    return table

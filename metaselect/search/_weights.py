"""Sample weights for a candidate: its model's ``sample_weight``, or a reason it cannot take one."""

from __future__ import annotations

from sklearn.utils.validation import has_fit_parameter

__all__ = ["UnweightedCandidate", "accepts_sample_weight", "weighted_fit_params"]


class UnweightedCandidate(ValueError):
    """A candidate that cannot take the sample weights the search was given."""


def accepts_sample_weight(model) -> bool:
    """Whether ``model.fit`` takes ``sample_weight`` (a ``TransformedTargetRegressor`` passes it
    on to its regressor)."""
    if has_fit_parameter(model, "sample_weight"):
        return True
    inner = getattr(model, "regressor", None)
    return inner is not None and accepts_sample_weight(inner)


def weighted_fit_params(pipeline, sample_weight) -> dict:
    """``{"<last step>__sample_weight": sample_weight}`` for a candidate ``pipeline``; ``{}``
    without weights. Preprocessing steps are fitted unweighted.

    Raises
    ------
    UnweightedCandidate
        With ``sample_weight`` given, when the pipeline's model takes no weights.
    """
    if sample_weight is None:
        return {}
    name, model = pipeline.steps[-1]
    if not accepts_sample_weight(model):
        raise UnweightedCandidate(f"{type(model).__name__} takes no sample_weight; not fitted on weighted data")
    return {f"{name}__sample_weight": sample_weight}

"""A fit is a transaction: it publishes its fitted state whole, or leaves the estimator as it was."""

from __future__ import annotations

import functools

__all__ = ["transactional"]

#: Fitted state that does not end in ``_``: the input schema ``predict`` validates against.
PRIVATE_FITTED = frozenset({"_schema"})


def _is_fitted(name: str) -> bool:
    """scikit-learn's rule for fitted attributes (``check_is_fitted``), plus the private ones."""
    return name in PRIVATE_FITTED or (name.endswith("_") and not name.startswith("__"))


def transactional(fit):
    """Run ``fit`` on a draft that shares the estimator's parameters; publish on success.

    The draft starts with the estimator's parameters (the same objects, so a
    ``RandomState`` advances as it would) and none of its fitted state. A fit
    that raises, ``KeyboardInterrupt`` included, leaves the estimator exactly as
    it was: fitted by an earlier fit, or unfitted (``NotFittedError``). A fit
    that returns replaces the whole ``__dict__`` in one assignment, so fitted
    attributes of the previous fit that this one did not set (``feature_names_in_``
    when ``X`` has no column names now) do not survive.
    """

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        draft = object.__new__(type(self))
        draft.__dict__.update({k: v for k, v in vars(self).items() if not _is_fitted(k)})
        fit(draft, *args, **kwargs)
        published = dict(vars(draft))
        self.__dict__ = published  # one store: an interrupt lands before or after it, not inside
        return self

    return wrapper

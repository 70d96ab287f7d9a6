"""An algorithm family (estimator + search space + needs) and a configuration of one."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sklearn.base import BaseEstimator

from .._tasks import TASKS
from ..spaces import SearchSpace

__all__ = ["Config", "Family", "TASKS"]



@dataclass(frozen=True)
class Family:
    """One algorithm family of the portfolio.

    Parameters
    ----------
    name : str
        Stable identifier, e.g. ``"random_forest"``; used in configurations,
        the leaderboard and the encoding.
    task : {"classification", "regression"}
    make_estimator : callable
        ``make_estimator(params, random_state) -> estimator``: builds an
        unfitted scikit-learn estimator from a configuration of ``space``.
    space : SearchSpace
        Tunable hyperparameters with their default configuration.
    scale : bool
        Whether numeric inputs are standardised before this model.
    categorical : {"onehot", "ordinal", "native"}
        How categorical columns are encoded for this model. ``"native"``: ordinal
        codes, and the model (which must take scikit-learn's ``categorical_features``,
        as histogram gradient boosting does) splits on the columns of few values as
        categories (:func:`~metaselect.preprocessing.native_columns`).
    accepts_sparse : bool
        Whether the model can be trained on sparse matrices.
    time_exponent : float
        How fit time grows with rows (``t ~ n**time_exponent``); used to
        extrapolate measured times to larger rungs of the search.
    prior : float
        Static prior in ``[0, 1]``: how promising the family is before any
        meta-learning (see :class:`metaselect.search.StaticPriorRanker`).
    work_param : str or None
        The hyperparameter fit time grows in proportion to (trees, boosting
        iterations), if any: the search scales a configuration's
        predicted time by its ratio to the default's (:meth:`work`).
    work_model : callable or None
        ``work_model(params, n_features) -> float``: the work a configuration asks for, when
        more than one hyperparameter sets it (trees and the features each split examines,
        say); ``n_features`` is ``None`` when unknown. Takes precedence over ``work_param``.
    trees_per_class : bool
        Whether the model fits one tree per class at every iteration on more than two
        classes (scikit-learn's gradient boosting): its time grows with the number of
        classes, which the search multiplies its predicted times by.
    row_params : callable or None
        ``row_params(params, n_rows) -> dict``: estimator parameters that depend on the
        number of rows the model is fitted on (a forest's cap on its leaves), set by
        :meth:`build` when it is given ``n_rows``. They are not part of the configuration.
    """

    name: str
    task: str
    make_estimator: Callable[[Mapping[str, Any], int | None], BaseEstimator]
    space: SearchSpace
    scale: bool = False
    categorical: str = "onehot"
    accepts_sparse: bool = True
    time_exponent: float = 1.1
    prior: float = 0.5
    work_param: str | None = None
    work_model: Callable[[Mapping[str, Any], int | None], float] | None = field(default=None, compare=False)
    trees_per_class: bool = False
    row_params: Callable[[Mapping[str, Any], int], dict] | None = field(default=None, compare=False)
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"Family task must be one of {TASKS}, got {self.task!r}.")
        if self.categorical not in ("onehot", "ordinal", "native"):
            raise ValueError(f"Family categorical must be 'onehot', 'ordinal' or 'native', got {self.categorical!r}.")

    def default_config(self) -> Config:
        """The family's default configuration."""
        return Config(self.name, self.space.default())

    def work(self, params: Mapping[str, Any], n_features: int | None = None) -> float:
        """How many times the default's work ``params`` asks for, on data of ``n_features``
        columns: the ratio of their ``work_model`` to the default's, else of their ``work_param``
        (1.0 without either)."""
        if self.work_model is not None:
            default = self.space.default()
            try:
                ratio = self.work_model({**default, **params}, n_features) / self.work_model(default, n_features)
            except (TypeError, ValueError, KeyError, ZeroDivisionError):
                return 1.0
            return max(float(ratio), 1e-3)
        if self.work_param is None:
            return 1.0
        default = self.space.default().get(self.work_param)
        value = params.get(self.work_param, default)
        try:
            return max(float(value) / float(default), 1e-3)
        except (TypeError, ValueError, ZeroDivisionError):
            return 1.0

    def build(self, params: Mapping[str, Any], random_state: int | None = None,
              n_rows: int | None = None) -> BaseEstimator:
        """An unfitted estimator for ``params`` (validated against the space); with ``n_rows``,
        the rows it will be fitted on, ``row_params`` are set on it too."""
        self.space.validate(params)
        estimator = self.make_estimator(dict(params), random_state)
        if n_rows is not None and self.row_params is not None:
            extra = self.row_params(dict(params), int(n_rows))
            if extra:
                estimator.set_params(**extra)
        return estimator


class Config:
    """A configuration: an algorithm family name, its hyperparameters and, optionally, target
    encoding of the dataset's many-valued columns (``target_encoding``, see
    :func:`~metaselect.preprocessing.target_encoded_columns`), a preprocessing choice outside the
    family's search space that the search makes per dataset.

    Compares and hashes by value; round-trips through :meth:`to_dict`.
    """

    __slots__ = ("family", "params", "target_encoding", "_key")

    def __init__(self, family: str, params: Mapping[str, Any], target_encoding: bool = False) -> None:
        self.family = str(family)
        self.params = dict(params)
        self.target_encoding = bool(target_encoding)
        key = [self.family, self.params, True] if self.target_encoding else [self.family, self.params]
        self._key = json.dumps(key, sort_keys=True, default=str)

    def with_target_encoding(self, target_encoding: bool = True) -> Config:
        """This configuration with ``target_encoding`` set."""
        if target_encoding == self.target_encoding:
            return self
        return Config(self.family, self.params, target_encoding)

    def to_dict(self) -> dict:
        data = {"family": self.family, "params": dict(self.params)}
        return {**data, "target_encoding": True} if self.target_encoding else data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Config:
        return cls(data["family"], data["params"], data.get("target_encoding", False))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        extra = ", target_encoding=True" if self.target_encoding else ""
        return f"Config({self.family!r}, {self.params!r}{extra})"

    def __getstate__(self):
        return (self.family, self.params, True) if self.target_encoding else (self.family, self.params)

    def __setstate__(self, state) -> None:
        self.__init__(*state)

"""A declarative hyperparameter space with conditions and a fixed-length encoding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._distributions import Categorical, Float, Int, distribution_from_dict

__all__ = ["Condition", "SearchSpace"]

Distribution = Float | Int | Categorical


@dataclass(frozen=True)
class Condition:
    """``child`` is active only when the value of ``parent`` is one of ``values``."""

    child: str
    parent: str
    values: tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))

    def to_dict(self) -> dict:
        return {"child": self.child, "parent": self.parent, "values": list(self.values)}


class SearchSpace:
    """Hyperparameters of one algorithm family.

    Parameters
    ----------
    params : mapping of str to Float, Int or Categorical
        The tunable hyperparameters, in a fixed order. The order defines the
        encoding layout, so never reorder a released space: append instead.
    conditions : sequence of Condition, default=()
        Conditional activity. A parent must come before its child in ``params``.
    default : mapping, default=None
        The default configuration (active parameters only). ``None`` means the
        midpoint of every range and the first choice of every categorical.

    Examples
    --------
    >>> from metaselect.spaces import Categorical, Condition, Float, SearchSpace
    >>> space = SearchSpace(
    ...     {"kernel": Categorical(("rbf", "linear")), "gamma": Float(1e-4, 1.0, log=True)},
    ...     conditions=[Condition("gamma", "kernel", ("rbf",))],
    ...     default={"kernel": "rbf", "gamma": 0.01},
    ... )
    >>> space.encode({"kernel": "linear"}).tolist()
    [0.0, 1.0, 0.0]
    """

    def __init__(
        self,
        params: Mapping[str, Distribution],
        *,
        conditions: Sequence[Condition] = (),
        default: Mapping[str, Any] | None = None,
    ) -> None:
        self.params = dict(params)
        self.conditions = tuple(conditions)
        names = list(self.params)
        for dist in self.params.values():
            if not isinstance(dist, (Float, Int, Categorical)):
                raise TypeError(f"Search space values must be Float, Int or Categorical; got {dist!r}.")
        self._condition_of: dict[str, Condition] = {}
        for cond in self.conditions:
            if cond.child not in self.params or cond.parent not in self.params:
                raise ValueError(f"Condition {cond} names a parameter that is not in the space.")
            if names.index(cond.parent) >= names.index(cond.child):
                raise ValueError(f"Condition {cond}: the parent must come before the child.")
            if cond.child in self._condition_of:
                raise ValueError(f"Parameter {cond.child!r} has more than one condition.")
            self._condition_of[cond.child] = cond
        self._default = dict(default) if default is not None else self._midpoint()
        self.validate(self._default)

    # -- activity ----------------------------------------------------------
    def is_active(self, name: str, config: Mapping[str, Any]) -> bool:
        """Whether ``name`` takes part in ``config`` given its parents' values."""
        cond = self._condition_of.get(name)
        if cond is None:
            return True
        if not self.is_active(cond.parent, config) or cond.parent not in config:
            return False
        return any(_same(config[cond.parent], v) for v in cond.values)

    # -- configurations ----------------------------------------------------
    def default(self) -> dict:
        """A copy of the default configuration."""
        return dict(self._default)

    def sample(self, rng: np.random.Generator) -> dict:
        """Draw a random configuration (active parameters only)."""
        config: dict[str, Any] = {}
        for name, dist in self.params.items():
            if self.is_active(name, config):
                config[name] = dist.sample(rng)
        return config

    def neighbours(self, config: Mapping[str, Any], rng: np.random.Generator, n: int,
                   scale: float = 0.15) -> list[dict]:
        """``n`` configurations near ``config``: its encoding plus Gaussian noise of standard
        deviation ``scale`` in every slot, decoded back (so they may repeat, or equal ``config``)."""
        base = self.encode(config)
        return [self.decode(base + rng.normal(scale=scale, size=base.shape)) for _ in range(n)]

    def validate(self, config: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` naming the first problem with ``config``."""
        for name in config:
            if name not in self.params:
                raise ValueError(f"Unknown hyperparameter {name!r}; known: {sorted(self.params)}.")
        for name, dist in self.params.items():
            active = self.is_active(name, config)
            if active and name not in config:
                raise ValueError(f"Hyperparameter {name!r} is active but missing.")
            if not active and name in config:
                raise ValueError(f"Hyperparameter {name!r} is set but inactive under its condition.")
            if active and not dist.contains(config[name]):
                raise ValueError(f"Hyperparameter {name!r}={config[name]!r} is outside {dist}.")

    def _midpoint(self) -> dict:
        config: dict[str, Any] = {}
        for name, dist in self.params.items():
            if self.is_active(name, config):
                config[name] = dist.choices[0] if isinstance(dist, Categorical) else dist.from_unit(0.5)
        return config

    # -- encoding ----------------------------------------------------------
    def encoding_names(self) -> list[str]:
        """Names of the encoding's slots, in order."""
        out: list[str] = []
        for name, dist in self.params.items():
            if isinstance(dist, Categorical):
                out.extend(f"{name}={choice}" for choice in dist.choices)
            else:
                out.append(name)
        return out

    @property
    def n_dims(self) -> int:
        """Length of :meth:`encode`'s output."""
        return len(self.encoding_names())

    def encode(self, config: Mapping[str, Any]) -> np.ndarray:
        """Fixed-length float vector of ``config``.

        A numeric parameter takes one slot holding its position in ``[0, 1]``
        (on the log scale where the range is log-scaled); a categorical one takes
        one slot per choice, one-hot. Inactive parameters are all zeros.
        """
        self.validate(config)
        out = np.zeros(self.n_dims)
        pos = 0
        for name, dist in self.params.items():
            width = len(dist.choices) if isinstance(dist, Categorical) else 1
            if name in config:
                if isinstance(dist, Categorical):
                    out[pos + dist.index(config[name])] = 1.0
                else:
                    out[pos] = dist.to_unit(config[name])
            pos += width
        return out

    def decode(self, vector: Sequence[float]) -> dict:
        """Nearest valid configuration to an encoded (possibly perturbed) vector."""
        vector = np.asarray(vector, dtype=float)
        if vector.shape != (self.n_dims,):
            raise ValueError(f"Expected a vector of length {self.n_dims}, got shape {vector.shape}.")
        config: dict[str, Any] = {}
        pos = 0
        for name, dist in self.params.items():
            width = len(dist.choices) if isinstance(dist, Categorical) else 1
            if self.is_active(name, config):
                chunk = vector[pos : pos + width]
                if isinstance(dist, Categorical):
                    config[name] = dist.choices[int(np.argmax(chunk))]
                else:
                    config[name] = dist.from_unit(float(chunk[0]))
            pos += width
        return config

    # -- serialisation -----------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "params": {name: dist.to_dict() for name, dist in self.params.items()},
            "conditions": [c.to_dict() for c in self.conditions],
            "default": self.default(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchSpace:
        return cls(
            {name: distribution_from_dict(d) for name, d in data["params"].items()},
            conditions=[Condition(c["child"], c["parent"], tuple(c["values"])) for c in data["conditions"]],
            default=data["default"],
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearchSpace) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self.to_dict()))

    def __repr__(self) -> str:
        return f"SearchSpace({', '.join(self.params)})"


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b

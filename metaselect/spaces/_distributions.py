"""Hyperparameter distributions: three small value classes.

Each distribution validates itself on construction, compares and hashes by
value, round-trips through JSON (:meth:`to_dict` / :func:`distribution_from_dict`)
and maps a value to a position in ``[0, 1]`` and back. That unit form is what the
configuration encoding (and so the meta-model) reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Float", "Int", "Categorical", "distribution_from_dict"]


def _check_bounds(kind: str, low: float, high: float, log: bool) -> None:
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{kind} bounds must be finite, got low={low!r}, high={high!r}.")
    if low > high:
        raise ValueError(f"{kind} needs low <= high, got low={low!r}, high={high!r}.")
    if log and low <= 0:
        raise ValueError(f"{kind} with log=True needs low > 0, got low={low!r}.")


@dataclass(frozen=True)
class Float:
    """A real-valued hyperparameter on ``[low, high]``, optionally log-scaled."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        _check_bounds("Float", self.low, self.high, self.log)

    def _fwd(self, x: float) -> float:
        return math.log(x) if self.log else float(x)

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one value uniformly (on the log scale when ``log``)."""
        return self.from_unit(float(rng.uniform()))

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a number inside the bounds."""
        return (
            isinstance(value, (int, float, np.number))
            and not isinstance(value, bool)
            and self.low <= float(value) <= self.high
        )

    def to_unit(self, value: Any) -> float:
        """Position of ``value`` in ``[0, 1]`` (0 is ``low``, 1 is ``high``)."""
        lo, hi = self._fwd(self.low), self._fwd(self.high)
        if hi == lo:
            return 0.5
        u = (self._fwd(float(value)) - lo) / (hi - lo)
        return float(min(1.0, max(0.0, u)))

    def from_unit(self, u: float) -> float:
        """Inverse of :meth:`to_unit` (``u`` is clipped to ``[0, 1]``)."""
        u = min(1.0, max(0.0, float(u)))
        lo, hi = self._fwd(self.low), self._fwd(self.high)
        x = lo + u * (hi - lo)
        value = math.exp(x) if self.log else x
        return float(min(self.high, max(self.low, value)))

    def to_dict(self) -> dict:
        return {"type": "float", "low": self.low, "high": self.high, "log": self.log}


@dataclass(frozen=True)
class Int:
    """An integer hyperparameter on ``[low, high]``, optionally log-scaled."""

    low: int
    high: int
    log: bool = False

    def __post_init__(self) -> None:
        for bound in (self.low, self.high):
            if isinstance(bound, bool) or not isinstance(bound, (int, np.integer)):
                raise TypeError(f"Int bounds must be integers, got {bound!r}.")
        _check_bounds("Int", self.low, self.high, self.log)

    def _float(self) -> Float:
        # Widen by half a step so that every integer owns an equal slice of [0, 1].
        # (log=True needs low >= 1, so low - 0.5 stays positive.)
        return Float(self.low - 0.5, self.high + 0.5, log=self.log)

    def sample(self, rng: np.random.Generator) -> int:
        """Draw one integer (log-uniformly when ``log``)."""
        return self.from_unit(float(rng.uniform()))

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is an integer inside the bounds."""
        return (
            isinstance(value, (int, np.integer))
            and not isinstance(value, bool)
            and self.low <= int(value) <= self.high
        )

    def to_unit(self, value: Any) -> float:
        """Position of ``value`` in ``[0, 1]``."""
        return self._float().to_unit(float(value))

    def from_unit(self, u: float) -> int:
        """Inverse of :meth:`to_unit`: the integer whose slice contains ``u``."""
        value = int(round(self._float().from_unit(u)))
        return int(min(self.high, max(self.low, value)))

    def to_dict(self) -> dict:
        return {"type": "int", "low": int(self.low), "high": int(self.high), "log": self.log}


@dataclass(frozen=True)
class Categorical:
    """A choice among a fixed tuple of JSON-compatible values."""

    choices: tuple

    def __post_init__(self) -> None:
        choices = tuple(self.choices)
        if not choices:
            raise ValueError("Categorical needs at least one choice.")
        for choice in choices:
            if choice is not None and not isinstance(choice, (str, int, float, bool)):
                raise TypeError(
                    f"Categorical choices must be None, str, int, float or bool; got {choice!r}."
                )
        if len(set(map(repr, choices))) != len(choices):
            raise ValueError(f"Categorical choices must be unique, got {choices!r}.")
        object.__setattr__(self, "choices", choices)

    def index(self, value: Any) -> int:
        """Position of ``value`` among the choices (type-aware: ``1`` is not ``True``)."""
        for i, choice in enumerate(self.choices):
            if type(choice) is type(value) and choice == value:
                return i
            if choice is None and value is None:
                return i
        raise ValueError(f"{value!r} is not one of the choices {self.choices!r}.")

    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one choice uniformly."""
        return self.choices[int(rng.integers(len(self.choices)))]

    def contains(self, value: Any) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def to_dict(self) -> dict:
        return {"type": "categorical", "choices": list(self.choices)}


def distribution_from_dict(data: dict) -> Float | Int | Categorical:
    """Rebuild a distribution from :meth:`to_dict` output."""
    kind = data.get("type")
    if kind == "float":
        return Float(float(data["low"]), float(data["high"]), bool(data["log"]))
    if kind == "int":
        return Int(int(data["low"]), int(data["high"]), bool(data["log"]))
    if kind == "categorical":
        return Categorical(tuple(data["choices"]))
    raise ValueError(f"Unknown distribution type {kind!r}; expected float, int or categorical.")

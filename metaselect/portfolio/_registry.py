"""The built-in families, the :class:`Portfolio` of one task, and the configuration encoding.

Encoding (version 1)
--------------------
Every configuration of a task maps to one vector of fixed length
``len(encoding_names(task))``:

* one slot per built-in family of the task, in :data:`FAMILY_ORDER` order,
  one-hot for the configuration's family;
* then, for each family in the same order, the slots of its
  :meth:`SearchSpace.encode` (numeric parameters in ``[0, 1]``, categorical
  parameters one-hot), zero for every family but the configuration's own.

The layout only grows by appending; any change that moves a slot bumps
:data:`ENCODING_VERSION`, which knowledge bases and meta-models record.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.utils import check_random_state

from . import _kernel, _linear, _neural, _trees
from ._family import TASKS, Config, Family

__all__ = [
    "ENCODING_VERSION",
    "FAMILY_ORDER",
    "Portfolio",
    "builtin_families",
    "decode_config",
    "encode_config",
    "encoding_names",
]

ENCODING_VERSION = 1

FAMILY_ORDER = {
    "classification": (
        "logistic_regression", "lda", "qda", "gaussian_nb", "svm", "knn", "decision_tree",
        "random_forest", "extra_trees", "hist_gradient_boosting", "gradient_boosting",
        "adaboost", "mlp",
    ),
    "regression": (
        "ridge", "elastic_net", "svm", "knn", "decision_tree", "random_forest", "extra_trees",
        "hist_gradient_boosting", "gradient_boosting", "adaboost", "mlp",
    ),
}  # fmt: skip

_BUILTIN = {
    (f.task, f.name): f
    for f in _linear.FAMILIES + _kernel.FAMILIES + _trees.FAMILIES + _neural.FAMILIES
}


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}.")


def builtin_families(task: str) -> list[Family]:
    """The built-in families of ``task``, in encoding order."""
    _check_task(task)
    return [_BUILTIN[task, name] for name in FAMILY_ORDER[task]]


def encoding_names(task: str) -> list[str]:
    """Names of the encoding slots of ``task`` (see the module docstring)."""
    families = builtin_families(task)
    names = [f"family={f.name}" for f in families]
    for f in families:
        names.extend(f"{f.name}:{slot}" for slot in f.space.encoding_names())
    return names


@functools.cache
def _layout(task: str) -> tuple[dict[str, int], dict[str, int], int]:
    """Per built-in family of ``task``: its one-hot position and the offset of its block; the length."""
    families = builtin_families(task)
    position = {f.name: i for i, f in enumerate(families)}
    offsets, pos = {}, len(families)
    for f in families:
        offsets[f.name] = pos
        pos += f.space.n_dims
    return position, offsets, pos


@functools.lru_cache(maxsize=2**16)
def _encoded(task: str, config: Config) -> np.ndarray:
    family = config.family
    position, offsets, length = _layout(task)
    out = np.zeros(length)
    out[position[family]] = 1.0
    block = _BUILTIN[task, family].space.encode(config.params)
    out[offsets[family]: offsets[family] + len(block)] = block
    out.flags.writeable = False
    return out


def encode_config(config: Config, task: str) -> np.ndarray:
    """Encode a configuration of a built-in family of ``task`` (remembered per configuration: a
    search encodes the same ones many times)."""
    _check_task(task)
    if config.family not in FAMILY_ORDER[task]:
        raise ValueError(f"{config.family!r} is not a built-in {task} family; known: {list(FAMILY_ORDER[task])}.")
    return _encoded(task, config).copy()


def decode_config(vector: Sequence[float], task: str) -> Config:
    """The configuration nearest to an encoded vector (family = argmax of the one-hot)."""
    families = builtin_families(task)
    vector = np.asarray(vector, dtype=float)
    expected = len(families) + sum(f.space.n_dims for f in families)
    if vector.shape != (expected,):
        raise ValueError(f"Expected an encoding of length {expected}, got shape {vector.shape}.")
    chosen = int(np.argmax(vector[: len(families)]))
    pos = len(families)
    for i, f in enumerate(families):
        if i == chosen:
            return Config(f.name, f.space.decode(vector[pos : pos + f.space.n_dims]))
        pos += f.space.n_dims
    raise AssertionError("unreachable")  # pragma: no cover


class Portfolio:
    """The algorithm families a search may use for one task.

    Parameters
    ----------
    task : {"classification", "regression"}
    families : iterable of str or Family, default=None
        Names of built-in families and/or custom :class:`Family` objects.
        ``None`` means every built-in family of the task.
    """

    def __init__(self, task: str, families: Iterable[str | Family] | None = None) -> None:
        _check_task(task)
        self.task = task
        if families is None:
            chosen = builtin_families(task)
        else:
            chosen = [self._resolve(f) for f in families]
        if not chosen:
            raise ValueError("A portfolio needs at least one family.")
        names = [f.name for f in chosen]
        if len(set(names)) != len(names):
            raise ValueError(f"Family names in a portfolio must be unique, got {names}.")
        self.families = {f.name: f for f in chosen}

    def _resolve(self, family: str | Family) -> Family:
        if isinstance(family, Family):
            if family.task != self.task:
                raise ValueError(f"Family {family.name!r} is for {family.task}, not {self.task}.")
            return family
        if (self.task, family) not in _BUILTIN:
            raise ValueError(
                f"Unknown {self.task} family {family!r}; known: {list(FAMILY_ORDER[self.task])}."
            )
        return _BUILTIN[self.task, family]

    def __iter__(self):
        return iter(self.families.values())

    def __len__(self) -> int:
        return len(self.families)

    def __getitem__(self, name: str) -> Family:
        return self.families[name]

    def defaults(self) -> list[Config]:
        """The default configuration of every family."""
        return [f.default_config() for f in self]

    def is_default(self, config: Config) -> bool:
        """Whether ``config`` is its family's default configuration."""
        return config.params == self[config.family].space.default()

    def is_builtin(self, name: str) -> bool:
        """Whether family ``name`` is a built-in one with its built-in space (what the knowledge
        base, the meta-model and the configuration encoding know)."""
        if name not in self.families or name not in FAMILY_ORDER.get(self.task, ()):
            return False
        return self[name].space == _BUILTIN[self.task, name].space

    def sample(self, n: int, random_state=None, weights: dict[str, float] | None = None) -> list[Config]:
        """``n`` random configurations; families drawn with ``weights`` (uniform by default)."""
        rng = np.random.default_rng(check_random_state(random_state).randint(2**31))
        names = list(self.families)
        p = np.array([max(float((weights or {}).get(name, 1.0)), 0.0) for name in names])
        p = p / p.sum() if p.sum() > 0 else np.full(len(names), 1 / len(names))
        picks = rng.choice(len(names), size=n, p=p)
        return [Config(names[i], self.families[names[i]].space.sample(rng)) for i in picks]

    def build(self, config: Config, random_state=None, n_rows: int | None = None):
        """An unfitted estimator (without preprocessing) for ``config``, to be fitted on ``n_rows``
        rows if given (see :meth:`Family.build`)."""
        return self.families[config.family].build(config.params, random_state, n_rows=n_rows)

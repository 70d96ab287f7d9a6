"""The rows of a rung: a fixed subsample per size, and its validation splits."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import resample
from sklearn.utils.validation import _check_method_params

__all__ = ["HOLDOUT_FOLDS", "RungRows"]

#: ``cv="holdout"`` validates on one fold of a shuffled K-fold of this many folds (a fifth).
HOLDOUT_FOLDS = 5


class RungRows:
    """Row subsamples and validation splits per rung size, the same for every candidate of a rung.

    Parameters
    ----------
    y : ndarray
        The target (label positions for classification).
    cv : int, "holdout", cross-validation generator or iterable
        ``"holdout"``: one split per rung, a shuffled (stratified for classifiers)
        fifth of the rung's rows held out (one fold of a ``HOLDOUT_FOLDS``-fold).
    classifier : bool
    random_state : int
    split_params : dict of per-row arrays, default=None
        Metadata for the splitter's ``split`` (``groups`` for ``GroupKFold``), over all
        rows; a rung's splitter gets the values of the rung's rows.
    """

    def __init__(self, y, cv, classifier: bool, random_state: int, split_params=None) -> None:
        self.y, self.cv, self.classifier, self.random_state = y, cv, classifier, random_state
        self.split_params = dict(split_params or {})
        self.n_samples = y.shape[0]
        self._cache: dict[int, tuple] = {}

    def __call__(self, n_samples: int):
        """Row indices (a fixed subsample per size, stratified for classifiers) and CV splits."""
        if n_samples not in self._cache:
            idx = np.arange(self.n_samples)
            if n_samples < self.n_samples:
                idx = np.sort(resample(idx, n_samples=n_samples, replace=False,
                                       stratify=self.y if self.classifier else None,
                                       random_state=self.random_state + n_samples))
            y_sub = self.y[idx]
            cv = HOLDOUT_FOLDS if self.holdout else self.cv
            if isinstance(cv, int | np.integer):  # no more folds than the rows (or largest class) allow
                limit = np.bincount(y_sub).max() if self.classifier else len(idx) // 2
                cv = max(2, min(int(cv), len(idx), int(limit)))
            if self.holdout:  # the first fold of a shuffled K-fold
                kind = StratifiedKFold if self.classifier else KFold
                cv = kind(cv, shuffle=True, random_state=self.random_state + n_samples)
            split_params = _check_method_params(self.y, self.split_params, idx)  # groups follow the rows
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                splitter = check_cv(cv, y_sub, classifier=self.classifier)
                folds = splitter.split(np.zeros(len(idx)), y_sub, **split_params)
                folds = itertools.islice(folds, 1 if self.holdout else None)
                splits = [(idx[tr], idx[te]) for tr, te in folds]
            self._cache[n_samples] = (idx, splits)
        return self._cache[n_samples]

    @property
    def holdout(self) -> bool:
        """Whether candidates are validated on one held-out fold instead of cross-validated."""
        return isinstance(self.cv, str) and self.cv == "holdout"

    @property
    def validated_share(self) -> float:
        """Share of a rung's rows a candidate is scored on: all of them with K-fold
        cross-validation (each row once), a ``1 / HOLDOUT_FOLDS`` with the holdout."""
        return 1 / HOLDOUT_FOLDS if self.holdout else 1.0

    def n_splits(self, n_samples: int) -> int:
        return len(self(n_samples)[1])

    def train_rows(self, n_samples: int) -> int:
        """Rows a model is trained on in one fold of a rung of ``n_samples`` rows."""
        return len(self(n_samples)[1][0][0])

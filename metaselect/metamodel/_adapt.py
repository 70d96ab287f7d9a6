"""In-run adaptation: refine the predictions for untried configurations from the scores seen so far.

A search calls an adapter after each evaluation (or rung) on the dataset at
hand, then asks it to rank what it has not tried::

    adapter = ABLRAdapter(model, meta_vector, candidate_encodings)
    adapter.update(tried_encodings, raw_scores)      # all observations so far
    order = np.argsort(-adapter.predict(candidate_encodings))

Three designs, measured by the anytime yardstick (``benchmarks/meta_eval.py
--anytime``, docs/metamodel.md):

* :class:`ResidualAdapter`: the search's existing correction
  (``search/_propose.residual_correction``: a linear map of the network's
  prediction plus a ridge on the encodings, from 3 observations on);
* :class:`ABLRAdapter`: Bayesian linear regression on the last hidden layer of
  the pre-trained network (ABLR, Perrone et al. 2018), written as a Gaussian
  process with a linear kernel; its hyperparameters (feature and noise
  variance) maximise the marginal likelihood over a small grid at each update;
* :class:`DatasetReweighting`: the training datasets weighted by how closely
  their scores on the configurations tried so far match the observed ones
  (a kernel on raw scores), predicting each configuration's weighted mean
  normalised score or, with ``improvement=True``, the weighted mean gain over
  each training dataset's best among the tried configurations (the greedy
  portfolio's objective, localised to datasets like this one).

All numpy (the residual correction uses scikit-learn's ridge). With 5 to 30
observations and 104 candidates, one update and prediction took 1.4 to 2 ms
(reweighting), 4 to 7 ms (ABLR) and 15 to 19 ms (residual) on a loaded 2-core
machine (docs/metamodel.md).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ABLRAdapter", "DatasetReweighting", "ResidualAdapter"]


class _Adapter:
    """Shared bookkeeping: observations as (encodings, raw scores)."""

    def __init__(self) -> None:
        self._x = np.empty((0, 0))
        self._y = np.empty(0)

    def update(self, encodings, scores):
        """Set the observations so far (raw scores, higher is better; NaN = failed) and refit.

        Parameters
        ----------
        encodings : ndarray (n_observed, n_enc)
        scores : ndarray (n_observed,)

        Returns
        -------
        self
        """
        encodings = np.atleast_2d(np.asarray(encodings, dtype=float))
        scores = np.asarray(scores, dtype=float).ravel()
        if len(encodings) != len(scores):
            raise ValueError(f"{len(encodings)} encodings but {len(scores)} scores.")
        if len(scores):
            worst = np.nanmin(scores) if np.isfinite(scores).any() else 0.0
            scores = np.where(np.isfinite(scores), scores, worst)  # a failure scores the worst seen
        self._x, self._y = encodings, scores
        self._fit()
        return self

    def _fit(self) -> None:
        raise NotImplementedError

    def predict(self, encodings) -> np.ndarray:
        raise NotImplementedError


class _NetworkFeatures:
    """The network's prediction and last hidden layer for encodings on one dataset (cached by row)."""

    def __init__(self, model, meta_vector, candidates=None) -> None:
        self.model = model
        self.z = model.standardise(np.asarray(meta_vector, dtype=float))
        self._rows: dict[bytes, int] = {}
        self._pred = np.empty(0)
        self._hidden = None
        if candidates is not None and len(candidates):
            self(np.atleast_2d(np.asarray(candidates, dtype=float)))

    def __call__(self, encodings):
        encodings = np.atleast_2d(np.asarray(encodings, dtype=float))
        keys = [row.tobytes() for row in encodings]
        missing = list({k: i for i, k in enumerate(keys) if k not in self._rows}.values())
        if missing:
            pred, hidden = self._compute(encodings[missing])
            self._rows.update({keys[i]: len(self._pred) + j for j, i in enumerate(missing)})
            self._pred = np.concatenate([self._pred, pred])
            self._hidden = hidden if self._hidden is None else np.vstack([self._hidden, hidden])
        rows = np.fromiter((self._rows[k] for k in keys), dtype=int, count=len(keys))
        return self._pred[rows], self._hidden[rows]

    def _compute(self, encodings):
        model = self.model
        x = model.inputs(self.z, encodings)
        hidden = []
        for layers in model.members:
            h = x
            for W, b in layers[:-1]:
                h = np.maximum(h @ W + b, 0.0)
            hidden.append(h)
        out = model.forward(x)[:, 0]
        if model.memory is not None and model.info.get("prior_weight"):
            out = out + model.info["prior_weight"] * x[:, -2]
        return out, np.hstack(hidden) / np.sqrt(len(hidden))


class ResidualAdapter(_Adapter):
    """The search's residual correction (``search/_propose.residual_correction``) as an adapter.

    Parameters
    ----------
    model : MetaModel
    meta_vector : ndarray
        The dataset's raw meta-features in ``model.meta_names`` order.
    candidates : ndarray, default=None
        Encodings to precompute the network's predictions for.
    """

    def __init__(self, model, meta_vector, candidates=None) -> None:
        super().__init__()
        self._features = _NetworkFeatures(model, meta_vector, candidates)
        self._correct = None

    def _fit(self) -> None:
        from ..search._propose import residual_correction

        pred, _ = self._features(self._x) if len(self._y) else (np.empty(0), None)
        self._correct = residual_correction(list(self._y), pred, self._x) if len(self._y) else None

    def predict(self, encodings) -> np.ndarray:
        pred, _ = self._features(encodings)
        if self._correct is None:
            return pred
        return self._correct(pred, np.atleast_2d(np.asarray(encodings, dtype=float)))


class ABLRAdapter(_Adapter):
    """Bayesian linear regression on the network's prediction and last hidden layer.

    ``score = a + b * f(x) + phi(x) . w + noise``, with ``a, b ~ N(0, 1)`` (raw
    scores lie in about ``[0, 1]``, as do the network's normalised predictions
    ``f``) and ``w ~ N(0, feature_var / dim)`` on the standardised hidden units
    ``phi`` of every ensemble member. Before any observation, and while the
    data cannot tell ``a`` from ``b``, the order is the network's.

    Parameters
    ----------
    model : MetaModel
    meta_vector : ndarray
    candidates : ndarray, default=None
        Encodings whose features set the standardisation of ``phi`` (and are cached).
    feature_vars, noise_vars : tuple of float
        The grid the marginal likelihood chooses from at each update.
    """

    def __init__(self, model, meta_vector, candidates=None, feature_vars=(1e-4, 1e-3, 1e-2),
                 noise_vars=(1e-4, 1e-3)) -> None:
        super().__init__()
        self._features = _NetworkFeatures(model, meta_vector, candidates)
        reference = candidates if candidates is not None else model.memory.encodings
        _, hidden = self._features(reference)
        self._mean = hidden.mean(0)
        self._std = np.where(hidden.std(0) > 1e-9, hidden.std(0), 1.0)
        self.feature_vars = tuple(feature_vars)
        self.noise_vars = tuple(noise_vars)
        self.chosen_ = None
        self._alpha = None

    def _design(self, encodings):
        pred, hidden = self._features(encodings)
        phi = (hidden - self._mean) / self._std
        return pred, phi / np.sqrt(phi.shape[1])

    def _kernel(self, f1, p1, f2, p2, feature_var):
        return 1.0 + np.outer(f1, f2) + feature_var * p1 @ p2.T

    def _fit(self) -> None:
        self._alpha = None
        if not len(self._y):
            return
        f, p = self._design(self._x)
        best = -np.inf
        for fv in self.feature_vars:
            for nv in self.noise_vars:
                K = self._kernel(f, p, f, p, fv) + nv * np.eye(len(f))
                L = np.linalg.cholesky(K)
                alpha = np.linalg.solve(L.T, np.linalg.solve(L, self._y))
                evidence = -0.5 * self._y @ alpha - np.log(np.diag(L)).sum()
                if evidence > best:
                    best, self._alpha, self._L, self.chosen_ = evidence, alpha, L, (fv, nv)
        self._f, self._p = f, p

    def predict(self, encodings, return_std: bool = False):
        """Posterior mean of the raw score (before any update: the network's prediction)."""
        f, p = self._design(encodings)
        if self._alpha is None:
            return (f, np.full(len(f), np.nan)) if return_std else f
        k = self._kernel(f, p, self._f, self._p, self.chosen_[0])
        mean = k @ self._alpha
        if not return_std:
            return mean
        v = np.linalg.solve(self._L, k.T)
        prior = 1.0 + f**2 + self.chosen_[0] * (p**2).sum(1)
        return mean, np.sqrt(np.maximum(prior - (v**2).sum(0), 0.0))


class DatasetReweighting(_Adapter):
    """Training datasets weighted by how well their raw scores match the ones observed.

    Parameters
    ----------
    encodings : ndarray (n_configs, n_enc)
        The configurations of the training matrices.
    target : ndarray (n_datasets, n_configs)
        Normalised scores of the training datasets.
    scores : ndarray (n_datasets, n_configs)
        Their raw scores (clipped at 0, failures at the dataset's worst).
    bandwidth : float, default=0.05
        Of the Gaussian kernel on the root mean squared raw-score difference.
    prior : ndarray (n_datasets,), default=None
        Weights before any observation (e.g. from meta-feature distance); uniform by default.
    family_slots : int, default=0
        Leading one-hot family slots: an encoding not in ``encodings`` borrows the
        column of the nearest one of its family.
    """

    def __init__(self, encodings, target, scores, bandwidth: float = 0.05, prior=None,
                 family_slots: int = 0) -> None:
        super().__init__()
        self.encodings = np.asarray(encodings, dtype=float)
        self.target = np.asarray(target, dtype=float)
        self.scores = np.asarray(scores, dtype=float)
        self.bandwidth = float(bandwidth)
        n = len(self.target)
        self.prior = np.full(n, 1.0 / n) if prior is None else np.asarray(prior, float) / np.sum(prior)
        self.family_slots = int(family_slots)
        self._index = {row.tobytes(): j for j, row in enumerate(self.encodings)}
        self.weights_ = self.prior.copy()
        self._current = np.zeros(n)

    def columns(self, encodings) -> np.ndarray:
        """The training column of each encoding (exact match, else nearest of the same family)."""
        encodings = np.atleast_2d(np.asarray(encodings, dtype=float))
        out = np.empty(len(encodings), dtype=int)
        for i, row in enumerate(encodings):
            key = row.tobytes()
            j = self._index.get(key)
            if j is None:
                same = np.arange(len(self.encodings))
                if self.family_slots:
                    fam = self.encodings[:, : self.family_slots].argmax(1) == row[: self.family_slots].argmax()
                    same = np.flatnonzero(fam) if fam.any() else same
                j = int(same[np.argmin(np.linalg.norm(self.encodings[same] - row, axis=1))])
                self._index[key] = j  # a search asks for the same configurations again and again
            out[i] = j
        return out

    def _fit(self) -> None:
        if not len(self._y):
            self.weights_, self._current = self.prior.copy(), np.zeros(len(self.target))
            return
        cols = self.columns(self._x)
        rmse2 = np.mean((self.scores[:, cols] - self._y) ** 2, axis=1)
        logw = np.log(self.prior) - 0.5 * len(cols) * rmse2 / self.bandwidth**2
        w = np.exp(logw - logw.max())
        self.weights_ = w / w.sum()
        self._current = self.target[:, cols].max(axis=1)

    def predict(self, encodings, improvement: bool = False) -> np.ndarray:
        """Weighted mean normalised score, or (``improvement``) weighted mean gain over the tried ones."""
        values = self.target[:, self.columns(encodings)]
        if improvement:
            values = np.maximum(values - self._current[:, None], 0.0)
        return self.weights_ @ values

"""Weighted-average ensembles of fitted pipelines, usable as fitted estimators."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._html import parallel_block

__all__ = ["EnsembleClassifier", "EnsembleRegressor"]

logger = logging.getLogger(__name__)


class _BaseEnsemble(BaseEstimator):
    """Members and weights shared by the ensemble classifier and regressor.

    Fitted state comes from the ``estimators`` parameter until :meth:`fit` is
    called; after that, from the members :meth:`fit` refitted.
    """

    def __init__(self, estimators, weights):
        self.estimators = estimators
        self.weights = weights

    @property
    def estimators_(self):
        """The members with non-zero weight (refitted ones after :meth:`fit`)."""
        refitted = self.__dict__.get("_refitted")
        return refitted[0] if refitted is not None else _nonzero(self.estimators, self.weights)[0]

    @property
    def weights_(self):
        """Weights of :attr:`estimators_`, normalised to sum to 1."""
        refitted = self.__dict__.get("_refitted")
        return refitted[1] if refitted is not None else _nonzero(self.estimators, self.weights)[1]

    @property
    def n_features_in_(self):
        """Number of input features, when every member reports the same number."""
        counts = {getattr(member, "n_features_in_", None) for member in self.estimators_}
        if len(counts) != 1 or None in counts:
            name = type(self).__name__
            raise AttributeError(f"The members of this {name} do not share an 'n_features_in_'.")
        return counts.pop()

    def _sk_visual_block_(self):
        """Notebooks draw the members side by side, each with its weight."""
        members, weights = _nonzero(self.estimators, self.weights)
        names = [f"{_member_name(m)} (weight {w:.2f})" for m, w in zip(members, weights, strict=True)]
        return parallel_block(members, names, [str(m) for m in members])

    def __sklearn_is_fitted__(self):
        try:
            for member in self.estimators_:
                check_is_fitted(member)
        except NotFittedError:
            return False
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        members = [get_tags(member) for member in self.estimators]
        tags.input_tags.sparse = all(member.input_tags.sparse for member in members)
        tags.input_tags.allow_nan = all(member.input_tags.allow_nan for member in members)
        tags.input_tags.string = all(member.input_tags.string for member in members)
        tags.target_tags.multi_output = all(member.target_tags.multi_output for member in members)
        tags.non_deterministic = any(member.non_deterministic for member in members)
        return tags

    def fit(self, X, y):
        """Refit every member with non-zero weight on ``(X, y)``, keeping the weights.

        Not needed when the members are already fitted: the ensemble can
        predict right after construction. ``fit`` clones the members first, so
        the estimators passed as ``estimators`` are left untouched. The weights
        are not re-selected; use :func:`ensemble_selection` for that.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, in whatever form the members accept.
        y : array-like of shape (n_samples,)
            Targets.

        Returns
        -------
        self : object
            The refitted ensemble.
        """
        estimators, weights = _nonzero(self.estimators, self.weights)
        logger.debug("refitting %d ensemble members", len(estimators))
        self._refitted = ([clone(member).fit(X, y) for member in estimators], weights)
        return self

    def _weighted_sum(self, method, X, align=None):
        check_is_fitted(self)
        total = None
        for member, weight in zip(self.estimators_, self.weights_, strict=True):
            output = np.asarray(getattr(member, method)(X), dtype=float)
            output = align(member, output) if align is not None else output
            total = weight * output if total is None else total + weight * output
        return total


class EnsembleClassifier(ClassifierMixin, _BaseEnsemble):
    """Weighted average of fitted classifiers' class probabilities.

    Built from already-fitted members (typically the pipelines chosen by
    :func:`ensemble_selection`), it predicts straight away, without ``fit``.
    Like any scikit-learn estimator, ``clone`` returns an unfitted copy (the
    members are cloned too); its :meth:`fit` refits every member with non-zero
    weight on new data and keeps the weights.

    Parameters
    ----------
    estimators : list of estimators
        The members, each with ``predict_proba`` and ``classes_`` (once fitted).
    weights : array-like of shape (n_estimators,)
        Non-negative weights, not all zero; normalised to sum to 1. Members
        with zero weight are dropped.
    classes : array-like of shape (n_classes,), default=None
        The class labels, in the column order of :meth:`predict_proba`.
        ``None``: the sorted union of the members' ``classes_``. A member that
        never saw a class contributes probability 0 to it.

    Attributes
    ----------
    estimators_ : list of estimators
        The members with non-zero weight (refitted copies after :meth:`fit`).
    weights_ : ndarray of shape (n_members,)
        Their weights, summing to 1.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of input features, when all members report the same number.

    See Also
    --------
    ensemble_selection : choose the weights from out-of-fold predictions.
    EnsembleRegressor : the regression counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> X, y = load_iris(return_X_y=True)
    >>> members = [LogisticRegression(max_iter=500).fit(X, y), GaussianNB().fit(X, y)]
    >>> ensemble = EnsembleClassifier(members, [0.75, 0.25])
    >>> ensemble.predict_proba(X[:1]).shape
    (1, 3)
    """

    def __init__(self, estimators, weights, classes=None):
        super().__init__(estimators, weights)
        self.classes = classes

    @property
    def classes_(self):
        """The class labels, in the column order of :meth:`predict_proba`."""
        if self.classes is not None:
            return np.asarray(self.classes)
        labels = [np.asarray(member.classes_) for member in self.estimators_]
        return np.unique(np.concatenate(labels))

    def fit(self, X, y):
        """Refit every member with non-zero weight on ``(X, y)``, keeping the weights.

        See :meth:`EnsembleRegressor.fit`; in addition, ``y`` may only hold
        labels from ``classes`` when that is given.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, in whatever form the members accept.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The refitted ensemble.
        """
        if self.classes is not None:
            unknown = np.setdiff1d(np.asarray(y), self.classes_)
            if unknown.size:
                raise ValueError(f"y has labels {unknown.tolist()} that are not in 'classes'.")
        return super().fit(X, y)

    @available_if(lambda self: _members_have(self, "predict_proba"))
    def predict_proba(self, X):
        """Weighted average of the members' class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data, in whatever form the members accept.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of :attr:`classes_`.
        """
        check_is_fitted(self)
        classes = self.classes_
        position = {label: index for index, label in enumerate(classes.tolist())}

        def align(member, proba):
            labels = np.asarray(member.classes_).tolist()
            missing = [label for label in labels if label not in position]
            if missing:
                raise ValueError(
                    f"Member {member!r} predicts classes {missing} that are not in classes_."
                )
            aligned = np.zeros((proba.shape[0], len(classes)))
            aligned[:, [position[label] for label in labels]] = proba
            return aligned

        return self._weighted_sum("predict_proba", X, align)

    def predict(self, X):
        """Class with the highest averaged probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data, in whatever form the members accept.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from :attr:`classes_`.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class EnsembleRegressor(RegressorMixin, _BaseEnsemble):
    """Weighted average of fitted regressors' predictions.

    Built from already-fitted members (typically the pipelines chosen by
    :func:`ensemble_selection`), it predicts straight away, without ``fit``.
    Like any scikit-learn estimator, ``clone`` returns an unfitted copy (the
    members are cloned too); its :meth:`fit` refits every member with non-zero
    weight on new data and keeps the weights.

    Parameters
    ----------
    estimators : list of estimators
        The members, each with ``predict``.
    weights : array-like of shape (n_estimators,)
        Non-negative weights, not all zero; normalised to sum to 1. Members
        with zero weight are dropped.

    Attributes
    ----------
    estimators_ : list of estimators
        The members with non-zero weight (refitted copies after :meth:`fit`).
    weights_ : ndarray of shape (n_members,)
        Their weights, summing to 1.
    n_features_in_ : int
        Number of input features, when all members report the same number.

    See Also
    --------
    ensemble_selection : choose the weights from out-of-fold predictions.
    EnsembleClassifier : the classification counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyRegressor
    >>> X, y = np.zeros((4, 1)), np.array([0.0, 1.0, 2.0, 5.0])
    >>> members = [DummyRegressor().fit(X, y), DummyRegressor(strategy="median").fit(X, y)]
    >>> EnsembleRegressor(members, [1, 1]).predict(X[:1])
    array([1.75])
    """

    def predict(self, X):
        """Weighted average of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data, in whatever form the members accept.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Averaged predictions.
        """
        return self._weighted_sum("predict", X)


def _members_have(ensemble, method):
    """Whether every member has ``method`` (``True`` on invalid weights: the call reports them)."""
    try:
        members = ensemble.estimators_
    except ValueError:
        return True
    return all(hasattr(member, method) for member in members)


def _nonzero(estimators, weights):
    """Validate members and weights; keep the members with positive weight, normalised."""
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 1 or len(weights) != len(estimators):
        raise ValueError(
            f"'weights' must be 1-d with one weight per estimator ({len(estimators)}); got shape {weights.shape}."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError(
            f"'weights' must be finite, non-negative and not all zero; got {weights.tolist()}."
        )
    keep = weights > 0
    members = [member for member, k in zip(estimators, keep, strict=True) if k]
    return members, weights[keep] / weights[keep].sum()


def _member_name(member) -> str:
    """A member's model: the last step of a pipeline, or the member itself."""
    steps = getattr(member, "steps", None)
    return type(steps[-1][1] if steps else member).__name__

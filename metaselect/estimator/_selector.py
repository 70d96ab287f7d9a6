"""The MetaSelector estimators."""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import metafeatures
from .._html import _VisualBlock, serial_block
from .._tasks import SCORING
from ..knowledge._experience import write_experience
from ..metamodel import MetaModelRanker, learn_from_experience
from ..portfolio import Portfolio
from ..preprocessing import check_2d, check_X, check_y, infer_task
from ..search import (
    AdaptiveHalving,
    Budget,
    ProgressBar,
    RankingContext,
    Runner,
    SearchView,
    TqdmLoggingHandler,
    ZeroShot,
    resolve_cv,
)
from ._ensembling import refit_winner
from ._leaderboard import make_leaderboard
from ._routing import fit_metadata, selector_routing
from ._transaction import transactional
from ._versioning import VersionedPickleMixin

__all__ = ["MetaSelector", "MetaSelectorClassifier", "MetaSelectorRegressor"]

logger = logging.getLogger("metaselect")



def _best_has(attr):
    def check(self):
        check_is_fitted(self)
        return hasattr(self.best_estimator_, attr)

    return check


@contextmanager
def _feedback(verbose: int, budget):
    """What a person sees during a fit: ``verbose=1`` a progress bar over the budget with the
    best so far, plus one log line per bracket and the winner; ``verbose=2`` also logs every
    candidate. Log lines go to stderr through tqdm (above the bar) unless the application
    configured handlers for the ``metaselect`` logger itself. Yields the runner's callbacks."""
    if not verbose:
        yield []
        return
    handler, previous = None, logger.level
    if not logger.handlers:
        handler = TqdmLoggingHandler()
        handler.setFormatter(logging.Formatter("[metaselect] %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
    try:
        if budget.seconds > 0:
            with ProgressBar(budget) as bar:
                yield [bar]
        else:
            yield []
    finally:
        if handler is not None:
            logger.removeHandler(handler)
        logger.setLevel(previous)


class MetaSelector(VersionedPickleMixin, BaseEstimator):
    """Pick, tune and refit the best scikit-learn model for a dataset within a time budget.

    Parameters
    ----------
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"`` infers the task from ``y``: strings, booleans and integer
        labels with at most 20 distinct values mean classification. Prefer
        :class:`MetaSelectorClassifier` / :class:`MetaSelectorRegressor` in
        scikit-learn tooling, which need to know the task before ``fit``.
    time_budget : float, default=60
        Seconds for the whole ``fit`` (search and refit). ``0`` fits the
        top-ranked configuration once, without cross-validation (zero-shot:
        for classification the meta-model's pick among the defaults and 500
        sampled configurations, for regression the learned portfolio's single
        best configuration, then the defaults; the defaults only for a
        dataset out of distribution), within
        :class:`~metaselect.search.ZeroShot`'s ``max_time`` (30 s).
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or ``scorer(estimator, X, y)``. ``None``
        means balanced accuracy (classification) or R^2 (regression).
    cv : "auto", "holdout", int, cross-validation generator or iterable, default="auto"
        How candidates are validated on each rung. An integer means (stratified
        for classifiers) K-fold, as in scikit-learn, capped at the rows of a
        rung. ``"holdout"``: one shuffled (stratified) fifth of a rung's rows
        held out; each candidate is fitted once instead of K times, and rungs
        are five times larger so as many rows are validated. ``"auto"``:
        5-fold, or the holdout when the data is large for the budget (at least
        5,000 rows and more than ``2500 * time_budget`` cells, rows times
        columns), as FLAML does. ``cv_`` says which was used.
    estimators : list of str or Family, default=None
        Restrict the portfolio to these built-in family names, or add custom
        :class:`~metaselect.portfolio.Family` objects. ``None``: all built-ins.
    max_evals : int, default=None
        Stop after this many candidate evaluations (for reproducible runs
        independent of machine speed). ``None``: only the budget stops.
    ranker : Ranker, default=None
        Orders candidates before evaluation. ``None`` uses the pre-trained
        neural meta-model (:class:`~metaselect.metamodel.MetaModelRanker`),
        which falls back on :class:`~metaselect.search.StaticPriorRanker` where
        it has no model.
    search : SearchStrategy, default=None
        How the budget is searched: any object with a ``run(runner)`` method
        (see :class:`~metaselect.search.SearchStrategy`), such as
        :class:`~metaselect.search.SuccessiveHalving` (with its own
        parameters) or :class:`~metaselect.search.ZeroShot`. ``None``:
        ``AdaptiveHalving()`` (successive halving on the learned portfolio,
        adapted to the dataset as it runs), or ``ZeroShot()`` when
        ``time_budget`` is 0.
    ensemble_size : int, default=1
        ``1`` refits the single best candidate. Above 1, greedy ensemble
        selection (Caruana et al., with replacement, ``ensemble_size`` steps)
        runs over the out-of-fold predictions of the candidates evaluated on
        all rows; the ensemble replaces the best single model when it scores
        higher out of fold and at least two members can be refit in the budget.
    memory_limit : float, "auto" or None, default="auto"
        MiB of memory one candidate's evaluation (or the refit) may allocate; a
        candidate that needs more fails alone (``MemoryError`` in the
        leaderboard) instead of exhausting the machine. ``"auto"``: three
        quarters of the memory available when ``fit`` starts, shared between
        parallel workers. ``None``: no cap. Enforced on Linux in the main
        thread of each process (sequential fits and joblib's process workers).
    knowledge_base : str or path, default=None
        A folder of experience: each fit records in it what it measured
        (meta-features, the configurations run on the most rows with their
        scores and times, the validation used), and, with
        ``learn_from_experience``, each fit learns from what it holds (see
        :func:`~metaselect.metamodel.learn_from_experience`: a portfolio and
        transfer rows, numpy only; the network from ``metaselect fine-tune FOLDER``
        when it was run). ``metaselect experience FOLDER --reset`` forgets it.
        ``None`` records and learns nothing.
    learn_from_experience : bool, default=True
        With ``knowledge_base`` and no ``ranker`` given: start from what the
        folder's earlier fits taught instead of the shipped state alone.
        ``False`` only records.
    n_jobs : int, default=None
        Parallel candidate evaluations, through joblib (so ``joblib.parallel_config``
        can switch to a Dask or Ray backend).
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling, cross-validation shuffles, sampled configurations
        and the models' own randomness.
    verbose : int, default=0
        0: silent (warnings only). 1: a progress bar over the time budget
        (tqdm, on stderr) with the best score so far, and one log line per
        bracket and for the winner. 2: also one log line per evaluated
        candidate. Log lines go through :mod:`logging` (logger ``"metaselect"``);
        when the application has configured that logger, its handlers are used.

    Attributes
    ----------
    best_estimator_ : Pipeline
        Preprocessing and the winning model, refit on all rows. For
        classification it is trained on the positions of the labels in
        ``classes_`` (0, 1, ...): some scikit-learn models mishandle labels such
        as ``"1"``/``"2"``; the selector's own ``predict`` returns the labels.
    best_config_ : dict
        ``{"algorithm": name, "params": {...}}`` of the winner, with ``"target_encoding": True``
        when its many-valued columns were target-encoded (docs/search_guide.md); for an ensemble
        ``{"algorithm": "ensemble", "params": {"members": [{algorithm, params, weight}]}}``.
    best_score_ : float
        The winner's mean cross-validated (or holdout) score (an ensemble's: its
        out-of-fold score).
    cv_ : int, "holdout" or the given splitter
        The validation used: ``cv`` with ``"auto"`` resolved.
    leaderboard_ : pandas.DataFrame
        One row per evaluated candidate: algorithm, params, rows, mean and std
        score, fit time, status (ok / pruned / failed / timeout / skipped) and
        error, and the meta-model's predicted score and time.
    task_ : str
        The task that was solved.
    novelty_ : float
        Distance of the dataset from the meta-model's experience (about 1 is
        typical; NaN without a meta-model).
    out_of_distribution_ : bool
        Whether ``novelty_`` was above the model's threshold; the leaderboard
        then carries a ``note`` column saying so.
    meta_features_ : pandas.Series
        The dataset's meta-features (see :func:`metaselect.metafeatures.compute`),
        or ``None`` if they could not be computed.
    scorer_ : callable
        The scorer used.
    classes_ : ndarray
        Class labels (classification only).
    fit_time_ : float
        Wall seconds spent in ``fit``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from metaselect import MetaSelectorClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = MetaSelectorClassifier(time_budget=10, max_evals=6, random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        "task": [StrOptions({"auto", "classification", "regression"})],
        "time_budget": [Interval(Real, 0, None, closed="left")],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "cv": ["cv_object", StrOptions({"auto", "holdout"})],
        "estimators": [list, tuple, None],
        "max_evals": [Interval(Integral, 1, None, closed="left"), None],
        "ranker": [HasMethods(["predictions", "assess"]), None],
        "search": [HasMethods(["run"]), None],
        "ensemble_size": [Interval(Integral, 1, None, closed="left")],
        "memory_limit": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), None],
        "knowledge_base": [str, os.PathLike, None],
        "learn_from_experience": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        task="auto",
        *,
        time_budget=60,
        scoring=None,
        cv="auto",
        estimators=None,
        max_evals=None,
        ranker=None,
        search=None,
        ensemble_size=1,
        memory_limit="auto",
        knowledge_base=None,
        learn_from_experience=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.task = task
        self.time_budget = time_budget
        self.scoring = scoring
        self.cv = cv
        self.estimators = estimators
        self.max_evals = max_evals
        self.ranker = ranker
        self.search = search
        self.ensemble_size = ensemble_size
        self.memory_limit = memory_limit
        self.knowledge_base = knowledge_base
        self.learn_from_experience = learn_from_experience
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _resolve_task(self, y) -> str:
        return infer_task(y) if self.task == "auto" else self.task

    # -- fit -------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    @transactional
    def fit(self, X, y, sample_weight=None, groups=None, **fit_params):
        """Search the portfolio within ``time_budget`` and refit the winner.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Numeric, boolean, categorical and object columns; missing values allowed.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights (non-negative). They reach every candidate's model (its
            ``fit(..., sample_weight=...)``; preprocessing is fitted unweighted), the
            scorer of every validation fold (when it takes ``sample_weight``, as
            scikit-learn's scorers do) and the refit. Rows subsampled for a rung
            keep their weights. A family whose model takes no weights (k-nearest
            neighbours, linear and quadratic discriminant analysis) is not
            fitted: its candidates appear in ``leaderboard_`` as ``"skipped"`` with
            the reason in ``error``. Weights are not resampled into rows: a weighted
            resample would add randomness and hide that the model ignores weights.
            Meta-features, which only rank the candidates, ignore the weights.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group-aware splitter given as ``cv`` (for example
            ``cv=GroupKFold(5)``); they follow the rows subsampled for a rung.
            Built-in validation (``cv`` an int, ``"auto"`` or ``"holdout"``) ignores
            them, with a warning.
        **fit_params : dict
            Other metadata, only with ``sklearn.set_config(enable_metadata_routing=True)``:
            routed to a scorer given as ``scoring`` and a splitter given as ``cv``
            as their requests say (``set_score_request``, ``set_split_request``).
            With routing enabled, a selector inside ``Pipeline``, ``GridSearchCV`` or
            ``cross_validate`` receives ``sample_weight`` / ``groups`` once it
            requests them: ``set_fit_request(sample_weight=True, groups=True)``.

        Returns
        -------
        self : object

        Notes
        -----
        A fit is a transaction: one that raises or is interrupted (``KeyboardInterrupt``)
        leaves a fitted selector as it was, and an unfitted one unfitted.
        """
        started = time.time()
        budget = Budget(self.time_budget)
        X, y, schema, task = self._validate_inputs(X, y)
        self.task_ = task
        scoring = self.scoring or SCORING[task]
        self.scorer_ = get_scorer(scoring) if isinstance(scoring, str) else scoring
        sample_weight, split_params, score_params = fit_metadata(
            self, X, y, self.scorer_, sample_weight, groups, fit_params, classification=task == "classification")
        portfolio = Portfolio(task, self.estimators)
        ranker = self.ranker
        if ranker is None:
            ranker = _default_ranker(self.knowledge_base, self.learn_from_experience)
        seed = int(check_random_state(self.random_state).randint(2**31 - 2**16))
        self.meta_features_ = _meta_features(X, y, task, seed)
        context = RankingContext(task=task, n_samples=X.shape[0], n_features=X.shape[1],
                                 meta_features=self.meta_features_)
        assessment = ranker.assess(portfolio, context)
        context = replace(context, extra={**context.extra, **assessment})
        self.novelty_ = float(assessment.get("novelty", float("nan")))
        self.out_of_distribution_ = bool(assessment.get("out_of_distribution", False))
        if task == "classification":  # search and refit on label positions; predict maps back
            self.classes_, y = np.unique(y, return_inverse=True)
        self.cv_ = resolve_cv(self.cv, X.shape[0], X.shape[1], self.time_budget)
        with _feedback(self.verbose, budget) as callbacks:
            runner = Runner(
                X, y, portfolio=portfolio, schema=schema, scorer=self.scorer_, cv=self.cv_,
                classifier=task == "classification", budget=budget, ranker=ranker, context=context,
                n_jobs=self.n_jobs, random_state=seed, max_evals=self.max_evals,
                memory_limit=self.memory_limit, collect_oof=self.ensemble_size > 1 and self.time_budget > 0,
                callbacks=callbacks, sample_weight=sample_weight, split_params=split_params,
                score_params=score_params,
            )  # fmt: skip
            self._search(runner, scoring)
        self._schema = schema
        self.leaderboard_ = make_leaderboard(runner.history.trials)
        if self.out_of_distribution_:
            self.leaderboard_["note"] = f"out of distribution (novelty {self.novelty_:.2f})"
        if self.knowledge_base is not None and self.meta_features_ is not None and len(runner.history):
            try:
                write_experience(self.knowledge_base, X, y, task, self.meta_features_, runner.history.trials,
                                 scoring=scoring if isinstance(scoring, str) else type(scoring).__name__,
                                 cv=str(self.cv_))
            except OSError as exc:
                logger.warning("Could not record experience in %s: %s", self.knowledge_base, exc)
        self.fit_time_ = time.time() - started
        return self

    def _validate_inputs(self, X, y):
        """Checked ``(X, y, schema, task)``; every error names the problem."""
        name = type(self).__name__
        if y is None:
            raise ValueError(f"{name} requires y to be passed, but the target y is None.")
        check_2d(X)
        validate_data(self, X, reset=True, skip_check_array=True)
        X, schema = check_X(X)
        task = self._resolve_task(y)
        y = check_y(y, classification=task == "classification", estimator_name=name)
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}] (X has {X.shape[0]} rows, y has {y.shape[0]})."
            )
        if X.shape[0] < 2:
            raise ValueError(f"{name} needs at least 2 samples to cross-validate; got 1 sample.")
        if task == "classification" and np.unique(y, return_counts=True)[1].max() < 2:
            raise ValueError(f"{name} needs at least 2 samples of some class to cross-validate; every "
                             f"class of y has a single sample ({y.shape[0]} samples).")
        return X, y, schema, task

    def _search(self, runner, scoring) -> None:
        """Run the search strategy, refit its winner and set the ``best_*`` attributes."""
        if self.out_of_distribution_:
            logger.warning(
                "This dataset is unlike every dataset in the knowledge base (novelty %.2f): "
                "the meta-model's ranking is blended with robust defaults and the search widened.",
                self.novelty_,
            )
        strategy = self.search
        if strategy is None:
            strategy = ZeroShot() if self.time_budget == 0 else AdaptiveHalving()
        unvalidated = strategy.run(SearchView(runner))
        winner = refit_winner(runner, unvalidated, getattr(strategy, "unvalidated_seconds", None),
                              scoring=scoring, ensemble_size=self.ensemble_size)
        self.best_estimator_, self.best_config_, self.best_score_ = (
            winner.estimator, winner.description(), winner.score)
        logger.info("best: %s %s (score %.4f)", self.best_config_["algorithm"],
                    self.best_config_["params"], self.best_score_)

    # -- predict -----------------------------------------------------------------
    def _prepare(self, X):
        check_is_fitted(self)
        check_2d(X)
        validate_data(self, X, reset=False, skip_check_array=True)
        X, _ = check_X(X, schema=self._schema)
        return X

    def predict(self, X):
        """Predict with the refit best pipeline."""
        X = self._prepare(X)
        prediction = self.best_estimator_.predict(X)
        return self.classes_[prediction] if self.task_ == "classification" else prediction

    @available_if(_best_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities (when the winning model provides them)."""
        X = self._prepare(X)
        return self.best_estimator_.predict_proba(X)

    @available_if(_best_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities (when the winning model provides them)."""
        X = self._prepare(X)
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_best_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the winning model (when it has one)."""
        X = self._prepare(X)
        return self.best_estimator_.decision_function(X)

    def score(self, X, y, sample_weight=None):
        """Score with ``scorer_`` (the ``scoring`` used during the search), like ``GridSearchCV``.

        Balanced accuracy for classification and R^2 for regression unless ``scoring``
        says otherwise (the classifier and the regressor too: not their mixins' accuracy).

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to ``scorer_`` when given.

        Returns
        -------
        score : float
            Greater is better, as with every scikit-learn scorer.
        """
        check_is_fitted(self)
        if sample_weight is None:
            return self.scorer_(self, X, y)
        return self.scorer_(self, X, y, sample_weight=sample_weight)

    def get_metadata_routing(self):
        """How ``fit`` routes metadata (see scikit-learn's metadata routing guide).

        The selector consumes ``sample_weight`` and ``groups`` itself; a splitter given
        as ``cv`` and a scorer given as ``scoring`` receive what they request.

        Returns
        -------
        routing : MetadataRouter
        """
        return selector_routing(self)

    def _sk_visual_block_(self):
        """Notebooks draw a fitted selector as the pipeline it chose (an unfitted one as itself)."""
        if not hasattr(self, "best_estimator_"):
            return _VisualBlock("single", self, names=type(self).__name__, name_details=str(self))
        config = self.best_config_
        score = f"CV score {self.best_score_:.4f}" if np.isfinite(self.best_score_) else "zero-shot"
        name = f"best_estimator_: {config['algorithm']} ({score})"
        return serial_block(self.best_estimator_, name, str(config["params"]))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.input_tags.categorical = True
        tags.target_tags.required = True
        return tags


def _meta_features(X, y, task, seed):
    """The dataset's meta-features; a failure here is logged, never fatal to the fit."""
    try:
        return metafeatures.compute(X, y, task, random_state=seed)
    except Exception as exc:  # the search does not need them to run
        logger.warning("Meta-features could not be computed (%s: %s).", type(exc).__name__, exc)
        return None


def _default_ranker(knowledge_base, learn: bool):
    """The shipped meta-model, or what the experience folder ``knowledge_base`` taught it."""
    if knowledge_base is None or not learn:
        return MetaModelRanker()
    try:
        return learn_from_experience(knowledge_base).ranker()
    except (OSError, ValueError) as exc:  # experience must never stop a fit
        logger.warning("Not learning from %s: %s", knowledge_base, exc)
        return MetaModelRanker()


class MetaSelectorClassifier(ClassifierMixin, MetaSelector):
    """:class:`MetaSelector` for classification (stratified CV, ``is_classifier`` is true).

    Parameters are those of :class:`MetaSelector` without ``task``.
    """

    _parameter_constraints = {k: v for k, v in MetaSelector._parameter_constraints.items() if k != "task"}

    def __init__(self, *, time_budget=60, scoring=None, cv="auto", estimators=None, max_evals=None,
                 ranker=None, search=None, ensemble_size=1, memory_limit="auto", knowledge_base=None,
                 learn_from_experience=True, n_jobs=None, random_state=None, verbose=0):
        # sklearn reads parameters from this signature: set exactly these, no ``task``.
        self.time_budget = time_budget
        self.scoring = scoring
        self.cv = cv
        self.estimators = estimators
        self.max_evals = max_evals
        self.ranker = ranker
        self.search = search
        self.ensemble_size = ensemble_size
        self.memory_limit = memory_limit
        self.knowledge_base = knowledge_base
        self.learn_from_experience = learn_from_experience
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _resolve_task(self, y) -> str:
        return "classification"

    # The mixin comes first (scikit-learn's tags need it), so its ``score`` would win:
    # ``scorer_`` scores, as :meth:`MetaSelector.score` documents, not ClassifierMixin.score.
    score = MetaSelector.score


class MetaSelectorRegressor(RegressorMixin, MetaSelector):
    """:class:`MetaSelector` for regression (``is_regressor`` is true).

    Parameters are those of :class:`MetaSelector` without ``task``.
    """

    _parameter_constraints = {k: v for k, v in MetaSelector._parameter_constraints.items() if k != "task"}

    def __init__(self, *, time_budget=60, scoring=None, cv="auto", estimators=None, max_evals=None,
                 ranker=None, search=None, ensemble_size=1, memory_limit="auto", knowledge_base=None,
                 learn_from_experience=True, n_jobs=None, random_state=None, verbose=0):
        # sklearn reads parameters from this signature: set exactly these, no ``task``.
        self.time_budget = time_budget
        self.scoring = scoring
        self.cv = cv
        self.estimators = estimators
        self.max_evals = max_evals
        self.ranker = ranker
        self.search = search
        self.ensemble_size = ensemble_size
        self.memory_limit = memory_limit
        self.knowledge_base = knowledge_base
        self.learn_from_experience = learn_from_experience
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _resolve_task(self, y) -> str:
        return "regression"

    # The mixin comes first (scikit-learn's tags need it), so its ``score`` would win:
    # ``scorer_`` scores, as :meth:`MetaSelector.score` documents, not RegressorMixin.score.
    score = MetaSelector.score

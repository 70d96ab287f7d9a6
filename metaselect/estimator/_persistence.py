"""Saving and loading: a saved selector remembers which versions made it.

Two formats. **skops** (:func:`save_model` / :func:`load_model`; the command
line's default) stores state, not code: loading builds only types on a trust
list (:data:`TRUSTED_TYPES`: metaselect's own and the scikit-learn types a
fitted selector holds) and refuses a file that names any other. **pickle**
(``joblib.dump`` / ``pickle``) stays supported, but loading a pickle runs
whatever code the file names: load only files you made or trust.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.utils.validation import check_is_fitted

from ._selector import MetaSelector
from ._versioning import InconsistentVersionWarning

__all__ = ["TRUSTED_TYPES", "InconsistentVersionWarning", "check_fitted_selector", "load_model", "save_model"]



def _scorer_types() -> list[str]:
    """Every scikit-learn scorer a selector may hold (``scoring`` takes any scorer name)."""
    scorers = [get_scorer(name) for name in get_scorer_names()]
    names = {f"{type(s).__module__}.{type(s).__qualname__}" for s in scorers}
    names |= {f"{s._score_func.__module__}.{s._score_func.__qualname__}" for s in scorers}
    return sorted(names)


#: The types, beyond skops' defaults (builtins, numpy, most of scikit-learn), that a fitted
#: selector holds: of every built-in family, an ensemble, categorical data, any scorer name.
#: Found with ``skops.io.get_untrusted_types``; tests/test_persistence.py checks that each is
#: needed. skops leaves ``Tree`` and ``TreePredictor`` off its own list because their node
#: indices are not bounds-checked: a crafted file can crash the process when it predicts
#: (it cannot run code); metaselect needs them for its tree families.
TRUSTED_TYPES = [
    "builtins.frozenset",  # the canonical categories' literal flags (InputSchema)
    "metaselect.ensemble._estimators.EnsembleClassifier",
    "metaselect.ensemble._estimators.EnsembleRegressor",
    "metaselect.estimator._selector.MetaSelector",
    "metaselect.estimator._selector.MetaSelectorClassifier",
    "metaselect.estimator._selector.MetaSelectorRegressor",
    "metaselect.preprocessing._coerce.CategoryCoercer",
    "metaselect.preprocessing._pipeline.InputSchema",
    "metaselect.preprocessing._temporal.DatetimeFeatures",
    "metaselect.preprocessing._pipeline.clip_magnitude",
    "metaselect.portfolio._linear.SmoothedGaussianNB",
    # a selector's ``search`` and ``ranker`` parameters, when given (plain settings)
    "metaselect.search._adaptive.AdaptiveHalving",
    "metaselect.search._halving.SuccessiveHalving",
    "metaselect.search._ranker.StaticPriorRanker",
    "metaselect.search._strategy.ZeroShot",
    "numpy.dtype",  # SimpleImputer's fitted dtype
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.tree._tree.Tree",
    *_scorer_types(),
]


def save_model(model, file) -> None:
    """Save a fitted selector in the skops format (state only, no code).

    Parameters
    ----------
    model : MetaSelector
        A fitted selector.
    file : str or path
        Where to write it (conventionally ``*.skops``).
    """
    import skops.io

    check_fitted_selector(model, "the model to save")
    skops.io.dump(model, file)


def load_model(file, *, trusted=()):
    """Load a selector saved by :func:`save_model`, trusting only the types a selector holds.

    Parameters
    ----------
    file : str or path
        A skops file.
    trusted : sequence of str, default=()
        Further types to trust, by the names ``skops.io.get_untrusted_types``
        gives (a custom scorer or :class:`~metaselect.portfolio.Family` of
        your own, for example). Trust only types whose code you know.

    Returns
    -------
    model : MetaSelector
        The fitted selector.

    Raises
    ------
    ValueError
        If the file is not a skops file, cannot be read, names types outside
        the trust list, or holds something other than a fitted selector.
    """
    import skops.io

    with open(file, "rb") as stream:
        data = stream.read()
    try:
        untrusted = set(skops.io.get_untrusted_types(data=data))
    except Exception as exc:  # a damaged zip fails in many ways; each becomes one clear error
        raise ValueError(f"{file} is not a readable skops model file ({type(exc).__name__}: {exc})") from exc
    untrusted = sorted(untrusted - set(TRUSTED_TYPES) - set(trusted))
    if untrusted:
        raise ValueError(f"{file} holds types outside metaselect's trust list: {untrusted}. Pass them "
                         "as trusted=[...] only if you know the code they name.")
    try:
        model = skops.io.loads(data, trusted=[*TRUSTED_TYPES, *trusted])
    except Exception as exc:
        raise ValueError(f"{file} could not be loaded as a skops model ({type(exc).__name__}: {exc})") from exc
    check_fitted_selector(model, file)
    return model


def check_fitted_selector(model, source) -> None:
    """Raise ``ValueError`` unless ``model`` is a fitted :class:`MetaSelector`.

    Parameters
    ----------
    model : object
        What was loaded.
    source : str or path
        Where it came from, for the message.
    """
    if not isinstance(model, MetaSelector):
        raise ValueError(f"{source} holds a {type(model).__module__}.{type(model).__qualname__}, "
                         "not a metaselect model")
    try:
        check_is_fitted(model, ["best_estimator_", "task_", "_schema"])
    except NotFittedError as exc:
        raise ValueError(f"{source} holds an unfitted {type(model).__name__}") from exc

"""scikit-learn's own estimator checks, run over both task-specific selectors."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor

# A small, deterministic configuration: max_evals (not the clock) ends the search,
# so checks that compare two fits (idempotence, pickling) see identical runs.
FAST = dict(time_budget=30, max_evals=4, cv=3, random_state=0)


def _expected_failures(estimator):
    # None: every applicable check must pass.
    return {}


@parametrize_with_checks(
    [MetaSelectorClassifier(**FAST), MetaSelectorRegressor(**FAST)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)

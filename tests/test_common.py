"""scikit-learn's own estimator checks, run over both task-specific selectors."""

import itertools
import time

from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import check_fit_idempotent, parametrize_with_checks

from metaselect import MetaSelector, MetaSelectorClassifier, MetaSelectorRegressor

# max_evals, not the clock, ends the search, so checks that compare two fits (idempotence,
# pickling, y as a column) see identical runs on a busy machine too: the budget is far beyond
# what 4 evaluations on the checks' small data take, so no time share or time-based decision
# binds, and memory_limit=None does not depend on the memory free when a fit starts.
FAST = dict(time_budget=3600, max_evals=4, cv=3, memory_limit=None, random_state=0)


#: A search picks its configuration on cross-validation folds. Repeating a row puts its
#: copies on both sides of a fold, which weighting it does not, so the folds' scores and the
#: configuration they select may differ (they do for the regressor; the classifier's checks
#: pass). With folds that keep the copies of a row together the two fits are the same:
#: tests/test_routing.py.
SAMPLE_WEIGHT_EQUIVALENCE = (
    "cross-validation splits repeated rows across folds but keeps a weighted row whole, so the "
    "search may select another configuration; equivalence with whole copies is tested in "
    "tests/test_routing.py"
)


def _expected_failures(estimator):
    # Every other applicable check must pass.
    if not isinstance(estimator, MetaSelectorRegressor):
        return {}
    return {check: SAMPLE_WEIGHT_EQUIVALENCE for check in (
        "check_sample_weight_equivalence_on_dense_data", "check_sample_weight_equivalence_on_sparse_data")}


@parametrize_with_checks(
    [MetaSelectorClassifier(**FAST), MetaSelectorRegressor(**FAST)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_fits_compared_by_the_checks_agree_on_a_loaded_machine(monkeypatch):
    """Every other fit runs as on a busy machine (each candidate fit 0.5 s slower). With a
    budget of 30 s this made check_fit_idempotent fail; only max_evals may end the search."""
    slow, fit, selector_fit = [False], Pipeline.fit, MetaSelector.fit
    fits = itertools.count()

    def busy_fit(self, *args, **kwargs):
        if slow[0]:
            time.sleep(0.5)
        return fit(self, *args, **kwargs)

    def alternating(self, *args, **kwargs):
        slow[0] = next(fits) % 2 == 0
        return selector_fit(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "fit", busy_fit)
    monkeypatch.setattr(MetaSelector, "fit", alternating)
    check_fit_idempotent("MetaSelectorClassifier", MetaSelectorClassifier(**FAST))

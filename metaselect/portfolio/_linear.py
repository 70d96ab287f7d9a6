"""Linear and probabilistic families: logistic regression, ridge, elastic net,
discriminant analysis, naive Bayes."""

from __future__ import annotations

from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB

from ..spaces import Categorical, Condition, Float, SearchSpace
from ._family import Family

_CLASS_WEIGHT = Categorical((None, "balanced"))


def _logistic(params, random_state):
    return LogisticRegression(
        C=params["C"], class_weight=params["class_weight"], max_iter=1000, random_state=random_state
    )


def _ridge(params, random_state):
    return Ridge(alpha=params["alpha"])


def _elastic_net(params, random_state):
    return ElasticNet(
        alpha=params["alpha"], l1_ratio=params["l1_ratio"], max_iter=5000, random_state=random_state
    )


def _lda(params, random_state):
    mode = params["shrinkage_mode"]
    if mode == "none":
        return LinearDiscriminantAnalysis(solver="svd")
    shrinkage = "auto" if mode == "auto" else params["shrinkage"]
    return LinearDiscriminantAnalysis(solver="lsqr", shrinkage=shrinkage)


def _qda(params, random_state):
    return QuadraticDiscriminantAnalysis(reg_param=params["reg_param"])


class SmoothedGaussianNB(GaussianNB):
    """Gaussian naive Bayes that stays finite on features without variance.

    scikit-learn smooths every variance by ``var_smoothing`` times the largest
    feature variance; when no feature varies that is 0, the variances are 0 and
    every probability is NaN. Then the variances are set to 1: with no feature
    varying, the classes' means are the same and the probabilities are the priors.
    """

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight=sample_weight)
        if not self.epsilon_ > 0:
            self.var_ = self.var_.copy()
            self.var_[self.var_ <= 0] = 1.0
        return self


def _gaussian_nb(params, random_state):
    return SmoothedGaussianNB(var_smoothing=params["var_smoothing"])


FAMILIES = [
    Family(
        "logistic_regression",
        "classification",
        _logistic,
        SearchSpace(
            {"C": Float(1e-4, 1e4, log=True), "class_weight": _CLASS_WEIGHT},
            default={"C": 1.0, "class_weight": None},
        ),
        scale=True,
        time_exponent=1.0,
        prior=0.7,
        description="L2-regularised logistic regression (lbfgs).",
    ),
    Family(
        "lda",
        "classification",
        _lda,
        SearchSpace(
            {
                "shrinkage_mode": Categorical(("none", "auto", "value")),
                "shrinkage": Float(0.0, 1.0),
            },
            conditions=[Condition("shrinkage", "shrinkage_mode", ("value",))],
            default={"shrinkage_mode": "none"},
        ),
        scale=True,
        accepts_sparse=False,
        time_exponent=1.0,
        prior=0.45,
        description="Linear discriminant analysis, optionally shrunk.",
    ),
    Family(
        "qda",
        "classification",
        _qda,
        SearchSpace({"reg_param": Float(0.0, 1.0)}, default={"reg_param": 0.0}),
        scale=True,
        accepts_sparse=False,
        time_exponent=1.0,
        prior=0.2,
        description="Quadratic discriminant analysis with covariance regularisation.",
    ),
    Family(
        "gaussian_nb",
        "classification",
        _gaussian_nb,
        SearchSpace(
            {"var_smoothing": Float(1e-12, 1e-2, log=True)}, default={"var_smoothing": 1e-9}
        ),
        accepts_sparse=False,
        time_exponent=1.0,
        prior=0.25,
        description="Gaussian naive Bayes.",
    ),
    Family(
        "ridge",
        "regression",
        _ridge,
        SearchSpace({"alpha": Float(1e-4, 1e4, log=True)}, default={"alpha": 1.0}),
        scale=True,
        time_exponent=1.0,
        prior=0.6,
        description="Ridge regression.",
    ),
    Family(
        "elastic_net",
        "regression",
        _elastic_net,
        SearchSpace(
            {"alpha": Float(1e-5, 10.0, log=True), "l1_ratio": Float(0.0, 1.0)},
            default={"alpha": 1e-3, "l1_ratio": 0.5},
        ),
        scale=True,
        time_exponent=1.0,
        prior=0.45,
        description="Elastic net (L1 + L2) linear regression.",
    ),
]

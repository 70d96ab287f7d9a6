"""Distance- and kernel-based families: support vector machines and k-NN."""

from __future__ import annotations

from sklearn.compose import TransformedTargetRegressor
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

from ..spaces import Categorical, Condition, Float, Int, SearchSpace
from ._family import Family


def _svm_space(task: str) -> SearchSpace:
    params = {
        "C": Float(0.03125, 1024.0, log=True),
        "kernel": Categorical(("rbf", "poly", "linear")),
        "gamma_mode": Categorical(("scale", "value")),
        "gamma": Float(1e-4, 10.0, log=True),
        "degree": Int(2, 5),
    }
    default = {"C": 1.0, "kernel": "rbf", "gamma_mode": "scale"}
    if task == "classification":
        params["class_weight"] = Categorical((None, "balanced"))
        default["class_weight"] = None
    else:
        params["epsilon"] = Float(1e-3, 1.0, log=True)
        default["epsilon"] = 0.1
    return SearchSpace(
        params,
        conditions=[
            Condition("gamma_mode", "kernel", ("rbf", "poly")),
            Condition("gamma", "gamma_mode", ("value",)),
            Condition("degree", "kernel", ("poly",)),
        ],
        default=default,
    )


#: libsvm's kernel cache (MB), which it fills on large data. At 500 it set the fit's peak memory:
#: the default SVR on 15,000 rows of AER's CPSSW8 peaked at 675 MB (4.5 s), 274 MB at 100 (4.8 s);
#: on 11,000 rows of modeldata's hotel_rates 443 MB at 500 (5.8 s), 283 MB at 100 (6.4 s), 233 MB
#: at 50 (15.1 s). Whole 60 s fits peaked at about three times FLAML's memory because of it.
SVM_CACHE_MB = 100


def _svm_kwargs(params) -> dict:
    # A finite max_iter bounds libsvm fits that do not converge: one such C call cannot
    # be interrupted by the time limit.
    kwargs = {"C": params["C"], "kernel": params["kernel"], "cache_size": SVM_CACHE_MB, "max_iter": 200_000}
    if params["kernel"] != "linear":
        kwargs["gamma"] = params["gamma"] if params["gamma_mode"] == "value" else "scale"
    if params["kernel"] == "poly":
        kwargs["degree"] = params["degree"]
    return kwargs


def _svc(params, random_state):
    return SVC(class_weight=params["class_weight"], random_state=random_state, **_svm_kwargs(params))


def _svr(params, random_state):
    # SVR's epsilon is in target units: learn on a standardised target.
    return TransformedTargetRegressor(
        regressor=SVR(epsilon=params["epsilon"], **_svm_kwargs(params)), transformer=StandardScaler()
    )


def _knn_space() -> SearchSpace:
    return SearchSpace(
        {
            "n_neighbors": Int(1, 64, log=True),
            "weights": Categorical(("uniform", "distance")),
            "p": Categorical((2, 1)),
        },
        default={"n_neighbors": 5, "weights": "uniform", "p": 2},
    )


def _knn_classifier(params, random_state):
    return KNeighborsClassifier(**params)


def _knn_regressor(params, random_state):
    return KNeighborsRegressor(**params)


FAMILIES = [
    Family(
        "svm",
        "classification",
        _svc,
        _svm_space("classification"),
        scale=True,
        time_exponent=2.0,
        prior=0.6,
        description="Support vector classifier (rbf, polynomial or linear kernel).",
    ),
    Family(
        "svm",
        "regression",
        _svr,
        _svm_space("regression"),
        scale=True,
        time_exponent=2.0,
        prior=0.5,
        description="Support vector regressor on a standardised target.",
    ),
    Family(
        "knn",
        "classification",
        _knn_classifier,
        _knn_space(),
        scale=True,
        time_exponent=1.5,
        prior=0.4,
        description="k-nearest neighbours.",
    ),
    Family(
        "knn",
        "regression",
        _knn_regressor,
        _knn_space(),
        scale=True,
        time_exponent=1.5,
        prior=0.4,
        description="k-nearest neighbours.",
    ),
]

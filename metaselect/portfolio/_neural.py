"""Multi-layer perceptrons."""

from __future__ import annotations

from sklearn.compose import TransformedTargetRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from ..spaces import Categorical, Float, Int, SearchSpace
from ._family import Family

_SPACE = SearchSpace(
    {
        "n_layers": Int(1, 3),
        "width": Int(16, 256, log=True),
        "activation": Categorical(("relu", "tanh")),
        "alpha": Float(1e-7, 1.0, log=True),
        "learning_rate_init": Float(1e-4, 1e-1, log=True),
    },
    default={
        "n_layers": 1,
        "width": 100,
        "activation": "relu",
        "alpha": 1e-4,
        "learning_rate_init": 1e-3,
    },
)


def _mlp_kwargs(params, random_state) -> dict:
    return {
        "hidden_layer_sizes": (params["width"],) * params["n_layers"],
        "activation": params["activation"],
        "alpha": params["alpha"],
        "learning_rate_init": params["learning_rate_init"],
        "max_iter": 200,
        "random_state": random_state,
    }


def _mlp_classifier(params, random_state):
    return MLPClassifier(**_mlp_kwargs(params, random_state))


def _mlp_regressor(params, random_state):
    return TransformedTargetRegressor(
        regressor=MLPRegressor(**_mlp_kwargs(params, random_state)), transformer=StandardScaler()
    )


FAMILIES = [
    Family(
        "mlp",
        "classification",
        _mlp_classifier,
        _SPACE,
        scale=True,
        time_exponent=1.0,
        prior=0.45,
        description="Multi-layer perceptron (adam, up to 200 epochs).",
    ),
    Family(
        "mlp",
        "regression",
        _mlp_regressor,
        _SPACE,
        scale=True,
        time_exponent=1.0,
        prior=0.4,
        description="Multi-layer perceptron on a standardised target.",
    ),
]

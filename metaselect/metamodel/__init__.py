"""The neural meta-model: predicts how well and how fast a configuration runs on a dataset.

Run time (numpy only): :class:`MetaModel`, :func:`load_pretrained`,
:class:`MetaModelRanker`, the learned portfolio (:func:`load_learned_portfolio`,
:func:`greedy_portfolio`) and in-run adapters (:class:`ABLRAdapter`,
:class:`InRunRanking`, :class:`LearnedStart`, :class:`TransferMatrix`,
:class:`DatasetReweighting`, :class:`ResidualAdapter`), the fit-time model
(:class:`FitTimes`), and learning from the
user's own fits (:func:`learn_from_experience`). Training (imports TensorFlow lazily):
:func:`train_metamodel`, :func:`fine_tune`, :func:`to_keras`.
"""

from ._adapt import ABLRAdapter, DatasetReweighting, ResidualAdapter
from ._experience import PRIOR_FITS, Experience, experience_tables, learn_from_experience
from ._model import FORMAT_VERSION, MetaModel, load_models, load_pretrained
from ._portfolio import (
    PORTFOLIO_SCHEMA_VERSION,
    LearnedPortfolio,
    greedy_portfolio,
    load_learned_portfolio,
)
from ._ranker import MetaModelRanker
from ._table import MetaTable, normalise_scores, table_from_knowledge_base, transform_meta
from ._times import FitTimes, load_fit_times
from ._training import fine_tune, to_keras, train_metamodel  # TensorFlow is imported when they run
from ._transfer import InRunRanking, LearnedStart, TransferMatrix, load_transfer

__all__ = [
    "FORMAT_VERSION",
    "PORTFOLIO_SCHEMA_VERSION",
    "ABLRAdapter",
    "Experience",
    "FitTimes",
    "load_fit_times",
    "experience_tables",
    "PRIOR_FITS",
    "learn_from_experience",
    "DatasetReweighting",
    "LearnedPortfolio",
    "ResidualAdapter",
    "greedy_portfolio",
    "InRunRanking",
    "LearnedStart",
    "TransferMatrix",
    "load_transfer",
    "load_learned_portfolio",
    "MetaModel",
    "MetaModelRanker",
    "MetaTable",
    "fine_tune",
    "load_models",
    "load_pretrained",
    "normalise_scores",
    "table_from_knowledge_base",
    "to_keras",
    "train_metamodel",
    "transform_meta",
]

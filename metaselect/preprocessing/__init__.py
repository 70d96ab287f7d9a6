"""Preprocessing inside every candidate pipeline: typing, imputation, encoding, scaling."""

from ._coerce import MISSING_CATEGORY, CategoryCoercer, numeric_frame, split_columns
from ._pipeline import InputSchema, make_candidate_pipeline, make_preprocessor

__all__ = [
    "MISSING_CATEGORY",
    "CategoryCoercer",
    "InputSchema",
    "make_candidate_pipeline",
    "make_preprocessor",
    "numeric_frame",
    "split_columns",
]

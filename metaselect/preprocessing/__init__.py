"""Input validation and the preprocessing inside every candidate pipeline.

Validation and typing of X and y, then imputation, encoding and scaling as each model needs.
"""

from ._categories import UnseenCategoryWarning
from ._coerce import MISSING_CATEGORY, CategoryCoercer, numeric_frame, split_columns
from ._pipeline import (
    MAX_NATIVE_CATEGORIES,
    InputSchema,
    make_candidate_pipeline,
    make_preprocessor,
    native_columns,
)
from ._target import (
    MIN_ROWS_PER_VALUE,
    MIN_TARGET_ENCODED_VALUES,
    make_target_encoder,
    target_encoded_columns,
)
from ._temporal import DATETIME_FEATURES, DatetimeFeatures
from ._validation import check_2d, check_X, check_y, infer_task

__all__ = [
    "DATETIME_FEATURES",
    "MAX_NATIVE_CATEGORIES",
    "MIN_ROWS_PER_VALUE",
    "MIN_TARGET_ENCODED_VALUES",
    "MISSING_CATEGORY",
    "check_2d",
    "check_X",
    "check_y",
    "infer_task",
    "CategoryCoercer",
    "DatetimeFeatures",
    "InputSchema",
    "make_candidate_pipeline",
    "make_preprocessor",
    "make_target_encoder",
    "native_columns",
    "numeric_frame",
    "split_columns",
    "target_encoded_columns",
    "UnseenCategoryWarning",
]

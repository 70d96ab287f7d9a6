"""One canonical form for categorical values, fixed at fit time and applied at predict time.

A categorical column read from a CSV file changes form with its neighbours: the
codes ``101, 102`` are integers, floats (``101.0``, when one cell is blank) or
text (``"101"``, when one cell is a word). Compared as ``str()``, ``101.0`` and
``101`` differ, and every code becomes unseen. The canonical form makes them one:

* integers, floats that hold an integer, and text of either (``"101"``,
  ``"101.0"``, ``" +101 "``) are the integer's decimal text, ``"101"``;
* other finite floats, and text of them, are the float's shortest text
  (``"0.5"``); booleans are ``"True"`` and ``"False"``; other text is kept as it is;
* missing values (``None``, ``NaN``, ``NaT``, ``pd.NA``) stay missing.

A column whose text at fit time holds two spellings of one integer (``"007"``
and ``"7"``: zero-padded codes) keeps its text as it is (it is *literal*), so
that such codes are not merged; numbers in it still take the canonical form.
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Hashable

import numpy as np
import pandas as pd

__all__ = ["UnseenCategoryWarning", "canonical_column", "warn_unseen"]

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class UnseenCategoryWarning(UserWarning):
    """Categorical values at predict time that were not seen at fit time (encoded as unknown)."""


def _number_text(value: float) -> str:
    if math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(float(value))


def _canonical(value, literal: bool):
    """The canonical form of one non-missing value (see the module docstring)."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _number_text(float(value))
    if not isinstance(value, str):
        return str(value)
    if literal:
        return value
    text = value.strip()
    if _INTEGER.match(text):
        return str(int(text))
    if _DECIMAL.match(text):
        return _number_text(float(text))
    return value


def _uniques(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for missing) and the distinct non-missing values of ``column``."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists, dicts): by their text
        codes, uniques = pd.factorize(column.map(lambda v: v if isinstance(v, Hashable) else str(v)))
    return codes, np.asarray(uniques, dtype=object)


def _literal(uniques) -> bool:
    """Whether two distinct integer texts among ``uniques`` (``"007"``, ``"7"``) share one canonical form."""
    texts = {value.strip() for value in uniques if isinstance(value, str)}
    texts = [text for text in texts if _INTEGER.match(text)]
    return len({int(text) for text in texts}) < len(texts)


def canonical_column(column: pd.Series, literal: bool | None = None) -> tuple[pd.Series, bool, frozenset]:
    """``column`` in canonical form: an object column of text, NaN where missing.

    ``literal=None`` (fit time) decides from the column whether its text is kept
    as it is. Returns the column, that decision and the set of its canonical values.
    """
    codes, uniques = _uniques(column)
    if literal is None:
        literal = _literal(uniques)
    forms = np.array([_canonical(value, literal) for value in uniques] + [np.nan], dtype=object)
    out = pd.Series(forms[codes], index=column.index, dtype=object, name=column.name)
    return out, literal, frozenset(forms[:-1])


def warn_unseen(frame: pd.DataFrame, columns, categories, names, stacklevel: int) -> None:
    """Warn, with counts per column, about canonical values of ``frame`` not in ``categories``."""
    unseen = {}
    for column, seen in zip(columns, categories, strict=True):
        values = frame[column]
        count = int((values.notna() & ~values.isin(seen)).sum())
        if count:
            unseen[names[column]] = count
    if unseen:
        warnings.warn(
            f"Categorical column(s) of X hold values not seen at fit time; they are encoded as unknown "
            f"(cells per column: {unseen}).", UnseenCategoryWarning, stacklevel=stacklevel,
        )

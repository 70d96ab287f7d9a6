"""Versions of the libraries a knowledge base was built with."""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd
import sklearn

from .._version import __version__

__all__ = ["library_versions"]


def library_versions() -> dict[str, str]:
    """Versions of python, numpy, pandas, scikit-learn and metaselect."""
    return {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
            "scikit-learn": sklearn.__version__, "metaselect": __version__}

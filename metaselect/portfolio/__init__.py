"""The portfolio: algorithm families, their search spaces, and the configuration encoding."""

from ._family import TASKS, Config, Family
from ._registry import (
    ENCODING_VERSION,
    FAMILY_ORDER,
    Portfolio,
    builtin_families,
    decode_config,
    encode_config,
    encoding_names,
)

__all__ = [
    "ENCODING_VERSION",
    "FAMILY_ORDER",
    "TASKS",
    "Config",
    "Family",
    "Portfolio",
    "builtin_families",
    "decode_config",
    "encode_config",
    "encoding_names",
]

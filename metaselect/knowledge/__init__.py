"""The knowledge base: how every configuration of a fixed set scored on many datasets.

:func:`build_knowledge_base` evaluates the set on a dataset folder (resumable,
parallel); :func:`load_knowledge_base` loads the shipped knowledge base, a
packed file or a build directory as a :class:`KnowledgeBase` whose tables feed
the meta-model; ``metaselect kb-report`` summarises one (SBS, VBS, family wins).
A user's own fits are recorded as *experience* (:func:`read_experience`,
:func:`reset_experience`; written by ``MetaSelector(knowledge_base=FOLDER)``).
"""

from ._builder import (
    DEFAULT_CV,
    DEFAULT_MAX_ROWS,
    DEFAULT_TIME_LIMIT,
    build_knowledge_base,
)
from ._configs import DEFAULT_N_CONFIGS, config_set, config_table, neighbourhood_set
from ._experience import EXPERIENCE_SCHEMA_VERSION, read_experience, reset_experience
from ._kb import SHIPPED_PATH, KnowledgeBase, load_knowledge_base
from ._records import RECORD_STATUSES, SCHEMA_VERSION, CorruptResultError, KnowledgeBaseVersionError

__all__ = [
    "DEFAULT_CV",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_N_CONFIGS",
    "DEFAULT_TIME_LIMIT",
    "EXPERIENCE_SCHEMA_VERSION",
    "RECORD_STATUSES",
    "SCHEMA_VERSION",
    "SHIPPED_PATH",
    "CorruptResultError",
    "KnowledgeBase",
    "KnowledgeBaseVersionError",
    "build_knowledge_base",
    "config_set",
    "config_table",
    "load_knowledge_base",
    "neighbourhood_set",
    "read_experience",
    "reset_experience",
]

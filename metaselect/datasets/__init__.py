"""Dataset folders: collections of tabular datasets described by a manifest.

See :class:`DatasetFolder` for the format and :func:`add_dataset` to write one; every knowledge-base command takes
such a folder, so users can bring their own collections.
"""

from ._folder import MANIFEST_COLUMNS, DatasetFolder, DatasetInfo, ManifestError, add_dataset

__all__ = ["MANIFEST_COLUMNS", "DatasetFolder", "DatasetInfo", "ManifestError", "add_dataset"]

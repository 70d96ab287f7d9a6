"""Dataset folders: collections of tabular datasets described by a manifest.

See :class:`DatasetFolder` for the format; every knowledge-base command takes
such a folder, so users can bring their own collections.
"""

from ._folder import MANIFEST_COLUMNS, DatasetFolder, DatasetInfo, ManifestError

__all__ = ["MANIFEST_COLUMNS", "DatasetFolder", "DatasetInfo", "ManifestError"]

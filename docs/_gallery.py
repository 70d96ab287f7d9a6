"""Gallery ordering: the quickstart first, then by file name."""

from pathlib import Path


class QuickstartFirst:
    """Sort key for ``within_subsection_order`` (sphinx-gallery instantiates it)."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        return (0 if "quickstart" in name else 1, name)

    def __repr__(self):
        return f"<{type(self).__name__}>"

"""Sphinx configuration of the metaselect documentation.

Build: ``pip install ".[docs]" && sphinx-build -W --keep-going -b html docs docs/_build/html``.
The API reference (``api.rst``) is generated from each subpackage's ``__all__``
by ``_api.py``; the gallery runs every ``examples/<topic>/plot_*.py``.
"""

import os
import re
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # _api, _gallery

import _api  # noqa: E402

import metaselect  # noqa: E402

project = "metaselect"
author = "metaselect developers"
copyright = "metaselect developers"
release = metaselect.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "README.md", "**/.ipynb_checkpoints", "auto_examples/**/*.ipynb"]

# -- API reference -------------------------------------------------------------
_api.write_api_page(HERE / "api.rst")
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"  # numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- Markdown pages (the user guide) -------------------------------------------
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# -- Gallery -------------------------------------------------------------------
# Every examples/<topic>/ with a README.txt is a section and every plot_*.py in
# it is run; examples/notebooks/ has no README.txt, so the gallery skips it
# (tests/test_notebook.py runs the notebooks).
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|/notebooks/",
    "within_subsection_order": "_gallery.QuickstartFirst",
    "download_all_examples": False,
    "doc_module": ("metaselect",),
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
}

# Examples write progress and framework chatter to stderr; keep the build log readable.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "agg")
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")

# -- HTML ----------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"metaselect {release}"
html_static_path = []
html_theme_options = {
    "description": "An AutoML meta-estimator that learns how to learn",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}


# -- autodoc hooks -------------------------------------------------------------
_ROUTING_METHOD = re.compile(r"^set_\w+_request$")


def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated metadata-routing methods (``set_fit_request``, ...)."""
    if _ROUTING_METHOD.match(name):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)

"""Sphinx configuration for the vial documentation.

The build runs offline (no intersphinx) and with ``-W --keep-going`` in
``scripts/test``, so any warning fails the test command.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src")))

import vial

project = "vial"
author = "the vial authors"
copyright = "the vial authors"
release = vial.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "deploy/Dockerfile"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
}
# The source uses ``from __future__ import annotations``; names that only
# exist under ``TYPE_CHECKING`` cannot be resolved, which is fine for reading.
nitpicky = False

html_theme = "alabaster"
html_title = f"vial {release}"
html_static_path: list[str] = []

"""Sphinx configuration: furo theme, MyST Markdown pages, autodoc API reference."""

from __future__ import annotations

import appgw_certs

project = "appgw-certs"
author = "appgw_certs developers"
copyright = "2026, appgw_certs developers"  # noqa: A001
release = appgw_certs.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "notebooks", "**/.ipynb_checkpoints"]

html_theme = "furo"
html_title = f"appgw-certs {release}"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Type aliases and third-party types that autodoc cannot always resolve.
nitpicky = False
suppress_warnings = ["myst.header", "myst.xref_missing"]

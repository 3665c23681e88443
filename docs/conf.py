"""Sphinx configuration: furo theme, MyST Markdown pages and notebooks (myst-nb), autodoc API
reference."""

from __future__ import annotations

import sys
from pathlib import Path

import appgw_certs

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "appgw-certs"
author = "appgw_certs developers"
copyright = "2026, appgw_certs developers"  # noqa: A001
release = appgw_certs.__version__
version = release

extensions = [
    "myst_nb",  # MyST Markdown pages (it brings myst-parser) and the executed notebook
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "_ext", "_generated", "**/.ipynb_checkpoints"]

# The notebook runs at every build (its outputs are not stored): a cell that raises
# fails the build, so the docs show what this version really prints.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_in_temp = True  # files the notebook writes land in a temporary directory

html_theme = "furo"
html_title = f"appgw-certs {release}"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Type aliases and third-party types that autodoc cannot always resolve.
nitpicky = False
suppress_warnings = ["myst.header", "myst.xref_missing"]


def setup(app: object) -> None:
    """docs/_generated/: the pictures, drawn by the library when the build starts."""
    from generated_pictures import write_pictures  # the docs' own helper, beside this file

    app.connect("builder-inited", write_pictures)  # type: ignore[attr-defined]

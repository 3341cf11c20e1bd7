"""Sphinx configuration for the wsgicors documentation.

The docs describe the package that is importable from this checkout: ``wsgicors`` is imported
for real (never mocked), so autodoc and the doctests run against the code that ships.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# The checkout comes first, so a build from a source tree documents that tree even when another
# version of wsgicors is installed; docs/examples/ holds the example apps the doctests import.
sys.path[:0] = [str(DOCS.parent), str(DOCS / "examples")]

import wsgicors  # noqa: E402  (import after the path set-up above, on purpose)

project = "wsgicors"
author = "The wsgicors contributors"
copyright = "the wsgicors contributors"
try:
    release = importlib.metadata.version("wsgicors")
except importlib.metadata.PackageNotFoundError:  # a plain source tree, not installed
    release = "unreleased"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "sphinxcontrib.mermaid",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# ```mermaid fences render as diagrams, exactly like the {mermaid} directive.
myst_fence_as_directive = ["mermaid"]

html_theme = "furo"
html_title = f"wsgicors {release}"
html_static_path: list[str] = []

# Every cross-reference must resolve (-n): a broken link is a build error.
nitpicky = True
# No intersphinx: the build must work offline, so names from the standard library that appear
# in signatures have no inventory to resolve against.  Listed one by one, never by pattern.
nitpick_ignore = [
    ("py:class", "os.PathLike"),
    ("py:class", "datetime.timedelta"),
    ("py:class", "collections.abc.Callable"),
    ("py:class", "collections.abc.Iterable"),
    ("py:class", "collections.abc.Mapping"),
    ("py:class", "_typeshed.wsgi.WSGIEnvironment"),
    ("py:class", "_typeshed.wsgi.StartResponse"),
    ("py:class", "_typeshed.wsgi.WSGIApplication"),
    ("py:class", "wsgiref.types.WSGIEnvironment"),
    ("py:class", "wsgiref.types.StartResponse"),
    ("py:class", "wsgiref.types.WSGIApplication"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_default_options = {"members": True, "show-inheritance": True}

# Doctests run with warnings as errors, as the test suite does (an example that triggers a
# PolicyWarning must catch it), and in docs/examples/, so that they can name "krakend.json" as
# a reader would.  Setup and cleanup wrap every doctest group.
doctest_global_setup = f"""
import os as _os
import warnings as _warnings
_cwd = _os.getcwd()
_os.chdir({str(DOCS / "examples")!r})
_warnings_guard = _warnings.catch_warnings()
_warnings_guard.__enter__()
_warnings.simplefilter("error")
"""
doctest_global_cleanup = """
_warnings_guard.__exit__(None, None, None)
_os.chdir(_cwd)
"""

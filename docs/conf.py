"""Sphinx configuration for the wsgicors documentation.

The docs describe the package that is importable from this checkout: ``wsgicors`` is imported
for real (never mocked), so autodoc and the doctests run against the code that ships.
"""

from __future__ import annotations

import doctest
import importlib.metadata
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# The checkout comes first, so a build from a source tree documents that tree even when another
# version of wsgicors is installed; docs/examples/ holds the example apps the doctests import.
sys.path[:0] = [str(DOCS.parent), str(DOCS / "examples")]

# Fail here, with the real ImportError, if the package cannot be imported: autodoc would
# otherwise report it once per page.
import wsgicors  # noqa: E402, F401

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
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# The one diagram (how-cors-works.md) is an SVG in _static, inlined: no JavaScript, no CDN.

html_theme = "furo"
html_title = f"wsgicors {release}"
html_static_path = ["_static"]

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
    ("py:class", "collections.abc.Sequence"),
    ("py:class", "_typeshed.wsgi.WSGIEnvironment"),
    ("py:class", "_typeshed.wsgi.StartResponse"),
    ("py:class", "_typeshed.wsgi.WSGIApplication"),
    ("py:class", "wsgiref.types.WSGIEnvironment"),
    ("py:class", "wsgiref.types.StartResponse"),
    ("py:class", "wsgiref.types.WSGIApplication"),
    ("py:class", "types.ModuleType"),
    ("py:class", "logging.Logger"),
    ("py:class", "Decision"),
    ("py:class", "ViewPolicy"),
    ("py:class", "ViewMarker"),
    # the bare names, as annotations imported under TYPE_CHECKING render
    ("py:class", "WSGIApplication"),
    ("py:class", "WSGIEnvironment"),
    ("py:class", "StartResponse"),
    # third-party, no inventory offline
    ("py:class", "werkzeug.routing.Map"),
]

# werkzeug's Map is imported under TYPE_CHECKING; give it its full name.  (The wsgiref.types
# names are left bare: Sphinx 9 cannot render an aliased name inside a union or Callable.)
autodoc_type_aliases = {"Map": "werkzeug.routing.Map"}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = False
autodoc_default_options = {"members": True, "show-inheritance": True}

# Doctests run with warnings as errors, as the test suite does (an example that triggers a
# PolicyWarning must catch it), and in docs/examples/, so that they can name "krakend.json" as
# a reader would.  Setup and cleanup wrap every doctest group.
# Exception messages are compared too (Sphinx ignores them by default): the exact text of a
# PolicyError is part of what these pages document.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1
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


# Signatures name the package's own type aliases by their bare names (``OriginFunc``), which
# the Python domain cannot find from the class that uses them; point them at the documented
# aliases in api.md.
_ALIASES = {
    "OriginFunc": "wsgicors.policy.OriginFunc",
    "PolicySpec": "wsgicors.middleware.PolicySpec",
}


def _resolve_alias(app, env, node, contnode):  # type: ignore[no-untyped-def]
    target = _ALIASES.get(node.get("reftarget", ""))
    if node.get("refdomain") != "py" or target is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, "obj", target, node, contnode)


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("missing-reference", _resolve_alias)

"""The echo application, at the name ``wsgicors.debug:app`` that servers and the docs use.

It lives in :mod:`wsgicors.tools.echo`.
"""

from __future__ import annotations

from .tools.echo import app, echo

__all__ = ["app", "echo"]

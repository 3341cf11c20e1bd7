"""The browser model, at its first name: it lives in :mod:`wsgicors.tools.browser`."""

from __future__ import annotations

from .tools.browser import *  # noqa: F403
from .tools.browser import __all__ as __all__

"""Correct, fast, secure Cross-Origin Resource Sharing for any WSGI application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .decisions import Decision, DecisionCounter, log_decisions
from .errors import PolicyError, PolicyWarning, Problem
from .middleware import CORSMiddleware
from .policy import CORSPolicy
from .views import cors_policy

if TYPE_CHECKING:
    from .compat import CORS
    from .integrations.gunicorn import wrap

__all__ = [
    "CORS",
    "CORSMiddleware",
    "CORSPolicy",
    "Decision",
    "DecisionCounter",
    "PolicyError",
    "PolicyWarning",
    "Problem",
    "cors_policy",
    "log_decisions",
    "wrap",
]


def __getattr__(name: str) -> Any:
    # The wsgicors 0.7 drop-in and the gunicorn factory are imported on first use (PEP 562):
    # an application that only wraps itself in code never loads them.
    if name == "CORS":
        from .compat import CORS

        return CORS
    if name == "wrap":
        from .integrations.gunicorn import wrap

        return wrap
    if name == "__version__":
        # Read from the installed distribution when asked: importlib.metadata is slow to load.
        from importlib.metadata import version

        return version("wsgicors")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Correct, fast, secure Cross-Origin Resource Sharing for any WSGI application."""

from .compat import CORS
from .errors import PolicyError, PolicyWarning, Problem
from .integrations.gunicorn import wrap
from .middleware import CORSMiddleware
from .policy import CORSPolicy

__all__ = [
    "CORS",
    "CORSMiddleware",
    "CORSPolicy",
    "PolicyError",
    "PolicyWarning",
    "Problem",
    "wrap",
]

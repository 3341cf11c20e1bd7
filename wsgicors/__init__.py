"""Correct, fast, secure Cross-Origin Resource Sharing for any WSGI application."""

from .errors import PolicyError, PolicyWarning, Problem
from .middleware import CORSMiddleware
from .policy import CORSPolicy

__all__ = ["CORSMiddleware", "CORSPolicy", "PolicyError", "PolicyWarning", "Problem"]

"""Path-scoped policies: which policy, if any, applies to a request's path.

``CORSMiddleware(app, {"/api": api_policy, "/admin": None})`` chooses by the longest prefix
that matches on a segment boundary (``/api`` matches ``/api`` and ``/api/x``, never
``/apix``), case-sensitively, on the path the application's router will dispatch: a request
can never reach a view under one scope while being answered under another.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Generic, TypeVar

from .errors import PolicyError, Problem
from .policy import KRAKEND_OPTIONS, CORSPolicy

__all__ = ["PathScopes", "check_prefixes", "scope_path"]

T = TypeVar("T")

# Where a path has an empty segment ('//') or one starting with a dot ('/.', '/..'): a
# fixed two-character pattern, so a search is one pass with nothing to backtrack.
_EMPTY_OR_DOT_SEGMENT = re.compile(r"/[/.]")

# Characters a path prefix cannot hold: a query or fragment never reaches PATH_INFO, and
# PATH_INFO is already percent-decoded, so a prefix with any of them could never match.
_NOT_IN_PREFIX = frozenset("?#%")


def scope_path(path: str) -> str:
    """The path a request is routed by, for choosing its path scope.

    Routers and servers collapse runs of ``/`` (werkzeug serves ``//admin/x`` as
    ``/admin/x``) and resolve ``.`` and ``..`` segments (RFC 3986 §5.2.4), so the scope is
    chosen on the path any of them would end up routing. A path that does not start with
    ``/`` is read as if it did, as werkzeug routes it (``admin`` reaches ``/admin``): ``*``
    of ``OPTIONS *`` and the empty path belong to ``/``. Linear in the path's length.
    """
    if not path.startswith("/"):
        path = "/" + path
    if _EMPTY_OR_DOT_SEGMENT.search(path) is None:
        return path
    # normpath resolves exactly this (in C on CPython 3.11+), except that POSIX keeps two
    # leading slashes.
    normal = posixpath.normpath(path)
    return "/" + normal.lstrip("/") if normal.startswith("//") else normal


class PathScopes(Generic[T]):
    """The longest-prefix choice among path prefixes, each mapped to a value or ``None``."""

    def __init__(self, scopes: Mapping[str, T | None]) -> None:
        entries = [
            # PATH_INFO holds the path's UTF-8 bytes decoded as latin-1 (PEP 3333), so each
            # prefix is compared in that form.
            (prefix.rstrip("/").encode("utf-8").decode("latin-1"), value)
            for prefix, value in scopes.items()
        ]
        entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self.entries = tuple(entries)

    def select(self, path: str) -> T | None:
        """The value of the longest prefix of ``path``, or ``None`` to leave it alone."""
        path = scope_path(path)
        for prefix, value in self.entries:
            # A segment boundary: '/api' matches '/api' and '/api/x', never '/apix'.
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                return value
        return None


def _prefix_problem(prefix: str) -> Problem | None:
    bad = [c for c in prefix if c in _NOT_IN_PREFIX or c.isspace() or not c.isprintable()]
    if bad:
        return Problem(
            "policy",
            prefix,
            f"a path prefix is a decoded path, without {bad[0]!r}: PATH_INFO never holds "
            "a query, a fragment, percent-escapes, whitespace or control characters",
            "write the path as the application routes it, e.g. '/api'",
        )
    normal = scope_path(prefix)
    if normal.rstrip("/") != prefix.rstrip("/"):
        return Problem(
            "policy",
            prefix,
            "a path prefix is written as routers match it, without empty, '.' or '..' segments",
            f"write {normal!r}",
        )
    return None


def check_prefixes(policies: Mapping[str, object]) -> None:
    """Raise one :class:`~wsgicors.PolicyError` for every problem of a prefix mapping."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for prefix, policy in policies.items():
        if isinstance(prefix, str) and prefix.startswith("/"):
            problem = _prefix_problem(prefix)
            if problem is not None:
                problems.append(problem)
            elif prefix.rstrip("/") in seen:
                problems.append(
                    Problem(
                        "policy",
                        prefix,
                        f"path prefixes {seen[prefix.rstrip('/')]!r} and {prefix!r} name the "
                        "same path (a trailing '/' makes no difference)",
                        "keep one of them",
                    )
                )
            else:
                seen[prefix.rstrip("/")] = prefix
            if not (policy is None or isinstance(policy, CORSPolicy)):
                problems.append(
                    Problem(
                        "policy",
                        policy,
                        f"the policy for path prefix {prefix!r} is a CORSPolicy or None",
                        "build it with CORSPolicy(...) or CORSPolicy.from_dict(...)",
                    )
                )
        elif isinstance(prefix, str) and prefix in KRAKEND_OPTIONS:
            problems.append(
                Problem(
                    "policy",
                    prefix,
                    "a mapping given to CORSMiddleware maps path prefixes to policies, and "
                    "this looks like a CORS configuration",
                    "pass CORSPolicy.from_dict(config) instead of the dict itself",
                )
            )
            break
        else:
            problems.append(
                Problem(
                    "policy",
                    prefix,
                    "a path prefix starts with '/'",
                    f"write {'/' + str(prefix).lstrip('/')!r}",
                )
            )
    if problems:
        raise PolicyError(problems)

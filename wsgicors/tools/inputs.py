"""What the commands read: a configuration file, the page's request, an application to serve.

Configuration files are read by :mod:`wsgicors.config` and applications imported by
:func:`wsgicors.integrations.gunicorn.import_app`, as everywhere else; this module only turns
their errors into one line for the user and keeps the policy's warnings for the report.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from ..config import policy_from_json
from ..errors import PolicyError, PolicyWarning
from ..integrations.gunicorn import WrapError, import_app
from ..policy import KRAKEND_OPTIONS, CORSPolicy, read_json
from . import ToolError
from .browser import FetchRequest, Rejection, parse_origin, type_error

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from ..middleware import PolicySpec

__all__ = [
    "LoadedPolicy",
    "Refused",
    "fetch_request",
    "load_app",
    "parse_header",
    "policy_as_json",
    "policy_for_request",
    "read_config",
]


@attrs.frozen
class LoadedPolicy:
    """A policy read from a file, where in the file it was, and the warnings it gave."""

    policy: CORSPolicy
    source: str
    warnings: tuple[str, ...]


def read_config(path: str) -> LoadedPolicy:
    """Read a whole KrakenD file or a bare ``security/cors`` object.

    Raises ToolError for a file that cannot be read or parsed, PolicyError for a policy
    with problems.
    """
    try:
        config = read_json(path)
    except PolicyError as error:
        # An unreadable or malformed file is one problem, which its message says on one line.
        raise ToolError(str(error)) from None
    if not isinstance(config, Mapping):
        raise ToolError(
            f"{path}: the configuration is a JSON {type(config).__name__}, not an object; "
            'write a KrakenD file or a "security/cors" object such as {"allow_origins": ["*"]}'
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            policy = policy_from_json(config)
        except PolicyError as error:
            raise PolicyError(error.problems, source=path) from None
    found = tuple(str(w.message) for w in caught if issubclass(w.category, PolicyWarning))
    if "extra_config" in config:
        source = f'{path} (extra_config["security/cors"])'
    elif "security/cors" in config:
        source = f'{path} ("security/cors")'
    else:
        source = path
    return LoadedPolicy(policy, source, found)


def policy_as_json(policy: CORSPolicy) -> dict[str, object]:
    """The effective policy as a KrakenD ``security/cors`` object."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in ((name, getattr(policy, name)) for name in KRAKEND_OPTIONS)
    }


def parse_header(text: str) -> tuple[str, str]:
    """``'NAME: VALUE'`` or ``'NAME'`` (an empty value) as a header the page's script sets."""
    # Only the spaces and tabs around the ':' are syntax; fetch() itself strips no more than
    # HTTP whitespace from a value (#concept-header-value-normalize), so a no-break space stays.
    name, colon, value = text.partition(":")
    if not name.strip(" \t"):
        raise ToolError(f"--header {text!r} has no name; write 'NAME: VALUE' or 'NAME'")
    return name.strip(" \t"), value.strip(" \t") if colon else ""


@attrs.frozen
class Refused:
    """A request ``fetch()`` refuses to make: it throws a TypeError and sends nothing."""

    origin: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    credentials: bool
    rejection: Rejection


def fetch_request(
    origin: str, method: str, header_texts: Iterable[str], credentials: bool, path: str
) -> FetchRequest | Refused:
    """The browser request the options describe, `Refused` when ``fetch()`` would throw, or
    ToolError naming the bad option."""
    try:
        origin = parse_origin(origin)
    except ValueError as error:
        raise ToolError(f"--origin {error}") from None
    try:
        FetchRequest(origin, "GET", (), credentials, path)
    except ValueError as error:
        raise ToolError(f"--path {error}") from None
    headers = tuple(parse_header(text) for text in header_texts)
    refusal = type_error(method, headers)
    if refusal is not None:
        return Refused(origin, method, path, headers, credentials, refusal)
    return FetchRequest(origin, method, headers, credentials, path)


def load_app(target: str) -> WSGIApplication:
    """Import an application as gunicorn does (``module:name``), from the current directory."""
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return import_app(target)
    except WrapError as error:
        raise ToolError(error.reason) from None


def policy_for_request(
    app: WSGIApplication, policy: CORSPolicy, request: FetchRequest
) -> tuple[str, PolicySpec]:
    """Which policy the middleware applies to ``request`` in front of ``app``, and why.

    The policy marked on the view the request reaches (``@cors_policy``; for a preflight, the
    view of the requested method) wins, as in the middleware; otherwise the configuration's.
    A view marked with ``None`` gets a spec under which the middleware adds nothing.
    """
    from ..routes import find_router
    from ..views import marked_views

    router = find_router(app)
    marked_view = getattr(router, "marked_view", None)
    if callable(marked_view):
        load = getattr(router, "load_views", None)
        if callable(load):
            load()
        if marked_views():
            from werkzeug.test import EnvironBuilder

            builder = EnvironBuilder(path=request.path, method=request.method)
            try:
                found = marked_view(builder.get_environ(), request.method)
            finally:
                builder.close()
            if found is not None:
                name, mark = found
                if mark.policy is None:
                    return f"{name} (marked with cors_policy(None): no CORS)", {"/": None}
                return f"{name} (marked with cors_policy)", mark.policy
    return "the configuration's policy (the view the request reaches is not marked)", policy

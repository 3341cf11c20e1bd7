"""An echo application: it answers every request with the request itself, as JSON.

It plays the role of KrakenD's ``/__debug/`` endpoint: put it behind the middleware
(``wsgicors serve`` does so by default) and see exactly what reached the application, for
example that a preflight never does. Run it under any WSGI server as ``wsgicors.debug:app``
(the name this module also has).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

__all__ = ["app", "echo"]

# PEP 3333: these two arrive without the HTTP_ prefix.
_UNPREFIXED = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def _header_name(key: str) -> str:
    return "-".join(part.capitalize() for part in key[len("HTTP_") :].split("_"))


def _text(value: str) -> str:
    # PEP 3333 "native strings": bytes decoded as latin-1; re-decode as UTF-8 where that works.
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def echo(environ: WSGIEnvironment) -> dict[str, object]:
    """The request as a JSON-ready mapping: method, path, query and headers."""
    headers: dict[str, str] = {}
    for key, value in sorted(environ.items()):
        if key.startswith("HTTP_"):
            headers[_header_name(key)] = _text(value)
        elif key in _UNPREFIXED and value:
            headers[_UNPREFIXED[key]] = _text(value)
    query_string = _text(environ.get("QUERY_STRING", ""))
    return {
        "method": environ["REQUEST_METHOD"],
        "path": _text(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/",
        "query": parse_qs(query_string, keep_blank_values=True),
        "query_string": query_string,
        "headers": headers,
    }


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """WSGI application: ``200`` with the request as JSON (no body for ``HEAD``)."""
    body = json.dumps(echo(environ), indent=2, sort_keys=True).encode() + b"\n"
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

"""The application ``test_load.py`` serves with gunicorn: a trivial WSGI app behind the middleware.

Paths: ``/vary`` answers with its own ``Vary`` (merged, never duplicated), ``/own-cors`` sets
CORS headers of its own (dropped and replaced), ``/missing`` is a 404 (decorated like any other
response). The policy mixes exact, subdomain-wildcard and port-wildcard origins with credentials,
so every answer depends on the Origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from wsgicors import CORSMiddleware, CORSPolicy

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

POLICY = CORSPolicy(
    allow_origins=(
        "https://app.example.com",
        "https://*.tenant.example.com",
        "http://localhost:*",
    ),
    allow_methods=("GET", "POST", "PUT"),
    allow_headers=("X-Custom", "Authorization"),
    expose_headers=("X-Request-Id",),
    max_age=600,
    allow_credentials=True,
)

_BODY = b"ok"


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    if path == "/missing":
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    headers = [
        ("Content-Type", "text/plain"),
        ("Content-Length", str(len(_BODY))),
        ("X-Request-Id", "load"),
    ]
    if path == "/vary":
        headers.append(("Vary", "Accept-Encoding"))
    elif path == "/own-cors":
        headers += [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "X-Secret"),
        ]
    # Drain the request body so keep-alive connections stay in step.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", headers)
    return [_BODY]


application = CORSMiddleware(app, POLICY)

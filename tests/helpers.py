"""Helpers the test modules share: a recording app, raw WSGI calls, and reading CORS answers.

``environ_for`` and ``call`` drive the middleware as a server would, with a hand-built environ
and no client library that could normalise a path or a header on the way. ``conftest.py``
builds its WebTest fixtures on the same ``RecordingApp``.
"""

from __future__ import annotations

import importlib
import io
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import webtest

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError
from wsgicors.headers import ALLOW

Headers = list[tuple[str, str]]
Serve = Callable[..., webtest.TestApp]
Preflight = Callable[..., webtest.TestResponse]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

A = "https://a.example"
B = "https://b.example"
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
PREFLIGHT_VARY_PNA = PREFLIGHT_VARY + ", Access-Control-Request-Private-Network"

# Far above any honest cost of one request: a super-linear parse of a few KB breaks it,
# machine noise does not.
GUARD_SECONDS = 0.05


class RecordingApp:
    """A WSGI app that answers with fixed status, headers and body and records its calls."""

    def __init__(
        self,
        status: str = "200 OK",
        headers: Iterable[tuple[str, str]] | None = None,
        body: bytes = b"app body",
    ) -> None:
        self.status = status
        self.body = body
        if headers is None:
            headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        self.headers: Headers = list(headers)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        self.calls.append(environ)
        start_response(self.status, list(self.headers))
        return [self.body]

    @property
    def methods_seen(self) -> list[str]:
        return [environ["REQUEST_METHOD"] for environ in self.calls]


def wrapped(policy: object = None, headers: Headers | None = None) -> CORSMiddleware:
    """The middleware around a ``RecordingApp`` answering ``200`` with ``headers``."""
    app = RecordingApp(headers=headers or [("Content-Type", "text/plain")], body=b"app")
    return CORSMiddleware(app, policy)  # type: ignore[arg-type]


def environ_for(
    method: str = "GET", path: str = "/", headers: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """A complete WSGI environ; ``headers`` maps header names to values, None leaves one out."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        if value is not None:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def preflight_environ(
    origin: str = A, method: str = "POST", request_headers: str | None = None, **extra: str
) -> dict[str, Any]:
    headers = {"Origin": origin, "Access-Control-Request-Method": method, **extra}
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return environ_for("OPTIONS", "/", headers)


@dataclass
class Result:
    """What the server saw: the one ``start_response`` call and the whole body."""

    status: str
    headers: Headers
    body: bytes

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def call(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any], *, timed: bool = False
) -> Result:
    """Call ``app`` as a server would: consume and close the body; ``timed`` applies the guard."""
    started: list[tuple[str, Headers]] = []

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
        started.append((status, list(headers)))
        return lambda data: None

    began = time.perf_counter()
    iterable = app(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        getattr(iterable, "close", lambda: None)()
    elapsed = time.perf_counter() - began
    if timed:
        assert elapsed < GUARD_SECONDS, f"{elapsed:.3f} s for one request"
    assert len(started) == 1, started
    [(status, headers)] = started
    return Result(status, headers, body)


def tokens(value: str) -> list[str]:
    """The non-empty elements of a comma-separated header value, trimmed."""
    return [part.strip() for part in value.split(",") if part.strip()]


def cors_header_names(response: webtest.TestResponse) -> list[str]:
    return [name for name, _ in response.headerlist if name.lower().startswith("access-control-")]


def allow_set(response: webtest.TestResponse) -> set[str]:
    [allow] = response.headers.getall(ALLOW)
    return set(tokens(allow))


def problem_lines(**options: Any) -> list[str]:
    """The problem lines of the PolicyError that ``CORSPolicy(**options)`` raises."""
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy(**options)
    return str(excinfo.value).splitlines()[1:]


def configure_django() -> None:
    """Configure Django once per process from examples/djangoproject/settings.py.

    Never through DJANGO_SETTINGS_MODULE, so no other test inherits the settings; tests swap
    ROOT_URLCONF and the rest with ``override_settings``.
    """
    from django.conf import settings

    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    if not settings.configured:
        example = importlib.import_module("djangoproject.settings")
        settings.configure(
            **{name: getattr(example, name) for name in dir(example) if name.isupper()}
        )
        import django

        django.setup()

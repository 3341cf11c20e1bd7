"""Wrap a tiny WSGI app in wsgicors and show what a browser would receive.

Run it with ``python examples/demo.py``: it plays one preflight and one actual request
through the middleware in-process, on the built-in defaults and on a stricter policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.test import Client

from wsgicors import CORSMiddleware, CORSPolicy

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment


def hello(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = b'{"hello": "world"}\n'
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def show(title: str, client: Client, method: str, headers: dict[str, str]) -> None:
    response = client.open("/api/hello", method=method, headers=headers)
    print(f"--- {title}")
    print(f"> {method} /api/hello")
    for name, value in headers.items():
        print(f"> {name}: {value}")
    print(f"< {response.status}")
    for name, value in response.headers.items():
        print(f"< {name}: {value}")
    print()


def main() -> None:
    preflight = {
        "Origin": "https://app.example.com",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type,x-request-id",
    }
    defaults = Client(CORSMiddleware(hello))
    print("Policy: CORSPolicy() — the KrakenD defaults\n")
    show("actual request", defaults, "GET", {"Origin": "https://app.example.com"})
    show("preflight for PUT (not in the default allow_methods)", defaults, "OPTIONS", preflight)

    policy = CORSPolicy(
        allow_origins=["https://*.example.com"],
        allow_methods=["GET", "PUT"],
        allow_credentials=True,
        max_age="1h",
        expose_headers=["X-Request-Id"],
    )
    strict = Client(CORSMiddleware(hello, policy))
    print(f"Policy: {policy!r}\n")
    show("preflight for PUT", strict, "OPTIONS", preflight)
    show("actual request", strict, "PUT", {"Origin": "https://app.example.com"})
    show("actual request from another site", strict, "GET", {"Origin": "https://evil.test"})


if __name__ == "__main__":
    main()

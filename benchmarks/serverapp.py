"""The applications gunicorn serves in the real-server measurement.

``benchmarks.serverapp:bare``, ``benchmarks.serverapp:same_headers`` and
``benchmarks.serverapp:wrapped()``; the module providing
``CORSMiddleware`` is named by the environment variable ``BENCHMARKS_OURS`` (default
``wsgicors``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from benchmarks import apps, peers

bare = apps.bare_app


def same_headers(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The bare app sending, itself, the headers ours adds to it: what those bytes cost the
    server, apart from the middleware's own work."""
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/plain"),
            ("Content-Length", "2"),
            ("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "")),
            ("Vary", "Origin"),
        ],
    )
    return [apps.BODY]


def wrapped() -> apps.WSGIApp:
    name = os.environ.get("BENCHMARKS_OURS", "wsgicors")
    module = peers.load_ours(name)
    if module is None:
        raise RuntimeError(f"{name} provides no CORSMiddleware")
    return apps.ours(module, apps.bare_app)

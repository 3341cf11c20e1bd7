"""The applications gunicorn serves in the real-server measurement.

``benchmarks.serverapp:bare`` and ``benchmarks.serverapp:wrapped()``; the module providing
``CORSMiddleware`` is named by the environment variable ``BENCHMARKS_OURS`` (default
``wsgicors``).
"""

from __future__ import annotations

import os

from benchmarks import apps, peers

bare = apps.bare_app


def wrapped() -> apps.WSGIApp:
    name = os.environ.get("BENCHMARKS_OURS", "wsgicors")
    module = peers.load_ours(name)
    if module is None:
        raise RuntimeError(f"{name} provides no CORSMiddleware")
    return apps.ours(module, apps.bare_app)

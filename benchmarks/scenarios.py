"""The requests and the policies every layer is measured with.

All layers get the same policy, written in each one's own configuration language, so the
figures compare the same work: one allowed origin, four methods, two custom request headers
and a ten-minute preflight cache.
"""

from __future__ import annotations

import io
import sys
from typing import Any

ALLOWED_ORIGIN = "https://app.example.com"
DENIED_ORIGIN = "https://evil.example.net"
WILDCARD_ORIGIN = "https://shop.tenant57.example.com"
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT")
# Content-Type is always allowed by wsgicors and would only draw a redundancy warning.
ALLOWED_HEADERS = ("Authorization", "X-Requested-With")
MAX_AGE = 600

# Fetch sends the names lower-cased, sorted and joined by "," (FETCH.md, CORS-preflight request).
NORMAL_ACRH = "content-type,x-requested-with"


def _commas_acrh() -> str:
    """4096 bytes of one-letter names: far more elements than any browser sends."""
    return "a," * 2048


def _long_acrh() -> str:
    """4096 bytes, 64 elements: within every bound, so it is split and each name looked up;
    63 allowed names and a last, long, unknown one make the refusal come as late as possible."""
    prefix = ",".join(["x-requested-with"] * 63) + ","
    return prefix + "x-" + "a" * (4096 - len(prefix) - 2)


ADVERSARIAL_ACRH = {"preflight_acrh_commas": _commas_acrh(), "preflight_acrh_long": _long_acrh()}

Environ = dict[str, Any]


def make_environ(method: str = "GET", **headers: str) -> Environ:
    """A complete WSGI environ for ``METHOD http://localhost/`` with a browser's usual headers."""
    environ: Environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) benchmarks",
        "HTTP_ACCEPT": "*/*",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
        "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper()] = value
    return environ


def _preflight(origin: str, acrh: str | None = NORMAL_ACRH) -> Environ:
    headers = {"origin": origin, "access_control_request_method": "PUT"}
    if acrh is not None:
        headers["access_control_request_headers"] = acrh
    return make_environ("OPTIONS", **headers)


# Scenario name -> environ. The first five run against every layer; the adversarial ones
# only against the raw WSGI layers (the frameworks add nothing to learn there).
SCENARIOS: dict[str, Environ] = {
    "actual_allowed": make_environ("GET", origin=ALLOWED_ORIGIN),
    "actual_denied": make_environ("GET", origin=DENIED_ORIGIN),
    "no_origin": make_environ("GET"),
    "preflight_allowed": _preflight(ALLOWED_ORIGIN),
    "preflight_denied": _preflight(DENIED_ORIGIN),
    **{name: _preflight(ALLOWED_ORIGIN, acrh) for name, acrh in ADVERSARIAL_ACRH.items()},
}
FRAMEWORK_SCENARIOS = (
    "actual_allowed",
    "actual_denied",
    "no_origin",
    "preflight_allowed",
    "preflight_denied",
)

# Scale: how the configured origin list grows. The allowed origin is in every list, so the
# same request takes the same path through each.
SCALE_EXTRA_ORIGINS = {"origins_1": 0, "origins_100": 99, "origins_10000": 9999}
SCALE_WILDCARDS = 100
SCALE_SCENARIOS: dict[str, Environ] = {
    "actual_allowed": SCENARIOS["actual_allowed"],
    "actual_denied": SCENARIOS["actual_denied"],
    "preflight_allowed": SCENARIOS["preflight_allowed"],
    "actual_wildcard": make_environ("GET", origin=WILDCARD_ORIGIN),
}


def scale_origins(extra: int, wildcards: int = 0) -> tuple[str, ...]:
    exact = [ALLOWED_ORIGIN, *(f"https://host{i}.example.org" for i in range(extra))]
    return (*exact, *(f"https://*.tenant{i}.example.com" for i in range(wildcards)))


def scale_configs() -> dict[str, tuple[str, ...]]:
    configs = {name: scale_origins(extra) for name, extra in SCALE_EXTRA_ORIGINS.items()}
    configs["origins_10000_wildcards_100"] = scale_origins(9999, SCALE_WILDCARDS)
    # One wildcard versus a hundred: the wildcard lookup should not grow with the list either.
    configs["wildcards_1"] = (ALLOWED_ORIGIN, "https://*.tenant57.example.com")
    return configs

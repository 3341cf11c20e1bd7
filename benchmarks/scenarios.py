"""The requests and the policies every layer is measured with.

All layers get the same policy, written in each one's own configuration language, so the
figures compare the same work: one allowed origin, four methods, two custom request headers
and a ten-minute preflight cache.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
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

# A server builds new strings for every request, and a str caches its hash: reusing the same
# objects would let every set, dict or cache lookup skip hashing the request's values.
FRESH_KEYS = (
    "HTTP_ORIGIN",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
)
# Environ key holding (header key, function of the call number returning its value): for a
# header whose value must differ on every call, as an attacker's would, so that no cache of
# answers can serve it.
PER_CALL = "benchmarks.per_call"


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


# Scenario name -> environ. The first five run against every layer; the others only against
# the raw WSGI layers (the frameworks add nothing to learn there).
SCENARIOS: dict[str, Environ] = {
    "actual_allowed": make_environ("GET", origin=ALLOWED_ORIGIN),
    "actual_denied": make_environ("GET", origin=DENIED_ORIGIN),
    "no_origin": make_environ("GET"),
    "preflight_allowed": _preflight(ALLOWED_ORIGIN),
    "preflight_denied": _preflight(DENIED_ORIGIN),
    **{name: _preflight(ALLOWED_ORIGIN, acrh) for name, acrh in ADVERSARIAL_ACRH.items()},
}


def _counter_suffixed(value: str) -> Callable[[int], str]:
    """The value with its last 8 characters replaced by the call number: still refused."""
    prefix = value[:-8]
    return lambda number: prefix + format(number, "08x")


def _case_variants(value: str, count: int = 4096) -> Callable[[int], str]:
    """The value in ``count`` letter-case spellings, one per call in turn: names compare
    case-insensitively, so each is still allowed, but no two calls in a row look alike."""
    letters = [i for i, c in enumerate(value) if c.isalpha()]
    variants = []
    for n in range(count):
        chars = list(value)
        for bit, i in enumerate(letters):
            if n >> bit & 1:
                chars[i] = chars[i].upper()
        variants.append("".join(chars))
    return lambda number: variants[number % count]


for _name, _acrh in ADVERSARIAL_ACRH.items():
    SCENARIOS[_name][PER_CALL] = ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", _counter_suffixed(_acrh))
# A normal preflight whose answer cannot come from a cache: the fair yardstick for the
# adversarial ones, which cannot either.
SCENARIOS["preflight_uncached"] = _preflight(ALLOWED_ORIGIN)
SCENARIOS["preflight_uncached"][PER_CALL] = (
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
    _case_variants(NORMAL_ACRH),
)
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
    # An origin that matches no exact entry is tried against the wildcards, which a list
    # without any skips: one origin plus one wildcard is the fair baseline for those requests.
    configs["origins_1_wildcards_1"] = (ALLOWED_ORIGIN, "https://*.tenant57.example.com")
    configs["origins_10000_wildcards_100"] = scale_origins(9999, SCALE_WILDCARDS)
    return configs


# scenario -> the list 10,000 origins + 100 wildcards is compared with (DESIGN §7).
SCALE_BASELINES = {
    "actual_allowed": "origins_1",
    "preflight_allowed": "origins_1",
    "actual_denied": "origins_1_wildcards_1",
    "actual_wildcard": "origins_1_wildcards_1",
}

"""The requests and the policies every layer is measured with.

All layers get the same policy, written in each one's own configuration language, so the
figures compare the same work: one allowed origin, four methods, two custom request headers
and a ten-minute preflight cache. The hostile requests (``HOSTILE``) meet that policy and
three variants of it, and each is compared with the matching normal request.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ALLOWED_ORIGIN = "https://app.example.com"
DENIED_ORIGIN = "https://evil.example.net"
WILDCARD_ORIGIN = "https://shop.tenant57.example.com"
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT")
# Content-Type is always allowed by wsgicors and would only draw a redundancy warning.
ALLOWED_HEADERS = ("Authorization", "X-Requested-With")
MAX_AGE = 600

# Fetch sends the names lower-cased, sorted and joined by "," (Fetch #cors-preflight-fetch).
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
    "REQUEST_METHOD",
    "HTTP_HOST",
    "PATH_INFO",
    "HTTP_ORIGIN",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
    "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK",
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


def _suffixed(value: str, digits: str = "x") -> Callable[[int], str]:
    """The value with its last 8 characters replaced by the call number, in hex (``x``) or
    decimal (``d``): as long as the value, and still refused if the value was."""
    prefix = value[:-8]
    return lambda number: prefix + format(number % 10**8, "08" + digits)


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
    SCENARIOS[_name][PER_CALL] = ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", _suffixed(_acrh))
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

# Per-view policies: a Flask app with VIEW_ROUTES routes, VIEW_MARKED of them marked with
# their own policy, and a request to a marked one. OTHER_ORIGIN is the only origin of the
# middleware's own policy under per-view policies.
VIEW_ROUTES = 100
VIEW_MARKED = 10
VIEW_PATH = "/api/resource50/7"
OTHER_ORIGIN = "https://other.example.com"
VIEW_SCENARIOS: dict[str, Environ] = {"decorated_path": make_environ("GET", origin=ALLOWED_ORIGIN)}
VIEW_SCENARIOS["decorated_path"]["PATH_INFO"] = VIEW_PATH

# on_decision and shadow, on the raw WSGI app: scenario -> (environ, the variants measured).
# "shadow_differs" comes from an origin the live policy (every origin) allows and the
# shadow candidate (one other origin) refuses; always the same origin, so the shadow
# warning is logged once (by the sanity check, before any timing) and every timed call
# takes the path of an already reported difference.
OBSERVE_SCENARIOS: dict[str, tuple[Environ, tuple[str, ...]]] = {
    "actual_allowed": (SCENARIOS["actual_allowed"], ("ours", "on_decision")),
    "shadow_differs": (SCENARIOS["actual_denied"], ("open", "open_shadow")),
}

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


# scenario -> the list 10,000 origins + 100 wildcards is compared with.
SCALE_BASELINES = {
    "actual_allowed": "origins_1",
    "preflight_allowed": "origins_1",
    "actual_denied": "origins_1_wildcards_1",
    "actual_wildcard": "origins_1_wildcards_1",
}


# Hostile values: every value a client controls that the middleware reads, each as large as
# a server lets through (gunicorn refuses a header line over 8190 bytes by default, name
# included), each different on every call, each compared with the matching normal request
# under the same policy. None of these may cost more than 10 times its normal request.
HOSTILE_LENGTH = 8000
# Origins longer than this are refused on their length alone; the longest one that is not
# does the most work.
MAX_ORIGIN_LENGTH = 326
WILDCARD_PATTERN = "https://*.example.com"
# The policies the hostile requests meet (see benchmarks.apps.hostile_layers).
HOSTILE_POLICIES = ("exact", "wildcard", "private_network", "scoped")
NORMAL_PATH = "/api/items/"


def _filled(head: str, unit: str, tail: str = "", length: int = HOSTILE_LENGTH) -> str:
    """``head``, then ``unit`` repeated, then ``tail``: ``length`` characters in all."""
    room = length - len(head) - len(tail)
    return head + (unit * (room // len(unit) + 1))[:room] + tail


def _prefixed(head: str, value: str) -> Callable[[int], str]:
    """The value after ``head`` and the call number in hex: the value itself stays intact."""
    return lambda number: f"{head}{number:08x}{value}"


def _labels_origin(number: int) -> str:
    """The longest origin that is a serialised origin at all: 149 one-letter labels under a
    domain no pattern names, so a wildcard lookup tries every suffix and finds none."""
    head = f"https://{number:08x}."
    return _filled(head, "a.", "example.net", MAX_ORIGIN_LENGTH)


HostileValue = tuple[str, Callable[[int], str]]

# value name -> (environ key, value of call number n)
HOSTILE_ORIGINS: dict[str, HostileValue] = {
    "origin_long_host": ("HTTP_ORIGIN", _prefixed("https://", _filled("", "a", "", 7984))),
    "origin_labels": (
        "HTTP_ORIGIN",
        _prefixed("https://", _filled(".", "a.", "example.com", 7984)),
    ),
    "origin_labels_326": ("HTTP_ORIGIN", _labels_origin),
    "origin_port": ("HTTP_ORIGIN", _suffixed(_filled(ALLOWED_ORIGIN + ":", "1"), "d")),
    "origin_commas": ("HTTP_ORIGIN", _suffixed(_filled(ALLOWED_ORIGIN, ", " + ALLOWED_ORIGIN))),
}
HOSTILE_PREFLIGHT_VALUES: dict[str, HostileValue] = {
    "acrm_token": ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", _suffixed(_filled("", "PUT"))),
    "acrm_not_token": ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", _suffixed(_filled("", "P(T) "))),
    **{
        name.removeprefix("preflight_"): (
            "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
            _suffixed(value),
        )
        for name, value in ADVERSARIAL_ACRH.items()
    },
    "acrh_8k": ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", _suffixed(_filled("", "a,"))),
    # Inputs that make a backtracking list regex take exponential or quadratic time; each
    # comes after a name that changes on every call, so the bait itself stays as written.
    "acrh_bait_comma_spaces": (
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
        _prefixed("x-", ",  " * 21 + "@"),
    ),
    "acrh_bait_blanks": (
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
        _prefixed("x-", " \t" * 2000 + "@"),
    ),
    "acrh_bait_comma_blanks": (
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
        _prefixed("x-", ", \t" * 21 + "x@"),
    ),
}
HOSTILE_PATHS: dict[str, HostileValue] = {
    "path_slashes": ("PATH_INFO", _suffixed(_filled("", "/", NORMAL_PATH + "00000000"))),
    "path_dots": ("PATH_INFO", _suffixed(_filled("", "/.", NORMAL_PATH + "00000000"))),
    "path_dot_dots": ("PATH_INFO", _suffixed(_filled("", "/..", NORMAL_PATH + "00000000"))),
    "path_long_segment": ("PATH_INFO", _suffixed(_filled(NORMAL_PATH, "a"))),
}


@dataclass(frozen=True)
class Hostile:
    """One request under one of ``HOSTILE_POLICIES``: its environ, the normal request it is
    compared with (none for the normal ones), and whether the middleware refuses it (no
    CORS headers on an actual request, a 403 to a preflight) or allows it."""

    policy: str
    environ: Environ
    baseline: str
    refused: bool = True


def _per_call(environ: Environ, value: HostileValue) -> Environ:
    environ[PER_CALL] = value
    return environ


def _uncached_preflight(**headers: str) -> Environ:
    environ = _preflight(ALLOWED_ORIGIN)
    environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    return _per_call(environ, ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", _case_variants(NORMAL_ACRH)))


def _hostile_scenarios() -> dict[str, Hostile]:
    """Scenario name (``policy/request/value``) -> the request; the normal ones first."""
    normal_path = _per_call(
        make_environ("GET", origin=ALLOWED_ORIGIN),
        ("PATH_INFO", _suffixed(NORMAL_PATH + "00000000")),
    )
    normal = {
        "exact/actual/normal": make_environ("GET", origin=ALLOWED_ORIGIN),
        "exact/preflight/normal": _uncached_preflight(),
        "wildcard/actual/normal": make_environ("GET", origin=ALLOWED_ORIGIN),
        "wildcard/preflight/normal": _uncached_preflight(),
        "private_network/preflight/normal": _uncached_preflight(
            access_control_request_private_network="true"
        ),
        "scoped/actual/normal": normal_path,
    }
    out = {
        name: Hostile(name.partition("/")[0], environ, "", refused=False)
        for name, environ in normal.items()
    }
    for policy in ("exact", "wildcard"):
        for name, value in HOSTILE_ORIGINS.items():
            out[f"{policy}/actual/{name}"] = Hostile(
                policy,
                _per_call(make_environ("GET", origin=ALLOWED_ORIGIN), value),
                f"{policy}/actual/normal",
            )
            out[f"{policy}/preflight/{name}"] = Hostile(
                policy,
                _per_call(_preflight(ALLOWED_ORIGIN), value),
                f"{policy}/preflight/normal",
            )
    for name, value in HOSTILE_PREFLIGHT_VALUES.items():
        out[f"exact/preflight/{name}"] = Hostile(
            "exact", _per_call(_preflight(ALLOWED_ORIGIN), value), "exact/preflight/normal"
        )
    # Only "true" asks for private network access; anything else is a preflight without it.
    out["private_network/preflight/acrpn"] = Hostile(
        "private_network",
        _per_call(
            _preflight(ALLOWED_ORIGIN),
            (
                "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK",
                _suffixed(_filled("", "true")),
            ),
        ),
        "private_network/preflight/normal",
        refused=False,
    )
    out["exact/actual/method_token"] = Hostile(
        "exact",
        _per_call(
            make_environ("GET", origin=ALLOWED_ORIGIN),
            ("REQUEST_METHOD", _suffixed(_filled("", "GET"))),
        ),
        "exact/actual/normal",
    )
    # Each of these paths is routed under /api: served, with the /api policy.
    for name, value in HOSTILE_PATHS.items():
        out[f"scoped/actual/{name}"] = Hostile(
            "scoped",
            _per_call(make_environ("GET", origin=ALLOWED_ORIGIN), value),
            "scoped/actual/normal",
            refused=False,
        )
    return out


HOSTILE = _hostile_scenarios()
# hostile scenario -> the normal request it is compared with.
HOSTILE_BASELINES = {name: h.baseline for name, h in HOSTILE.items() if h.baseline}

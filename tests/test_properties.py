"""Properties: hostile requests and odd application responses never break a CORS guarantee.

Hypothesis draws a valid policy (or a mapping of path prefixes to policies), a request whose
``Origin``, ``Access-Control-Request-*`` and ``PATH_INFO`` values are hostile (look-alike
origins, CRLF, NUL, non-ASCII, 10 KB values, comma-joined duplicates, random text), and an
application response (its own ``Vary`` and ``Access-Control-*`` headers in any case, error
statuses, many headers). The middleware runs as a bare WSGI callable; each test checks one
guarantee of the request handling, the WSGI contract or the security page (docs/security.md).

The expected answer comes from :func:`expect`, an oracle written from the documented rules
(exact origins as a set, subdomain wildcards by label suffix, ``:*`` ports, RFC 9110 tokens),
never by calling wsgicors' matcher or parsers. Runs are derandomised, so CI sees the same
examples on every run.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import logging
import string
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from helpers import Result, call, environ_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError
from wsgicors.errors import PolicyWarning
from wsgicors.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRH,
    ACRM,
    ACRPN,
    ORIGIN,
    VARY,
)

Headers = list[tuple[str, str]]

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- the oracle: the documented rules written out independently --------------------------------

# RFC 9110 §5.6.2: tchar.
TCHARS = frozenset("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits)
SCHEME_CHARS = frozenset(string.ascii_lowercase + string.digits + "+-.")
LABEL_CHARS = frozenset(string.ascii_lowercase + string.digits + "-_")
IPV6_CHARS = frozenset("0123456789abcdef:.")
DIGITS = frozenset(string.digits)
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
SIX_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
ALWAYS_ALLOWED = frozenset({"accept", "accept-language", "content-language", "content-type"})
OWNED_EXACT = frozenset({ACEH.lower(), ACMA.lower()})
PREFLIGHT_VARY = (ORIGIN, ACRM, ACRH)


def is_token(value: str) -> bool:
    return bool(value) and all(c in TCHARS for c in value)


def is_owned(name: str) -> bool:
    """A header only the middleware sets: Access-Control-Allow-*, -Expose-Headers, -Max-Age."""
    lower = name.lower()
    return lower.startswith("access-control-allow-") or lower in OWNED_EXACT


def parse_origin(origin: str) -> tuple[str, str, str] | None:
    """(scheme, host, port) of one origin in HTML's ASCII serialisation, or None.

    Lower case, no whitespace, control bytes, commas, path or userinfo, at most 326 bytes.
    """
    if len(origin) > 326:
        return None
    scheme, sep, rest = origin.partition("://")
    if not sep or not scheme or scheme[0] not in string.ascii_lowercase:
        return None
    if not all(c in SCHEME_CHARS for c in scheme):
        return None
    if rest.startswith("["):
        end = rest.find("]")
        host, after = rest[: end + 1], rest[end + 1 :]
        if end < 2 or not all(c in IPV6_CHARS for c in host[1:-1]):
            return None
        # Browsers send an IPv6 address compressed (RFC 5952 form, as ipaddress writes it).
        try:
            if ipaddress.IPv6Address(host[1:-1]).compressed != host[1:-1]:
                return None
        except ValueError:
            return None
        if after and not after.startswith(":"):
            return None
        port = after[1:]
        has_port = bool(after)
    else:
        host, colon, port = rest.partition(":")
        has_port = bool(colon)
        # One trailing dot (the DNS root) makes a distinct origin: browsers send it as typed.
        labels = host.removesuffix(".").split(".")
        if not all(label and all(c in LABEL_CHARS for c in label) for label in labels):
            return None
        # A host whose last label is a number is IPv4: sent as four canonical decimals.
        if labels[-1].isdigit() or labels[-1].startswith("0x"):
            try:
                if str(ipaddress.IPv4Address(host)) != host:
                    return None
            except ValueError:
                return None
    # URL #url-serializing: a port is 1-65535 in decimal without leading zeros, and the
    # scheme's default port is omitted.
    if has_port and not (
        1 <= len(port) <= 5
        and all(c in DIGITS for c in port)
        and port[0] != "0"
        and int(port) <= 65535
        and port != DEFAULT_PORTS.get(scheme)
    ):
        return None
    return scheme, host, port


def is_serialised(origin: str) -> bool:
    return origin == "null" or parse_origin(origin) is not None


def entry_matches(entry: str, origin: str) -> bool:
    """Does one configured ``allow_origins`` entry allow this request Origin?"""
    if entry == "null" or origin == "null":
        return entry == origin
    parsed = parse_origin(origin)
    if parsed is None:
        return False
    scheme, host, port = parsed
    # Scheme and host of a configured entry are lower-cased on input, as browsers send them.
    entry_scheme, _, authority = entry.lower().partition("://")
    if authority.startswith("["):
        end = authority.find("]") + 1
        entry_host, entry_port = authority[:end], authority[end + 1 :]
    else:
        entry_host, _, entry_port = authority.partition(":")
    if entry_scheme != scheme:
        return False
    if entry_port != "*" and entry_port != port:
        return False
    if entry_host.startswith("*."):
        # One or more whole labels in front of the suffix, never the apex.
        return host.endswith(entry_host[1:])
    return host == entry_host


def origin_allowed(options: Mapping[str, Any], origin: str) -> bool:
    if not is_serialised(origin):
        return False
    if "allow_origin_func" in options:
        return origin in FUNC_ORIGINS
    return any(entry_matches(entry, origin) for entry in options["allow_origins"] if entry != "*")


def is_star(options: Mapping[str, Any]) -> bool:
    """All origins without credentials: '*' for everyone, no Vary."""
    return "*" in options.get("allow_origins", ()) and not options.get("allow_credentials")


def configured_methods(options: Mapping[str, Any]) -> set[str]:
    methods = options.get("allow_methods", ["GET", "HEAD", "POST"])
    return {m.upper() if m.upper() in SIX_METHODS else m for m in methods}


def expose_headers(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    names = options.get("expose_headers", [])
    return [(ACEH.lower(), ", ".join(names))] if names else []


def preflight_headers(options: Mapping[str, Any], case: Case) -> list[tuple[str, str]] | None:
    """The success headers of a preflight (lower-case names), or None when it fails."""
    origin, method = case.origin or "", case.acrm or ""
    if not is_serialised(origin):
        return None
    if is_star(options):
        allow_origin = "*"
    elif origin_allowed(options, origin):
        allow_origin = origin
    else:
        return None
    methods = configured_methods(options)
    if not (method in methods or method == "OPTIONS" or ("*" in methods and is_token(method))):
        return None
    headers = [(ACAO.lower(), allow_origin), (ACAM.lower(), method)]
    requested = case.acrh or ""
    if requested:
        # Bounded before splitting: 4096 bytes, 64 elements, empty ones counted.
        if len(requested) > 4096 or requested.count(",") + 1 > 64:
            return None
        names = [name.strip(" \t") for name in requested.split(",")]
        names = [name for name in names if name]
        if not all(c in TCHARS for name in names for c in name):
            return None
        allowed = {name.lower() for name in options.get("allow_headers", ["*"])}
        if "*" not in allowed and any(n.lower() not in allowed | ALWAYS_ALLOWED for n in names):
            return None
        if names:
            # The names trimmed and joined with ',', never the client's own spacing.
            headers.append((ACAH.lower(), ",".join(names)))
    if options.get("allow_credentials"):
        headers.append((ACAC.lower(), "true"))
    seconds = MAX_AGES[options.get("max_age")]
    if seconds:
        headers.append((ACMA.lower(), str(max(seconds, 0))))
    if options.get("allow_private_network") and case.acrpn == "true":
        headers.append((ACAPN.lower(), "true"))
    return headers


@dataclasses.dataclass(frozen=True)
class Expected:
    applies: bool  # a policy covers the request's path
    app_called: bool
    status: int | None  # the middleware's own status; None when the app's stands
    cors: list[tuple[str, str]]  # the owned CORS headers, lower-case names, sorted
    vary: tuple[str, ...]  # the names the middleware merges into Vary


def routed_path(path: str) -> str:
    """The path a router dispatches: '/' runs collapsed, dot segments resolved.

    A path not starting with '/' is read as if it did ('*' of OPTIONS * and '' fall in '/').
    """
    stack: list[str] = []
    for segment in [s for s in ("/" + path).split("/") if s not in ("", ".")]:
        if segment == "..":
            stack[-1:] = []
        else:
            stack.append(segment)
    return "/" + "/".join(stack)


def policy_for(case: Case) -> Mapping[str, Any] | None:
    """The options of the policy that applies to the path, by longest segment prefix."""
    if case.paths is None:
        return case.policy
    # PATH_INFO carries the path's bytes as latin-1 (PEP 3333); prefixes are text.
    path = routed_path(case.path).encode("latin-1")
    best: tuple[int, Mapping[str, Any] | None] = (-1, None)
    for prefix, options in case.paths.items():
        base = prefix.rstrip("/").encode("utf-8")
        if (path == base or path.startswith(base + b"/")) and len(base) > best[0]:
            best = (len(base), options)
    return best[1]


def expect(case: Case) -> Expected:
    options = policy_for(case)
    if options is None:
        return Expected(False, True, None, [], ())
    auto = bool(options.get("auto_options"))
    if case.method == "OPTIONS" and case.origin is not None and case.acrm:
        vary = PREFLIGHT_VARY + ((ACRPN,) if options.get("allow_private_network") else ())
        cors = sorted(preflight_headers(options, case) or [])
        if options.get("options_passthrough"):
            return Expected(True, not auto, 200 if auto else None, cors, vary)
        status = options.get("options_success_status", 204) if cors else 403
        return Expected(True, False, status, cors, vary)
    methods = configured_methods(options)
    method_ok = "*" in methods or case.method in methods or case.method == "OPTIONS"
    cors = []
    if is_star(options):
        if method_ok:
            cors = [(ACAO.lower(), "*"), *expose_headers(options)]
    elif case.origin is not None and method_ok and origin_allowed(options, case.origin):
        cors = [(ACAO.lower(), case.origin), *expose_headers(options)]
        if options.get("allow_credentials"):
            cors.append((ACAC.lower(), "true"))
    vary = () if is_star(options) else (ORIGIN,)
    answered = case.method == "OPTIONS" and auto
    return Expected(True, not answered, 200 if answered else None, sorted(cors), vary)


# --- strategies ------------------------------------------------------------------------------

# Configured entries: exact origins (one in mixed case, normalised on input), both wildcard
# forms and their combination, loopback origins that credentials accept, and two insecure
# entries that credentials refuse unless tolerated.
ENTRIES = [
    "https://app.example.com",
    "HTTPS://Admin.Example.COM",
    "https://example.com:8443",
    "https://*.example.com",
    "https://*.example.com:8443",
    "https://*.example.com:*",
    "https://example.com:*",
    "http://localhost:8080",
    "http://127.0.0.1:*",
    "http://[::1]:3000",
    "http://*.localhost",
    "http://plain.example.org",
    "null",
]
INSECURE = frozenset({"http://plain.example.org", "null"})
FUNC_ORIGINS = frozenset(
    {"https://func.example.com", "null", "HTTPS://FUNC.EXAMPLE.COM", "https://func.example.com "}
)


def allow_func(origin: str, environ: Mapping[str, Any]) -> bool:
    """An allow_origin_func that also says yes to two malformed values."""
    return origin in FUNC_ORIGINS


# Request origins aimed at the entries above, before they are disguised.
TARGETS = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://example.com",
    "https://example.com:8443",
    "https://api.example.com",
    "https://a.b.example.com",
    "https://x.example.com:8443",
    "https://x.example.com:9000",
    "http://localhost:8080",
    "http://127.0.0.1",
    "http://127.0.0.1:5000",
    "http://[::1]:3000",
    "http://app.localhost",
    "http://plain.example.org",
    "https://func.example.com",
    "null",
]


def _parts(origin: str) -> tuple[str, str, str]:
    scheme, sep, rest = origin.partition("://")
    if not sep:
        return "https", origin, ""
    if rest.startswith("["):
        end = rest.find("]") + 1
        return scheme, rest[:end], rest[end:]
    host, colon, port = rest.partition(":")
    return scheme, host, colon + port


def _with_port(port: str) -> Callable[[str], str]:
    def mutate(origin: str) -> str:
        scheme, host, _ = _parts(origin)
        return f"{scheme}://{host}{port}"

    return mutate


def _on_host(change: Callable[[str, str, str], str]) -> Callable[[str], str]:
    return lambda origin: change(*_parts(origin))


# Ways an attacker (or a broken proxy) disguises an allowed origin.
MUTATIONS: list[Callable[[str], str]] = [
    _on_host(lambda s, h, p: f"{s}://evil{h}{p}"),
    _on_host(lambda s, h, p: f"{s}://{h}.evil.com{p}"),
    _on_host(lambda s, h, p: f"{s}://{h}-evil.com{p}"),
    _on_host(lambda s, h, p: f"{s}://x.{h}{p}"),
    _on_host(lambda s, h, p: f"{s}://{h.partition('.')[2] or h}{p}"),
    _on_host(lambda s, h, p: f"{'http' if s == 'https' else 'https'}://{h}{p}"),
    _on_host(lambda s, h, p: f"{s}://{h.title()}{p}"),
    _on_host(lambda s, h, p: f"{s}://{h}.{p}"),
    _on_host(lambda s, h, p: f"{s}://user:pass@{h}{p}"),
    _on_host(lambda s, h, p: f"{s}://{h}\x00.evil.com{p}"),
    _on_host(lambda s, h, p: f"{s}://{h.replace('a', 'ä', 1)}{p}"),
    _on_host(lambda s, h, p: f"{s}://{h}\u3002evil.com{p}"),
    _on_host(lambda s, h, p: f"{s}://{'a' * 10240}.{h}{p}"),
    _on_host(lambda s, h, p: f"{s}://{'a.' * 5000}{h}{p}"),
    *(_with_port(port) for port in ["", ":", ":1", ":80", ":443", ":8080", ":8443", ":65535"]),
    *(_with_port(port) for port in [":65536", ":99999", ":08443", ":-1", ":\uff18\uff10"]),
    str.upper,
    lambda o: o + "/",
    lambda o: o + "/path?q=1#f",
    lambda o: f"{o}, {o}",
    lambda o: f"{o},{o}",
    lambda o: f"{o}, https://evil.example",
    lambda o: f"https://evil.example, {o}",
    lambda o: o + "\r\nSet-Cookie: session=stolen",
    lambda o: o + "\nX-Injected: 1",
    lambda o: o + "\x00",
    lambda o: o + "\t",
    lambda o: " " + o,
    lambda o: o + "a" * 10240,
]


def as_latin1(value: str) -> str:
    """A value as a WSGI server puts it in environ: its UTF-8 bytes decoded as latin-1."""
    return value.encode("utf-8").decode("latin-1")


def to_wsgi(value: str | None) -> str | None:
    return None if value is None else as_latin1(value)


def _disguise(origin: str, mutations: list[Callable[[str], str]]) -> str:
    for mutate in mutations:
        origin = mutate(origin)
    return origin


OTHER_ORIGINS = st.one_of(
    st.sampled_from(TARGETS),
    st.sampled_from(sorted(FUNC_ORIGINS)),
    st.sampled_from(["NULL", "Null", "null, null", "", " ", "*", "file://", "https://"]),
    st.text(max_size=40),
)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Pick a strategy with the given weights (one_of would favour its first branches)."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(
        lambda strategy: strategy
    )


MUTATION_LISTS = st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=2)


@functools.cache
def aimed_origins(entries: tuple[str, ...] | None) -> st.SearchStrategy[str]:
    """Origins built from the policy's own entries: what its visitors send, and near misses."""
    if entries is None or "*" in entries:
        return st.sampled_from(TARGETS)
    return st.builds(
        lambda entry, label, port: entry.replace("*.", label).replace(":*", port),
        st.sampled_from([entry.lower() for entry in entries]),
        # Labels a subdomain pattern allows, then the apex and a look-alike it refuses.
        st.sampled_from(["a.", "api.", "a.b.", "x-y.", "1.", "_dmarc.", "", "evil"]),
        st.sampled_from(["", ":1", ":8080", ":65535", ":0", ":443", ":080"]),
    )


@functools.cache
def origins(entries: tuple[str, ...] | None) -> st.SearchStrategy[str | None]:
    """Origin values: aimed at the policy's entries, those disguised, and others."""
    aimed = aimed_origins(entries)
    disguised = st.builds(_disguise, st.one_of(aimed, st.sampled_from(TARGETS)), MUTATION_LISTS)
    return weighted((1, st.none()), (4, aimed), (3, disguised), (2, OTHER_ORIGINS)).map(to_wsgi)


REQUEST_METHODS = weighted(
    (4, st.just("OPTIONS")),
    (4, st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "patch", "OPTIONS"])),
    (1, st.sampled_from(["get", "options", "BREW"])),
)
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "patch", "OPTIONS"]
HOSTILE_METHODS = ["GET, PUT", "PUT\r\nX-Injected: 1", "PUT\n", "PUT\x00", "PÜT", "P" * 10240]


@functools.cache
def request_methods(methods: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    """Access-Control-Request-Method values, often one the policy lists."""
    listed = [method for method in methods if method != "*"] or ["PUT"]
    return weighted(
        (1, st.none()),
        (4, st.sampled_from(listed)),
        (2, st.sampled_from(METHODS)),
        (1, st.sampled_from(["", "put", "get", "CONNECT", "TRACE", "X-Custom", "*", " PUT"])),
        (1, st.sampled_from(HOSTILE_METHODS)),
        (1, st.text(max_size=20)),
    ).map(to_wsgi)


HEADER_NAMES = [
    "x-custom",
    "X-Custom",
    "X-CUSTOM",
    "authorization",
    "Authorization",
    "content-type",
    "Content-Type",
    "x-api-key",
    "X-Requested-With",
    "x-unlisted",
    "accept",
    "",
]
HOSTILE_ACRH = [
    "x-custom\r\nX-Injected: 1",
    "x-custom\nx",
    "x-custom\x00",
    "x-cüstom",
    "x-custom;q=1",
    "x-a x-b",
    "a" * 10240,
    "," * 3000,
    ",".join(["x-a"] * 65),
    ",".join(["x-a"] * 64),
    ", ".join(["X-A"] * 2000),
]


@functools.cache
def request_headers(allowed: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    """Access-Control-Request-Headers values: lists of names (often the policy's), or hostile."""
    listed = [name for name in allowed if name != "*"]
    names = [*HEADER_NAMES, *listed, *(name.upper() for name in listed)]
    aimed = st.lists(st.sampled_from([*listed, "content-type"]), min_size=1, max_size=4)
    return weighted(
        (3, st.none()),
        (3, aimed.map(",".join)),
        (1, aimed.map(" , ".join)),
        (
            2,
            st.builds(
                lambda names, separator: separator.join(names),
                st.lists(st.sampled_from(names), max_size=70),
                st.sampled_from([",", ", ", " ,", ",\t", " , "]),
            ),
        ),
        (2, st.sampled_from(HOSTILE_ACRH)),
        (1, st.text(max_size=40)),
    ).map(to_wsgi)


PATHS = st.one_of(
    st.sampled_from(["/", "", "/api", "/api/", "/api/items", "/apix", "/apiary", "//api"]),
    st.sampled_from(["/API", "/%61pi", "/api%2Fx", "/public", "/public/x", "/publicity"]),
    st.sampled_from(["/admin", "/api/admin", "/api/admin/x", "/café", "/café/x", "/cafe"]),
    st.text(max_size=12),
).map(as_latin1)

# Seconds each drawn max_age stands for (Go durations truncated toward zero).
MAX_AGES: dict[object, int | None] = {
    None: None,
    0: 0,
    600: 600,
    100_000: 100_000,
    "12h": 43_200,
    "1h30m": 5_400,
    "-1s": -1,
    "500ms": 0,
    timedelta(minutes=5): 300,
}


ENTRY_LISTS = st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=5, unique=True)
ALLOW_METHODS = st.one_of(
    st.just(["*"]),
    st.lists(
        st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "patch", "get"]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    st.sampled_from([["OPTIONS"], ["X-Custom", "PUT"]]),
)
ALLOW_HEADERS = st.one_of(
    st.just(["*"]),
    st.lists(
        st.sampled_from(["X-Custom", "x-api-key", "Authorization", "X-Requested-With"]),
        max_size=4,
        unique=True,
    ),
)
EXPOSE_HEADERS = st.lists(
    st.sampled_from(["X-Total", "ETag", "Content-Length", "X-Request-Id"]),
    max_size=3,
    unique=True,
)


@st.composite
def policy_options(draw: st.DrawFn, passthrough: bool | None = None) -> dict[str, Any]:
    """The keyword options of a valid CORSPolicy (every configuration rule respected)."""
    credentials = draw(st.booleans())
    options: dict[str, Any] = {"allow_credentials": credentials}
    if draw(st.integers(0, 9)) == 0:
        options["allow_origin_func"] = allow_func
    else:
        entries = draw(ENTRY_LISTS)
        if not credentials and draw(st.sampled_from([False, False, True])):
            entries = draw(st.sampled_from([["*"], [*entries, "*"]]))
        if credentials and INSECURE.intersection(entries):
            if draw(st.booleans()):
                options["dangerously_tolerate_insecure_origins"] = True
            else:
                entries = [entry for entry in entries if entry not in INSECURE]
        options["allow_origins"] = entries or ["https://app.example.com"]
    options["allow_methods"] = draw(ALLOW_METHODS)
    options["allow_headers"] = draw(ALLOW_HEADERS)
    options["expose_headers"] = draw(
        EXPOSE_HEADERS if credentials else st.one_of(EXPOSE_HEADERS, st.just(["*"]))
    )
    options["max_age"] = draw(st.sampled_from(list(MAX_AGES)))
    options["allow_private_network"] = draw(st.booleans())
    options["options_passthrough"] = draw(st.booleans()) if passthrough is None else passthrough
    options["auto_options"] = draw(st.booleans())
    options["options_success_status"] = draw(st.sampled_from([200, 204, 299]))
    options["debug"] = draw(st.integers(0, 3)) == 0
    return options


# Prefix spellings that mean the same path are drawn as one group.
PREFIX_GROUPS = [("/",), ("/api", "/api/"), ("/api/admin",), ("/public",), ("/café",)]


@st.composite
def path_policies(draw: st.DrawFn) -> dict[str, dict[str, Any] | None]:
    groups = draw(st.lists(st.sampled_from(PREFIX_GROUPS), min_size=1, max_size=4, unique=True))
    return {
        draw(st.sampled_from(group)): draw(st.one_of(st.none(), policy_options()))
        for group in groups
    }


PLAIN_HEADERS = [
    ("Content-Type", "text/plain"),
    ("X-Custom", "1"),
    ("Set-Cookie", "id=1; Secure; HttpOnly"),
    ("Cache-Control", "no-store"),
    ("ETag", '"abc"'),
    ("Allow", "GET"),
    ("Access-Control-Request-Method", "PUT"),
    ("X-Access-Control-Allow-Origin", "*"),
]
VARY_HEADERS = st.tuples(
    st.sampled_from(["Vary", "vary", "VARY", "vArY"]),
    st.sampled_from(
        [
            "Origin",
            "origin",
            "ORIGIN",
            "Accept-Encoding",
            "Accept-Encoding, Origin",
            "*",
            "Accept, *",
            "Cookie,Accept-Language",
            "",
            " , ",
            "Access-Control-Request-Method",
        ]
    ),
)
CORS_NAMES = [
    variant(name)
    for name in [ACAO, ACAC, ACAM, ACAH, ACEH, ACMA, ACAPN, "Access-Control-Allow-Foo"]
    for variant in (str, str.lower, str.upper, str.swapcase)
]
APP_CORS_HEADERS = st.tuples(
    st.sampled_from(CORS_NAMES),
    st.sampled_from(["*", "true", "https://evil.example", "GET, PUT", "X-Secret", "86400", ""]),
)
APP_HEADERS = st.lists(
    st.one_of(st.sampled_from(PLAIN_HEADERS), VARY_HEADERS, APP_CORS_HEADERS), max_size=30
)
APP_STATUSES = [
    "200 OK",
    "201 Created",
    "204 No Content",
    "301 Moved Permanently",
    "304 Not Modified",
    "400 Bad Request",
    "401 Unauthorized",
    "403 Forbidden",
    "404 Not Found",
    "405 Method Not Allowed",
    "500 Internal Server Error",
    "502 Bad Gateway",
    "503 Service Unavailable",
]


@dataclasses.dataclass(frozen=True)
class Case:
    """One drawn request against one drawn policy and application response."""

    policy: dict[str, Any] | None
    paths: dict[str, dict[str, Any] | None] | None
    method: str
    path: str
    origin: str | None
    acrm: str | None
    acrh: str | None
    acrpn: str | None
    status: str
    app_headers: tuple[tuple[str, str], ...]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    scoped = draw(st.integers(0, 3)) == 0
    policy = None if scoped else draw(policy_options())
    paths = draw(path_policies()) if scoped else None
    # Requests are aimed at one of the drawn policies, so that allowed answers are common.
    candidates = [policy] if paths is None else [p for p in paths.values() if p is not None]
    aimed = draw(st.sampled_from(candidates)) if candidates else {}
    entries = aimed.get("allow_origins")
    return Case(
        policy=policy,
        paths=paths,
        method=draw(REQUEST_METHODS),
        path=draw(PATHS),
        origin=draw(origins(None if entries is None else tuple(entries))),
        acrm=draw(request_methods(tuple(aimed.get("allow_methods", ["GET"])))),
        acrh=draw(request_headers(tuple(aimed.get("allow_headers", ["*"])))),
        acrpn=draw(st.sampled_from([None, "true", "false", "TRUE"])),
        status=draw(st.sampled_from(APP_STATUSES)),
        app_headers=tuple(draw(APP_HEADERS)),
    )


# --- driving the middleware as a WSGI server would ------------------------------------------


class App:
    """Answers with the drawn status and headers; keeps the list it passed, and a copy."""

    def __init__(self, status: str, headers: Iterable[tuple[str, str]]) -> None:
        self.status = status
        self.headers = list(headers)
        self.calls = 0
        self.passed: Headers = []
        self.passed_copy: Headers = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        self.calls += 1
        self.passed = list(self.headers)
        self.passed_copy = list(self.passed)
        start_response(self.status, self.passed)
        return [] if self.status[:3] in ("204", "304") else [b"app body"]


@dataclasses.dataclass
class Run(Result):
    """One drawn case's answer, with the case, the app and the log lines it produced."""

    case: Case
    app: App
    log: list[str]


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def captured_log() -> Iterator[list[str]]:
    """Collect the ``wsgicors`` log, and restore the logger as it was (debug changes it)."""
    logger = logging.getLogger("wsgicors")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    handler = ListHandler()
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.messages
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]


def build_policy(options: dict[str, Any]) -> CORSPolicy:
    with warnings.catch_warnings():
        # Redundant '*' entries, never-sent header names and a max_age above the caps are
        # advice; the properties hold with them all the same.
        warnings.simplefilter("ignore", PolicyWarning)
        return CORSPolicy(**options)


def environ_of(case: Case) -> dict[str, Any]:
    headers = {ORIGIN: case.origin, ACRM: case.acrm, ACRH: case.acrh, ACRPN: case.acrpn}
    return environ_for(case.method, case.path, headers)


def run(case: Case) -> Run:
    app = App(case.status, case.app_headers)
    spec: Any
    if case.paths is None:
        assert case.policy is not None
        spec = build_policy(case.policy)
    else:
        spec = {k: None if v is None else build_policy(v) for k, v in case.paths.items()}

    with captured_log() as log:
        result = call(CORSMiddleware(app, spec), environ_of(case))
    return Run(result.status, result.headers, result.body, case, app, list(log))


def vary_tokens(values: Iterable[str]) -> list[str]:
    return [token.strip(" \t") for value in values for token in value.split(",") if token.strip()]


# --- the properties --------------------------------------------------------------------------


@PROPERTY
@given(case=cases())
def test_any_request_answered_with_one_well_formed_response(case: Case) -> None:
    result = run(case)

    code, _, reason = result.status.partition(" ")
    assert (len(code), code.isdigit(), bool(reason)) == (3, True, True)
    assert all(isinstance(name, str) and is_token(name) for name, _ in result.headers)
    assert all(isinstance(value, str) for _, value in result.headers)


@PROPERTY
@given(case=cases())
def test_any_response_has_at_most_one_allow_origin(case: Case) -> None:
    result = run(case)

    if expect(case).applies:
        assert len(result.values(ACAO)) <= 1


@PROPERTY
@given(case=cases())
def test_allow_origin_is_star_or_the_request_origin(case: Case) -> None:
    result = run(case)

    if expect(case).applies:
        assert set(result.values(ACAO)) <= {"*", case.origin}


@PROPERTY
@given(case=cases())
def test_allow_origin_sent_exactly_when_the_policy_allows_the_origin(case: Case) -> None:
    expected = [value for name, value in expect(case).cors if name == ACAO.lower()]
    if not expect(case).applies:
        expected = [value for name, value in case.app_headers if name.lower() == ACAO.lower()]

    assert run(case).values(ACAO) == expected


@PROPERTY
@given(case=cases())
def test_star_never_sent_with_allow_credentials(case: Case) -> None:
    result = run(case)

    if expect(case).applies and result.values(ACAO) == ["*"]:
        assert result.values(ACAC) == []


@PROPERTY
@given(case=cases())
def test_vary_names_origin_whenever_the_answer_depends_on_it(case: Case) -> None:
    options = policy_for(case)
    result = run(case)

    if options is not None and not is_star(options):
        tokens = [token.lower() for token in vary_tokens(result.values(VARY))]
        assert "origin" in tokens or tokens == ["*"]


@PROPERTY
@given(case=cases())
def test_vary_merged_into_one_header_when_the_middleware_adds_to_it(case: Case) -> None:
    expected = expect(case)
    result = run(case)

    app_vary = [v for n, v in result.app.passed_copy if n.lower() == "vary"]
    if adds_to_vary(expected, app_vary):
        [vary] = result.values(VARY)
        tokens = vary_tokens([vary])
        if "*" in vary_tokens(app_vary):
            assert vary == "*"
        else:
            lower = [token.lower() for token in tokens]
            assert len(lower) == len(set(lower))
            assert set(lower) == {t.lower() for t in [*vary_tokens(app_vary), *expected.vary]}


@PROPERTY
@given(case=cases())
def test_vary_of_the_app_left_alone_when_the_middleware_adds_nothing(case: Case) -> None:
    expected = expect(case)
    result = run(case)

    app_vary = [h for h in case.app_headers if h[0].lower() == "vary"]
    if expected.app_called and not adds_to_vary(expected, [v for _, v in app_vary]):
        assert [h for h in result.headers if h[0].lower() == "vary"] == app_vary


def adds_to_vary(expected: Expected, app_vary: list[str]) -> bool:
    """Whether the middleware has a name to add to the app's Vary.

    It adds nothing when the app's Vary already names each of ours, or is exactly '*'.
    """
    if not expected.vary:
        return False
    if not expected.app_called:
        return True
    named = {token.lower() for token in vary_tokens(app_vary)}
    return named != {"*"} and not named.issuperset(name.lower() for name in expected.vary)


@PROPERTY
@given(case=cases())
def test_no_header_carries_cr_lf_or_nul(case: Case) -> None:
    result = run(case)

    for name, value in result.headers:
        assert not set(name + value) & {"\r", "\n", "\x00"}, (name, value)
        value.encode("latin-1")


@PROPERTY
@given(case=cases())
def test_cors_headers_are_exactly_the_policys_answer(case: Case) -> None:
    expected = expect(case)
    result = run(case)

    if expected.applies:
        owned = sorted((name.lower(), value) for name, value in result.headers if is_owned(name))
        assert owned == expected.cors


@PROPERTY
@given(case=cases())
def test_other_app_headers_kept_in_order(case: Case) -> None:
    expected = expect(case)
    result = run(case)

    def others(headers: Iterable[tuple[str, str]]) -> Headers:
        return [h for h in headers if not is_owned(h[0]) and h[0].lower() != "vary"]

    if expected.app_called:
        kept = others(result.headers)
        assert kept == others(case.app_headers)


@PROPERTY
@given(case=cases())
def test_app_header_list_not_mutated(case: Case) -> None:
    result = run(case)

    assert result.app.passed == result.app.passed_copy
    assert result.app.passed == (list(case.app_headers) if result.app.calls else [])


@PROPERTY
@given(case=cases())
def test_app_called_only_when_the_middleware_does_not_answer(case: Case) -> None:
    assert run(case).app.calls == int(expect(case).app_called)


@PROPERTY
@given(case=cases())
def test_app_status_kept_and_own_answers_have_the_policys_status(case: Case) -> None:
    expected = expect(case)
    result = run(case)

    if expected.status is None:
        assert result.status == case.status
    else:
        assert int(result.status[:3]) == expected.status


@PROPERTY
@given(case=cases())
def test_path_without_policy_response_untouched(case: Case) -> None:
    result = run(case)

    if not expect(case).applies:
        assert (result.status, result.headers) == (case.status, list(case.app_headers))


@PROPERTY
@given(case=cases())
def test_log_lines_never_carry_raw_control_characters(case: Case) -> None:
    for message in run(case).log:
        assert message.isprintable(), message


@st.composite
def look_alikes(draw: st.DrawFn) -> tuple[list[str], str]:
    """Entries of a policy, and an origin aimed at them then disguised once or twice."""
    entries = draw(st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=3, unique=True))
    origin = draw(aimed_origins(tuple(entries)))
    return entries, _disguise(origin, draw(MUTATION_LISTS))


@PROPERTY
@given(drawn=look_alikes(), credentials=st.booleans(), preflight=st.booleans())
def test_look_alike_origins_allowed_only_when_an_entry_matches(
    drawn: tuple[list[str], str], credentials: bool, preflight: bool
) -> None:
    entries, origin = drawn
    origin = to_wsgi(origin) or ""
    options = {
        "allow_origins": entries,
        "allow_credentials": credentials,
        "dangerously_tolerate_insecure_origins": credentials,
    }
    method, acrm = ("OPTIONS", "GET") if preflight else ("GET", None)
    case = Case(options, None, method, "/", origin, acrm, None, None, "200 OK", ())
    # A few disguises (a port change, a second label) still name an allowed origin.
    allowed = origin_allowed(options, origin)

    assert run(case).values(ACAO) == ([origin] if allowed else [])


HUGE_ACRH = st.sampled_from(
    [
        "x-custom," * 1200,
        "a" * 10240,
        "X-Custom" + ", X-Custom" * 1100,
        "," * 3000,
        ",".join(["x-custom"] * 65),
        " ," * 64,
        "\t,\t" * 5000,
    ]
)


@PROPERTY
@given(options=policy_options(passthrough=False), acrh=HUGE_ACRH, data=st.data())
def test_huge_request_headers_refused_with_403(
    options: dict[str, Any], acrh: str, data: st.DataObject
) -> None:
    allowed = [o for o in TARGETS if is_star(options) or origin_allowed(options, o)]
    origin = data.draw(st.sampled_from(allowed or ["https://app.example.com"]))
    # OPTIONS always passes the method check, so only the header list can fail.
    case = Case(options, None, "OPTIONS", "/", origin, "OPTIONS", acrh, None, "200 OK", ())

    result = run(case)

    assert result.status == "403 Forbidden"
    assert [name for name, _ in result.headers if name.lower().startswith("access-")] == []


# --- a value that is not one serialised origin is never allowed -------------------------------


@settings(PROPERTY, max_examples=20)
@given(labels=st.lists(st.integers(52, 63), min_size=6, max_size=9), preflight=st.booleans())
def test_listed_origin_over_326_bytes_never_allowed(labels: list[int], preflight: bool) -> None:
    # Six or more labels of 52 to 63 bytes (as DNS allows): always over 326 bytes.
    origin = "https://" + ".".join("a" * size for size in labels) + ".example.com"
    options = {"allow_origins": [origin], "allow_methods": ["GET", "PUT"]}
    method, acrm = ("OPTIONS", "PUT") if preflight else ("GET", None)
    case = Case(options, None, method, "/", origin, acrm, None, None, "200 OK", ())
    try:
        result = run(case)
    except PolicyError:
        return  # refusing the entry at start-up keeps the rule too

    assert result.values(ACAO) == []


@PROPERTY
@given(
    entry=st.sampled_from(["https://example.com:*", "https://*.example.com:*"]),
    port=st.sampled_from([":0", ":443", ":08443", ":65536", ":99999"]),
)
def test_port_wildcard_never_allows_a_port_no_browser_sends(entry: str, port: str) -> None:
    origin = entry.replace("*.", "www.").replace(":*", port)
    case = Case(
        {"allow_origins": [entry]}, None, "GET", "/", origin, None, None, None, "200 OK", ()
    )

    assert run(case).values(ACAO) == []

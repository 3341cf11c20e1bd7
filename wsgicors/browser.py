"""The browser's side of the Fetch standard, as a pure model (no I/O).

``wsgicors explain`` and ``wsgicors probe`` use it to decide what a browser would do with a
cross-origin ``fetch()``: whether it sends a preflight and what that preflight looks like, whether
the preflight response lets the actual request go, whether the page may read the actual response,
which response headers the script can see, and how long the preflight is cached.

Section names in comments (``#cors-check``) are those of https://fetch.spec.whatwg.org/. Where
Chromium was observed to differ from the text, the model follows Chromium and says so: the
verdicts must agree with the browser people use.

A typical use::

    request = FetchRequest("https://app.example.com", "PUT", [("X-Token", "1")])
    preflight = request.preflight_request()          # None when no preflight is needed
    ...send it, build an HTTPResponse from the answer...
    verdict = evaluate(request, preflight_response, actual_response)
    verdict.allowed, verdict.reasons, verdict.fixes
"""

from __future__ import annotations

import string
from collections.abc import Iterable

import attrs

from .headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACEH,
    ACMA,
    ACRH,
    ACRM,
    FORBIDDEN_METHODS,
    FORBIDDEN_REQUEST_HEADER_PREFIXES,
    FORBIDDEN_REQUEST_HEADERS,
    FORBIDDEN_RESPONSE_HEADERS,
    NORMALISED_METHODS,
    ORIGIN,
    SAFELISTED_METHODS,
    SAFELISTED_RESPONSE_HEADERS,
    is_token,
)

__all__ = [
    "CHECK_ACAC",
    "CHECK_ACAH_SYNTAX",
    "CHECK_ACAM_SYNTAX",
    "CHECK_ACAO_MISMATCH",
    "CHECK_ACAO_MISSING",
    "CHECK_ACAO_MULTIPLE",
    "CHECK_ACAO_WILDCARD",
    "CHECK_HEADER",
    "CHECK_METHOD",
    "CHECK_PREFLIGHT_REDIRECT",
    "CHECK_PREFLIGHT_STATUS",
    "CORS_UNSAFE_BYTES",
    "DEFAULT_MAX_AGE",
    "MAX_AGE_CAPS",
    "SAFELISTED_CONTENT_TYPES",
    "FetchRequest",
    "HTTPRequest",
    "HTTPResponse",
    "PreflightCache",
    "Rejection",
    "Verdict",
    "check_actual",
    "check_preflight",
    "cors_check",
    "evaluate",
    "is_forbidden_request_header",
    "normalize_method",
    "parse_list",
    "parse_origin",
    "preflight_cache",
    "readable_headers",
    "safelist_problem",
    "unsafe_header_names",
]

Headers = tuple[tuple[str, str], ...]

# #forbidden-request-header: these are forbidden when they name a forbidden method.
_METHOD_OVERRIDE_HEADERS = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)

# #cors-safelisted-request-header, `Content-Type`: the essences a form can send.
SAFELISTED_CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
)
# #cors-unsafe-request-header-byte: controls except tab, these, and DEL.
CORS_UNSAFE_BYTES = frozenset(
    {chr(c) for c in range(0x20) if c != 0x09} | set('"():<>?@[\\]{}') | {"\x7f"}
)
# #cors-safelisted-request-header, `Accept-Language` / `Content-Language`.
_LANGUAGE_BYTES = frozenset(string.ascii_letters + string.digits + " *,-.;=")
_MAX_SAFELISTED_VALUE = 128
_MAX_SAFELISTED_TOTAL = 1024

# #cors-preflight-fetch: the default lifetime when Access-Control-Max-Age is absent or
# unparsable.
DEFAULT_MAX_AGE = 5
# Each engine caps the lifetime (#cors-preflight-fetch, "max-age limit").
MAX_AGE_CAPS = {"chromium": 7200, "firefox": 86400, "webkit": 600}

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
_SCHEME_CHARS = frozenset(string.ascii_lowercase + string.digits + "+-.")
_HTTP_WHITESPACE = "\t\n\r "

# The ids of the checks a Rejection names; the command maps them to configuration changes.
CHECK_ACAO_MISSING = "allow-origin-missing"
CHECK_ACAO_MULTIPLE = "allow-origin-multiple"
CHECK_ACAO_WILDCARD = "allow-origin-wildcard-with-credentials"
CHECK_ACAO_MISMATCH = "allow-origin-mismatch"
CHECK_ACAC = "allow-credentials"
CHECK_PREFLIGHT_STATUS = "preflight-status"
CHECK_PREFLIGHT_REDIRECT = "preflight-redirect"
CHECK_ACAM_SYNTAX = "allow-methods-syntax"
CHECK_ACAH_SYNTAX = "allow-headers-syntax"
CHECK_METHOD = "method"
CHECK_HEADER = "header"


def parse_origin(value: str) -> str:
    """Return ``value`` if it is an origin as a browser serialises it, else raise ValueError.

    The message says what is wrong and gives the value to use instead.
    """
    if value == "null":
        # Sandboxed iframes, file: pages and redirect-tainted requests (#origin-header).
        return value
    problem, suggestion = _origin_problem(value)
    if problem:
        hint = f"; use {suggestion!r}" if suggestion and suggestion != value else ""
        raise ValueError(f"{value!r} is not an origin: {problem}{hint}")
    return value


def _origin_problem(value: str) -> tuple[str, str]:
    # #ascii-serialisation-of-an-origin: scheme "://" host [":" port], lower case, no default
    # port, nothing else.
    if value != value.strip() or any(c in value for c in " \t\r\n"):
        return "it contains whitespace", value.strip()
    scheme, sep, rest = value.partition("://")
    if not sep:
        return "it needs a scheme, as in 'https://app.example.com'", ""
    if not scheme or not scheme[0].isalpha() or not set(scheme.lower()) <= _SCHEME_CHARS:
        return f"{scheme!r} is not a URL scheme", ""
    authority, _, path = _split_authority(rest)
    suggestion = f"{scheme.lower()}://{authority.lower()}"
    if path:
        if path == "/":
            return "an origin has no path; remove the trailing '/'", suggestion
        return "an origin has no path, query or fragment", suggestion
    if "@" in authority:
        return "an origin has no user name or password", ""
    host, port = _split_host_port(authority)
    if not host:
        return "it has no host", ""
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            return f"the port {port!r} is not a number from 1 to 65535", ""
        if _DEFAULT_PORTS.get(scheme.lower()) == port.lstrip("0"):
            return (
                f"browsers leave out the default port {port} of {scheme.lower()}",
                f"{scheme.lower()}://{host.lower()}",
            )
        if port != str(int(port)):
            return "the port has leading zeros", f"{scheme.lower()}://{host.lower()}:{int(port)}"
    if value != value.lower():
        return "browsers send the scheme and host in lower case", value.lower()
    return "", ""


def _split_authority(rest: str) -> tuple[str, str, str]:
    for i, c in enumerate(rest):
        if c in "/?#":
            return rest[:i], c, rest[i:]
    return rest, "", ""


def _split_host_port(authority: str) -> tuple[str, str | None]:
    if authority.startswith("["):
        host, bracket, after = authority.partition("]")
        if not bracket:
            return "", None
        host += "]"
        if after.startswith(":"):
            return host, after[1:]
        return (host, None) if not after else ("", None)
    host, colon, port = authority.partition(":")
    return host, port if colon else None


def normalize_method(method: str) -> str:
    """Normalise ``method`` as ``fetch()`` does, or raise ValueError as ``fetch()`` throws."""
    if not is_token(method):
        raise ValueError(f"{method!r} is not a method: a method is a token such as 'PUT'")
    upper = method.upper()
    if upper in FORBIDDEN_METHODS:
        raise ValueError(f"{method!r} is a forbidden method: a page cannot send it")
    # #concept-method-normalize
    return upper if upper in NORMALISED_METHODS else method


def is_forbidden_request_header(name: str, value: str) -> bool:
    """True when a script cannot set this header: ``fetch()`` silently drops it."""
    lower = name.lower()
    if lower in FORBIDDEN_REQUEST_HEADERS or lower.startswith(FORBIDDEN_REQUEST_HEADER_PREFIXES):
        return True
    if lower in _METHOD_OVERRIDE_HEADERS:
        # #forbidden-request-header: a method override naming a forbidden method.
        return any(m.strip(" \t").upper() in FORBIDDEN_METHODS for m in value.split(","))
    return False


def safelist_problem(name: str, value: str) -> str | None:
    """Why (name, value) is not a CORS-safelisted request header, or None when it is.

    #cors-safelisted-request-header, one value alone; the 1024-byte total is applied by
    `unsafe_header_names`.
    """
    lower = name.lower()
    if lower not in {"accept", "accept-language", "content-language", "content-type", "range"}:
        return f"{name!r} is not one of the CORS-safelisted request headers"
    if len(value.encode("latin-1", "replace")) > _MAX_SAFELISTED_VALUE:
        return f"its value is longer than {_MAX_SAFELISTED_VALUE} bytes"
    if lower in {"accept", "content-type"}:
        unsafe = sorted({c for c in value if c in CORS_UNSAFE_BYTES})
        if unsafe:
            return f"its value contains the CORS-unsafe byte {unsafe[0]!r}"
    if lower in {"accept-language", "content-language"}:
        bad = sorted({c for c in value if c not in _LANGUAGE_BYTES})
        if bad:
            return (
                f"its value contains {bad[0]!r}; only letters, digits, space and '*,-.;=' "
                "are safelisted"
            )
    if lower == "content-type":
        essence = _mime_essence(value)
        if essence is None:
            return f"{value!r} is not a MIME type"
        if essence not in SAFELISTED_CONTENT_TYPES:
            return f"its essence {essence!r} is not one of " + ", ".join(
                repr(t) for t in SAFELISTED_CONTENT_TYPES
            )
    if lower == "range" and not _is_safelisted_range(value):
        return f"{value!r} is not a single 'bytes=N-' or 'bytes=N-M' range"
    return None


def _mime_essence(value: str) -> str | None:
    # #parse-a-mime-type: the essence is "type/subtype" in lower case; parameters
    # never make parsing fail.
    stripped = value.strip(_HTTP_WHITESPACE)
    mime_type, slash, rest = stripped.partition("/")
    if not slash or not is_token(mime_type):
        return None
    subtype = rest.partition(";")[0].rstrip(_HTTP_WHITESPACE)
    if not is_token(subtype):
        return None
    return f"{mime_type}/{subtype}".lower()


def _is_safelisted_range(value: str) -> bool:
    # #simple-range-header-value with allowWhitespace false; a suffix range (no start) is not
    # safelisted (#cors-safelisted-request-header, `range`).
    if not value.startswith("bytes="):
        return False
    start, dash, end = value[len("bytes=") :].partition("-")
    if not dash or not start.isdigit() or not start.isascii():
        return False
    if end == "":
        return True
    return end.isdigit() and end.isascii() and int(start) <= int(end)


def unsafe_header_names(headers: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """#cors-unsafe-request-header-names: lower-cased, de-duplicated and sorted."""
    unsafe: set[str] = set()
    potentially_unsafe: set[str] = set()
    safelist_value_size = 0
    for name, value in headers:
        if safelist_problem(name, value) is None:
            potentially_unsafe.add(name.lower())
            safelist_value_size += len(value.encode("latin-1", "replace"))
        else:
            unsafe.add(name.lower())
    if safelist_value_size > _MAX_SAFELISTED_TOTAL:
        unsafe |= potentially_unsafe
    return tuple(sorted(unsafe))


def parse_list(value: str | None) -> tuple[str, ...] | None:
    """Parse an ``Access-Control-Allow-Methods``/``-Headers``/``-Expose-Headers`` value.

    Returns () when the header is absent and None when the list is malformed. #extract-header-
    list-values: every element must be a token (``#method`` / ``#field-name``); like Chromium,
    empty elements are skipped (RFC 9110 §5.6.1 asks recipients to accept them).
    """
    if value is None:
        return ()
    items = []
    for raw in value.split(","):
        item = raw.strip(" \t")
        if not item:
            continue
        if not is_token(item):
            return None
        items.append(item)
    return tuple(items)


def _to_headers(value: Iterable[tuple[str, str]]) -> Headers:
    # Headers.append() strips leading and trailing HTTP whitespace from values (#concept-header-
    # value-normalize).
    return tuple((str(n), str(v).strip(_HTTP_WHITESPACE)) for n, v in value)


def _check_headers(instance: object, attribute: object, value: Headers) -> None:
    for name, field_value in value:
        if not is_token(name):
            raise ValueError(f"{name!r} is not a header name: a header name is a token")
        if any(c in field_value for c in "\0\r\n"):
            raise ValueError(f"the value of {name!r} contains a NUL, CR or LF byte")


def _check_origin(instance: object, attribute: object, value: str) -> None:
    parse_origin(value)


def _check_path(instance: object, attribute: object, value: str) -> None:
    if not value.startswith("/") or any(c <= " " or c == "\x7f" for c in value):
        raise ValueError(f"{value!r} is not a path: it must start with '/' and have no spaces")


@attrs.frozen
class HTTPRequest:
    """A request as it goes over the wire: what a server sees."""

    method: str
    path: str
    headers: Headers = attrs.field(default=(), converter=_to_headers)


@attrs.frozen
class HTTPResponse:
    """A response as the browser receives it: status and header fields in order."""

    status: int
    headers: Headers = attrs.field(default=(), converter=_to_headers)

    def get_all(self, name: str) -> list[str]:
        lower = name.lower()
        return [v for n, v in self.headers if n.lower() == lower]

    def get(self, name: str) -> str | None:
        """#concept-header-list-get: several fields are combined with ", "."""
        values = self.get_all(name)
        return ", ".join(values) if values else None


@attrs.frozen
class FetchRequest:
    """A cross-origin ``fetch(url, {method, headers, credentials, mode: "cors"})`` from a page.

    ``headers`` are what the script passes; a browser drops the forbidden ones without a word
    (#forbidden-request-header), see `sent_headers` and `dropped_headers`. ``credentials`` means
    credentials mode "include"; otherwise a cross-origin request carries no cookies.
    """

    origin: str = attrs.field(validator=_check_origin)
    method: str = attrs.field(default="GET", converter=normalize_method)
    headers: Headers = attrs.field(default=(), converter=_to_headers, validator=_check_headers)
    credentials: bool = False
    path: str = attrs.field(default="/", validator=_check_path)

    @property
    def sent_headers(self) -> Headers:
        return tuple((n, v) for n, v in self.headers if not is_forbidden_request_header(n, v))

    @property
    def dropped_headers(self) -> tuple[str, ...]:
        return tuple(n for n, v in self.headers if is_forbidden_request_header(n, v))

    @property
    def unsafe_header_names(self) -> tuple[str, ...]:
        return unsafe_header_names(self.sent_headers)

    @property
    def needs_preflight(self) -> bool:
        # #main-fetch (cors mode): a preflight unless the method is safelisted and no
        # header is unsafe. The model assumes a cold preflight cache.
        return self.method not in SAFELISTED_METHODS or bool(self.unsafe_header_names)

    def preflight_triggers(self) -> tuple[str, ...]:
        """One sentence per thing that makes this request need a preflight."""
        triggers = []
        if self.method not in SAFELISTED_METHODS:
            triggers.append(
                f"the method {self.method!r} is not CORS-safelisted (only GET, HEAD and POST are)"
            )
        unsafe = set(self.unsafe_header_names)
        values = [(n, v) for n, v in self.sent_headers if n.lower() in unsafe]
        for name, value in values:
            problem = safelist_problem(name, value)
            if problem is None:
                problem = (
                    f"the safelisted header values add up to more than {_MAX_SAFELISTED_TOTAL} "
                    "bytes"
                )
            triggers.append(f"the header '{name}: {value}' is not CORS-safelisted: {problem}")
        return tuple(triggers)

    def preflight_request(self) -> HTTPRequest | None:
        """The OPTIONS request the browser sends first, or None (#cors-preflight-fetch)."""
        if not self.needs_preflight:
            return None
        headers = [(ORIGIN, self.origin), ("Accept", "*/*"), (ACRM, self.method)]
        unsafe = self.unsafe_header_names
        if unsafe:
            # #cors-preflight-fetch: the names, joined by "," with no space.
            headers.append((ACRH, ",".join(unsafe)))
        # No cookies and no Authorization: a preflight never carries credentials.
        return HTTPRequest("OPTIONS", self.path, headers)

    def actual_request(self) -> HTTPRequest:
        """The request itself, as sent once any preflight has passed."""
        combined: dict[str, tuple[str, list[str]]] = {}
        for name, value in self.sent_headers:
            combined.setdefault(name.lower(), (name, []))[1].append(value)
        headers = [(ORIGIN, self.origin)]
        headers += [(name, ", ".join(values)) for name, values in combined.values()]
        return HTTPRequest(self.method, self.path, headers)


@attrs.frozen
class Rejection:
    """A check the browser applied and that failed.

    ``check`` is a stable id (the ``CHECK_*`` constants), ``reason`` a sentence in the spirit of
    Chromium's console message, ``fix`` what the server would have to send instead.
    """

    check: str
    reason: str
    fix: str
    value: str | None = None


@attrs.frozen
class PreflightCache:
    """How long a successful preflight is reused (#cors-preflight-cache)."""

    header: str | None
    seconds: int
    chromium: int
    firefox: int
    webkit: int


@attrs.frozen
class Verdict:
    """What the browser would do with a request, given the answers it received."""

    request: FetchRequest
    preflight: bool
    allowed: bool
    rejections: tuple[Rejection, ...] = ()
    readable_headers: tuple[str, ...] = ()
    cache: PreflightCache | None = None
    notes: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        return [r.reason for r in self.rejections]

    @property
    def fixes(self) -> list[str]:
        return [r.fix for r in self.rejections]


_PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "


def cors_check(
    request: FetchRequest, response: HTTPResponse, *, preflight: bool = False
) -> Rejection | None:
    """#cors-check, on a preflight or an actual response."""
    prefix = _PREFLIGHT_PREFIX if preflight else ""
    where = "preflight response" if preflight else "response"
    origin = request.origin
    values = response.get_all(ACAO)
    if not values:
        return Rejection(
            CHECK_ACAO_MISSING,
            f"{prefix}No 'Access-Control-Allow-Origin' header is present on the {where} "
            f"(origin {origin!r}).",
            f"the {where} must carry 'Access-Control-Allow-Origin: {origin}'"
            + ("" if request.credentials else " (or '*')"),
        )
    allow_origin = ", ".join(values)
    if len(values) > 1 or "," in allow_origin:
        # #cors-check: several fields combine into one value, which matches nothing.
        return Rejection(
            CHECK_ACAO_MULTIPLE,
            f"{prefix}The 'Access-Control-Allow-Origin' header contains multiple values "
            f"{allow_origin!r}, but only one is allowed.",
            f"send exactly one Access-Control-Allow-Origin field, {origin!r}; when two layers "
            "(the app and a proxy or middleware) both add CORS headers, let only one do it",
            allow_origin,
        )
    if allow_origin == "*":
        if not request.credentials:
            return None
        return Rejection(
            CHECK_ACAO_WILDCARD,
            f"{prefix}The value of the 'Access-Control-Allow-Origin' header in the {where} must "
            "not be the wildcard '*' when the request's credentials mode is 'include'.",
            f"answer a request with credentials with its own origin {origin!r}, never '*'",
            allow_origin,
        )
    if allow_origin != origin:
        # #cors-check: byte for byte, no normalisation.
        if allow_origin.rstrip("/") == origin:
            fix = f"remove the trailing '/' from {allow_origin!r}: an origin has no path"
        elif allow_origin.lower() == origin:
            fix = f"origins are compared byte for byte: send {origin!r} in lower case"
        else:
            fix = f"send 'Access-Control-Allow-Origin: {origin}'"
        return Rejection(
            CHECK_ACAO_MISMATCH,
            f"{prefix}The 'Access-Control-Allow-Origin' header has a value {allow_origin!r} "
            f"that is not equal to the supplied origin {origin!r}.",
            fix,
            allow_origin,
        )
    if request.credentials:
        allow_credentials = response.get(ACAC)
        if allow_credentials != "true":
            # #cors-check: exactly `true`, case-sensitive.
            shown = allow_credentials or ""
            return Rejection(
                CHECK_ACAC,
                f"{prefix}The value of the 'Access-Control-Allow-Credentials' header in the "
                f"{where} is {shown!r} which must be 'true' when the request's credentials mode "
                "is 'include'.",
                "send 'Access-Control-Allow-Credentials: true' (exactly, in lower case)",
                allow_credentials,
            )
    return None


def check_preflight(
    request: FetchRequest, response: HTTPResponse
) -> tuple[tuple[Rejection, ...], tuple[str, ...]]:
    """#cors-preflight-fetch: the rejections (empty = passed) and notes."""
    # Chromium applies the CORS check before the status, so a 403 without CORS headers is
    # reported as a missing Access-Control-Allow-Origin; the outcome is the same.
    failed = cors_check(request, response, preflight=True)
    if failed:
        return (failed,), ()
    if 300 <= response.status < 400:
        return (
            Rejection(
                CHECK_PREFLIGHT_REDIRECT,
                f"{_PREFLIGHT_PREFIX}Redirect is not allowed for a preflight request "
                f"(status {response.status}).",
                "answer the preflight at the requested URL itself instead of redirecting "
                "(a missing or extra trailing '/' in the path is a common cause)",
                str(response.status),
            ),
        ), ()
    if not 200 <= response.status < 300:
        return (
            Rejection(
                CHECK_PREFLIGHT_STATUS,
                f"{_PREFLIGHT_PREFIX}It does not have HTTP ok status (status {response.status}).",
                "answer the preflight (OPTIONS with Access-Control-Request-Method) with a 2xx "
                "status; authentication and routing must let it through",
                str(response.status),
            ),
        ), ()

    rejections: list[Rejection] = []
    notes: list[str] = []
    credentials = request.credentials
    methods = parse_list(response.get(ACAM))
    header_names = parse_list(response.get(ACAH))
    if methods is None:
        rejections.append(
            Rejection(
                CHECK_ACAM_SYNTAX,
                "Cannot parse Access-Control-Allow-Methods response header field in preflight "
                f"response: {response.get(ACAM)!r} is not a comma-separated list of methods.",
                "send a comma-separated list of method names, e.g. 'GET, PUT'",
                response.get(ACAM),
            )
        )
    if header_names is None:
        rejections.append(
            Rejection(
                CHECK_ACAH_SYNTAX,
                "Cannot parse Access-Control-Allow-Headers response header field in preflight "
                f"response: {response.get(ACAH)!r} is not a comma-separated list of header "
                "names.",
                "send a comma-separated list of header names, e.g. 'Content-Type, X-Token'",
                response.get(ACAH),
            )
        )
    if methods is None or header_names is None:
        # #cors-preflight-fetch: a malformed list is a network error.
        return tuple(rejections), ()

    # Safelisted methods always pass; `*` is a wildcard only without credentials.
    method = request.method
    any_method = "*" in methods and not credentials
    if method not in methods and method not in SAFELISTED_METHODS and not any_method:
        if "*" in methods:
            detail = "'*' is a literal method name, not a wildcard, for a request with credentials"
        elif methods:
            detail = f"it lists {', '.join(methods)!r}; methods are case-sensitive"
        else:
            detail = "the header is missing"
        rejections.append(
            Rejection(
                CHECK_METHOD,
                f"Method {method} is not allowed by Access-Control-Allow-Methods in preflight "
                f"response ({detail}).",
                f"list {method!r} in Access-Control-Allow-Methods",
                method,
            )
        )

    allowed_names = {n.lower() for n in header_names}
    wildcard = "*" in header_names and not credentials
    for name in request.unsafe_header_names:
        if name in allowed_names:
            continue
        if wildcard:
            if name == "authorization":
                # The standard says `*` never covers Authorization (a "CORS non-wildcard request-
                # header name"). Chromium 156 was observed to let it through for a request
                # without credentials; the model follows the browser, and warns.
                notes.append(
                    "Access-Control-Allow-Headers: '*' covers 'authorization' in Chromium, but "
                    "the Fetch standard says it must be listed by name; list 'Authorization' "
                    "for browsers that follow the standard."
                )
            continue
        if "*" in header_names:
            detail = "'*' is a literal header name, not a wildcard, for a request with credentials"
        elif header_names:
            detail = f"it lists {', '.join(header_names)!r}"
        else:
            detail = "the header is missing"
        rejections.append(
            Rejection(
                CHECK_HEADER,
                f"Request header field {name} is not allowed by Access-Control-Allow-Headers in "
                f"preflight response ({detail}).",
                f"list {name!r} in Access-Control-Allow-Headers",
                name,
            )
        )
    return tuple(rejections), tuple(notes)


def preflight_cache(response: HTTPResponse) -> PreflightCache:
    """#cors-preflight-fetch: the lifetime of a passed preflight, per engine."""
    header = response.get(ACMA)
    seconds = DEFAULT_MAX_AGE
    if header is not None and header.isdigit() and header.isascii():
        # delta-seconds = 1*DIGIT; anything else (a negative number, "12h") falls back to 5 s.
        seconds = int(header)
    return PreflightCache(
        header,
        seconds,
        chromium=min(seconds, MAX_AGE_CAPS["chromium"]),
        firefox=min(seconds, MAX_AGE_CAPS["firefox"]),
        webkit=min(seconds, MAX_AGE_CAPS["webkit"]),
    )


def readable_headers(request: FetchRequest, response: HTTPResponse) -> tuple[str, ...]:
    """The response header names a script can read (#cors-filtered-response)."""
    exposed = parse_list(response.get(ACEH)) or ()
    exposed_lower = {n.lower() for n in exposed}
    # #main-fetch: `*` exposes every header, but only without credentials.
    expose_all = "*" in exposed and not request.credentials
    seen: set[str] = set()
    readable = []
    for name, _ in response.headers:
        lower = name.lower()
        if lower in seen or lower in FORBIDDEN_RESPONSE_HEADERS:
            continue
        seen.add(lower)
        if lower in SAFELISTED_RESPONSE_HEADERS or lower in exposed_lower or expose_all:
            readable.append(name)
    return tuple(readable)


def check_actual(request: FetchRequest, response: HTTPResponse) -> tuple[Rejection, ...]:
    """The CORS check on the actual response; its status does not matter (#http-fetch)."""
    failed = cors_check(request, response)
    return (failed,) if failed else ()


def evaluate(
    request: FetchRequest,
    preflight_response: HTTPResponse | None,
    actual_response: HTTPResponse | None,
) -> Verdict:
    """Decide as the browser does.

    ``preflight_response`` is required when the request needs a preflight; ``actual_response``
    is required unless the preflight failed (the browser then never sends the request).
    """
    notes = [
        f"A script cannot set {name!r} (a forbidden request header): the browser leaves it out."
        for name in request.dropped_headers
    ]
    cache = None
    if request.needs_preflight:
        if preflight_response is None:
            raise ValueError("this request needs a preflight: pass the preflight response")
        rejections, preflight_notes = check_preflight(request, preflight_response)
        notes += preflight_notes
        if rejections:
            return Verdict(request, True, False, rejections, notes=tuple(notes))
        cache = preflight_cache(preflight_response)
    if actual_response is None:
        raise ValueError("pass the actual response: the browser sends the request")
    rejections = check_actual(request, actual_response)
    if rejections:
        return Verdict(
            request, request.needs_preflight, False, rejections, cache=cache, notes=tuple(notes)
        )
    return Verdict(
        request,
        request.needs_preflight,
        True,
        readable_headers=readable_headers(request, actual_response),
        cache=cache,
        notes=tuple(notes),
    )

"""The browser's side of the Fetch standard, as a pure model (no I/O).

``wsgicors explain`` and ``wsgicors probe`` use it to decide what a browser would do with a
cross-origin ``fetch()``: whether it sends a preflight and what that preflight looks like, whether
the preflight response lets the actual request go, whether the page may read the actual response,
which response headers the script can see, and how long the preflight is cached.

Section names in comments (``#cors-check``) are those of https://fetch.spec.whatwg.org/. The
three engines people use do not all follow the text: each function that decides something an
engine decides its own way takes ``engine`` (one of `ENGINES`), and says in a comment what that
engine does. ``engine=None`` is the text of the standard, which is also the model of WebKit
wherever WebKit's behaviour has not been observed to differ.

A typical use::

    request = FetchRequest("https://app.example.com", "PUT", [("X-Token", "1")], engine="firefox")
    preflight = request.preflight_request()          # None when no preflight is needed
    ...send it, build an HTTPResponse from the answer...
    verdict = evaluate(request, preflight_response, actual_response)
    verdict.allowed, verdict.reasons, verdict.fixes
"""

from __future__ import annotations

import string
from collections.abc import Iterable

import attrs

from ..headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACEH,
    ACMA,
    ACRH,
    ACRM,
    FORBIDDEN_METHODS,
    FORBIDDEN_RESPONSE_HEADERS,
    NORMALISED_METHODS,
    ORIGIN,
    PREFLIGHT_CACHE_CAPS,
    SAFELISTED_METHODS,
    SAFELISTED_REQUEST_HEADERS,
    SAFELISTED_RESPONSE_HEADERS,
    is_forbidden_request_header,
    is_token,
    split_token_list,
)
from ..origins import is_serialized_origin, normalise_origin, parse_origin_pattern

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
    "CHECK_TYPE_ERROR",
    "CORS_UNSAFE_BYTES",
    "DEFAULT_MAX_AGE",
    "ENGINES",
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
    "combine_headers",
    "console_messages",
    "cors_check",
    "engine_list",
    "engine_name",
    "evaluate",
    "is_forbidden_request_header",
    "max_age",
    "normalize_method",
    "parse_list",
    "parse_origin",
    "preflight_cache",
    "readable_headers",
    "safelist_problem",
    "type_error",
    "unsafe_header_names",
]

Headers = tuple[tuple[str, str], ...]

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
# The engines the model knows, in the order reports list them.
ENGINES = ("chromium", "firefox", "webkit")
_NAMES = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKit", "": "the standard"}

# Chromium also safelists the Save-Data and DPR/Width/Viewport-Width/Device-Memory client hints
# with a plausible value; Firefox preflights them (both observed).
_CHROMIUM_SAFELISTED_NAMES = SAFELISTED_REQUEST_HEADERS | {
    "device-memory",
    "dpr",
    "save-data",
    "viewport-width",
    "width",
}
# The largest Range position each engine safelists (observed: Chromium 2**63 - 2, Firefox
# 2**64 - 1). WebKit is not known to differ from the standard, which sets no bound.
_RANGE_BOUNDS = {"chromium": 2**63 - 2, "firefox": 2**64 - 1}
# RFC 9110 §5.6.2: the characters a token may hold besides letters and digits.
_TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~"
_THROWS = "fetch() throws a TypeError and sends nothing: "
# #cors-safelisted-request-header, `Accept-Language` / `Content-Language`.
_LANGUAGE_BYTES = frozenset(string.ascii_letters + string.digits + " *,-.;=")
_MAX_SAFELISTED_VALUE = 128
_MAX_SAFELISTED_TOTAL = 1024

# #cors-preflight-fetch: the default lifetime when Access-Control-Max-Age is absent or
# unparsable.
DEFAULT_MAX_AGE = 5
# Each engine caps the lifetime (#cors-preflight-fetch, "max-age limit").
MAX_AGE_CAPS = PREFLIGHT_CACHE_CAPS

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
CHECK_TYPE_ERROR = "type-error"


def parse_origin(value: str) -> str:
    """Return ``value`` if it is a page's origin as a browser serialises it, else raise
    ValueError, whose message says what is wrong and the value to use instead.

    The syntax is `wsgicors.origins`' (`~wsgicors.origins.is_serialized_origin`), the one the
    middleware reads an ``Origin`` header with, so the model never plays a page whose origin
    the middleware could not read. It is narrower than the URL standard in one respect, on
    purpose: a domain is dot-separated labels of lower-case letters, digits, ``-`` and ``_``.
    A browser also serialises hosts such as ``a..b`` or ``a$b.example`` (URL #host-parsing
    allows empty labels and most ASCII symbols), but no ``allow_origins`` entry can name them
    and the middleware refuses them (check ``"origin-syntax"``) whatever the policy; the model
    refuses such a page origin, with the rule it breaks, instead of playing a request that no
    policy can allow.
    """
    # "null" is serialised too: sandboxed iframes, file: pages, redirect-tainted requests
    # (#origin-header).
    if is_serialized_origin(value):
        return value
    raise ValueError(f"{value!r} is not an origin: {_origin_problem(value)}")


def _origin_problem(value: str) -> str:
    # The rules and hints are those `wsgicors.origins` gives a configured origin, applied to
    # the value in lower case as a policy applies them; only the case and the wildcards are a
    # page's own matter.
    lower = normalise_origin(value)
    if lower != value and is_serialized_origin(lower):
        return f"browsers send the scheme and host in lower case; use {lower!r}"
    pattern, problems = parse_origin_pattern(lower)
    if problems:
        rule, hint = problems[0]
        return f"{rule}; {hint}"
    if pattern is not None and (pattern.subdomains or pattern.port == "*"):
        return "a page has one origin: wildcards are for allow_origins"
    return "it is not scheme://host[:port] as a browser serialises it"


def normalize_method(method: str) -> str:
    """Normalise ``method`` as ``fetch()`` does, or raise ValueError as ``fetch()`` throws."""
    if not is_token(method):
        raise ValueError(f"{method!r} is not a method: a method is a token such as 'PUT'")
    upper = method.upper()
    if upper in FORBIDDEN_METHODS:
        raise ValueError(f"{method!r} is a forbidden method: a page cannot send it")
    # #concept-method-normalize
    return upper if upper in NORMALISED_METHODS else method


def safelist_problem(name: str, value: str, engine: str | None = None) -> str | None:
    """Why (name, value) is not a CORS-safelisted request header, or None when it is.

    #cors-safelisted-request-header, one value alone, as ``engine`` decides it (None: the text
    of the standard); the 1024-byte total is applied by `unsafe_header_names`.
    """
    lower = name.lower()
    names = _CHROMIUM_SAFELISTED_NAMES if engine == "chromium" else SAFELISTED_REQUEST_HEADERS
    if lower not in names:
        return f"{name!r} is not one of the CORS-safelisted request headers"
    if len(value.encode("latin-1", "replace")) > _MAX_SAFELISTED_VALUE:
        return f"its value is longer than {_MAX_SAFELISTED_VALUE} bytes"
    if lower in {"accept", "content-type"}:
        unsafe = sorted({c for c in value if c in CORS_UNSAFE_BYTES})
        if unsafe:
            return f"its value contains the CORS-unsafe byte {unsafe[0]!r}"
        if engine == "firefox":
            # Gecko tests each byte as a signed `char`, so every byte above 0x7F counts as
            # "less than 0x20": a CORS-unsafe byte (observed in Firefox 153).
            high = sorted({c for c in value if c > "\x7f"})
            if high:
                return (
                    f"its value contains the byte {high[0]!r}, and Firefox counts every byte "
                    "above 0x7F as CORS-unsafe"
                )
    if lower in {"accept-language", "content-language"}:
        bad = sorted({c for c in value if c not in _LANGUAGE_BYTES})
        if bad:
            return (
                f"its value contains {bad[0]!r}; only letters, digits, space and '*,-.;=' "
                "are safelisted"
            )
    if lower == "content-type":
        return _content_type_problem(value, engine)
    if lower == "range":
        return _range_problem(value, engine)
    if lower == "save-data" and value.lower() != "on":
        return f"its value {value!r} is not 'on'"
    if lower in {"dpr", "device-memory"} and not _is_chromium_double(value):
        return f"its value {value!r} is not a number such as '2' or '1.5'"
    if lower in {"width", "viewport-width"} and not (value.isdigit() and value.isascii()):
        return f"its value {value!r} is not a whole number"
    return None


def _content_type_problem(value: str, engine: str | None) -> str | None:
    if engine == "chromium":
        essence = _chromium_mime_essence(value)
    elif engine == "firefox":
        essence = _gecko_request_content_type(value)
        if essence is None:
            return f"{value!r} is not a media type as Firefox parses a request Content-Type"
    else:
        essence = _mime_essence(value)
    if essence is None:
        return f"{value!r} is not a MIME type"
    if essence not in SAFELISTED_CONTENT_TYPES:
        return f"its essence {essence!r} is not one of " + ", ".join(
            repr(t) for t in SAFELISTED_CONTENT_TYPES
        )
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


def _chromium_mime_essence(value: str) -> str | None:
    # Chromium takes what precedes the first ';' and splits it on '/' into exactly two tokens,
    # each trimmed of whitespace (net::ExtractMimeTypeFromMediaType); the parameters are never
    # parsed, so 'application/x-www-form-urlencoded;;' is safelisted there.
    parts = value.partition(";")[0].split("/")
    if len(parts) != 2:
        return None
    mime_type, subtype = (part.strip(_HTTP_WHITESPACE) for part in parts)
    if not is_token(mime_type) or not is_token(subtype):
        return None
    return f"{mime_type}/{subtype}".lower()


def _gecko_request_content_type(value: str) -> str | None:
    # Gecko parses a request's Content-Type strictly (net_ParseRequestContentType, RFC 7231
    # §3.1.1.1): no ',' at all; the type runs to the first whitespace, ';' or '(' and must
    # hold a '/'; then each ';' starts a parameter that runs to the next ';', and everything
    # must be consumed. The loop over parameters stops when the next one would start at the
    # end of the value, so a final ';' after another ';' is left over and the parse fails:
    # 'application/x-www-form-urlencoded;;' is not safelisted (observed in Firefox 153), while
    # 'text/plain;' is.
    if "," in value:
        return None
    stripped = value.lstrip(" \t")
    end = len(stripped)
    for i, c in enumerate(stripped):
        if c in " \t;(":
            end = i
            break
    mime_type = stripped[:end]
    if not mime_type or "/" not in mime_type:
        return None
    consumed = end
    param_start = stripped.find(";", end)
    if param_start >= 0:
        current = param_start + 1
        while True:
            next_delimiter = stripped.find(";", current)
            current_end = len(stripped) if next_delimiter < 0 else next_delimiter
            consumed = current_end
            current = current_end + 1
            if current >= len(stripped):
                break
    if stripped[consumed:].strip(" \t"):
        return None
    return mime_type.lower()


def _is_chromium_double(value: str) -> bool:
    # Chromium's test for the DPR and Device-Memory client hints: digits, at most one '.',
    # starting with a digit and, after a '.', at least one more digit.
    whole, dot, fraction = value.partition(".")
    if not (whole.isdigit() and whole.isascii()):
        return False
    return not dot or (fraction.isdigit() and fraction.isascii())


def _parse_single_range(value: str) -> tuple[int | None, int | None] | None:
    # #simple-range-header-value with allowWhitespace false: "bytes" (case-sensitive, in every
    # engine), "=", optional digits, "-", optional digits, nothing else.
    if not value.startswith("bytes="):
        return None
    start, dash, end = value[len("bytes=") :].partition("-")
    if not dash:
        return None
    for digits in (start, end):
        if digits and not (digits.isdigit() and digits.isascii()):
            return None
    if not start and not end:
        return None
    first = int(start) if start else None
    last = int(end) if end else None
    if first is not None and last is not None and first > last:
        return None
    return first, last


def _range_problem(value: str, engine: str | None) -> str | None:
    parsed = _parse_single_range(value)
    # A suffix range (no start) is not safelisted (#cors-safelisted-request-header, `range`).
    if parsed is None or parsed[0] is None:
        return f"{value!r} is not a single 'bytes=N-' or 'bytes=N-M' range"
    # The standard sets no bound on the positions; the engines do (both observed).
    bound = _RANGE_BOUNDS.get(engine or "")
    if bound is not None and any(p is not None and p > bound for p in parsed):
        return (
            f"a position in {value!r} is above {bound}, the largest {_NAMES[engine or '']} takes"
        )
    return None


def unsafe_header_names(
    headers: Iterable[tuple[str, str]], engine: str | None = None
) -> tuple[str, ...]:
    """#cors-unsafe-request-header-names: lower-cased, de-duplicated and sorted.

    Each ``(name, value)`` is judged as given: pass a header list whose fields of one name are
    already combined, as `FetchRequest` does.
    """
    unsafe: set[str] = set()
    potentially_unsafe: set[str] = set()
    safelist_value_size = 0
    for name, value in headers:
        if safelist_problem(name, value, engine) is None:
            potentially_unsafe.add(name.lower())
            safelist_value_size += len(value.encode("latin-1", "replace"))
        else:
            unsafe.add(name.lower())
    if safelist_value_size > _MAX_SAFELISTED_TOTAL:
        unsafe |= potentially_unsafe
    return tuple(sorted(unsafe))


def combine_headers(headers: Iterable[tuple[str, str]]) -> Headers:
    """One field per name, values joined with ", " in order (#concept-header-list-combine).

    Engines keep one combined value per name in a request's header list, and judge that value:
    two ``Content-Type: text/plain`` become ``text/plain, text/plain``, which is not a MIME type
    (observed in Chromium 156 and Firefox 153; WebKit's HTTPHeaderMap combines the same way).
    """
    combined: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        combined.setdefault(name.lower(), (name, []))[1].append(value)
    return tuple((name, ", ".join(values)) for name, values in combined.values())


def type_error(method: str, headers: Iterable[tuple[str, str]]) -> Rejection | None:
    """The TypeError ``fetch()`` throws for this method and these headers, or None.

    A page whose ``fetch()`` throws sends nothing and gets no response. The checks run in the
    order of the Request constructor: the IDL conversion of every header to ByteStrings, then
    the method (#dom-request), then each header's name and value (#concept-headers-append).
    """
    pairs = list(headers)
    for name, value in pairs:
        for what, text in (("name", name), ("value", value)):
            wide = next((c for c in text if c > "\xff"), None)
            if wide is not None:
                return Rejection(
                    CHECK_TYPE_ERROR,
                    f"{_THROWS}the {what} of the header {name!r} is not a ByteString: "
                    f"{wide!r} (U+{ord(wide):04X}) is above U+00FF.",
                    "header names and values carry bytes: send only characters up to U+00FF, "
                    "e.g. percent-encode the value with encodeURIComponent() and decode it on "
                    "the server",
                    text,
                )
    if not is_token(method):
        return Rejection(
            CHECK_TYPE_ERROR,
            f"{_THROWS}{method!r} is not a valid method (a method is a token).",
            f"use a method made of letters, digits and {_TCHAR_SYMBOLS} only, e.g. 'PATCH'",
            method,
        )
    if method.upper() in FORBIDDEN_METHODS:
        return Rejection(
            CHECK_TYPE_ERROR,
            f"{_THROWS}{method!r} is a forbidden method.",
            "browsers never send CONNECT, TRACE or TRACK: use another method",
            method,
        )
    for name, value in pairs:
        if not is_token(name):
            return Rejection(
                CHECK_TYPE_ERROR,
                f"{_THROWS}{name!r} is not a valid header name (a header name is a token).",
                f"use a header name made of letters, digits and {_TCHAR_SYMBOLS} only",
                name,
            )
        if any(c in value.strip(_HTTP_WHITESPACE) for c in "\0\r\n"):
            return Rejection(
                CHECK_TYPE_ERROR,
                f"{_THROWS}the value of the header {name!r} contains a NUL, CR or LF byte.",
                "remove NUL, CR and LF from the value, or encode it (e.g. with "
                "encodeURIComponent())",
                value,
            )
    return None


def parse_list(value: str | None) -> tuple[str, ...] | None:
    """An ``Access-Control-Allow-Methods``/``-Headers``/``-Expose-Headers`` value as a browser
    reads it: `~wsgicors.headers.split_token_list`, and () when the header is absent."""
    items = split_token_list(value or "")
    return None if items is None else tuple(items)


def _to_headers(value: Iterable[tuple[str, str]]) -> Headers:
    # Headers.append() strips leading and trailing HTTP whitespace from values (#concept-header-
    # value-normalize).
    return tuple((str(n), str(v).strip(_HTTP_WHITESPACE)) for n, v in value)


def engine_name(engine: str | None) -> str:
    """How reports name an engine: 'Chromium', 'Firefox', 'WebKit' (None: 'the standard')."""
    return _NAMES[engine or ""]


def engine_list(engines: Iterable[str | None]) -> str:
    """How reports name several engines: 'Chromium and Firefox', 'Chromium, Firefox and WebKit'."""
    names = [engine_name(engine) for engine in engines]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _check_engine(instance: object, attribute: object, value: str | None) -> None:
    if value is not None and value not in ENGINES:
        raise ValueError(f"{value!r} is not an engine: use one of {', '.join(ENGINES)}")


def _check_headers(instance: object, attribute: object, value: Headers) -> None:
    # A request fetch() would refuse (see `type_error`) cannot be modelled: it is never sent.
    for name, field_value in value:
        if any(c > "\xff" for c in name + field_value):
            raise ValueError(f"the header {name!r} is not a ByteString: fetch() throws")
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
    credentials mode "include"; otherwise a cross-origin request carries no cookies. ``engine``
    is the browser engine that sends it (one of `ENGINES`; None: the text of the standard).
    """

    origin: str = attrs.field(validator=_check_origin)
    method: str = attrs.field(default="GET", converter=normalize_method)
    headers: Headers = attrs.field(default=(), converter=_to_headers, validator=_check_headers)
    credentials: bool = False
    path: str = attrs.field(default="/", validator=_check_path)
    engine: str | None = attrs.field(default=None, validator=_check_engine)

    @property
    def sent_headers(self) -> Headers:
        return tuple((n, v) for n, v in self.headers if not is_forbidden_request_header(n, v))

    @property
    def dropped_headers(self) -> tuple[str, ...]:
        return tuple(n for n, v in self.headers if is_forbidden_request_header(n, v))

    @property
    def combined_headers(self) -> Headers:
        """The header list as the engine keeps it: one combined field per name."""
        return combine_headers(self.sent_headers)

    @property
    def unsafe_header_names(self) -> tuple[str, ...]:
        return unsafe_header_names(self.combined_headers, self.engine)

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
        values = [(n, v) for n, v in self.combined_headers if n.lower() in unsafe]
        for name, value in values:
            problem = safelist_problem(name, value, self.engine)
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
        return HTTPRequest(self.method, self.path, [(ORIGIN, self.origin), *self.combined_headers])


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
    if 300 <= response.status < 400:
        # #cors-preflight-fetch: a preflight is fetched with redirect mode "error", so a
        # redirect is a network error before any CORS header is looked at, and no header can
        # make it pass (observed for 301, 302, 303, 307 and 308 in Chromium and Firefox).
        return (
            Rejection(
                CHECK_PREFLIGHT_REDIRECT,
                f"{_PREFLIGHT_PREFIX}Redirect is not allowed for a preflight request "
                f"(status {response.status}).",
                _redirect_fix(request.path, response.get("Location")),
                str(response.status),
            ),
        ), ()
    # Chromium applies the CORS check before the status, so a 403 without CORS headers is
    # reported as a missing Access-Control-Allow-Origin; the outcome is the same.
    failed = cors_check(request, response, preflight=True)
    if failed:
        return (failed,), ()
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
                # header name"). Chromium, Firefox and WebKit were all observed to let it
                # through for a request without credentials; the model follows the browsers,
                # and warns.
                notes.append(
                    "Access-Control-Allow-Headers: '*' covers 'authorization' in Chromium, "
                    "Firefox and WebKit, but the Fetch standard says it must be listed by name; "
                    "list 'Authorization' for browsers that follow the standard."
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


def _redirect_fix(path: str, location: str | None) -> str:
    target = f" to {location!r}" if location else ""
    return (
        f"answer the preflight (OPTIONS) at the URL the page requests, {path!r}, instead of "
        f"redirecting it{target}: no header makes a redirected preflight pass; when the app "
        "redirects to add or remove a trailing '/', let the page request the URL the app "
        "serves, or route both forms to the view"
    )


def max_age(header: str | None, engine: str | None = None) -> tuple[int, str]:
    """How long ``engine`` caches a passed preflight, and why: (seconds, reason).

    0 seconds means not cached. ``header`` is the response's Access-Control-Max-Age (several
    fields combined with ", "), or None when absent. The reason is a short phrase such as
    "capped at 7200 s" or "not a number of seconds: the default".
    """
    cap = MAX_AGE_CAPS[engine or "webkit"]
    if header is None:
        return DEFAULT_MAX_AGE, "the default"
    digits = header.isdigit() and header.isascii()
    if engine == "chromium":
        # Chromium reads a 64-bit signed integer (base::StringToInt64: an optional sign, then
        # digits); a value that does not parse, or is 2**63 or more, means the default. A
        # negative lifetime has expired at once (observed: -1 is not cached).
        body = header[1:] if header[:1] in ("-", "+") else header
        magnitude = _bounded_int(body, 2**63 + 1) if body.isdigit() and body.isascii() else None
        negative = header.startswith("-")
        if magnitude is None or magnitude > 2**63 or (magnitude == 2**63 and not negative):
            return DEFAULT_MAX_AGE, "not a 64-bit integer: the default"
        if negative or magnitude == 0:
            return 0, "negative" if negative and magnitude else "zero"
        seconds = magnitude
    elif engine == "firefox":
        # Gecko accepts digits only; any other character means "do not cache" (observed: -1,
        # 12h and +10 are not cached). An empty value means the default.
        if not header:
            return DEFAULT_MAX_AGE, "empty: the default"
        if not digits:
            return 0, "not a number of seconds"
        seconds = _bounded_int(header, cap + 1)
        if seconds == 0:
            return 0, "zero"
    else:
        # #cors-preflight-fetch: max-age is delta-seconds (1*DIGIT); failure means 5 s.
        if not digits:
            return DEFAULT_MAX_AGE, "not a number of seconds: the default"
        seconds = _bounded_int(header, cap + 1)
        if seconds == 0:
            return 0, "zero"
    if seconds > cap:
        return cap, f"capped at {cap} s"
    return seconds, "Access-Control-Max-Age"


def _bounded_int(digits: str, ceiling: int) -> int:
    """The value of ASCII ``digits``, or ``ceiling`` if it is larger (no huge int is built)."""
    significant = digits.lstrip("0")
    if len(significant) > len(str(ceiling)):
        return ceiling
    return min(int(significant or "0"), ceiling)


def preflight_cache(response: HTTPResponse) -> PreflightCache:
    """#cors-preflight-fetch: the lifetime of a passed preflight, per engine.

    ``seconds`` is the lifetime the standard's text gives before any engine's cap.
    """
    header = response.get(ACMA)
    seconds = DEFAULT_MAX_AGE
    if header is not None and header.isdigit() and header.isascii():
        seconds = _bounded_int(header, 2**64)
    return PreflightCache(
        header,
        seconds,
        chromium=max_age(header, "chromium")[0],
        firefox=max_age(header, "firefox")[0],
        webkit=max_age(header, "webkit")[0],
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


# What each engine's console prints for a failed check, in the engine's own words (collected
# from Chromium 156 and Firefox 153 by the browser suite). ``{value}`` is the rejection's value.
_CHROMIUM_CONSOLE = {
    CHECK_ACAO_MISSING: "No 'Access-Control-Allow-Origin' header is present on the requested "
    "resource.",
    CHECK_ACAO_MULTIPLE: "The 'Access-Control-Allow-Origin' header contains multiple values "
    "'{value}', but only one is allowed. Have the server send the header with a valid value.",
    CHECK_ACAO_WILDCARD: "The value of the 'Access-Control-Allow-Origin' header in the response "
    "must not be the wildcard '*' when the request's credentials mode is 'include'.",
    CHECK_ACAO_MISMATCH: "The 'Access-Control-Allow-Origin' header has a value '{value}' that is "
    "not equal to the supplied origin. Have the server send the header with a valid value.",
    CHECK_ACAC: "The value of the 'Access-Control-Allow-Credentials' header in the response is "
    "'{value}' which must be 'true' when the request's credentials mode is 'include'.",
    CHECK_PREFLIGHT_STATUS: "It does not have HTTP ok status.",
    CHECK_PREFLIGHT_REDIRECT: "Redirect is not allowed for a preflight request.",
    CHECK_METHOD: "Method {value} is not allowed by Access-Control-Allow-Methods in preflight "
    "response.",
    CHECK_HEADER: "Request header field {value} is not allowed by Access-Control-Allow-Headers in "
    "preflight response.",
    CHECK_ACAM_SYNTAX: "Cannot parse Access-Control-Allow-Methods response header field in "
    "preflight response.",
    CHECK_ACAH_SYNTAX: "Cannot parse Access-Control-Allow-Headers response header field in "
    "preflight response.",
}
_FIREFOX_CONSOLE = {
    CHECK_ACAO_MISSING: "CORS header \u2018Access-Control-Allow-Origin\u2019 missing",
    CHECK_ACAO_MULTIPLE: "Multiple CORS header \u2018Access-Control-Allow-Origin\u2019 "
    "not allowed",
    CHECK_ACAO_WILDCARD: "Credential is not supported if the CORS header "
    "\u2018Access-Control-Allow-Origin\u2019 is \u2018*\u2019",
    CHECK_ACAO_MISMATCH: "CORS header \u2018Access-Control-Allow-Origin\u2019 does not match "
    "\u2018{value}\u2019",
    CHECK_ACAC: "expected \u2018true\u2019 in CORS header "
    "\u2018Access-Control-Allow-Credentials\u2019",
    CHECK_PREFLIGHT_STATUS: "CORS preflight response did not succeed",
    CHECK_PREFLIGHT_REDIRECT: "CORS request external redirect not allowed",
    CHECK_METHOD: "Did not find method in CORS header \u2018Access-Control-Allow-Methods\u2019",
    CHECK_HEADER: "header \u2018{value}\u2019 is not allowed according to header "
    "\u2018Access-Control-Allow-Headers\u2019 from CORS preflight response",
    CHECK_ACAM_SYNTAX: "invalid token \u2018{value}\u2019 in CORS header "
    "\u2018Access-Control-Allow-Methods\u2019",
    CHECK_ACAH_SYNTAX: "invalid token \u2018{value}\u2019 in CORS header "
    "\u2018Access-Control-Allow-Headers\u2019",
}
# Firefox ends these with the failed response's status; the wildcard one quotes the URL.
_FIREFOX_STATUS = frozenset({CHECK_ACAO_MISSING, CHECK_PREFLIGHT_STATUS})
_FIREFOX_QUOTED = frozenset({CHECK_ACAO_WILDCARD})
_FIREFOX_BLOCKED = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
_FIREFOX_FOLLOW_UP = "(Reason: CORS request did not succeed). Status code: (null)."
# WebKitGTK prints these on its console (seen with MiniBrowser's
# --enable-write-console-messages-to-stdout); its WebDriver does not expose the console.
_WEBKIT_CONSOLE = {
    CHECK_ACAO_MISSING: "Origin {origin} is not allowed by Access-Control-Allow-Origin.",
    CHECK_ACAO_MISMATCH: "Origin {origin} is not allowed by Access-Control-Allow-Origin.",
}
_WEBKIT_FOLLOW_UP = "Fetch API cannot load {url} due to access control checks."


def console_messages(
    engine: str, request: FetchRequest, verdict: Verdict, url: str, status: int | None = None
) -> tuple[str, ...] | None:
    """What ``engine``'s console prints when ``verdict`` blocks the request to ``url``.

    ``status`` is the status of the response that failed the check. Empty when the request is
    allowed; None when the model does not know the engine's words for the failed check.
    """
    if verdict.allowed or not verdict.rejections:
        return ()
    rejection = verdict.rejections[0]
    if rejection.check == CHECK_TYPE_ERROR:
        return None
    # A verdict carries a preflight cache only once its preflight passed.
    in_preflight = verdict.preflight and verdict.cache is None
    value = rejection.value or ""
    if engine == "chromium":
        reason = _CHROMIUM_CONSOLE[rejection.check].format(value=value)
        if in_preflight and rejection.check not in (CHECK_METHOD, CHECK_HEADER):
            reason = _PREFLIGHT_PREFIX + reason
        return (
            f"Access to fetch at '{url}' from origin '{request.origin}' has been blocked by "
            f"CORS policy: {reason}",
            "Failed to load resource: net::ERR_FAILED",
        )
    if engine == "firefox":
        reason = _FIREFOX_CONSOLE[rejection.check].format(value=value)
        where = f"\u2018{url}\u2019" if rejection.check in _FIREFOX_QUOTED else url
        line = f"{_FIREFOX_BLOCKED}remote resource at {where}. (Reason: {reason})."
        if rejection.check in _FIREFOX_STATUS and status is not None:
            line += f" Status code: {status}."
        if in_preflight:
            return (line, f"{_FIREFOX_BLOCKED}remote resource at {url}. {_FIREFOX_FOLLOW_UP}")
        return (line,)
    template = _WEBKIT_CONSOLE.get(rejection.check)
    if template is None:
        return None
    line = template.format(origin=request.origin)
    if status is not None:
        line += f" Status code: {status}"
    return (line, _WEBKIT_FOLLOW_UP.format(url=url))

"""Header names, the Fetch standard's header lists, and the few header algorithms CORS needs.

Every header name the package sends or reads is defined here once; tests import them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from http import HTTPStatus

__all__ = [
    "ACAC",
    "ACAH",
    "ACAM",
    "ACAO",
    "ACAPN",
    "ACEH",
    "ACMA",
    "ACRH",
    "ACRM",
    "ACRPN",
    "ALLOW",
    "ALWAYS_ALLOWED_REQUEST_HEADERS",
    "FORBIDDEN_METHODS",
    "FORBIDDEN_REQUEST_HEADERS",
    "MAX_ACRH_ELEMENTS",
    "MAX_ACRH_LENGTH",
    "METHOD_OVERRIDE_HEADERS",
    "NORMALISED_METHODS",
    "ORIGIN",
    "PREFLIGHT_CACHE_CAPS",
    "SAFELISTED_METHODS",
    "SAFELISTED_REQUEST_HEADERS",
    "SAFELISTED_RESPONSE_HEADERS",
    "VARY",
    "is_forbidden_request_header",
    "is_owned_response_header",
    "is_token",
    "merge_vary",
    "split_list",
    "split_token_list",
    "status_line",
]

ORIGIN = "Origin"
VARY = "Vary"
ALLOW = "Allow"
CONTENT_TYPE = "Content-Type"
CONTENT_LENGTH = "Content-Length"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"

# The WSGI environ keys of the request headers above (PEP 3333: HTTP_ + upper, - to _).
ENV_ORIGIN = "HTTP_ORIGIN"
ENV_ACRM = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
ENV_ACRH = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
ENV_ACRPN = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"

# Fetch #cors-safelisted-method.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Fetch #concept-method-normalize: only these are upper-cased by browsers.
NORMALISED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
# Fetch #forbidden-method, compared case-insensitively.
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})

# Fetch #cors-safelisted-request-header: the names whose value can make a header safelisted
# (the value decides; a browser names the header in a preflight when it does not pass).
SAFELISTED_REQUEST_HEADERS = frozenset(
    {"accept", "accept-language", "content-language", "content-type", "range"}
)
# The names a preflight may request that every policy allows: the safelisted names but Range,
# whose unsafe values (several ranges, a suffix) a policy allows only by naming it.
ALWAYS_ALLOWED_REQUEST_HEADERS = SAFELISTED_REQUEST_HEADERS - {"range"}

# Fetch #forbidden-request-header: a script cannot set these, so no preflight names them.
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
FORBIDDEN_REQUEST_HEADER_PREFIXES = ("proxy-", "sec-")
# Fetch #forbidden-request-header: forbidden too when their value names a forbidden method.
METHOD_OVERRIDE_HEADERS = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)

# Fetch #cors-safelisted-response-header-name: readable by a script without exposing.
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
# Fetch #forbidden-response-header-name: never readable by a script, exposed or not.
FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})

# Bounds on Access-Control-Request-Headers: a browser sends at most a few
# dozen names, so anything larger is hostile and is refused before it is split.
MAX_ACRH_LENGTH = 4096
MAX_ACRH_ELEMENTS = 64

# How long each engine keeps a passed preflight at most, in seconds, whatever
# Access-Control-Max-Age says (Fetch #cors-preflight-fetch lets a user agent impose a
# "max-age limit"; these are the limits of Chromium, Firefox and WebKit).
PREFLIGHT_CACHE_CAPS = {"chromium": 7200, "firefox": 86400, "webkit": 600}

# RFC 9110 §5.6.2: token = 1*tchar. One character class repeated: a match or a failure
# takes one pass over the value.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_OWNED_EXACT = frozenset({"access-control-expose-headers", "access-control-max-age"})


def is_token(value: str) -> bool:
    """True when ``value`` is an RFC 9110 token (a valid method or header name)."""
    return _TOKEN.fullmatch(value) is not None


def is_forbidden_request_header(name: str, value: str | None = None) -> bool:
    """True when a script cannot set this header (Fetch #forbidden-request-header).

    With ``value`` None the name alone is judged; with a value, a method override header
    (``X-HTTP-Method-Override`` and its kin) naming a forbidden method is forbidden too.
    """
    lower = name.lower()
    if lower in FORBIDDEN_REQUEST_HEADERS or lower.startswith(FORBIDDEN_REQUEST_HEADER_PREFIXES):
        return True
    if value is not None and lower in METHOD_OVERRIDE_HEADERS:
        return any(method.upper() in FORBIDDEN_METHODS for method in split_list(value))
    return False


def is_owned_response_header(lower_name: str) -> bool:
    """True for a response header only the middleware may set: it owns the CORS answer."""
    return lower_name.startswith("access-control-allow-") or lower_name in _OWNED_EXACT


def split_list(value: str) -> list[str]:
    """Split a comma-separated header value, trimming spaces and tabs, skipping empties."""
    return [item for item in (part.strip(" \t") for part in value.split(",")) if item]


def split_token_list(value: str) -> list[str] | None:
    """`split_list`, or None when an element is not a token.

    How a browser reads ``Access-Control-Allow-Methods`` and ``-Headers`` (Fetch
    #extract-header-list-values: ``#method`` and ``#field-name`` lists); like Chromium it skips
    empty elements (RFC 9110 §5.6.1 asks recipients to accept them). A None is a network error.
    """
    items = split_list(value)
    return items if all(map(is_token, items)) else None


def merge_vary(values: Sequence[str], additions: Sequence[str]) -> str:
    """One Vary value: ``values`` then ``additions``, de-duplicated case-insensitively.

    RFC 9110 §12.5.5: ``*`` means the response varies on anything, so it absorbs the rest.
    """
    if not values:
        return ", ".join(additions)
    seen: set[str] = set()
    merged: list[str] = []
    for value in values:
        for name in split_list(value):
            if name == "*":
                return "*"
            if name.lower() not in seen:
                seen.add(name.lower())
                merged.append(name)
    for name in additions:
        if name.lower() not in seen:
            seen.add(name.lower())
            merged.append(name)
    return ", ".join(merged)


# RFC 9110 §15: the name of each class of status codes.
_STATUS_CLASSES = {
    1: "Informational",
    2: "Success",
    3: "Redirection",
    4: "Client Error",
    5: "Server Error",
}


def status_line(code: int) -> str:
    """The status line for ``code``: ``"204 No Content"``, or the name of its class for a code
    without a registered reason phrase, such as ``"299 Success"`` (RFC 9110 §15: the phrase
    is informative, and a recipient treats an unknown code as the x00 code of its class)."""
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} {_STATUS_CLASSES.get(code // 100, 'Unknown')}"

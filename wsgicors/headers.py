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
    "NORMALISED_METHODS",
    "ORIGIN",
    "SAFELISTED_METHODS",
    "SAFELISTED_RESPONSE_HEADERS",
    "VARY",
    "is_forbidden_request_header",
    "is_owned_response_header",
    "is_token",
    "merge_vary",
    "split_list",
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

# The four names a preflight may request that every policy allows (Fetch
# #cors-safelisted-request-header lists them; browsers name them in a preflight when their
# value is not safelisted, e.g. Content-Type: application/json).
ALWAYS_ALLOWED_REQUEST_HEADERS = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)

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

# RFC 9110 §5.6.2: token = 1*tchar. One character class repeated: a match or a failure
# takes one pass over the value.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_OWNED_EXACT = frozenset({"access-control-expose-headers", "access-control-max-age"})


def is_token(value: str) -> bool:
    """True when ``value`` is an RFC 9110 token (a valid method or header name)."""
    return _TOKEN.fullmatch(value) is not None


def is_forbidden_request_header(name: str) -> bool:
    """True for a name a script can never set (Fetch #forbidden-request-header)."""
    lower = name.lower()
    return lower in FORBIDDEN_REQUEST_HEADERS or lower.startswith(
        FORBIDDEN_REQUEST_HEADER_PREFIXES
    )


def is_owned_response_header(lower_name: str) -> bool:
    """True for a response header only the middleware may set: it owns the CORS answer."""
    return lower_name.startswith("access-control-allow-") or lower_name in _OWNED_EXACT


def split_list(value: str) -> list[str]:
    """Split a comma-separated header value, trimming spaces and tabs, skipping empties."""
    return [item for item in (part.strip(" \t") for part in value.split(",")) if item]


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


def status_line(code: int) -> str:
    """The WSGI status line for ``code``: ``"204 No Content"``, or ``"299 Success"`` for a
    2xx code without a registered reason phrase (RFC 9110 §15: the phrase is informative)."""
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Success"

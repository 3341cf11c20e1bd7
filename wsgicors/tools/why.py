"""``wsgicors why``: from a console message of Chromium, Firefox or WebKit to the failed check.

A console message is pasted text, so it is read the way client data is: at most
`MAX_MESSAGE` characters, and only with ``str.find``/``str.startswith`` on fixed fragments of
the engines' own wording (no regular expressions), so reading it is linear in its length.

What a message names (`Reading`): the engine, the check of the Fetch standard that failed (one
of ``wsgicors.tools.browser``'s ``CHECK_*`` ids, or several when the engine words them alike),
whether the failing response was the preflight, and the URL, page origin, method or header name
when the message gives them. With a configuration, the request the message describes is played
through the same diagnosis as ``wsgicors explain`` (:mod:`wsgicors.tools.diagnose`), for the cause
in the configuration and the change that lifts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import attrs

from ..middleware import PolicySpec
from . import ToolError
from .browser import (
    CHECK_ACAC,
    CHECK_ACAH_SYNTAX,
    CHECK_ACAM_SYNTAX,
    CHECK_ACAO_MISMATCH,
    CHECK_ACAO_MISSING,
    CHECK_ACAO_MULTIPLE,
    CHECK_ACAO_WILDCARD,
    CHECK_HEADER,
    CHECK_METHOD,
    CHECK_PREFLIGHT_REDIRECT,
    CHECK_PREFLIGHT_STATUS,
    engine_name,
)
from .diagnose import diagnose
from .exchange import explain
from .inputs import Refused, fetch_request

__all__ = ["CHECKS", "MAX_MESSAGE", "Reading", "read_message", "why"]

# Longer than any console message about one request; anything beyond is not read.
MAX_MESSAGE = 4096

# What each check means, in one line (Fetch #cors-check, #cors-preflight-fetch).
CHECKS = {
    CHECK_ACAO_MISSING: "the response has no Access-Control-Allow-Origin header (the server did "
    "not allow the page's origin)",
    CHECK_ACAO_MISMATCH: "Access-Control-Allow-Origin names another origin than the page's "
    "(compared byte for byte)",
    CHECK_ACAO_MULTIPLE: "the response has several Access-Control-Allow-Origin values (two "
    "layers add CORS headers)",
    CHECK_ACAO_WILDCARD: "Access-Control-Allow-Origin is '*' on a request with credentials",
    CHECK_ACAC: "a request with credentials got no 'Access-Control-Allow-Credentials: true'",
    CHECK_PREFLIGHT_STATUS: "the preflight (OPTIONS) was answered with a status outside 200-299",
    CHECK_PREFLIGHT_REDIRECT: "the preflight (OPTIONS) was answered with a redirect",
    CHECK_METHOD: "the preflight's Access-Control-Allow-Methods does not list the method",
    CHECK_HEADER: "the preflight's Access-Control-Allow-Headers does not list a request header",
    CHECK_ACAM_SYNTAX: "the preflight's Access-Control-Allow-Methods is not a list of methods",
    CHECK_ACAH_SYNTAX: "the preflight's Access-Control-Allow-Headers is not a list of names",
}


@attrs.frozen
class Reading:
    """What one console message says.

    ``checks`` is empty for an engine's follow-up line ("Failed to load resource",
    "CORS request did not succeed", "Fetch API cannot load"), which says a request was blocked
    but not why. ``preflight`` is None when the message does not say which response failed.
    """

    engine: str
    checks: tuple[str, ...]
    preflight: bool | None = None
    url: str | None = None
    origin: str | None = None
    value: str | None = None
    status: int | None = None

    @property
    def path(self) -> str | None:
        if self.url is None:
            return None
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def describe(self) -> str:
        if not self.checks:
            return "a request was blocked; the message printed just before this one says why"
        return " or ".join(CHECKS[check] for check in self.checks)

    @property
    def engine_label(self) -> str:
        return engine_name(self.engine)


def _between(text: str, start: str, end: str, at: int = 0) -> tuple[str, int] | None:
    """The text between ``start`` (searched from ``at``) and the next ``end``, and the index
    after ``end``."""
    begin = text.find(start, at)
    if begin < 0:
        return None
    begin += len(start)
    finish = text.find(end, begin)
    if finish < 0:
        return None
    return text[begin:finish], finish + len(end)


def _digits(text: str) -> int | None:
    end = 0
    while end < len(text) and end < 3 and text[end].isdigit() and text[end].isascii():
        end += 1
    return int(text[:end]) if end == 3 else None


# --- Chromium ---------------------------------------------------------------------------------

_CHROMIUM_BLOCKED = "' has been blocked by CORS policy: "
_CHROMIUM_PREFLIGHT = "Response to preflight request doesn't pass access control check: "
# (fragment the reason starts with, check, where the value sits: (before, after) or None)
_CHROMIUM_REASONS: tuple[tuple[str, str, tuple[str, str] | None], ...] = (
    ("No 'Access-Control-Allow-Origin' header is present", CHECK_ACAO_MISSING, None),
    (
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
        "wildcard",
        CHECK_ACAO_WILDCARD,
        None,
    ),
    (
        "The 'Access-Control-Allow-Origin' header has a value",
        CHECK_ACAO_MISMATCH,
        ("has a value '", "' that is not equal"),
    ),
    (
        "The 'Access-Control-Allow-Origin' header contains multiple values",
        CHECK_ACAO_MULTIPLE,
        ("multiple values '", "', but only one"),
    ),
    (
        "The value of the 'Access-Control-Allow-Credentials' header",
        CHECK_ACAC,
        ("in the response is '", "' which must be"),
    ),
    ("It does not have HTTP ok status", CHECK_PREFLIGHT_STATUS, None),
    ("Redirect is not allowed for a preflight request", CHECK_PREFLIGHT_REDIRECT, None),
    ("Method ", CHECK_METHOD, ("Method ", " is not allowed by Access-Control-Allow-Methods")),
    (
        "Request header field ",
        CHECK_HEADER,
        ("Request header field ", " is not allowed by Access-Control-Allow-Headers"),
    ),
    ("Cannot parse Access-Control-Allow-Methods", CHECK_ACAM_SYNTAX, None),
    ("Cannot parse Access-Control-Allow-Headers", CHECK_ACAH_SYNTAX, None),
)


def _chromium(text: str) -> Reading | None:
    if "Failed to load resource: net::ERR_FAILED" in text:
        return Reading("chromium", ())
    blocked = text.find(_CHROMIUM_BLOCKED)
    if blocked < 0:
        return None
    head = text[:blocked]
    url = _between(head, " at '", "' from origin '")
    origin = head[url[1] :] if url else None
    reason = text[blocked + len(_CHROMIUM_BLOCKED) :]
    preflight = reason.startswith(_CHROMIUM_PREFLIGHT)
    if preflight:
        reason = reason[len(_CHROMIUM_PREFLIGHT) :]
    for fragment, check, around in _CHROMIUM_REASONS:
        if not reason.startswith(fragment):
            continue
        value = _between(reason, *around) if around else None
        return Reading(
            "chromium",
            (check,),
            preflight
            or check in (CHECK_METHOD, CHECK_HEADER, CHECK_ACAM_SYNTAX, CHECK_ACAH_SYNTAX),
            url[0] if url else None,
            origin,
            value[0] if value else None,
        )
    return None


# --- Firefox ----------------------------------------------------------------------------------

_FIREFOX_BLOCKED = "The Same Origin Policy disallows reading the remote resource at "
_FIREFOX_REASONS: tuple[tuple[str, str, tuple[str, str] | None], ...] = (
    ("CORS header \u2018Access-Control-Allow-Origin\u2019 missing", CHECK_ACAO_MISSING, None),
    (
        "CORS header \u2018Access-Control-Allow-Origin\u2019 does not match",
        CHECK_ACAO_MISMATCH,
        ("does not match \u2018", "\u2019"),
    ),
    ("Multiple CORS header \u2018Access-Control-Allow-Origin\u2019", CHECK_ACAO_MULTIPLE, None),
    ("Credential is not supported if the CORS header", CHECK_ACAO_WILDCARD, None),
    (
        "expected \u2018true\u2019 in CORS header \u2018Access-Control-Allow-Credentials\u2019",
        CHECK_ACAC,
        None,
    ),
    ("CORS preflight response did not succeed", CHECK_PREFLIGHT_STATUS, None),
    ("CORS request external redirect not allowed", CHECK_PREFLIGHT_REDIRECT, None),
    ("Did not find method in CORS header", CHECK_METHOD, None),
    ("header \u2018", CHECK_HEADER, ("header \u2018", "\u2019")),
    ("missing token \u2018", CHECK_HEADER, ("missing token \u2018", "\u2019")),
    ("invalid token \u2018", CHECK_ACAM_SYNTAX, ("invalid token \u2018", "\u2019")),
)
_FIREFOX_PREFLIGHT_CHECKS = frozenset(
    {CHECK_PREFLIGHT_STATUS, CHECK_PREFLIGHT_REDIRECT, CHECK_METHOD, CHECK_HEADER}
)


def _firefox(text: str) -> Reading | None:
    start = text.find(_FIREFOX_BLOCKED)
    if start < 0:
        return None
    rest = text[start + len(_FIREFOX_BLOCKED) :]
    marker = rest.find(". (Reason: ")
    if marker < 0:
        return None
    url = rest[:marker].strip("\u2018\u2019")
    reason = rest[marker + len(". (Reason: ") :]
    status_at = reason.find("Status code: ")
    status = _digits(reason[status_at + len("Status code: ") :]) if status_at >= 0 else None
    if reason.startswith("CORS request did not succeed"):
        return Reading("firefox", (), url=url, status=status)
    for fragment, check, around in _FIREFOX_REASONS:
        if not reason.startswith(fragment):
            continue
        value = _between(reason, *around) if around else None
        if check == CHECK_ACAM_SYNTAX and "\u2018Access-Control-Allow-Headers\u2019" in reason:
            check = CHECK_ACAH_SYNTAX
        return Reading(
            "firefox",
            (check,),
            True if check in _FIREFOX_PREFLIGHT_CHECKS else None,
            url,
            None,
            value[0] if value else None,
            status,
        )
    return None


# --- WebKit -----------------------------------------------------------------------------------


def _webkit(text: str) -> Reading | None:
    found = _between(text, "Fetch API cannot load ", " due to access control checks")
    if found is not None:
        return Reading("webkit", (), url=found[0])
    origin = _between(text, "Origin ", " is not allowed by Access-Control-Allow-Origin")
    if origin is not None:
        status_at = text.find("Status code: ")
        status = _digits(text[status_at + len("Status code: ") :]) if status_at >= 0 else None
        # WebKit words a missing and a different Access-Control-Allow-Origin alike.
        return Reading(
            "webkit",
            (CHECK_ACAO_MISSING, CHECK_ACAO_MISMATCH),
            origin=origin[0],
            status=status,
        )
    return None


def read_message(message: str) -> Reading | None:
    """What ``message`` (pasted from a console) says, or None when it is no CORS message known
    here. Only the first `MAX_MESSAGE` characters are read."""
    text = " ".join(message[:MAX_MESSAGE].split())
    for reader in (_chromium, _firefox, _webkit):
        reading = reader(text)
        if reading is not None:
            return reading
    return None


def _shown(text: str) -> str:
    return text if text.isprintable() else repr(text)


def _reading_lines(reading: Reading) -> list[str]:
    where = {True: " on the preflight response", False: "", None: ""}[reading.preflight]
    lines = [f"{reading.engine_label} console message: a CORS check failed{where}."]
    if reading.checks:
        lines.append(f"failed check: {' or '.join(reading.checks)}")
    lines.append(f"  {reading.describe()}")
    for label, value in (
        ("URL", reading.url),
        ("page origin", reading.origin),
        ("named in the message", reading.value),
        ("status", None if reading.status is None else str(reading.status)),
    ):
        if value is not None:
            lines.append(f"{label}: {_shown(value)}")
    return lines


def why(
    message: str,
    policy: PolicySpec | None = None,
    *,
    origin: str | None = None,
    method: str = "GET",
    headers: Sequence[str] = (),
    credentials: bool = False,
    path: str | None = None,
) -> tuple[Reading | None, list[str]]:
    """Read ``message``; with ``policy``, replay the request it describes and diagnose it.

    The options fill in what the message does not say (Firefox names no origin, no engine names
    the request's headers). Returns the reading (None: not a CORS message known here) and the
    report's lines.
    """
    reading = read_message(message)
    if reading is None:
        return None, [
            "not a CORS console message wsgicors knows: paste the whole line the console "
            "printed (Chromium 'Access to fetch at ... has been blocked by CORS policy: ...', "
            "Firefox 'Cross-Origin Request Blocked: ...', WebKit 'Origin ... is not allowed "
            "by Access-Control-Allow-Origin.')"
        ]
    lines = _reading_lines(reading)
    if policy is None or not reading.checks:
        return reading, lines
    page = origin or reading.origin
    if page is None:
        raise ToolError(
            f"{reading.engine_label} does not name the page's origin in this message: give it "
            "with --origin"
        )
    # A message about credentials means the page sent them.
    credentials = credentials or bool({CHECK_ACAC, CHECK_ACAO_WILDCARD} & set(reading.checks))
    if reading.checks == (CHECK_METHOD,) and reading.value and method == "GET":
        method = reading.value
    request = fetch_request(page, method, headers, credentials, path or reading.path or "/")
    if isinstance(request, Refused):
        raise ToolError(f"the request cannot be sent: {request.rejection.reason}")
    outcome = explain(policy, request)
    exchange = next(e for e in outcome.exchanges if e.engine == reading.engine)
    lines.append("")
    lines.append(
        f"replayed: {request.method} {_shown(request.path)} from {request.origin}, "
        f"{'with' if request.credentials else 'without'} credentials"
    )
    if exchange.verdict.allowed:
        lines.append(
            f"with this configuration {reading.engine_label} allows that request: the message "
            "came from another configuration, or from a request with another method, headers "
            "or credentials (give them with --method, --header and --credentials)"
        )
        return reading, lines
    diagnosis = diagnose(policy, outcome)
    if diagnosis.causes:
        lines.append("because:")
        lines += [f"- {cause}" for cause in diagnosis.causes]
    if diagnosis.fixes:
        checked = (
            " (checked: with this change every engine allows it)" if diagnosis.verified else ""
        )
        lines.append(f"fix{checked}:")
        lines += [f"- {fix}" for fix in diagnosis.fixes]
    return reading, lines

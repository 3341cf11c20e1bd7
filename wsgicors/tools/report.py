"""The reports of ``explain`` and ``probe``: text for a terminal, or one JSON object.

Values that come from the user or a server are shown as they are when printable and with
``repr()`` otherwise, so that a control character can neither forge a line nor drive the
terminal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import IO

import attrs

from ..headers import ACRH, PREFLIGHT_CACHE_CAPS, status_line
from .browser import (
    ENGINES,
    FetchRequest,
    HTTPRequest,
    HTTPResponse,
    PreflightCache,
    Verdict,
    console_messages,
    engine_list,
    engine_name,
    max_age,
)
from .diagnose import Diagnosis, refused_preflight
from .exchange import Exchange, Outcome
from .inputs import Refused

__all__ = [
    "Style",
    "render_json",
    "render_refused_json",
    "render_refused_text",
    "render_text",
]


class Style:
    """ANSI colour when writing to a terminal, and never when NO_COLOR is set or TERM=dumb."""

    def __init__(self, stream: IO[str]) -> None:
        isatty = getattr(stream, "isatty", None)
        self.enabled = (
            bool(isatty and isatty())
            and not os.environ.get("NO_COLOR")  # https://no-color.org: set and non-empty
            and os.environ.get("TERM") != "dumb"
        )

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def good(self, text: str) -> str:
        return self._wrap("1;32", text)

    def bad(self, text: str) -> str:
        return self._wrap("1;31", text)

    def warn(self, text: str) -> str:
        return self._wrap("33", text)


def _shown(text: str) -> str:
    return text if text.isprintable() else repr(text)


def _field_line(prefix: str, name: str, value: str) -> str:
    return f"{prefix}{_shown(name)}: {_shown(value)}"


def _message_lines(prefix: str, request: HTTPRequest) -> list[str]:
    return [f"{prefix} {request.method} {_shown(request.path)}"] + [
        _field_line(f"{prefix} ", name, value) for name, value in request.headers
    ]


def _response_lines(prefix: str, response: HTTPResponse) -> list[str]:
    return [f"{prefix} {status_line(response.status)}"] + [
        _field_line(f"{prefix} ", name, value) for name, value in response.headers
    ]


def _request_lines(
    request: FetchRequest | Refused, style: Style, policy_source: str | None
) -> list[str]:
    credentials = "with credentials" if request.credentials else "without credentials"
    lines = [
        style.bold(
            f"{_shown(request.method)} {request.path} from {request.origin}, {credentials}"
        ),
    ]
    if policy_source:
        lines.append(f"policy: {policy_source}")
    if request.headers:
        lines.append("headers set by the script:")
        lines += [_field_line("  ", name, value) for name, value in request.headers]
    lines.append("")
    return lines


def _triggers(exchanges: Sequence[Exchange]) -> list[str]:
    """Each engine's reasons for a preflight; one an engine of the group lacks names who has it."""
    per_engine = [(e.engine, e.request.preflight_triggers()) for e in exchanges]
    triggers: dict[str, list[str]] = {}
    for engine, found in per_engine:
        for trigger in found:
            triggers.setdefault(trigger, []).append(engine)
    return [
        trigger if len(engines) == len(per_engine) else f"in {engine_list(engines)}: {trigger}"
        for trigger, engines in triggers.items()
    ]


def _exchange_lines(
    exchange: Exchange, members: Sequence[Exchange], style: Style, answered_by: str
) -> list[str]:
    lines = []
    if exchange.preflight_request is None:
        lines.append(style.bold("1. Preflight: not needed") + " (a CORS-safelisted request)")
    else:
        lines.append(style.bold("1. Preflight: needed, because"))
        lines += [f"   - {trigger}" for trigger in _triggers(members)]
        lines += _message_lines("   >", exchange.preflight_request)
        if exchange.preflight_response is not None:
            lines.append(f"   {answered_by} answers:")
            lines += _response_lines("   <", exchange.preflight_response)
            if exchange.preflight_body:
                lines.append(f"   < (body) {_shown(exchange.preflight_body)}")
    lines.append("")
    if exchange.actual_request is None:
        lines.append(style.bold("2. Actual request: not sent") + " (the preflight failed)")
    else:
        lines.append(style.bold("2. Actual request"))
        lines += _message_lines("   >", exchange.actual_request)
        if exchange.actual_response is not None:
            lines.append(f"   {answered_by} answers:")
            lines += _response_lines("   <", exchange.actual_response)
    if exchange.log:
        lines.append("")
        lines.append("middleware log (debug is on):")
        lines += [f"  {line}" for line in exchange.log]
    lines.append("")
    return lines


def _cache_lines(cache: PreflightCache, engines: Sequence[str]) -> list[str]:
    lifetimes = {engine: getattr(cache, engine) for engine in engines}
    if all(
        seconds == min(cache.seconds, PREFLIGHT_CACHE_CAPS[engine])
        for engine, seconds in lifetimes.items()
    ):
        # Every engine reads the header as the standard does; only their caps differ.
        if cache.seconds == 0:
            return [f"  the preflight is not cached (Access-Control-Max-Age: {cache.header})"]
        source = "Access-Control-Max-Age" if cache.header is not None else "default"
        capped = ", ".join(
            f"{engine_name(engine)} {seconds} s" for engine, seconds in lifetimes.items()
        )
        return [f"  the preflight is cached for {cache.seconds} s ({source}); capped: {capped}"]
    readings = []
    for engine in engines:
        seconds, why = max_age(cache.header, engine)
        lifetime = f"{seconds} s" if seconds else "not cached"
        readings.append(f"{engine_name(engine)} {lifetime} ({why})")
    return [
        f"  the engines read Access-Control-Max-Age {cache.header!r} differently: "
        + "; ".join(readings)
    ]


def _verdict_lines(
    verdict: Verdict, engines: Sequence[str] | None, style: Style, fixes: bool
) -> list[str]:
    """ALLOWED or BLOCKED for one group of engines (None: every engine, said as "the browser")."""
    who = "the browser" if engines is None else engine_list(engines)
    lines = []
    if verdict.allowed:
        lets = "lets" if engines is None or len(engines) == 1 else "let"
        lines.append(style.good("ALLOWED") + f": {who} {lets} the page read the response.")
        readable = ", ".join(verdict.readable_headers) or "none"
        lines.append(f"  headers the script can read: {readable}")
        if verdict.cache is not None:
            lines += _cache_lines(verdict.cache, engines or ENGINES)
    else:
        does = "does" if engines is None or len(engines) == 1 else "do"
        lines.append(style.bad("BLOCKED") + f": {who} {does} not let the page read the response.")
        says = "says" if engines is None or len(engines) == 1 else "say"
        lines.append(f"  {'the browser' if engines is None else who} {says}:")
        lines += [f"  - {reason}" for reason in verdict.reasons]
        if fixes and verdict.fixes:
            lines.append("  fix:")
            lines += [f"  - {fix}" for fix in verdict.fixes]
    return lines


def _diagnosis_lines(diagnosis: Diagnosis, every_engine: bool) -> list[str]:
    lines = []
    if diagnosis.causes:
        lines.append("  because:")
        lines += [f"  - {cause}" for cause in diagnosis.causes]
    if diagnosis.fixes:
        allowed = "every engine allows the request" if every_engine else "the request is allowed"
        checked = f" (checked: with this change {allowed})" if diagnosis.verified else ""
        lines.append(f"  fix{checked}:")
        lines += [f"  - {fix}" for fix in diagnosis.fixes]
    return lines


def _notes(outcome: Outcome) -> list[str]:
    return list(dict.fromkeys(note for e in outcome.exchanges for note in e.verdict.notes))


def _summary(engines: Sequence[str], exchange: Exchange) -> str:
    preflight = exchange.preflight_request
    if preflight is None:
        sent = "no preflight"
    else:
        requested = dict(preflight.headers).get(ACRH)
        sent = "a preflight" + (f" naming {requested!r}" if requested else "")
    verdict = "allowed" if exchange.verdict.allowed else "BLOCKED"
    return f"  - {engine_list(engines)}: {sent}; {verdict}"


def _console(exchange: Exchange) -> list[str] | None:
    """What the exchange's engine prints on its console (the URL shown as the path)."""
    failed = exchange.actual_response or exchange.preflight_response
    messages = console_messages(
        exchange.engine,
        exchange.request,
        exchange.verdict,
        exchange.request.path,
        failed.status if failed is not None else None,
    )
    return None if messages is None else list(messages)


def _console_lines(outcome: Outcome) -> list[str]:
    lines = []
    for exchange in outcome.exchanges:
        messages = _console(exchange)
        if messages:
            lines.append(f"{engine_name(exchange.engine)}'s console says:")
            lines += [f"  {_shown(message)}" for message in messages]
    return lines


def render_text(
    outcome: Outcome,
    diagnosis: Diagnosis | None,
    style: Style,
    answered_by: str,
    policy_source: str | None = None,
) -> str:
    # Without a policy to diagnose (probe), a refused preflight still gets its likely causes.
    diagnosis = diagnosis or refused_preflight(outcome)
    groups = outcome.groups()
    lines = _request_lines(outcome.primary.request, style, policy_source)
    if len(groups) == 1:
        [(_, exchange)] = groups
        lines += _exchange_lines(exchange, outcome.exchanges, style, answered_by)
        lines += _verdict_lines(exchange.verdict, None, style, diagnosis is None)
        if diagnosis is not None and not exchange.verdict.allowed:
            lines += _diagnosis_lines(diagnosis, False)
    else:
        lines.append(style.bold("The engines differ:"))
        lines += [_summary(engines, exchange) for engines, exchange in groups]
        lines.append("")
        for engines, exchange in groups:
            members = [e for e in outcome.exchanges if e.engine in engines]
            lines.append(style.bold(f"== {engine_list(engines)} =="))
            lines += _exchange_lines(exchange, members, style, answered_by)
            lines += _verdict_lines(exchange.verdict, engines, style, diagnosis is None)
            lines.append("")
        blocked = [e.engine for e in outcome.exchanges if not e.verdict.allowed]
        if not blocked:
            lines.append(style.good("ALLOWED") + ": every engine lets the page read the response.")
        elif len(blocked) == len(outcome.exchanges):
            lines.append(style.bad("BLOCKED") + ": no engine lets the page read the response.")
        else:
            lines.append(
                style.bad("BLOCKED")
                + f" in {engine_list(blocked)}: the page cannot read the response there."
            )
        if diagnosis is not None and blocked:
            lines += _diagnosis_lines(diagnosis, True)
        if lines[-1] == "":
            lines.pop()
    console = _console_lines(outcome)
    if console:
        lines.append("")
        lines += console
    notes = _notes(outcome)
    if notes:
        lines.append("")
        lines += [style.warn(f"note: {note}") for note in notes]
    return "\n".join(lines)


def render_refused_text(refused: Refused, style: Style, policy_source: str | None) -> str:
    lines = _request_lines(refused, style, policy_source)
    lines.append(style.bold("fetch() throws: no preflight and no request are sent"))
    lines.append("")
    lines.append(style.bad("BLOCKED") + ": the browser does not let the page read the response.")
    lines.append("  the browser says:")
    lines.append(f"  - {refused.rejection.reason}")
    lines.append("  fix:")
    lines.append(f"  - {refused.rejection.fix}")
    return "\n".join(lines)


def _http_json(message: HTTPRequest | HTTPResponse | None) -> dict[str, object] | None:
    if message is None:
        return None
    headers = [list(pair) for pair in message.headers]
    if isinstance(message, HTTPRequest):
        return {"method": message.method, "path": message.path, "headers": headers}
    return {"status": message.status, "headers": headers}


def _reasons(outcome: Outcome) -> list[str]:
    """Every engine's reasons; when the engines differ, each names the engines it holds for."""
    groups = outcome.groups()
    if len(groups) == 1:
        return groups[0][1].verdict.reasons
    return [
        f"{engine_list(engines)}: {reason}"
        for engines, exchange in groups
        for reason in exchange.verdict.reasons
    ]


def render_json(outcome: Outcome, diagnosis: Diagnosis | None) -> str:
    diagnosis = diagnosis or refused_preflight(outcome)
    exchange = outcome.primary
    verdict = exchange.verdict
    request = exchange.request
    cache = verdict.cache
    fixes = (
        list(diagnosis.fixes)
        if diagnosis
        else list(dict.fromkeys(fix for e in outcome.exchanges for fix in e.verdict.fixes))
    )
    document: dict[str, object] = {
        "preflight": outcome.preflight,
        "allowed": outcome.allowed,
        "reasons": _reasons(outcome),
        "causes": list(diagnosis.causes) if diagnosis else [],
        "fixes": fixes,
        "fix_verified": diagnosis.verified if diagnosis else False,
        "notes": _notes(outcome),
        "request": {
            "origin": request.origin,
            "method": request.method,
            "path": request.path,
            "headers": [list(pair) for pair in request.headers],
            "credentials": request.credentials,
        },
        "preflight_triggers": list(request.preflight_triggers()),
        "preflight_request": _http_json(exchange.preflight_request),
        "preflight_response": _http_json(exchange.preflight_response),
        "actual_request": _http_json(exchange.actual_request),
        "actual_response": _http_json(exchange.actual_response),
        "readable_headers": list(verdict.readable_headers),
        "preflight_cache": attrs.asdict(cache) if cache is not None else None,
        "log": list(exchange.log),
        "engines": {
            e.engine: {
                "allowed": e.verdict.allowed,
                "preflight": e.verdict.preflight,
                "reasons": e.verdict.reasons,
                "console": _console(e),
            }
            for e in outcome.exchanges
        },
    }
    return json.dumps(document, indent=2)


def render_refused_json(refused: Refused) -> str:
    reasons = [refused.rejection.reason]
    document: dict[str, object] = {
        "preflight": False,
        "allowed": False,
        "reasons": reasons,
        "causes": [],
        "fixes": [refused.rejection.fix],
        "fix_verified": False,
        "notes": [],
        "request": {
            "origin": refused.origin,
            "method": refused.method,
            "path": refused.path,
            "headers": [list(pair) for pair in refused.headers],
            "credentials": refused.credentials,
        },
        "preflight_triggers": [],
        "preflight_request": None,
        "preflight_response": None,
        "actual_request": None,
        "actual_response": None,
        "readable_headers": [],
        "preflight_cache": None,
        "log": [],
        "engines": {
            engine: {"allowed": False, "preflight": False, "reasons": reasons}
            for engine in ENGINES
        },
    }
    return json.dumps(document, indent=2)

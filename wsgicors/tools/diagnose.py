"""Why the middleware refused a request, and the configuration change that lets it through.

The verdicts are the middleware's own: each blocked request is replayed through
:class:`~wsgicors.compiled.CompiledPolicy`, whose :class:`~wsgicors.compiled.Refusal` names
the check that failed and the offending value. Each refusal that a change of the policy can
lift gives one cause and one fix; the change is applied and the request replayed, until the
middleware lets it through or the remaining refusal is not the policy's to lift. The fix is
then checked by playing the request again, in every engine, against the changed policy.

Only ``explain`` can do this: it has the policy. ``probe`` talks to a server of any kind and
reports the browser's side (:mod:`wsgicors.tools.browser`); when the server refuses a preflight
outright, :func:`refused_preflight` lists what a server commonly refuses, given the request,
and how to find out which it was.
"""

from __future__ import annotations

import json
import shlex
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..compiled import CompiledPolicy, Refusal
from ..errors import PolicyError, PolicyWarning
from ..headers import (
    ACRH,
    ACRM,
    MAX_ACRH_ELEMENTS,
    MAX_ACRH_LENGTH,
    SAFELISTED_METHODS,
    status_line,
)
from ..middleware import PolicySpec
from ..origins import ALL, parse_origin_pattern, split_origin
from ..policy import CORSPolicy
from ..scopes import PathScopes
from .browser import FetchRequest, engine_list
from .exchange import Exchange, Outcome, environ_of, explain

__all__ = ["Diagnosis", "diagnose", "refusal_of", "refused_preflight", "scoped_policy"]

# Each step lifts one refusal: the origin, the method, then one requested header at a time.
_MAX_STEPS = 2 + MAX_ACRH_ELEMENTS


@attrs.frozen
class Diagnosis:
    """Why the policy leads to a rejection, what to change, and whether the change works."""

    causes: tuple[str, ...]
    fixes: tuple[str, ...]
    verified: bool


def _json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items))


def scoped_policy(policy: PolicySpec, path: str) -> CORSPolicy | None:
    """The policy the middleware applies to ``path`` (PATH_INFO): with a mapping of path
    prefixes, the longest matching prefix's, as the middleware chooses it."""
    if isinstance(policy, Mapping):
        return PathScopes(policy).select(path)
    return CORSPolicy() if policy is None else policy


def refusal_of(policy: CORSPolicy, request: FetchRequest) -> Refusal | None:
    """The middleware's refusal of the preflight or the actual request, or None."""
    compiled = CompiledPolicy(policy)
    preflight = request.preflight_request()
    if preflight is not None:
        decision = compiled.preflight(environ_of(preflight), request.origin)
        if isinstance(decision, Refusal):
            return decision
    actual = request.actual_request()
    if compiled.actual(request.origin, actual.method, environ_of(actual)) is None:
        return compiled.refuse_actual(request.origin, actual.method)
    return None


class _Steps:
    """The causes, fixes and changes found so far."""

    def __init__(self, policy: CORSPolicy, outcome: Outcome) -> None:
        self.policy = policy
        self.outcome = outcome
        self.causes: list[str] = []
        self.fixes: list[str] = []
        self.changes: dict[str, Any] = {}
        self.refused: list[str] = []
        self.over_bound = False

    def changed(self) -> CORSPolicy | None:
        """The policy with the changes, or None (and the reason kept) when it is refused."""
        if not self.changes:
            return self.policy
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PolicyWarning)
                return attrs.evolve(self.policy, **self.changes)
        except PolicyError as error:
            self.refused = [f"that change is refused: {p.rule}; {p.hint}" for p in error.problems]
            return None

    def lift(self, refusal: Refusal, request: FetchRequest, current: CORSPolicy) -> bool:
        """Add the cause and fix of one refusal; False when no change of the policy lifts it."""
        if refusal.check == "origin":
            origin = refusal.value
            origins = self.policy.allow_origins
            self.causes.append(
                f"the origin {origin!r} is not in allow_origins {_json_list(origins)}"
            )
            self.causes.extend(_near_misses(origins, origin))
            self.fixes.append(f"add {origin!r} to allow_origins")
            self.changes["allow_origins"] = (*current.allow_origins, origin)
        elif refusal.check == "method":
            method = refusal.value
            methods = self.policy.allow_methods
            self.causes.append(
                f"the method {method!r} is not in allow_methods {_json_list(methods)}"
            )
            if method.upper() in methods:
                self.fixes.append(
                    f"methods are case-sensitive and fetch() sends {method!r} as written (it "
                    f"upper-cases only DELETE GET HEAD OPTIONS POST PUT): send "
                    f"{method.upper()!r} from the page, or add {method!r} to allow_methods"
                )
            else:
                self.fixes.append(f"add {method!r} to allow_methods")
            self.changes["allow_methods"] = (*current.allow_methods, method)
        elif refusal.check == "headers" and ALL not in current.allow_headers:
            # The preflight names headers in lower case; the fix spells them as the script does.
            given = {name.lower(): name for name, _ in request.sent_headers}
            name = given.get(refusal.value, refusal.value)
            self.causes.append(
                f"the request header {refusal.value!r} is not in allow_headers "
                f"{_json_list(self.policy.allow_headers)}"
            )
            self.fixes.append(f"add {name!r} to allow_headers")
            self.changes["allow_headers"] = (*current.allow_headers, name)
        elif refusal.check == "header-limits":
            self._over_bound(refusal.value, current)
            return False
        else:
            self.causes.append(f"the middleware refuses the request: {refusal}")
            return False
        return True

    def _over_bound(self, requested: str, current: CORSPolicy) -> None:
        if self.over_bound:
            return
        self.over_bound = True
        exchanges = self.outcome.exchanges
        engines = [
            e.engine
            for e in exchanges
            if (refusal := refusal_of(current, e.request)) and refusal.check == "header-limits"
        ]
        where = "" if len(engines) == len(exchanges) else f"in {engine_list(engines)}, "
        self.causes.append(
            f"{where}the preflight names {requested.count(',') + 1} request headers in "
            f"Access-Control-Request-Headers ({len(requested)} bytes); the middleware refuses "
            f"more than {MAX_ACRH_ELEMENTS} names or {MAX_ACRH_LENGTH} bytes as hostile, "
            "whatever allow_headers says"
        )
        self.fixes.append(
            f"send fewer headers from the page: at most {MAX_ACRH_ELEMENTS} that are not "
            f"CORS-safelisted, with names of at most {MAX_ACRH_LENGTH} bytes together (carry "
            "the rest in one header or in the body)"
        )

    def credentials(self, request: FetchRequest, current: CORSPolicy) -> None:
        # Not a refusal: the middleware answers, without Access-Control-Allow-Credentials,
        # and the browser's CORS check fails (Fetch #cors-check).
        if not request.credentials or current.allow_credentials:
            return
        self.causes.append(
            "the page sends credentials but allow_credentials is false, so the middleware "
            "sends no 'Access-Control-Allow-Credentials: true'"
            + (" and answers with '*'" if current.allows_all_origins else "")
        )
        self.fixes.append("set allow_credentials to true")
        self.changes["allow_credentials"] = True
        origins = current.allow_origins
        if ALL in origins:
            origin = request.origin
            self.fixes.append(
                f"replace '*' in allow_origins with {origin!r}: credentials never combine with '*'"
            )
            kept = tuple(o for o in origins if o != ALL)
            self.changes["allow_origins"] = kept if origin in kept else (*kept, origin)


def diagnose(policy: PolicySpec, outcome: Outcome) -> Diagnosis:
    """Find the configuration change that lets the request through in every engine, and
    check that it works."""
    blocked = [exchange for exchange in outcome.exchanges if not exchange.verdict.allowed]
    request = blocked[0].request
    scoped = scoped_policy(policy, _path_info(blocked[0]))
    if scoped is None:
        return Diagnosis(
            (f"no policy applies to {request.path!r}: the middleware leaves it alone",),
            ("map a prefix of this path to a policy",),
            False,
        )
    steps = _Steps(scoped, outcome)
    current: CORSPolicy | None = scoped
    for exchange in blocked:
        for _ in range(_MAX_STEPS):
            current = steps.changed()
            if current is None:
                break
            refusal = refusal_of(current, exchange.request)
            if refusal is None or not steps.lift(refusal, exchange.request, current):
                break
        if current is None:
            break
    if current is not None:
        steps.credentials(request, current)
        current = steps.changed()
    if not steps.changes:
        # Nothing in the policy explains it: say what the server must send instead.
        fixes = steps.fixes or list(dict.fromkeys(fix for e in blocked for fix in e.verdict.fixes))
        return Diagnosis(tuple(steps.causes), tuple(fixes), False)
    if current is None:
        return Diagnosis(tuple(steps.causes), (*steps.fixes, *steps.refused), False)
    fixed = _replace_scope(policy, scoped, current)
    verified = not steps.over_bound and explain(fixed, request).allowed
    return Diagnosis(tuple(steps.causes), tuple(steps.fixes), verified)


def _path_info(exchange: Exchange) -> str:
    sent = exchange.preflight_request or exchange.actual_request
    return str(environ_of(sent).get("PATH_INFO", "")) if sent is not None else "/"


def _replace_scope(policy: PolicySpec, scoped: CORSPolicy, fixed: CORSPolicy) -> PolicySpec:
    if isinstance(policy, Mapping):
        return {prefix: fixed if p is scoped else p for prefix, p in policy.items()}
    return fixed


def _near_misses(origins: Sequence[str], origin: str) -> list[str]:
    """Entries that differ from ``origin`` in the ways people most often get wrong."""
    parts = split_origin(origin)
    if parts is None:
        return []
    scheme, host, _ = parts
    notes = []
    for entry in origins:
        pattern, _ = parse_origin_pattern(entry) if entry not in (ALL, "null") else (None, [])
        if pattern is None or pattern.host != host:
            continue
        if pattern.subdomains:
            notes.append(f"{entry!r} matches subdomains of {host!r} only, not {host!r} itself")
        else:
            what = "scheme" if pattern.scheme != scheme else "port"
            notes.append(f"allow_origins has {entry!r}: the {what} is part of the origin")
    return notes


def refused_preflight(outcome: Outcome) -> Diagnosis | None:
    """For ``probe``: a preflight the server answered with 403 and no CORS headers.

    The server refused the preflight, and its answer does not say why. The likely causes,
    from the request alone, most likely first: the method (a CORS layer's defaults allow only
    GET, HEAD and POST), then the requested headers, then the origin. The fixes say what to
    allow, and how to learn which check failed: ``wsgicors explain`` with the server's
    configuration, or ``debug`` on a wsgicors server, whose 403 then names the reason in its
    body (which ``probe`` prints, and quotes here).
    """
    exchange = outcome.primary
    response = exchange.preflight_response
    preflight = exchange.preflight_request
    if exchange.verdict.allowed or response is None or preflight is None:
        return None
    if response.status != 403 or any(
        name.lower().startswith("access-control-") for name, _ in response.headers
    ):
        return None
    request = exchange.request
    sent = dict(preflight.headers)
    method = sent.get(ACRM, request.method)
    requested = [name for name in sent.get(ACRH, "").split(",") if name]
    refused = (
        f"the server refused the preflight: {status_line(403)}, with no Access-Control-* headers"
    )
    explain_command = _explain_command(request)
    if exchange.preflight_body:
        return Diagnosis(
            (f"{refused}; its body says why: {_quoted(exchange.preflight_body)}",),
            (
                "allow what the body names in the server's configuration; "
                f"`{explain_command}`, with that configuration as CONFIG, shows the change",
            ),
            False,
        )
    likely: list[str] = []
    allow: list[str] = []
    if method not in SAFELISTED_METHODS:
        likely.append(
            f"the method {method!r} is not among the methods the server allows (wsgicors and "
            "KrakenD allow only GET, HEAD and POST unless told otherwise)"
        )
        allow.append(f"{json.dumps(method)} to allow_methods")
    if requested:
        spelt = {name.lower(): name for name, _ in request.sent_headers}
        several = len(requested) > 1
        likely.append(
            f"the request header{'s' if several else ''} "
            + ", ".join(repr(name) for name in requested)
            + f" {'are' if several else 'is'} not among the headers the server allows"
        )
        allow.append(
            " and ".join(json.dumps(spelt.get(name, name)) for name in requested)
            + " to allow_headers"
        )
    likely.append(f"the origin {request.origin!r} is not among the origins the server allows")
    allow.append(f"{json.dumps(request.origin)} to allow_origins")
    causes = [refused, f"most likely, {likely[0]}", *(f"or {cause}" for cause in likely[1:])]
    fixes = [
        "on the server, allow what it refuses; for wsgicors or KrakenD, add "
        + ", or ".join(allow),
        f"to see which check fails: run `{explain_command}` with the server's configuration as "
        "CONFIG (a file holding {} for one on the defaults); or, on a wsgicors server, turn "
        'debug on (`wsgicors serve --debug`, or "debug": true in its configuration): its 403 '
        "then names the reason in the body, and probe prints it",
    ]
    return Diagnosis(tuple(causes), tuple(fixes), False)


def _explain_command(request: FetchRequest) -> str:
    words = ["wsgicors", "explain", "CONFIG", "--origin", request.origin]
    if request.method != "GET":
        words += ["--method", request.method]
    for name, value in request.headers:
        words += ["--header", f"{name}: {value}" if value else name]
    if request.credentials:
        words.append("--credentials")
    if request.path != "/":
        words += ["--path", request.path]
    return shlex.join(words)


def _quoted(text: str) -> str:
    return repr(text) if not text.isprintable() else f"'{text}'"

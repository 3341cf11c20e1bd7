"""``CORSMiddleware``: the WSGI middleware that applies a :class:`~wsgicors.CORSPolicy`.

Each policy is compiled once into a :class:`~wsgicors.compiled.CompiledPolicy`, which holds
sets, prepared header tuples and the answers to preflights already seen, and decides; this
module carries its decisions out. A request costs a few ``environ.get`` calls, dict and set
lookups, and a check at C speed that the application's response headers need no more than
appending ours. Three branches per request, all in :meth:`CORSMiddleware.__call__`:

- a **preflight** (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
  answered by the middleware, unless ``options_passthrough`` sends it on;
- a plain ``OPTIONS`` is answered with ``Allow`` when ``auto_options`` is on;
- every other request goes to the application, whose response is decorated.

The middleware owns the CORS response headers: those the application set are dropped
and replaced, so a response never carries two contradicting ``Access-Control-*`` values.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, cast

from .compiled import CompiledPolicy, Header, Refusal
from .decisions import Decision
from .headers import (
    ALLOW,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ENV_ACRH,
    ENV_ACRM,
    ENV_ORIGIN,
    VARY,
    is_owned_response_header,
    merge_vary,
    split_list,
)
from .policy import CORSPolicy
from .routes import Router, ViewRouter, find_router
from .scopes import PathScopes, check_prefixes
from .views import marked_views

if TYPE_CHECKING:
    from types import TracebackType
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
    Headers = list[tuple[str, str]]

__all__ = ["ENVIRON_KEY", "CORSMiddleware", "PolicySpec", "mark_environs"]

#: The environ key where ``CORSMiddleware`` records itself on every request, so an adapter
#: below it (Django's ``MIDDLEWARE`` form) can refuse to be a second CORS layer.
ENVIRON_KEY = "wsgicors.middleware"
# Whether each environ is marked with the middleware that handles it (ENVIRON_KEY): only
# once a reader exists (the Django MIDDLEWARE form looks for a second CORS layer), so that
# no other deployment pays for the write.
_marking_environs = False


def mark_environs() -> None:
    """From now on, every ``CORSMiddleware`` marks the environ it handles (``ENVIRON_KEY``)."""
    global _marking_environs
    _marking_environs = True


PolicySpec = CORSPolicy | Mapping[str, CORSPolicy | None] | None

logger = logging.getLogger("wsgicors")
shadow_logger = logging.getLogger("wsgicors.shadow")

_TEXT_PLAIN = (CONTENT_TYPE, "text/plain; charset=utf-8")
_EMPTY_LENGTH = (CONTENT_LENGTH, "0")
_FORBIDDEN = "403 Forbidden"
# A response without a body carries Content-Length: 0 and a Content-Type, except 204,
# which carries neither (RFC 9110 §8.6).
_NO_CONTENT = (_TEXT_PLAIN, _EMPTY_LENGTH)
_name_of = itemgetter(0)
# Which view a request target reaches, remembered for this many targets of at most this many
# characters (scheme, host, script name, path and method together): about 1 MB at most.
_VIEW_ANSWERS_KEPT = 1024
_MAX_VIEW_KEY_LENGTH = 512


def _ensure_debug_logging() -> None:
    """Make ``debug`` output visible on stderr when the application configured no logging."""
    if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
        logger.setLevel(logging.DEBUG)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


def _is_cors_or_vary(name: str) -> bool:
    lower = name.lower()
    return lower == "vary" or is_owned_response_header(lower)


class _PlainNames:
    """Response header names, spelled as the application spells them, seen to be neither
    CORS-owned nor Vary. A response whose names are all known here is decorated by
    appending, checked at C speed. Names come from the application, not from clients; the
    bounds (1024 names of at most 64 characters, about 150 KB) hold whatever it echoes.
    """

    __slots__ = ("all_known", "names")
    MAX_NAMES = 1024
    MAX_NAME_LENGTH = 64

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.all_known = self.names.issuperset

    def learn(self, headers: Headers) -> None:
        names = self.names
        for name, _ in headers:
            if len(names) >= self.MAX_NAMES:
                return
            if len(name) <= self.MAX_NAME_LENGTH and not _is_cors_or_vary(name):
                names.add(name)


def _decorate(
    headers: Headers,
    extra: tuple[Header, ...],
    vary_names: tuple[str, ...],
    debug: bool,
) -> Headers:
    """A new header list: the app's without its CORS headers, then ``extra``, then Vary.

    The app's Vary headers stay exactly as they were, in place, when they already name
    every one of ``vary_names`` (or ``*``); otherwise they are merged into one Vary at the
    end.
    """
    decorated: Headers = []
    vary_values: list[str] = []
    for header in headers:
        name = header[0]
        # Only names beginning with A or V can be CORS or Vary headers; the others, most of
        # a response, skip lower().
        if name[:1] in "AaVv":
            lower = name.lower()
            if is_owned_response_header(lower):
                if debug:
                    logger.warning(
                        "[CORS] dropped %r: %r set by the application; the policy decides "
                        "CORS headers",
                        *header,
                    )
                continue
            if lower == "vary":
                vary_values.append(header[1])
        decorated.append(header)
    decorated.extend(extra)
    if not vary_names:
        return decorated
    if vary_values:
        named = {name.lower() for value in vary_values for name in split_list(value)}
        if named == {"*"} or named.issuperset(name.lower() for name in vary_names):
            return decorated  # the app's Vary already says all ours would
        decorated = [header for header in decorated if header[0].lower() != "vary"]
    decorated.append((VARY, merge_vary(vary_values, vary_names)))
    return decorated


class CORSMiddleware:
    """Apply a CORS policy to every response of a WSGI application.

    ``policy`` is a :class:`~wsgicors.CORSPolicy`, ``None`` for the defaults, or a mapping
    of path prefixes to policies (``None`` there leaves that prefix alone); the longest
    prefix matching the routed path on a segment boundary wins. ``router`` finds the methods
    of a path for ``auto_options``; by default it is read from ``app`` when ``app`` is a
    Flask application (or has a werkzeug ``url_map``). Pass the Flask app as ``router``
    when wrapping ``app.wsgi_app``.

    ``on_decision`` is called with a :class:`~wsgicors.Decision` after every decision on a
    CORS request (one with an ``Origin``); an exception it raises is logged once per type
    and never reaches the request. ``shadow`` is a candidate policy (or mapping) decided on
    every CORS request beside the live one and never sent: each request whose verdict would
    differ is reported to ``on_decision`` with ``shadow=True`` and as a warning on the
    ``wsgicors.shadow`` logger (once per origin, method and check, at most
    ``SHADOW_WARNINGS_PER_MINUTE`` a minute).

    Assigning :attr:`policy` (or :attr:`shadow`) compiles the new policy first and then
    swaps it in with one reference assignment, so it is safe while requests are being
    served.
    """

    #: How many shadow warnings a minute may be logged at most, whatever clients send.
    SHADOW_WARNINGS_PER_MINUTE = 60

    def __init__(
        self,
        app: WSGIApplication,
        policy: PolicySpec = None,
        *,
        router: object = None,
        on_decision: Callable[[Decision], object] | None = None,
        shadow: PolicySpec = None,
    ) -> None:
        self.app = app
        self.router: Router | None = find_router(app if router is None else router)
        if router is not None and self.router is None:
            raise TypeError(
                f"router={router!r} has no allowed_methods(environ) and no werkzeug url_map; "
                "pass a Flask app, a werkzeug Map-backed app or a wsgicors.routes.Router"
            )
        if on_decision is not None and not callable(on_decision):
            raise TypeError(
                f"on_decision={on_decision!r} is not callable: pass a function that takes a "
                "wsgicors.Decision, e.g. wsgicors.log_decisions()"
            )
        self._plain = _PlainNames()
        marked_view = getattr(self.router, "marked_view", None)
        self._views = cast("ViewRouter", self.router) if callable(marked_view) else None
        self._views_loaded = False
        self._view_answers: dict[tuple[str, ...], tuple[str, CompiledPolicy | None] | None] = {}
        self._view_policies: dict[CORSPolicy, CompiledPolicy] = {}
        self._on_decision = on_decision
        self._reporter = _Reporter(on_decision, self.SHADOW_WARNINGS_PER_MINUTE)
        self._shadow: _State | None = None
        self._memo = _DecisionMemo()
        self._observe: Callable[..., None] | None = None
        self.policy = policy
        self.shadow = shadow

    @property
    def policy(self) -> PolicySpec:
        """The policy in force (as given: a policy, or a mapping of path prefixes)."""
        return self._state[0]

    @policy.setter
    def policy(self, policy: PolicySpec) -> None:
        # One assignment of a tuple built beforehand: a request sees the old or the new
        # policy, never half of each. Decisions remembered under the old one are forgotten.
        self._state = self._compile(policy)
        self._memo.clear()

    @property
    def shadow(self) -> PolicySpec:
        """The shadow candidate decided beside the live policy, or ``None``."""
        return None if self._shadow is None else self._shadow[0]

    @shadow.setter
    def shadow(self, candidate: PolicySpec) -> None:
        self._shadow = None if candidate is None else self._compile(candidate)
        self._memo.clear()
        observed = self._on_decision is not None or self._shadow is not None
        self._observe = self._observe_decision if observed else None

    @staticmethod
    def _compile(policy: PolicySpec) -> _State:
        """The policy as given, and its compiled form or the path scopes of a mapping."""
        if policy is None:
            policy = CORSPolicy()
        if isinstance(policy, CORSPolicy):
            return policy, _compile_one(policy), None
        if isinstance(policy, Mapping):
            check_prefixes(policy)
            scopes = {
                prefix: None if scoped is None else (prefix, _compile_one(scoped))
                for prefix, scoped in policy.items()
            }
            return policy, None, PathScopes(scopes)
        raise TypeError(
            f"policy must be a CORSPolicy, a mapping of path prefixes to policies, or None; "
            f"got {type(policy).__name__}: use CORSPolicy(...) or CORSPolicy.from_dict(...)"
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if _marking_environs:
            environ[ENVIRON_KEY] = self
        _, compiled, scopes = self._state
        method = environ.get("REQUEST_METHOD", "GET")
        origin = environ.get(ENV_ORIGIN)
        scope = None
        if scopes is not None:
            entry = scopes.select(environ.get("PATH_INFO", ""))
            scope, compiled = entry if entry is not None else (None, None)
        # A policy marked on the view the request reaches beats any path scope; while no
        # view anywhere is marked, the router is never asked.
        views = self._views
        if views is not None:
            if not self._views_loaded:
                # Django imports its URLconf, and so the views it marks, on the first
                # request: load it first, or that request would not see their marks.
                load = getattr(views, "load_views", None)
                if load is not None:
                    load()
                self._views_loaded = True
            if marked_views():
                found = self._marked_view(views, environ, method, origin)
                if found is not None:
                    scope, compiled = found
        if compiled is None:
            return self.app(environ, start_response)
        downstream = self.app
        kind = "actual"
        if method == "OPTIONS":
            # Fetch #cors-preflight-request: OPTIONS with Origin and a non-empty
            # Access-Control-Request-Method. Any other OPTIONS is an ordinary request.
            if origin is not None and environ.get(ENV_ACRM):
                decision = compiled.preflight(environ, origin)
                if (
                    compiled.answers_alone
                    and self._observe is None
                    and not isinstance(decision, Refusal)
                ):
                    # Nothing to log, report or pass on: the answer goes out as it is.
                    start_response(
                        compiled.preflight_status, [*decision, *compiled.preflight_extra]
                    )
                    return []
                return self._preflight(compiled, scope, environ, start_response, origin, decision)
            kind = "options"
            if compiled.auto_options:
                downstream = functools.partial(self._auto_options, compiled)

        # An actual request: the downstream app answers and its response is decorated with
        # the CORS headers the request earns, then Vary: Origin whenever the answer depends
        # on the Origin (Fetch #cors-protocol-and-http-caches).
        # The commonest case, a listed origin with a listed method, costs a set and a dict
        # lookup here; CompiledPolicy.actual decides every case, this one included.
        if origin is not None and method in compiled.methods:
            answer = compiled.exact_answers.get(origin) or compiled.actual(origin, method, environ)
        else:
            answer = compiled.actual(origin, method, environ)
        debug = compiled.debug
        if debug:
            self._log_actual(compiled, scope, origin, method, answer)
        observe = self._observe
        if observe is not None and origin is not None:
            observe(kind, compiled, scope, environ, origin, method, answer is not None, None)
        cors, full = answer or compiled.refused_answer
        vary_names = compiled.actual_vary
        plain = self._plain

        def start_cors_response(
            status: str, headers: Headers, exc_info: ExcInfo | None = None
        ) -> Callable[[bytes], object]:
            if plain.all_known(map(_name_of, headers)):
                return start_response(status, [*headers, *full], exc_info)
            # The app sent CORS or Vary headers, or names not seen yet: drop or merge them.
            plain.learn(headers)
            return start_response(status, _decorate(headers, cors, vary_names, debug), exc_info)

        return downstream(environ, start_cors_response)

    def _preflight(
        self,
        compiled: CompiledPolicy,
        scope: str | None,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        origin: str,
        decision: tuple[Header, ...] | Refusal,
    ) -> Iterable[bytes]:
        refusal = decision if isinstance(decision, Refusal) else None
        if compiled.debug:
            where = _where(scope)
            if refusal is not None:
                logger.debug(
                    "[CORS] preflight from %r%s rejected: %s", origin, where, refusal.reason
                )
            else:
                logger.debug(
                    "[CORS] preflight from %r for %r%s: allowed",
                    origin,
                    environ.get(ENV_ACRM),
                    where,
                )
        if self._observe is not None:
            self._observe(
                "preflight",
                compiled,
                scope,
                environ,
                origin,
                environ[ENV_ACRM],
                refusal is None,
                refusal,
            )
        if compiled.passthrough:
            extra = () if isinstance(decision, Refusal) else decision
            vary_names = compiled.preflight_vary_names
            debug = compiled.debug

            def start_cors_response(
                status: str, headers: Headers, exc_info: ExcInfo | None = None
            ) -> Callable[[bytes], object]:
                return start_response(
                    status, _decorate(headers, extra, vary_names, debug), exc_info
                )

            if compiled.auto_options:
                return self._auto_options(compiled, environ, start_cors_response)
            return self.app(environ, start_cors_response)
        if not isinstance(decision, Refusal):
            start_response(compiled.preflight_status, [*decision, *compiled.preflight_extra])
            return []
        body = f"CORS preflight rejected: {decision.reason}\n".encode() if compiled.debug else b""
        start_response(
            _FORBIDDEN,
            [compiled.preflight_vary, _TEXT_PLAIN, (CONTENT_LENGTH, str(len(body)))],
        )
        return [body] if body else []

    def _auto_options(
        self, compiled: CompiledPolicy, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Answer a plain OPTIONS with the methods the path supports (RFC 9110 §9.3.7)."""
        allow = compiled.default_allow
        if self.router is not None:
            methods = self.router.allowed_methods(environ)
            if methods is None:
                return self.app(environ, start_response)
            if methods:  # empty: a known path whose methods the router cannot tell
                allow = ", ".join(sorted(methods | {"OPTIONS"}))
        start_response("200 OK", [(ALLOW, allow), *_NO_CONTENT])
        return []

    # -- per-view policies ---------------------------------------------------------------------

    def _marked_view(
        self, views: ViewRouter, environ: WSGIEnvironment, method: str, origin: str | None
    ) -> tuple[str, CompiledPolicy | None] | None:
        """The mark of the view the request reaches, compiled: ``(name, policy or None)``.

        For a preflight, the view the actual request will reach (its method is the one in
        Access-Control-Request-Method). One router match per distinct request target,
        remembered in a dict bounded in entries and in the length of what it keeps.
        """
        if method == "OPTIONS" and origin is not None:
            method = environ.get(ENV_ACRM) or method
        key = (
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            method,
        )
        try:
            return self._view_answers[key]
        except KeyError:
            pass
        marked = views.marked_view(environ, method)
        found = None
        if marked is not None:
            name, mark = marked
            found = name, None if mark.policy is None else self._view_policy(mark.policy)
        if sum(map(len, key)) <= _MAX_VIEW_KEY_LENGTH:
            if len(self._view_answers) >= _VIEW_ANSWERS_KEPT:
                self._view_answers.clear()
            self._view_answers[key] = found
        return found

    def _view_policy(self, policy: CORSPolicy) -> CompiledPolicy:
        compiled = self._view_policies.get(policy)
        if compiled is None:
            compiled = self._view_policies[policy] = _compile_one(policy)
        return compiled

    # -- decisions and the shadow candidate --------------------------------------------------

    def _observe_decision(
        self,
        kind: str,
        compiled: CompiledPolicy,
        scope: str | None,
        environ: WSGIEnvironment,
        origin: str,
        method: str,
        allowed: bool,
        refusal: Refusal | None,
    ) -> None:
        """Report the live decision, then the shadow candidate's where its verdict differs.

        ``refusal`` is the live policy's for a refused preflight, which the caller already
        has. A decision is a function of the policy and the request's origin, method and
        header list (unless allow_origin_func decides): decisions are remembered per request
        in a bounded memo, cleared whenever a policy is assigned, so a steady site builds none.
        """
        request_headers = environ.get(ENV_ACRH) if kind == "preflight" else None
        memo = self._memo
        if self._on_decision is not None:
            key = (kind, scope, origin, method, request_headers, False)
            live = memo.decisions.get(key)
            if live is None:
                live = _decision(
                    kind, compiled, scope, origin, method, request_headers, allowed, refusal
                )
                if compiled.origin_func is None:
                    memo.put(key, live)
            self._reporter.report(live)
        shadow = self._shadow
        if shadow is None or _is_view(scope):
            # A marked view's own policy decides under the live policy and the candidate alike.
            return
        _, candidate, scopes = shadow
        candidate_scope = None
        if scopes is not None:
            entry = scopes.select(environ.get("PATH_INFO", ""))
            candidate_scope, candidate = entry if entry is not None else (None, None)
        if candidate is None:
            # No policy for this path under the candidate: no CORS headers at all.
            if allowed:
                unscoped = Decision(
                    kind,
                    False,
                    origin,
                    method,
                    request_headers,
                    "scope",
                    "the candidate has no policy for this path",
                    candidate_scope,
                    shadow=True,
                )
                self._reporter.shadow_differs(unscoped, live_allowed=allowed)
            return
        shadow_key = (kind, candidate_scope, origin, method, request_headers, True)
        pure = candidate.origin_func is None
        differs = memo.decisions.get(shadow_key) if pure else None
        if differs is None:
            candidate_refusal = None
            if kind == "preflight":
                answer = candidate.preflight(environ, origin)
                candidate_refusal = answer if isinstance(answer, Refusal) else None
                candidate_allowed = candidate_refusal is None
            else:
                candidate_allowed = candidate.actual(origin, method, environ) is not None
            differs = _decision(
                kind,
                candidate,
                candidate_scope,
                origin,
                method,
                request_headers,
                candidate_allowed,
                candidate_refusal,
                shadow=True,
            )
            if pure:
                memo.put(shadow_key, differs)
        if differs.allowed != allowed:
            self._reporter.shadow_differs(differs, live_allowed=allowed)

    @staticmethod
    def _log_actual(
        compiled: CompiledPolicy,
        scope: str | None,
        origin: str | None,
        method: str,
        answer: object,
    ) -> None:
        where = _where(scope)
        if origin is None:
            if answer is not None:
                # All origins without credentials: '*' whoever asks, Origin or not.
                logger.debug(
                    "[CORS] %r request without Origin%s: '*' for every origin", method, where
                )
            else:
                logger.debug(
                    "[CORS] %r request without Origin%s: not a CORS request", method, where
                )
            return
        if answer is not None:
            verdict = "allowed"
        else:
            verdict = f"{compiled.refuse_actual(origin, method).reason}: no CORS headers"
        logger.debug("[CORS] %r request from %r%s: %s", method, origin, where, verdict)


_State = tuple[
    PolicySpec,
    "CompiledPolicy | None",
    "PathScopes[tuple[str, CompiledPolicy]] | None",
]


def _is_view(scope: str | None) -> bool:
    """Whether a marked view (or its blueprint) chose the policy, rather than a path scope."""
    return scope is not None and scope.startswith(("view ", "blueprint "))


def _where(scope: str | None) -> str:
    """Which part of the configuration chose the policy, for a debug line."""
    if scope is None:
        return ""
    return f" ({scope})" if _is_view(scope) else f" (path scope {scope!r})"


def _compile_one(policy: CORSPolicy) -> CompiledPolicy:
    compiled = CompiledPolicy(policy)
    if compiled.debug:
        _ensure_debug_logging()
    return compiled


def _decision(
    kind: str,
    compiled: CompiledPolicy,
    scope: str | None,
    origin: str,
    method: str,
    request_headers: str | None,
    allowed: bool,
    refusal: Refusal | None,
    *,
    shadow: bool = False,
) -> Decision:
    """The Decision for a request, its check and reason from the policy's own Refusal.

    A refused preflight comes with its refusal; for an actual request it is worked out here,
    only when a decision is built.
    """
    if allowed:
        return Decision(kind, True, origin, method, request_headers, scope=scope, shadow=shadow)
    if refusal is None:
        refusal = compiled.refuse_actual(origin, method)
    return Decision(
        kind, False, origin, method, request_headers, refusal.check, refusal.reason, scope, shadow
    )


class _DecisionMemo:
    """Decisions already built, per request; bounded in entries and in key length."""

    MAX_ENTRIES = 1024
    MAX_KEY_LENGTH = 256

    def __init__(self) -> None:
        self.decisions: dict[_MemoKey, Decision] = {}

    def put(self, key: _MemoKey, decision: Decision) -> None:
        # Only what a browser could send is kept: an origin, method and header list of at
        # most MAX_KEY_LENGTH characters together.
        _, _, origin, method, request_headers, _ = key
        if len(origin) + len(method) + len(request_headers or "") > self.MAX_KEY_LENGTH:
            return
        if len(self.decisions) >= self.MAX_ENTRIES:
            self.decisions.clear()
        self.decisions[key] = decision

    def clear(self) -> None:
        self.decisions.clear()


# (kind, scope, origin, method, request headers, shadow)
_MemoKey = tuple[str, "str | None", str, str, "str | None", bool]


class _Reporter:
    """Hands decisions to the callback and logs shadow differences, within bounds.

    A callback's exception is logged once per exception type; shadow warnings are logged
    once per (origin, method, check), at most ``per_minute`` a minute, and the distinct keys
    remembered are bounded (1024), so no flood of requests can fill a log or the memory.
    """

    MAX_KEYS = 1024

    def __init__(self, callback: Callable[[Decision], object] | None, per_minute: int) -> None:
        self.callback = callback
        self.per_minute = per_minute
        self._failed: set[type[BaseException]] = set()
        self._warned: set[tuple[str, str, str | None]] = set()
        self._window = 0.0
        self._in_window = 0
        self._lock = threading.Lock()

    def report(self, decision: Decision) -> None:
        if self.callback is None:
            return
        try:
            self.callback(decision)
        except Exception as error:
            kind = type(error)
            if kind not in self._failed and len(self._failed) < self.MAX_KEYS:
                self._failed.add(kind)
                logger.exception(
                    "[CORS] on_decision raised %s; the request goes on, and later %s "
                    "exceptions from it are not logged",
                    kind.__name__,
                    kind.__name__,
                )

    def shadow_differs(self, decision: Decision, *, live_allowed: bool) -> None:
        self.report(decision)
        # Keys hold at most a serialised origin's worth of request text (326 bytes).
        key = (decision.origin[:326], decision.method[:32], decision.check)
        if key in self._warned:  # the common case, settled without the lock
            return
        with self._lock:
            if key in self._warned:
                return
            now = time.monotonic()
            if now - self._window >= 60:
                self._window, self._in_window = now, 0
            if self._in_window >= self.per_minute:
                return
            self._in_window += 1
            if len(self._warned) >= self.MAX_KEYS:
                self._warned.clear()
            self._warned.add(key)
        verdict = (
            f"allow {decision.method!r} from {decision.origin!r}"
            if decision.allowed
            else f"block {decision.method!r} from {decision.origin!r} ({decision.reason})"
        )
        what = "a preflight" if decision.kind == "preflight" else "a request"
        shadow_logger.warning(
            "candidate would %s on %s; live %s",
            verdict,
            what,
            "allows" if live_allowed else "blocks",
        )

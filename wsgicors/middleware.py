"""``CORSMiddleware``: the WSGI middleware that applies a :class:`~wsgicors.CORSPolicy`.

The policy is compiled once into a ``_CompiledPolicy`` that holds sets, prepared header
tuples and the answers to preflights already seen; a request then costs a few
``environ.get`` calls, dict and set lookups, and a check at C speed that the application's
response headers need no more than appending ours. Three branches per request, all in
:meth:`CORSMiddleware.__call__`:

- a **preflight** (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
  answered by the middleware, unless ``options_passthrough`` sends it on;
- a plain ``OPTIONS`` is answered with ``Allow`` when ``auto_options`` is on;
- every other request goes to the application, whose response is decorated.

The middleware owns the CORS response headers: those the application set are dropped
and replaced, so a response never carries two contradicting ``Access-Control-*`` values.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from operator import itemgetter
from typing import TYPE_CHECKING

from .errors import PolicyError, Problem
from .headers import (
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
    ALLOW,
    ALWAYS_ALLOWED_REQUEST_HEADERS,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ENV_ACRH,
    ENV_ACRM,
    ENV_ACRPN,
    ENV_ORIGIN,
    MAX_ACRH_ELEMENTS,
    MAX_ACRH_LENGTH,
    ORIGIN,
    VARY,
    is_owned_response_header,
    is_token,
    merge_vary,
    split_list,
)
from .origins import ALL, OriginMatcher, is_serialized_origin
from .policy import KRAKEND_OPTIONS, CORSPolicy
from .routes import Router, find_router

if TYPE_CHECKING:
    from types import TracebackType
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
    Headers = list[tuple[str, str]]

__all__ = ["CORSMiddleware", "PolicySpec", "scope_path"]

PolicySpec = CORSPolicy | Mapping[str, CORSPolicy | None] | None

logger = logging.getLogger("wsgicors")

_TEXT_PLAIN = (CONTENT_TYPE, "text/plain; charset=utf-8")
_EMPTY_LENGTH = (CONTENT_LENGTH, "0")
_FORBIDDEN = "403 Forbidden"
# How many preflight answers a policy keeps, and how many bytes of request values they may
# hold: far more than the distinct preflights of a real site, and a bound that hostile
# variety cannot grow (it costs recomputing, never memory).
_PREFLIGHT_ANSWERS_KEPT = 1024
_PREFLIGHT_ANSWER_BYTES = 512 * 1024
# What one kept answer costs beyond the request values it holds: the dict slot, the key and
# value tuples, and the header tuples, measured with tracemalloc on CPython 3.11.
_ANSWER_OVERHEAD = 512
# Browsers send a few dozen bytes of Access-Control-Request-Headers and methods of a few
# letters; answers for longer values are worked out afresh each time.
_MAX_KEPT_ACRH_LENGTH = 256
_MAX_KEPT_METHOD_LENGTH = 32
# Allow for auto_options when allow_methods is "*" and the application has no router.
_COMMON_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
# A response without a body carries Content-Length: 0 and a Content-Type, except 204,
# which carries neither (RFC 9110 §8.6).
_NO_CONTENT = (_TEXT_PLAIN, _EMPTY_LENGTH)


def _status_line(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Success"


def _ensure_debug_logging() -> None:
    """Make ``debug`` output visible on stderr when the application configured no logging."""
    if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
        logger.setLevel(logging.DEBUG)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


# Response header names, spelled as applications spell them, seen to be neither CORS-owned
# nor Vary. A response whose names are all known here is decorated by appending, checked at
# C speed; names come from applications, not clients, and the bounds (1024 names of at most
# 64 characters, about 150 KB) hold whatever an application echoes.
_PLAIN_NAMES: set[str] = set()
_MAX_PLAIN_NAMES = 1024
_MAX_PLAIN_NAME_LENGTH = 64
_all_plain = _PLAIN_NAMES.issuperset
_name_of = itemgetter(0)


def _decorate(
    headers: Headers,
    extra: tuple[tuple[str, str], ...],
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
            if lower.startswith("access-control-") and is_owned_response_header(lower):
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
                continue
        if len(_PLAIN_NAMES) < _MAX_PLAIN_NAMES and len(name) <= _MAX_PLAIN_NAME_LENGTH:
            _PLAIN_NAMES.add(name)
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


class _CompiledPolicy:
    """What a request needs from one policy, prepared once."""

    def __init__(self, policy: CORSPolicy, app: WSGIApplication, router: Router | None) -> None:
        self.policy: PolicySpec = policy
        self.app = app
        self.router = router
        self.debug = policy.debug
        self.passthrough = policy.options_passthrough
        self.origin_func = policy.allow_origin_func
        self.matcher = OriginMatcher(policy.allow_origins if self.origin_func is None else ())
        # Exact origins answer from one set lookup; patterns and allow_origin_func need more.
        self.exact_origins = self.matcher.exact
        self.other_origins = self.matcher.has_patterns or self.origin_func is not None
        # All origins without credentials: '*' on every allowed response, whoever asks, so
        # the answer does not depend on Origin and needs no Vary (Fetch #cors-protocol-and-
        # http-caches). Every other policy varies on Origin.
        self.star = policy.allows_all_origins and not policy.allow_credentials
        # OPTIONS always counts as allowed, as it does for preflights (docs: configuration).
        self.methods = frozenset(policy.allow_methods) | {"OPTIONS"}
        self.any_method = ALL in self.methods
        self.headers = frozenset(name.lower() for name in policy.allow_headers)
        self.headers |= ALWAYS_ALLOWED_REQUEST_HEADERS
        self.any_header = ALL in self.headers
        self.private_network = policy.allow_private_network

        credentials: Headers = [(ACAC, "true")] if policy.allow_credentials else []
        exposed: Headers = (
            [(ACEH, ", ".join(policy.expose_headers))] if policy.expose_headers else []
        )
        self.actual_tail: tuple[tuple[str, str], ...] = (*credentials, *exposed)
        self.star_headers: tuple[tuple[str, str], ...] = ((ACAO, "*"), *self.actual_tail)
        self.actual_vary: tuple[str, ...] = () if self.star else (ORIGIN,)
        self.vary_tail: tuple[tuple[str, str], ...] = () if self.star else ((VARY, ORIGIN),)
        max_age = policy.max_age
        age: Headers = [] if not max_age else [(ACMA, str(max(max_age, 0)))]
        self.preflight_tail = (*credentials, *age)
        vary_names = [ORIGIN, ACRM, ACRH]
        if self.private_network:
            vary_names.append(ACRPN)
        self.preflight_vary_names = tuple(vary_names)
        self.preflight_vary = (VARY, ", ".join(vary_names))
        status = policy.options_success_status
        self.preflight_status = _status_line(status)
        self.preflight_body_headers = () if status == 204 else _NO_CONTENT
        if self.any_method:
            self.default_allow = ", ".join(_COMMON_METHODS)
        else:
            allow = list(policy.allow_methods)
            if "OPTIONS" not in allow:
                allow.append("OPTIONS")
            self.default_allow = ", ".join(allow)
        self.options_app: WSGIApplication = self._auto_options if policy.auto_options else self.app
        # Everything an allowed actual response from each exact origin gets, Vary included,
        # so the hot path is one dict lookup and one list build.
        self.exact_full = {
            o: ((ACAO, o), *self.actual_tail, *self.vary_tail) for o in self.exact_origins
        }
        self.preflight_answers: dict[
            tuple[str, str, str | None, bool], tuple[tuple[str, str], ...] | str
        ] = {}
        self.kept_bytes = 0
        if self.debug:
            _ensure_debug_logging()

    def origin_allowed(self, origin: str, environ: WSGIEnvironment) -> bool:
        """The full origin check (the hot path tries the set of exact origins first)."""
        if self.origin_func is not None:
            return is_serialized_origin(origin) and bool(self.origin_func(origin, environ))
        return self.matcher(origin)

    # -- preflights ----------------------------------------------------------------------

    def preflight(
        self, environ: WSGIEnvironment, start_response: StartResponse, origin: str
    ) -> Iterable[bytes]:
        # Browsers repeat the same few preflights, so their answers are kept in a dict
        # bounded in entries and bytes; allow_origin_func sees the whole environ, so its
        # answers are not. Nor are those for long or odd values: hashing a hostile 4 KB key
        # costs more than it saves, and only what a browser could send is worth keeping.
        method = environ[ENV_ACRM]
        requested = environ.get(ENV_ACRH)
        result: tuple[tuple[str, str], ...] | str
        if (
            self.origin_func is not None
            or len(method) > _MAX_KEPT_METHOD_LENGTH
            or (requested is not None and len(requested) > _MAX_KEPT_ACRH_LENGTH)
        ):
            result = self._check_preflight(environ, origin)
        else:
            key = (origin, method, requested, environ.get(ENV_ACRPN) == "true")
            kept = self.preflight_answers.get(key)
            if kept is None:
                kept = self._check_preflight(environ, origin)
                if is_serialized_origin(origin) and is_token(method):
                    self._keep(key, kept)
            result = kept
        if self.debug:
            if isinstance(result, str):
                logger.debug("[CORS] preflight from %r rejected: %s", origin, result)
            else:
                logger.debug(
                    "[CORS] preflight from %r for %r: allowed", origin, environ.get(ENV_ACRM)
                )
        if self.passthrough:
            extra = () if isinstance(result, str) else result
            vary_names = self.preflight_vary_names
            debug = self.debug

            def start_cors_response(
                status: str, headers: Headers, exc_info: ExcInfo | None = None
            ) -> Callable[[bytes], object]:
                return start_response(
                    status, _decorate(headers, extra, vary_names, debug), exc_info
                )

            return self.options_app(environ, start_cors_response)
        if not isinstance(result, str):
            headers: Headers = [*result, *self.preflight_body_headers, self.preflight_vary]
            start_response(self.preflight_status, headers)
            return []
        body = f"CORS preflight rejected: {result}\n".encode() if self.debug else b""
        start_response(
            _FORBIDDEN,
            [self.preflight_vary, _TEXT_PLAIN, (CONTENT_LENGTH, str(len(body)))],
        )
        return [body] if body else []

    def _keep(
        self, key: tuple[str, str, str | None, bool], answer: tuple[tuple[str, str], ...] | str
    ) -> None:
        # The origin, method and header list appear in the key, in the answer's headers and
        # in a refusal's text: three copies at most.
        size = _ANSWER_OVERHEAD + 3 * (len(key[0]) + len(key[1]) + len(key[2] or ""))
        if (
            len(self.preflight_answers) >= _PREFLIGHT_ANSWERS_KEPT
            or self.kept_bytes + size > _PREFLIGHT_ANSWER_BYTES
        ):
            self.preflight_answers.clear()
            self.kept_bytes = 0
        self.preflight_answers[key] = answer
        self.kept_bytes += size

    def _check_preflight(
        self, environ: WSGIEnvironment, origin: str
    ) -> tuple[tuple[str, str], ...] | str:
        """The success headers (without Vary), or the reason the preflight fails.

        The checks run in the order of Fetch #cors-preflight-fetch: the CORS check on the
        origin, then the method, then each requested header.
        """
        if not is_serialized_origin(origin):
            return f"Origin {origin!r} is not a single serialised origin"
        if self.star:
            allow_origin = ALL
        elif self.origin_allowed(origin, environ):
            allow_origin = origin
        else:
            return f"origin {origin!r} is not in allow_origins"

        method = environ[ENV_ACRM]
        # self.methods holds OPTIONS too; under '*' any token is a method.
        if method not in self.methods and not (self.any_method and is_token(method)):
            return f"method {method!r} is not in allow_methods"

        headers = [(ACAO, allow_origin), (ACAM, method)]
        requested = environ.get(ENV_ACRH, "")
        if requested:
            # Refuse oversized values before splitting them: a browser names at
            # most a few dozen headers, so the bound costs honest clients nothing.
            commas = requested.count(",") if len(requested) <= MAX_ACRH_LENGTH else -1
            if commas < 0 or commas >= MAX_ACRH_ELEMENTS:
                # One scan of a hostile 4 KB value, not two: the count is reused here.
                elements = "" if commas < 0 else f", {commas + 1} elements"
                return (
                    f"Access-Control-Request-Headers is too large ({len(requested)} bytes"
                    f"{elements}; at most {MAX_ACRH_LENGTH} bytes and {MAX_ACRH_ELEMENTS} "
                    "elements)"
                )
            # Fetch #cors-preflight-fetch parses the list leniently: split on ',', trim
            # spaces and tabs, skip empty elements. One split and one set test per name:
            # linear in the length of the value, with no regular expression to backtrack.
            names = split_list(requested)
            if self.any_header:
                for name in names:
                    if not is_token(name):
                        return f"Access-Control-Request-Headers names {name!r}, not a header name"
            elif not self.headers.issuperset(map(str.lower, names)):
                # The offending name is only ever shown in debug mode: find it only then.
                for name in names if self.debug else ():
                    if name.lower() not in self.headers:
                        return f"header {name!r} is not in allow_headers"
                return "a requested header is not in allow_headers"
            if names:
                # The names, never the client's own spacing (RFC 9110 §5.6.1 lists).
                headers.append((ACAH, ",".join(names)))
        headers.extend(self.preflight_tail)
        if self.private_network and environ.get(ENV_ACRPN) == "true":
            headers.append((ACAPN, "true"))
        return tuple(headers)

    # -- auto_options ---------------------------------------------------------------------

    def _auto_options(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Answer a plain OPTIONS with the methods the path supports (RFC 9110 §9.3.7)."""
        allow = self.default_allow
        if self.router is not None:
            methods = self.router.allowed_methods(environ)
            if methods is None:
                return self.app(environ, start_response)
            if methods:  # empty: a known path whose methods the router cannot tell
                allow = ", ".join(sorted(methods | {"OPTIONS"}))
        start_response("200 OK", [(ALLOW, allow), *_NO_CONTENT])
        return []

    def log_actual(self, origin: str | None, method: str, method_ok: bool, allowed: bool) -> None:
        if allowed:
            verdict = "allowed"
        elif self.star:
            verdict = f"method {method!r} is not in allow_methods: no CORS headers"
        elif origin is None:
            verdict = "no Origin header: not a CORS request"
        elif not method_ok:
            verdict = f"method {method!r} is not in allow_methods: no CORS headers"
        else:
            verdict = "origin is not in allow_origins: no CORS headers"
        logger.debug("[CORS] %r request from %r: %s", method, origin, verdict)


class _PathDispatch:
    """Chooses the policy for a request by the longest matching ``PATH_INFO`` prefix."""

    def __init__(
        self,
        policies: Mapping[str, CORSPolicy | None],
        app: WSGIApplication,
        router: Router | None,
    ) -> None:
        self.policy: PolicySpec = policies
        entries: list[tuple[str, _CompiledPolicy | None]] = []
        for prefix, policy in policies.items():
            handler = None if policy is None else _CompiledPolicy(policy, app, router)
            # PATH_INFO holds the path's UTF-8 bytes decoded as latin-1 (PEP 3333), so the
            # prefix is compared in that form: matching sees the path exactly as routed.
            entries.append((_wsgi_prefix(prefix), handler))
        entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self.entries = tuple(entries)

    def select(self, path: str) -> _CompiledPolicy | None:
        """The policy of the longest prefix of ``path``, or ``None`` to leave it alone."""
        path = scope_path(path)
        for prefix, compiled in self.entries:
            # A segment boundary: '/api' matches '/api' and '/api/x', never '/apix'.
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                return compiled
        return None


def scope_path(path: str) -> str:
    """The path a request is routed by, for choosing its path scope.

    Routers and servers collapse runs of ``/`` (werkzeug serves ``//admin/x`` as
    ``/admin/x``) and resolve ``.`` and ``..`` segments (RFC 3986 §5.2.4), so the scope is
    chosen on the path any of them would end up routing. A path that does not start with
    ``/`` is read as if it did, as werkzeug routes it (``admin`` reaches ``/admin``): ``*``
    of ``OPTIONS *`` and the empty path belong to ``/``. Linear in the path's length.
    """
    if not path.startswith("/"):
        path = "/" + path
    if "//" not in path and "/." not in path:
        return path
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    return "/" + "/".join(segments)


def _wsgi_prefix(prefix: str) -> str:
    return prefix.rstrip("/").encode("utf-8").decode("latin-1")


# Characters a path prefix cannot hold: a query or fragment never reaches PATH_INFO, and
# PATH_INFO is already percent-decoded, so a prefix with any of them could never match.
_NOT_IN_PREFIX = frozenset("?#%")


def _prefix_problem(prefix: str) -> Problem | None:
    bad = [c for c in prefix if c in _NOT_IN_PREFIX or c.isspace() or not c.isprintable()]
    if bad:
        return Problem(
            "policy",
            prefix,
            f"a path prefix is a decoded path, without {bad[0]!r}: PATH_INFO never holds "
            "a query, a fragment, percent-escapes, whitespace or control characters",
            "write the path as the application routes it, e.g. '/api'",
        )
    normal = scope_path(prefix)
    if normal.rstrip("/") != prefix.rstrip("/"):
        return Problem(
            "policy",
            prefix,
            "a path prefix is written as routers match it, without empty, '.' or '..' segments",
            f"write {normal!r}",
        )
    return None


def _check_paths(policies: Mapping[str, object]) -> None:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for prefix, policy in policies.items():
        if isinstance(prefix, str) and prefix.startswith("/"):
            problem = _prefix_problem(prefix)
            if problem is not None:
                problems.append(problem)
            elif prefix.rstrip("/") in seen:
                problems.append(
                    Problem(
                        "policy",
                        prefix,
                        f"path prefixes {seen[prefix.rstrip('/')]!r} and {prefix!r} name the "
                        "same path (a trailing '/' makes no difference)",
                        "keep one of them",
                    )
                )
            else:
                seen[prefix.rstrip("/")] = prefix
            if not (policy is None or isinstance(policy, CORSPolicy)):
                problems.append(
                    Problem(
                        "policy",
                        policy,
                        f"the policy for path prefix {prefix!r} is a CORSPolicy or None",
                        "build it with CORSPolicy(...) or CORSPolicy.from_dict(...)",
                    )
                )
        elif isinstance(prefix, str) and not prefix.startswith("/") and prefix in KRAKEND_OPTIONS:
            problems.append(
                Problem(
                    "policy",
                    prefix,
                    "a mapping given to CORSMiddleware maps path prefixes to policies, and "
                    "this looks like a CORS configuration",
                    "pass CORSPolicy.from_dict(config) instead of the dict itself",
                )
            )
            break
        else:
            problems.append(
                Problem(
                    "policy",
                    prefix,
                    "a path prefix starts with '/'",
                    f"write {'/' + str(prefix).lstrip('/')!r}",
                )
            )
    if problems:
        raise PolicyError(problems)


class CORSMiddleware:
    """Apply a CORS policy to every response of a WSGI application.

    ``policy`` is a :class:`~wsgicors.CORSPolicy`, ``None`` for the defaults, or a mapping
    of path prefixes to policies (``None`` there leaves that prefix alone); the longest
    prefix matching ``PATH_INFO`` on a segment boundary wins. ``router`` finds the methods
    of a path for ``auto_options``; by default it is read from ``app`` when ``app`` is a
    Flask application (or has a werkzeug ``url_map``). Pass the Flask app as ``router``
    when wrapping ``app.wsgi_app``.

    Assigning :attr:`policy` compiles the new policy first and then swaps it in with one
    reference assignment, so it is safe while requests are being served.
    """

    def __init__(
        self,
        app: WSGIApplication,
        policy: PolicySpec = None,
        *,
        router: object = None,
    ) -> None:
        self.app = app
        self.router = find_router(app if router is None else router)
        if router is not None and self.router is None:
            raise TypeError(
                f"router={router!r} has no allowed_methods(environ) and no werkzeug url_map; "
                "pass a Flask app, a werkzeug Map-backed app or a wsgicors.routes.Router"
            )
        self.policy = policy

    @property
    def policy(self) -> PolicySpec:
        """The policy in force (as given: a policy, or a mapping of path prefixes)."""
        compiled, paths = self._state
        return paths.policy if paths is not None else compiled.policy if compiled else None

    @policy.setter
    def policy(self, policy: PolicySpec) -> None:
        # One assignment of a tuple built beforehand: a request sees the old or the new
        # policy, never half of each.
        self._state = self._compile(policy)

    def _compile(self, policy: PolicySpec) -> tuple[_CompiledPolicy | None, _PathDispatch | None]:
        """The compiled policy, or the path dispatch for a mapping of prefixes."""
        if policy is None:
            policy = CORSPolicy()
        if isinstance(policy, CORSPolicy):
            return _CompiledPolicy(policy, self.app, self.router), None
        if isinstance(policy, Mapping):
            _check_paths(policy)
            return None, _PathDispatch(dict(policy), self.app, self.router)
        raise TypeError(
            f"policy must be a CORSPolicy, a mapping of path prefixes to policies, or None; "
            f"got {type(policy).__name__}: use CORSPolicy(...) or CORSPolicy.from_dict(...)"
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        compiled, paths = self._state
        if paths is not None:
            compiled = paths.select(environ.get("PATH_INFO", ""))
        if compiled is None:
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        origin = environ.get(ENV_ORIGIN)
        downstream = compiled.app
        if method == "OPTIONS":
            # Fetch #cors-preflight-request: OPTIONS with Origin and a non-empty
            # Access-Control-Request-Method. Any other OPTIONS is an ordinary request.
            if origin is not None and environ.get(ENV_ACRM):
                return compiled.preflight(environ, start_response, origin)
            downstream = compiled.options_app

        # An actual request: the downstream app answers and its response is decorated with
        # `full`, the CORS headers the request earns, then Vary: Origin whenever the answer
        # depends on the Origin (Fetch #cors-protocol-and-http-caches).
        method_ok = compiled.any_method or method in compiled.methods
        full: tuple[tuple[str, str], ...] | None = None
        if compiled.star:
            # All origins without credentials: the Origin is not inspected at all.
            allowed = method_ok
            full = compiled.star_headers if allowed else ()
        else:
            if origin is not None and method_ok:
                full = compiled.exact_full.get(origin)
                if (
                    full is None
                    and compiled.other_origins
                    and compiled.origin_allowed(origin, environ)
                ):
                    full = ((ACAO, origin), *compiled.actual_tail, *compiled.vary_tail)
            allowed = full is not None
            if full is None:
                full = compiled.vary_tail
        debug = compiled.debug
        if debug:
            compiled.log_actual(origin, method, method_ok, allowed)

        def start_cors_response(
            status: str, headers: Headers, exc_info: ExcInfo | None = None
        ) -> Callable[[bytes], object]:
            if _all_plain(map(_name_of, headers)):
                return start_response(status, [*headers, *full], exc_info)
            # The app sent CORS or Vary headers: _decorate drops or merges them, and adds
            # Vary itself, so it gets the CORS headers without our trailing Vary.
            extra = full[:-1] if compiled.vary_tail else full
            return start_response(
                status, _decorate(headers, extra, compiled.actual_vary, debug), exc_info
            )

        return downstream(environ, start_cors_response)

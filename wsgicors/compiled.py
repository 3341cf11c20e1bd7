"""``CompiledPolicy``: what a request needs from one :class:`~wsgicors.CORSPolicy`, prepared once.

A compiled policy is a function of the policy alone: it knows nothing of the application,
its router or the path it serves. It holds sets, prepared header tuples and the answers to
preflights already seen, and it decides; the middleware only carries its decisions out.

A decision is either the CORS headers a request earns, or a :class:`Refusal` that says,
machine-readably, which check failed and why: the middleware's debug log, its debug 403 body
and the ``explain`` tool all read the same refusal, so no one re-derives the verdict.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import attrs

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
    ALWAYS_ALLOWED_REQUEST_HEADERS,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ENV_ACRH,
    ENV_ACRM,
    ENV_ACRPN,
    MAX_ACRH_ELEMENTS,
    MAX_ACRH_LENGTH,
    ORIGIN,
    VARY,
    is_token,
    split_list,
    status_line,
)
from .origins import ALL, OriginMatcher, is_serialized_origin

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from .policy import CORSPolicy

__all__ = ["CHECKS", "CompiledPolicy", "Header", "Refusal"]

logger = logging.getLogger("wsgicors")

Header = tuple[str, str]
Headers = tuple[Header, ...]

#: The names of the checks a request can fail, in the order the browser applies them
#: (Fetch #cors-preflight-fetch): the Origin's syntax, the origin, the method, the size of
#: the requested header list, then each requested header.
CHECKS = ("origin-syntax", "origin", "method", "header-limits", "headers")


@attrs.frozen
class Refusal:
    """Why a request gets no CORS headers: the failed ``check`` (one of :data:`CHECKS`),
    the offending request ``value``, and a ``reason`` in words, values shown with ``repr()``.
    """

    check: str
    value: str
    reason: str

    def __str__(self) -> str:
        return self.reason


# The refusals an actual request and a preflight share, worded once.
def _syntax_refusal(origin: str) -> Refusal:
    return Refusal("origin-syntax", origin, f"Origin {origin!r} is not a single serialised origin")


def _origin_refusal(origin: str) -> Refusal:
    return Refusal("origin", origin, f"origin {origin!r} is not in allow_origins")


def _method_refusal(method: str) -> Refusal:
    return Refusal("method", method, f"method {method!r} is not in allow_methods")


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

_AnswerKey = tuple[str, str, "str | None", bool]


class CompiledPolicy:
    """One policy, compiled: origin sets, header tuples, and the preflight decision."""

    def __init__(self, policy: CORSPolicy) -> None:
        self.policy = policy
        self.debug = policy.debug
        self.passthrough = policy.options_passthrough
        #: A successful preflight is answered with its headers alone: nothing to log, nothing
        #: to pass on to the application.
        self.answers_alone = not (policy.debug or policy.options_passthrough)
        self.auto_options = policy.auto_options
        self.origin_func = policy.allow_origin_func
        # allow_origins left at its default beside allow_origin_func: the function alone.
        function_alone = self.origin_func is not None and policy.allow_origins == (ALL,)
        self.matcher = OriginMatcher(() if function_alone else policy.allow_origins)
        self._func_failures: set[type[BaseException]] = set()
        # Exact origins answer from one set lookup; patterns and allow_origin_func need more.
        self.other_origins = self.matcher.has_patterns or self.origin_func is not None
        # All origins without credentials: '*' on every allowed response, whoever asks, so
        # the answer does not depend on Origin and needs no Vary (Fetch #cors-protocol-and-
        # http-caches). Every other policy varies on Origin.
        self.star = policy.allows_all_origins and not policy.allow_credentials
        # OPTIONS always counts as allowed, for actual requests as for preflights: the
        # middleware answers plain OPTIONS itself or passes it to the app's own handler.
        self.methods = frozenset(policy.allow_methods) | {"OPTIONS"}
        self.any_method = ALL in self.methods
        self.headers = frozenset(name.lower() for name in policy.allow_headers)
        self.headers |= ALWAYS_ALLOWED_REQUEST_HEADERS
        self.any_header = ALL in self.headers
        self.private_network = policy.allow_private_network

        credentials: Headers = ((ACAC, "true"),) if policy.allow_credentials else ()
        exposed: Headers = (
            ((ACEH, ", ".join(policy.expose_headers)),) if policy.expose_headers else ()
        )
        actual_tail = (*credentials, *exposed)
        #: The names an actual response's Vary must hold, and that Vary as a header.
        self.actual_vary: tuple[str, ...] = () if self.star else (ORIGIN,)
        self.vary_header: Headers = () if self.star else ((VARY, ORIGIN),)
        #: Actual responses: (CORS headers, the same with Vary) for '*', and for each exact
        #: origin, so the hot path is one dict lookup.
        star = ((ACAO, ALL), *actual_tail)
        self.star_answer: tuple[Headers, Headers] = (star, star)
        self.exact_answers: dict[str, tuple[Headers, Headers]] = {
            origin: self._actual_answer(origin, actual_tail) for origin in self.matcher.exact
        }
        self._actual_tail = actual_tail
        #: Every response under an Origin-dependent policy varies on Origin, allowed or not.
        self.refused_answer: tuple[Headers, Headers] = ((), self.vary_header)

        max_age = policy.max_age
        age: Headers = () if not max_age else ((ACMA, str(max(max_age, 0))),)
        self.preflight_tail = (*credentials, *age)
        vary_names = [ORIGIN, ACRM, ACRH]
        if self.private_network:
            vary_names.append(ACRPN)
        self.preflight_vary_names = tuple(vary_names)
        self.preflight_vary = (VARY, ", ".join(vary_names))
        status = policy.options_success_status
        self.preflight_status = status_line(status)
        #: What follows the success headers of a preflight: a 204 carries no body headers
        #: (RFC 9110 §8.6), other statuses an empty text body; then the preflight Vary.
        self.preflight_extra: Headers = (
            (self.preflight_vary,)
            if status == 204
            else (
                (CONTENT_TYPE, "text/plain; charset=utf-8"),
                (CONTENT_LENGTH, "0"),
                self.preflight_vary,
            )
        )
        if self.any_method:
            self.default_allow = ", ".join(_COMMON_METHODS)
        else:
            allow = list(policy.allow_methods)
            if "OPTIONS" not in allow:
                allow.append("OPTIONS")
            self.default_allow = ", ".join(allow)
        self._answers: dict[_AnswerKey, Headers | Refusal] = {}
        self._kept_bytes = 0

    def _actual_answer(self, origin: str, tail: Headers) -> tuple[Headers, Headers]:
        cors = ((ACAO, origin), *tail)
        return cors, (*cors, *self.vary_header)

    # -- actual requests -------------------------------------------------------------------

    def actual(
        self, origin: str | None, method: str, environ: WSGIEnvironment
    ) -> tuple[Headers, Headers] | None:
        """``(CORS headers, the same with Vary)`` for an allowed actual request, else ``None``.

        A refused request still gets :attr:`refused_answer` (only Vary) from the caller.
        """
        if not (self.any_method or method in self.methods):
            return None
        if self.star:
            # All origins without credentials: the Origin is not inspected at all.
            return self.star_answer
        if origin is None:
            return None
        answer = self.exact_answers.get(origin)
        if answer is None and self.other_origins and self.origin_allowed(origin, environ):
            answer = self._actual_answer(origin, self._actual_tail)
        return answer

    def refuse_actual(self, origin: str | None, method: str) -> Refusal:
        """Why :meth:`actual` gave no headers (worked out only for a log or a report)."""
        if not (self.any_method or method in self.methods):
            return _method_refusal(method)
        if origin is None:
            return Refusal("origin", "", "no Origin header: not a CORS request")
        if not is_serialized_origin(origin):
            return _syntax_refusal(origin)
        return _origin_refusal(origin)

    def origin_allowed(self, origin: str, environ: WSGIEnvironment) -> bool:
        """The full origin check (the hot path tries the set of exact origins first)."""
        if self.matcher(origin):
            return True
        if self.origin_func is None or not is_serialized_origin(origin):
            return False
        try:
            return bool(self.origin_func(origin, environ))
        except Exception as error:
            # The function's failure is the request's refusal, never the request's crash.
            if type(error) not in self._func_failures:
                self._func_failures.add(type(error))
                logger.exception(
                    "[CORS] allow_origin_func raised %s for origin %r: refused; later %s "
                    "exceptions from it are not logged",
                    type(error).__name__,
                    origin,
                    type(error).__name__,
                )
            return False

    # -- preflights --------------------------------------------------------------------------

    def preflight(self, environ: WSGIEnvironment, origin: str) -> Headers | Refusal:
        """The success headers of a preflight (without Vary), or why it is refused.

        Browsers repeat the same few preflights, so answers are kept in a dict bounded in
        entries and bytes. allow_origin_func sees the whole environ, so its answers are not
        kept; nor are those for long or odd values: hashing a hostile 4 KB key costs more
        than it saves, and only what a browser could send is worth keeping.
        """
        method = environ[ENV_ACRM]
        requested = environ.get(ENV_ACRH)
        if (
            self.origin_func is not None
            or len(method) > _MAX_KEPT_METHOD_LENGTH
            or (requested is not None and len(requested) > _MAX_KEPT_ACRH_LENGTH)
        ):
            return self._decide_preflight(environ, origin)
        key = (origin, method, requested, environ.get(ENV_ACRPN) == "true")
        answer = self._answers.get(key)
        if answer is None:
            answer = self._decide_preflight(environ, origin)
            if is_serialized_origin(origin) and is_token(method):
                self._keep(key, answer)
        return answer

    def _keep(self, key: _AnswerKey, answer: Headers | Refusal) -> None:
        # The origin, method and header list appear in the key, in the answer's headers and
        # in a refusal's text: three copies at most.
        size = _ANSWER_OVERHEAD + 3 * (len(key[0]) + len(key[1]) + len(key[2] or ""))
        if (
            len(self._answers) >= _PREFLIGHT_ANSWERS_KEPT
            or self._kept_bytes + size > _PREFLIGHT_ANSWER_BYTES
        ):
            self._answers.clear()
            self._kept_bytes = 0
        self._answers[key] = answer
        self._kept_bytes += size

    def _decide_preflight(self, environ: WSGIEnvironment, origin: str) -> Headers | Refusal:
        # The checks run in the order of Fetch #cors-preflight-fetch: the CORS check on the
        # origin, then the method, then each requested header.
        if not is_serialized_origin(origin):
            return _syntax_refusal(origin)
        if self.star:
            allow_origin = ALL
        elif self.origin_allowed(origin, environ):
            allow_origin = origin
        else:
            return _origin_refusal(origin)

        method = environ[ENV_ACRM]
        # self.methods holds OPTIONS too; under '*' any token is a method.
        if method not in self.methods and not (self.any_method and is_token(method)):
            return _method_refusal(method)

        headers = [(ACAO, allow_origin), (ACAM, method)]
        requested = environ.get(ENV_ACRH, "")
        if requested:
            names = self._requested_names(requested)
            if isinstance(names, Refusal):
                return names
            if names:
                # The names, never the client's own spacing (RFC 9110 §5.6.1 lists).
                headers.append((ACAH, ",".join(names)))
        headers.extend(self.preflight_tail)
        if self.private_network and environ.get(ENV_ACRPN) == "true":
            headers.append((ACAPN, "true"))
        return tuple(headers)

    def _requested_names(self, requested: str) -> list[str] | Refusal:
        """The names of Access-Control-Request-Headers when all are allowed, else why not."""
        # Refuse oversized values before splitting them: a browser names at most a few
        # dozen headers, so the bound costs honest clients nothing. One scan of a hostile
        # 4 KB value, not two: the count is reused in the reason.
        commas = requested.count(",") if len(requested) <= MAX_ACRH_LENGTH else -1
        if commas < 0 or commas >= MAX_ACRH_ELEMENTS:
            elements = "" if commas < 0 else f", {commas + 1} elements"
            return Refusal(
                "header-limits",
                requested,
                f"Access-Control-Request-Headers is too large ({len(requested)} bytes"
                f"{elements}; at most {MAX_ACRH_LENGTH} bytes and {MAX_ACRH_ELEMENTS} elements)",
            )
        # Fetch #cors-preflight-fetch parses the list leniently: split on ',', trim spaces
        # and tabs, skip empty elements. One split and one set test per name: linear in the
        # length of the value, with no regular expression to backtrack.
        names = split_list(requested)
        if self.any_header:
            for name in names:
                if not is_token(name):
                    return Refusal(
                        "headers",
                        name,
                        f"Access-Control-Request-Headers names {name!r}, not a header name",
                    )
        elif not self.headers.issuperset(map(str.lower, names)):
            for name in names:
                if name.lower() not in self.headers:
                    return Refusal("headers", name, f"header {name!r} is not in allow_headers")
        return names

"""CORS decisions as values: what the middleware decided for a request, and why.

``CORSMiddleware(app, policy, on_decision=callback)`` calls ``callback(decision)`` after
every decision on a CORS request (one with an ``Origin`` header): a preflight, an actual
request, or a plain ``OPTIONS``. A :class:`Decision` carries the failed check's name from
the same :class:`~wsgicors.compiled.Refusal` the middleware decided with, so metrics and
logs never disagree with the responses. Two small consumers come with it:
:func:`log_decisions` (one structured log line per decision) and :class:`DecisionCounter`
(thread-safe totals, for a metrics exporter).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import attrs

__all__ = ["Decision", "DecisionCounter", "log_decisions"]

#: The kinds of decision: a preflight, an actual request, a plain OPTIONS request.
KINDS = ("preflight", "actual", "options")


@attrs.frozen
class Decision:
    """One CORS decision.

    ``kind`` is ``"preflight"``, ``"actual"`` or ``"options"``; ``allowed`` says whether the
    response carries CORS headers that let the page read it; ``origin`` is the request's
    ``Origin``; ``method`` the request's method (for a preflight, the requested one);
    ``request_headers`` the ``Access-Control-Request-Headers`` of a preflight (else
    ``None``); ``check`` names the failed check (``"origin-syntax"``, ``"origin"``,
    ``"method"``, ``"header-limits"``, ``"headers"``, ``"scope"`` when the path has no
    policy under a shadow candidate), ``None`` when allowed; ``reason`` says the same in
    words, request values shown with ``repr()``; ``scope`` is the path prefix that chose the
    policy (``None`` for a single policy); ``shadow`` is true for a shadow candidate's
    decision that differs from the live one.
    """

    kind: str
    allowed: bool
    origin: str
    method: str
    request_headers: str | None = None
    check: str | None = None
    reason: str | None = None
    scope: str | None = None
    shadow: bool = False


def log_decisions(
    level: int = logging.INFO,
    *,
    only_refusals: bool = True,
    logger: logging.Logger | str = "wsgicors.decisions",
) -> Callable[[Decision], None]:
    """An ``on_decision`` callback that logs one line per decision, without ``debug``.

    The message quotes request values with ``repr()``; the record also carries each field as
    an attribute (``cors_kind``, ``cors_allowed``, ``cors_origin``, ``cors_method``,
    ``cors_check``, ``cors_scope``, ``cors_shadow``) for structured formatters. With
    ``only_refusals`` (the default) allowed requests are not logged.
    """
    target = logging.getLogger(logger) if isinstance(logger, str) else logger

    def log(decision: Decision) -> None:
        if only_refusals and decision.allowed:
            return
        if not target.isEnabledFor(level):
            return
        verdict = "allowed" if decision.allowed else f"refused: {decision.reason}"
        target.log(
            level,
            "[CORS]%s %s %r from %r: %s",
            " shadow" if decision.shadow else "",
            decision.kind,
            decision.method,
            decision.origin,
            verdict,
            extra={
                "cors_kind": decision.kind,
                "cors_allowed": decision.allowed,
                "cors_origin": decision.origin,
                "cors_method": decision.method,
                "cors_check": decision.check,
                "cors_scope": decision.scope,
                "cors_shadow": decision.shadow,
            },
        )

    return log


CounterKey = tuple[str, bool, "str | None", "str | None", bool]


class DecisionCounter:
    """An ``on_decision`` callback that counts decisions, safe under a threaded server.

    Totals are kept per ``(kind, allowed, check, scope, shadow)``: a handful of keys, whatever
    clients send, since no request value is part of a key.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[CounterKey, int] = {}

    def __call__(self, decision: Decision) -> None:
        key = (decision.kind, decision.allowed, decision.check, decision.scope, decision.shadow)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def snapshot(self) -> dict[CounterKey, int]:
        """A copy of the totals: ``{(kind, allowed, check, scope, shadow): count}``."""
        with self._lock:
            return dict(self._counts)

"""What the middleware keeps between requests is bounded, whatever clients and the app send."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from helpers import A, call, environ_for, preflight_environ, wrapped

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACRH, ACRM, ACRPN, ORIGIN


def _kept_bytes(action: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        action()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def _kept_by_preflights(count: int, headers_of: Callable[[int], dict[str, str]]) -> int:
    """Bytes kept after ``count`` preflights, the n-th sending the headers ``headers_of(n)``."""
    middleware = wrapped(CORSPolicy(allow_methods=["*"]))
    call(middleware, preflight_environ())  # warm up: first-call allocations are not kept state

    def flood() -> None:
        for index in range(count):
            call(middleware, environ_for("OPTIONS", "/", headers_of(index)))

    kept = _kept_bytes(flood)
    assert middleware.app.calls == []  # type: ignore[attr-defined]
    return kept


def test_hostile_preflights_keep_under_1_mb() -> None:
    def headers_of(index: int) -> dict[str, str]:
        return {
            ORIGIN: f"https://{index}{'a' * 8000}.example",
            ACRM: f"M{index}{'X' * 8000}",
            ACRPN: "x" * 8000,
        }

    assert _kept_by_preflights(1000, headers_of) < 1_000_000


def test_many_distinct_valid_preflights_keep_under_1_mb() -> None:
    def headers_of(index: int) -> dict[str, str]:
        return {
            ORIGIN: f"https://{index}-{'a' * 60}.{'b' * 60}.{'c' * 60}.example",
            ACRM: f"M{index}XXXXXXXXXXXXXXXXXXXX",
            ACRH: ",".join(f"x-{index}-{'h' * 40}" for _ in range(5)),
        }

    assert _kept_by_preflights(5000, headers_of) < 1_000_000


def test_application_header_names_learned_within_a_bound() -> None:
    calls = iter(range(10**6))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        index = next(calls)
        start_response("200 OK", [(f"X-{index}-{n}-{'n' * 8000}", "1") for n in range(3)])
        return [b""]

    middleware = CORSMiddleware(app, CORSPolicy(allow_origins=[A]))

    def flood() -> None:
        for _ in range(2000):
            call(middleware, environ_for("GET", "/", {ORIGIN: A}))

    assert _kept_bytes(flood) < 1_000_000


def test_many_distinct_preflights_keep_bounded_answers(app: Any) -> None:
    middleware = CORSMiddleware(app, CORSPolicy(allow_origins=["https://*.example.com"]))

    statuses = {
        call(middleware, preflight_environ(f"https://t{n}.example.com", "GET")).status
        for n in range(3000)
    }

    _, compiled, _ = middleware._state
    assert statuses == {"204 No Content"}
    assert 0 < len(compiled._answers) <= 1024


def test_decisions_and_shadow_warnings_remembered_within_a_bound() -> None:
    import logging

    seen: list[object] = []
    logging.getLogger("wsgicors.shadow").disabled = True
    try:

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b""]

        middleware = CORSMiddleware(
            app, CORSPolicy(), on_decision=seen.append, shadow=CORSPolicy(allow_origins=[A])
        )
        call(middleware, environ_for("GET", "/", {ORIGIN: A}))

        def flood() -> None:
            for index in range(3000):
                origin = f"https://{index}-{'a' * 200}.example"
                call(middleware, environ_for("GET", "/", {ORIGIN: origin}))
            seen.clear()

        assert _kept_bytes(flood) < 1_000_000
    finally:
        logging.getLogger("wsgicors.shadow").disabled = False
